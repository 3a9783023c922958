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

/// Words and abbreviations that name one kind of document in any index.
/// Scanning vendors' own short codes (`CONS`: consult or consent? `HP`,
/// `RAD`, `DSUM`) are left to the mapping's `codes`: read here, a guess
/// would file a document under the wrong kind without a word.
const DOCUMENT_TYPE: &[(&str, &str)] = &[
    ("REFERRAL", "referral"),
    ("REFERRALS", "referral"),
    ("REFERRAL LETTER", "referral"),
    ("REFERRAL NOTE", "referral"),
    ("CONSULT", "consult_note"),
    ("CONSULTS", "consult_note"),
    ("CONSULT NOTE", "consult_note"),
    ("CONSULT LETTER", "consult_note"),
    ("CONSULTATION", "consult_note"),
    ("CONSULTATION NOTE", "consult_note"),
    ("CONSULTATION REPORT", "consult_note"),
    ("H&P", "history_and_physical"),
    ("H & P", "history_and_physical"),
    ("H AND P", "history_and_physical"),
    ("HISTORY AND PHYSICAL", "history_and_physical"),
    ("HISTORY & PHYSICAL", "history_and_physical"),
    ("PROGRESS NOTE", "progress_note"),
    ("PROGRESS NOTES", "progress_note"),
    ("OFFICE NOTE", "progress_note"),
    ("OFFICE VISIT", "progress_note"),
    ("VISIT NOTE", "progress_note"),
    ("CLINIC NOTE", "progress_note"),
    ("PROCEDURE NOTE", "procedure_note"),
    ("PROCEDURE REPORT", "procedure_note"),
    ("OPERATIVE NOTE", "operative_note"),
    ("OPERATIVE REPORT", "operative_note"),
    ("OP NOTE", "operative_note"),
    ("OP REPORT", "operative_note"),
    ("SURGICAL REPORT", "operative_note"),
    ("DISCHARGE SUMMARY", "discharge_summary"),
    ("DISCHARGE SUMMARIES", "discharge_summary"),
    ("D/C SUMMARY", "discharge_summary"),
    ("DC SUMMARY", "discharge_summary"),
    ("ER REPORT", "emergency_note"),
    ("ER NOTE", "emergency_note"),
    ("ED NOTE", "emergency_note"),
    ("ED REPORT", "emergency_note"),
    ("EMERGENCY NOTE", "emergency_note"),
    ("EMERGENCY ROOM REPORT", "emergency_note"),
    ("EMERGENCY DEPARTMENT NOTE", "emergency_note"),
    ("LAB", "lab_report"),
    ("LABS", "lab_report"),
    ("LAB RESULT", "lab_report"),
    ("LAB RESULTS", "lab_report"),
    ("LAB REPORT", "lab_report"),
    ("LABORATORY", "lab_report"),
    ("LABORATORY RESULTS", "lab_report"),
    ("LABORATORY REPORT", "lab_report"),
    ("PATHOLOGY", "pathology_report"),
    ("PATHOLOGY REPORT", "pathology_report"),
    ("PATH REPORT", "pathology_report"),
    ("BIOPSY REPORT", "pathology_report"),
    ("RADIOLOGY", "imaging_report"),
    ("RADIOLOGY REPORT", "imaging_report"),
    ("IMAGING", "imaging_report"),
    ("IMAGING REPORT", "imaging_report"),
    ("X-RAY", "imaging_report"),
    ("X-RAY REPORT", "imaging_report"),
    ("XRAY", "imaging_report"),
    ("XRAY REPORT", "imaging_report"),
    ("MRI", "imaging_report"),
    ("MRI REPORT", "imaging_report"),
    ("CT REPORT", "imaging_report"),
    ("ULTRASOUND", "imaging_report"),
    ("ULTRASOUND REPORT", "imaging_report"),
    ("MAMMOGRAM", "imaging_report"),
    ("IMMUNIZATION", "immunization_record"),
    ("IMMUNIZATIONS", "immunization_record"),
    ("IMMUNIZATION RECORD", "immunization_record"),
    ("IMMUNISATION", "immunization_record"),
    ("IMMUNISATIONS", "immunization_record"),
    ("VACCINATION", "immunization_record"),
    ("VACCINATIONS", "immunization_record"),
    ("VACCINATION RECORD", "immunization_record"),
    ("SHOT RECORD", "immunization_record"),
    ("PRESCRIPTION", "prescription"),
    ("PRESCRIPTIONS", "prescription"),
    ("RX", "prescription"),
    ("CONSENT", "consent"),
    ("CONSENTS", "consent"),
    ("CONSENT FORM", "consent"),
    ("INFORMED CONSENT", "consent"),
    ("ADVANCE DIRECTIVE", "advance_directive"),
    ("ADVANCE DIRECTIVES", "advance_directive"),
    ("LIVING WILL", "advance_directive"),
    ("DNR", "advance_directive"),
    ("POLST", "advance_directive"),
    ("INSURANCE", "insurance"),
    ("INSURANCE CARD", "insurance"),
    ("INSURANCE CARDS", "insurance"),
    ("CORRESPONDENCE", "correspondence"),
    ("LETTER", "correspondence"),
    ("LETTERS", "correspondence"),
    ("OTHER", "other"),
    ("MISC", "other"),
    ("MISCELLANEOUS", "other"),
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
    /// that mean the same in every system we know, and the set's own
    /// values (`consult_note`). Anything else is an unknown code, for the
    /// mapping's own `codes` to settle.
    pub fn built_in(set: CodeSet) -> CodeTable {
        let pairs = match set {
            CodeSet::Sex => SEX,
            CodeSet::MaritalStatus => MARITAL_STATUS,
            CodeSet::DocumentType => DOCUMENT_TYPE,
        };
        let spellings = pairs.iter().map(|(code, value)| (code.to_string(), value.to_string()));
        let own = set.values().iter().map(|value| (value.to_string(), value.to_string()));
        CodeTable::new(spellings.chain(own), None)
    }

    pub fn with_default(self, default: Option<String>) -> CodeTable {
        CodeTable { default, ..self }
    }

    /// Whether the table itself lists the code (a default aside).
    pub fn knows(&self, code: &str) -> bool {
        self.codes.contains_key(&normalise(code))
    }

    /// Codes match ignoring case, surrounding spaces and the length of the
    /// spaces between words: `f`, `F ` and `F` are one code in every legacy
    /// system we have met, and so are `Referral Letter` and `Referral  Letter`
    /// typed with a double space.
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
    code.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
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
        let spaced = CodeTable::new([("Never Married".into(), "single".into())], None);
        assert_eq!(spaced.lookup("never  married"), Lookup::Listed("single"));
        assert_eq!(spaced.lookup("Never\tMarried "), Lookup::Listed("single"));
        assert_eq!(CodeTable::built_in(CodeSet::DocumentType).lookup("Referral   Letter"), Lookup::Listed("referral"));
    }

    #[test]
    fn every_built_in_value_is_canonical() {
        for &set in CodeSet::ALL {
            for value in CodeTable::built_in(set).codes.values() {
                assert!(set.values().contains(&value.as_str()), "{set:?}: {value}");
            }
        }
    }

    #[test]
    fn no_built_in_spelling_is_listed_twice() {
        for pairs in [SEX, MARITAL_STATUS, DOCUMENT_TYPE] {
            let mut seen = std::collections::HashSet::new();
            for (code, _) in pairs {
                assert!(seen.insert(normalise(code)), "{code} is listed twice");
                assert_eq!(*code, normalise(code), "{code}: spellings are written as they are looked up");
            }
        }
    }

    #[test]
    fn every_value_of_a_set_reads_as_itself() {
        for &set in CodeSet::ALL {
            let table = CodeTable::built_in(set);
            for value in set.values() {
                assert_eq!(table.lookup(value), Lookup::Listed(value), "{set:?}");
            }
        }
    }

    #[test]
    fn built_in_document_types_read_common_spellings() {
        let table = CodeTable::built_in(CodeSet::DocumentType);
        let read = [
            ("LAB", "lab_report"),
            ("Labs", "lab_report"),
            ("lab results", "lab_report"),
            ("Referral Letter", "referral"),
            ("X-Ray Report", "imaging_report"),
            ("Radiology", "imaging_report"),
            ("Consult", "consult_note"),
            ("H&P", "history_and_physical"),
            ("Op Report", "operative_note"),
            ("D/C Summary", "discharge_summary"),
            ("ER Report", "emergency_note"),
            ("Immunizations", "immunization_record"),
            ("Rx", "prescription"),
            ("Consent Form", "consent"),
            ("Living Will", "advance_directive"),
            ("Insurance Card", "insurance"),
            ("Letter", "correspondence"),
            ("Misc", "other"),
            (" consult_note ", "consult_note"),
        ];
        for (code, value) in read {
            assert_eq!(table.lookup(code), Lookup::Listed(value), "{code}");
        }
    }

    #[test]
    fn built_in_document_types_never_read_a_vendors_own_code() {
        let table = CodeTable::built_in(CodeSet::DocumentType);
        for code in ["CONS", "HP", "RAD", "DSUM", "OPN", "CORR", "IMM", "EKG", "1", ""] {
            assert_eq!(table.lookup(code), Lookup::Unknown, "{code}");
        }
        let defaulted = table.with_default(Some("other".into()));
        assert_eq!(defaulted.lookup("CONS"), Lookup::Defaulted("other"));
        assert_eq!(defaulted.lookup("Labs"), Lookup::Listed("lab_report"));
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
