//! Findings about single rows: `Issue`, its stable `IssueCode` and `Severity`.
//!
//! A bad row is an `Issue`, never an `Err`: extract, mapping, validate and
//! matching all record issues against the row's `SourceRef`, and the report
//! counts them. An issue names the row and the field, never the value, because
//! values are patient data; the one exception is the code an
//! `E-CODE-UNKNOWN` could not find (at most 12 characters, and only in
//! rejected.csv, which holds the row's identifiers already), which is what
//! a person adds to the code table. The codes are stable strings: scripts and people
//! search for them, so a code is never renamed or reused (docs/issues.md).

use std::fmt;

use serde::Serialize;

use crate::record::Field;
use crate::source_ref::SourceRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Loaded, but flagged in the report.
    Warning,
    /// The row is rejected and listed in rejected.csv.
    Error,
}

macro_rules! issue_codes {
    ($($variant:ident => ($code:literal, $severity:ident, $summary:literal),)*) => {
        /// Every finding the tool can make about a row.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum IssueCode { $($variant,)* }

        impl IssueCode {
            pub const ALL: &'static [IssueCode] = &[$(IssueCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(IssueCode::$variant => $code,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(IssueCode::$variant => Severity::$severity,)* }
            }

            /// One line for the report and docs/issues.md.
            pub fn summary(self) -> &'static str {
                match self { $(IssueCode::$variant => $summary,)* }
            }
        }
    };
}

issue_codes! {
    RowFieldCount => ("E-ROW-FIELD-COUNT", Error,
        "the row has fewer fields than the header, or values beyond it; they cannot be attributed to columns"),
    CellError => ("E-CELL-ERROR", Error,
        "a spreadsheet cell holds an error value such as #REF! or #N/A"),
    RequiredMissing => ("E-REQUIRED-MISSING", Error,
        "a field the entity cannot be loaded without is blank"),
    DateUnparseable => ("E-DATE-UNPARSEABLE", Error,
        "a date matches none of the formats the mapping lists"),
    DateInvalid => ("E-DATE-INVALID", Error,
        "a date has the right shape but does not exist, such as 31 February"),
    DateAmbiguous => ("E-DATE-AMBIGUOUS", Error,
        "a date reads as two different days under the mapping's formats (01/02/03); it is never guessed"),
    NumberInvalid => ("E-NUMBER-INVALID", Error,
        "a field that must be a whole number is not one"),
    CodeUnknown => ("E-CODE-UNKNOWN", Error,
        "a coded value is not in the code table (the mapping's `codes`, or the built-in one of `sex`, `marital_status` or `document_type`), and there is no default"),
    PhoneInvalid => ("W-PHONE-INVALID", Warning,
        "the phone number cannot be made E.164 for the mapping's `phone_country`; loaded as written"),
    NationalIdInvalid => ("W-NATIONAL-ID-INVALID", Warning,
        "the national identifier is not one its scheme could have issued; loaded, and never used to keep records apart"),
    EmailInvalid => ("W-EMAIL-INVALID", Warning,
        "the email address cannot be one: the detail names the rule it breaks; kept as written"),
    StateInvalid => ("W-STATE-INVALID", Warning,
        "the state is neither a USPS code nor a state's name; kept as written"),
    PostalCodeInvalid => ("W-POSTAL-CODE-INVALID", Warning,
        "the postal code is not a US ZIP code (99999 or 99999-9999); kept as written"),
    RegexNoMatch => ("E-REGEX-NO-MATCH", Error,
        "the value does not match the field's `regex` in the mapping"),
    NameUnsplittable => ("E-NAME-UNSPLITTABLE", Error,
        "a whole name cannot be split into its parts in the mapping's `split_name` form; the detail says what did not fit"),
    NameAmbiguous => ("E-NAME-AMBIGUOUS", Error,
        "a whole name splits two ways between middle and family name (a capitalised `Van` before the last word); it is never guessed"),
    BirthDateFuture => ("E-BIRTH-DATE-FUTURE", Error,
        "the birth date is after the day of the run"),
    BirthDateTooOld => ("E-BIRTH-DATE-TOO-OLD", Error,
        "the birth date is more years before the day of the run than a person lives (120, or the mapping's max_age_years)"),
    DeathDateFuture => ("E-DEATH-DATE-FUTURE", Error,
        "the death date is after the day of the run"),
    DeathBeforeBirth => ("E-DEATH-BEFORE-BIRTH", Error,
        "the death date is before the birth date"),
    DeathAgeImplausible => ("W-DEATH-AGE-IMPLAUSIBLE", Warning,
        "the death date is more than 120 years after the birth date: longer than anyone lives; loaded, for someone to check both dates"),
    DocumentNoPatientKey => ("E-DOCUMENT-NO-PATIENT-KEY", Error,
        "a document names neither an identifier nor a family name with a birth date, so no patient can be found for it"),
    ScanFileMissing => ("E-SCAN-FILE-MISSING", Error,
        "the scan index names a file that does not exist under the scan root"),
    ScanPathEscapes => ("E-SCAN-PATH-ESCAPES", Error,
        "the scan index names a path outside the scan root (absolute, `..`, or a link leading out); it is never read"),
    ScanFileUnreadable => ("E-SCAN-FILE-UNREADABLE", Error,
        "the file the scan index names exists but could not be read"),
    ScanDuplicateFile => ("E-SCAN-DUPLICATE-FILE", Error,
        "the scan index names a file that an earlier line of the run already names; the file is loaded once, from the earlier line"),
    ScanPageCountMismatch => ("W-SCAN-PAGE-COUNT-MISMATCH", Warning,
        "the page count in the scan index differs from the pages in the file"),
    DocumentBeforeBirth => ("W-DOCUMENT-BEFORE-BIRTH", Warning,
        "a document is dated before the birth date on its own index line"),
    DocumentBeforePatientBirth => ("W-DOCUMENT-BEFORE-PATIENT-BIRTH", Warning,
        "a document is dated before the birth date of the patient it is linked to"),
    DocumentUnlinked => ("W-DOCUMENT-UNLINKED", Warning,
        "no patient was found for a document; it is loaded without a patient, for linking by hand"),
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for IssueCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding about one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: IssueCode,
    pub field: Option<Field>,
    /// Which column the field came from, when there was one.
    pub column: Option<String>,
    /// Detail that helps fix the row without quoting it: expected counts,
    /// the formats tried. Never a cell value, but for the short code an
    /// `E-CODE-UNKNOWN` names (see the module's doc).
    pub detail: Option<String>,
    pub source: SourceRef,
}

impl Issue {
    pub fn new(code: IssueCode, source: &SourceRef) -> Issue {
        Issue { code, field: None, column: None, detail: None, source: source.clone() }
    }

    pub fn field(mut self, field: Field) -> Issue {
        self.field = Some(field);
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Issue {
        self.column = Some(column.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Issue {
        self.detail = Some(detail.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The message for people: location first, then what is wrong, no value.
    pub fn message(&self) -> String {
        let mut message = self.source.to_string();
        if let Some(field) = self.field {
            message.push_str(&format!(", field `{}`", field.name()));
        }
        if let Some(column) = &self.column {
            message.push_str(&format!(" (column `{column}`)"));
        }
        message.push_str(": ");
        message.push_str(self.code.summary());
        if let Some(detail) = &self.detail {
            message.push_str(" (");
            message.push_str(detail);
            message.push(')');
        }
        message
    }
}

/// True when any issue rejects the row.
pub fn rejects(issues: &[Issue]) -> bool {
    issues.iter().any(|issue| issue.severity() == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn issue_codes_are_unique_and_prefixed_by_severity() {
        let mut seen = HashSet::new();
        for code in IssueCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} is listed twice");
            let prefix = match code.severity() {
                Severity::Error => "E-",
                Severity::Warning => "W-",
            };
            assert!(code.as_str().starts_with(prefix), "{code} does not start with {prefix}");
        }
    }

    #[test]
    fn issue_message_names_row_field_and_column() {
        let source = SourceRef { source: "pm".into(), file: "d.xlsx".into(), sheet: Some("P".into()), row: 9 };
        let issue = Issue::new(IssueCode::DateInvalid, &source).field(Field::BirthDate).column("DOB");
        assert_eq!(
            issue.message(),
            "d.xlsx, sheet `P`, row 9, field `birth_date` (column `DOB`): \
             a date has the right shape but does not exist, such as 31 February"
        );
    }
}
