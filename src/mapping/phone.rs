//! Phone numbers to E.164 (`+14155550100`): the form an EMR stores and a
//! phone system dials, whatever way the legacy export wrote the number.

/// Countries whose numbers a mapping can name as the default
/// (`phone_country`), with their calling codes. NANP countries have no
/// trunk prefix; the others drop a leading 0 from national numbers.
const COUNTRIES: &[(&str, &str)] = &[
    ("US", "1"),
    ("CA", "1"),
    ("GB", "44"),
    ("UK", "44"),
    ("IE", "353"),
    ("AU", "61"),
    ("NZ", "64"),
    ("DE", "49"),
    ("FR", "33"),
    ("ES", "34"),
    ("IT", "39"),
    ("NL", "31"),
];

pub fn country_names() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|(country, _)| *country)
}

/// The calling code of a country the table knows.
pub fn calling_code(country: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(known, _)| known.eq_ignore_ascii_case(country.trim())).map(|(_, code)| *code)
}

/// `text` as E.164 for a number written in `calling_code`'s country, or
/// written internationally (`+44 20 7946 0958`, `0044 20 ...`); none when
/// it cannot be one (too short or long, letters). An extension (`x12`,
/// `ext. 12`) is left off: E.164 has none.
pub fn to_e164(text: &str, calling_code: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let number = lower.split("ext").next().unwrap_or_default();
    let number = number.split(['x', '#']).next().unwrap_or_default().trim();
    if number.chars().any(|character| character.is_alphabetic()) {
        return None;
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let international = if number.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if calling_code == "1" {
        match digits.len() {
            10 => format!("1{digits}"),
            11 if digits.starts_with('1') => digits,
            _ => return None,
        }
    } else {
        format!("{calling_code}{}", digits.strip_prefix('0').unwrap_or(&digits))
    };
    let plausible = (8..=15).contains(&international.len()) && !international.starts_with('0');
    plausible.then(|| format!("+{international}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_numbers_become_e164() {
        assert_eq!(to_e164("(614) 555-0100", "1").as_deref(), Some("+16145550100"));
        assert_eq!(to_e164("1-614-555-0100", "1").as_deref(), Some("+16145550100"));
        assert_eq!(to_e164("614.555.0100 x12", "1").as_deref(), Some("+16145550100"));
        assert_eq!(to_e164("614-555-0100 ext. 7", "1").as_deref(), Some("+16145550100"));
        assert_eq!(to_e164("+44 20 7946 0958", "1").as_deref(), Some("+442079460958"));
        assert_eq!(to_e164("0044 20 7946 0958", "1").as_deref(), Some("+442079460958"));
        assert_eq!(to_e164("020 7946 0958", "44").as_deref(), Some("+442079460958"));
        assert_eq!(to_e164("0412 345 678", "61").as_deref(), Some("+61412345678"));
    }

    #[test]
    fn what_cannot_be_a_number_is_none() {
        for text in ["555-0100", "614-555-01000", "call home", "+1", "000"] {
            assert_eq!(to_e164(text, "1"), None, "{text}");
        }
        assert_eq!(calling_code("gb"), Some("44"));
        assert_eq!(calling_code("XX"), None);
    }
}
