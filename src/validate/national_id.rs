//! National identifiers: which values a scheme could have issued. US Social
//! Security numbers are the one scheme built in; `none` accepts any value
//! (an export of another country's ids, or a benchmark's). Matching asks
//! the same question before letting two ids keep two records apart.

use serde::Deserialize;

/// The scheme a mapping's national ids follow (`[validate] national_id`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum NationalIdScheme {
    #[default]
    #[serde(rename = "us-ssn")]
    UsSsn,
    #[serde(rename = "none")]
    None,
}

impl NationalIdScheme {
    /// Why the scheme could not have issued `value`, if it could not.
    pub fn problem(self, value: &str) -> Option<&'static str> {
        match self {
            NationalIdScheme::UsSsn => ssn_problem(value),
            NationalIdScheme::None => None,
        }
    }
}

/// Why a value is no Social Security number the Administration could have
/// issued: nine digits (dashes and spaces aside), an area that is not 000,
/// 666 or 900-999, a group that is not 00, a serial that is not 0000.
pub fn ssn_problem(value: &str) -> Option<&'static str> {
    let digits: String = value.chars().filter(|character| !matches!(character, '-' | ' ')).collect();
    if digits.len() != 9 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Some("not nine digits");
    }
    let (area, group, serial) = (&digits[..3], &digits[3..5], &digits[5..]);
    if area == "000" || area == "666" || area.starts_with('9') {
        Some("an area number never issued (000, 666 or 900-999)")
    } else if group == "00" {
        Some("group 00, never issued")
    } else if serial == "0000" {
        Some("serial 0000, never issued")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssns_follow_the_area_group_and_serial_rules() {
        assert_eq!(ssn_problem("123-45-6780"), None);
        assert_eq!(ssn_problem("123456780"), None);
        for (value, why) in [
            ("000-12-3456", "area"),
            ("666-12-3456", "area"),
            ("912-34-5678", "area"),
            ("123-00-4567", "group"),
            ("123-45-0000", "serial"),
            ("12-345-678", "nine digits"),
            ("123-45-678X", "nine digits"),
        ] {
            assert!(ssn_problem(value).is_some_and(|problem| problem.contains(why)), "{value}");
        }
        assert_eq!(NationalIdScheme::None.problem("7364009"), None);
    }
}
