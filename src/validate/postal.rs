//! Postal addresses: which states and postal codes a country's post could
//! deliver to. The United States is the one scheme built in (USPS state
//! codes, ZIP and ZIP+4); `none` accepts any value, for a practice in
//! another country. Mapping asks the same scheme to turn a state written as
//! its name into its code.

use serde::Deserialize;

/// The conventions a mapping's addresses follow (`[validate] postal`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum PostalScheme {
    #[default]
    #[serde(rename = "us")]
    Us,
    #[serde(rename = "none")]
    None,
}

/// The USPS codes of the states, the District of Columbia, the territories
/// and the armed forces' mail, with the names people write instead.
const US_STATES: &[(&str, &[&str])] = &[
    ("AL", &["Alabama"]),
    ("AK", &["Alaska"]),
    ("AZ", &["Arizona"]),
    ("AR", &["Arkansas"]),
    ("CA", &["California"]),
    ("CO", &["Colorado"]),
    ("CT", &["Connecticut"]),
    ("DE", &["Delaware"]),
    ("DC", &["District of Columbia", "Washington DC"]),
    ("FL", &["Florida"]),
    ("GA", &["Georgia"]),
    ("HI", &["Hawaii"]),
    ("ID", &["Idaho"]),
    ("IL", &["Illinois"]),
    ("IN", &["Indiana"]),
    ("IA", &["Iowa"]),
    ("KS", &["Kansas"]),
    ("KY", &["Kentucky"]),
    ("LA", &["Louisiana"]),
    ("ME", &["Maine"]),
    ("MD", &["Maryland"]),
    ("MA", &["Massachusetts"]),
    ("MI", &["Michigan"]),
    ("MN", &["Minnesota"]),
    ("MS", &["Mississippi"]),
    ("MO", &["Missouri"]),
    ("MT", &["Montana"]),
    ("NE", &["Nebraska"]),
    ("NV", &["Nevada"]),
    ("NH", &["New Hampshire"]),
    ("NJ", &["New Jersey"]),
    ("NM", &["New Mexico"]),
    ("NY", &["New York"]),
    ("NC", &["North Carolina"]),
    ("ND", &["North Dakota"]),
    ("OH", &["Ohio"]),
    ("OK", &["Oklahoma"]),
    ("OR", &["Oregon"]),
    ("PA", &["Pennsylvania"]),
    ("RI", &["Rhode Island"]),
    ("SC", &["South Carolina"]),
    ("SD", &["South Dakota"]),
    ("TN", &["Tennessee"]),
    ("TX", &["Texas"]),
    ("UT", &["Utah"]),
    ("VT", &["Vermont"]),
    ("VA", &["Virginia"]),
    ("WA", &["Washington"]),
    ("WV", &["West Virginia"]),
    ("WI", &["Wisconsin"]),
    ("WY", &["Wyoming"]),
    ("AS", &["American Samoa"]),
    ("GU", &["Guam"]),
    ("MP", &["Northern Mariana Islands"]),
    ("PR", &["Puerto Rico"]),
    ("VI", &["Virgin Islands", "US Virgin Islands"]),
    ("AA", &["Armed Forces Americas"]),
    ("AE", &["Armed Forces Europe"]),
    ("AP", &["Armed Forces Pacific"]),
];

impl PostalScheme {
    /// Every way the scheme reads a state, as (spelling, code) pairs: the
    /// code itself and the names. Empty for `none`, which knows no states.
    pub fn state_spellings(self) -> Vec<(String, String)> {
        match self {
            PostalScheme::Us => US_STATES
                .iter()
                .flat_map(|&(code, names)| {
                    std::iter::once(code).chain(names.iter().copied()).map(move |spelling| (state_key(spelling), code))
                })
                .map(|(spelling, code)| (spelling, code.to_string()))
                .collect(),
            PostalScheme::None => Vec::new(),
        }
    }

    /// Why `value` is no state the scheme knows, if it is not. Mapping has
    /// already turned names into codes, so only a code passes.
    pub fn state_problem(self, value: &str) -> Option<&'static str> {
        match self {
            PostalScheme::Us if !US_STATES.iter().any(|(code, _)| *code == value) => {
                Some("expected a USPS two-letter code, or a state's name")
            }
            PostalScheme::Us | PostalScheme::None => None,
        }
    }

    /// Why `value` is no postal code the scheme's post could deliver to, if
    /// it is not.
    pub fn postal_code_problem(self, value: &str) -> Option<&'static str> {
        match self {
            PostalScheme::Us => zip_problem(value),
            PostalScheme::None => None,
        }
    }
}

/// How a state's spelling is looked up: without dots or commas, words
/// separated by one space (`Washington, D.C.` is `Washington DC`). Case is
/// the code table's business.
pub fn state_key(text: &str) -> String {
    let plain: String = text.chars().filter(|character| *character != '.').collect();
    plain
        .split(|character: char| character == ',' || character.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A ZIP code a spreadsheet stored as a number, its lost leading zeros
/// restored (`2134` is `02134`, `2134-5678` is `02134-5678`), or a ZIP+4
/// written without its dash (`432151234` is `43215-1234`); `None` for a
/// value that is not such a ZIP, a whole one included. Seven or eight
/// digits are left alone: a ZIP+4 that lost its zeros, or a date typed
/// into the column (`20240115`), nothing tells which. The `zip_code`
/// transform, and the advice validation gives, both rest on it.
pub fn mend_zip(text: &str) -> Option<String> {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if digits(text) && text.len() == 9 {
        return Some(format!("{}-{}", &text[..5], &text[5..]));
    }
    let (zip, plus_four) = match text.split_once('-') {
        Some((zip, plus_four)) => (zip, Some(plus_four)),
        None => (text, None),
    };
    let plus_four_ok = plus_four.is_none_or(|plus_four| digits(plus_four) && plus_four.len() == 4);
    if !digits(zip) || !(3..5).contains(&zip.len()) || !plus_four_ok {
        return None;
    }
    Some(match plus_four {
        Some(plus_four) => format!("{zip:0>5}-{plus_four}"),
        None => format!("{zip:0>5}"),
    })
}

/// A ZIP code is five digits, or ZIP+4: five digits, a dash and four. A
/// shorter one is most often a ZIP a spreadsheet stored as a number; when
/// the `zip_code` transform would mend it, the detail says so.
fn zip_problem(value: &str) -> Option<&'static str> {
    let digits = |part: &str, count: usize| part.len() == count && part.bytes().all(|byte| byte.is_ascii_digit());
    let (zip, plus_four) = match value.split_once('-') {
        Some((zip, plus_four)) => (zip, Some(plus_four)),
        None => (value, None),
    };
    if digits(zip, 5) && plus_four.is_none_or(|plus_four| digits(plus_four, 4)) {
        return None;
    }
    let dashless = value.len() > 5 && !value.contains('-');
    Some(if mend_zip(value).is_some() && dashless {
        "a ZIP+4 without its dash: the `zip_code` transform writes it as 99999-9999"
    } else if mend_zip(value).is_some() {
        "fewer than five digits: a leading zero lost? the `zip_code` transform restores it"
    } else {
        "expected 99999 or 99999-9999"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transform_is_advised_exactly_where_it_mends_the_zip() {
        let values = ["2134", "213", "2134-5678", "2134-12", "2134-", "12", "123456", "02134", "O2134", "2134-56789"];
        for value in values.into_iter().chain(["432151234", "21181234", "20240115", "4321512345", "43215 1234"]) {
            let advised = zip_problem(value).is_some_and(|detail| detail.contains("zip_code"));
            assert_eq!(advised, mend_zip(value).is_some(), "{value}");
        }
        assert_eq!(mend_zip("2134-5678").as_deref(), Some("02134-5678"));
        assert_eq!(mend_zip("432151234").as_deref(), Some("43215-1234"));
        assert_eq!(mend_zip("20240115"), None, "a date, or a ZIP+4 that lost a zero: not guessed");
        assert_eq!(mend_zip("123456"), None, "six digits are neither");
        assert!(zip_problem("432151234").is_some_and(|detail| detail.contains("without its dash")));
        assert!(zip_problem("2134-5678").is_some_and(|detail| detail.contains("fewer than five digits")));
        assert_eq!(zip_problem("2134-12"), Some("expected 99999 or 99999-9999"));
    }

    #[test]
    fn us_states_are_their_usps_codes() {
        for code in ["OH", "NY", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP", "WY"] {
            assert_eq!(PostalScheme::Us.state_problem(code), None, "{code}");
        }
        for value in ["Ohio", "oh", "XX", "O", "OHI", "", "N.Y."] {
            assert!(PostalScheme::Us.state_problem(value).is_some(), "{value}");
        }
        assert_eq!(US_STATES.len(), 59, "50 states, DC, 5 territories, 3 military codes");
    }

    #[test]
    fn a_state_is_read_from_its_code_or_its_name() {
        let spellings = PostalScheme::Us.state_spellings();
        let code_of = |text: &str| {
            let key = state_key(text).to_uppercase();
            spellings.iter().find(|(spelling, _)| spelling.to_uppercase() == key).map(|(_, code)| code.as_str())
        };
        assert_eq!(code_of("Ohio"), Some("OH"));
        assert_eq!(code_of("new  york"), Some("NY"));
        assert_eq!(code_of("Washington, D.C."), Some("DC"));
        assert_eq!(code_of("D.C."), Some("DC"));
        assert_eq!(code_of("U.S. Virgin Islands"), Some("VI"));
        assert_eq!(code_of("oh"), Some("OH"));
        assert_eq!(code_of("Ontario"), None);
        assert!(PostalScheme::None.state_spellings().is_empty());
    }

    #[test]
    fn zip_codes_are_five_digits_or_zip_plus_four() {
        for zip in ["43215", "02134", "02134-1234", "00501"] {
            assert_eq!(PostalScheme::Us.postal_code_problem(zip), None, "{zip}");
        }
        for zip in ["2134", "501", "2134-1234", "432151234"] {
            let problem = PostalScheme::Us.postal_code_problem(zip).unwrap();
            assert!(problem.contains("zip_code"), "{zip}: {problem}");
        }
        for zip in ["4321512345", "43215-12", "43215-", "4321A", "K1A 0B6", "SW1A 1AA", "12", "43215 1234"] {
            assert_eq!(PostalScheme::Us.postal_code_problem(zip), Some("expected 99999 or 99999-9999"), "{zip}");
        }
    }

    #[test]
    fn scheme_none_accepts_any_address() {
        assert_eq!(PostalScheme::None.state_problem("Ontario"), None);
        assert_eq!(PostalScheme::None.postal_code_problem("K1A 0B6"), None);
        assert_eq!(PostalScheme::default(), PostalScheme::Us);
    }
}
