//! Comparison: two candidates, field by field, into comparison levels. Levels
//! are what scoring weighs and what an explanation shows; no text is
//! allocated here, because this runs once per candidate pair.

use jiff::civil::Date;
use serde::Serialize;

use super::nickname::share_group;
use super::normalize::Candidate;

/// Jaro-Winkler similarity at or above which names count as a likely typo.
const CLOSE: f64 = 0.92;
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
    Different,
    Missing,
}

/// National identifiers: a keying error (one digit, or two neighbours
/// swapped) is told apart from a different number.
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

/// How two candidates compare, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Comparison {
    pub family: NameLevel,
    pub given: NameLevel,
    pub middle_initial: Agreement,
    pub suffix: Agreement,
    pub birth: DateLevel,
    pub sex: Agreement,
    pub national_id: IdLevel,
    pub postal: Agreement,
    pub phone: Agreement,
    pub address: Agreement,
    /// A shared identifier (agree), or the same system with other values.
    pub identifier: Agreement,
}

pub fn compare(a: &Candidate, b: &Candidate) -> Comparison {
    let (family, given) = compare_names(a, b);
    Comparison {
        family,
        given,
        middle_initial: agreement(a.middle_initial, b.middle_initial),
        suffix: agreement(a.suffix, b.suffix),
        birth: compare_dates(a.birth, b.birth),
        sex: agreement(a.sex, b.sex),
        national_id: compare_national_ids(a.national_id.as_deref(), b.national_id.as_deref()),
        postal: agreement(a.postal.as_deref(), b.postal.as_deref()),
        phone: agreement(a.phone.as_deref(), b.phone.as_deref()),
        address: compare_addresses(a.address.as_deref(), b.address.as_deref()),
        identifier: compare_identifiers(a, b),
    }
}

fn agreement<T: PartialEq>(a: Option<T>, b: Option<T>) -> Agreement {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Agreement::Agree,
        (Some(_), Some(_)) => Agreement::Disagree,
        _ => Agreement::Missing,
    }
}

fn compare_names(a: &Candidate, b: &Candidate) -> (NameLevel, NameLevel) {
    let family = compare_name(a.family.as_deref(), b.family.as_deref());
    let given = match compare_name(a.given.as_deref(), b.given.as_deref()) {
        NameLevel::Close | NameLevel::Similar | NameLevel::Different | NameLevel::Partial
            if share_group(&a.given_groups, &b.given_groups) =>
        {
            NameLevel::Nickname
        }
        level => level,
    };
    let both_differ = !matches!(family, NameLevel::Exact | NameLevel::Close)
        && !matches!(given, NameLevel::Exact | NameLevel::Close | NameLevel::Nickname);
    if both_differ
        && is_same_name(a.family.as_deref(), b.given.as_deref())
        && is_same_name(a.given.as_deref(), b.family.as_deref())
    {
        return (NameLevel::Swapped, NameLevel::Swapped);
    }
    (family, given)
}

fn is_same_name(a: Option<&str>, b: Option<&str>) -> bool {
    matches!(compare_name(a, b), NameLevel::Exact | NameLevel::Close)
}

fn compare_name(a: Option<&str>, b: Option<&str>) -> NameLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return NameLevel::Missing;
    };
    if a == b || a.bytes().filter(|byte| *byte != b' ').eq(b.bytes().filter(|byte| *byte != b' ')) {
        return NameLevel::Exact;
    }
    let similarity = strsim::jaro_winkler(a, b);
    if similarity >= CLOSE {
        NameLevel::Close
    } else if is_word_of(a, b) || is_word_of(b, a) {
        NameLevel::Partial
    } else if similarity >= SIMILAR {
        NameLevel::Similar
    } else {
        NameLevel::Different
    }
}

/// True when `short` is one whole word of the multi-word `long`.
fn is_word_of(short: &str, long: &str) -> bool {
    !short.contains(' ') && long.contains(' ') && long.split(' ').any(|word| word == short)
}

fn compare_dates(a: Option<Date>, b: Option<Date>) -> DateLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return DateLevel::Missing;
    };
    if a == b {
        return DateLevel::Exact;
    }
    if a.year() == b.year() && a.month() == b.day() && a.day() == b.month() {
        return DateLevel::DayMonthSwapped;
    }
    let digits = |date: Date| {
        let (year, month, day) = (date.year() as i32, date.month() as i32, date.day() as i32);
        [year / 1000 % 10, year / 100 % 10, year / 10 % 10, year % 10, month / 10, month % 10, day / 10, day % 10]
    };
    let differing = digits(a).iter().zip(digits(b).iter()).filter(|(x, y)| x != y).count();
    if differing == 1 { DateLevel::OneDigit } else { DateLevel::Different }
}

/// Same house number and nearly the same street line.
fn compare_addresses(a: Option<&str>, b: Option<&str>) -> Agreement {
    let (Some(a), Some(b)) = (a, b) else {
        return Agreement::Missing;
    };
    if a == b || (house_number(a) == house_number(b) && strsim::jaro_winkler(a, b) >= 0.9) {
        Agreement::Agree
    } else {
        Agreement::Disagree
    }
}

fn compare_national_ids(a: Option<&str>, b: Option<&str>) -> IdLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return IdLevel::Missing;
    };
    if a == b {
        return IdLevel::Exact;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return IdLevel::Different;
    }
    // The first two differing positions, and whether there are more.
    let mut differing = (0..a.len()).filter(|&index| a[index] != b[index]);
    match (differing.next(), differing.next(), differing.next()) {
        (Some(_), None, _) => IdLevel::OneDigitOrTransposed,
        (Some(i), Some(j), None) if j == i + 1 && a[i] == b[j] && a[j] == b[i] => IdLevel::OneDigitOrTransposed,
        _ => IdLevel::Different,
    }
}

fn house_number(address: &str) -> Option<&str> {
    address.split(' ').next().filter(|word| word.bytes().any(|byte| byte.is_ascii_digit()))
}

fn compare_identifiers(a: &Candidate, b: &Candidate) -> Agreement {
    let mut same_system = false;
    for left in &a.identifiers {
        for right in &b.identifiers {
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
    use crate::matching::tests::candidate;
    use jiff::civil::date;

    #[test]
    fn name_levels() {
        assert_eq!(compare_name(Some("SMITH"), Some("SMITH")), NameLevel::Exact);
        assert_eq!(compare_name(Some("GARCIA LOPEZ"), Some("GARCIALOPEZ")), NameLevel::Exact);
        assert_eq!(compare_name(Some("THOMPSON"), Some("THOMSPON")), NameLevel::Close);
        assert_eq!(compare_name(Some("GARCIA"), Some("GARCIA LOPEZ")), NameLevel::Partial);
        assert_eq!(compare_name(Some("SMITH"), Some("JONES")), NameLevel::Different);
        assert_eq!(compare_name(None, Some("JONES")), NameLevel::Missing);
    }

    #[test]
    fn nicknames_and_swapped_names_are_recognised() {
        let bob = candidate("Bob", "Smith", date(1980, 1, 2));
        let robert = candidate("Robert", "Smith", date(1980, 1, 2));
        assert_eq!(compare(&bob, &robert).given, NameLevel::Nickname);
        let swapped = candidate("Smith", "Robert", date(1980, 1, 2));
        let comparison = compare(&robert, &swapped);
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
        assert_eq!(compare_dates(None, d(1984, 3, 4)), DateLevel::Missing);
    }

    #[test]
    fn national_id_levels() {
        assert_eq!(compare_national_ids(Some("123456780"), Some("123456780")), IdLevel::Exact);
        assert_eq!(compare_national_ids(Some("123456780"), Some("123456781")), IdLevel::OneDigitOrTransposed);
        assert_eq!(compare_national_ids(Some("123456780"), Some("123457680")), IdLevel::OneDigitOrTransposed);
        assert_eq!(compare_national_ids(Some("123456780"), Some("987654320")), IdLevel::Different);
        assert_eq!(compare_national_ids(None, Some("987654320")), IdLevel::Missing);
    }

    #[test]
    fn addresses_need_the_same_house_number() {
        assert_eq!(compare_addresses(Some("12 ELM ST"), Some("12 ELM ST APT 4")), Agreement::Agree);
        assert_eq!(compare_addresses(Some("12 ELM ST"), Some("14 ELM ST")), Agreement::Disagree);
    }
}
