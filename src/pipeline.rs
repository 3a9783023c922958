//! The dry run of every stage: sources in, a `Plan` out. Both `validate` and
//! `run` call `plan`; only `run` goes on to load it. This module is glue: it
//! moves rows from stage to stage (extract, mapping, validate, matching) and
//! hands the clusters to `assemble`, which turns them into patients.
//!
//! Every mapping is compiled against its source's header before the first
//! row is read, so a broken mapping in the third source stops the run before
//! any work (and long before the database).
//!
//! Rows are worked out in batches, in parallel as far as a row depends on no
//! other, then settled in order (`BATCH_ROWS`): the result is the one a
//! row-by-row reading gives.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::assemble;
use crate::decisions::{self, FileDecision};
use crate::digest::sha256_file;
use crate::error::Error;
use crate::extract::{self, Cell, RawRow, RowDefect, ScannedFile, SourceReader, SourceSize};
use crate::issue::{self, Issue, IssueCode};
use crate::mapping::{self, CompiledMapping, LoadedMapping, MappedRow, MappingError};
use crate::matching::{self, Candidate, CandidateKind};
use crate::output::Printer;
use crate::plan::{Disposition, Existing, Plan, PlannedRow, SkipReason, SourcePlan, StageTimings};
use crate::project::{Project, SourceSpec};
use crate::record::{Entity, Field, Record};
use crate::scan_names::{ScanNames, ScanSettings};
use crate::validate::{self, Rules};

/// A source ready to read: mapping compiled against the real header.
struct OpenSource<'p> {
    spec: &'p SourceSpec,
    mapping: LoadedMapping,
    compiled: CompiledMapping,
    reader: SourceReader,
    scans: ScanSettings,
}

/// Every source of a project, opened, with its mapping compiled against the
/// source's header: the part of planning that can fail on what the user
/// wrote, done before anything else is touched.
pub struct OpenSources<'p> {
    sources: Vec<OpenSource<'p>>,
    started: Instant,
    match_all: bool,
}

pub fn open(project: &Project) -> Result<OpenSources<'_>, Error> {
    let started = Instant::now();
    Ok(OpenSources { sources: open_sources(project)?, started, match_all: false })
}

/// One source as `check` sees it: opened and its mapping compiled against
/// the header, nothing read past it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckedSource {
    pub name: String,
    pub file: String,
    pub mapping: String,
    pub entity: &'static str,
    pub details: extract::ReadDetails,
    pub columns: usize,
    pub fields: Vec<&'static str>,
    pub identifiers: usize,
    /// Header columns no field, identifier or skip rule reads: data the
    /// migration would leave behind.
    pub columns_not_read: Vec<String>,
}

impl OpenSources<'_> {
    /// What `check` reports of every source, once all of them opened and
    /// every mapping compiled.
    pub fn checked(&self) -> Vec<CheckedSource> {
        self.sources
            .iter()
            .map(|source| {
                let names = source.reader.headers.names();
                let read = source.compiled.columns_read();
                CheckedSource {
                    name: source.spec.name.clone(),
                    file: source.spec.file.clone(),
                    mapping: source.spec.mapping_file.clone(),
                    entity: source.compiled.entity.name(),
                    details: source.reader.details.clone(),
                    columns: names.len(),
                    fields: source.compiled.fields().iter().map(|field| field.name()).collect(),
                    identifiers: source.compiled.identifier_count(),
                    columns_not_read: names
                        .iter()
                        .enumerate()
                        .filter(|(index, name)| !read.contains(index) && !name.is_empty())
                        .map(|(_, name)| name.clone())
                        .collect(),
                }
            })
            .collect()
    }

    /// For `dedupe`, which loads nothing: every row the mapping could read
    /// takes part in matching, even one a load would reject (a blank family
    /// name, an impossible birth date). Its issues are still reported, and
    /// the fields that failed take no part. A duplicate with a typo is still
    /// a duplicate.
    pub fn matching_every_mapped_row(mut self) -> Self {
        self.match_all = true;
        self
    }
}

/// Builds the plan for `project` against what the database already holds,
/// honouring the reviewers' decisions in the database and in `decisions`
/// (a filled-in review.csv, newer, so it wins).
pub fn plan(
    project: &Project,
    sources: OpenSources<'_>,
    existing: &Existing,
    decisions: &[FileDecision],
    today: Date,
    printer: &Printer,
) -> Result<Plan, Error> {
    let mut timings = StageTimings::default();
    let OpenSources { sources, started, match_all } = sources;
    let mut reading = Reading::new(existing, today);
    reading.match_all = match_all;
    let mut source_plans = reading.read_all(sources, printer)?;
    let Reading { rows, accepted, map_validate, scan_names, .. } = reading;
    // Every index has been read, so every line that names a file has.
    for (source, check) in source_plans.iter_mut().zip(scan_names.check_roots()) {
        source.scan_root = check;
    }
    // Opening files and hashing them counts as extraction.
    timings.extract_ms = started.elapsed().saturating_sub(map_validate).as_millis() as u64;
    timings.map_validate_ms = map_validate.as_millis() as u64;

    let matching_started = Instant::now();
    printer.status(&format!("matching {} records", accepted.len()));
    let candidates = candidates(&accepted, existing);
    let accepted_rows: Vec<usize> = accepted.iter().map(|(row, _)| *row).collect();
    let resolved = resolve_decisions(decisions, existing, &rows, &accepted_rows, printer);
    let outcome = matching::Matcher::prepare(&candidates, &project.matching).with_decisions(resolved.decisions).run();
    // Half a gigabyte at a million patients, and the plan needs none of it.
    drop(candidates);
    let mut plan = assemble::assemble(project, existing, rows, accepted, &outcome);
    plan.decisions_to_record = resolved.to_record;
    plan.sources = source_plans;
    plan.timings = timings;
    plan.timings.match_ms = matching_started.elapsed().as_millis() as u64;
    // Every row read must have exactly one fate; a row left pending or lost
    // on the way stops the run before anything is written.
    if let Some(first) = plan.imbalances().first() {
        return Err(Error::Unbalanced { source_name: first.name.clone() });
    }
    Ok(plan)
}

/// The records matching sees, and where each came from (`None` for a
/// patient already in the database): what `explain` needs.
pub struct MatchingInput {
    pub candidates: Vec<Candidate>,
    pub origins: Vec<Option<crate::source_ref::SourceRef>>,
    /// The reviewers' decisions, in the database and in `decisions`, that
    /// name these records, as `plan` applies them.
    pub decisions: matching::Decisions,
}

/// Reads every source as `plan` does, and stops before matching.
pub fn matching_input(
    sources: OpenSources<'_>,
    existing: &Existing,
    decisions: &[FileDecision],
    today: Date,
    printer: &Printer,
) -> Result<MatchingInput, Error> {
    let mut reading = Reading::new(existing, today);
    // Records are turned into candidates as they are read and dropped: a
    // million-patient practice's records would take gigabytes, its
    // candidates a fraction of that.
    reading.candidates_only = true;
    reading.match_all = sources.match_all;
    reading.read_all(sources.sources, printer)?;
    let Reading { rows, accepted_candidates, .. } = reading;
    let origins = accepted_candidates
        .iter()
        .map(|(row, _)| Some(rows[*row].source.clone()))
        .chain(existing.patients.iter().map(|_| None))
        .collect();
    let accepted_rows: Vec<usize> = accepted_candidates.iter().map(|(row, _)| *row).collect();
    let resolved = resolve_decisions(decisions, existing, &rows, &accepted_rows, printer);
    drop(rows);
    let mut candidates: Vec<Candidate> = accepted_candidates.into_iter().map(|(_, candidate)| candidate).collect();
    candidates.extend(existing_candidates(existing));
    Ok(MatchingInput { candidates, origins, decisions: resolved.decisions })
}

fn open_sources(project: &Project) -> Result<Vec<OpenSource<'_>>, Error> {
    let mut problems = Vec::new();
    let mut open = Vec::new();
    for spec in &project.sources {
        let mapping = match mapping::load(&spec.mapping) {
            Ok(mapping) => mapping,
            Err(MappingError::Invalid(diagnostics)) => {
                problems.extend(diagnostics.0);
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        let reader = extract::open(&spec.path, &spec.name, &spec.file, mapping.read_options())?;
        match mapping::compile(&mapping, &reader.headers) {
            Ok(compiled) => {
                let base = spec.path.parent().unwrap_or(Path::new("."));
                let scan_root = mapping
                    .read_options()
                    .scan_root
                    .as_ref()
                    .map_or_else(|| base.to_path_buf(), |root| base.join(root));
                let check_files = mapping.read_options().check_files.unwrap_or(true);
                let canonical_root = scan_root.canonicalize().ok();
                let scans = ScanSettings { root: scan_root, canonical_root, check_files };
                open.push(OpenSource { spec, mapping, compiled, reader, scans });
            }
            Err(MappingError::Invalid(diagnostics)) => problems.extend(diagnostics.0),
            Err(error) => return Err(error.into()),
        }
    }
    if !problems.is_empty() {
        return Err(MappingError::Invalid(crate::diagnostic::Diagnostics(problems)).into());
    }
    Ok(open)
}

/// Reading every source row into the plan's rows.
struct Reading<'e> {
    existing: &'e Existing,
    today: Date,
    rows: Vec<PlannedRow>,
    /// Rows that passed, for matching: (index into `rows`, record).
    accepted: Vec<(usize, Record)>,
    extract: Duration,
    map_validate: Duration,
    /// See `OpenSources::matching_every_mapped_row`.
    match_all: bool,
    /// Keep only each accepted row's candidate (in `accepted_candidates`),
    /// not its record: for matching alone.
    candidates_only: bool,
    accepted_candidates: Vec<(usize, Candidate)>,
    /// The files the scan indexes name so far.
    scan_names: ScanNames,
    /// The sizes of the sources still to read after the one being read.
    sizes_after: Vec<SourceSize>,
}

impl<'e> Reading<'e> {
    fn new(existing: &'e Existing, today: Date) -> Reading<'e> {
        Reading {
            existing,
            today,
            rows: Vec::new(),
            accepted: Vec::new(),
            extract: Duration::ZERO,
            map_validate: Duration::ZERO,
            match_all: false,
            candidates_only: false,
            accepted_candidates: Vec::new(),
            scan_names: ScanNames::default(),
            sizes_after: Vec::new(),
        }
    }

    /// Reads the sources in turn.
    fn read_all(&mut self, sources: Vec<OpenSource<'_>>, printer: &Printer) -> Result<Vec<SourcePlan>, Error> {
        let sizes: Vec<SourceSize> = sources.iter().map(|source| source.reader.size()).collect();
        let mut plans = Vec::with_capacity(sources.len());
        for (index, source) in sources.into_iter().enumerate() {
            self.sizes_after = sizes[index + 1..].to_vec();
            plans.push(self.read(source, printer)?);
        }
        Ok(plans)
    }

    fn read(&mut self, source: OpenSource<'_>, printer: &Printer) -> Result<SourcePlan, Error> {
        let OpenSource { spec, mapping, compiled, mut reader, scans } = source;
        let file_digest = sha256_file(&spec.path).map_err(|source| Error::Read { path: spec.path.clone(), source })?;
        let rules = Rules {
            required: compiled.required.clone(),
            today: self.today,
            max_age_years: compiled.max_age_years,
            national_id: compiled.national_id,
            postal: compiled.postal,
        };
        let mut bar = printer.rows_progress(&spec.name);
        let mut occurrences: HashMap<[u8; 32], u32> = HashMap::new();
        let mut rows_read = 0u64;
        let scan_source =
            self.scan_names.begin_source(&spec.name, (compiled.entity == Entity::Document).then_some(&scans));
        let source = SourceContext { name: &spec.name, compiled: &compiled, rules: &rules, scans: &scans, scan_source };
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        loop {
            let extract_started = Instant::now();
            for raw in reader.by_ref().take(BATCH_ROWS) {
                batch.push(raw?);
            }
            self.extract += extract_started.elapsed();
            if batch.is_empty() {
                break;
            }
            let map_started = Instant::now();
            if rows_read == 0 {
                self.make_room(batch.len(), reader.fraction_read(), reader.size(), &mut occurrences);
            }
            rows_read += batch.len() as u64;
            bar.rows_read(batch.len() as u64, || reader.fraction_read());
            self.plan_batch(&mut batch, &source, &mut occurrences);
            self.map_validate += map_started.elapsed();
        }
        bar.finish();
        printer.status(&format!("read {rows_read} rows from `{}`", spec.name));
        Ok(SourcePlan {
            name: spec.name.clone(),
            file: spec.file.clone(),
            entity: compiled.entity,
            file_sha256: file_digest.sha256,
            file_size: file_digest.size,
            mapping_file: spec.mapping_file.clone(),
            mapping_size: mapping.text.len() as u64,
            mapping_sha256: crate::digest::sha256_hex(mapping.text.as_bytes()),
            details: reader.details.clone(),
            headers: reader.headers.names().to_vec(),
            rows_read,
            scan_root: None,
        })
    }

    /// Plans the rows of `batch` (and empties it): what each row needs
    /// alone in parallel, then each row's fate in order.
    fn plan_batch(
        &mut self,
        batch: &mut Vec<RawRow>,
        source: &SourceContext<'_>,
        occurrences: &mut HashMap<[u8; 32], u32>,
    ) {
        let fingerprints = fingerprints(source, batch, occurrences);
        let prepared: Vec<Prepared> = batch
            .par_drain(..)
            .zip(fingerprints)
            .map(|(raw, fingerprint)| self.prepare(raw, fingerprint, source))
            .collect();
        for prepared in prepared {
            let row = self.plan_row(prepared, source);
            self.rows.push(row);
        }
    }

    /// Reserves room for the rows this source and the sources after it are
    /// likely to hold, judged by the share of the file its first rows took:
    /// vectors of millions of rows that grow by doubling copy themselves
    /// over and over into fresh memory, which the system must first zero,
    /// and so does a vector made larger for each source in turn. Room that
    /// is never written is given no pages on Linux and macOS (Windows
    /// commits it); the hash map's buckets cost a byte each.
    fn make_room(
        &mut self,
        first_rows: usize,
        fraction_read: Option<f64>,
        size: SourceSize,
        occurrences: &mut HashMap<[u8; 32], u32>,
    ) {
        let Some(fraction) = fraction_read.filter(|fraction| *fraction > 0.0) else { return };
        let here = first_rows as f64 / fraction;
        // A sheet says how many rows it has; a text file's are judged at
        // this source's bytes per row, when this source is a text file too.
        let bytes_per_row = match size {
            SourceSize::Bytes(bytes) => Some(bytes as f64 / here),
            SourceSize::Rows(_) | SourceSize::Unknown => None,
        };
        let later: f64 = self
            .sizes_after
            .iter()
            .map(|size| match (size, bytes_per_row) {
                (SourceSize::Rows(rows), _) => *rows as f64,
                (SourceSize::Bytes(bytes), Some(per_row)) => *bytes as f64 / per_row,
                (SourceSize::Bytes(_), None) | (SourceSize::Unknown, _) => 0.0,
            })
            .sum();
        // The share read counts what the readers have buffered ahead (some
        // 70 KiB), so the first rows seem to take more of the file than
        // they do; and other sources' rows are longer or shorter: a quarter
        // more keeps the vectors from growing again.
        let rows = |count: f64| (count * 1.25).min(MAX_EXPECTED_ROWS) as usize;
        self.rows.reserve(rows(here + later));
        if self.candidates_only {
            self.accepted_candidates.reserve(rows(here + later));
        } else {
            self.accepted.reserve(rows(here + later));
        }
        occurrences.reserve(rows(here));
    }

    /// What a row's fate needs that depends on no other row: whether it is
    /// blank, already loaded, skipped by a rule or malformed; else its
    /// record mapped, its scanned file looked at, and its issues.
    fn prepare(&self, raw: RawRow, fingerprint: String, source: &SourceContext<'_>) -> Prepared {
        let step = if raw.is_blank() {
            Step::Blank
        } else if self.existing.loaded_rows.contains_key(&fingerprint) {
            // Its file is still named: not an orphan, and taken by this line
            // for a later line that names it again, as on the first run.
            let file_key = match source.compiled.entity {
                Entity::Document => match source.compiled.apply(&raw, &mut Vec::new()) {
                    MappedRow::Mapped(record) => {
                        record.text(Field::FilePath).and_then(|path| self.scan_names.file_key(source.scan_source, path))
                    }
                    MappedRow::Skipped(_) => None,
                },
                _ => None,
            };
            Step::AlreadyLoaded { file_key }
        } else if let Some(rule) = source.compiled.skipped_by(&raw) {
            Step::SkippedBy(rule.to_string())
        } else if let Some(RowDefect::FieldCount { expected, found }) = raw.defect {
            Step::FieldCount { expected, found }
        } else {
            Step::Mapped(Box::new(self.map_row(&raw, source)))
        };
        Prepared { raw, fingerprint, step }
    }

    /// Maps, looks at the scanned file and validates a row that is neither
    /// skipped nor malformed; for a patient (whose issues are all known
    /// here: only a scan's line can be rejected later, for naming a file an
    /// earlier line named), also strips the fields `match_all` matches
    /// without.
    fn map_row(&self, raw: &RawRow, source: &SourceContext<'_>) -> MappedWork {
        let mut issues = Vec::new();
        let mut record = source.compiled.map(raw, &mut issues);
        let mut file_key = None;
        if record.entity == Entity::Document
            && let Some(path) = record.text(Field::FilePath)
        {
            file_key = self.scan_names.file_key(source.scan_source, path);
            record.scanned_file =
                Some(extract::inspect_scanned_file(&source.scans.root, path, source.scans.check_files));
        }
        // Validation sees what mapping flagged (a date mapping could not
        // read is not also missing). The duplicate-file issue, raised later
        // in `plan_row`, would change nothing here: it is raised only for a
        // line with a path, whose file has been looked at (a unit test of
        // `validate` holds it to that).
        let mapped = issues.len();
        validate::validate(&record, source.rules, &mut issues);
        let validate_issues = issues.split_off(mapped);
        let rejected = issue::rejects(&issues) || issue::rejects(&validate_issues);
        if rejected && self.match_all && record.entity == Entity::Patient {
            for issue in issues.iter().chain(&validate_issues) {
                if issue.severity() == issue::Severity::Error
                    && let Some(field) = issue.field
                {
                    record.remove(field);
                }
            }
        }
        let candidate = self.candidates_only.then(|| Candidate::from_record(&record, kind_of(&record)));
        MappedWork { record, map_issues: issues, file_key, validate_issues, candidate }
    }

    /// One row's fate up to matching, in the order of the rows: skipped,
    /// rejected, or accepted for matching (pushed to `accepted`,
    /// disposition settled later).
    fn plan_row(&mut self, prepared: Prepared, source: &SourceContext<'_>) -> PlannedRow {
        let Prepared { raw, fingerprint, step } = prepared;
        let mut row = PlannedRow {
            source: raw.source.clone(),
            fingerprint,
            disposition: Disposition::Pending,
            patient: None,
            document: None,
            cluster: None,
            legacy_id: None,
            issues: Vec::new(),
            raw: None,
        };
        let work = match step {
            Step::Blank => {
                row.disposition = Disposition::Skipped(SkipReason::Blank);
                return row;
            }
            Step::AlreadyLoaded { file_key } => {
                row.disposition = Disposition::Skipped(SkipReason::AlreadyLoaded);
                self.scan_names.name_key(source.scan_source, file_key, &raw.source);
                return row;
            }
            Step::SkippedBy(rule) => {
                row.disposition = Disposition::Skipped(SkipReason::Rule(rule));
                return row;
            }
            Step::FieldCount { expected, found } => {
                row.issues.push(
                    Issue::new(IssueCode::RowFieldCount, &raw.source)
                        .detail(format!("{found} fields where the header has {expected}")),
                );
                return reject(row, &raw);
            }
            Step::Mapped(work) => *work,
        };
        let MappedWork { record, map_issues, file_key, validate_issues, candidate } = work;
        row.issues = map_issues;
        // The first line that names a file loads it; a later one is
        // rejected, so one scan never becomes two documents.
        row.issues.extend(self.scan_names.name_key(source.scan_source, file_key, &raw.source));
        row.legacy_id = record.identifiers.first().map(|identifier| identifier.value.clone());
        row.issues.extend(validate_issues);
        if issue::rejects(&row.issues) && !(self.match_all && record.entity == Entity::Patient) {
            return reject(row, &raw);
        }
        if let Some(ScannedFile::Found { path, sha256, .. }) = &record.scanned_file
            && self.existing.loaded_documents.contains(&(path.clone(), sha256.clone()))
        {
            row.disposition = Disposition::Skipped(SkipReason::AlreadyLoaded);
            return row;
        }
        match candidate {
            Some(candidate) => self.accepted_candidates.push((self.rows.len(), candidate)),
            None => self.accepted.push((self.rows.len(), record)),
        }
        row
    }
}

/// Each row's fingerprint: the content hashes in parallel, then, in order,
/// how many identical rows came before in the source.
fn fingerprints(source: &SourceContext<'_>, batch: &[RawRow], occurrences: &mut HashMap<[u8; 32], u32>) -> Vec<String> {
    let contents: Vec<[u8; 32]> = batch.par_iter().map(|raw| content_hash(source.name, raw)).collect();
    let counted: Vec<([u8; 32], u32)> = contents
        .into_iter()
        .map(|content| {
            let occurrence = occurrences.entry(content).or_insert(0);
            let before = *occurrence;
            *occurrence += 1;
            (content, before)
        })
        .collect();
    counted.into_par_iter().map(|(content, before)| fingerprint(&content, before)).collect()
}

/// Rows are worked out in batches: first, in parallel, what each row's fate
/// needs that depends on no other row (mapping, validating, looking at its
/// scanned file, its candidate for matching); then, in order, what does
/// (a fingerprint counts the identical rows before it, and the first line
/// that names a scanned file takes it). Enough rows that each thread's
/// share outweighs handing it out, few enough that a batch's rows and
/// records take a few megabytes.
const BATCH_ROWS: usize = 4096;

/// A cap on `Reading::make_room`'s estimate, whatever the first rows say.
const MAX_EXPECTED_ROWS: f64 = 50_000_000.0;

/// What every row of one source is read with.
struct SourceContext<'s> {
    name: &'s str,
    compiled: &'s CompiledMapping,
    rules: &'s Rules,
    scans: &'s ScanSettings,
    scan_source: usize,
}

/// A row, its fingerprint, and what `Reading::prepare` worked out for it.
struct Prepared {
    raw: RawRow,
    fingerprint: String,
    step: Step,
}

/// How far a row went on its own.
enum Step {
    Blank,
    /// A row an earlier batch loaded, and for a scan's line, the file it
    /// names (`ScanNames::file_key`).
    AlreadyLoaded {
        file_key: Option<String>,
    },
    SkippedBy(String),
    FieldCount {
        expected: usize,
        found: usize,
    },
    Mapped(Box<MappedWork>),
}

/// A mapped row, as `Reading::map_row` left it.
struct MappedWork {
    record: Record,
    /// Mapping's issues, then those of validation: a scan's duplicate-file
    /// issue goes between them, as the file is named after mapping.
    map_issues: Vec<Issue>,
    file_key: Option<String>,
    validate_issues: Vec<Issue>,
    /// The record as matching sees it, when only that is kept
    /// (`candidates_only`).
    candidate: Option<Candidate>,
}

fn reject(mut row: PlannedRow, raw: &RawRow) -> PlannedRow {
    row.disposition = Disposition::Rejected;
    row.raw = Some(raw_text(raw));
    row
}

/// Cells as a person would read them, for rejected.csv.
fn raw_text(raw: &RawRow) -> Vec<String> {
    raw.cells
        .iter()
        .map(|cell| match cell {
            Cell::Error(error) => error.clone(),
            cell => cell.as_text().map(|text| text.into_owned()).unwrap_or_default(),
        })
        .collect()
}

/// SHA-256 of the source name and the cells: a fingerprint before the
/// identical rows before it are counted.
fn content_hash(source: &str, raw: &RawRow) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(source.as_bytes());
    for cell in &raw.cells {
        hasher.update([0x1f]);
        match cell {
            Cell::Error(error) => hasher.update(error.as_bytes()),
            cell => hasher.update(cell.as_text().unwrap_or_default().as_bytes()),
        }
    }
    hasher.finalize().into()
}

/// A row's fingerprint: its content's hash and how many identical rows came
/// before it in its source. Identical lines stay distinct, and a row keeps
/// its fingerprint when lines are inserted above it.
fn fingerprint(content: &[u8; 32], identical_before: u32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(content);
    hasher.update(identical_before.to_le_bytes());
    crate::digest::hex(&hasher.finalize())
}

/// The decisions that name rows and patients of this run, by candidate. A
/// decision that names none (its row is gone, or rejected now) is a warning,
/// never silently dropped.
fn resolve_decisions(
    file: &[FileDecision],
    existing: &Existing,
    rows: &[PlannedRow],
    accepted_rows: &[usize],
    printer: &Printer,
) -> decisions::Resolved {
    if file.is_empty() && existing.decisions.is_empty() {
        return decisions::Resolved::default();
    }
    let run_rows = decisions::RunRows {
        by_fingerprint: accepted_rows
            .iter()
            .enumerate()
            .map(|(index, &row)| (rows[row].fingerprint.as_str(), index as u32))
            .collect(),
        fingerprints: rows
            .iter()
            .map(|row| ((&*row.source.source, row.source.row), row.fingerprint.as_str()))
            .collect(),
        first_existing: accepted_rows.len() as u32,
    };
    let resolved = decisions::resolve(file, existing, &run_rows);
    if !resolved.unresolved_lines.is_empty() {
        let lines: Vec<String> = resolved.unresolved_lines.iter().map(u64::to_string).collect();
        printer.warning(&format!(
            "{} decision(s) name a row or patient that is not in this run (lines {}); they were not applied",
            lines.len(),
            lines.join(", ")
        ));
    }
    if resolved.unresolved_stored > 0 {
        printer.status(&format!(
            "{} decision(s) recorded in the database concern rows not in this run",
            resolved.unresolved_stored
        ));
    }
    resolved
}

fn kind_of(record: &Record) -> CandidateKind {
    match record.entity {
        Entity::Patient => CandidateKind::Patient,
        Entity::Document => CandidateKind::Document,
    }
}

/// Normalising is the costly part of a candidate: done in parallel.
fn candidates(accepted: &[(usize, Record)], existing: &Existing) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> =
        accepted.par_iter().map(|(_, record)| Candidate::from_record(record, kind_of(record))).collect();
    candidates.extend(existing_candidates(existing));
    candidates
}

/// The database's patients, after this run's rows (their indexes follow).
fn existing_candidates(existing: &Existing) -> impl Iterator<Item = Candidate> + '_ {
    existing.patients.iter().map(|patient| Candidate::from_record(&patient.record, CandidateKind::Existing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading_before(existing: &Existing, sizes_after: Vec<SourceSize>) -> Reading<'_> {
        let mut reading = Reading::new(existing, jiff::civil::date(2026, 11, 25));
        reading.sizes_after = sizes_after;
        reading
    }

    /// A sheet's progress counts rows, a text file's bytes: a sheet's rows
    /// are never taken for bytes per row, nor a text file's bytes for rows.
    #[test]
    fn room_is_made_for_later_sources_in_their_own_units() {
        let existing = Existing::empty();
        let mut occurrences = HashMap::new();

        // A sheet of 100 rows, then a 40 MB text file: the sheet says
        // nothing of the text file's rows, so it gets no room yet.
        let mut reading = reading_before(&existing, vec![SourceSize::Bytes(40_000_000)]);
        reading.make_room(100, Some(1.0), SourceSize::Rows(100), &mut occurrences);
        assert!((125..1_000).contains(&reading.accepted.capacity()), "{}", reading.accepted.capacity());

        // Text at 100 bytes a row (20 rows read in half of 2,000 bytes), then
        // 1,000 bytes of text and a sheet of 500 rows: 20 + 10 + 500 rows.
        let mut reading = reading_before(&existing, vec![SourceSize::Bytes(1_000), SourceSize::Rows(500)]);
        reading.make_room(10, Some(0.5), SourceSize::Bytes(2_000), &mut occurrences);
        assert!((530..1_000).contains(&reading.rows.capacity()), "{}", reading.rows.capacity());

        // Nothing known of the file: no guess.
        let mut reading = reading_before(&existing, vec![SourceSize::Rows(500)]);
        reading.make_room(10, None, SourceSize::Unknown, &mut occurrences);
        assert_eq!(reading.rows.capacity(), 0);
    }
}
