//! Normalisation: each record becomes a compact `Candidate` once, with names
//! folded to A–Z, titles and suffixes split off, standardised address, phone
//! and postal code, placeholders dropped, so that the compare loop does no
//! text work beyond Jaro-Winkler. The text of a candidate lives in one
//! allocation: a million-patient practice has millions of candidates.

use std::hash::{Hash, Hasher};

use jiff::civil::Date;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::record::{Field, Record, Sex};

/// Where a candidate comes from: the rows of this run, or a patient already
/// in the EMR database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    Patient,
    Document,
    Existing,
}

/// The text fields of a candidate, folded (see `fold`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// Words kept apart: `GARCIA LOPEZ`.
    Family,
    Given,
    /// Both lines, standardised: `12 ELM ST APT 4`.
    Address,
    /// Digits (or folded characters) of a national identifier.
    NationalId,
    /// Five digits for a US ZIP code.
    Postal,
    /// Ten digits for a North American number.
    Phone,
    /// The town or suburb, folded.
    City,
}

const TEXT_FIELDS: usize = 7;

/// A legacy identifier as matching sees it: hashes of its system and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentifierKey {
    pub system: u64,
    pub value: u64,
}

/// A person as matching sees them; absent and placeholder values are absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub kind: CandidateKind,
    /// All text fields end to end; `ends[i]` is where field `i` ends.
    text: Box<str>,
    ends: [u16; TEXT_FIELDS],
    pub middle_initial: Option<u8>,
    /// `JR`, `SR`, `II`, `III`, `IV`, from the suffix field or split off a name.
    pub suffix: Option<&'static str>,
    pub birth: Option<Date>,
    pub sex: Option<Sex>,
    pub identifiers: Box<[IdentifierKey]>,
}

const SUFFIXES: &[&str] = &["JR", "SR", "II", "III", "IV"];
const TITLES: &[&str] = &["MR", "MRS", "MS", "MISS", "DR", "PROF"];
/// Values that stand for "nobody typed a name": treated as absent, so two
/// strangers both registered as UNKNOWN never agree on a name.
const PLACEHOLDER_NAMES: &[&str] =
    &["UNKNOWN", "UNK", "NONE", "NA", "NULL", "TEST", "XXX", "NONAME", "BABY", "BABYBOY", "BABYGIRL"];

impl Candidate {
    pub fn from_record(record: &Record, kind: CandidateKind) -> Candidate {
        let mut suffix = record.text(Field::Suffix).and_then(|text| suffix_of(&fold(text)));
        let family = record.text(Field::FamilyName).and_then(|text| name_part(text, &mut suffix));
        let given = record.text(Field::GivenName).and_then(|text| name_part(text, &mut suffix));
        let middle_initial = record.text(Field::MiddleName).map(fold).and_then(|middle| middle.bytes().next());
        let address = address_lines(record);
        let texts = [
            family,
            given,
            address,
            record.text(Field::NationalId).and_then(national_id),
            record.text(Field::PostalCode).and_then(postal_code),
            record.text(Field::Phone).and_then(phone_number),
            record.text(Field::City).map(fold).filter(|city| !city.is_empty()),
        ];
        let mut identifiers: Vec<IdentifierKey> = record
            .identifiers
            .iter()
            .filter(|identifier| identifier.compared)
            .map(|identifier| IdentifierKey {
                system: stable_hash(&*identifier.system),
                value: stable_hash(&identifier.value),
            })
            .collect();
        identifiers.sort_unstable();
        identifiers.dedup();
        let mut candidate = Candidate {
            kind,
            text: Box::from(""),
            ends: [0; TEXT_FIELDS],
            middle_initial,
            suffix,
            birth: record.date(Field::BirthDate),
            sex: record.sex().filter(|sex| *sex != Sex::Unknown),
            identifiers: identifiers.into_boxed_slice(),
        };
        candidate.set_texts(texts.each_ref().map(|text| text.as_deref()));
        candidate
    }

    /// Where the text fields are held, for prefetching.
    pub fn text_start(&self) -> *const u8 {
        self.text.as_ptr()
    }

    pub fn text(&self, field: TextField) -> Option<&str> {
        self.slot(field as usize)
    }

    fn slot(&self, index: usize) -> Option<&str> {
        let start = if index == 0 { 0 } else { self.ends[index - 1] as usize };
        let end = self.ends[index] as usize;
        (end > start).then(|| &self.text[start..end])
    }

    pub fn family(&self) -> Option<&str> {
        self.text(TextField::Family)
    }

    pub fn given(&self) -> Option<&str> {
        self.text(TextField::Given)
    }

    /// Replaces one text field (tests build their look-alikes this way).
    pub fn set_text(&mut self, field: TextField, value: Option<&str>) {
        let mut texts: [Option<String>; TEXT_FIELDS] = Default::default();
        for (index, slot) in texts.iter_mut().enumerate() {
            *slot = self.slot(index).map(str::to_string);
        }
        texts[field as usize] = value.map(str::to_string);
        self.set_texts(texts.each_ref().map(|text| text.as_deref()));
    }

    fn set_texts(&mut self, texts: [Option<&str>; TEXT_FIELDS]) {
        let mut joined = String::with_capacity(texts.iter().flatten().map(|text| text.len()).sum());
        for (index, text) in texts.iter().enumerate() {
            // Offsets are u16: text past 64 KiB in all (no name or address
            // is that long) is cut rather than let an offset wrap.
            if let Some(text) = text {
                let room = (u16::MAX as usize).saturating_sub(joined.len());
                let mut cut = text.len().min(room);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                joined.push_str(&text[..cut]);
            }
            self.ends[index] = joined.len() as u16;
        }
        self.text = joined.into_boxed_str();
    }
}

/// A hash that is the same on every run and every machine (FNV-1a, 64 bits),
/// so that blocking and sampling never depend on hasher randomness.
pub fn stable_hash(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    value.hash(&mut hasher);
    hasher.finish()
}

/// `stable_hash` of the bytes an iterator yields, as of a `Vec<u8>`
/// holding them, without the vector.
pub fn stable_hash_bytes(bytes: impl Iterator<Item = u8> + Clone) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    hasher.write_usize(bytes.clone().count());
    for byte in bytes {
        hasher.write(&[byte]);
    }
    hasher.finish()
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Upper-case A–Z and single spaces: accents and ligatures folded (José →
/// JOSE, Æ → AE), apostrophes dropped (O'Brien → OBRIEN), hyphens and other
/// punctuation read as spaces (Garcia-Lopez → GARCIA LOPEZ).
pub fn fold(text: &str) -> String {
    // Decomposition is the costly part and plain ASCII has nothing to
    // decompose: most names in a US export take the short way.
    if text.is_ascii() { fold_chars(text.chars(), text.len()) } else { fold_chars(text.nfkd(), text.len()) }
}

fn fold_chars(characters: impl Iterator<Item = char>, length: usize) -> String {
    let mut folded = String::with_capacity(length);
    let mut pending_space = false;
    for character in characters {
        if is_combining_mark(character) || matches!(character, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{b4}') {
            continue;
        }
        let expansion = match character {
            'ß' => "SS",
            'æ' | 'Æ' => "AE",
            'œ' | 'Œ' => "OE",
            'ø' | 'Ø' => "O",
            'ł' | 'Ł' => "L",
            'đ' | 'Đ' | 'ð' | 'Ð' => "D",
            'þ' | 'Þ' => "TH",
            'ı' => "I",
            _ => "",
        };
        if !expansion.is_empty() || character.is_ascii_alphanumeric() {
            if pending_space && !folded.is_empty() {
                folded.push(' ');
            }
            pending_space = false;
            if expansion.is_empty() {
                folded.push(character.to_ascii_uppercase());
            } else {
                folded.push_str(expansion);
            }
        } else {
            pending_space = true;
        }
    }
    folded
}

/// Folds a name, strips titles, moves a trailing suffix into `suffix`, and
/// drops placeholders.
fn name_part(text: &str, suffix: &mut Option<&'static str>) -> Option<String> {
    let folded = fold(text);
    let mut words: Vec<&str> = folded.split(' ').filter(|word| !TITLES.contains(word)).collect();
    while words.len() > 1 {
        match words.last().and_then(|last| suffix_of(last)) {
            Some(found) => {
                suffix.get_or_insert(found);
                words.pop();
            }
            None => break,
        }
    }
    let name = words.join(" ");
    (!name.is_empty() && !PLACEHOLDER_NAMES.contains(&name.as_str())).then_some(name)
}

fn suffix_of(folded: &str) -> Option<&'static str> {
    SUFFIXES.iter().copied().find(|suffix| *suffix == folded)
}

/// A national identifier reduced to its digits (or, if it has letters, its
/// folded characters). Values that stand for "unknown" are absent: one
/// digit repeated (000-00-0000, 999-99-9999), 123-45-6789, and SSN areas
/// that were never issued (000, 666, 9xx), so a shared placeholder never
/// links two strangers.
pub fn national_id(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != text.chars().filter(char::is_ascii_alphanumeric).count() {
        let folded = fold(text).replace(' ', "");
        return (!folded.is_empty()).then_some(folded);
    }
    let repeated = digits.bytes().all(|digit| Some(digit) == digits.bytes().next());
    let never_issued =
        digits.len() == 9 && (digits.starts_with("000") || digits.starts_with("666") || digits.starts_with('9'));
    let placeholder = repeated || digits == "123456789" || never_issued;
    (digits.len() >= 4 && !placeholder).then_some(digits)
}

/// Ten digits for a North American number (a leading country code 1
/// dropped), else all its digits. Numbers of one repeated digit are
/// placeholders (000-000-0000) and count as absent.
pub fn phone_number(text: &str) -> Option<String> {
    let mut digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with('1') {
        digits.remove(0);
    }
    let placeholder = digits.bytes().all(|digit| Some(digit) == digits.bytes().next());
    (digits.len() >= 7 && !placeholder).then_some(digits)
}

/// A US ZIP code by its first five digits (ZIP+4 agrees with ZIP); any other
/// postal code folded without spaces.
pub fn postal_code(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let code =
        if digits.len() == 5 || digits.len() == 9 { digits[..5].to_string() } else { fold(text).replace(' ', "") };
    (!code.is_empty() && code.bytes().any(|byte| byte != b'0')).then_some(code)
}

/// Folded, with the usual USPS abbreviations, so `12 Elm Street Apt. 4` and
/// `12 ELM ST APT 4` are one address.
/// Both address lines, standardised, as one: exports disagree on which
/// line holds the street and which the building or apartment.
fn address_lines(record: &Record) -> Option<String> {
    let lines = match (record.text(Field::AddressLine1), record.text(Field::AddressLine2)) {
        (Some(first), Some(second)) => standardise_address(&format!("{first} {second}")),
        (Some(line), None) | (None, Some(line)) => standardise_address(line),
        (None, None) => return None,
    };
    (!lines.is_empty()).then_some(lines)
}

pub fn standardise_address(text: &str) -> String {
    fold(text)
        .split(' ')
        .map(|word| match word {
            "STREET" | "STR" => "ST",
            "AVENUE" | "AV" => "AVE",
            "ROAD" => "RD",
            "DRIVE" => "DR",
            "LANE" => "LN",
            "BOULEVARD" => "BLVD",
            "COURT" => "CT",
            "PLACE" => "PL",
            "TERRACE" => "TER",
            "CIRCLE" => "CIR",
            "HIGHWAY" => "HWY",
            "PARKWAY" => "PKWY",
            "APARTMENT" | "UNIT" | "NO" => "APT",
            "SUITE" => "STE",
            "NORTH" => "N",
            "SOUTH" => "S",
            "EAST" => "E",
            "WEST" => "W",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Entity, Value};
    use crate::source_ref::SourceRef;

    #[test]
    fn hashing_bytes_as_they_come_is_hashing_them_collected() {
        let town = "LAKE CLIFTON".bytes().filter(|&byte| byte != b' ');
        assert_eq!(stable_hash_bytes(town.clone()), stable_hash(&town.collect::<Vec<u8>>()));
        assert_eq!(stable_hash_bytes(std::iter::empty()), stable_hash(&Vec::<u8>::new()));
    }

    #[test]
    fn fold_removes_accents_apostrophes_and_hyphens() {
        assert_eq!(fold("José"), "JOSE");
        assert_eq!(fold("O'Brien"), "OBRIEN");
        assert_eq!(fold("O\u{2019}Brien"), "OBRIEN");
        assert_eq!(fold("García-López"), "GARCIA LOPEZ");
        assert_eq!(fold("  Zoë   Æsir "), "ZOE AESIR");
        assert_eq!(fold("Strauß"), "STRAUSS");
        assert_eq!(fold("Øyvind Łukasz"), "OYVIND LUKASZ");
        assert_eq!(fold("ﬁona"), "FIONA", "ligature");
    }

    #[test]
    fn fold_is_idempotent() {
        for text in ["José", "O'Brien", "García-López", "Ægir  Ødegård", "", "  ", "Smith Jr."] {
            assert_eq!(fold(&fold(text)), fold(text), "{text}");
        }
    }

    #[test]
    fn suffixes_and_titles_leave_the_name() {
        let mut suffix = None;
        assert_eq!(name_part("Brennan Jr.", &mut suffix), Some("BRENNAN".to_string()));
        assert_eq!(suffix, Some("JR"));
        let mut suffix = None;
        assert_eq!(name_part("Dr. Ann", &mut suffix), Some("ANN".to_string()));
        assert_eq!(name_part("UNKNOWN", &mut suffix), None);
        assert_eq!(name_part("Jr", &mut suffix), Some("JR".to_string()), "a lone word stays a name");
    }

    #[test]
    fn placeholder_national_ids_are_absent() {
        assert_eq!(national_id("123-45-6780").as_deref(), Some("123456780"));
        for placeholder in ["000-00-0000", "999-99-9999", "123-45-6789", "666-12-3456", "900-12-3456", ""] {
            assert_eq!(national_id(placeholder), None, "{placeholder}");
        }
        assert_eq!(national_id("AB 12 34 56 C").as_deref(), Some("AB123456C"));
    }

    #[test]
    fn phone_postal_and_address_normalise() {
        assert_eq!(phone_number("(614) 555-0143").as_deref(), Some("6145550143"));
        assert_eq!(phone_number("+1 614 555 0143").as_deref(), Some("6145550143"));
        assert_eq!(phone_number("000-000-0000"), None);
        assert_eq!(postal_code("43215-1234").as_deref(), Some("43215"));
        assert_eq!(postal_code("00000"), None);
        assert_eq!(standardise_address("12 Elm Street, Apartment 4"), "12 ELM ST APT 4");
    }

    #[test]
    fn candidate_takes_placeholders_as_absent() {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 };
        let mut record = Record::new(Entity::Patient, source);
        record.set(Field::FamilyName, Value::Text("Unknown".into()));
        record.set(Field::GivenName, Value::Text("Bob".into()));
        record.set(Field::Sex, Value::Sex(Sex::Unknown));
        record.set(Field::Phone, Value::Text("999-999-9999".into()));
        let candidate = Candidate::from_record(&record, CandidateKind::Patient);
        assert_eq!(candidate.family(), None);
        assert_eq!(candidate.given(), Some("BOB"));
        assert_eq!(candidate.sex, None);
        assert_eq!(candidate.text(TextField::Phone), None);
    }

    #[test]
    fn an_enormous_field_is_cut_without_shifting_the_others() {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 };
        let mut record = Record::new(Entity::Patient, source);
        record.set(Field::FamilyName, Value::Text("Doe".into()));
        record.set(Field::AddressLine1, Value::Text("é".repeat(70_000)));
        record.set(Field::Phone, Value::Text("614 555 0100".into()));
        let candidate = Candidate::from_record(&record, CandidateKind::Patient);
        assert_eq!(candidate.family(), Some("DOE"));
        let address = candidate.text(TextField::Address).unwrap();
        assert!(address.len() < u16::MAX as usize && address.bytes().all(|byte| byte == b'E'));
        assert_eq!(candidate.text(TextField::Phone), None, "no room left: absent, never another field's text");
    }

    #[test]
    fn text_fields_can_be_replaced_one_at_a_time() {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 };
        let mut record = Record::new(Entity::Patient, source);
        record.set(Field::FamilyName, Value::Text("Doe".into()));
        record.set(Field::Phone, Value::Text("614 555 0100".into()));
        let mut candidate = Candidate::from_record(&record, CandidateKind::Patient);
        candidate.set_text(TextField::Given, Some("JANE"));
        assert_eq!(candidate.family(), Some("DOE"));
        assert_eq!(candidate.given(), Some("JANE"));
        assert_eq!(candidate.text(TextField::Address), None);
        assert_eq!(candidate.text(TextField::Phone), Some("6145550100"));
    }
}
