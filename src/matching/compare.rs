//! Comparison: two people, field by field, into comparison levels. Levels
//! are what scoring weighs and what an explanation shows; no text is
//! allocated here, because this runs once per candidate pair.

use jiff::civil::Date;
use serde::Serialize;

use super::features::Person;
use super::nickname::{Nicknames, share_group};
use super::normalize::{Candidate, CandidateKind, TextField};
use super::readings::Reading;

/// Jaro-Winkler similarity at or above which names count as a likely typo.
pub(super) const CLOSE: f64 = 0.92;
/// ... and as possibly the same name.
const SIMILAR: f64 = 0.85;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameLevel {
    Exact,
    /// Given and family names entered in each other's fields.
    Swapped,
    /// Nickname and formal name (Bob, Robert).
    Nickname,
    /// Jaro-Winkler ≥ 0.92: a typo.
    Close,
    /// One name is a word of the other (Garcia, Garcia Lopez).
    Partial,
    /// Same Double Metaphone code (Catherine, Kathryn).
    Phonetic,
    /// Jaro-Winkler ≥ 0.85.
    Similar,
    Different,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateLevel {
    Exact,
    DayMonthSwapped,
    /// One digit of YYYYMMDD differs: a keying error.
    OneDigit,
    /// Only the year agrees.
    YearOnly,
    Different,
    Missing,
}

/// Addresses (both lines, standardised): the same, the same home through
/// typos or lines written in the other order, the same street words at
/// another house number (or a home renamed on one line), or different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressLevel {
    Exact,
    Close,
    Partial,
    Different,
    Missing,
}

/// A town or suburb: the same, a typo of it (Jaro-Winkler ≥ 0.92), or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceLevel {
    Exact,
    Close,
    Different,
    Missing,
}

/// National identifiers: a keying error (a digit wrong, dropped or added, or
/// two neighbours swapped) is told apart from a different number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdLevel {
    Exact,
    OneDigitOrTransposed,
    Different,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    Agree,
    Disagree,
    Missing,
}

/// How two people compare, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Comparison {
    pub family: NameLevel,
    pub given: NameLevel,
    pub middle_initial: Agreement,
    pub suffix: Agreement,
    pub birth: DateLevel,
    pub sex: Agreement,
    pub national_id: IdLevel,
    pub address: AddressLevel,
    pub city: PlaceLevel,
    /// Postal codes and phone numbers: a keying error is told apart from
    /// another number, as for national ids.
    pub postal: IdLevel,
    pub phone: IdLevel,
    /// A shared identifier (agree), or the same system with other values.
    pub identifier: Agreement,
    /// The rules' findings, one bit each (see the accessors): one byte, so
    /// that a scored pair, of which matching keeps millions, stays 40 bytes.
    #[serde(skip)]
    flags: u8,
}

/// Which fields take part in comparing, from `[matching]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompareOptions {
    /// Compare national identifiers as if absent (to measure matching
    /// without them, or where they are unreliable).
    pub ignore_national_id: bool,
    /// Never call two given names distinct, so the twins rule never applies
    /// (for data where a given name is often replaced outright, such as the
    /// FEBRL benchmark; never for a practice with twins).
    pub allow_twins: bool,
    /// Never mark a pair as possible twins (`Comparison::possible_twins`):
    /// such pairs are then scored like any other.
    pub link_possible_twins: bool,
}

/// `Comparison::flags`, one bit a finding.
const DISTINCT_GIVEN_NAMES: u8 = 1 << 0;
const CHART_OVER_NAME: u8 = 1 << 1;
const VALID_NATIONAL_IDS_CONFLICT: u8 = 1 << 2;
const POSSIBLE_TWINS: u8 = 1 << 3;
const NAMES_DIFFER: u8 = 1 << 4;
const GENERATIONS_APART: u8 = 1 << 5;
const GENERATION_UNKNOWN: u8 = 1 << 6;

/// Birth years at least this far apart can be a parent's and a child's; a
/// nearer year with a suffix on one record only is read as a typo.
const GENERATION_GAP: i16 = 12;

impl Comparison {
    /// The given names differ and both are names in their own right (in the
    /// nickname table, or common in this data), not one a typo of the other:
    /// what tells twins Aiden and Aidan from a mistyped Aidan.
    pub fn distinct_given_names(&self) -> bool {
        self.has(DISTINCT_GIVEN_NAMES)
    }

    /// The given names would be distinct (Ella, Emma), but one record is a
    /// scan filed under the other's chart number: a typo in the scan index,
    /// since each twin has a chart of their own, so the twins rule leaves
    /// the pair to its score (when the rule would apply: one surname, one
    /// birthday). Unless the scan also resembles the patient of its own
    /// name: then it waits for a person (`Matcher::filed_links`,
    /// `Matcher::doubted_filings`).
    pub fn chart_over_name(&self) -> bool {
        self.has(CHART_OVER_NAME)
    }

    /// Both national ids are valid US social security numbers and not one
    /// keying error apart: two people, whatever else agrees. An id of
    /// another shape (a benchmark's seven digits) is scored, never a rule.
    pub fn valid_national_ids_conflict(&self) -> bool {
        self.has(VALID_NATIONAL_IDS_CONFLICT)
    }

    /// Two patient registrations in one system (the same identifier system,
    /// two values) for one birthday, under given names that are not the
    /// same (Bri and Brianna, Aidan and Aiedn) or under one nickname two
    /// names share (Bri twice): twins, or one patient registered twice.
    /// Which, only the chart tells (see `could_be_twins`).
    pub fn possible_twins(&self) -> bool {
        self.has(POSSIBLE_TWINS)
    }

    /// Two patient rows neither of whose names agrees, in any way (both
    /// names swapped is a way; one swapped and the other changed is not),
    /// or whose surnames differ and whose given names are alike but two
    /// names the twins rule tells apart (Hbzaki Jaden beside Hazaki
    /// Jayden): whatever their score, it rests on what a household shares
    /// (a home, a phone, the birthday of twins, a family account's number),
    /// so they never link on it.
    pub fn names_differ(&self) -> bool {
        self.has(NAMES_DIFFER)
    }

    /// One record carries a generational suffix (Jr, Sr, II) and the other
    /// none, and they were born a generation apart (`GENERATION_GAP`): a
    /// father and the son named for him, one of whose suffixes went
    /// unrecorded (Thomas Miller Sr, born 2002, beside a Thomas Miller born
    /// 2022 at his address). A year or two apart is a typo in one man's
    /// records, and is scored.
    pub fn generations_apart(&self) -> bool {
        self.has(GENERATIONS_APART)
    }

    /// One record carries a generational suffix and the other none, and a
    /// birth date is missing (or was not a date): a father and the son named
    /// for him, or one man whose suffix went unrecorded once, and no birth
    /// year to tell which (Kwabena Akuemi Sr, born 07/04/2999, beside a
    /// Kwabena Akuemi born 1996 at his address); and neither one chart nor
    /// one national id says one man. Never linked on its score.
    pub fn generation_unknown(&self) -> bool {
        self.has(GENERATION_UNKNOWN)
    }

    /// Whether the pair waits for a person whatever its score: possible
    /// twins, patient rows whose names differ, or a father and son the
    /// birth dates cannot tell apart.
    pub fn never_links(&self) -> bool {
        self.possible_twins() || self.names_differ() || self.generation_unknown()
    }

    fn has(&self, finding: u8) -> bool {
        self.flags & finding != 0
    }
}

pub fn compare(a: Person<'_>, b: Person<'_>, options: CompareOptions) -> Comparison {
    let (family, given) = compare_names(a, b);
    let (x, y) = (a.candidate, b.candidate);
    let national_id = if options.ignore_national_id {
        IdLevel::Missing
    } else {
        compare_codes(x.text(TextField::NationalId), y.text(TextField::NationalId))
    };
    let sex = agreement(x.sex, y.sex);
    let address = compare_addresses(x.text(TextField::Address), y.text(TextField::Address));
    let phone = compare_codes(x.text(TextField::Phone), y.text(TextField::Phone));
    let identifier = compare_identifiers(a, b);
    let birth = compare_dates(x.birth, y.birth);
    let registrations = x.kind == CandidateKind::Patient && y.kind == CandidateKind::Patient;
    // Registrations are patient rows. A patient already in the database
    // holds every legacy identifier of the rows merged into it but only its
    // golden record's names: a row registered again as Bill disagrees with
    // William, the name it kept, while agreeing with the Bill it was merged
    // from.
    let possible_twins = !options.link_possible_twins
        && registrations
        && could_be_twins(alike_names(family, given, a, b), birth, same_home(address, phone), identifier);
    let names_apart = !options.allow_twins && distinct_given_names(given, a, b, sex);
    // Possible twins under names only a misreading tells apart could as
    // well be one patient registered again, the name mistyped worse: they
    // wait for a person rather than fall to the rule. Any other pair (in
    // two systems, or not alike enough to wait) the rule keeps apart.
    let distinct = names_apart
        || (!options.allow_twins
            && !possible_twins
            && twins_could_share(family, given, birth)
            && misread_names_apart(given, a, b, sex));
    // `distinct` (off with the twins rules) holds for given names that are
    // `Different`, and for alike ones the twins rule tells apart (Jaden,
    // Jayden): those are no name in common only where twins would be, at
    // one home on one birthday, and not under one national id (Katherine
    // under her maiden name, Catherine under her married one).
    let given_names_apart = given == NameLevel::Different
        || (same_birthday(birth) && same_home(address, phone) && national_id != IdLevel::Exact);
    let chart_over_name = distinct
        && twins_could_share(family, given, birth)
        && filed_in_its_chart(x.kind, y.kind, given, sex, identifier);
    Comparison {
        family,
        given,
        middle_initial: agreement(x.middle_initial, y.middle_initial),
        suffix: agreement(x.suffix, y.suffix),
        birth,
        sex,
        national_id,
        address,
        city: compare_places(x.text(TextField::City), y.text(TextField::City)),
        postal: compare_codes(x.text(TextField::Postal), y.text(TextField::Postal)),
        phone,
        identifier,
        flags: [
            (DISTINCT_GIVEN_NAMES, distinct && !chart_over_name),
            (CHART_OVER_NAME, chart_over_name),
            (
                VALID_NATIONAL_IDS_CONFLICT,
                national_id == IdLevel::Different
                    && [x, y].iter().all(|candidate| candidate.text(TextField::NationalId).is_some_and(is_valid_ssn)),
            ),
            (POSSIBLE_TWINS, possible_twins),
            (
                GENERATIONS_APART,
                x.suffix.is_some() != y.suffix.is_some()
                    && matches!((x.birth, y.birth), (Some(p), Some(q)) if (p.year() - q.year()).abs() >= GENERATION_GAP),
            ),
            // One chart, or one national id, is one man whatever the dates.
            (
                GENERATION_UNKNOWN,
                x.suffix.is_some() != y.suffix.is_some()
                    && (x.birth.is_none() || y.birth.is_none())
                    && identifier != Agreement::Agree
                    && national_id != IdLevel::Exact,
            ),
            // Scans are left out: a scan filed under a chart number often
            // has a name that cannot be read.
            (NAMES_DIFFER, registrations && family == NameLevel::Different && distinct && given_names_apart),
        ]
        .iter()
        .filter(|(_, found)| *found)
        .fold(0, |flags, (bit, _)| flags | bit),
    }
}

/// Whether two patients' names could be twins' or one patient's: one
/// surname (or a typo of it, or only alike: a second registration is the
/// place for a second typo) and given names alike but not the same (a
/// nickname, a typo, a phonetic match), or the same nickname that two
/// names here share (Bri, which twins Brianna and Breanna both go by:
/// `Derived::given_shared_nickname`); or both names swapped on one record
/// where the two are not both the same names (Jaden Lee beside Lee Jayden;
/// which of the two is mistyped, the swap hides, so a mistyped surname
/// waits too). Two clearly different given names are the twins rule's.
fn alike_names(family: NameLevel, given: NameLevel, a: Person<'_>, b: Person<'_>) -> bool {
    let (x, y) = (a.candidate, b.candidate);
    match (family, given) {
        (NameLevel::Swapped, _) => {
            let same = |p, q| compare_name(p, q, false) == NameLevel::Exact;
            !(same(x.family(), y.given()) && same(x.given(), y.family()))
        }
        (_, NameLevel::Exact) if !one_shared_nickname(given, a, b) => false,
        (_, NameLevel::Missing | NameLevel::Different) => false,
        (family, _) => matches!(
            family,
            NameLevel::Exact | NameLevel::Close | NameLevel::Partial | NameLevel::Phonetic | NameLevel::Similar
        ),
    }
}

/// Both given names are one nickname that two names of the practice share
/// (`Derived::given_shared_nickname`): the one given name twice that twins
/// may have.
pub fn one_shared_nickname(given: NameLevel, a: Person<'_>, b: Person<'_>) -> bool {
    given == NameLevel::Exact && a.derived.given_shared_nickname() && b.derived.given_shared_nickname()
}

/// Whether a pair could be twins whose given names look alike. The practice
/// registered two patients (one identifier system, two values) for one
/// birthday under alike names (`alike_names`): Bri, which is Brianna's and
/// Breanna's; Aiedn, beside Aidan. A patient registered a second time looks
/// the same, so the pair is neither linked nor kept apart: a person
/// decides. Grown twins live apart, so another home does not settle it;
/// there, though, only one birth date to the day is a birthday twins share
/// (a patient registered again after a move, with a digit of the date
/// mistyped, links). One given name twice is a second registration (twins
/// are not given one name), unless it is a nickname both could go by.
fn could_be_twins(alike_names: bool, birth: DateLevel, same_home: bool, identifier: Agreement) -> bool {
    let registered_twice = identifier == Agreement::Disagree;
    let one_birthday = if same_home { same_birthday(birth) } else { birth == DateLevel::Exact };
    registered_twice && alike_names && one_birthday
}

/// A scan filed under the chart of a patient whose given name it spells
/// alike (Jaden in Jayden's folder), of no other sex. Two clearly different
/// names under one number (a family chart, a misfiled scan) stay apart, and
/// so do two scans of one folder.
fn filed_in_its_chart(
    x: CandidateKind,
    y: CandidateKind,
    given: NameLevel,
    sex: Agreement,
    identifier: Agreement,
) -> bool {
    let one_scan = (x == CandidateKind::Document) != (y == CandidateKind::Document);
    one_scan && identifier == Agreement::Agree && given != NameLevel::Different && sex != Agreement::Disagree
}

/// One home: the same address (not another house on the street, which is a
/// neighbour), or the same phone.
fn same_home(address: AddressLevel, phone: IdLevel) -> bool {
    matches!(address, AddressLevel::Exact | AddressLevel::Close)
        || matches!(phone, IdLevel::Exact | IdLevel::OneDigitOrTransposed)
}

/// Whether the surname and birth date are what twins share, for the twins
/// rule: the family name agrees (across a swap too; a surname only
/// `Similar` counts when the given names have nothing in common), and the
/// birthday.
pub fn twins_could_share(family: NameLevel, given: NameLevel, birth: DateLevel) -> bool {
    // Swapped names agree across the swap (`compare_names`).
    let family_agrees = matches!(
        family,
        NameLevel::Exact | NameLevel::Close | NameLevel::Partial | NameLevel::Phonetic | NameLevel::Swapped
    ) || (family == NameLevel::Similar && given == NameLevel::Different);
    family_agrees && same_birthday(birth)
}

/// Birth dates that could be one birthday, a keying error aside: what twins
/// share, for the twins rule and for possible twins alike.
pub fn same_birthday(birth: DateLevel) -> bool {
    matches!(birth, DateLevel::Exact | DateLevel::DayMonthSwapped | DateLevel::OneDigit)
}

/// Nine digits the Social Security Administration could have issued (the
/// rules validation applies too: `validate::national_id`).
pub fn is_valid_ssn(digits: &str) -> bool {
    digits.len() == 9 && crate::validate::national_id::ssn_problem(digits).is_none()
}

fn agreement<T: PartialEq>(a: Option<T>, b: Option<T>) -> Agreement {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Agreement::Agree,
        (Some(_), Some(_)) => Agreement::Disagree,
        _ => Agreement::Missing,
    }
}

fn compare_names(a: Person<'_>, b: Person<'_>) -> (NameLevel, NameLevel) {
    let (x, y) = (a.candidate, b.candidate);
    let family = compare_name(x.family(), y.family(), a.derived.family_phonetic.sounds_like(b.derived.family_phonetic));
    let given_sound = a.derived.given_phonetic.sounds_like(b.derived.given_phonetic);
    let given = given_level(x.given(), y.given(), given_sound, [a.derived.given_groups, b.derived.given_groups]);
    let both_differ = !matches!(family, NameLevel::Exact | NameLevel::Close)
        && !matches!(given, NameLevel::Exact | NameLevel::Close | NameLevel::Nickname);
    if both_differ && is_same_name(x.family(), y.given()) && is_same_name(x.given(), y.family()) {
        return (NameLevel::Swapped, NameLevel::Swapped);
    }
    (family, given)
}

/// Two given names' level: `compare_name`'s, but `Nickname` where the
/// names are not the same and share a formal name (`groups`: each first
/// word's, from the nickname table or the listed name it is a typo of).
fn given_level(a: Option<&str>, b: Option<&str>, sounds_alike: bool, groups: [&[u32]; 2]) -> NameLevel {
    match compare_name(a, b, sounds_alike) {
        NameLevel::Close | NameLevel::Similar | NameLevel::Different | NameLevel::Partial | NameLevel::Phonetic
            if share_group(groups[0], groups[1]) =>
        {
            NameLevel::Nickname
        }
        level => level,
    }
}

fn is_same_name(a: Option<&str>, b: Option<&str>) -> bool {
    matches!(compare_name(a, b, false), NameLevel::Exact | NameLevel::Close)
}

fn compare_name(a: Option<&str>, b: Option<&str>, sounds_alike: bool) -> NameLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return NameLevel::Missing;
    };
    if a == b || a.bytes().filter(|byte| *byte != b' ').eq(b.bytes().filter(|byte| *byte != b' ')) {
        return NameLevel::Exact;
    }
    let similarity = jaro_winkler(a, b);
    if similarity >= CLOSE {
        NameLevel::Close
    } else if is_word_of(a, b) || is_word_of(b, a) {
        NameLevel::Partial
    } else if sounds_alike {
        NameLevel::Phonetic
    } else if similarity >= SIMILAR {
        NameLevel::Similar
    } else {
        NameLevel::Different
    }
}

/// strsim's Jaro-Winkler, the same figure, without its allocation and
/// char decoding: candidates' names and addresses are folded to ASCII and
/// short, and this runs for every compared pair (several times). Longer or
/// non-ASCII text goes to strsim.
pub(super) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    let similarity = jaro_ascii(x, y);
    if similarity <= 0.7 {
        return similarity;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count();
    similarity + 0.1 * prefix as f64 * (1.0 - similarity)
}

/// Jaro similarity of two ASCII strings of at most 64 bytes: which
/// characters matched is kept in two bit sets.
fn jaro_ascii(x: &[u8], y: &[u8]) -> f64 {
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut x_matched, mut y_matched) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &byte) in x.iter().enumerate() {
        let (low, high) = (i.saturating_sub(window), (i + window + 1).min(y.len()));
        if let Some(j) = (low..high).find(|&j| y[j] == byte && y_matched & (1 << j) == 0) {
            x_matched |= 1 << i;
            y_matched |= 1 << j;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let x_order = (0..x.len()).filter(|&i| x_matched & (1 << i) != 0).map(|i| x[i]);
    let y_order = (0..y.len()).filter(|&j| y_matched & (1 << j) != 0).map(|j| y[j]);
    let transpositions = x_order.zip(y_order).filter(|(p, q)| p != q).count() / 2;
    let matches = matches as f64;
    (matches / x.len() as f64 + matches / y.len() as f64 + (matches - transpositions as f64) / matches) / 3.0
}

/// True when `short` is one whole word of the multi-word `long`.
fn is_word_of(short: &str, long: &str) -> bool {
    !short.contains(' ') && long.contains(' ') && long.split(' ').any(|word| word == short)
}

/// A name seen at least this often is a name people are given, not a typo.
pub(super) const ESTABLISHED_NAME: u32 = 3;
/// ... unless the other name is this many times more common: then it is
/// far likelier a typo of that name (JOHM beside JOHN).
pub(super) const TYPO_RATIO: u32 = 20;

/// A nickname shared by a boy's and a girl's name (Alex for Alexander and
/// Alexandra, Sandra beside Alexander) does not make one person of twins a
/// brother and sister: with the sexes disagreeing, the names count as two.
fn distinct_given_names(level: NameLevel, a: Person<'_>, b: Person<'_>, sex: Agreement) -> bool {
    if level == NameLevel::Nickname {
        return sex == Agreement::Disagree;
    }
    if level == NameLevel::Swapped {
        return swapped_names_distinct(a.candidate, b.candidate);
    }
    // In the table itself: a typo that took a listed name's groups is
    // still a typo (`NameTable::resolve_typos`).
    let listed = [a, b].map(|person| person.derived.given_listed());
    names_of_their_own(level, listed, [a.derived.given_count(), b.derived.given_count()], sex)
}

/// Whether two given names compared at `level` are two names, by whether
/// the nickname table lists each and how many candidates hold each: a
/// name far rarer than its look-alike is that name mistyped.
fn names_of_their_own(level: NameLevel, listed: [bool; 2], counts: [u32; 2], sex: Agreement) -> bool {
    match level {
        NameLevel::Nickname => sex == Agreement::Disagree,
        NameLevel::Exact | NameLevel::Missing => false,
        NameLevel::Different => true,
        _ => {
            let (low, high) = (counts[0].min(counts[1]), counts[0].max(counts[1]));
            (listed[0] && listed[1]) || (low >= ESTABLISHED_NAME && low.saturating_mul(TYPO_RATIO) >= high)
        }
    }
}

/// Alike given names, one (or both) a typo of other names (`readings`):
/// two names when nothing either could be a typo of is the other, or
/// passes for it (MAI, one keying error from MIA and MAX, beside MAYA: two
/// errors from MAI, and a name of its own beside each). The twins rule
/// asks this where a surname and a birthday agree: twins Mia and Maya,
/// one name mistyped, are not one person with a typo. Two names one error
/// apart could be either mistyped, and stay one.
fn misread_names_apart(level: NameLevel, a: Person<'_>, b: Person<'_>, sex: Agreement) -> bool {
    if !matches!(level, NameLevel::Close | NameLevel::Partial | NameLevel::Phonetic | NameLevel::Similar) {
        return false;
    }
    let (Some(x), Some(y)) = (a.candidate.given(), b.candidate.given()) else {
        return false;
    };
    let (x_readings, y_readings) = (a.given_readings(), b.given_readings());
    if (x_readings.is_empty() && y_readings.is_empty()) || one_keying_error(x.as_bytes(), y.as_bytes()) {
        return false;
    }
    let x_itself = [as_read(x, a)];
    let y_itself = [as_read(y, b)];
    let x_names = if x_readings.is_empty() { &x_itself[..] } else { x_readings };
    let y_names = if y_readings.is_empty() { &y_itself[..] } else { y_readings };
    x_names.iter().all(|&p| y_names.iter().all(|&q| readings_apart(p, q, sex)))
}

/// A person's own given name, as `readings` describes its readings.
fn as_read<'a>(given: &'a str, person: Person<'a>) -> Reading<'a> {
    let derived = person.derived;
    Reading {
        name: given,
        count: derived.given_count(),
        phonetic: derived.given_phonetic,
        groups: derived.given_groups,
        listed: derived.given_listed(),
    }
}

/// Whether two given names are two names only through a misreading
/// (`misread_names_apart`): what `explain` tells a reviewer.
pub fn apart_only_as_misread(level: NameLevel, a: Person<'_>, b: Person<'_>, sex: Agreement) -> bool {
    !distinct_given_names(level, a, b, sex) && misread_names_apart(level, a, b, sex)
}

/// Two readings compared as two records' given names are (`given_level`,
/// `distinct_given_names`).
fn readings_apart(p: Reading<'_>, q: Reading<'_>, sex: Agreement) -> bool {
    let level = given_level(Some(p.name), Some(q.name), p.phonetic.sounds_like(q.phonetic), [p.groups, q.groups]);
    names_of_their_own(level, [p.listed, q.listed], [p.count, q.count], sex)
}

/// Names swapped on one record, where the given names across the swap are
/// two names of the nickname table that are not each other's (Koda
/// Brianna, beside a record of Breanna as family name and Kod as given
/// name): her twin, keyed the wrong way round. Which record is swapped,
/// nothing says: of the two crossings, one pairs the given names and the
/// other the surnames. The surnames are the crossing with a name the table
/// does not list (KOD, KODA); when both crossings hold listed names (Mary
/// Francis beside a record of Mary as family name, Frances as given), which
/// is which cannot be told, and a surname mistyped into another listed
/// name must not pass for twins. Only the table tells a name from a typo
/// here, since a family field's value is not counted as a given name. A
/// swapped pair is rare enough for the lookups.
fn swapped_names_distinct(x: &Candidate, y: &Candidate) -> bool {
    let table = Nicknames::bundled();
    let listed = |name: Option<&str>| name.is_some_and(|name| !table.groups(name).is_empty());
    let two_names = |p: Option<&str>, q: Option<&str>| match (p, q) {
        (Some(p), Some(q)) if p != q => {
            let (p, q) = (table.groups(p), table.groups(q));
            !p.is_empty() && !q.is_empty() && !share_group(p, q)
        }
        _ => false,
    };
    let surnames = |p: Option<&str>, q: Option<&str>| !listed(p) || !listed(q);
    (two_names(x.family(), y.given()) && surnames(x.given(), y.family()))
        || (two_names(x.given(), y.family()) && surnames(x.family(), y.given()))
}

pub(super) fn compare_dates(a: Option<Date>, b: Option<Date>) -> DateLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return DateLevel::Missing;
    };
    if a == b {
        return DateLevel::Exact;
    }
    if a.year() != b.year() {
        // Another year and another day or month is two digits at least,
        // and a swap keeps the year: most pairs of strangers end here,
        // without their digits taken apart.
        if a.month() != b.month() || a.day() != b.day() {
            return DateLevel::Different;
        }
    } else if a.month() == b.day() && a.day() == b.month() {
        return DateLevel::DayMonthSwapped;
    }
    let digits = |date: Date| {
        let (year, month, day) = (date.year() as i32, date.month() as i32, date.day() as i32);
        [year / 1000 % 10, year / 100 % 10, year / 10 % 10, year % 10, month / 10, month % 10, day / 10, day % 10]
    };
    let differing = digits(a).iter().zip(digits(b).iter()).filter(|(x, y)| x != y).count();
    if differing == 1 {
        DateLevel::OneDigit
    } else if a.year() == b.year() {
        DateLevel::YearOnly
    } else {
        DateLevel::Different
    }
}

/// An address is a house number and words. The same home: the same
/// words (in any order: lines entered the other way round), or the same
/// house number and nearly the same text. Partial: another house number on
/// the same street, or most words shared (a building named on one line
/// only, a street renamed).
fn compare_addresses(a: Option<&str>, b: Option<&str>) -> AddressLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return AddressLevel::Missing;
    };
    if a == b {
        return AddressLevel::Exact;
    }
    let same_number = house_number(a) == house_number(b);
    let (x, y) = (TellingWords::of(a), TellingWords::of(b));
    let shared = x.shared_with(&y);
    if same_number && same_words(a, b) {
        AddressLevel::Exact
    } else if same_number && (jaro_winkler(a, b) >= 0.9 || 2 * shared > x.len.max(y.len)) {
        AddressLevel::Close
    } else if shared > 0 && 2 * shared >= x.len.min(y.len) {
        AddressLevel::Partial
    } else {
        AddressLevel::Different
    }
}

/// An address's words that tell one street from another: house numbers and
/// street types (ST, AVE) aside. Held on the stack, because this runs for
/// every compared pair and an address has a handful of words.
struct TellingWords<'a> {
    words: [&'a str; MAX_ADDRESS_WORDS],
    len: usize,
}

const MAX_ADDRESS_WORDS: usize = 12;

impl<'a> TellingWords<'a> {
    fn of(address: &'a str) -> TellingWords<'a> {
        let mut telling = TellingWords { words: [""; MAX_ADDRESS_WORDS], len: 0 };
        let words = address
            .split(' ')
            .filter(|word| word.len() > 1 && !word.bytes().any(|byte| byte.is_ascii_digit()) && !is_street_type(word));
        for word in words.take(MAX_ADDRESS_WORDS) {
            telling.words[telling.len] = word;
            telling.len += 1;
        }
        telling
    }

    fn shared_with(&self, other: &TellingWords<'_>) -> usize {
        let theirs = &other.words[..other.len];
        self.words[..self.len].iter().filter(|word| theirs.contains(word)).count()
    }
}

/// The same words, in any order.
fn same_words(a: &str, b: &str) -> bool {
    let (x, y) = (a.split(' '), b.split(' '));
    x.clone().count() == y.clone().count()
        && x.clone().all(|word| y.clone().any(|other| other == word))
        && y.clone().all(|word| x.clone().any(|other| other == word))
}

fn is_street_type(word: &str) -> bool {
    matches!(
        word,
        "ST" | "AVE"
            | "RD"
            | "DR"
            | "LN"
            | "BLVD"
            | "CT"
            | "PL"
            | "TER"
            | "CIR"
            | "HWY"
            | "PKWY"
            | "APT"
            | "STE"
            | "N"
            | "S"
            | "E"
            | "W"
            | "CRESCENT"
            | "CIRCUIT"
            | "WAY"
    )
}

fn compare_places(a: Option<&str>, b: Option<&str>) -> PlaceLevel {
    match (a, b) {
        (Some(a), Some(b)) if a == b => PlaceLevel::Exact,
        (Some(a), Some(b)) if jaro_winkler(a, b) >= CLOSE => PlaceLevel::Close,
        (Some(_), Some(_)) => PlaceLevel::Different,
        _ => PlaceLevel::Missing,
    }
}

/// One keying error (a digit wrong, dropped or added, or two neighbours
/// swapped) is told from a different number.
fn compare_codes(a: Option<&str>, b: Option<&str>) -> IdLevel {
    match (a, b) {
        (Some(a), Some(b)) if a == b => IdLevel::Exact,
        (Some(a), Some(b)) if one_keying_error(a.as_bytes(), b.as_bytes()) => IdLevel::OneDigitOrTransposed,
        (Some(_), Some(_)) => IdLevel::Different,
        _ => IdLevel::Missing,
    }
}

/// Whether two different codes are one keying error apart: a character
/// wrong, dropped or added, or two neighbours swapped (an optimal string
/// alignment distance of 1). strsim's figure, without its allocation: this
/// runs for three fields of every compared pair.
pub(super) fn one_keying_error(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let mut differing = (0..short.len()).filter(|&index| short[index] != long[index]);
            match (differing.next(), differing.next(), differing.next()) {
                (Some(_), None, _) => true,
                (Some(i), Some(j), None) => j == i + 1 && short[i] == long[j] && short[j] == long[i],
                _ => false,
            }
        }
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

fn house_number(address: &str) -> Option<&str> {
    address.split(' ').next().filter(|word| word.bytes().any(|byte| byte.is_ascii_digit()))
}

/// Identifiers are sorted by (system, value): one merge walk finds a shared
/// one, or the same system with different values.
fn compare_identifiers(a: Person<'_>, b: Person<'_>) -> Agreement {
    let (x, y) = (&a.candidate.identifiers, &b.candidate.identifiers);
    let mut same_system = false;
    for left in x.iter() {
        for right in y.iter() {
            if left.system == right.system {
                if left.value == right.value {
                    return Agreement::Agree;
                }
                same_system = true;
            }
        }
    }
    if same_system { Agreement::Disagree } else { Agreement::Missing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::features::Features;
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    fn compare_pair(a: crate::matching::Candidate, b: crate::matching::Candidate) -> Comparison {
        let candidates = [a, b];
        let features = Features::new(&candidates);
        compare(features.person(0), features.person(1), CompareOptions::default())
    }

    #[test]
    fn two_registrations_of_one_birthday_under_other_given_names_could_be_twins() {
        use crate::matching::tests::{registered, with_household};
        let birth = date(2013, 5, 14);
        let at_home = |given: &str, chart: &str| with_household(registered(given, "Zamera", birth, chart));
        let could_be_twins = |a: crate::matching::Candidate, b: crate::matching::Candidate| {
            let candidates = [a, b];
            let features = Features::new(&candidates);
            compare(features.person(0), features.person(1), CompareOptions::default()).possible_twins()
        };
        assert!(could_be_twins(at_home("Brianna", "1"), at_home("Bri", "2")), "a nickname");
        assert!(could_be_twins(at_home("Aidan", "1"), at_home("Aiedn", "2")), "a typo");
        assert!(!could_be_twins(at_home("Brianna", "1"), at_home("Brianna", "2")), "one name twice: registered again");
        assert!(!could_be_twins(at_home("Brianna", "1"), at_home("Bri", "1")), "one chart: one patient");
        let elsewhere = registered("Bri", "Zamera", birth, "2");
        assert!(could_be_twins(at_home("Brianna", "1"), elsewhere), "grown twins live apart");
        let mut moved = registered("Bri", "Zamera", birth, "2");
        moved.set_text(TextField::Address, Some("9 OAK AVE"));
        assert!(could_be_twins(at_home("Brianna", "1"), moved.clone()), "another address");
        moved.set_text(TextField::Address, Some("14 ELM ST"));
        assert!(could_be_twins(at_home("Brianna", "1"), moved), "a neighbour's address");
        let mut mistyped_neighbour = registered("Bri", "Zamera", date(2013, 5, 24), "2");
        mistyped_neighbour.set_text(TextField::Address, Some("14 ELM ST"));
        assert!(!could_be_twins(at_home("Brianna", "1"), mistyped_neighbour), "a neighbour's, a digit mistyped");
        let moved = registered("Bri", "Zamera", date(2013, 5, 24), "2");
        assert!(!could_be_twins(at_home("Brianna", "1"), moved), "moved, and a digit of the date mistyped");
        let mistyped = with_household(registered("Bri", "Zamera", date(2013, 5, 24), "2"));
        assert!(could_be_twins(at_home("Brianna", "1"), mistyped), "at one home, a digit mistyped");
        let unregistered = with_household(crate::matching::tests::candidate("Bri", "Zamera", birth));
        assert!(!could_be_twins(at_home("Brianna", "1"), unregistered), "no second registration");
        let older = with_household(registered("Bri", "Zamera", date(2010, 2, 1), "2"));
        assert!(!could_be_twins(at_home("Brianna", "1"), older), "another birthday");
        let married = with_household(registered("Bri", "Kowalski", birth, "2"));
        assert!(!could_be_twins(at_home("Brianna", "1"), married), "another surname");
        let swapped = at_home("Zamera", "2");
        let swapped = registered_as(swapped, "JAYDEN", "ZAMERA");
        assert!(could_be_twins(at_home("Jaden", "1"), swapped.clone()), "a swapped record of an alike name");
        assert!(!could_be_twins(at_home("Jayden", "1"), swapped), "the same names, swapped: registered again");
        let mut loaded = at_home("Bri", "2");
        loaded.kind = CandidateKind::Existing;
        assert!(!could_be_twins(at_home("Brianna", "1"), loaded), "a patient in the database has other names too");
    }

    #[test]
    fn one_nickname_twins_could_both_go_by_could_be_twins() {
        use crate::matching::tests::{registered, with_household};
        let birth = date(2013, 5, 14);
        let at_home = |given: &str, chart: &str| with_household(registered(given, "Zamera", birth, chart));
        let could_be_twins = |given: &str, others: &[&str]| {
            let mut candidates = vec![at_home(given, "1"), at_home(given, "2")];
            for other in others {
                candidates.extend((0..3).map(|_| crate::matching::tests::candidate(other, "Ruiz", birth)));
            }
            let features = Features::new(&candidates);
            compare(features.person(0), features.person(1), CompareOptions::default()).possible_twins()
        };
        assert!(could_be_twins("Bri", &["Brianna", "Breanna"]), "Brianna and Breanna may both be Bri");
        assert!(!could_be_twins("Bri", &["Brianna"]), "only Brianna goes by Bri here");
        assert!(!could_be_twins("Brianna", &["Brianna", "Breanna"]), "a formal name twice: registered again");
        assert!(!could_be_twins("Jack", &[]), "John and Jacqueline are no names of this practice");
    }

    /// A candidate with its name fields set outright (folded, as
    /// `Candidate` holds them), so that a test can swap them.
    fn registered_as(
        mut candidate: crate::matching::Candidate,
        family: &str,
        given: &str,
    ) -> crate::matching::Candidate {
        candidate.set_text(TextField::Family, Some(family));
        candidate.set_text(TextField::Given, Some(given));
        candidate
    }

    #[test]
    fn a_scan_filed_under_a_twins_chart_under_an_alike_name_is_scored() {
        use crate::matching::HardRule;
        use crate::matching::tests::registered;
        let birth = date(2011, 6, 14);
        let scan = |given: &str, chart: &str| {
            let mut scan = registered(given, "Lind", birth, chart);
            scan.kind = CandidateKind::Document;
            scan
        };
        let caitlin = registered("Caitlin", "Lind", birth, "1");
        let filed = compare_pair(caitlin.clone(), scan("Kaitlyn", "1"));
        assert!(filed.chart_over_name() && !filed.distinct_given_names(), "{filed:?}");
        assert_ne!(filed.given, NameLevel::Different, "alike names");
        assert_eq!(HardRule::applies(&filed), None, "Kaitlyn in Caitlin's folder: a typo, or Kaitlyn's misfiled scan");
        let elsewhere = compare_pair(caitlin.clone(), scan("Kaitlyn", "2"));
        assert_eq!(HardRule::applies(&elsewhere), Some(HardRule::Twins), "filed under another chart");
        assert!(!elsewhere.chart_over_name());
        let folder = compare_pair(scan("Caitlin", "1"), scan("Kaitlyn", "1"));
        assert_eq!(HardRule::applies(&folder), Some(HardRule::Twins), "two scans of one folder");
        let family_chart = compare_pair(caitlin.clone(), registered("Kaitlyn", "Lind", birth, "1"));
        assert_eq!(HardRule::applies(&family_chart), Some(HardRule::Twins), "two patients on one number");
        let (mut alexander, mut alexandra) = (registered("Alexander", "Lind", birth, "1"), scan("Alexandra", "1"));
        alexander.sex = Some(crate::record::Sex::Male);
        alexandra.sex = Some(crate::record::Sex::Female);
        assert_eq!(HardRule::applies(&compare_pair(alexander, alexandra)), Some(HardRule::Twins), "another sex");
    }

    #[test]
    fn patient_rows_with_no_name_in_common_are_marked() {
        use crate::matching::tests::{registered, with_household};
        let birth = date(2016, 11, 19);
        let mariana = with_household(registered("Mariana", "Flintyre", birth, "1"));
        // Her twin, registered with names swapped and mistyped: nothing of
        // either name agrees, only the home and the birthday.
        let orla = registered_as(with_household(registered("Orla", "Flintyre", birth, "2")), "ORLA", "FLNTYRE");
        let comparison = compare_pair(mariana.clone(), orla.clone());
        assert_eq!((comparison.family, comparison.given), (NameLevel::Different, NameLevel::Different));
        assert!(comparison.names_differ() && comparison.never_links());
        let allow_twins = CompareOptions { allow_twins: true, ..CompareOptions::default() };
        let candidates = [mariana.clone(), orla];
        let features = Features::new(&candidates);
        assert!(
            !compare(features.person(0), features.person(1), allow_twins).names_differ(),
            "off with the twins rules"
        );
        let mut scan = with_household(candidate("Orla", "Delaney", birth));
        scan.kind = CandidateKind::Document;
        assert!(!compare_pair(mariana.clone(), scan).names_differ(), "a scan's name is often unreadable");
        let married = with_household(registered("Mari", "Delaney", birth, "2"));
        assert!(!compare_pair(mariana, married).names_differ(), "an alike given name is a name in common");
        // Twins Jaden and Jayden, one surname mistyped beyond recognition:
        // their given names are alike, but two names of this practice.
        let compare_among_others = |a, b| {
            let mut candidates = vec![a, b];
            for given in ["Jaden", "Jayden"] {
                candidates.extend((0..3).map(|_| candidate(given, "Ruiz", date(1990, 1, 2))));
            }
            let features = Features::new(&candidates);
            compare(features.person(0), features.person(1), CompareOptions::default())
        };
        let jaden = with_household(registered("Jaden", "Hbzaki", birth, "1"));
        let jayden = with_household(registered("Jayden", "Hazaki", birth, "2"));
        let comparison = compare_among_others(jaden.clone(), jayden);
        assert_eq!((comparison.family, comparison.given), (NameLevel::Different, NameLevel::Close));
        assert!(comparison.names_differ(), "two names the twins rule tells apart are no name in common");
        let typo = with_household(registered("Jaydne", "Hazaki", birth, "2"));
        assert!(!compare_among_others(jaden.clone(), typo).names_differ(), "a typo of a name is that name");
        let elsewhere = registered("Jayden", "Hazaki", birth, "2");
        assert!(!compare_among_others(jaden, elsewhere).names_differ(), "at another home: scored");
        // Katherine, under her maiden name at her parents' home and under
        // her married name with one national id: one woman.
        let mut maiden = with_household(registered("Katherine", "Jones", birth, "1"));
        maiden.set_text(TextField::NationalId, Some("219099999"));
        let mut married = with_household(registered("Catherine", "Smith", birth, "2"));
        married.set_text(TextField::NationalId, Some("219099999"));
        let comparison = compare_pair(maiden, married);
        assert!(comparison.distinct_given_names(), "{comparison:?}");
        assert!(!comparison.names_differ(), "one national id");
    }

    #[test]
    fn jaro_winkler_is_strsims_to_the_last_bit() {
        let mut rng = crate::synth::rng::Rng::new(7);
        let alphabet = b"AEIOSTRNB ";
        let word = |rng: &mut crate::synth::rng::Rng| -> String {
            let length = rng.below(14);
            (0..length).map(|_| alphabet[rng.below(alphabet.len())] as char).collect()
        };
        for _ in 0..20_000 {
            let (a, b) = (word(&mut rng), word(&mut rng));
            assert_eq!(jaro_winkler(&a, &b).to_bits(), strsim::jaro_winkler(&a, &b).to_bits(), "{a:?} {b:?}");
        }
        for (a, b) in [("MARTHA", "MARHTA"), ("DWAYNE", "DUANE"), ("", ""), ("A", ""), ("ZOË", "ZOE")] {
            assert_eq!(jaro_winkler(a, b).to_bits(), strsim::jaro_winkler(a, b).to_bits(), "{a:?} {b:?}");
        }
        let long = "A".repeat(70);
        assert_eq!(jaro_winkler(&long, "AAA"), strsim::jaro_winkler(&long, "AAA"));
    }

    #[test]
    fn a_suffix_on_one_record_and_another_birth_year_are_two_generations() {
        use crate::matching::HardRule;
        let senior = |born| {
            let mut father = candidate("Thomas", "Miller", born);
            father.suffix = Some("SR");
            father
        };
        let son = candidate("Thomas", "Miller", date(2022, 9, 17));
        let apart = compare_pair(senior(date(2002, 9, 17)), son.clone());
        assert_eq!(apart.birth, DateLevel::OneDigit, "one keying error apart, to the date alone");
        assert!(apart.generations_apart());
        assert_eq!(HardRule::applies(&apart), Some(HardRule::Generation));
        // The same year: a suffix one system did not record, one person.
        let dropped = compare_pair(senior(date(2022, 9, 17)), son.clone());
        assert!(!dropped.generations_apart());
        assert_eq!(HardRule::applies(&dropped), None);
        assert!(!compare_pair(candidate("Thomas", "Miller", date(2002, 9, 17)), son).generations_apart());
        // A year mistyped in one man's records: scored, not a rule.
        let typo = compare_pair(senior(date(1975, 9, 17)), candidate("Thomas", "Miller", date(1976, 9, 17)));
        assert_eq!(typo.birth, DateLevel::OneDigit);
        assert!(!typo.generations_apart());
    }

    #[test]
    fn a_nickname_beside_a_typo_of_its_formal_name_is_one_name() {
        // Kevin is common here, so KVEIN is Kevin mistyped, and Kev a
        // nickname of his: not the two names of twins.
        let born = date(1990, 3, 4);
        let mut candidates: Vec<Candidate> = (0..21).map(|_| candidate("Kevin", "Abbott", date(1970, 1, 1))).collect();
        candidates.extend([candidate("Kev", "Brandt", born), candidate("Kvein", "Brandt", born)]);
        let features = Features::new(&candidates);
        let comparison = compare(features.person(21), features.person(22), CompareOptions::default());
        assert_eq!(comparison.given, NameLevel::Nickname);
        assert!(!comparison.distinct_given_names());
        assert_eq!(crate::matching::HardRule::applies(&comparison), None);
        // Alone, nothing says KVEIN is a typo: two different names.
        let alone = compare_pair(candidate("Kev", "Brandt", born), candidate("Kvein", "Brandt", born));
        assert_eq!(alone.given, NameLevel::Different);
    }

    #[test]
    fn a_twin_keyed_the_wrong_way_round_is_still_a_twin() {
        use crate::matching::HardRule;
        use crate::matching::tests::with_household;
        let birth = date(2024, 5, 31);
        let brianna = with_household(candidate("Brianna", "Koda", birth));
        // Her twin Breanna's record, names swapped and the surname mistyped.
        let breanna = registered_as(with_household(candidate("Kod", "Breanna", birth)), "BREANNA", "KOD");
        let comparison = compare_pair(brianna.clone(), breanna);
        assert_eq!(comparison.family, NameLevel::Swapped);
        assert_eq!(HardRule::applies(&comparison), Some(HardRule::Twins));
        let swapped = registered_as(with_household(candidate("Koda", "Brianna", birth)), "BRIANNA", "KODA");
        assert_eq!(HardRule::applies(&compare_pair(brianna.clone(), swapped)), None, "her own record, swapped");
        let mistyped = registered_as(with_household(candidate("Kod", "Brianan", birth)), "BRIANAN", "KOD");
        assert_eq!(HardRule::applies(&compare_pair(brianna, mistyped)), None, "swapped, and a typo of her name");
        // Mary Francis, swapped, her surname mistyped into another name of
        // the table: which crossing holds the given names, nothing says.
        let mary = with_household(candidate("Mary", "Francis", birth));
        let swapped = registered_as(with_household(candidate("Frances", "Mary", birth)), "MARY", "FRANCES");
        let comparison = compare_pair(mary, swapped);
        assert_eq!(comparison.family, NameLevel::Swapped);
        assert_eq!(HardRule::applies(&comparison), None, "one woman, not twins");
    }

    #[test]
    fn a_brother_and_sister_sharing_a_nickname_are_twins_not_one_person() {
        use crate::record::Sex;
        let of_sex = |mut person: crate::matching::Candidate, sex: Sex| {
            person.sex = Some(sex);
            person
        };
        let alexander = of_sex(candidate("Alexander", "Langworth", date(2007, 11, 24)), Sex::Male);
        let sandra = of_sex(candidate("Sandra", "Langworth", date(2007, 11, 24)), Sex::Female);
        let comparison = compare_pair(alexander.clone(), sandra.clone());
        assert_eq!(comparison.given, NameLevel::Nickname);
        assert!(comparison.distinct_given_names());
        assert_eq!(crate::matching::HardRule::applies(&comparison), Some(crate::matching::HardRule::Twins));
        let alex = of_sex(candidate("Alex", "Langworth", date(2007, 11, 24)), Sex::Male);
        assert!(!compare_pair(alexander, alex).distinct_given_names(), "same sex: a nickname, one person");
    }

    #[test]
    fn name_levels() {
        assert_eq!(compare_name(Some("SMITH"), Some("SMITH"), false), NameLevel::Exact);
        assert_eq!(compare_name(Some("GARCIA LOPEZ"), Some("GARCIALOPEZ"), false), NameLevel::Exact);
        assert_eq!(compare_name(Some("THOMPSON"), Some("THOMSPON"), false), NameLevel::Close);
        assert_eq!(compare_name(Some("GARCIA"), Some("GARCIA LOPEZ"), false), NameLevel::Partial);
        assert_eq!(compare_name(Some("SMITH"), Some("JONES"), false), NameLevel::Different);
        assert_eq!(compare_name(None, Some("JONES"), false), NameLevel::Missing);
    }

    #[test]
    fn nicknames_and_swapped_names_are_recognised() {
        let bob = candidate("Bob", "Smith", date(1980, 1, 2));
        let robert = candidate("Robert", "Smith", date(1980, 1, 2));
        assert_eq!(compare_pair(bob, robert.clone()).given, NameLevel::Nickname);
        let swapped = candidate("Smith", "Robert", date(1980, 1, 2));
        let comparison = compare_pair(robert, swapped);
        assert_eq!((comparison.family, comparison.given), (NameLevel::Swapped, NameLevel::Swapped));
    }

    #[test]
    fn date_levels() {
        let d = |y, m, d| Some(date(y, m, d));
        assert_eq!(compare_dates(d(1980, 3, 4), d(1980, 3, 4)), DateLevel::Exact);
        assert_eq!(compare_dates(d(1980, 3, 4), d(1980, 4, 3)), DateLevel::DayMonthSwapped);
        assert_eq!(compare_dates(d(1980, 3, 4), d(1980, 3, 7)), DateLevel::OneDigit);
        assert_eq!(compare_dates(d(1980, 3, 4), d(1981, 3, 4)), DateLevel::OneDigit);
        assert_eq!(compare_dates(d(1956, 3, 4), d(1984, 3, 4)), DateLevel::Different);
        assert_eq!(compare_dates(d(1956, 3, 4), d(1956, 11, 23)), DateLevel::YearOnly);
        assert_eq!(compare_dates(d(1956, 3, 4), d(1984, 11, 23)), DateLevel::Different);
        assert_eq!(compare_dates(d(1980, 3, 4), d(1981, 3, 5)), DateLevel::Different, "two digits");
        assert_eq!(compare_dates(d(1980, 3, 4), d(1981, 4, 3)), DateLevel::Different, "a swap keeps the year");
        assert_eq!(compare_dates(None, d(1984, 3, 4)), DateLevel::Missing);
    }

    #[test]
    fn national_id_levels() {
        assert_eq!(compare_codes(Some("123456780"), Some("123456780")), IdLevel::Exact);
        assert_eq!(compare_codes(Some("123456780"), Some("123456781")), IdLevel::OneDigitOrTransposed);
        assert_eq!(compare_codes(Some("123456780"), Some("123457680")), IdLevel::OneDigitOrTransposed);
        assert_eq!(compare_codes(Some("123456780"), Some("12345678")), IdLevel::OneDigitOrTransposed);
        assert_eq!(compare_codes(Some("123456780"), Some("987654320")), IdLevel::Different);
        assert_eq!(compare_codes(None, Some("987654320")), IdLevel::Missing);
    }

    #[test]
    fn one_keying_error_is_strsims_distance_of_one() {
        // The synthetic practices' generator, seeded: digit strings of 6 to
        // 10 characters, each changed by up to two random edits.
        let mut rng = crate::synth::rng::Rng::new(0x2545_f491_4f6c_dd1du64);
        let mut next = |bound: u64| rng.below(bound as usize) as u64;
        for _ in 0..20_000 {
            let length = 6 + next(5) as usize;
            let a: Vec<u8> = (0..length).map(|_| b'0' + next(10) as u8).collect();
            let mut b = a.clone();
            for _ in 0..=next(2) {
                let at = next(b.len() as u64) as usize;
                match next(4) {
                    0 => b[at] = b'0' + next(10) as u8,
                    1 => drop(b.remove(at)),
                    2 => b.insert(at, b'0' + next(10) as u8),
                    _ if at + 1 < b.len() => b.swap(at, at + 1),
                    _ => {}
                }
            }
            let (x, y) = (std::str::from_utf8(&a).unwrap(), std::str::from_utf8(&b).unwrap());
            if x != y {
                assert_eq!(one_keying_error(&a, &b), strsim::osa_distance(x, y) == 1, "{x} {y}");
            }
        }
    }

    #[test]
    fn addresses_need_the_same_house_number() {
        assert_eq!(compare_addresses(Some("12 ELM ST"), Some("12 ELM ST APT 4")), AddressLevel::Close);
        assert_eq!(compare_addresses(Some("12 ELM ST APT 4"), Some("12 ELM ST APT 5")), AddressLevel::Close);
        assert_eq!(compare_addresses(Some("12 ELM ST"), Some("14 ELM ST")), AddressLevel::Partial);
        assert_eq!(compare_addresses(Some("12 ELM ST"), Some("12 OAK AVE")), AddressLevel::Different);
        assert_eq!(compare_addresses(Some("12 ELM ST"), None), AddressLevel::Missing);
    }

    #[test]
    fn address_lines_in_the_other_order_are_the_same_address() {
        assert_eq!(compare_addresses(Some("73 RHOSEWYN BYNOE PL"), Some("73 BYNOE PL RHOSEWYN")), AddressLevel::Exact);
        // A typo and a building named on one line only: the same home.
        assert_eq!(
            compare_addresses(Some("67 CLEMENGERX ST THE POINTS"), Some("67 CLEMENGER ST THE POINTS")),
            AddressLevel::Close
        );
        assert_eq!(compare_addresses(Some("12 ELM ST APT 4"), Some("4 ELM ST APT 12")), AddressLevel::Partial);
    }

    #[test]
    fn sound_alike_names_have_their_own_level() {
        let comparison = compare_pair(
            candidate("Catherine", "Smith", date(1980, 1, 2)),
            candidate("Kathryn", "Smith", date(1980, 1, 2)),
        );
        assert_eq!(comparison.given, NameLevel::Phonetic);
    }

    #[test]
    fn twins_stay_apart_when_one_surname_is_mistyped_beyond_a_close_typo() {
        let born = date(2022, 2, 1);
        let twins = compare_pair(candidate("Patricia", "Bailey", born), candidate("Stephanie", "Briley", born));
        assert_eq!(twins.family, NameLevel::Similar);
        assert_eq!(crate::matching::HardRule::applies(&twins), Some(crate::matching::HardRule::Twins));
        let strangers = compare_pair(candidate("Patricia", "Bailey", born), candidate("Stephanie", "Okafor", born));
        assert_eq!(crate::matching::HardRule::applies(&strangers), None, "no rule needed: nothing agrees");
        // Alike names, each a name of its own, on a surname with a worse typo:
        // perhaps one person mistyped twice, so the score decides.
        let alike = compare_pair(candidate("Caitlin", "Bailey", born), candidate("Kaitlyn", "Briley", born));
        assert!(alike.distinct_given_names());
        assert_eq!(crate::matching::HardRule::applies(&alike), None);
    }

    #[test]
    fn twin_names_are_told_from_typos() {
        // Both given names in the nickname table: two names, not a typo.
        let twins =
            compare_pair(candidate("Emma", "Lind", date(2011, 6, 14)), candidate("Ella", "Lind", date(2011, 6, 14)));
        assert!(twins.distinct_given_names());
        // A typo of a listed name is no name of its own.
        let typo =
            compare_pair(candidate("Emma", "Lind", date(2011, 6, 14)), candidate("Emmx", "Lind", date(2011, 6, 14)));
        assert!(!typo.distinct_given_names());
        // Unlisted names that are common in the data are names too.
        let mut candidates: Vec<_> = (0..3).map(|_| candidate("Jayden", "Park", date(1990, 1, 1))).collect();
        candidates.extend((0..3).map(|_| candidate("Jaden", "Kim", date(1991, 1, 1))));
        let features = Features::new(&candidates);
        assert!(compare(features.person(0), features.person(3), CompareOptions::default()).distinct_given_names());
    }

    #[test]
    fn a_typo_of_another_name_is_no_typo_of_this_one() {
        // Twins Maya and Mia Okafor, Mia's name keyed MAI: one error from
        // MIA, two from MAYA. Forty other Mias and Mayas make both names.
        let born = date(2020, 8, 14);
        let mut candidates: Vec<_> = (0..40).map(|_| candidate("Mia", "Lind", date(1990, 1, 1))).collect();
        candidates.extend((0..40).map(|_| candidate("Maya", "Park", date(1991, 1, 1))));
        let first = candidates.len();
        for given in ["Maya", "Mai", "Mya", "Mia"] {
            candidates.push(candidate(given, "Okafor", born));
        }
        let features = Features::new(&candidates);
        let pair = |a: &str, b: &str| {
            let at = |given| first + ["Maya", "Mai", "Mya", "Mia"].iter().position(|name| *name == given).unwrap();
            compare(features.person(at(a) as u32), features.person(at(b) as u32), CompareOptions::default())
        };
        let twins = pair("Maya", "Mai");
        assert!(twins.distinct_given_names(), "{twins:?}");
        assert_eq!(crate::matching::HardRule::applies(&twins), Some(crate::matching::HardRule::Twins));
        // MYA is one error from MAYA (and from MIA): it could be Maya's.
        assert!(!pair("Maya", "Mya").distinct_given_names());
        assert!(!pair("Mia", "Mai").distinct_given_names(), "MAI is a typo of MIA");
        // Registered twice in one system, the two could be one patient
        // registered again with a worse typo: a person decides.
        let mut registered = candidates.clone();
        let charts = ["100", "200", "300", "400"];
        for (candidate, chart) in registered[first..].iter_mut().zip(charts) {
            *candidate = crate::matching::tests::with_household(crate::matching::tests::registered(
                candidate.given().unwrap(),
                "Okafor",
                born,
                chart,
            ));
        }
        let features = Features::new(&registered);
        let twice =
            compare(features.person(first as u32), features.person(first as u32 + 1), CompareOptions::default());
        assert_eq!(crate::matching::HardRule::applies(&twice), None, "{twice:?}");
        assert!(twice.possible_twins(), "{twice:?}");
        // Where such a pair would not wait (possible twins linked on their
        // score), the rule still keeps the twins apart.
        let linking = CompareOptions { link_possible_twins: true, ..CompareOptions::default() };
        let scored = compare(features.person(first as u32), features.person(first as u32 + 1), linking);
        assert_eq!(crate::matching::HardRule::applies(&scored), Some(crate::matching::HardRule::Twins));
        // Nor at two homes with a digit of the date mistyped: not possible
        // twins (grown twins' registrations agree to the day), but twins.
        let apart = [
            crate::matching::tests::registered("Maya", "Okafor", born, "100"),
            crate::matching::tests::registered("Mai", "Okafor", date(2020, 8, 24), "200"),
        ];
        let mut at_two_homes = candidates[..first].to_vec();
        at_two_homes.extend(apart);
        let features = Features::new(&at_two_homes);
        let two_homes =
            compare(features.person(first as u32), features.person(first as u32 + 1), CompareOptions::default());
        assert!(!two_homes.possible_twins(), "{two_homes:?}");
        assert_eq!(crate::matching::HardRule::applies(&two_homes), Some(crate::matching::HardRule::Twins));
        // Where no Mia is known, MAI is a typo of nothing known: the score decides.
        let mut without_mia: Vec<_> = (0..40).map(|_| candidate("Maya", "Park", date(1991, 1, 1))).collect();
        without_mia.push(candidate("Maya", "Okafor", born));
        without_mia.push(candidate("Mai", "Okafor", born));
        let features = Features::new(&without_mia);
        assert!(!compare(features.person(40), features.person(41), CompareOptions::default()).distinct_given_names());
    }

    #[test]
    fn national_ids_can_be_left_out() {
        let mut ann = candidate("Ann", "Lee", date(1970, 1, 1));
        ann.set_text(TextField::NationalId, Some("123456780"));
        let candidates = [ann.clone(), ann];
        let features = Features::new(&candidates);
        let (a, b) = (features.person(0), features.person(1));
        assert_eq!(compare(a, b, CompareOptions::default()).national_id, IdLevel::Exact);
        let options = CompareOptions { ignore_national_id: true, ..CompareOptions::default() };
        assert_eq!(compare(a, b, options).national_id, IdLevel::Missing);
    }

    #[test]
    fn only_an_issuable_ssn_is_valid() {
        assert!(is_valid_ssn("123456780"));
        for invalid in ["000456780", "666456780", "923456780", "123006780", "123450000", "12345678", "1234567"] {
            assert!(!is_valid_ssn(invalid), "{invalid}");
        }
    }
}
