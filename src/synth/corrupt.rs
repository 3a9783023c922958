//! How a legacy system recorded a person: each appearance of a person in a
//! source is rendered from the true person, with mistakes drawn at the rates
//! below (docs/synth.md lists them, and a test keeps the two in step).

use jiff::civil::Date;

use super::names::{NamePool, STREET_TYPES, STREETS, TOWNS};
use super::population::{Address, NationalId, Person, Sex, Suffix};
use super::rng::Rng;

/// Probability of each mistake, per appearance of a person in a source.
pub mod rates {
    pub const FAMILY_TYPO: f64 = 0.03;
    pub const GIVEN_TYPO: f64 = 0.03;
    /// A nickname instead of the formal given name (when it has one).
    pub const NICKNAME: f64 = 0.10;
    pub const NAMES_SWAPPED: f64 = 0.005;
    /// A married woman recorded under her maiden name.
    pub const MAIDEN_NAME: f64 = 0.3;
    /// Day and month swapped (when both could be a month).
    pub const DAY_MONTH_SWAPPED: f64 = 0.02;
    pub const BIRTH_DIGIT_WRONG: f64 = 0.015;
    pub const NATIONAL_ID_DIGIT_WRONG: f64 = 0.01;
    /// The person has a national id, but this record lacks it.
    pub const NATIONAL_ID_MISSING: f64 = 0.3;
    pub const MIDDLE_INITIAL_MISSING: f64 = 0.4;
    pub const SEX_MISSING: f64 = 0.01;
    pub const PHONE_MISSING: f64 = 0.1;
    pub const ADDRESS_MISSING: f64 = 0.04;
    /// A person who moved is recorded at the previous address and phone.
    pub const PREVIOUS_ADDRESS: f64 = 0.35;
    pub const STREET_TYPE_ABBREVIATED: f64 = 0.5;
    /// Jr or Sr written down, for people who have one.
    pub const SUFFIX_RECORDED: f64 = 0.6;
}

/// How a system spells names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// ASCII only: accents dropped, apostrophes kept (most old PM systems).
    Ascii,
    /// What Windows-1252 holds.
    Windows1252,
    /// ASCII, in capitals (scanning vendors).
    AsciiUpper,
}

/// One appearance of a person, as a system recorded it.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub family: String,
    pub given: String,
    pub middle: String,
    pub suffix: String,
    pub birth: Option<Date>,
    pub sex: Option<Sex>,
    pub national_id: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub phone: String,
    /// What was done to it, for the truth file's note.
    pub mistakes: Vec<&'static str>,
}

pub fn render(person: &Person, names: &NamePool, spelling: Spelling, rng: &mut Rng) -> Record {
    let mut record = Record::default();
    let spell = |index: u32| {
        let spellings = names.spellings(index);
        match spelling {
            Spelling::Ascii => spellings.ascii.clone(),
            Spelling::Windows1252 => spellings.windows_1252.clone(),
            Spelling::AsciiUpper => spellings.ascii.to_uppercase(),
        }
    };
    let mut family = person.family;
    if let Some(maiden) = person.maiden
        && rng.chance(rates::MAIDEN_NAME)
    {
        family = maiden;
        record.mistakes.push("maiden name");
    }
    let mut given = person.given;
    if rng.chance(rates::NICKNAME)
        && let Some(&nickname) = rng_pick_opt(rng, names.nicknames(person.given))
    {
        given = nickname;
        record.mistakes.push("nickname");
    }
    record.family = spell(family);
    record.given = spell(given);
    if rng.chance(rates::FAMILY_TYPO) {
        record.family = typo(&record.family, rng);
        record.mistakes.push("surname typo");
    }
    if rng.chance(rates::GIVEN_TYPO) {
        record.given = typo(&record.given, rng);
        record.mistakes.push("given-name typo");
    }
    if rng.chance(rates::NAMES_SWAPPED) {
        std::mem::swap(&mut record.family, &mut record.given);
        record.mistakes.push("given and family names swapped");
    }
    if let Some(letter) = person.middle
        && !rng.chance(rates::MIDDLE_INITIAL_MISSING)
    {
        record.middle = (letter as char).to_string();
    }
    if let Some(suffix) = person.suffix
        && rng.chance(rates::SUFFIX_RECORDED)
    {
        record.suffix = match suffix {
            Suffix::Junior => "Jr",
            Suffix::Senior => "Sr",
        }
        .to_string();
    }
    record.birth = Some(birth(person.birth, rng, &mut record.mistakes));
    record.sex = (!rng.chance(rates::SEX_MISSING)).then_some(person.sex);
    record.national_id = national_id(person.national_id, rng, &mut record.mistakes);
    let (address, phone) = match person.previous {
        Some(previous) if rng.chance(rates::PREVIOUS_ADDRESS) => {
            record.mistakes.push("previous address");
            previous
        }
        _ => (person.address, person.phone),
    };
    if !rng.chance(rates::ADDRESS_MISSING) {
        fill_address(&mut record, address, rng);
    }
    if !rng.chance(rates::PHONE_MISSING) {
        record.phone = format_phone(phone, rng);
    }
    record
}

fn rng_pick_opt<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| rng.pick(items))
}

fn birth(real: Date, rng: &mut Rng, mistakes: &mut Vec<&'static str>) -> Date {
    let (year, month, day) = (real.year(), real.month(), real.day());
    if day <= 12 && day != month && rng.chance(rates::DAY_MONTH_SWAPPED) {
        mistakes.push("day and month swapped");
        return Date::new(year, day, month).unwrap_or(real);
    }
    if rng.chance(rates::BIRTH_DIGIT_WRONG) {
        // One digit of the year or the day, kept a real date.
        let changed = if rng.chance(0.5) {
            let last = year % 10;
            Date::new(year - last + (last + 1 + rng.below(9) as i16) % 10, month, day)
        } else {
            let ones = day % 10;
            Date::new(year, month, day - ones + (ones + 1 + rng.below(9) as i8) % 10)
        };
        if let Ok(changed) = changed
            && changed != real
            && changed <= super::population::reference_day()
        {
            mistakes.push("birth date digit wrong");
            return changed;
        }
    }
    real
}

fn national_id(id: NationalId, rng: &mut Rng, mistakes: &mut Vec<&'static str>) -> String {
    match id {
        NationalId::None => String::new(),
        NationalId::Placeholder(digit) => {
            let d = (b'0' + digit) as char;
            format!("{d}{d}{d}-{d}{d}-{d}{d}{d}{d}")
        }
        NationalId::Issued(_) if rng.chance(rates::NATIONAL_ID_MISSING) => String::new(),
        NationalId::Issued(number) => {
            let mut digits: Vec<u8> = format!("{number:09}").into_bytes();
            if rng.chance(rates::NATIONAL_ID_DIGIT_WRONG) {
                let at = 3 + rng.below(6);
                digits[at] = b'0' + ((digits[at] - b'0' + 1 + rng.below(9) as u8) % 10);
                mistakes.push("national id digit wrong");
            }
            let digits = String::from_utf8(digits).expect("digits");
            format!("{}-{}-{}", &digits[..3], &digits[3..5], &digits[5..])
        }
    }
}

fn fill_address(record: &mut Record, address: Address, rng: &mut Rng) {
    let (long, short) = STREET_TYPES[address.street_type as usize];
    let street_type = if rng.chance(rates::STREET_TYPE_ABBREVIATED) { short } else { long };
    let mut street = format!("{} {} {street_type}", address.number, STREETS[address.street as usize]);
    if let Some(unit) = address.unit {
        let form = *rng.pick(&["Apt", "Apt.", "#", "Unit"]);
        street.push_str(&if form == "#" { format!(" #{unit}") } else { format!(" {form} {unit}") });
    }
    let (city, state, zip) = TOWNS[address.town as usize];
    record.street = street;
    record.city = city.to_string();
    record.state = state.to_string();
    record.zip = zip.to_string();
}

fn format_phone(phone: u64, rng: &mut Rng) -> String {
    let (area, exchange, line) = (phone / 10_000_000, phone / 10_000 % 1000, phone % 10_000);
    match rng.below(3) {
        0 => format!("({area}) {exchange}-{line:04}"),
        1 => format!("{area}-{exchange}-{line:04}"),
        _ => format!("{area}{exchange}{line:04}"),
    }
}

/// One keying mistake: a letter inserted, deleted, replaced, or two
/// neighbours transposed. The first letter is left alone more often than
/// not, as in real typing.
pub fn typo(name: &str, rng: &mut Rng) -> String {
    let mut letters: Vec<char> = name.chars().collect();
    if letters.len() < 3 {
        letters.push(letters.last().copied().unwrap_or('e'));
        return letters.into_iter().collect();
    }
    let at = if rng.chance(0.1) { 0 } else { 1 + rng.below(letters.len() - 1) };
    let upper = letters[0].is_uppercase() && letters.get(1).is_some_and(|c| c.is_uppercase());
    let random_letter = |rng: &mut Rng| {
        let letter = (b'a' + rng.below(26) as u8) as char;
        if upper || at == 0 { letter.to_ascii_uppercase() } else { letter }
    };
    match rng.below(4) {
        0 => letters.insert(at, random_letter(rng)),
        1 if letters.len() > 3 => {
            letters.remove(at);
        }
        2 => letters[at] = random_letter(rng),
        _ => {
            let at = at.min(letters.len() - 2).max(1);
            letters.swap(at, at + 1);
        }
    }
    letters.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_changes_the_name_a_little() {
        let mut rng = Rng::new(5);
        for _ in 0..500 {
            let changed = typo("Thompson", &mut rng);
            let similarity = strsim::jaro_winkler("Thompson", &changed);
            assert!(similarity > 0.8, "{changed}");
        }
    }

    #[test]
    fn national_ids_are_formatted_and_placeholders_shared() {
        let mut rng = Rng::new(1);
        let mut mistakes = Vec::new();
        assert_eq!(national_id(NationalId::Placeholder(0), &mut rng, &mut mistakes), "000-00-0000");
        let mut seen_formatted = false;
        for _ in 0..50 {
            let text = national_id(NationalId::Issued(123_456_780), &mut rng, &mut mistakes);
            if !text.is_empty() {
                assert_eq!(text.len(), 11);
                seen_formatted = true;
            }
        }
        assert!(seen_formatted);
    }

    #[test]
    fn swapped_and_mistyped_births_stay_real_dates() {
        let mut rng = Rng::new(2);
        let real = jiff::civil::date(1961, 3, 9);
        for _ in 0..2_000 {
            let recorded = birth(real, &mut rng, &mut Vec::new());
            assert!(recorded.year() >= 1960 && recorded.year() <= 1969);
        }
    }
}
