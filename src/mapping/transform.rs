//! Text transforms a mapping applies to a cell before the value is typed.
//! Every value is trimmed first: legacy exports pad fields with spaces, and
//! a padded name must not look different from the same name unpadded.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Runs of white space (including line breaks) become one space.
    CollapseSpaces,
    Upper,
    Lower,
    /// First letter of each word upper case, the rest lower case.
    TitleCase,
    /// Only the digits 0-9 are kept (phone numbers, ids with dashes).
    DigitsOnly,
    /// A US ZIP code whose leading zeros a spreadsheet dropped gets them
    /// back: 2134 → 02134, 2134-1234 → 02134-1234; a ZIP+4 written without
    /// its dash gets one: 432151234 → 43215-1234. Anything else is left for
    /// validation to judge.
    ZipCode,
}

impl Transform {
    pub const ALL: &'static [(&'static str, Transform)] = &[
        ("collapse_spaces", Transform::CollapseSpaces),
        ("upper", Transform::Upper),
        ("lower", Transform::Lower),
        ("title_case", Transform::TitleCase),
        ("digits_only", Transform::DigitsOnly),
        ("zip_code", Transform::ZipCode),
    ];

    pub fn from_name(name: &str) -> Option<Transform> {
        Transform::ALL.iter().find(|(known, _)| *known == name).map(|(_, transform)| *transform)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        Transform::ALL.iter().map(|(name, _)| *name)
    }

    fn apply(self, text: &str) -> String {
        match self {
            Transform::CollapseSpaces => text.split_whitespace().collect::<Vec<_>>().join(" "),
            Transform::Upper => text.to_uppercase(),
            Transform::Lower => text.to_lowercase(),
            Transform::TitleCase => title_case(text),
            Transform::DigitsOnly => text.chars().filter(char::is_ascii_digit).collect(),
            Transform::ZipCode => zip_code(text),
        }
    }
}

/// Trims, then applies the transforms in the order the mapping lists them.
pub fn apply_all(text: &str, transforms: &[Transform]) -> String {
    transforms.iter().fold(text.trim().to_string(), |text, transform| transform.apply(&text))
}

fn zip_code(text: &str) -> String {
    crate::validate::postal::mend_zip(text).unwrap_or_else(|| text.to_string())
}

/// Capitalises after any non-letter, so O'BRIEN → O'Brien and
/// GARCIA-LOPEZ → Garcia-Lopez.
fn title_case(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut at_word_start = true;
    for character in text.chars() {
        if at_word_start {
            result.extend(character.to_uppercase());
        } else {
            result.extend(character.to_lowercase());
        }
        at_word_start = !character.is_alphabetic();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_apply_in_order_after_trimming() {
        assert_eq!(apply_all("  O'BRIEN  ", &[Transform::TitleCase]), "O'Brien");
        assert_eq!(apply_all("garcia-lopez", &[Transform::TitleCase]), "Garcia-Lopez");
        assert_eq!(apply_all("12  Elm\nSt", &[Transform::CollapseSpaces]), "12 Elm St");
        assert_eq!(apply_all("(614) 555-0100", &[Transform::DigitsOnly]), "6145550100");
        assert_eq!(apply_all(" x ", &[]), "x");
        assert_eq!(apply_all("2134", &[Transform::ZipCode]), "02134");
        assert_eq!(apply_all("501", &[Transform::ZipCode]), "00501");
        assert_eq!(apply_all("2134-1234", &[Transform::ZipCode]), "02134-1234");
        assert_eq!(apply_all("43215", &[Transform::ZipCode]), "43215");
        for untouched in ["12", "K1A 0B6", "2134-12", "abc"] {
            assert_eq!(apply_all(untouched, &[Transform::ZipCode]), untouched);
        }
    }

    #[test]
    fn every_transform_name_resolves() {
        for name in Transform::names() {
            assert!(Transform::from_name(name).is_some());
        }
        assert_eq!(Transform::from_name("uppercase"), None);
    }
}
