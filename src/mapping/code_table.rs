//! Code tables: a legacy system's codes (`1`, `2`, `9`; `F`, `M`) to the
//! canonical values, resolved once into a hash map.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeTable {
    codes: HashMap<String, String>,
    default: Option<String>,
}

/// What a code table made of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup<'a> {
    Listed(&'a str),
    Defaulted(&'a str),
    Unknown,
}

impl CodeTable {
    pub fn new<I>(codes: I, default: Option<String>) -> CodeTable
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let codes = codes.into_iter().map(|(code, value)| (normalise(&code), value)).collect();
        CodeTable { codes, default }
    }

    /// The table used for `sex` when a mapping gives none: the spellings
    /// every system agrees on. Anything else is an unknown code.
    pub fn default_sex() -> CodeTable {
        let pairs = [
            ("F", "female"),
            ("FEMALE", "female"),
            ("M", "male"),
            ("MALE", "male"),
            ("O", "other"),
            ("OTHER", "other"),
            ("U", "unknown"),
            ("UNKNOWN", "unknown"),
        ];
        CodeTable::new(pairs.iter().map(|(code, value)| (code.to_string(), value.to_string())), None)
    }

    pub fn with_default(self, default: Option<String>) -> CodeTable {
        CodeTable { default, ..self }
    }

    /// Codes match ignoring case and surrounding spaces: `f`, `F ` and `F`
    /// are one code in every legacy system we have met.
    pub fn lookup(&self, code: &str) -> Lookup<'_> {
        match self.codes.get(&normalise(code)) {
            Some(value) => Lookup::Listed(value),
            None => match &self.default {
                Some(value) => Lookup::Defaulted(value),
                None => Lookup::Unknown,
            },
        }
    }
}

fn normalise(code: &str) -> String {
    code.trim().to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_falls_back_to_the_default() {
        let table = CodeTable::new([("1".into(), "male".into()), ("2".into(), "female".into())], None);
        assert_eq!(table.lookup(" 2 "), Lookup::Listed("female"));
        assert_eq!(table.lookup("7"), Lookup::Unknown);
        let with_default = CodeTable::new([("f".into(), "female".into())], Some("unknown".into()));
        assert_eq!(with_default.lookup("F"), Lookup::Listed("female"));
        assert_eq!(with_default.lookup("X"), Lookup::Defaulted("unknown"));
    }
}
