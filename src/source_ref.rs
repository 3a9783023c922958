//! `SourceRef`: where a value came from, as a person would find it again.
//!
//! Every stage carries it unchanged, from the reader that produced a row to the
//! provenance table in the EMR database, so that any finding, merge or loaded
//! patient can be traced back to one row of one legacy file.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// One row of one source file.
///
/// `row` is the number a person sees: the 1-based line in a text editor where
/// the record starts (a quoted newline makes a record span several lines), or
/// the row number in Excel's left margin. The strings are shared: a source has
/// millions of rows but one name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceRef {
    /// The source's name in migration.toml.
    pub source: Arc<str>,
    /// The file name as migration.toml gives it.
    pub file: Arc<str>,
    /// The worksheet, for spreadsheets.
    pub sheet: Option<Arc<str>>,
    pub row: u64,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet `{sheet}`")?;
        }
        write!(f, ", row {}", self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ref_displays_like_a_person_would_look_it_up() {
        let csv = SourceRef { source: "emr".into(), file: "patients.csv".into(), sheet: None, row: 7 };
        assert_eq!(csv.to_string(), "patients.csv, row 7");
        let xlsx = SourceRef {
            source: "pm".into(),
            file: "demographics.xlsx".into(),
            sheet: Some("Patients".into()),
            row: 12,
        };
        assert_eq!(xlsx.to_string(), "demographics.xlsx, sheet `Patients`, row 12");
    }
}
