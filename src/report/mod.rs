//! report: what a run found and did, for people (report.html) and scripts
//! (report.json and `--json`), and the working files (rejected.csv,
//! review.csv, clusters.csv, pairs.csv, orphans.csv).
//!
//! The report reads the plan and, after a load, the batch summary; it
//! decides nothing. It carries counts and row locations, never patient
//! values, except in the working CSVs (owner-only) and where `--show-phi`
//! asks for them; see `mask`.

mod csv;
mod html;
pub(crate) mod mask;

pub(crate) use html::escape as escape_html;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::issue::{IssueCode, Severity};
use crate::load::BatchSummary;
use crate::matching::MatchStats;
use crate::plan::{Plan, SourceCounts, StageTimings};
use crate::source_ref::SourceRef;

/// Bumped when a field changes meaning or goes away; adding fields does not.
pub const REPORT_SCHEMA_VERSION: u32 = 1;
/// How many example rows the report lists per issue code.
const EXAMPLES_PER_CODE: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: cannot write the report file", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The facts of one run. Serialised as report.json and printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub report_schema: u32,
    pub command: &'static str,
    pub tool_version: &'static str,
    pub project: String,
    pub generated_at: String,
    /// True for `validate`: nothing was written to the database.
    pub dry_run: bool,
    pub database: String,
    pub batch_id: Option<i64>,
    /// Every source's rows add up: read = loaded + merged + rejected + skipped.
    pub reconciled: bool,
    pub sources: Vec<SourceReport>,
    /// Patients created (or, in a dry run, that would be).
    pub patients: u64,
    pub documents: u64,
    pub documents_linked: u64,
    pub documents_unlinked: u64,
    /// Patients already in the database that rows were merged into.
    pub existing_patients_matched: u64,
    pub identifiers_added: Option<u64>,
    pub review_pairs: u64,
    /// Scan index lines naming a file outside the scan root
    /// (`E-SCAN-PATH-ESCAPES`): a security finding, the file never read.
    pub security_findings: u64,
    /// The gates given (`--max-reject-rate`, `--fail-on`) and what the data
    /// made of them; absent when none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::gate::GateResult>,
    pub issues: Vec<IssueSummary>,
    pub matching: MatchStats,
    pub timings_ms: StageTimings,
    /// The files this run wrote, relative to the report folder.
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    #[serde(flatten)]
    pub counts: SourceCounts,
    pub file: String,
    pub entity: &'static str,
    pub encoding: Option<&'static str>,
    pub delimiter: Option<String>,
    pub quote: Option<String>,
    pub sheet: Option<String>,
    pub other_sheets: Vec<String>,
    pub header_row: u64,
    /// For a scan index whose files are looked at: what the walk of its scan
    /// root found. Counts only: the paths, which may hold patient names, are
    /// in orphans.csv.
    pub scan_root: Option<ScanRootSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanRootSummary {
    /// Files under the scan root that no index line of the run names.
    pub orphan_files: u64,
    /// Hidden and system files passed over (`.DS_Store`, `Thumbs.db`, ...).
    pub ignored_files: u64,
    /// Folders that could not be listed: the orphans may be more.
    pub unreadable_folders: u64,
    /// Another source has the same scan root; its counts are given there.
    pub listed_under: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueSummary {
    pub code: IssueCode,
    pub severity: Severity,
    pub summary: &'static str,
    /// Rows with this issue (a row counts once per code).
    pub rows: u64,
    pub examples: Vec<SourceRef>,
}

/// How the report came about.
pub struct Context<'a> {
    pub command: &'static str,
    pub project: &'a str,
    pub database: &'a Path,
    pub generated_at: String,
    pub batch: Option<&'a BatchSummary>,
}

pub fn build(plan: &Plan, context: &Context<'_>) -> Report {
    let counts = plan.counts();
    let sources = plan
        .sources
        .iter()
        .zip(&counts)
        .map(|(source, counts)| SourceReport {
            counts: counts.clone(),
            file: source.file.clone(),
            entity: source.entity.name(),
            encoding: source.details.encoding,
            delimiter: source.details.delimiter.map(|delimiter| delimiter.to_string()),
            quote: source.details.quote.map(|quote| quote.to_string()),
            sheet: source.details.sheet.clone(),
            other_sheets: source.details.other_sheets.clone(),
            header_row: source.details.header_row,
            scan_root: source.scan_root.as_ref().map(|check| ScanRootSummary {
                orphan_files: check.listing.orphans.len() as u64,
                ignored_files: check.listing.ignored,
                unreadable_folders: check.listing.unreadable_folders.len() as u64,
                listed_under: check.listed_under.clone(),
            }),
        })
        .collect();
    let documents_linked = plan.documents_linked() as u64;
    let mut report = Report {
        report_schema: REPORT_SCHEMA_VERSION,
        command: context.command,
        tool_version: env!("CARGO_PKG_VERSION"),
        project: context.project.to_string(),
        generated_at: context.generated_at.clone(),
        dry_run: context.batch.is_none(),
        database: context.database.display().to_string(),
        batch_id: context.batch.map(|batch| batch.batch_id),
        reconciled: counts.iter().all(SourceCounts::balances),
        sources,
        patients: plan.patients.len() as u64,
        documents: plan.documents.len() as u64,
        documents_linked,
        documents_unlinked: plan.documents.len() as u64 - documents_linked,
        existing_patients_matched: plan.existing_patients_matched as u64,
        identifiers_added: context.batch.map(|batch| batch.identifiers_added),
        review_pairs: plan.review.len() as u64,
        security_findings: 0,
        gate: None,
        issues: issue_summaries(plan),
        matching: plan.matching.clone(),
        timings_ms: plan.timings.clone(),
        files: Vec::new(),
    };
    report.security_findings =
        report.issues.iter().filter(|issue| issue.code == IssueCode::ScanPathEscapes).map(|issue| issue.rows).sum();
    report
}

fn issue_summaries(plan: &Plan) -> Vec<IssueSummary> {
    let mut by_code: BTreeMap<IssueCode, IssueSummary> = BTreeMap::new();
    for row in &plan.rows {
        let mut codes: Vec<IssueCode> = row.issues.iter().map(|issue| issue.code).collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            let summary = by_code.entry(code).or_insert_with(|| IssueSummary {
                code,
                severity: code.severity(),
                summary: code.summary(),
                rows: 0,
                examples: Vec::new(),
            });
            summary.rows += 1;
            if summary.examples.len() < EXAMPLES_PER_CODE {
                summary.examples.push(row.source.clone());
            }
        }
    }
    let mut summaries: Vec<IssueSummary> = by_code.into_values().collect();
    summaries.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.rows.cmp(&a.rows)).then(a.code.cmp(&b.code)));
    summaries
}

/// Options for the files written.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Show names, birth dates and identifiers unmasked in report.html.
    pub show_phi: bool,
}

/// Writes every report file into `out`, and records their names and the
/// time taken (since `started`) in `report`. report.json is written last, so
/// it holds the same document that `--json` prints.
pub fn write(
    out: &Path,
    report: &mut Report,
    plan: &Plan,
    options: WriteOptions,
    started: std::time::Instant,
) -> Result<(), ReportError> {
    crate::private_file::create_dir(out).map_err(|source| ReportError::Write { path: out.to_path_buf(), source })?;
    report.files =
        ["report.html", "report.json", "rejected.csv", "review.csv", "clusters.csv", "pairs.csv", "orphans.csv"]
            .iter()
            .map(|name| name.to_string())
            .collect();
    csv::write_rejected(&out.join("rejected.csv"), plan)?;
    csv::write_review(&out.join("review.csv"), plan)?;
    csv::write_clusters(&out.join("clusters.csv"), plan)?;
    csv::write_pairs(&out.join("pairs.csv"), plan)?;
    csv::write_orphans(&out.join("orphans.csv"), plan)?;
    write_text(&out.join("report.html"), &html::render(report, plan, options))?;
    report.timings_ms.report_ms = started.elapsed().as_millis() as u64;
    write_text(&out.join("report.json"), &to_json(report))?;
    Ok(())
}

pub fn to_json(report: &Report) -> String {
    let mut json = serde_json::to_string_pretty(report).expect("a report always serialises");
    json.push('\n');
    json
}

fn write_text(path: &Path, text: &str) -> Result<(), ReportError> {
    crate::private_file::write(path, text.as_bytes())
        .map_err(|source| ReportError::Write { path: path.to_path_buf(), source })
}
