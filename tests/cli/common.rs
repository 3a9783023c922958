//! A working directory holding a copy of a fixture, and the built binary run
//! in it as a user would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    dir: tempfile::TempDir,
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Run {
        assert_eq!(self.code, Some(0), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

impl Workdir {
    /// A temporary copy of `fixtures/<name>`.
    pub fn from_fixture(name: &str) -> Workdir {
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name), dir.path());
        Workdir { dir }
    }

    /// A temporary folder with `fixtures/<name>` copied to `<at>` inside it,
    /// for commands written relative to the repository root.
    pub fn with_fixture_at(name: &str, at: &str) -> Workdir {
        let dir = tempfile::tempdir().expect("temporary directory");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name), &dir.path().join(at));
        Workdir { dir }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_emr-migrate"));
        command.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("EMR_MIGRATE_") {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        let Output { status, stdout, stderr } = command.output().expect("the binary runs");
        Run {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|error| panic!("{relative}: {error}"))
    }

    pub fn read_bytes(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.path(relative)).unwrap()
    }

    pub fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.path(relative), text).unwrap_or_else(|error| panic!("{relative}: {error}"));
    }

    pub fn db(&self, relative: &str) -> rusqlite::Connection {
        rusqlite::Connection::open(self.path(relative)).expect("database opens")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|error| panic!("{}: {error}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// One number from a query.
pub fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0)).unwrap_or_else(|error| panic!("{sql}: {error}"))
}

/// Every table's rows as text, for before/after comparisons.
pub fn dump(path: &Path) -> String {
    if !path.exists() {
        return "<no database>".to_string();
    }
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut tables = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
    let names: Vec<String> = tables.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    let mut out = String::new();
    for name in names {
        out.push_str(&format!("## {name}\n"));
        let mut rows = conn.prepare(&format!("SELECT * FROM {name} ORDER BY 1")).unwrap();
        let width = rows.column_count();
        let mut query = rows.query([]).unwrap();
        while let Some(row) = query.next().unwrap() {
            let cells: Vec<String> = (0..width)
                .map(|index| match row.get_ref(index).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(value) => value.to_string(),
                    rusqlite::types::ValueRef::Real(value) => value.to_string(),
                    rusqlite::types::ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned(),
                    rusqlite::types::ValueRef::Blob(blob) => format!("<{} bytes>", blob.len()),
                })
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// The truth file of a fixture: (source, row) → (person, expected, note).
pub fn truth(workdir: &Workdir) -> std::collections::HashMap<(String, u64), (String, String, String)> {
    let mut reader = csv::Reader::from_path(workdir.path("truth.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap_or_else(|| panic!("{name}"));
    let (source, row, person, expected, note) =
        (column("source"), column("row"), column("person_id"), column("expected"), column("note"));
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let key = (record[source].to_string(), record[row].parse().unwrap());
            (key, (record[person].to_string(), record[expected].to_string(), record[note].to_string()))
        })
        .collect()
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
