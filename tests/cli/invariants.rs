//! DESIGN.md's invariants, each against the built binary: nothing lost,
//! nothing half-done, nothing added twice, PHI kept off the terminal and
//! behind owner-only permissions.

use crate::common::{Workdir, count, dump};

#[test]
fn rerun_adds_nothing() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out1"]).assert_success();
    let tables = |wd: &Workdir| {
        let db = wd.db("emr.sqlite");
        ["patients", "patient_identifiers", "documents"]
            .map(|table| count(&db, &format!("SELECT count(*) FROM {table}")))
    };
    let first = tables(&wd);
    let summary = wd.run(&["run", "migration.toml", "--out", "out2", "--json"]).assert_success().json();
    assert_eq!(tables(&wd), first);
    assert_eq!(summary["patients"], 0);
    assert_eq!(summary["documents"], 0);
    assert_eq!(summary["identifiers_added"], 0);
    for source in summary["sources"].as_array().unwrap() {
        assert_eq!(source["loaded"], 0, "{source}");
        assert_eq!(source["merged"], 0, "{source}");
    }
    assert_eq!(summary["sources"][0]["skipped_by_reason"]["already_loaded"], 147);
    let page = wd.read("out2/report.html");
    assert!(page.contains("pm: 147 × already loaded by an earlier batch"), "the page says it in words");
}

#[test]
fn a_new_row_in_a_later_export_merges_into_the_existing_patient() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out1"]).assert_success();
    // The old EMR's export gains a row: a patient it already had, with a new
    // id (a third registration).
    let mut csv = std::fs::read(wd.path("old_emr_patients.csv")).unwrap();
    let first_data_line = csv.split(|byte| *byte == b'\n').nth(1).unwrap().to_vec();
    let mut copy = first_data_line.clone();
    copy.splice(0..6, b"E77777".iter().copied());
    csv.extend_from_slice(&copy);
    csv.extend_from_slice(b"\n");
    std::fs::write(wd.path("old_emr_patients.csv"), csv).unwrap();
    let summary = wd.run(&["run", "migration.toml", "--out", "out2", "--json"]).assert_success().json();
    assert_eq!(summary["patients"], 0);
    assert_eq!(summary["existing_patients_matched"], 1);
    assert_eq!(summary["identifiers_added"], 1);
    assert_eq!(summary["sources"][1]["merged"], 1);
    assert_eq!(count(&wd.db("emr.sqlite"), "SELECT count(*) FROM patient_identifiers WHERE value = 'E77777'"), 1);
}

#[test]
fn mapping_error_in_the_third_source_leaves_the_database_as_it_was() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    let before = dump(&wd.path("emr.sqlite"));
    let mapping = wd.read("mappings/scan_index.toml").replace("column = \"DOC_DATE\"", "column = \"DOC_DTE\"");
    wd.write("mappings/scan_index.toml", &mapping);
    let run = wd.run(&["run", "migration.toml", "--out", "out2"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("scan_index.toml:"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown source column `DOC_DTE`"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: the nearest header is `DOC_DATE`"), "{}", run.stderr);
    assert_eq!(dump(&wd.path("emr.sqlite")), before);
}

#[test]
fn failed_first_run_leaves_no_database_behind() {
    let wd = Workdir::from_fixture("demo");
    let mapping = wd.read("mappings/scan_index.toml").replace("column = \"DOC_DATE\"", "column = \"DOC_DTE\"");
    wd.write("mappings/scan_index.toml", &mapping);
    assert_eq!(wd.run(&["run", "migration.toml", "--out", "out"]).code, Some(2));
    assert!(!wd.path("emr.sqlite").exists());
}

#[test]
fn killed_run_leaves_the_database_consistent_and_unchanged() {
    let wd = Workdir::from_fixture("demo");
    let run =
        wd.run_with_env(&["run", "migration.toml", "--out", "out"], &[("EMR_MIGRATE_TEST_ABORT_AFTER_ROWS", "200")]);
    assert_ne!(run.code, Some(0), "the process was to die mid-batch");
    let db = wd.db("emr.sqlite");
    let integrity: String = db.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    // Even the schema was part of the aborted transaction; the empty file
    // left behind reads as no database at all.
    assert_eq!(count(&db, "SELECT count(*) FROM sqlite_schema"), 0);
    drop(db);
    let dry_run = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(dry_run["patients"], 175);
    // And the next run loads everything, as if nothing had happened.
    let summary = wd.run(&["run", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["batch_id"], 1);
    assert_eq!(summary["patients"], 175);
    // Killed again, now over a database with a committed batch: unchanged.
    let before = dump(&wd.path("emr.sqlite"));
    let run =
        wd.run_with_env(&["run", "migration.toml", "--out", "out"], &[("EMR_MIGRATE_TEST_ABORT_AFTER_ROWS", "200")]);
    assert_ne!(run.code, Some(0));
    assert_eq!(dump(&wd.path("emr.sqlite")), before);
}

#[test]
fn rollback_removes_the_batch_and_a_new_run_loads_it_again() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    let removed = wd.run(&["rollback", "--db", "emr.sqlite", "1", "--json"]).assert_success().json();
    assert_eq!(removed["patients"], 175);
    assert_eq!(removed["documents"], 128);
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM batches WHERE status = 'rolled_back'"), 1);
    drop(db);
    let again = wd.run(&["rollback", "--db", "emr.sqlite", "1"]);
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("batch 1 is already rolled back"), "{}", again.stderr);
    let summary = wd.run(&["run", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["batch_id"], 2);
    assert_eq!(summary["patients"], 175);
    let mrns = count(&wd.db("emr.sqlite"), "SELECT min(CAST(substr(mrn, 4) AS INTEGER)) FROM patients");
    assert_eq!(mrns, 176, "MRNs of a rolled-back batch are never issued again");
}

#[test]
fn only_the_latest_batch_can_be_rolled_back() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    let run = wd.run(&["rollback", "--db", "emr.sqlite", "1"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("hint: roll back batch 2 first"), "{}", run.stderr);
}

/// Names, birth dates and identifiers of every loaded patient.
fn phi_values(wd: &Workdir) -> Vec<String> {
    let db = wd.db("emr.sqlite");
    let mut values = Vec::new();
    for sql in [
        "SELECT family_name FROM patients",
        "SELECT given_name FROM patients",
        "SELECT birth_date FROM patients",
        "SELECT phone FROM patients",
        "SELECT address_line1 FROM patients",
        "SELECT value FROM patient_identifiers",
        "SELECT mrn FROM patients",
    ] {
        let mut statement = db.prepare(sql).unwrap();
        let found = statement.query_map([], |row| row.get::<_, Option<String>>(0)).unwrap();
        values.extend(found.filter_map(Result::unwrap).filter(|value| value.chars().count() >= 3));
    }
    values.sort();
    values.dedup();
    values
}

fn assert_no_phi(text: &str, phi: &[String], what: &str) {
    let words: std::collections::HashSet<&str> =
        text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'')).filter(|word| !word.is_empty()).collect();
    for value in phi {
        let leaked = if value.contains(' ') { text.contains(value.as_str()) } else { words.contains(value.as_str()) };
        assert!(!leaked, "{what} shows `{value}`:\n{text}");
    }
}

#[test]
fn no_patient_data_on_the_terminal_or_in_report_json() {
    let wd = Workdir::from_fixture("demo");
    let runs = [
        wd.run(&["validate", "migration.toml", "--out", "out"]),
        wd.run(&["validate", "migration.toml", "--out", "out", "--json"]),
        wd.run(&["run", "migration.toml", "--out", "out"]),
        wd.run(&["run", "migration.toml", "--out", "out", "--json"]),
    ];
    let phi = phi_values(&wd);
    assert!(phi.len() > 500, "the check needs the patients' values: {}", phi.len());
    for run in &runs {
        run.assert_success();
        assert_no_phi(&run.stdout, &phi, "stdout");
        assert_no_phi(&run.stderr, &phi, "stderr");
    }
    assert_no_phi(&wd.read("out/report.json"), &phi, "report.json");
    let html = wd.read("out/report.html");
    for family in ["Kowalski", "Nowak", "Lindqvist"] {
        assert!(!html.contains(family), "report.html shows `{family}` unmasked");
    }
}

#[cfg(unix)]
#[test]
fn database_and_files_holding_patient_data_are_owner_only() {
    use crate::common::mode;
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    assert_eq!(mode(&wd.path("emr.sqlite")), 0o600);
    for file in ["rejected.csv", "review.csv", "clusters.csv", "report.json", "report.html"] {
        assert_eq!(mode(&wd.path("out").join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&wd.path("out")), 0o700);
}

#[test]
fn a_re_exported_scan_index_loads_no_document_twice() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out1"]).assert_success();
    // The vendor re-exports the index with document types in lower case:
    // every line's fingerprint changes, but the files are the same files.
    let index = wd.read("scan_index.txt");
    let mut lines = index.lines();
    let header = lines.next().unwrap().to_string();
    let changed: Vec<String> = lines
        .map(|line| {
            let mut fields: Vec<String> = line.split('|').map(str::to_string).collect();
            fields[5] = fields[5].to_lowercase();
            fields.join("|")
        })
        .collect();
    wd.write("scan_index.txt", &format!("{header}\r\n{}\r\n", changed.join("\r\n")));
    let summary = wd.run(&["run", "migration.toml", "--out", "out2", "--json"]).assert_success().json();
    assert_eq!(summary["documents"], 0);
    assert_eq!(summary["sources"][2]["skipped_by_reason"]["already_loaded"], 128);
    assert_eq!(count(&wd.db("emr.sqlite"), "SELECT count(*) FROM documents"), 128);
}

#[test]
fn rollback_without_a_database_says_so() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["rollback", "--db", "missing.sqlite", "1"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("missing.sqlite: there is no database here"), "{}", run.stderr);
    assert!(!wd.path("missing.sqlite").exists());
}

/// The text a person sees in an HTML page: tags dropped, entities kept as
/// written (names with `&` are none of the fixtures').
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    text
}

#[test]
fn report_html_is_self_contained_has_every_section_and_shows_no_patient_data() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    let html = wd.read("out/report.html");
    for section in [
        "At a glance",
        "Every row accounted for",
        "Problems found in the data",
        "Finding the same patient twice",
        "Scanned documents",
        "Possible duplicates to decide",
        "Files in this report",
    ] {
        assert!(html.contains(&format!("<h2>{section}</h2>")), "report.html lacks the section `{section}`");
    }
    assert!(html.contains("<svg"), "the score histogram is inline SVG");
    // The tuning tables are folded away from a clinic manager, not gone.
    let technical = &html[html.find("<details>").expect("a technical section")..];
    assert!(technical.contains("Blocking rule") && technical.contains("Auto-link at"), "{technical}");
    // Read by people: one of something is said in the singular.
    let text = visible_text(&html).split_whitespace().collect::<Vec<_>>().join(" ");
    for counted in [
        "1 document without a patient",
        "11 possible duplicates to decide",
        "127 are linked to their patient and 1 has no patient",
        "11 pairs might be",
        "3 pairs registered twice in one system",
        "0.85–0.90: 1 pair ",
    ] {
        assert!(text.contains(counted), "`{counted}` not in:\n{text}");
    }
    for outside in ["<script", "<link", "<iframe", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(outside), "report.html reaches outside itself: `{outside}`");
    }
    let phi = phi_values(&wd);
    assert_no_phi(&visible_text(&html), &phi, "report.html");
    // The check can fail: asked to, a dry run of the same files shows them.
    let fresh = Workdir::from_fixture("demo");
    fresh.run(&["validate", "migration.toml", "--out", "shown", "--show-phi"]).assert_success();
    let shown = visible_text(&fresh.read("shown/report.html"));
    assert!(phi.iter().any(|value| shown.contains(value.as_str())), "--show-phi shows patient data");
}
