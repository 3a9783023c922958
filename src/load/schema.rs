//! The EMR database schema and its migrations. The version lives in SQLite's
//! `user_version`; docs/schema.md documents every table and column, and a
//! test keeps the two in step.

use rusqlite::Connection;

use super::LoadError;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 3;

/// Each entry upgrades the schema by one version, from the one before.
const MIGRATIONS: &[&str] = &[V1, V2, V3];

const V1: &str = r#"
CREATE TABLE batches (
    batch_id         INTEGER PRIMARY KEY,
    status           TEXT NOT NULL CHECK (status IN ('committed', 'rolled_back')),
    project_name     TEXT NOT NULL,
    tool_version     TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    finished_at      TEXT NOT NULL,
    migration_sha256 TEXT NOT NULL,
    manifest_json    TEXT NOT NULL,
    rolled_back_at   TEXT
);

CREATE TABLE batch_files (
    batch_id    INTEGER NOT NULL REFERENCES batches (batch_id),
    role        TEXT NOT NULL CHECK (role IN ('migration', 'mapping', 'source')),
    source_name TEXT,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size_bytes  INTEGER NOT NULL
);

CREATE TABLE batch_sources (
    batch_id    INTEGER NOT NULL REFERENCES batches (batch_id),
    source_name TEXT NOT NULL,
    rows_read   INTEGER NOT NULL,
    loaded      INTEGER NOT NULL,
    merged      INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    PRIMARY KEY (batch_id, source_name),
    CHECK (rows_read = loaded + merged + rejected + skipped)
);

CREATE TABLE patients (
    patient_id    INTEGER PRIMARY KEY,
    mrn           TEXT NOT NULL UNIQUE,
    family_name   TEXT NOT NULL,
    given_name    TEXT,
    middle_name   TEXT,
    suffix        TEXT,
    birth_date    TEXT,
    sex           TEXT CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    national_id   TEXT,
    address_line1 TEXT,
    address_line2 TEXT,
    city          TEXT,
    state         TEXT,
    postal_code   TEXT,
    phone         TEXT,
    email         TEXT,
    batch_id      INTEGER NOT NULL REFERENCES batches (batch_id)
);

CREATE TABLE patient_identifiers (
    identifier_id INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (patient_id),
    system        TEXT NOT NULL,
    value         TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    batch_id      INTEGER NOT NULL REFERENCES batches (batch_id),
    UNIQUE (patient_id, system, value)
);
CREATE INDEX patient_identifiers_by_value ON patient_identifiers (system, value);

CREATE TABLE documents (
    document_id        INTEGER PRIMARY KEY,
    patient_id         INTEGER REFERENCES patients (patient_id),
    document_type      TEXT,
    document_date      TEXT,
    page_count         INTEGER,
    indexed_page_count INTEGER,
    path               TEXT NOT NULL,
    sha256             TEXT,
    size_bytes         INTEGER,
    scan_batch         TEXT,
    batch_id           INTEGER NOT NULL REFERENCES batches (batch_id)
);
CREATE INDEX documents_by_patient ON documents (patient_id);

CREATE TABLE source_rows (
    batch_id    INTEGER NOT NULL REFERENCES batches (batch_id),
    source_name TEXT NOT NULL,
    file        TEXT NOT NULL,
    sheet       TEXT,
    row_number  INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    disposition TEXT NOT NULL CHECK (disposition IN ('loaded', 'merged', 'rejected', 'skipped')),
    patient_id  INTEGER REFERENCES patients (patient_id),
    document_id INTEGER REFERENCES documents (document_id),
    reason      TEXT,
    PRIMARY KEY (batch_id, source_name, row_number)
);
CREATE INDEX source_rows_by_fingerprint ON source_rows (fingerprint);
CREATE INDEX source_rows_by_patient ON source_rows (patient_id);

CREATE TABLE mrn_counter (
    next_value INTEGER NOT NULL
);
INSERT INTO mrn_counter (next_value) VALUES (1);
"#;

/// Reviewers' decisions (`--decisions`), honoured by every later run. A row
/// side is kept by fingerprint (the row may not be loaded yet, or may move);
/// a database patient by id.
const V2: &str = r#"
CREATE TABLE match_decisions (
    decision_id   INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches (batch_id),
    a_fingerprint TEXT,
    a_patient_id  INTEGER REFERENCES patients (patient_id),
    b_fingerprint TEXT,
    b_patient_id  INTEGER REFERENCES patients (patient_id),
    decision      TEXT NOT NULL CHECK (decision IN ('match', 'distinct')),
    CHECK ((a_fingerprint IS NULL) <> (a_patient_id IS NULL)),
    CHECK ((b_fingerprint IS NULL) <> (b_patient_id IS NULL))
);
CREATE INDEX match_decisions_by_batch ON match_decisions (batch_id);
"#;

/// A patient's title, marital status and death date. Added as columns, so
/// the patients of earlier batches keep every value and get NULLs; the CHECK
/// holds marital status to the canonical set, as V1 does for sex.
const V3: &str = r#"
ALTER TABLE patients ADD COLUMN title TEXT;
ALTER TABLE patients ADD COLUMN marital_status TEXT
    CHECK (marital_status IN ('single', 'married', 'partnered', 'separated', 'divorced', 'widowed', 'unknown'));
ALTER TABLE patients ADD COLUMN death_date TEXT;
"#;

/// Brings a database to `SCHEMA_VERSION`, in the caller's transaction.
pub fn migrate(conn: &Connection) -> Result<(), LoadError> {
    let version = user_version(conn)?;
    if version > SCHEMA_VERSION {
        return Err(LoadError::SchemaTooNew { found: version, supported: SCHEMA_VERSION });
    }
    if version == 0 {
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |row| row.get(0))?;
        if tables > 0 {
            return Err(LoadError::NotOurs);
        }
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(migration)?;
        conn.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}

/// Checks a database opened read-only without changing it.
pub fn check_version(conn: &Connection) -> Result<(), LoadError> {
    match user_version(conn)? {
        SCHEMA_VERSION => Ok(()),
        0 => Err(LoadError::NotOurs),
        found if found > SCHEMA_VERSION => Err(LoadError::SchemaTooNew { found, supported: SCHEMA_VERSION }),
        found => Err(LoadError::SchemaTooOld { found, supported: SCHEMA_VERSION }),
    }
}

/// True for a database with nothing in it: a file a failed first run left.
pub fn is_empty(conn: &Connection) -> Result<bool, LoadError> {
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    Ok(objects == 0 && user_version(conn)? == 0)
}

fn user_version(conn: &Connection) -> Result<i64, LoadError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Every table and its columns, for the schema documentation test.
pub fn tables(conn: &Connection) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
    let mut statement = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?;
    let names: Vec<String> = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|name| {
            let mut columns = conn.prepare(&format!("SELECT name FROM pragma_table_info('{name}') ORDER BY cid"))?;
            let columns = columns.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
            Ok((name, columns))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_once() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        migrate(&conn).unwrap();
        check_version(&conn).unwrap();
    }

    #[test]
    fn refuses_a_database_that_is_not_ours() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE practice_stuff (x)").unwrap();
        assert!(matches!(migrate(&conn), Err(LoadError::NotOurs)));
    }

    #[test]
    fn refuses_a_newer_schema() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(matches!(migrate(&conn), Err(LoadError::SchemaTooNew { .. })));
    }

    /// A database as the previous release left it: version 2, a patient in it.
    fn version_2_with_a_patient() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO batches (status, project_name, tool_version, started_at, finished_at, migration_sha256, \
             manifest_json) VALUES ('committed', 'p', 'v', 't', 't', 's', '{}');
             INSERT INTO patients (mrn, family_name, sex, batch_id) VALUES ('MRN1', 'Doe', 'female', 1);",
        )
        .unwrap();
        conn
    }

    #[test]
    fn upgrades_a_version_2_database_keeping_its_patients() {
        let conn = version_2_with_a_patient();
        assert!(matches!(check_version(&conn), Err(LoadError::SchemaTooOld { found: 2, supported: 3 })));
        migrate(&conn).unwrap();
        check_version(&conn).unwrap();
        let kept: (String, String, Option<String>, Option<String>, Option<String>) = conn
            .query_row("SELECT family_name, sex, title, marital_status, death_date FROM patients", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
            })
            .unwrap();
        assert_eq!(kept, ("Doe".into(), "female".into(), None, None, None));
        conn.execute("UPDATE patients SET title = 'Dr', marital_status = 'widowed', death_date = '2020-01-02'", [])
            .unwrap();
    }

    #[test]
    fn the_database_holds_marital_status_to_the_canonical_set() {
        let conn = version_2_with_a_patient();
        migrate(&conn).unwrap();
        for status in crate::record::MaritalStatus::NAMES {
            conn.execute("UPDATE patients SET marital_status = ?1", [status]).unwrap();
        }
        let refused = conn.execute("UPDATE patients SET marital_status = 'M'", []);
        assert!(refused.is_err(), "a legacy code never reaches the database");
    }

    #[test]
    fn schema_doc_lists_every_table_and_column() {
        let conn = Connection::open_in_memory().unwrap();
        migrate(&conn).unwrap();
        let doc = include_str!("../../docs/schema.md");
        for (table, columns) in tables(&conn).unwrap() {
            assert!(doc.contains(&format!("### `{table}`")), "docs/schema.md lacks table `{table}`");
            for column in columns {
                assert!(doc.contains(&format!("| `{column}` |")), "docs/schema.md lacks `{table}.{column}`");
            }
        }
    }
}
