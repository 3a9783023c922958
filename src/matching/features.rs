//! Features: what matching derives once per candidate from the whole set,
//! rather than once per pair: phonetic codes, nickname groups, and how
//! common each name is (term frequencies, so that agreeing on Smith counts
//! for less than agreeing on Zebrowski).
//!
//! Names repeat: a million records hold perhaps a hundred thousand distinct
//! surnames. Codes are computed once per distinct name, in parallel.
//!
//! A full name is counted too, by the people who hold it: given names and
//! surnames go together (Chinedu is an Igbo name, and so is Okonkwo), so
//! the two names' own frequencies, multiplied, make a full name look far
//! rarer than it is (`count_namesakes`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use jiff::civil::Date;

use super::bucket_sort::bucket_sort_into;
use super::compare::{CLOSE, TYPO_RATIO, compare_dates, jaro_winkler, same_birthday};
use super::nickname::{Nicknames, share_group};
use super::normalize::{Candidate, stable_hash};
use super::phonetic::Phonetic;
use super::readings::{GivenReadings, Reading};
use crate::record::Sex;

/// What matching knows about a candidate beyond its own fields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Derived {
    pub family_phonetic: Phonetic,
    /// Of the first given name: a second given name does not change what
    /// someone is called.
    pub given_phonetic: Phonetic,
    /// The formal names the first given name belongs to: its own in the
    /// nickname table, or those of the listed name it is a typo of
    /// (`NameTable::resolve_typos`); empty otherwise.
    pub given_groups: &'static [u32],
    /// How many candidates have this exact family name (the low 24 bits,
    /// `family_count`) and how many people hold this full name (the top 8,
    /// `namesakes`): packed, as `given` is.
    family: u32,
    /// How many candidates have this exact given name (the low 30 bits),
    /// whether the nickname table itself lists the first given name (the
    /// top bit), and whether that name is a nickname two commoner names
    /// share (the next): packed, so that derived features stay 40 bytes a
    /// candidate.
    given: u32,
}

const LISTED: u32 = 1 << 31;
const SHARED_NICKNAME: u32 = 1 << 30;
const GIVEN_COUNT: u32 = SHARED_NICKNAME - 1;
const FAMILY_COUNT: u32 = (1 << 24) - 1;
const NAMESAKES_SHIFT: u32 = 24;
/// Namesakes are counted up to here: a full name this common is common
/// enough for its two names' own frequencies to tell.
const MAX_NAMESAKES: u32 = u32::MAX >> NAMESAKES_SHIFT;

impl Derived {
    /// How many candidates have this exact family name; 0 when missing.
    pub fn family_count(&self) -> u32 {
        self.family & FAMILY_COUNT
    }

    /// How many people hold this full name, family and whole given name
    /// (told apart by their birth dates: `count_namesakes`), up to
    /// `MAX_NAMESAKES`; 0 when a name is missing.
    pub fn namesakes(&self) -> u32 {
        self.family >> NAMESAKES_SHIFT
    }

    /// How many candidates have this exact given name; 0 when missing.
    pub fn given_count(&self) -> u32 {
        self.given & GIVEN_COUNT
    }

    /// Whether the nickname table lists the first given name, as opposed
    /// to its groups being those of a name it is a typo of.
    pub fn given_listed(&self) -> bool {
        self.given & LISTED != 0
    }

    /// Whether the given name is one word, a nickname of two names that
    /// are not each other's, both commoner than it among patients of this
    /// record's sex (Bri, beside Brianna and Breanna):
    /// `NameTable::mark_shared_nicknames`.
    pub fn given_shared_nickname(&self) -> bool {
        self.given & SHARED_NICKNAME != 0
    }
}

/// A candidate with what was derived for it.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub candidate: &'a Candidate,
    pub derived: &'a Derived,
    /// What the practice's rare given names could be typos of: looked up
    /// only where the twins rule needs it (`given_readings`).
    readings: &'a GivenReadings<'a>,
}

impl Person<'_> {
    /// The names this person's whole given name could be a keying error
    /// of (`readings`); empty for a name of its own, or none.
    pub fn given_readings(&self) -> &[Reading<'_>] {
        self.candidate.given().map_or(&[], |given| self.readings.of(given))
    }
}

pub struct Features<'c> {
    candidates: &'c [Candidate],
    derived: Vec<Derived>,
    /// People told apart as `Derived::namesakes` tells them, in all.
    people: usize,
    given_readings: GivenReadings<'c>,
}

impl<'c> Features<'c> {
    pub fn new(candidates: &'c [Candidate]) -> Features<'c> {
        let families = NameTable::build(candidates, Candidate::family);
        let mut first_givens = NameTable::build(candidates, |candidate| candidate.given().map(first_word));
        first_givens.resolve_typos();
        first_givens.mark_shared_nicknames();
        // Twins are told from typos by how common each whole given name is.
        let given_counts = count_names(candidates, Candidate::given);
        let given_readings = GivenReadings::build(&whole_given_names(candidates, &given_counts, &first_givens));
        let (mut derived, full_names): (Vec<Derived>, Vec<FullName>) = candidates
            .par_iter()
            .map(|candidate| {
                let family_hash = candidate.family().map(stable_hash);
                let given_hash = candidate.given().map(stable_hash);
                let family = family_hash.map(|hash| families.get_hashed(hash)).unwrap_or_default();
                let given = candidate.given().map(|name| first_givens.get(first_word(name))).unwrap_or_default();
                let derived = Derived {
                    family_phonetic: family.phonetic,
                    given_phonetic: given.phonetic,
                    given_groups: given.groups,
                    family: family.count.min(FAMILY_COUNT),
                    given: given_hash
                        .map_or(0, |hash| given_counts.get(&hash).map_or(0, |counted| counted.count))
                        .min(GIVEN_COUNT)
                        | if given.listed { LISTED } else { 0 }
                        | if shared_nickname(&given, candidate) { SHARED_NICKNAME } else { 0 },
                };
                let full_name = family_hash.zip(given_hash).map_or(NO_FULL_NAME, |(family, given)| {
                    (stable_hash(&(family, given)), birth_bits(candidate.birth))
                });
                (derived, full_name)
            })
            .unzip();
        let (namesakes, people) = count_namesakes(&full_names);
        derived.par_iter_mut().zip(namesakes).for_each(|(derived, namesakes)| {
            derived.family |= namesakes.min(MAX_NAMESAKES) << NAMESAKES_SHIFT;
        });
        Features { candidates, derived, people, given_readings }
    }

    /// How many people the candidates hold, as `Derived::namesakes` counts
    /// them: what a full name's frequency is a share of.
    pub fn people(&self) -> usize {
        self.people
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Asks the processor to load a candidate's record and derived
    /// features ahead of use: comparing is mostly waiting for them.
    pub fn prefetch(&self, index: u32) {
        let candidate = &self.candidates[index as usize];
        let record = std::ptr::from_ref(candidate).cast::<u8>();
        prefetch(record);
        prefetch(record.wrapping_add(64));
        prefetch(&self.derived[index as usize]);
    }

    /// Asks for a candidate's text and identifiers, once its record is in
    /// cache (their addresses are in it).
    pub fn prefetch_text(&self, index: u32) {
        let candidate = &self.candidates[index as usize];
        prefetch(candidate.text_start());
        prefetch(candidate.identifiers.as_ptr());
    }

    pub fn person(&self, index: u32) -> Person<'_> {
        Person {
            candidate: &self.candidates[index as usize],
            derived: &self.derived[index as usize],
            readings: &self.given_readings,
        }
    }
}

/// A hint, never a read: it cannot fault, whatever the address.
fn prefetch<T>(address: *const T) {
    // SAFETY: SSE is part of every x86-64 processor, and a prefetch reads
    // nothing the program sees, so no address can make it unsound.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

fn first_word(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

/// Keys are already hashes; hashing them again would only cost time.
#[derive(Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

pub(super) type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

#[derive(Debug, Clone, Copy, Default)]
struct NameEntry<'c> {
    name: &'c str,
    count: u32,
    /// How many of them are women, and men (`FEMALE`, `MALE`).
    by_sex: [u32; 2],
    /// In the nickname table itself.
    listed: bool,
    phonetic: Phonetic,
    /// Formal names in the nickname table (for given names).
    groups: &'static [u32],
    /// A nickname two commoner names share, among women, among men, and
    /// among all (`NameTable::mark_shared_nicknames`).
    shared_nickname: [bool; 3],
}

/// Slots of `NameEntry::shared_nickname` and of counts by sex.
const FEMALE: usize = 0;
const MALE: usize = 1;
const ANY_SEX: usize = 2;

fn sex_slot(candidate: &Candidate) -> usize {
    match candidate.sex {
        Some(Sex::Female) => FEMALE,
        Some(Sex::Male) => MALE,
        _ => ANY_SEX,
    }
}

/// Whether a candidate's given name is a nickname two names share among
/// patients of its sex. A second word (Bri Ann) is less often shared by
/// twins, and is left out.
fn shared_nickname(entry: &NameEntry<'_>, candidate: &Candidate) -> bool {
    candidate.given().is_some_and(|given| !given.contains(' ')) && entry.shared_nickname[sex_slot(candidate)]
}

/// Each distinct name (by its key), with its count, phonetic code and
/// nickname groups.
struct NameTable<'c>(HashedMap<NameEntry<'c>>);

impl<'c> NameTable<'c> {
    fn build(candidates: &'c [Candidate], name_of: impl Fn(&Candidate) -> Option<&str> + Sync) -> NameTable<'c> {
        let entries = count_names(candidates, &name_of)
            .par_iter()
            .map(|(&hash, counted)| {
                let name = name_of(&candidates[counted.first as usize]).unwrap_or_default();
                let groups = Nicknames::bundled().groups(name);
                let entry = NameEntry {
                    name,
                    count: counted.count,
                    by_sex: counted.by_sex,
                    listed: !groups.is_empty(),
                    phonetic: Phonetic::of(name),
                    groups,
                    shared_nickname: [false; 3],
                };
                (hash, entry)
            })
            .collect();
        NameTable(entries)
    }

    /// Gives a name the nickname table does not list the formal names of
    /// the listed name it is a typo of: as alike as a typo (`compare::CLOSE`,
    /// the same first letter), and more than `TYPO_RATIO` times rarer here
    /// (KVEIN beside KEVIN). Without it, KVEIN beside Kev is two different
    /// names, and the twins rule keeps one person's records apart and sends
    /// every other record of theirs to review as alike to both.
    ///
    /// This is the twins rule's own test of a typo (a name far rarer than
    /// one it resembles is that name mistyped: `compare::
    /// distinct_given_names`), carried over to the name's nicknames; like
    /// it, it would read a rare real name beside a far commoner one (one
    /// Alejandra among forty Alexandras) as a typo. A name as common as its
    /// neighbour is a name of its own. A typo of several listed names takes
    /// the narrowest reading all the others contain (JONH: Jon, whose formal
    /// names John's include), and none when they part ways (DANIELE: Daniel
    /// or Danielle, however rare Danielle is): which it stands for, nothing
    /// tells.
    fn resolve_typos(&mut self) {
        let mut listed: Vec<NameEntry<'c>> = self.0.values().filter(|entry| entry.listed).copied().collect();
        listed.sort_unstable_by(|x, y| (typo_order(x), x.name).cmp(&(typo_order(y), y.name)));
        let adopted: Vec<(u64, &'static [u32])> = self
            .0
            .par_iter()
            .filter(|(_, entry)| entry.groups.is_empty() && !entry.name.is_empty())
            .filter_map(|(&hash, entry)| Some((hash, mistyped_groups(entry, &listed)?)))
            .collect();
        for (hash, groups) in adopted {
            if let Some(entry) = self.0.get_mut(&hash) {
                entry.groups = groups;
            }
        }
    }

    /// Marks the listed names that stand for two people's names here: a
    /// nickname of two formal names that are not each other's, each
    /// commoner than the nickname among patients of one sex (Bri, beside
    /// Brianna and Breanna). Twins Brianna and Breanna may both go by Bri,
    /// so Bri twice is not one name twice (`compare::alike_names`). A name
    /// commoner than its readings (Jack, beside John and Jacqueline) is
    /// given as a name of its own; and two brothers called Alex are not
    /// Alexander and Alexandra. A record of no known sex takes the counts
    /// of all.
    fn mark_shared_nicknames(&mut self) {
        let table = Nicknames::bundled();
        let count = |entry: &NameEntry<'_>, slot: usize| match slot {
            ANY_SEX => entry.count,
            sex => entry.by_sex[sex],
        };
        let shared: Vec<(u64, [bool; 3])> = self
            .0
            .iter()
            .filter(|(_, entry)| entry.listed && entry.groups.len() >= 2)
            .map(|(&hash, entry)| {
                let readings: Vec<NameEntry<'_>> =
                    entry.groups.iter().map(|&group| self.get(table.formal_name(group))).collect();
                let stands_for_two = |slot: usize| {
                    let own = count(entry, slot);
                    let commoner: Vec<&[u32]> = readings
                        .iter()
                        .filter(|reading| count(reading, slot) > own)
                        .map(|reading| reading.groups)
                        .collect();
                    commoner
                        .iter()
                        .enumerate()
                        .any(|(position, x)| commoner[position + 1..].iter().any(|y| !share_group(x, y)))
                };
                (hash, [FEMALE, MALE, ANY_SEX].map(stands_for_two))
            })
            .filter(|(_, shared)| shared.contains(&true))
            .collect();
        for (hash, flags) in shared {
            if let Some(entry) = self.0.get_mut(&hash) {
                entry.shared_nickname = flags;
            }
        }
    }

    fn get(&self, name: &str) -> NameEntry<'c> {
        self.get_hashed(stable_hash(name))
    }

    fn get_hashed(&self, hash: u64) -> NameEntry<'c> {
        self.0.get(&hash).copied().unwrap_or_default()
    }
}

/// The groups of the listed name `entry` is a typo of, if there is one
/// (`NameTable::resolve_typos`); `listed` is sorted by `typo_order`.
fn mistyped_groups(entry: &NameEntry<'_>, listed: &[NameEntry<'_>]) -> Option<&'static [u32]> {
    let (first, length) = (entry.name.as_bytes().first(), entry.name.len());
    // Names alike enough to be a typo (`CLOSE`) differ in length by at most
    // two; the window spares comparing the rest.
    let start = listed.partition_point(|other| typo_order(other) < (first, length.saturating_sub(2)));
    let readings: Vec<&NameEntry<'_>> = listed[start..]
        .iter()
        .take_while(|other| typo_order(other) <= (first, length + 2))
        .filter(|other| jaro_winkler(entry.name, other.name) >= CLOSE)
        .collect();
    let commonest = readings.iter().map(|other| other.count).max()?;
    if commonest <= entry.count.saturating_mul(TYPO_RATIO) {
        return None;
    }
    let narrowest = readings.iter().map(|other| other.groups).min_by_key(|groups| groups.len())?;
    readings.iter().all(|other| is_subset(narrowest, other.groups)).then_some(narrowest)
}

/// Listed names by first letter, then length: a typo keeps the first letter
/// (`mistyped_groups`).
fn typo_order<'n>(entry: &NameEntry<'n>) -> (Option<&'n u8>, usize) {
    (entry.name.as_bytes().first(), entry.name.len())
}

/// Whether every group of `small` is in `large` (both sorted).
fn is_subset(small: &[u32], large: &[u32]) -> bool {
    small.iter().all(|group| large.binary_search(group).is_ok())
}

/// How many candidates hold a name, how many of them are women and men
/// (`FEMALE`, `MALE`: in the same pass, rather than hashing every name
/// again), and the first holder (to find the text again).
#[derive(Clone, Copy)]
struct Counted {
    count: u32,
    by_sex: [u32; 2],
    first: u32,
}

impl Default for Counted {
    fn default() -> Counted {
        Counted { count: 0, by_sex: [0; 2], first: u32::MAX }
    }
}

impl Counted {
    fn add(&mut self, other: &Counted) {
        self.count += other.count;
        self.by_sex[FEMALE] += other.by_sex[FEMALE];
        self.by_sex[MALE] += other.by_sex[MALE];
        self.first = self.first.min(other.first);
    }
}

/// A candidate's full name, as its hash (family and whole given name), and
/// its birth date (`birth_bits`); `NO_FULL_NAME` without both names.
type FullName = (u64, u32);

const NO_FULL_NAME: FullName = (0, u32::MAX);

/// A birth date as a number that sorts as the date does; 0 for none. Never
/// `u32::MAX`: years take 16 bits, from -32,768.
fn birth_bits(birth: Option<Date>) -> u32 {
    birth.map_or(0, |birth| {
        let year = (i32::from(birth.year()) + 32_768) as u32;
        year << 9 | (birth.month() as u32) << 5 | birth.day() as u32
    })
}

fn birth_of(bits: u32) -> Option<Date> {
    let year = i16::try_from((bits >> 9) as i32 - 32_768).ok()?;
    (bits != 0).then(|| Date::new(year, (bits >> 5 & 15) as i8, (bits & 31) as i8).ok()).flatten()
}

/// Per candidate, how many people hold its full name (0 without one), and
/// how many people there are in all. People are told apart by birth date:
/// one person's records agree on it but for keying errors, and two people
/// of one full name mostly do not. A birth date a keying error away from
/// one already counted (one digit, day and month swapped) is the same
/// person: counted as another, a person's own typo would make their name
/// look shared, and take weight off their own records' exact pairs.
/// Records without a birth date add no one to a name others hold.
fn count_namesakes(full_names: &[FullName]) -> (Vec<u32>, usize) {
    // Grouped by full name (a hash: its top bits spread names evenly over
    // the buckets) and sorted by birth date: each name's people are one run.
    let keyed = full_names
        .iter()
        .enumerate()
        .filter(|&(_, &full_name)| full_name != NO_FULL_NAME)
        .map(|(index, &(name, birth))| ((name >> (64 - NAME_BUCKET_BITS)) as usize, (name, birth, index as u32)));
    let mut sorted = Vec::new();
    bucket_sort_into(keyed, 1 << NAME_BUCKET_BITS, &mut sorted);
    let same_name = |x: &(u64, u32, u32), y: &(u64, u32, u32)| x.0 == y.0;
    let counts: Vec<u32> = sorted.par_chunk_by(same_name).map_init(Vec::new, people_in).collect();
    let mut namesakes = vec![0u32; full_names.len()];
    for (run, &count) in sorted.chunk_by(same_name).zip(&counts) {
        for &(_, _, index) in run {
            namesakes[index as usize] = count;
        }
    }
    (namesakes, counts.iter().map(|&count| count as usize).sum())
}

const NAME_BUCKET_BITS: u32 = 16;

/// How many people one full name's records hold, sorted by birth date, up
/// to just past `MAX_NAMESAKES`: a name that common (or a placeholder
/// name the list of placeholders missed, with thousands of birth dates)
/// would otherwise cost the square of its dates. `births` is a thread's
/// buffer, kept from one name to the next.
fn people_in(births: &mut Vec<Date>, run: &[(u64, u32, u32)]) -> u32 {
    births.clear();
    // A person's many records of one birth date come together: only the
    // first is compared.
    let mut previous = None;
    for &(_, bits, _) in run {
        if previous.replace(bits) == Some(bits) {
            continue;
        }
        if let Some(birth) = birth_of(bits)
            && !births.iter().any(|&counted| same_birthday(compare_dates(Some(counted), Some(birth))))
        {
            births.push(birth);
            if births.len() > MAX_NAMESAKES as usize {
                break;
            }
        }
    }
    births.len().max(1) as u32
}

/// Each distinct whole given name, with how many candidates hold it and
/// what its first word's entry says (`first_givens`), as `Derived` has it.
fn whole_given_names<'c>(
    candidates: &'c [Candidate],
    counts: &HashedMap<Counted>,
    first_givens: &NameTable<'c>,
) -> Vec<Reading<'c>> {
    counts
        .values()
        .filter_map(|counted| {
            let name = candidates[counted.first as usize].given()?;
            let first = first_givens.get(first_word(name));
            let (phonetic, groups, listed) = (first.phonetic, first.groups, first.listed);
            Some(Reading { name, count: counted.count, phonetic, groups, listed })
        })
        .collect()
}

/// Each distinct name's hash → how it was counted.
fn count_names(candidates: &[Candidate], name_of: impl Fn(&Candidate) -> Option<&str> + Sync) -> HashedMap<Counted> {
    candidates
        .par_iter()
        .enumerate()
        .fold(HashedMap::<Counted>::default, |mut counts, (index, candidate)| {
            if let Some(name) = name_of(candidate) {
                let mut one = Counted { count: 1, first: index as u32, ..Counted::default() };
                if let slot @ (FEMALE | MALE) = sex_slot(candidate) {
                    one.by_sex[slot] = 1;
                }
                counts.entry(stable_hash(name)).or_default().add(&one);
            }
            counts
        })
        .reduce(HashedMap::default, |mut merged, part| {
            for (hash, counted) in part {
                merged.entry(hash).or_default().add(&counted);
            }
            merged
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::TextField;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    #[test]
    fn a_far_rarer_typo_of_a_listed_name_takes_its_formal_names() {
        let born = date(1980, 1, 2);
        let common = [("Kevin", 30), ("Peter", 20), ("Daniel", 40), ("Danielle", 15), ("John", 30), ("Jon", 30)];
        let mut candidates: Vec<Candidate> = common
            .iter()
            .flat_map(|&(given, count)| (0..count).map(move |_| candidate(given, "Smith", born)))
            .collect();
        candidates.extend((0..20).map(|_| candidate("Alexandra", "Smith", born)));
        candidates.extend((0..20).map(|_| candidate("Alejandra", "Smith", born)));
        let first_rare = candidates.len();
        candidates.extend(["Kvein", "Peetr", "Daniele", "Jonh"].map(|given| candidate(given, "Smith", born)));
        let features = Features::new(&candidates);
        let derived = |index: usize| features.person(index as u32).derived;
        let groups = |index: usize| derived(index).given_groups;
        let (kevin, jon, alejandra) = (0, 135, first_rare - 1);
        assert_eq!(groups(first_rare), groups(kevin), "KVEIN is Kevin mistyped");
        assert!(!derived(first_rare).given_listed(), "a typo is still a typo to the twins rule");
        assert!(groups(first_rare + 1).is_empty(), "PEETR: twenty times rarer than Peter, not more");
        assert!(groups(first_rare + 2).is_empty(), "DANIELE: Daniel or Danielle, however rare Danielle is");
        assert_eq!(groups(first_rare + 3), groups(jon), "JONH: Jon, whose formal names John's include");
        assert!(groups(alejandra).is_empty(), "Alejandra, as common as Alexandra, is a name of her own");
    }

    #[test]
    fn a_nickname_rarer_than_two_names_it_stands_for_is_shared() {
        let born = date(2013, 5, 14);
        let people = |names: &[(&str, usize)]| -> Vec<Candidate> {
            names.iter().flat_map(|&(given, count)| (0..count).map(move |_| candidate(given, "Zamera", born))).collect()
        };
        let shared = |names: &[(&str, usize)], index: u32| {
            let candidates = people(names);
            Features::new(&candidates).person(index).derived.given_shared_nickname()
        };
        assert!(shared(&[("Bri", 2), ("Brianna", 3), ("Breanna", 3)], 0), "Brianna's and Breanna's");
        assert!(!shared(&[("Bri", 2), ("Brianna", 3), ("Breanna", 2)], 0), "Breanna no commoner than Bri");
        assert!(!shared(&[("Bri", 2), ("Brianna", 3)], 0), "only Brianna's here");
        assert!(!shared(&[("Bri", 2), ("Brianna", 3), ("Breanna", 3)], 2), "Brianna is a formal name");
        assert!(!shared(&[("Jack", 5), ("John", 3), ("Jacqueline", 3)], 0), "Jack, commoner: a name of its own");
        assert!(shared(&[("Jack", 2), ("John", 3), ("Jacqueline", 3)], 0));
        let candidates = people(&[("Bri", 2), ("Brianna", 3), ("Breanna", 3)]);
        let features = Features::new(&candidates);
        let bri = features.person(0).derived;
        assert_eq!(bri.given_count(), 2, "the flag is not part of the count");
        assert!(bri.given_listed());
        let mut candidates = people(&[("Bri Ann", 1), ("Bri", 1), ("Brianna", 3), ("Breanna", 3)]);
        assert!(!Features::new(&candidates).person(0).derived.given_shared_nickname(), "a second word");
        assert!(Features::new(&candidates).person(1).derived.given_shared_nickname());

        // Among men, Alex is Alexander's only: two brothers called Alex are
        // not Alexander and Alexandra. Among women, Alexandra's and Alexis's.
        use crate::record::Sex;
        candidates = people(&[("Alex", 2), ("Alexander", 3), ("Alexandra", 3), ("Alexis", 3)]);
        let sexes = [Sex::Male, Sex::Female, Sex::Male, Sex::Male, Sex::Male, Sex::Female, Sex::Female, Sex::Female];
        for (candidate, sex) in candidates.iter_mut().zip(sexes.into_iter().chain(std::iter::repeat(Sex::Female))) {
            candidate.sex = Some(sex);
        }
        let features = Features::new(&candidates);
        assert!(!features.person(0).derived.given_shared_nickname(), "a man called Alex");
        assert!(features.person(1).derived.given_shared_nickname(), "a woman called Alex");
        candidates[0].sex = None;
        assert!(Features::new(&candidates).person(0).derived.given_shared_nickname(), "of no known sex: all count");
    }

    #[test]
    fn a_full_name_counts_the_people_its_birth_dates_tell_apart() {
        let mut undated = candidate("Chinedu", "Okonkwo", date(1980, 1, 2));
        undated.birth = None;
        let mut no_given = candidate("", "Okonkwo", date(1980, 1, 2));
        no_given.set_text(TextField::Given, None);
        let candidates = vec![
            candidate("Chinedu", "Okonkwo", date(1980, 1, 2)),
            candidate("Chinedu", "Okonkwo", date(1980, 1, 2)),
            // Keying errors: one digit, day and month swapped.
            candidate("Chinedu", "Okonkwo", date(1980, 1, 3)),
            candidate("Chinedu", "Okonkwo", date(1980, 2, 1)),
            candidate("Chinedu", "Okonkwo", date(1975, 6, 17)),
            undated,
            candidate("Emeka", "Okonkwo", date(1980, 1, 2)),
            no_given,
        ];
        let features = Features::new(&candidates);
        let namesakes: Vec<u32> =
            (0..candidates.len() as u32).map(|i| features.person(i).derived.namesakes()).collect();
        assert_eq!(namesakes, [2, 2, 2, 2, 2, 2, 1, 0]);
        assert_eq!(features.people(), 3, "two Chinedu Okonkwos and an Emeka");
        assert_eq!(features.person(0).derived.family_count(), 8, "the family count is apart from the namesakes");
    }

    #[test]
    fn a_full_name_of_very_many_people_stops_counting_at_the_cap() {
        // 400 John Does, each born on his own day of a year of his own:
        // none a keying error from another.
        let candidates: Vec<Candidate> = (0..400)
            .map(|i| candidate("John", "Doe", date(1600 + 2 * i as i16, 1 + (i % 12) as i8, 1 + (i % 28) as i8)))
            .collect();
        let features = Features::new(&candidates);
        assert_eq!(features.person(0).derived.namesakes(), MAX_NAMESAKES);
        assert_eq!(features.person(0).derived.family_count(), 400, "the count beside it is whole");
        assert_eq!(features.people(), MAX_NAMESAKES as usize + 1, "counting stops just past the cap");
    }

    #[test]
    fn a_birth_date_sorts_as_a_number_and_reads_back() {
        let dates = [date(-9999, 1, 1), date(1799, 12, 31), date(1969, 7, 20), date(1969, 7, 21), date(9999, 12, 31)];
        for pair in dates.windows(2) {
            assert!(birth_bits(Some(pair[0])) < birth_bits(Some(pair[1])));
        }
        for birth in dates {
            assert_eq!(birth_of(birth_bits(Some(birth))), Some(birth));
            assert!(birth_bits(Some(birth)) > birth_bits(None));
            assert_ne!(birth_bits(Some(birth)), NO_FULL_NAME.1);
        }
        assert_eq!(birth_of(birth_bits(None)), None);
    }

    #[test]
    fn names_are_counted_and_coded_once_per_distinct_value() {
        let candidates = vec![
            candidate("Robert", "Smith", date(1980, 1, 2)),
            candidate("Bob", "Smith", date(1980, 1, 2)),
            candidate("Robert James", "Zebrowski", date(1980, 1, 2)),
        ];
        let features = Features::new(&candidates);
        let (smith, zebrowski) = (features.person(0), features.person(2));
        assert_eq!(smith.derived.family_count(), 2);
        assert_eq!(zebrowski.derived.family_count(), 1);
        assert_eq!(smith.derived.given_count(), 1, "full given names counted: ROBERT once");
        assert!(smith.derived.given_listed(), "ROBERT is in the nickname table");
        assert_eq!(std::mem::size_of::<Derived>(), 40, "a candidate's features, millions of them");
        assert_eq!(smith.derived.given_phonetic, zebrowski.derived.given_phonetic, "first word");
        assert_eq!(smith.derived.family_phonetic, Phonetic::of("SMITH"));
        assert!(!features.person(1).derived.given_groups.is_empty());
    }
}
