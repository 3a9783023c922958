//! Reviewers' decisions about pairs: read from a review.csv whose
//! `decision` column a person filled in, turned into candidate pairs for
//! matching, and (by `run`) kept in the database so that every later run and
//! wave honours them without being told again.
//!
//! A decision names its rows the way review.csv does (source and row, or a
//! database patient by MRN). The database keeps a row by its fingerprint, so
//! a decision still finds its row when lines move, and finds the patient a
//! row became once that row is loaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::matching::{Decision, Decisions};
use crate::plan::Existing;

#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    #[error("{}: cannot read the decisions file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{}: there is no column `{column}`\n\nhint: the decisions file is a review.csv with its `decision` column filled in", path.display())]
    MissingColumn { path: PathBuf, column: String },
    #[error("{}, line {line}, field `{field}`: {message}", path.display())]
    Bad { path: PathBuf, line: u64, field: String, message: String },
}

/// One side of a decided pair, as review.csv names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FileEnd {
    Row { source: String, row: u64 },
    Patient { mrn: String },
}

/// One filled-in line of a decisions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDecision {
    pub a: FileEnd,
    pub b: FileEnd,
    pub decision: Decision,
    pub line: u64,
}

/// One side of a decision kept in the database.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoredEnd {
    /// A source row, by fingerprint; `patient_id` is the patient it was
    /// loaded or merged into, once a batch loaded it.
    Row {
        fingerprint: String,
        patient_id: Option<i64>,
    },
    Patient {
        patient_id: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    pub a: StoredEnd,
    pub b: StoredEnd,
    pub decision: Decision,
}

/// Reads the decided lines of a review.csv. Lines with an empty `decision`
/// are undecided and skipped; anything else than `match` or `distinct` is
/// an error naming its line, so a typo never passes for a decision.
pub fn read(path: &Path) -> Result<Vec<FileDecision>, DecisionsError> {
    let read_error = |source| DecisionsError::Read { path: path.to_path_buf(), source };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(read_error)?;
    let headers = reader.headers().map_err(read_error)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|header| header == name)
            .ok_or_else(|| DecisionsError::MissingColumn { path: path.to_path_buf(), column: name.to_string() })
    };
    let decision_at = column("decision")?;
    let sides = [side_columns(&column, "a")?, side_columns(&column, "b")?];
    let mut decisions = Vec::new();
    for record in reader.records() {
        let record = record.map_err(read_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        let bad = |field: &str, message: String| DecisionsError::Bad {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message,
        };
        let text = record.get(decision_at).unwrap_or_default().trim();
        if text.is_empty() {
            continue;
        }
        let decision = Decision::parse(text)
            .ok_or_else(|| bad("decision", format!("`{text}` is not a decision; write `match` or `distinct`")))?;
        let end = |columns: &SideColumns| columns.end(&record).map_err(|(field, message)| bad(&field, message));
        decisions.push(FileDecision { a: end(&sides[0])?, b: end(&sides[1])?, decision, line });
    }
    Ok(decisions)
}

/// Where one side's columns are in review.csv.
#[derive(Debug)]
struct SideColumns {
    prefix: &'static str,
    source: usize,
    row: usize,
    mrn: usize,
}

fn side_columns(
    column: &impl Fn(&str) -> Result<usize, DecisionsError>,
    prefix: &'static str,
) -> Result<SideColumns, DecisionsError> {
    Ok(SideColumns {
        prefix,
        source: column(&format!("{prefix}_source"))?,
        row: column(&format!("{prefix}_row"))?,
        mrn: column(&format!("{prefix}_mrn"))?,
    })
}

impl SideColumns {
    fn end(&self, record: &csv::StringRecord) -> Result<FileEnd, (String, String)> {
        let cell = |index: usize| record.get(index).unwrap_or_default().trim();
        let source = cell(self.source);
        if source == crate::load::DATABASE_SOURCE {
            let mrn = cell(self.mrn);
            if mrn.is_empty() {
                return Err((format!("{}_mrn", self.prefix), "a database patient needs its MRN".into()));
            }
            return Ok(FileEnd::Patient { mrn: mrn.to_string() });
        }
        if source.is_empty() {
            return Err((format!("{}_source", self.prefix), "the source is empty".into()));
        }
        let row = cell(self.row);
        let row = row.parse().map_err(|_| (format!("{}_row", self.prefix), format!("`{row}` is not a row number")))?;
        Ok(FileEnd::Row { source: source.to_string(), row })
    }
}

/// What the pipeline knows about the rows of this run, to find the
/// candidates that decisions name.
pub struct RunRows<'a> {
    /// Candidate index of each accepted row, by fingerprint.
    pub by_fingerprint: HashMap<&'a str, u32>,
    /// Fingerprint of every row read, accepted or not, by (source, row):
    /// a row an earlier batch loaded is skipped now, but a decision about it
    /// still reaches its patient.
    pub fingerprints: HashMap<(&'a str, u64), &'a str>,
    /// Where the database's patients start among the candidates.
    pub first_existing: u32,
}

/// The decisions this run applies, by candidate, and the file's decisions in
/// the form the database keeps; plus the lines that name no row or patient
/// of this run (the caller warns about them).
#[derive(Debug, Default)]
pub struct Resolved {
    pub decisions: Decisions,
    pub to_record: Vec<StoredDecision>,
    pub unresolved_lines: Vec<u64>,
    pub unresolved_stored: usize,
}

pub fn resolve(file: &[FileDecision], existing: &Existing, rows: &RunRows<'_>) -> Resolved {
    let mut resolved = Resolved::default();
    let patient_index: HashMap<i64, u32> = existing
        .patients
        .iter()
        .enumerate()
        .map(|(index, patient)| (patient.patient_id, rows.first_existing + index as u32))
        .collect();
    let patient_by_mrn: HashMap<&str, i64> =
        existing.patients.iter().map(|patient| (patient.mrn.as_str(), patient.patient_id)).collect();
    let stored_index = |end: &StoredEnd| match end {
        StoredEnd::Row { fingerprint, patient_id } => rows
            .by_fingerprint
            .get(fingerprint.as_str())
            .copied()
            .or_else(|| patient_id.and_then(|id| patient_index.get(&id).copied())),
        StoredEnd::Patient { patient_id } => patient_index.get(patient_id).copied(),
    };
    // The database's decisions first: the file, being newer, overrules them.
    for stored in &existing.decisions {
        match (stored_index(&stored.a), stored_index(&stored.b)) {
            (Some(a), Some(b)) if a != b => resolved.decisions.insert(a, b, stored.decision),
            (Some(_), Some(_)) => {}
            _ => resolved.unresolved_stored += 1,
        }
    }
    let file_end = |end: &FileEnd| -> Option<StoredEnd> {
        match end {
            FileEnd::Patient { mrn } => {
                patient_by_mrn.get(mrn.as_str()).map(|&patient_id| StoredEnd::Patient { patient_id })
            }
            FileEnd::Row { source, row } => {
                let fingerprint = rows.fingerprints.get(&(source.as_str(), *row))?;
                let patient_id = existing.loaded_rows.get(*fingerprint).copied().flatten();
                Some(StoredEnd::Row { fingerprint: fingerprint.to_string(), patient_id })
            }
        }
    };
    for decision in file {
        let ends = (file_end(&decision.a), file_end(&decision.b));
        let (Some(a), Some(b)) = ends else {
            resolved.unresolved_lines.push(decision.line);
            continue;
        };
        match (stored_index(&a), stored_index(&b)) {
            (Some(x), Some(y)) if x != y => resolved.decisions.insert(x, y, decision.decision),
            _ => {
                resolved.unresolved_lines.push(decision.line);
                continue;
            }
        }
        resolved.to_record.push(StoredDecision { a, b, decision: decision.decision });
    }
    resolved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("review.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    const HEADER: &str = "pair,a_source,a_row,a_mrn,b_source,b_row,b_mrn,decision\n";

    #[test]
    fn reads_decided_lines_and_skips_undecided_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            &format!("{HEADER}1,pm,5,,old,9,,Match\n2,pm,6,,old,10,,\n3,pm,7,,emr-database,,,distinct\n"),
        );
        let error = read(&path).unwrap_err();
        assert!(error.to_string().contains("line 4, field `b_mrn`"), "{error}");
        let path = write(
            dir.path(),
            &format!("{HEADER}1,pm,5,,old,9,,Match\n2,pm,6,,old,10,,\n3,pm,7,,emr-database,,RFP0000003,distinct\n"),
        );
        let decisions = read(&path).unwrap();
        assert_eq!(decisions.len(), 2);
        assert_eq!(decisions[0].decision, Decision::Match);
        assert_eq!(decisions[0].a, FileEnd::Row { source: "pm".into(), row: 5 });
        assert_eq!(decisions[1].b, FileEnd::Patient { mrn: "RFP0000003".into() });
        assert_eq!(decisions[1].line, 4);
    }

    #[test]
    fn a_word_that_is_not_a_decision_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &format!("{HEADER}1,pm,5,,old,9,,yes\n"));
        let error = read(&path).unwrap_err().to_string();
        assert!(error.contains("line 2, field `decision`: `yes` is not a decision"), "{error}");
        let path = write(dir.path(), &format!("{HEADER}1,pm,five,,old,9,,match\n"));
        let error = read(&path).unwrap_err().to_string();
        assert!(error.contains("field `a_row`: `five` is not a row number"), "{error}");
    }

    #[test]
    fn a_file_without_a_decision_column_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "a,b\n1,2\n");
        let error = read(&path).unwrap_err().to_string();
        assert!(error.contains("there is no column `decision`"), "{error}");
    }
}
