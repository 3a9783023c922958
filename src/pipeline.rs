//! The dry run of every stage: sources in, a `Plan` out. Both `validate` and
//! `run` call `plan`; only `run` goes on to load it. This module is glue: it
//! moves rows from stage to stage and decides nothing a stage should.
//!
//! Every mapping is compiled against its source's header before the first
//! row is read, so a broken mapping in the third source stops the run before
//! any work (and long before the database).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use sha2::{Digest, Sha256};

use crate::digest::sha256_file;
use crate::error::Error;
use crate::extract::{self, Cell, RawRow, RowDefect, SourceReader};
use crate::issue::{self, Issue, IssueCode};
use crate::mapping::{self, CompiledMapping, LoadedMapping, MappedRow, MappingError};
use crate::matching::{self, Candidate, CandidateKind};
use crate::output::Printer;
use crate::plan::{
    Disposition, Existing, PatientRef, Plan, PlannedDocument, PlannedIdentifier, PlannedPatient, PlannedRow,
    ReviewEntry, ReviewSide, SkipReason, SourcePlan, StageTimings,
};
use crate::project::{Project, SourceSpec};
use crate::record::{Entity, Field, Record};
use crate::validate::{self, Rules};

/// A source ready to read: mapping compiled against the real header.
struct OpenSource<'p> {
    spec: &'p SourceSpec,
    mapping: LoadedMapping,
    compiled: CompiledMapping,
    reader: SourceReader,
    scan_root: PathBuf,
}

/// Every source of a project, opened, with its mapping compiled against the
/// source's header: the part of planning that can fail on what the user
/// wrote, done before anything else is touched.
pub struct OpenSources<'p> {
    sources: Vec<OpenSource<'p>>,
    started: Instant,
}

pub fn open(project: &Project) -> Result<OpenSources<'_>, Error> {
    let started = Instant::now();
    Ok(OpenSources { sources: open_sources(project)?, started })
}

/// Builds the plan for `project` against what the database already holds.
pub fn plan(
    project: &Project,
    sources: OpenSources<'_>,
    existing: &Existing,
    today: Date,
    printer: &Printer,
) -> Result<Plan, Error> {
    let mut timings = StageTimings::default();
    let OpenSources { sources, started } = sources;
    let mut reading = Reading {
        existing,
        today,
        rows: Vec::new(),
        accepted: Vec::new(),
        extract: Duration::ZERO,
        map_validate: Duration::ZERO,
    };
    let mut source_plans = Vec::with_capacity(sources.len());
    for source in sources {
        source_plans.push(reading.read(source, printer)?);
    }
    let Reading { mut rows, accepted, map_validate, .. } = reading;
    // Opening files and hashing them counts as extraction.
    timings.extract_ms = started.elapsed().saturating_sub(map_validate).as_millis() as u64;
    timings.map_validate_ms = map_validate.as_millis() as u64;

    let matching_started = Instant::now();
    printer.status(&format!("matching {} records", accepted.len()));
    let candidates = candidates(&accepted, existing);
    let outcome = matching::run(&candidates, &project.matching);
    let mut plan = Plan {
        sources: source_plans,
        rows: Vec::new(),
        patients: Vec::new(),
        documents: Vec::new(),
        existing_identifiers: Vec::new(),
        existing_patients_matched: 0,
        matching: outcome.stats.clone(),
        review: Vec::new(),
        timings,
    };
    let priorities: HashMap<&str, usize> =
        project.sources.iter().enumerate().map(|(index, source)| (source.name.as_str(), index)).collect();
    let assembly = Assembly { project, existing, accepted: &accepted, priorities, cluster_of: &outcome.cluster_of };
    assembly.assign(&mut rows, &mut plan);
    plan.review = outcome
        .review
        .iter()
        .map(|pair| ReviewEntry { a: assembly.side(pair.a), b: assembly.side(pair.b), pair: pair.clone() })
        .collect();
    plan.rows = rows;
    plan.timings.match_ms = matching_started.elapsed().as_millis() as u64;
    let imbalanced = plan.imbalances();
    if let Some(first) = imbalanced.first() {
        return Err(Error::Unbalanced { source_name: first.name.clone() });
    }
    Ok(plan)
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
                open.push(OpenSource { spec, mapping, compiled, reader, scan_root });
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
    /// Rows that passed: (index into `rows`, record, source priority name).
    accepted: Vec<(usize, Record)>,
    extract: Duration,
    map_validate: Duration,
}

impl Reading<'_> {
    fn read(&mut self, source: OpenSource<'_>, printer: &Printer) -> Result<SourcePlan, Error> {
        let OpenSource { spec, mapping, compiled, mut reader, scan_root } = source;
        let file_digest = sha256_file(&spec.path).map_err(|source| Error::Read { path: spec.path.clone(), source })?;
        let rules = Rules { required: compiled.required.clone(), today: self.today };
        let bar = printer.progress(None, &spec.name);
        let mut occurrences: HashMap<[u8; 32], u32> = HashMap::new();
        let mut rows_read = 0u64;
        loop {
            let extract_started = Instant::now();
            let Some(raw) = reader.next() else { break };
            let raw = raw?;
            self.extract += extract_started.elapsed();
            let map_started = Instant::now();
            rows_read += 1;
            let fingerprint = fingerprint(&spec.name, &raw, &mut occurrences);
            let row = self.plan_row(raw, fingerprint, &compiled, &rules, &scan_root);
            self.rows.push(row);
            self.map_validate += map_started.elapsed();
            bar.inc(1);
        }
        bar.finish_and_clear();
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
        })
    }

    /// One row's fate up to matching: skipped, rejected, or accepted for
    /// matching (pushed to `accepted`, disposition settled later).
    fn plan_row(
        &mut self,
        raw: RawRow,
        fingerprint: String,
        compiled: &CompiledMapping,
        rules: &Rules,
        scan_root: &Path,
    ) -> PlannedRow {
        let mut row = PlannedRow {
            source: raw.source.clone(),
            fingerprint,
            disposition: Disposition::Rejected,
            patient: None,
            document: None,
            cluster: None,
            issues: Vec::new(),
            raw: None,
        };
        if raw.is_blank() {
            row.disposition = Disposition::Skipped(SkipReason::Blank);
            return row;
        }
        if self.existing.loaded_fingerprints.contains(&row.fingerprint) {
            row.disposition = Disposition::Skipped(SkipReason::AlreadyLoaded);
            return row;
        }
        if let Some(RowDefect::FieldCount { expected, found }) = raw.defect {
            row.issues.push(
                Issue::new(IssueCode::RowFieldCount, &raw.source)
                    .detail(format!("{found} fields where the header has {expected}")),
            );
            row.raw = Some(raw_text(&raw));
            return row;
        }
        let mut record = match compiled.apply(&raw, &mut row.issues) {
            MappedRow::Skipped(rule) => {
                row.disposition = Disposition::Skipped(SkipReason::Rule(rule));
                return row;
            }
            MappedRow::Mapped(record) => record,
        };
        if record.entity == Entity::Document {
            attach_scanned_file(&mut record, scan_root, &mut row.issues);
        }
        validate::validate(&record, rules, &mut row.issues);
        if issue::rejects(&row.issues) {
            row.raw = Some(raw_text(&raw));
            return row;
        }
        self.accepted.push((self.rows.len(), record));
        row
    }
}

/// Looks at the file a document row names. A document without a file it can
/// load is rejected here, so load only ever sees found files.
fn attach_scanned_file(record: &mut Record, scan_root: &Path, issues: &mut Vec<Issue>) {
    let Some(path) = record.text(Field::FilePath) else {
        if !issues.iter().any(|issue| issue.field == Some(Field::FilePath)) {
            issues.push(Issue::new(IssueCode::ScanFileMissing, &record.source).field(Field::FilePath));
        }
        return;
    };
    record.scanned_file = Some(extract::inspect_scanned_file(scan_root, path));
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

/// SHA-256 of the source name, the cells, and how many identical rows came
/// before in this source: identical lines stay distinct, and a row keeps its
/// fingerprint when lines are inserted above it.
fn fingerprint(source: &str, raw: &RawRow, occurrences: &mut HashMap<[u8; 32], u32>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(source.as_bytes());
    for cell in &raw.cells {
        hasher.update([0x1f]);
        match cell {
            Cell::Error(error) => hasher.update(error.as_bytes()),
            cell => hasher.update(cell.as_text().unwrap_or_default().as_bytes()),
        }
    }
    let base: [u8; 32] = hasher.finalize().into();
    let occurrence = occurrences.entry(base).or_insert(0);
    let mut hasher = Sha256::new();
    hasher.update(base);
    hasher.update(occurrence.to_le_bytes());
    *occurrence += 1;
    crate::digest::hex(&hasher.finalize())
}

fn candidates(accepted: &[(usize, Record)], existing: &Existing) -> Vec<Candidate> {
    let from_rows = accepted.iter().map(|(_, record)| {
        let kind = match record.entity {
            Entity::Patient => CandidateKind::Patient,
            Entity::Document => CandidateKind::Document,
        };
        Candidate::from_record(record, kind)
    });
    let from_database =
        existing.patients.iter().map(|patient| Candidate::from_record(&patient.record, CandidateKind::Existing));
    from_rows.chain(from_database).collect()
}

/// Turning clusters into patients, merges and document links.
struct Assembly<'a> {
    project: &'a Project,
    existing: &'a Existing,
    accepted: &'a [(usize, Record)],
    priorities: HashMap<&'a str, usize>,
    cluster_of: &'a [u32],
}

impl Assembly<'_> {
    fn assign(&self, rows: &mut [PlannedRow], plan: &mut Plan) {
        let mut clusters: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (candidate, cluster) in self.cluster_of.iter().enumerate() {
            clusters.entry(*cluster).or_default().push(candidate);
        }
        let mut next_mrn = self.existing.next_mrn;
        for (cluster, members) in clusters {
            let (existing, accepted): (Vec<usize>, Vec<usize>) =
                members.into_iter().partition(|&candidate| candidate >= self.accepted.len());
            for &candidate in &accepted {
                rows[self.accepted[candidate].0].cluster = Some(cluster);
            }
            let (patients, documents): (Vec<usize>, Vec<usize>) =
                accepted.into_iter().partition(|&candidate| self.accepted[candidate].1.entity == Entity::Patient);
            let patient = match existing.first() {
                Some(&candidate) => self.merge_into_existing(candidate - self.accepted.len(), &patients, rows, plan),
                None if !patients.is_empty() => {
                    let mrn = self.mrn(next_mrn);
                    next_mrn += 1;
                    Some(self.new_patient(mrn, &patients, rows, plan))
                }
                None => None,
            };
            for candidate in documents {
                let (row_index, record) = &self.accepted[candidate];
                let row = &mut rows[*row_index];
                row.disposition = Disposition::Loaded;
                row.patient = patient;
                row.document = Some(plan.documents.len());
                if patient.is_none() {
                    row.issues.push(Issue::new(IssueCode::DocumentUnlinked, &record.source));
                }
                plan.documents.push(PlannedDocument { row: *row_index, record: record.clone(), patient });
            }
        }
    }

    fn mrn(&self, number: u64) -> String {
        let target = &self.project.target;
        format!("{}{:0width$}", target.mrn_prefix, number, width = target.mrn_digits)
    }

    fn new_patient(&self, mrn: String, members: &[usize], rows: &mut [PlannedRow], plan: &mut Plan) -> PatientRef {
        let mut ranked: Vec<(usize, &Record, usize)> = members
            .iter()
            .map(|&candidate| {
                let (row_index, record) = &self.accepted[candidate];
                (self.priorities.get(&*record.source.source).copied().unwrap_or(usize::MAX), record, *row_index)
            })
            .collect();
        matching::rank(&mut ranked);
        let ordered: Vec<&Record> = ranked.iter().map(|(_, record, _)| *record).collect();
        let golden = matching::merge(&ordered).expect("a cluster with patient rows has a first record");
        let patient = PatientRef::New(plan.patients.len());
        let mut identifiers = Vec::new();
        let mut seen = HashSet::new();
        let mut row_indexes = Vec::with_capacity(members.len());
        for (rank, (_, record, row_index)) in ranked.iter().enumerate() {
            let row_index = *row_index;
            let row = &mut rows[row_index];
            row.disposition = if rank == 0 { Disposition::Loaded } else { Disposition::Merged };
            row.patient = Some(patient);
            row_indexes.push(row_index);
            for identifier in &record.identifiers {
                if seen.insert(identifier.clone()) {
                    identifiers.push((identifier.clone(), record.source.source.to_string()));
                }
            }
        }
        plan.patients.push(PlannedPatient { mrn, golden, identifiers, rows: row_indexes });
        patient
    }

    fn merge_into_existing(
        &self,
        existing_index: usize,
        members: &[usize],
        rows: &mut [PlannedRow],
        plan: &mut Plan,
    ) -> Option<PatientRef> {
        let existing = &self.existing.patients[existing_index];
        let patient = PatientRef::Existing(existing.patient_id);
        let mut known: HashSet<_> = existing.record.identifiers.iter().cloned().collect();
        for &candidate in members {
            let (row_index, record) = &self.accepted[candidate];
            let row = &mut rows[*row_index];
            row.disposition = Disposition::Merged;
            row.patient = Some(patient);
            for identifier in &record.identifiers {
                if known.insert(identifier.clone()) {
                    plan.existing_identifiers.push(PlannedIdentifier {
                        patient_id: existing.patient_id,
                        identifier: identifier.clone(),
                        source_name: record.source.source.to_string(),
                    });
                }
            }
        }
        if !members.is_empty() {
            plan.existing_patients_matched += 1;
        }
        Some(patient)
    }

    fn side(&self, candidate: u32) -> ReviewSide {
        let candidate = candidate as usize;
        match self.accepted.get(candidate) {
            Some((row, record)) => ReviewSide::Row { row: *row, record: Box::new(record.clone()) },
            None => {
                let patient = &self.existing.patients[candidate - self.accepted.len()];
                ReviewSide::Existing {
                    patient_id: patient.patient_id,
                    mrn: patient.mrn.clone(),
                    record: Box::new(patient.record.clone()),
                }
            }
        }
    }
}
