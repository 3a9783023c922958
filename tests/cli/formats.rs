//! Contact details checked for their format (emails, US states, ZIP codes),
//! with a switch for practices outside the US, and document types read
//! into the EMR's closed list: the `fixtures/formats` practice, validated
//! and loaded as a user would.

use crate::common::{Workdir, count};
use serde_json::{Value, json};

/// Values of the fixture that must not reach the terminal.
const CONTACT_VALUES: &[&str] =
    &["@example", "localhost", "noemail", "Ontario", "M5J", "ABARA", "DUNN", "Massachusetts"];

#[track_caller]
fn assert_no_values(output: &str) {
    for value in CONTACT_VALUES {
        assert!(!output.contains(value), "a patient's `{value}` on the terminal:\n{output}");
    }
}

/// The rows of `code` in report.json, as (source, row) pairs.
fn example_rows(report: &Value, code: &str) -> Vec<(String, u64)> {
    let issue = report["issues"].as_array().unwrap().iter().find(|issue| issue["code"] == code);
    let issue = issue.unwrap_or_else(|| panic!("{code} not in report.json"));
    assert_eq!(issue["severity"], if code.starts_with("W-") { "warning" } else { "error" });
    issue["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|example| (example["source"].as_str().unwrap().to_string(), example["row"].as_u64().unwrap()))
        .collect()
}

#[test]
fn validate_flags_doubtful_contact_details_and_loads_their_rows() {
    let wd = Workdir::from_fixture("formats");
    let run = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]);
    run.assert_success();
    assert_no_values(&run.stdout);
    assert_no_values(&run.stderr);
    let summary = run.json();
    let pm = &summary["sources"][0];
    assert_eq!((&pm["rows_read"], &pm["loaded"], &pm["rejected"]), (&json!(7), &json!(6), &json!(1)));
    assert_eq!(pm["rejected_by_code"], json!({"E-REQUIRED-MISSING": 1}), "a doubtful contact rejects nothing");
    assert_eq!(
        pm["warnings_by_code"],
        json!({"W-EMAIL-INVALID": 2, "W-POSTAL-CODE-INVALID": 1, "W-STATE-INVALID": 1}),
        "placeholders (none, N/A, noemail@...), state names, a ZIP that lost its zero and a ZIP+4 without \
         its dash are not flagged"
    );

    let report: Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    let pm_rows = |rows: &[u64]| rows.iter().map(|row| ("pm".to_string(), *row)).collect::<Vec<_>>();
    assert_eq!(example_rows(&report, "W-EMAIL-INVALID"), pm_rows(&[5, 6, 7]));
    assert_eq!(example_rows(&report, "W-STATE-INVALID"), pm_rows(&[5]));
    assert_eq!(example_rows(&report, "W-POSTAL-CODE-INVALID"), pm_rows(&[5]));
    assert_eq!(example_rows(&report, "E-CODE-UNKNOWN"), [("scans".to_string(), 6)]);
    let report_text = wd.read("out/report.json") + &wd.read("out/report.html");
    for value in ["localhost", "chukwu eze", "Ontario", "M5J 2N8", "430171234"] {
        assert!(!report_text.contains(value), "`{value}` in the report");
    }

    let mut reader = csv::Reader::from_path(wd.path("out/rejected.csv")).unwrap();
    let rejected: Vec<(String, u64, String, String)> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            (record[0].to_string(), record[3].parse().unwrap(), record[5].to_string(), record[6].to_string())
        })
        .collect();
    let codes: Vec<(&str, u64, &str)> =
        rejected.iter().map(|(source, row, codes, _)| (source.as_str(), *row, codes.as_str())).collect();
    assert_eq!(codes, [("pm", 7, "E-REQUIRED-MISSING"), ("scans", 6, "E-CODE-UNKNOWN")]);
    // The warning travels with the rejected row, so the export is fixed once.
    let messages = &rejected[0].3;
    assert!(
        messages.contains("patients.csv, row 7, field `email`") && messages.contains("(no dot in the domain)"),
        "{messages}"
    );
    assert!(
        rejected[1].3.contains("scan_index.txt, row 6, field `document_type` (column `TYPE`)"),
        "{}",
        rejected[1].3
    );
}

#[test]
fn run_loads_states_as_codes_placeholders_as_blanks_and_document_types_as_the_list_names_them() {
    let wd = Workdir::from_fixture("formats");
    let run = wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out"]);
    run.assert_success();
    assert_no_values(&run.stdout);
    let db = wd.db("emr.sqlite");
    let patient = |family: &str| -> (Option<String>, Option<String>, Option<String>) {
        db.query_row("SELECT state, postal_code, email FROM patients WHERE family_name = ?1", [family], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap()
    };
    let some = |text: &str| Some(text.to_string());
    assert_eq!(patient("Bauer"), (some("MA"), some("02134"), None), "Massachusetts, 2134, none");
    assert_eq!(patient("Castillo"), (some("NY"), some("12207-1234"), None), "new york, noemail@noemail.com");
    assert_eq!(patient("Gupta"), (some("DC"), some("20001"), None), "D.C., N/A");
    assert_eq!(patient("Eze").1, some("43017-1234"), "a ZIP+4 gets its dash");
    assert_eq!(patient("Dunn").0, some("Ontario"), "a doubtful value is loaded as written");
    let types: Vec<(String, i64)> = db
        .prepare("SELECT document_type, count(*) FROM documents GROUP BY 1 ORDER BY 1")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [("consult_note", 1), ("imaging_report", 1), ("lab_report", 2), ("referral", 1)];
    assert_eq!(types, expected.map(|(kind, count)| (kind.to_string(), count)));
}

#[test]
fn postal_none_leaves_another_countrys_addresses_alone_and_still_checks_emails() {
    let wd = Workdir::from_fixture("formats");
    let mapping = wd.read("mappings/patients.toml") + "\n[validate]\npostal = \"none\"\n";
    wd.write("mappings/patients.toml", &mapping);
    let summary =
        wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][0]["warnings_by_code"], json!({"W-EMAIL-INVALID": 2}));
    let db = wd.db("emr.sqlite");
    assert_eq!(
        count(&db, "SELECT count(*) FROM patients WHERE state = 'Massachusetts'"),
        1,
        "names are kept as written"
    );
}

#[test]
fn code_default_files_an_unknown_document_type_as_other() {
    let wd = Workdir::from_fixture("formats");
    let mapping = wd
        .read("mappings/scan_index.toml")
        .replace("column = \"TYPE\"\n", "column = \"TYPE\"\ncode_default = \"other\"\n");
    wd.write("mappings/scan_index.toml", &mapping);
    let summary =
        wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][1]["rejected"], 0);
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM documents WHERE document_type = 'other'"), 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM documents WHERE document_type = 'lab_report'"),
        2,
        "the rest as before"
    );
}

#[test]
fn a_document_type_the_list_lacks_is_a_mapping_error_with_the_nearest_type() {
    let wd = Workdir::from_fixture("formats");
    let mapping = wd.read("mappings/scan_index.toml").replace(
        "column = \"TYPE\"\n",
        "column = \"TYPE\"\ncodes = { LAB = \"lab report\", CONS = \"consult_note\" }\n",
    );
    wd.write("mappings/scan_index.toml", &mapping);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("mappings/scan_index.toml:21:")
            && run.stderr.contains("`lab report` is not a value of `document_type`; use referral, consult_note,")
            && run.stderr.contains("hint: did you mean `lab_report`?"),
        "{}",
        run.stderr
    );
}
