//! load: the plan into the EMR database, as one batch in one transaction.
//!
//! Owns the database: its schema and migrations (`schema`), reading what it
//! already holds (`read_existing`), writing a batch (`load`) and undoing one
//! (`rollback`). Either a whole batch is in, or none of it: every write goes
//! through one `rusqlite::Transaction`, which rolls back if dropped on an
//! error path, and SQLite's journal undoes a batch cut short by a killed
//! process. The database holds patient data, so a new file is created
//! readable by its owner only.
//!
//! Load decides nothing about the data; the plan already says what happens
//! to every row.

mod existing;
mod insert;
mod rollback;
pub mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;

pub use existing::{DATABASE_SOURCE, read_existing};

use crate::plan::Existing;
pub use insert::load;
pub use rollback::rollback;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot create the database file", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot open the database", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the database is not an emr-migrate EMR database (it has tables but no emr-migrate schema version)")]
    NotOurs,
    #[error(
        "the database has schema version {found}, newer than this emr-migrate supports ({supported})\n\nhint: upgrade emr-migrate"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error(
        "the database has schema version {found}, older than this emr-migrate reads ({supported})\n\nhint: run `emr-migrate run` once to upgrade it"
    )]
    SchemaTooOld { found: i64, supported: i64 },
    #[error("the database rejected the batch")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "reconciliation failed for source `{source_name}`: {read} rows read but {recorded} recorded; the batch was not committed"
    )]
    Unreconciled { source_name: String, read: u64, recorded: u64 },
    #[error("there is no batch {0}")]
    NoSuchBatch(i64),
    #[error("batch {batch} is already rolled back")]
    AlreadyRolledBack { batch: i64 },
    #[error(
        "batch {batch} is not the latest committed batch\n\nhint: roll back batch {latest} first; later batches may have merged rows into its patients"
    )]
    NotLatest { batch: i64, latest: i64 },
    #[error(
        "{row}: a document without a checked file reached the load; nothing was written\n\nhint: this is a bug in emr-migrate; please report it"
    )]
    DocumentWithoutFile { row: String },
    #[error("{}: there is no database here", path.display())]
    NoDatabase { path: PathBuf },
    #[error(
        "the database changed while this run was planning (another run or rollback committed); nothing was written\n\nhint: run again: the new plan will take the other batch into account"
    )]
    ChangedWhilePlanning,
}

/// Opens the database for writing, creating the file owner-only if there is
/// none. Only `run` and `rollback` call this; the schema is brought up to
/// date by `begin_batch`, inside the batch's own transaction, so a batch that
/// fails leaves at most an empty file, which every command reads as "no
/// database yet".
pub fn open_for_writing(path: &Path) -> Result<Connection, LoadError> {
    match crate::private_file::create_new(path) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => return Err(LoadError::Create { path: path.to_path_buf(), source }),
    }
    let conn = Connection::open(path).map_err(|source| LoadError::Open { path: path.to_path_buf(), source })?;
    configure(&conn)?;
    Ok(conn)
}

/// Starts the write transaction of a batch (waiting for any other writer)
/// and upgrades the schema in it, so that even the upgrade is undone if the
/// batch fails.
pub fn begin_batch(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>, LoadError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    schema::migrate(&tx)?;
    Ok(tx)
}

/// Opens the database read-only: for the dry run, and for planning a batch
/// without holding the write lock. `None` when there is no database yet (no
/// file, or an empty one). Nothing is ever written, not even an upgrade.
pub fn open_for_reading(path: &Path) -> Result<Option<Connection>, LoadError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|source| LoadError::Open { path: path.to_path_buf(), source })?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    if schema::is_empty(&conn)? {
        return Ok(None);
    }
    schema::check_version(&conn)?;
    Ok(Some(conn))
}

/// What `run` plans a batch against. A database of an older schema version
/// is read through a transaction that upgrades it and is then rolled back:
/// the plan sees the columns the batch will write, and the file stays as it
/// was until the batch's own transaction upgrades it for real (so a batch
/// that fails leaves the old version). Reading it read-only, as `validate`
/// does, would refuse it and leave no way to upgrade.
pub fn read_for_batch(path: &Path) -> Result<(Existing, Snapshot), LoadError> {
    match open_for_reading(path) {
        Ok(Some(mut conn)) => read_state(&mut conn),
        Ok(None) => Ok((Existing::empty(), Snapshot::default())),
        Err(LoadError::SchemaTooOld { .. }) => {
            let mut conn = open_for_writing(path)?;
            let tx = conn.transaction()?;
            schema::migrate(&tx)?;
            // Dropped, not committed: the upgrade is undone.
            Ok((read_existing(&tx)?, snapshot(&tx)?))
        }
        Err(error) => Err(error),
    }
}

/// What a plan was made against: if a batch is committed or rolled back
/// between planning and loading, the snapshot differs and the load stops.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    batches: i64,
    latest_batch: Option<i64>,
    rolled_back: i64,
}

/// The snapshot of a database; the default one stands for "no database".
pub fn snapshot(conn: &Connection) -> Result<Snapshot, LoadError> {
    if schema::is_empty(conn)? {
        return Ok(Snapshot::default());
    }
    Ok(conn.query_row(
        "SELECT count(*), max(batch_id), count(*) FILTER (WHERE status = 'rolled_back') FROM batches",
        [],
        |row| Ok(Snapshot { batches: row.get(0)?, latest_batch: row.get(1)?, rolled_back: row.get(2)? }),
    )?)
}

/// What is in the database, and the snapshot it was read at, read in one
/// transaction so the two agree.
pub fn read_state(conn: &mut Connection) -> Result<(Existing, Snapshot), LoadError> {
    let tx = conn.transaction()?;
    let state = (read_existing(&tx)?, snapshot(&tx)?);
    tx.commit()?;
    Ok(state)
}

fn configure(conn: &Connection) -> Result<(), LoadError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // Another run holding the write lock is waited for, not failed on.
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(())
}

/// The run manifest stored with each batch: exactly what went in.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool_version: String,
    pub project_name: String,
    pub started_at: String,
    pub migration: ManifestFile,
    pub sources: Vec<ManifestSource>,
    pub auto_link: f64,
    pub review: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ManifestSource {
    pub name: String,
    pub file: ManifestFile,
    pub mapping: ManifestFile,
}

/// What a committed batch added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    pub batch_id: i64,
    pub patients_created: u64,
    pub identifiers_added: u64,
    pub documents_loaded: u64,
    pub source_rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_changes_when_a_batch_is_committed_or_rolled_back() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(snapshot(&conn).unwrap(), Snapshot::default(), "an empty database is no database");
        schema::migrate(&conn).unwrap();
        let before = snapshot(&conn).unwrap();
        conn.execute(
            "INSERT INTO batches (status, project_name, tool_version, started_at, finished_at, migration_sha256, \
             manifest_json) VALUES ('committed', 'p', 'v', 't', 't', 's', '{}')",
            [],
        )
        .unwrap();
        let committed = snapshot(&conn).unwrap();
        assert_ne!(committed, before);
        conn.execute("UPDATE batches SET status = 'rolled_back'", []).unwrap();
        assert_ne!(snapshot(&conn).unwrap(), committed);
    }
}
