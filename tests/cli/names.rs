//! A whole-name column split into the name fields, marital status through
//! the built-in table, death dates checked against the birth date: the
//! `fixtures/names` practice, validated and loaded as a user would.

use crate::common::{Workdir, count};
use serde_json::json;

/// Every name in the fixture, in the spellings it has: none may reach the
/// terminal.
const NAMES: &[&str] = &[
    "GARCIA",
    "Garcia",
    "MARIA",
    "O'BRIEN",
    "O'Brien",
    "OKAFOR",
    "Okafor",
    "CHIDI",
    "LINDQVIST",
    "BRENNAN",
    "Brennan",
    "PETROV",
    "HADDAD",
    "NOVAK",
    "SOO-JIN",
    "Soo-Jin",
];

#[track_caller]
fn assert_no_names(output: &str) {
    for name in NAMES {
        assert!(!output.contains(name), "a patient's name `{name}` on the terminal:\n{output}");
    }
}

#[test]
fn validate_rejects_each_bad_row_with_its_code_and_names_no_one() {
    let wd = Workdir::from_fixture("names");
    let run = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]);
    run.assert_success();
    assert_no_names(&run.stdout);
    assert_no_names(&run.stderr);
    let source = &run.json()["sources"][0];
    assert_eq!(
        (&source["rows_read"], &source["loaded"], &source["merged"], &source["rejected"]),
        (&json!(10), &json!(5), &json!(1), &json!(4))
    );
    assert_eq!(
        source["rejected_by_code"],
        json!({"E-NAME-UNSPLITTABLE": 1, "E-CODE-UNKNOWN": 1, "E-DEATH-BEFORE-BIRTH": 1, "E-DEATH-DATE-FUTURE": 1})
    );

    let mut reader = csv::Reader::from_path(wd.path("out/rejected.csv")).unwrap();
    let rejected: Vec<(u64, String, String)> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            (record[3].parse().unwrap(), record[5].to_string(), record[6].to_string())
        })
        .collect();
    let rows_and_codes: Vec<(u64, &str)> = rejected.iter().map(|(row, codes, _)| (*row, codes.as_str())).collect();
    assert_eq!(
        rows_and_codes,
        [(5, "E-NAME-UNSPLITTABLE"), (7, "E-CODE-UNKNOWN"), (8, "E-DEATH-BEFORE-BIRTH"), (9, "E-DEATH-DATE-FUTURE")]
    );
    let unsplittable = &rejected[0].2;
    assert!(
        unsplittable.contains("patients.csv, row 5, field `family_name` (column `Patient Name`)")
            && unsplittable.contains("no comma between family and given name"),
        "{unsplittable}"
    );
    assert!(rejected[1].2.contains("row 7, field `marital_status` (column `Marital Status`)"), "{}", rejected[1].2);
    assert!(rejected[2].2.contains("row 8, field `death_date`"), "{}", rejected[2].2);
}

#[test]
fn run_loads_every_part_of_the_name_marital_status_and_death_date() {
    let wd = Workdir::from_fixture("names");
    let run = wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out"]);
    run.assert_success();
    assert_no_names(&run.stdout);
    assert_no_names(&run.stderr);
    let db = wd.db("emr.sqlite");
    let mut statement = db
        .prepare(
            "SELECT coalesce(title, ''), family_name, given_name, coalesce(middle_name, ''), coalesce(suffix, ''), \
             coalesce(marital_status, ''), coalesce(death_date, '') FROM patients ORDER BY mrn",
        )
        .unwrap();
    let patients: Vec<[String; 7]> = statement
        .query_map([], |row| Ok([0, 1, 2, 3, 4, 5, 6].map(|index| row.get::<_, String>(index).unwrap())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [
        ["", "Garcia", "Maria", "J", "", "married", ""],
        ["", "O'Brien-Smith", "Sean", "PATRICK", "Jr", "single", ""],
        // `MD` is a credential, dropped; `DR.` is the title.
        ["Dr", "Okafor", "Chidi", "E", "", "widowed", ""],
        // Two registrations of one man: the death date reaches his record.
        ["", "Brennan", "Thomas", "P", "", "widowed", "2019-06-20"],
        ["", "Kim", "Soo-Jin", "", "", "partnered", ""],
    ];
    assert_eq!(patients, expected.map(|row| row.map(str::to_string)));
}

#[test]
fn a_database_of_schema_version_2_is_upgraded_by_the_next_run() {
    let wd = Workdir::from_fixture("names");
    wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out"]).assert_success();
    // The database as the previous release would have left it: version 2
    // had none of the three columns.
    wd.db("emr.sqlite")
        .execute_batch(
            "ALTER TABLE patients DROP COLUMN title; ALTER TABLE patients DROP COLUMN marital_status; \
             ALTER TABLE patients DROP COLUMN death_date; PRAGMA user_version = 2;",
        )
        .unwrap();

    let dry = wd.run(&["validate", "migration.toml", "--db", "emr.sqlite", "--out", "dry"]);
    assert_ne!(dry.code, Some(0), "a dry run never upgrades:\n{}", dry.stderr);
    assert!(dry.stderr.contains("run `emr-migrate run` once to upgrade it"), "{}", dry.stderr);

    let csv = wd.read("patients.csv") + "1011,\"ADEYEMI, MRS. GRACE\",10/10/1948,F,W,01/15/2024\n";
    wd.write("patients.csv", &csv);
    let summary = wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out2", "--json"]);
    summary.assert_success();
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "PRAGMA user_version"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), 6, "the five of the first batch are kept");
    assert_eq!(count(&db, "SELECT count(*) FROM patients WHERE marital_status IS NULL"), 5, "no value invented");
    let (title, status, death): (String, String, String) = db
        .query_row("SELECT title, marital_status, death_date FROM patients WHERE given_name = 'Grace'", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap();
    assert_eq!((title.as_str(), status.as_str(), death.as_str()), ("Mrs", "widowed", "2024-01-15"));
}
