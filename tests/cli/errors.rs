//! Bad input: the exit code, and a message that names the file, the line or
//! row, and what to do.

use crate::common::Workdir;

#[test]
fn missing_migration_file_is_a_usage_error() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["validate", "nope.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.starts_with("error: nope.toml: cannot read the migration file"), "{}", run.stderr);
}

#[test]
fn unknown_key_in_migration_toml_points_at_it_with_a_suggestion() {
    let wd = Workdir::from_fixture("demo");
    let text = wd.read("migration.toml").replace("auto_link = 0.95", "auto_lnk = 0.95");
    wd.write("migration.toml", &text);
    let run = wd.run(&["validate", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("migration.toml:16:1: unknown field `auto_lnk`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `auto_link`?"), "{}", run.stderr);
}

#[test]
fn every_mapping_problem_of_every_source_is_reported_in_one_run() {
    let wd = Workdir::from_fixture("demo");
    let pm = wd.read("mappings/demographics.toml").replace("column = \"DOB\"", "column = \"D.O.B.\"");
    wd.write("mappings/demographics.toml", &pm);
    let emr = wd.read("mappings/old_emr_patients.toml").replace("\"collapse_spaces\"", "\"collapse_space\"");
    wd.write("mappings/old_emr_patients.toml", &emr);
    let run = wd.run(&["validate", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("demographics.toml:23:10: unknown source column `D.O.B.`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: the nearest header is `DOB`"), "{}", run.stderr);
    assert!(run.stderr.contains("old_emr_patients.toml:21:15: unknown transform `collapse_space`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `collapse_spaces`?"), "{}", run.stderr);
}

#[test]
fn missing_source_file_is_named_where_migration_toml_names_it() {
    let wd = Workdir::from_fixture("demo");
    std::fs::remove_file(wd.path("old_emr_patients.csv")).unwrap();
    let run = wd.run(&["run", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("migration.toml:28:8: source file `old_emr_patients.csv` does not exist"),
        "{}",
        run.stderr
    );
    assert!(!wd.path("emr.sqlite").exists());
}

#[test]
fn wrong_sheet_name_suggests_the_real_one() {
    let wd = Workdir::from_fixture("demo");
    let pm = wd.read("mappings/demographics.toml").replace("sheet = \"Patients\"", "sheet = \"Patient\"");
    wd.write("mappings/demographics.toml", &pm);
    let run = wd.run(&["validate", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("there is no sheet `Patient`; the sheets are `Patients`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `Patients`?"), "{}", run.stderr);
}

#[test]
fn a_database_that_is_not_ours_is_refused_untouched() {
    let wd = Workdir::from_fixture("demo");
    let other = wd.path("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE billing (x); INSERT INTO billing VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let run = wd.run(&["run", "migration.toml", "--db", "other.sqlite"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("not an emr-migrate EMR database"), "{}", run.stderr);
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn every_subcommand_has_help_with_examples() {
    let wd = Workdir::from_fixture("demo");
    for command in ["validate", "run", "rollback"] {
        let run = wd.run(&[command, "--help"]);
        run.assert_success();
        assert!(run.stdout.contains("Examples:"), "{command}: {}", run.stdout);
    }
    let run = wd.run(&["frobnicate"]);
    assert_eq!(run.code, Some(2));
}
