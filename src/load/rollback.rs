//! Undoing a batch: everything it added goes, in one transaction; the batch
//! row stays, marked `rolled_back`, as the record that it happened. Only the
//! latest committed batch can be undone, because a later batch may have
//! merged rows into the patients an earlier one created.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::LoadError;

/// What a rollback removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RolledBack {
    pub batch_id: i64,
    pub patients: u64,
    pub identifiers: u64,
    pub documents: u64,
    pub source_rows: u64,
}

pub fn rollback(conn: &mut rusqlite::Connection, batch_id: i64, now: &str) -> Result<RolledBack, LoadError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    super::schema::migrate(&tx)?;
    let status: Option<String> =
        tx.query_row("SELECT status FROM batches WHERE batch_id = ?1", [batch_id], |row| row.get(0)).optional()?;
    match status.as_deref() {
        None => return Err(LoadError::NoSuchBatch(batch_id)),
        Some("rolled_back") => return Err(LoadError::AlreadyRolledBack { batch: batch_id }),
        Some(_) => {}
    }
    let latest: i64 =
        tx.query_row("SELECT max(batch_id) FROM batches WHERE status = 'committed'", [], |row| row.get(0))?;
    if latest != batch_id {
        return Err(LoadError::NotLatest { batch: batch_id, latest });
    }
    tx.execute("DELETE FROM match_decisions WHERE batch_id = ?1", [batch_id])?;
    let source_rows = tx.execute("DELETE FROM source_rows WHERE batch_id = ?1", [batch_id])? as u64;
    let documents = tx.execute("DELETE FROM documents WHERE batch_id = ?1", [batch_id])? as u64;
    let identifiers = tx.execute("DELETE FROM patient_identifiers WHERE batch_id = ?1", [batch_id])? as u64;
    let patients = tx.execute("DELETE FROM patients WHERE batch_id = ?1", [batch_id])? as u64;
    tx.execute(
        "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?2 WHERE batch_id = ?1",
        params![batch_id, now],
    )?;
    tx.commit()?;
    Ok(RolledBack { batch_id, patients, identifiers, documents, source_rows })
}
