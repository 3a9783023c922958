//! The migration plan: what will happen to every source row. The dry run
//! (`validate`) builds it and reports it; `run` builds the same plan inside
//! its database transaction and loads it. A row's fate is decided once, here,
//! so the report, the database and the reconciliation can never disagree.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::extract::ReadDetails;
use crate::issue::{Issue, IssueCode, Severity};
use crate::matching::{MatchStats, ReviewPair};
use crate::record::{Identifier, Record};
use crate::source_ref::SourceRef;

/// What became of one source row. Every row read has exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Became a new patient (the best row of its cluster) or a document.
    Loaded,
    /// Its patient is another row's, or a patient already in the database.
    Merged,
    /// Has at least one error issue; listed in rejected.csv.
    Rejected,
    Skipped(SkipReason),
    /// Accepted, waiting for matching to say what it becomes. No row may be
    /// pending in a finished plan; the reconciliation counts it as lost.
    Pending,
}

impl Disposition {
    pub fn name(&self) -> &'static str {
        match self {
            Disposition::Pending => "pending",
            Disposition::Loaded => "loaded",
            Disposition::Merged => "merged",
            Disposition::Rejected => "rejected",
            Disposition::Skipped(_) => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// No value in any cell.
    Blank,
    /// A mapping's `skip_when` rule, described.
    Rule(String),
    /// The same row was loaded by an earlier batch.
    AlreadyLoaded,
}

impl SkipReason {
    pub fn label(&self) -> String {
        match self {
            SkipReason::Blank => "blank".to_string(),
            SkipReason::Rule(rule) => format!("skip_when {rule}"),
            SkipReason::AlreadyLoaded => "already_loaded".to_string(),
        }
    }
}

/// Which patient a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PatientRef {
    /// Index into `Plan::patients`.
    New(usize),
    /// `patient_id` of a patient already in the database.
    Existing(i64),
}

#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub source: SourceRef,
    /// SHA-256 of the source name and the row's cells: how a later run
    /// recognises a row it has already loaded, even if lines moved.
    pub fingerprint: String,
    pub disposition: Disposition,
    pub patient: Option<PatientRef>,
    /// Index into `Plan::documents`.
    pub document: Option<usize>,
    /// The matching cluster, for rows that took part in matching.
    pub cluster: Option<u32>,
    /// The row's first legacy identifier (chart number, old patient id):
    /// how clusters.csv names the row to a person.
    pub legacy_id: Option<String>,
    /// Errors and warnings.
    pub issues: Vec<Issue>,
    /// The cells as text, kept only for rejected rows (rejected.csv).
    pub raw: Option<Vec<String>>,
}

impl PlannedRow {
    pub fn error_codes(&self) -> Vec<IssueCode> {
        let mut codes: Vec<IssueCode> =
            self.issues.iter().filter(|issue| issue.severity() == Severity::Error).map(|issue| issue.code).collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

#[derive(Debug, Clone)]
pub struct PlannedPatient {
    pub mrn: String,
    pub golden: Record,
    /// Every legacy identifier of the patient's rows, with the source that
    /// supplied it.
    pub identifiers: Vec<(Identifier, String)>,
    /// Indexes into `Plan::rows` of the rows that make up this patient.
    pub rows: Vec<usize>,
}

/// An identifier to add to a patient already in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedIdentifier {
    pub patient_id: i64,
    pub identifier: Identifier,
    pub source_name: String,
}

#[derive(Debug, Clone)]
pub struct PlannedDocument {
    pub row: usize,
    pub record: Record,
    pub patient: Option<PatientRef>,
}

/// One source as read.
#[derive(Debug, Clone)]
pub struct SourcePlan {
    pub name: String,
    pub file: String,
    pub entity: crate::record::Entity,
    pub file_sha256: String,
    pub file_size: u64,
    /// As written in migration.toml.
    pub mapping_file: String,
    pub mapping_size: u64,
    pub mapping_sha256: String,
    pub details: ReadDetails,
    /// The source's column names, for rejected.csv.
    pub headers: Vec<String>,
    /// Rows the reader yielded (after the header), counted independently of
    /// the plan's rows so the reconciliation can catch a lost row.
    pub rows_read: u64,
    /// For a scan index whose files are looked at: the walk of its scan
    /// root, for files no index line names.
    pub scan_root: Option<crate::scan_names::RootCheck>,
}

/// Per-source reconciliation: read = loaded + merged + rejected + skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    pub name: String,
    pub rows_read: u64,
    pub loaded: u64,
    pub merged: u64,
    pub rejected: u64,
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    pub rejected_by_code: BTreeMap<String, u64>,
    pub warnings_by_code: BTreeMap<String, u64>,
}

impl SourceCounts {
    pub fn balances(&self) -> bool {
        self.rows_read == self.loaded + self.merged + self.rejected + self.skipped
    }
}

/// A review pair, resolved to rows.
#[derive(Debug, Clone)]
pub struct ReviewEntry {
    pub a: ReviewSide,
    pub b: ReviewSide,
    pub pair: ReviewPair,
}

#[derive(Debug, Clone)]
pub enum ReviewSide {
    Row { row: usize, record: Box<Record> },
    Existing { patient_id: i64, mrn: String, record: Box<Record> },
}

/// Wall-clock milliseconds per stage, for `--json` and the benchmark.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageTimings {
    pub extract_ms: u64,
    pub map_validate_ms: u64,
    pub match_ms: u64,
    pub load_ms: u64,
    pub report_ms: u64,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub sources: Vec<SourcePlan>,
    pub rows: Vec<PlannedRow>,
    pub patients: Vec<PlannedPatient>,
    pub documents: Vec<PlannedDocument>,
    pub existing_identifiers: Vec<PlannedIdentifier>,
    /// Patients already in the database that this plan merges rows or links
    /// documents to, with their MRNs.
    pub existing_mrns: BTreeMap<i64, String>,
    /// Of those, the patients that rows are merged into.
    pub existing_patients_matched: usize,
    pub matching: MatchStats,
    pub review: Vec<ReviewEntry>,
    /// The links matching accepted (pairs.csv).
    pub links: Vec<PlannedLink>,
    /// The decisions file's decisions, for `run` to keep in the database.
    pub decisions_to_record: Vec<crate::decisions::StoredDecision>,
    pub timings: StageTimings,
}

/// One end of a link: a source row, or a patient already in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEnd {
    /// Index into `Plan::rows`.
    Row(usize),
    Existing {
        patient_id: i64,
        mrn: String,
    },
}

/// Two records matching linked, and on what basis.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLink {
    pub a: LinkEnd,
    pub b: LinkEnd,
    pub link: crate::matching::Link,
}

impl Plan {
    /// The reconciliation, source by source, in migration.toml's order.
    pub fn counts(&self) -> Vec<SourceCounts> {
        let mut counts: Vec<SourceCounts> = self
            .sources
            .iter()
            .map(|source| SourceCounts {
                name: source.name.clone(),
                rows_read: source.rows_read,
                ..SourceCounts::default()
            })
            .collect();
        for row in &self.rows {
            let Some(entry) = counts.iter_mut().find(|counts| *counts.name == *row.source.source) else {
                continue;
            };
            match &row.disposition {
                Disposition::Loaded => entry.loaded += 1,
                Disposition::Merged => entry.merged += 1,
                Disposition::Rejected => {
                    entry.rejected += 1;
                    for code in row.error_codes() {
                        *entry.rejected_by_code.entry(code.to_string()).or_default() += 1;
                    }
                }
                Disposition::Skipped(reason) => {
                    entry.skipped += 1;
                    *entry.skipped_by_reason.entry(reason.label()).or_default() += 1;
                }
                Disposition::Pending => {}
            }
            if row.disposition != Disposition::Rejected {
                for issue in row.issues.iter().filter(|issue| issue.severity() == Severity::Warning) {
                    *entry.warnings_by_code.entry(issue.code.to_string()).or_default() += 1;
                }
            }
        }
        counts
    }

    /// Sources whose counts do not add up; empty when nothing was lost.
    pub fn imbalances(&self) -> Vec<SourceCounts> {
        self.counts().into_iter().filter(|counts| !counts.balances()).collect()
    }

    /// The MRN of the patient a row belongs to.
    pub fn mrn_of(&self, patient: PatientRef) -> Option<&str> {
        match patient {
            PatientRef::New(index) => self.patients.get(index).map(|patient| patient.mrn.as_str()),
            PatientRef::Existing(patient_id) => self.existing_mrns.get(&patient_id).map(String::as_str),
        }
    }

    pub fn documents_linked(&self) -> usize {
        self.documents.iter().filter(|document| document.patient.is_some()).count()
    }
}

/// What the EMR database already holds, as planning needs it.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    pub patients: Vec<ExistingPatient>,
    /// Fingerprints of rows loaded or merged by committed batches.
    /// and the patient each became (none for a document row).
    pub loaded_rows: std::collections::HashMap<String, Option<i64>>,
    /// Reviewers' decisions recorded by committed batches.
    pub decisions: Vec<crate::decisions::StoredDecision>,
    /// The number the next new MRN gets; MRNs are never reused, even after
    /// a rollback.
    pub next_mrn: u64,
    /// Documents already loaded, by (path under the scan root, SHA-256): the
    /// same scanned file is not loaded twice, even from a re-exported index.
    pub loaded_documents: std::collections::HashSet<(String, String)>,
}

impl Existing {
    /// An empty database, or none yet.
    pub fn empty() -> Existing {
        Existing { next_mrn: 1, ..Existing::default() }
    }
}

#[derive(Debug, Clone)]
pub struct ExistingPatient {
    pub patient_id: i64,
    pub mrn: String,
    /// The stored golden record, with every identifier already held.
    pub record: Record,
}
