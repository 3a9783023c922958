//! What the database already holds: its patients (to match new rows against),
//! the fingerprints of rows already loaded (so a re-run adds nothing), and
//! the next MRN.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

use super::LoadError;
use super::insert::PATIENT_FIELDS;
use crate::decisions::{StoredDecision, StoredEnd};
use crate::matching::Decision;
use crate::plan::{Existing, ExistingPatient};
use crate::record::{Entity, Field, FieldKind, Identifier, Record, Value};
use crate::source_ref::SourceRef;

/// The source name existing patients carry in their `SourceRef`.
pub const DATABASE_SOURCE: &str = "emr-database";

pub fn read_existing(conn: &Connection) -> Result<Existing, LoadError> {
    let mut identifiers = read_identifiers(conn)?;
    let columns = PATIENT_FIELDS.iter().map(|field| field.name()).collect::<Vec<_>>().join(", ");
    let mut statement =
        conn.prepare(&format!("SELECT patient_id, mrn, {columns} FROM patients ORDER BY patient_id"))?;
    let source: Arc<str> = DATABASE_SOURCE.into();
    let file: Arc<str> = "patients".into();
    let patients = statement
        .query_map([], |row| {
            let patient_id: i64 = row.get(0)?;
            let mrn: String = row.get(1)?;
            let source_ref =
                SourceRef { source: source.clone(), file: file.clone(), sheet: None, row: patient_id as u64 };
            let mut record = Record::new(Entity::Patient, source_ref);
            for (offset, field) in PATIENT_FIELDS.iter().enumerate() {
                let text: Option<String> = row.get(offset + 2)?;
                if let Some(value) = text.and_then(|text| stored_value(*field, text)) {
                    record.set(*field, value);
                }
            }
            Ok(ExistingPatient { patient_id, mrn, record })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let patients = patients
        .into_iter()
        .map(|mut patient| {
            patient.record.identifiers = identifiers.remove(&patient.patient_id).unwrap_or_default();
            patient
        })
        .collect();
    let mut fingerprints = conn.prepare(
        "SELECT s.fingerprint, s.patient_id FROM source_rows s JOIN batches b ON b.batch_id = s.batch_id \
         WHERE b.status = 'committed' AND s.disposition IN ('loaded', 'merged')",
    )?;
    let loaded_rows = fingerprints.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    let decisions = read_decisions(conn)?;
    let next_mrn: i64 = conn.query_row("SELECT next_value FROM mrn_counter", [], |row| row.get(0))?;
    let mut documents = conn.prepare("SELECT path, sha256 FROM documents WHERE sha256 IS NOT NULL")?;
    let loaded_documents = documents.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(Existing { patients, loaded_rows, decisions, next_mrn: next_mrn as u64, loaded_documents })
}

/// A match_decisions row: each side's fingerprint or patient, and the decision.
type StoredRow = (Option<String>, Option<i64>, Option<String>, Option<i64>, String);

/// Decisions of committed batches, oldest first, each row side with the
/// patient its row became.
fn read_decisions(conn: &Connection) -> Result<Vec<StoredDecision>, LoadError> {
    let mut statement = conn.prepare(
        "SELECT d.a_fingerprint, d.a_patient_id, d.b_fingerprint, d.b_patient_id, d.decision \
         FROM match_decisions d JOIN batches b ON b.batch_id = d.batch_id \
         WHERE b.status = 'committed' ORDER BY d.decision_id",
    )?;
    let mut patient_of = conn.prepare(
        "SELECT s.patient_id FROM source_rows s JOIN batches b ON b.batch_id = s.batch_id \
         WHERE b.status = 'committed' AND s.fingerprint = ?1 AND s.patient_id IS NOT NULL LIMIT 1",
    )?;
    let rows: Vec<StoredRow> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)))?
        .collect::<Result<_, _>>()?;
    let mut end = |fingerprint: Option<String>, patient_id: Option<i64>| -> Result<StoredEnd, LoadError> {
        Ok(match (fingerprint, patient_id) {
            (Some(fingerprint), _) => {
                let patient_id = patient_of.query_row([&fingerprint], |row| row.get(0)).optional()?;
                StoredEnd::Row { fingerprint, patient_id }
            }
            (None, patient_id) => StoredEnd::Patient { patient_id: patient_id.unwrap_or_default() },
        })
    };
    let mut decisions = Vec::with_capacity(rows.len());
    for (a_fingerprint, a_patient, b_fingerprint, b_patient, decision) in rows {
        let Some(decision) = Decision::parse(&decision) else { continue };
        decisions.push(StoredDecision {
            a: end(a_fingerprint, a_patient)?,
            b: end(b_fingerprint, b_patient)?,
            decision,
        });
    }
    Ok(decisions)
}

fn read_identifiers(conn: &Connection) -> Result<HashMap<i64, Vec<Identifier>>, LoadError> {
    let mut statement =
        conn.prepare("SELECT patient_id, system, value FROM patient_identifiers ORDER BY patient_id, system, value")?;
    let mut identifiers: HashMap<i64, Vec<Identifier>> = HashMap::new();
    let rows = statement.query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get(2)?)))?;
    for row in rows {
        let (patient_id, system, value) = row?;
        identifiers.entry(patient_id).or_default().push(Identifier { system: system.into(), value, compared: true });
    }
    Ok(identifiers)
}

fn stored_value(field: Field, text: String) -> Option<Value> {
    match field.kind() {
        FieldKind::Text => Some(Value::Text(text)),
        FieldKind::Date => text.parse().ok().map(Value::Date),
        FieldKind::Integer => text.parse().ok().map(Value::Integer),
        FieldKind::Coded(set) => set.value(&text),
    }
}
