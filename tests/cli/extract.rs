//! Reading odd source files: rows that do not fit the header, blank lines,
//! a header that is really data.

use crate::common::Workdir;

/// The demo, with the old EMR's export replaced by `csv` (Windows-1252).
fn demo_with_old_emr(csv: &str) -> Workdir {
    let wd = Workdir::from_fixture("demo");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(csv);
    std::fs::write(wd.path("old_emr_patients.csv"), bytes).unwrap();
    wd
}

const HEADER: &str = "PatientID;Surname;GivenNames;BirthDate;Gender;Street;Town;State;PostCode;Phone\r\n";

#[test]
fn a_row_with_too_many_fields_keeps_them_all_in_rejected_csv() {
    let csv = format!(
        "{HEADER}E1;Doe;Jane;01.02.1980;2;1 Elm St;Columbus;OH;43215;6145550100\r\n\
         E2;Roe;Rick;03.04.1981;1;2 Oak Ave;Dublin;OH;43017;6145550101;spilled;over\r\n"
    );
    let wd = demo_with_old_emr(&csv);
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][1]["rejected_by_code"]["E-ROW-FIELD-COUNT"], 1);
    let mut reader = csv::Reader::from_path(wd.path("out/rejected.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().map(Result::unwrap).find(|record| &record[0] == "old_emr").unwrap();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    assert_eq!(&row[column("row")], "3");
    assert_eq!(&row[column("Phone")], "6145550101");
    assert_eq!(&row[column("extra_1")], "spilled");
    assert_eq!(&row[column("extra_2")], "over");
}

#[test]
fn blank_and_delimiter_only_lines_are_skipped_and_line_numbers_stay_true() {
    let csv = format!(
        "{HEADER}E1;Doe;Jane;01.02.1980;2;1 Elm St;Columbus;OH;43215;6145550100\r\n\
         \r\n   \r\n;;;;\r\nE2;Roe;Rick;03.04.1981;1;2 Oak Ave;Dublin;OH;43017;6145550101;;\r\n"
    );
    let wd = demo_with_old_emr(&csv);
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let source = &summary["sources"][1];
    assert_eq!(source["rows_read"], 4, "the empty line is no row; the others are");
    assert_eq!(source["skipped_by_reason"]["blank"], 2);
    assert_eq!(source["rejected"], 0);
    let clusters = wd.read("out/clusters.csv");
    assert!(clusters.contains("old_emr,old_emr_patients.csv,,6,"), "E2 is on line 6:\n{clusters}");
}

#[test]
fn a_header_that_is_really_data_is_never_echoed() {
    let csv = "E1;Doe;Jane;01.02.1980;2;1 Elm St;Columbus;OH;43215;6145550100\r\n";
    let wd = demo_with_old_emr(csv);
    let run = wd.run(&["validate", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("unknown source column `Surname`"), "{}", run.stderr);
    assert!(run.stderr.contains("looks like data"), "{}", run.stderr);
    for value in ["Doe", "Jane", "1980", "6145550100"] {
        assert!(!run.stderr.contains(value), "stderr shows `{value}`:\n{}", run.stderr);
    }
}

#[test]
fn invalid_text_names_its_line_and_encoding() {
    let wd = Workdir::from_fixture("demo");
    let mapping = wd
        .read("mappings/old_emr_patients.toml")
        .replace("entity = \"patient\"", "entity = \"patient\"\n[read]\nencoding = \"utf-8\"");
    wd.write("mappings/old_emr_patients.toml", &mapping);
    let run = wd.run(&["validate", "migration.toml"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("old_emr_patients.csv, line "), "{}", run.stderr);
    assert!(run.stderr.contains("is not valid UTF-8"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: set `encoding`"), "{}", run.stderr);
}

#[test]
fn a_formula_in_a_rejected_row_is_neutralised_in_rejected_csv() {
    let csv = format!("{HEADER}E1;=HYPERLINK(\"http://x\");Jane;;2;1 Elm St;Columbus;OH;43215;6145550100\r\n");
    let wd = demo_with_old_emr(&csv);
    wd.run(&["validate", "migration.toml", "--out", "out"]).assert_success();
    let mut reader = csv::Reader::from_path(wd.path("out/rejected.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let surname = headers.iter().position(|header| header == "Surname").unwrap();
    let row = reader.records().map(Result::unwrap).find(|record| &record[0] == "old_emr").unwrap();
    assert_eq!(&row[surname], "'=HYPERLINK(\"http://x\")");
}
