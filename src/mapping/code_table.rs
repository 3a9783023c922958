//! Code tables: a legacy system's codes (`1`, `2`, `9`; `F`, `M`) to the
//! canonical values, resolved once into a hash map.

use std::collections::HashMap;

use crate::record::CodeSet;

const SEX: &[(&str, &str)] = &[
    ("F", "female"),
    ("FEMALE", "female"),
    ("M", "male"),
    ("MALE", "male"),
    ("O", "other"),
    ("OTHER", "other"),
    ("U", "unknown"),
    ("UNKNOWN", "unknown"),
];

/// Single letters only where HL7 v2 table 0002 and FHIR's marital-status
/// agree (S, M, D, W). They disagree on the others: `A` is separated in v2
/// and annulled in FHIR, `U` unknown in v2 and unmarried in FHIR, `P` and
/// `T` differ too, so reading any of them would be a guess.
const MARITAL_STATUS: &[(&str, &str)] = &[
    ("S", "single"),
    ("SINGLE", "single"),
    ("NEVER MARRIED", "single"),
    ("M", "married"),
    ("MARRIED", "married"),
    ("PARTNERED", "partnered"),
    ("PARTNER", "partnered"),
    ("DOMESTIC PARTNER", "partnered"),
    ("CIVIL UNION", "partnered"),
    ("SEPARATED", "separated"),
    ("LEGALLY SEPARATED", "separated"),
    ("D", "divorced"),
    ("DIVORCED", "divorced"),
    ("W", "widowed"),
    ("WIDOWED", "widowed"),
    ("WIDOW", "widowed"),
    ("WIDOWER", "widowed"),
    ("UNKNOWN", "unknown"),
    ("UNK", "unknown"),
];

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

    /// The table a coded field uses when its mapping gives none: spellings
    /// that mean the same in every system we know. Anything else is an
    /// unknown code, for the mapping's own `codes` to settle.
    pub fn built_in(set: CodeSet) -> CodeTable {
        let pairs = match set {
            CodeSet::Sex => SEX,
            CodeSet::MaritalStatus => MARITAL_STATUS,
        };
        CodeTable::new(pairs.iter().map(|(code, value)| (code.to_string(), value.to_string())), None)
    }

    pub fn with_default(self, default: Option<String>) -> CodeTable {
        CodeTable { default, ..self }
    }

    /// Whether the table itself lists the code (a default aside).
    pub fn knows(&self, code: &str) -> bool {
        self.codes.contains_key(&normalise(code))
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

    #[test]
    fn every_built_in_value_is_canonical() {
        for set in [CodeSet::Sex, CodeSet::MaritalStatus] {
            for value in CodeTable::built_in(set).codes.values() {
                assert!(set.values().contains(&value.as_str()), "{set:?}: {value}");
            }
        }
    }

    #[test]
    fn built_in_marital_status_reads_common_spellings() {
        let table = CodeTable::built_in(CodeSet::MaritalStatus);
        let read = [
            ("S", "single"),
            ("single", "single"),
            ("Never Married", "single"),
            ("m", "married"),
            ("Married", "married"),
            ("Partnered", "partnered"),
            ("partner", "partnered"),
            ("Domestic Partner", "partnered"),
            ("civil union", "partnered"),
            ("Separated", "separated"),
            ("Legally Separated", "separated"),
            ("D", "divorced"),
            ("DIVORCED", "divorced"),
            ("w", "widowed"),
            ("Widowed", "widowed"),
            ("Widow", "widowed"),
            ("widower", "widowed"),
            ("Unknown", "unknown"),
            ("UNK", "unknown"),
            (" M ", "married"),
        ];
        for (code, value) in read {
            assert_eq!(table.lookup(code), Lookup::Listed(value), "{code}");
        }
    }

    #[test]
    fn built_in_marital_status_never_reads_a_code_the_standards_disagree_on() {
        let table = CodeTable::built_in(CodeSet::MaritalStatus);
        for code in ["A", "U", "P", "T", "C", "X", "1", "", "Mar ried"] {
            assert_eq!(table.lookup(code), Lookup::Unknown, "{code}");
        }
        let defaulted = table.with_default(Some("unknown".into()));
        assert_eq!(defaulted.lookup("A"), Lookup::Defaulted("unknown"));
    }

    #[test]
    fn built_in_sex_reads_letters_and_words() {
        let table = CodeTable::built_in(CodeSet::Sex);
        assert_eq!(table.lookup("f"), Lookup::Listed("female"));
        assert_eq!(table.lookup("Male"), Lookup::Listed("male"));
        assert_eq!(table.lookup("X"), Lookup::Unknown);
    }
}
