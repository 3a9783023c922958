//! Writing one batch: the manifest, patients, identifiers, documents, and a
//! provenance row for every source row; then the reconciliation is checked
//! against what was written, before the caller commits.

use crate::decisions::StoredEnd;
use rusqlite::{Transaction, params};

use super::{BatchSummary, LoadError, Manifest};
use crate::extract::ScannedFile;
use crate::plan::{Disposition, PatientRef, Plan};
use crate::record::{Field, Record};

/// The patient fields stored as columns of `patients`, named as the fields.
pub(super) const PATIENT_FIELDS: &[Field] = &[
    Field::FamilyName,
    Field::GivenName,
    Field::MiddleName,
    Field::Suffix,
    Field::BirthDate,
    Field::Sex,
    Field::NationalId,
    Field::AddressLine1,
    Field::AddressLine2,
    Field::City,
    Field::State,
    Field::PostalCode,
    Field::Phone,
    Field::Email,
    Field::Title,
    Field::MaritalStatus,
    Field::DeathDate,
];

/// A test hook: abort the process (as a kill would) after this many
/// provenance rows, to prove an interrupted batch leaves no trace.
const ABORT_AFTER_ROWS_ENV: &str = "EMR_MIGRATE_TEST_ABORT_AFTER_ROWS";

/// Writes the plan as one batch inside `tx`. Nothing is visible to others
/// until the caller commits; on any error the caller drops `tx`.
pub fn load(tx: &Transaction, plan: &Plan, manifest: &Manifest, now: &str) -> Result<BatchSummary, LoadError> {
    let batch_id = insert_batch(tx, manifest, now)?;
    let patient_ids = insert_patients(tx, plan, batch_id)?;
    let resolve = |patient: Option<PatientRef>| match patient {
        Some(PatientRef::New(index)) => Some(patient_ids[index]),
        Some(PatientRef::Existing(patient_id)) => Some(patient_id),
        None => None,
    };
    let identifiers_added = insert_identifiers(tx, plan, &patient_ids, batch_id)?;
    let document_ids = insert_documents(tx, plan, batch_id, &resolve)?;
    insert_source_rows(tx, plan, batch_id, &resolve, &document_ids)?;
    insert_counts(tx, plan, batch_id)?;
    insert_decisions(tx, plan, batch_id)?;
    reconcile(tx, plan, batch_id)?;
    let next_mrn: i64 = tx.query_row("SELECT next_value FROM mrn_counter", [], |row| row.get(0))?;
    tx.execute("UPDATE mrn_counter SET next_value = ?1", [next_mrn + plan.patients.len() as i64])?;
    Ok(BatchSummary {
        batch_id,
        patients_created: plan.patients.len() as u64,
        identifiers_added,
        documents_loaded: document_ids.len() as u64,
        source_rows: plan.rows.len() as u64,
    })
}

/// The reviewers' decisions of this run, for every later run to honour.
fn insert_decisions(tx: &Transaction, plan: &Plan, batch_id: i64) -> Result<(), LoadError> {
    let mut statement = tx.prepare(
        "INSERT INTO match_decisions (batch_id, a_fingerprint, a_patient_id, b_fingerprint, b_patient_id, decision) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let columns = |end: &StoredEnd| match end {
        StoredEnd::Row { fingerprint, .. } => (Some(fingerprint.clone()), None),
        StoredEnd::Patient { patient_id } => (None, Some(*patient_id)),
    };
    for decision in &plan.decisions_to_record {
        let (a_fingerprint, a_patient) = columns(&decision.a);
        let (b_fingerprint, b_patient) = columns(&decision.b);
        statement.execute(rusqlite::params![
            batch_id,
            a_fingerprint,
            a_patient,
            b_fingerprint,
            b_patient,
            decision.decision.name()
        ])?;
    }
    Ok(())
}

fn insert_batch(tx: &Transaction, manifest: &Manifest, now: &str) -> Result<i64, LoadError> {
    let manifest_json = serde_json::to_string(manifest).expect("a manifest always serialises");
    tx.execute(
        "INSERT INTO batches (status, project_name, tool_version, started_at, finished_at, migration_sha256, manifest_json) \
         VALUES ('committed', ?1, ?2, ?3, ?4, ?5, ?6)",
        params![manifest.project_name, manifest.tool_version, manifest.started_at, now, manifest.migration.sha256, manifest_json],
    )?;
    let batch_id = tx.last_insert_rowid();
    let mut file = tx.prepare_cached(
        "INSERT INTO batch_files (batch_id, role, source_name, path, sha256, size_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let migration = &manifest.migration;
    file.execute(params![
        batch_id,
        "migration",
        None::<String>,
        migration.path,
        migration.sha256,
        migration.size_bytes as i64
    ])?;
    for source in &manifest.sources {
        for (role, entry) in [("mapping", &source.mapping), ("source", &source.file)] {
            file.execute(params![batch_id, role, source.name, entry.path, entry.sha256, entry.size_bytes as i64])?;
        }
    }
    Ok(batch_id)
}

fn insert_patients(tx: &Transaction, plan: &Plan, batch_id: i64) -> Result<Vec<i64>, LoadError> {
    let columns = PATIENT_FIELDS.iter().map(|field| field.name()).collect::<Vec<_>>().join(", ");
    let placeholders = (3..PATIENT_FIELDS.len() + 3).map(|index| format!("?{index}")).collect::<Vec<_>>().join(", ");
    let mut insert =
        tx.prepare_cached(&format!("INSERT INTO patients (batch_id, mrn, {columns}) VALUES (?1, ?2, {placeholders})"))?;
    let mut ids = Vec::with_capacity(plan.patients.len());
    for patient in &plan.patients {
        let values = stored_values(&patient.golden);
        let mut parameters: Vec<&dyn rusqlite::ToSql> = vec![&batch_id, &patient.mrn];
        parameters.extend(values.iter().map(|value| value as &dyn rusqlite::ToSql));
        insert.execute(parameters.as_slice())?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

fn stored_values(record: &Record) -> Vec<Option<String>> {
    PATIENT_FIELDS.iter().map(|field| record.get(*field).map(|value| value.to_text())).collect()
}

fn insert_identifiers(tx: &Transaction, plan: &Plan, patient_ids: &[i64], batch_id: i64) -> Result<u64, LoadError> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO patient_identifiers (patient_id, system, value, source_name, batch_id) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut added = 0;
    for (patient, patient_id) in plan.patients.iter().zip(patient_ids) {
        for (identifier, source_name) in &patient.identifiers {
            added +=
                insert.execute(params![patient_id, &*identifier.system, identifier.value, source_name, batch_id])?
                    as u64;
        }
    }
    for planned in &plan.existing_identifiers {
        let identifier = &planned.identifier;
        added += insert.execute(params![
            planned.patient_id,
            &*identifier.system,
            identifier.value,
            planned.source_name,
            batch_id
        ])? as u64;
    }
    Ok(added)
}

fn insert_documents(
    tx: &Transaction,
    plan: &Plan,
    batch_id: i64,
    resolve: &dyn Fn(Option<PatientRef>) -> Option<i64>,
) -> Result<Vec<i64>, LoadError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO documents (patient_id, document_type, document_date, page_count, indexed_page_count, path, sha256, \
         size_bytes, scan_batch, batch_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut ids = Vec::with_capacity(plan.documents.len());
    for document in &plan.documents {
        let record = &document.record;
        let (path, size, sha256, pages) = match &record.scanned_file {
            Some(ScannedFile::Found { path, size, sha256, pages }) => {
                (path, Some(*size as i64), Some(sha256.as_str()), *pages)
            }
            Some(ScannedFile::Unchecked { path }) => (path, None, None, None),
            _ => return Err(LoadError::DocumentWithoutFile { row: record.source.to_string() }),
        };
        let text = |field| record.get(field).map(|value| value.to_text());
        insert.execute(params![
            resolve(document.patient),
            text(Field::DocumentType),
            text(Field::DocumentDate),
            pages,
            record.integer(Field::PageCount),
            path,
            sha256,
            size,
            text(Field::ScanBatch),
            batch_id
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

fn insert_source_rows(
    tx: &Transaction,
    plan: &Plan,
    batch_id: i64,
    resolve: &dyn Fn(Option<PatientRef>) -> Option<i64>,
    document_ids: &[i64],
) -> Result<(), LoadError> {
    let abort_after: Option<usize> = std::env::var(ABORT_AFTER_ROWS_ENV).ok().and_then(|value| value.parse().ok());
    let mut insert = tx.prepare_cached(
        "INSERT INTO source_rows (batch_id, source_name, file, sheet, row_number, fingerprint, disposition, patient_id, \
         document_id, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (index, row) in plan.rows.iter().enumerate() {
        if abort_after == Some(index) {
            std::process::abort();
        }
        let reason = match &row.disposition {
            Disposition::Rejected => {
                Some(row.error_codes().iter().map(|code| code.as_str()).collect::<Vec<_>>().join(" "))
            }
            Disposition::Skipped(reason) => Some(reason.label()),
            Disposition::Loaded | Disposition::Merged | Disposition::Pending => None,
        };
        insert.execute(params![
            batch_id,
            &*row.source.source,
            &*row.source.file,
            row.source.sheet.as_deref(),
            row.source.row as i64,
            row.fingerprint,
            row.disposition.name(),
            resolve(row.patient),
            row.document.map(|index| document_ids[index]),
            reason
        ])?;
    }
    Ok(())
}

fn insert_counts(tx: &Transaction, plan: &Plan, batch_id: i64) -> Result<(), LoadError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO batch_sources (batch_id, source_name, rows_read, loaded, merged, rejected, skipped) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for counts in plan.counts() {
        insert.execute(params![
            batch_id,
            counts.name,
            counts.rows_read as i64,
            counts.loaded as i64,
            counts.merged as i64,
            counts.rejected as i64,
            counts.skipped as i64
        ])?;
    }
    Ok(())
}

/// Counts what was written, source by source, against what was read: the
/// last guard before commit that no row went missing on the way.
fn reconcile(tx: &Transaction, plan: &Plan, batch_id: i64) -> Result<(), LoadError> {
    let mut count = tx.prepare_cached("SELECT count(*) FROM source_rows WHERE batch_id = ?1 AND source_name = ?2")?;
    for source in &plan.sources {
        let recorded: i64 = count.query_row(params![batch_id, source.name], |row| row.get(0))?;
        if recorded as u64 != source.rows_read {
            return Err(LoadError::Unreconciled {
                source_name: source.name.clone(),
                read: source.rows_read,
                recorded: recorded as u64,
            });
        }
    }
    Ok(())
}
