//! Blocking: which pairs are worth comparing. A rule is a list of key parts
//! (`birth_date + given_phonetic`); candidates whose parts all agree share a
//! block, and a pair is compared when any rule puts it in one block. Several
//! rules together catch what one misses: a typo in the surname still shares
//! a birth date and given name, a swapped day and month still shares the
//! names and the year.
//!
//! Pairs are never materialised. Blocks are enumerated rule by rule, and a
//! pair is compared only in the first rule (and, within a rule, the first
//! block) that holds it, which each block can tell on its own by asking
//! whether an earlier rule would also pair the two. Memory stays
//! proportional to the candidates, however many pairs the rules produce.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use super::bucket_sort::bucket_sort_into;
use super::features::{Features, Person};
use super::normalize::{Candidate, CandidateKind, TextField, stable_hash, stable_hash_bytes};
use super::score::{ALL_FIELDS, FieldMask, ScoredField};

/// One part of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPart {
    /// Year, and day and month in either order (a day/month swap still
    /// shares the block).
    BirthDate,
    BirthYear,
    /// Day and month in either order.
    BirthDayMonth,
    /// Double Metaphone of the family name.
    FamilyPhonetic,
    /// Double Metaphone of the first given name, and its formal names in the
    /// nickname table (Bob meets Robert).
    GivenPhonetic,
    /// The two names' codes in either order (names entered in each other's
    /// fields still share the block).
    NamesPhonetic,
    Family,
    Given,
    Postal,
    Phone,
    Address,
    /// The house number and the street name's first four letters: the same
    /// home through a typo late in the street name, a split word
    /// (`POYNTON ST`, `POYNTONSTREET`) or a suffix written out.
    Street,
    City,
    NationalId,
    /// A shared legacy identifier (same system and value).
    Identifier,
}

const PARTS: &[(KeyPart, &str)] = &[
    (KeyPart::BirthDate, "birth_date"),
    (KeyPart::BirthYear, "birth_year"),
    (KeyPart::BirthDayMonth, "birth_day_month"),
    (KeyPart::FamilyPhonetic, "family_phonetic"),
    (KeyPart::GivenPhonetic, "given_phonetic"),
    (KeyPart::NamesPhonetic, "names_phonetic"),
    (KeyPart::Family, "family"),
    (KeyPart::Given, "given"),
    (KeyPart::Postal, "postal_code"),
    (KeyPart::Phone, "phone"),
    (KeyPart::Address, "address"),
    (KeyPart::Street, "street"),
    (KeyPart::City, "city"),
    (KeyPart::NationalId, "national_id"),
    (KeyPart::Identifier, "identifier"),
];

/// A part's values for one person: at most a few (a nickname belongs to a
/// few formal names, a record has a few identifiers).
type Values = Vec<u64>;

const MAX_IDENTIFIERS: usize = 8;

impl KeyPart {
    pub fn name(self) -> &'static str {
        PARTS.iter().find(|(part, _)| *part == self).map(|(_, name)| *name).expect("every part is named")
    }

    pub fn all_names() -> impl Iterator<Item = &'static str> {
        PARTS.iter().map(|(_, name)| *name)
    }

    fn from_name(name: &str) -> Option<KeyPart> {
        PARTS.iter().find(|(_, known)| *known == name).map(|(part, _)| *part)
    }

    /// The scored fields this part constrains: a pair that shares the part
    /// agrees, or nearly, on them (`Blocks::fields_left_free`).
    fn scored_fields(self) -> &'static [ScoredField] {
        // Where a person lives is one thing: a pair found on its phone
        // mostly shares the address and the town too (a household, or one
        // person who has not moved), so any of them blocks all of them.
        const HOME: &[ScoredField] =
            &[ScoredField::Address, ScoredField::Area, ScoredField::AreaAfterMove, ScoredField::Phone];
        match self {
            KeyPart::BirthDate | KeyPart::BirthYear | KeyPart::BirthDayMonth => &[ScoredField::BirthDate],
            KeyPart::FamilyPhonetic | KeyPart::Family => &[ScoredField::FamilyName],
            KeyPart::GivenPhonetic | KeyPart::Given => &[ScoredField::GivenName],
            KeyPart::NamesPhonetic => &[ScoredField::FamilyName, ScoredField::GivenName],
            KeyPart::Postal | KeyPart::City | KeyPart::Address | KeyPart::Street | KeyPart::Phone => HOME,
            KeyPart::NationalId => &[ScoredField::NationalId],
            KeyPart::Identifier => &[ScoredField::Identifier],
        }
    }

    /// Appends this part's values for `person`; appends nothing when the
    /// field is missing.
    fn values(self, person: Person<'_>, values: &mut Values) {
        let candidate = person.candidate;
        let text = |field: TextField| candidate.text(field).map(stable_hash);
        match self {
            KeyPart::BirthDate => values.extend(birth_parts(person).map(|(year, low, high)| pack(year, low, high))),
            KeyPart::BirthYear => values.extend(candidate.birth.map(|birth| birth.year() as u64)),
            KeyPart::BirthDayMonth => values.extend(birth_parts(person).map(|(_, low, high)| pack(0, low, high))),
            KeyPart::FamilyPhonetic => values.extend(nonzero(person.derived.family_phonetic.primary)),
            KeyPart::GivenPhonetic => given_values(person, |value| values.push(value)),
            KeyPart::NamesPhonetic => values.extend(names_phonetic(person)),
            KeyPart::Family => values.extend(text(TextField::Family)),
            KeyPart::Given => values.extend(text(TextField::Given)),
            KeyPart::Postal => values.extend(text(TextField::Postal)),
            KeyPart::Phone => values.extend(text(TextField::Phone)),
            KeyPart::Address => values.extend(text(TextField::Address)),
            KeyPart::Street => values.extend(street(candidate).map(|key| stable_hash(&key))),
            KeyPart::City => values.extend(city(candidate).map(stable_hash_bytes)),
            KeyPart::NationalId => values.extend(text(TextField::NationalId)),
            KeyPart::Identifier => values.extend(
                candidate.identifiers.iter().take(MAX_IDENTIFIERS).map(|key| stable_hash(&(key.system, key.value))),
            ),
        }
    }

    /// Whether two people share a value of this part, without hashing: the
    /// cheap test asked for every pair of every later rule.
    fn shared(self, a: Person<'_>, b: Person<'_>) -> bool {
        let text = |field: TextField| matches!((a.candidate.text(field), b.candidate.text(field)), (Some(x), Some(y)) if x == y);
        match self {
            KeyPart::BirthDate => both(birth_parts(a), birth_parts(b), |x, y| x == y),
            KeyPart::BirthYear => both(a.candidate.birth, b.candidate.birth, |x, y| x.year() == y.year()),
            KeyPart::BirthDayMonth => both(birth_parts(a), birth_parts(b), |x, y| (x.1, x.2) == (y.1, y.2)),
            KeyPart::FamilyPhonetic => {
                let (x, y) = (a.derived.family_phonetic.primary, b.derived.family_phonetic.primary);
                x != 0 && x == y
            }
            KeyPart::GivenPhonetic => self.shared_values(a, b) > 0,
            KeyPart::NamesPhonetic => both(names_phonetic(a), names_phonetic(b), |x, y| x == y),
            KeyPart::Family => text(TextField::Family),
            KeyPart::Given => text(TextField::Given),
            KeyPart::Postal => text(TextField::Postal),
            KeyPart::Phone => text(TextField::Phone),
            KeyPart::Address => text(TextField::Address),
            KeyPart::Street => both(street(a.candidate), street(b.candidate), |x, y| x == y),
            KeyPart::City => both(city(a.candidate), city(b.candidate), |x, y| x.eq(y)),
            KeyPart::NationalId => text(TextField::NationalId),
            KeyPart::Identifier => {
                let (x, y) = (&a.candidate.identifiers, &b.candidate.identifiers);
                x.iter().take(MAX_IDENTIFIERS).any(|key| y.iter().take(MAX_IDENTIFIERS).any(|other| other == key))
            }
        }
    }

    /// How many values of this part two people share (more than one only for
    /// a part with several values per person).
    fn shared_values(self, a: Person<'_>, b: Person<'_>) -> usize {
        match self {
            KeyPart::GivenPhonetic => {
                let (x, y) = (a.derived.given_groups, b.derived.given_groups);
                match (x.is_empty(), y.is_empty()) {
                    (false, false) => common_sorted(x, y),
                    (true, true) => {
                        let (x, y) = (a.derived.given_phonetic.primary, b.derived.given_phonetic.primary);
                        usize::from(x != 0 && x == y)
                    }
                    _ => 0,
                }
            }
            KeyPart::Identifier => {
                let (x, y) = (&a.candidate.identifiers, &b.candidate.identifiers);
                x.iter()
                    .take(MAX_IDENTIFIERS)
                    .filter(|key| y.iter().take(MAX_IDENTIFIERS).any(|other| other == *key))
                    .count()
            }
            part => usize::from(part.shared(a, b)),
        }
    }
}

/// A given name's formal names in the nickname table (Bob, Rob and Robert
/// all give Robert; Ron gives Aaron, Ronald and Veronica), or, for a name the
/// table does not list, its phonetic code.
fn given_values(person: Person<'_>, mut push: impl FnMut(u64)) {
    let groups = person.derived.given_groups;
    if groups.is_empty() {
        if let Some(code) = nonzero(person.derived.given_phonetic.primary) {
            push(code);
        }
    } else {
        // Group ids are tagged so they never equal a phonetic code.
        for &group in groups.iter().take(MAX_GROUPS) {
            push((1 << 40) | group as u64);
        }
    }
}

const MAX_GROUPS: usize = 8;

/// How many values two sorted lists share.
fn common_sorted(a: &[u32], b: &[u32]) -> usize {
    let (a, b) = (&a[..a.len().min(MAX_GROUPS)], &b[..b.len().min(MAX_GROUPS)]);
    a.iter().filter(|value| b.binary_search(value).is_ok()).count()
}

/// The street key: the house number (if any) and up to four letters of
/// the street name, spaces ignored; none for an address without letters.
fn street(candidate: &Candidate) -> Option<(&str, [u8; 4])> {
    let address = candidate.text(TextField::Address)?;
    let (number, rest) = match address.split_once(' ') {
        Some((first, rest)) if first.bytes().any(|byte| byte.is_ascii_digit()) => (first, rest),
        _ if address.bytes().any(|byte| byte.is_ascii_digit()) && !address.contains(' ') => return None,
        _ => ("", address),
    };
    let mut letters = [0u8; 4];
    let mut count = 0;
    for byte in rest.bytes().filter(u8::is_ascii_alphabetic).take(4) {
        letters[count] = byte;
        count += 1;
    }
    (count >= 3).then_some((number, letters))
}

/// The town without its spaces (Lake Clifton, Lakeclifton).
fn city(candidate: &Candidate) -> Option<impl Iterator<Item = u8> + Clone + '_> {
    candidate.text(TextField::City).map(|city| city.bytes().filter(|byte| *byte != b' '))
}

fn nonzero(code: u32) -> Option<u64> {
    (code != 0).then_some(code as u64)
}

fn both<T>(a: Option<T>, b: Option<T>, same: impl Fn(T, T) -> bool) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => same(x, y),
        _ => false,
    }
}

fn birth_parts(person: Person<'_>) -> Option<(i16, i8, i8)> {
    person.candidate.birth.map(|birth| {
        let (month, day) = (birth.month(), birth.day());
        (birth.year(), month.min(day), month.max(day))
    })
}

fn pack(year: i16, low: i8, high: i8) -> u64 {
    ((year as u16 as u64) << 16) | ((low as u8 as u64) << 8) | high as u8 as u64
}

fn names_phonetic(person: Person<'_>) -> Option<u64> {
    let (family, given) = (person.derived.family_phonetic.primary, person.derived.given_phonetic.primary);
    (family != 0 && given != 0).then(|| ((family.min(given) as u64) << 32) | family.max(given) as u64)
}

/// A blocking rule: the parts that must all agree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlockingRule {
    parts: Vec<KeyPart>,
}

impl BlockingRule {
    /// The defaults: recall near 100% on day/month swaps, typos (first
    /// letters too), nicknames, married names, moves and a birth date lost
    /// or mistyped beyond recognition, at a cost that
    /// grows about linearly with the practice (docs/matching.md).
    pub const DEFAULT: &'static [&'static str] = &[
        "birth_date + given_phonetic",
        "birth_date + family_phonetic",
        "names_phonetic + birth_year",
        "family_phonetic + given_phonetic + birth_day_month",
        "national_id",
        "identifier",
        "birth_date + street",
        "birth_date + phone",
        "names_phonetic + street",
    ];

    pub fn defaults() -> Vec<BlockingRule> {
        BlockingRule::DEFAULT.iter().map(|text| BlockingRule::parse(text).expect("default rules parse")).collect()
    }

    pub fn uses(&self, part: KeyPart) -> bool {
        self.parts.contains(&part)
    }

    /// Parses `part + part + ...`; the error names the unknown part.
    pub fn parse(text: &str) -> Result<BlockingRule, String> {
        let mut parts = Vec::new();
        for word in text.split('+').map(str::trim) {
            match KeyPart::from_name(word) {
                Some(part) if !parts.contains(&part) => parts.push(part),
                Some(_) => {}
                None => return Err(word.to_string()),
            }
        }
        Ok(BlockingRule { parts })
    }

    pub fn parts(&self) -> &[KeyPart] {
        &self.parts
    }

    /// The keys a person has under this rule (every combination of its parts'
    /// values; none when a part is missing), into `buffers.keys`. The caller
    /// keeps the buffers: blocking asks for every candidate's keys, once per
    /// rule, and scoring for both of a pair's, and allocating there cost
    /// more than the hashing.
    fn keys_with(&self, person: Person<'_>, buffers: &mut KeyBuffers) {
        let KeyBuffers { keys, partial, values } = buffers;
        keys.clear();
        keys.push(0xcbf2_9ce4_8422_2325);
        for &part in &self.parts {
            values.clear();
            part.values(person, values);
            values.sort_unstable();
            values.dedup();
            std::mem::swap(keys, partial);
            keys.clear();
            for &key in partial.iter() {
                for &value in values.iter() {
                    keys.push(combine(key, value));
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
    }

    fn shared(&self, a: Person<'_>, b: Person<'_>) -> bool {
        self.parts.iter().all(|part| part.shared(a, b))
    }

    /// The scored fields this rule does not block on, one bit each (bit i
    /// for `score::SCORED[i]`).
    fn free_fields(&self) -> FieldMask {
        let blocked =
            self.parts.iter().flat_map(|part| part.scored_fields()).fold(0, |mask, &field| mask | field.bit());
        ALL_FIELDS & !blocked
    }

    /// How many keys of this rule two people share.
    fn shared_keys(&self, a: Person<'_>, b: Person<'_>) -> usize {
        self.parts.iter().map(|part| part.shared_values(a, b)).product()
    }
}

/// A key and one more part's value as one key: SplitMix64's finaliser over
/// both, fixed on every run and machine like `stable_hash`, and a few
/// instructions where hashing the pair byte by byte was a fifth of
/// computing the keys.
fn combine(key: u64, value: u64) -> u64 {
    let mut mixed = key ^ value.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^ (mixed >> 31)
}

/// Reused buffers for `BlockingRule::keys_with`.
#[derive(Default)]
struct KeyBuffers {
    keys: Vec<u64>,
    partial: Vec<u64>,
    values: Values,
}

impl fmt::Display for BlockingRule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.parts.iter().map(|part| part.name()).collect();
        formatter.write_str(&names.join(" + "))
    }
}

impl Serialize for BlockingRule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What one rule cost and produced, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub rule: BlockingRule,
    pub blocks: usize,
    /// Pairs this rule puts together (a pair may come from several rules).
    pub pairs: u64,
    /// Pairs no earlier rule had put together: what this rule adds.
    pub new_pairs: u64,
    /// Blocks larger than the cap, not compared at all.
    pub oversized_blocks: usize,
    pub skipped_pairs: u64,
}

/// One block: a run of `Blocks::members`.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub key: u64,
    start: u32,
    len: u32,
}

/// `Blocks::every_block`: where each rule's blocks start.
pub struct EveryBlock<'b> {
    blocks: &'b Blocks,
    starts: Vec<usize>,
}

impl<'b> EveryBlock<'b> {
    pub fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// The rule and block at `position`, if there is one.
    pub fn get(&self, position: usize) -> Option<(usize, &'b Block)> {
        let rule = self.starts.partition_point(|&start| start <= position).checked_sub(1)?;
        let block = self.blocks.blocks.get(rule)?.get(position - self.starts[rule])?;
        Some((rule, block))
    }
}

/// The blocks of every rule, and the pairs each would produce.
pub struct Blocks {
    pub rules: Vec<BlockingRule>,
    /// Per rule: its blocks (two or more members, not oversized).
    blocks: Vec<Vec<Block>>,
    members: Vec<Vec<u32>>,
    /// Per rule: keys of the blocks that were too large to compare.
    oversized: Vec<HashSet<u64>>,
    pub stats: Vec<RuleStats>,
}

pub fn block(features: &Features<'_>, rules: &[BlockingRule], max_block_size: usize) -> Blocks {
    // Two halves of the rules side by side: a rule's counting, placing and
    // block walk are sequential, and the other half's work fills the idle
    // core. One rule per half at a time keeps memory to two rules' keys.
    let (first, second) = rules.split_at(rules.len().div_ceil(2));
    let block_all = |half: &[BlockingRule]| -> Vec<RuleBlocks> {
        let mut scratch = KeyScratch::default();
        half.iter().map(|rule| block_rule(features, rule, max_block_size, &mut scratch)).collect()
    };
    let (first, second) = rayon::join(|| block_all(first), || block_all(second));
    let mut blocks = Blocks {
        rules: rules.to_vec(),
        blocks: Vec::new(),
        members: Vec::new(),
        oversized: Vec::new(),
        stats: Vec::new(),
    };
    for rule in first.into_iter().chain(second) {
        blocks.members.push(rule.members);
        blocks.blocks.push(rule.blocks);
        blocks.oversized.push(rule.oversized);
        blocks.stats.push(rule.stats);
    }
    blocks
}

/// One rule's blocks, members, oversized keys and figures.
struct RuleBlocks {
    blocks: Vec<Block>,
    members: Vec<u32>,
    oversized: HashSet<u64>,
    stats: RuleStats,
}

fn block_rule(
    features: &Features<'_>,
    rule: &BlockingRule,
    max_block_size: usize,
    scratch: &mut KeyScratch,
) -> RuleBlocks {
    let entries = keyed_members(features, rule, scratch);
    let mut stats =
        RuleStats { rule: rule.clone(), blocks: 0, pairs: 0, new_pairs: 0, oversized_blocks: 0, skipped_pairs: 0 };
    // Every block holds two entries at least. Room that is never written is
    // given no pages (freed memory goes back to the system within 10 ms, see
    // allocator.rs), and the vector never grows by copying itself into
    // memory the system must zero first.
    let mut blocks = Vec::with_capacity(entries.len() / 2);
    let mut oversized = HashSet::new();
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].0;
        // Blocks are small: walking is cheaper than searching.
        let end = start + entries[start..].iter().take_while(|entry| entry.0 == key).count();
        let size = (end - start) as u64;
        if size > 1 {
            if size as usize > max_block_size {
                stats.oversized_blocks += 1;
                stats.skipped_pairs += size * (size - 1) / 2;
                oversized.insert(key);
            } else {
                stats.blocks += 1;
                blocks.push(Block { key, start: start as u32, len: size as u32 });
            }
        }
        start = end;
    }
    // Large blocks first, so that no thread is left with one at the end.
    // A key is one run of the sorted entries, so it names one block: an
    // unstable sort, which needs no buffer, gives the one order.
    blocks.sort_unstable_by_key(|block| (std::cmp::Reverse(block.len), block.key));
    RuleBlocks { blocks, members: entries.iter().map(|&(_, index)| index).collect(), oversized, stats }
}

/// What one half of the rules keeps from one rule to the next: each rule's
/// keys are written into memory the last rule used. Fresh vectors per rule
/// had the system zero some 90 MB of new pages per rule at a million
/// patients: blocking took 1.4 s that way, 1.0 s this way.
#[derive(Default)]
struct KeyScratch {
    /// `(key, candidate)` per slice of the candidates, in candidate order.
    slices: Vec<Vec<(u64, u32)>>,
    sorted: Vec<(u64, u32)>,
}

/// Slices of the candidates whose keys are computed as one task: enough
/// for two threads to share the work evenly.
const KEY_SLICES: usize = 64;

/// Every candidate's keys under `rule`, as `(key, candidate)`, sorted; each
/// thread reuses its key buffers rather than allocating per candidate.
fn keyed_members<'s>(features: &Features<'_>, rule: &BlockingRule, scratch: &'s mut KeyScratch) -> &'s [(u64, u32)] {
    let count = features.len();
    let per_slice = count.div_ceil(KEY_SLICES).max(1);
    scratch.slices.resize_with(KEY_SLICES, Vec::new);
    scratch.slices.par_iter_mut().enumerate().for_each_init(KeyBuffers::default, |buffers, (slice, entries)| {
        entries.clear();
        let start = (slice * per_slice).min(count);
        let end = (start + per_slice).min(count);
        for index in start as u32..end as u32 {
            rule.keys_with(features.person(index), buffers);
            entries.extend(buffers.keys.iter().map(|&key| (key, index)));
        }
    });
    // Keys are hashes: their top bits spread them evenly over the buckets.
    let keyed = scratch.slices.iter().flatten().map(|&entry| ((entry.0 >> (64 - KEY_BUCKET_BITS)) as usize, entry));
    bucket_sort_into(keyed, 1 << KEY_BUCKET_BITS, &mut scratch.sorted);
    &scratch.sorted
}

/// About 40 entries to a bucket at a million patients.
const KEY_BUCKET_BITS: u32 = 16;

impl Blocks {
    /// Frees the blocks once every pair has been compared, keeping the
    /// rules and their statistics: at a million patients they are a
    /// fifth of matching's memory, and clustering needs none of it.
    pub fn release(&mut self) {
        self.blocks = Vec::new();
        self.members = Vec::new();
        self.oversized = Vec::new();
    }

    /// Every block of every rule by one position, in rule order: what
    /// scoring walks in parallel, without a vector of millions of entries
    /// to fill first.
    pub fn every_block(&self) -> EveryBlock<'_> {
        let mut starts = Vec::with_capacity(self.blocks.len() + 1);
        starts.push(0);
        for blocks in &self.blocks {
            starts.push(starts.last().copied().unwrap_or(0) + blocks.len());
        }
        EveryBlock { blocks: self, starts }
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub fn blocks(&self, rule: usize) -> &[Block] {
        &self.blocks[rule]
    }

    pub fn members(&self, rule: usize, block: &Block) -> &[u32] {
        &self.members[rule][block.start as usize..(block.start + block.len) as usize]
    }

    /// Whether the pair `(a, b)`, met in `block` of rule `rule`, is compared
    /// here: no earlier rule pairs them, and (for a rule with several keys
    /// per person) this is the first block of the rule that holds both.
    pub fn compared_here(&self, rule: usize, block: &Block, a: Person<'_>, b: Person<'_>) -> bool {
        if !comparable(a, b) || (0..rule).any(|earlier| self.compared_under(earlier, a, b)) {
            return false;
        }
        // Sharing one key, the pair meets in one block of the rule: this one.
        // Sharing several (two Rons), it is compared in the first.
        self.rules[rule].shared_keys(a, b) == 1 || self.first_common_key(rule, a, b) == Some(block.key)
    }

    /// Whether some block of `rule` holds both and was compared. Without
    /// oversized blocks, sharing the parts is enough, and costs no hashing.
    fn compared_under(&self, rule: usize, a: Person<'_>, b: Person<'_>) -> bool {
        self.rules[rule].shared(a, b)
            && (self.oversized[rule].is_empty() || self.first_common_key(rule, a, b).is_some())
    }

    /// The smallest key of `rule` that both share and whose block was compared.
    fn first_common_key(&self, rule: usize, a: Person<'_>, b: Person<'_>) -> Option<u64> {
        thread_local! {
            // Asked for millions of pairs where a rule had oversized blocks
            // or a person has several keys.
            static PAIR_BUFFERS: RefCell<(KeyBuffers, KeyBuffers)> = RefCell::default();
        }
        PAIR_BUFFERS.with_borrow_mut(|(for_a, for_b)| {
            self.rules[rule].keys_with(a, for_a);
            self.rules[rule].keys_with(b, for_b);
            for_a
                .keys
                .iter()
                .copied()
                .find(|key| for_b.keys.binary_search(key).is_ok() && !self.oversized[rule].contains(key))
        })
    }

    /// The scored fields that some rule pairing `a` and `b` does not block
    /// on: for those, the pair was found whatever they say, so what they say
    /// about it is fit to estimate their m from. A pair that only rules on
    /// the birth date found always agrees on it, or nearly: counted in the
    /// birth date's m, such pairs would teach that namesakes born a year
    /// apart are often one person.
    ///
    /// Only rules that compared the pair count: a pair whose block of a
    /// rule was too big to compare was not found by that rule.
    pub fn fields_left_free(&self, a: Person<'_>, b: Person<'_>) -> FieldMask {
        // Asked for every training pair: a rule that could add no field is
        // not asked whether it compared the pair.
        (0..self.rules.len()).fold(0, |mask, rule| {
            let free = self.rules[rule].free_fields();
            if free & !mask == 0 || !self.compared_under(rule, a, b) { mask } else { mask | free }
        })
    }

    /// How many pairs the rules put together, and how many are new to each
    /// rule, filled in by the comparing pass.
    pub fn record_pairs(&mut self, rule: usize, pairs: u64, new_pairs: u64) {
        self.stats[rule].pairs = pairs;
        self.stats[rule].new_pairs = new_pairs;
    }
}

/// Two patients already in the EMR are never merged by a migration.
fn comparable(a: Person<'_>, b: Person<'_>) -> bool {
    !(a.candidate.kind == CandidateKind::Existing && b.candidate.kind == CandidateKind::Existing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    /// Every pair compared, in order, by enumerating blocks as `run` does.
    fn compared_pairs(blocks: &Blocks, features: &Features<'_>) -> Vec<(u32, u32)> {
        let mut pairs = Vec::new();
        let every = blocks.every_block();
        for (rule, block) in (0..every.len()).map(|position| every.get(position).expect("a block at each position")) {
            let members = blocks.members(rule, block);
            for (position, &a) in members.iter().enumerate() {
                for &b in &members[position + 1..] {
                    if blocks.compared_here(rule, block, features.person(a), features.person(b)) {
                        pairs.push((a.min(b), a.max(b)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs
    }

    #[test]
    fn every_block_numbers_the_blocks_of_each_rule_in_turn_past_a_rule_without_any() {
        let candidates = vec![
            candidate("Ann", "Lee", date(1980, 3, 4)),
            candidate("Bea", "Lee", date(1980, 3, 4)),
            candidate("Cy", "Lee", date(1991, 7, 8)),
            candidate("Di", "Roe", date(1991, 7, 8)),
        ];
        let features = Features::new(&candidates);
        // Nobody has a phone: the middle rule has no blocks.
        let rules = ["birth_date", "phone", "family"].map(|rule| BlockingRule::parse(rule).unwrap());
        let blocks = block(&features, &rules, 100);
        assert!(blocks.blocks(1).is_empty());
        let expected: Vec<(usize, u64)> = [0, 1, 2]
            .into_iter()
            .flat_map(|rule| blocks.blocks(rule).iter().map(move |block| (rule, block.key)))
            .collect();
        assert_eq!(expected.iter().map(|&(rule, _)| rule).collect::<Vec<_>>(), [0, 0, 2]);
        let every = blocks.every_block();
        assert_eq!(every.len(), 3);
        let numbered: Vec<(usize, u64)> = (0..every.len())
            .map(|position| every.get(position).map(|(rule, block)| (rule, block.key)).unwrap())
            .collect();
        assert_eq!(numbered, expected);
        assert!(every.get(every.len()).is_none());

        // Empty first and last rules, and no rules at all.
        let rules = ["phone", "birth_date", "phone"].map(|rule| BlockingRule::parse(rule).unwrap());
        let blocks = block(&features, &rules, 100);
        let every = blocks.every_block();
        let rules_of: Vec<usize> = (0..every.len()).map(|position| every.get(position).unwrap().0).collect();
        assert_eq!(rules_of, [1, 1]);
        assert!(every.get(2).is_none());
        let none = block(&features, &[], 100);
        assert_eq!(none.every_block().len(), 0);
        assert!(none.every_block().get(0).is_none());
    }

    #[test]
    fn default_rules_catch_swaps_typos_nicknames_and_name_changes() {
        let candidates = vec![
            candidate("Robert", "Smith", date(1980, 3, 4)),
            candidate("Robert", "Smith", date(1980, 4, 3)), // day/month swapped
            candidate("Robert", "Smyth", date(1980, 3, 4)), // surname typo
            candidate("Robert", "Jones", date(1980, 4, 3)), // new surname, swapped date
            candidate("Alice", "Wong", date(1990, 1, 1)),
            candidate("Bob", "Smith", date(1986, 3, 4)), // nickname and a year typo
            candidate("Smith", "Robert", date(1980, 3, 4)), // names swapped
            candidate("Robert", "Xmith", date(1980, 3, 4)), // first letter of the surname
        ];
        let features = Features::new(&candidates);
        let blocks = block(&features, &BlockingRule::defaults(), 100);
        let pairs = compared_pairs(&blocks, &features);
        for expected in [(0, 1), (0, 2), (0, 5), (0, 6), (0, 7), (1, 3)] {
            assert!(pairs.contains(&expected), "{expected:?} in {pairs:?}");
        }
        assert!(!pairs.iter().any(|&(a, b)| a == 4 || b == 4));
        assert!(pairs.windows(2).all(|pair| pair[0] < pair[1]), "each pair compared once: {pairs:?}");
        let new: u64 = blocks.stats.iter().map(|stats| stats.new_pairs).sum();
        assert_eq!(new, 0, "filled in by the comparing pass, not by blocking");
    }

    #[test]
    fn default_rules_find_a_lost_birth_date_and_a_new_name_at_the_same_home() {
        let at = |mut person: Candidate, address: &str, phone: &str| {
            person.set_text(TextField::Address, Some(address));
            person.set_text(TextField::Phone, Some(phone));
            person
        };
        let mut undated = candidate("Maria", "Lopez", date(1975, 5, 9));
        undated.birth = None;
        let candidates = vec![
            at(candidate("Maria", "Lopez", date(1975, 5, 9)), "12 ELM ST", "6145550100"),
            at(undated, "12 ELMST", "6145550199"), // birth date lost
            at(candidate("Mia", "Garcia", date(1975, 5, 9)), "12 ELM STREET", "6145550177"), // new surname, nickname
            at(candidate("Mae", "Brown", date(1975, 5, 9)), "80 OAK AVE", "6145550100"), // moved, kept the phone
            at(candidate("Maria", "Lopez", date(1975, 5, 9)), "9 PINE RD", "6145550123"),
            at(candidate("Ruth", "Lopez", date(1948, 2, 1)), "9 PINE RD", "6145550123"), // her household
        ];
        let features = Features::new(&candidates);
        let pairs = compared_pairs(&block(&features, &BlockingRule::defaults(), 100), &features);
        for expected in [(0, 1), (0, 2), (0, 3), (0, 4)] {
            assert!(pairs.contains(&expected), "{expected:?} in {pairs:?}");
        }
        assert!(!pairs.contains(&(4, 5)), "a household is not a block: {pairs:?}");
    }

    #[test]
    fn the_street_key_survives_typos_late_in_the_street_and_split_words() {
        let key = |address: &str| {
            let mut person = candidate("Ann", "Lee", date(1970, 1, 1));
            person.set_text(TextField::Address, Some(address));
            street(&person).map(|(number, letters)| (number.to_string(), letters))
        };
        assert_eq!(key("87 POYNTON ST"), key("87 POYNTONSTREET"));
        assert_eq!(key("21 BAYLY PL PACIFIC TERRACES"), key("21 BAYLY P LACE PACIFIC TERRACES"));
        assert_eq!(key("COLLICOTT CIRCUIT"), Some((String::new(), *b"COLL")));
        assert_ne!(key("87 POYNTON ST"), key("78 POYNTON ST"));
        assert_eq!(key("12"), None, "a house number alone is no street");
    }

    #[test]
    fn a_pair_found_whatever_a_field_says_may_teach_its_m() {
        use crate::matching::score::SCORED;
        let person =
            |given: &str, chart: &str, born| crate::matching::tests::registered(given, "Lindqvist", born, chart);
        // One chart number, birth dates a year apart: only the identifier
        // rule finds them, and it leaves the birth date and the names free.
        let candidates = [person("Olivia", "7", date(2011, 6, 14)), person("Olivia", "7", date(2012, 3, 1))];
        let features = Features::new(&candidates);
        let blocks = block(&features, &BlockingRule::defaults(), 1000);
        let free = blocks.fields_left_free(features.person(0), features.person(1));
        let is_free = |field: ScoredField| free & field.bit() != 0;
        assert!(is_free(ScoredField::BirthDate) && is_free(ScoredField::FamilyName), "{free:b}");
        assert!(!is_free(ScoredField::Identifier), "{free:b}");
        // Found also on names and the birth year, and the street: the names
        // and the year rule blocks names, the street rule all of the home.
        assert!(SCORED.iter().enumerate().all(|(index, field)| field.bit() == 1 << index), "bits in SCORED order");
        let rule = BlockingRule::parse("names_phonetic + street").unwrap();
        let blocked = ALL_FIELDS & !rule.free_fields();
        let home = ScoredField::Address.bit()
            | ScoredField::Area.bit()
            | ScoredField::AreaAfterMove.bit()
            | ScoredField::Phone.bit();
        assert_eq!(blocked, ScoredField::FamilyName.bit() | ScoredField::GivenName.bit() | home);
        // Oversized, a rule found nothing: only the others count.
        let tiny = block(&features, &[BlockingRule::parse("identifier").unwrap()], 1);
        assert_eq!(tiny.fields_left_free(features.person(0), features.person(1)), 0);
    }

    #[test]
    fn oversized_blocks_are_skipped_and_counted() {
        let candidates: Vec<_> = (0..5).map(|_| candidate("Ann", "Lee", date(1970, 1, 1))).collect();
        let features = Features::new(&candidates);
        let rules = [BlockingRule::parse("birth_date").unwrap()];
        let blocks = block(&features, &rules, 4);
        assert!(compared_pairs(&blocks, &features).is_empty());
        assert_eq!(blocks.stats[0].oversized_blocks, 1);
        assert_eq!(blocks.stats[0].skipped_pairs, 10);
    }

    #[test]
    fn a_pair_skipped_in_an_oversized_block_is_still_compared_by_a_later_rule() {
        let mut candidates: Vec<_> = (0..5).map(|i| candidate("Ann", &format!("Lee{i}"), date(1970, 1, 1))).collect();
        candidates.push(candidate("Ann", "Lee0", date(1970, 1, 1)));
        let features = Features::new(&candidates);
        let rules = [BlockingRule::parse("birth_date").unwrap(), BlockingRule::parse("family").unwrap()];
        let blocks = block(&features, &rules, 4);
        assert_eq!(compared_pairs(&blocks, &features), vec![(0, 5)]);
    }

    #[test]
    fn existing_patients_are_not_paired_with_each_other() {
        let mut a = candidate("Ann", "Lee", date(1970, 1, 1));
        a.kind = CandidateKind::Existing;
        let b = a.clone();
        let c = candidate("Ann", "Lee", date(1970, 1, 1));
        let candidates = [a, b, c];
        let features = Features::new(&candidates);
        let blocks = block(&features, &[BlockingRule::parse("birth_date").unwrap()], 100);
        assert_eq!(compared_pairs(&blocks, &features), vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn rules_parse_and_print_with_their_part_names() {
        let rule = BlockingRule::parse("birth_date +given_phonetic").unwrap();
        assert_eq!(rule.to_string(), "birth_date + given_phonetic");
        assert_eq!(BlockingRule::parse("birth_dte + family"), Err("birth_dte".to_string()));
    }
}
