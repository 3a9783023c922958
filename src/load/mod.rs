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

pub use existing::read_existing;
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
}

/// Opens the database for writing, creating the file owner-only if needed.
/// Only `run` and `rollback` call this; the schema is brought up to date by
/// `begin_batch`, inside the batch's own transaction.
pub fn open_for_writing(path: &Path) -> Result<Connection, LoadError> {
    if !path.exists() {
        create_private_file(path).map_err(|source| LoadError::Create { path: path.to_path_buf(), source })?;
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

/// Opens an existing database read-only, for the dry run; `None` when there
/// is no database yet. The dry run never writes, not even a schema upgrade.
pub fn open_for_reading(path: &Path) -> Result<Option<Connection>, LoadError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|source| LoadError::Open { path: path.to_path_buf(), source })?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    schema::check_version(&conn)?;
    Ok(Some(conn))
}

fn configure(conn: &Connection) -> Result<(), LoadError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // Another run holding the write lock is waited for, not failed on.
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(())
}

fn create_private_file(path: &Path) -> std::io::Result<()> {
    crate::private_file::create(path).map(drop)
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
