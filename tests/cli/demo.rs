//! The demo practice, end to end: the counts a newcomer sees, exactly.

use crate::common::{Workdir, count, truth};
use serde_json::{Value, json};

/// Each source's reconciliation, as `--json` prints it.
fn source_counts(summary: &Value) -> Vec<Value> {
    summary["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| {
            json!({
                "name": source["name"], "rows_read": source["rows_read"], "loaded": source["loaded"],
                "merged": source["merged"], "rejected": source["rejected"], "skipped": source["skipped"],
            })
        })
        .collect()
}

fn expected_first_load() -> Vec<Value> {
    vec![
        json!({"name": "pm", "rows_read": 153, "loaded": 142, "merged": 5, "rejected": 4, "skipped": 2}),
        json!({"name": "old_emr", "rows_read": 116, "loaded": 33, "merged": 80, "rejected": 3, "skipped": 0}),
        json!({"name": "scans", "rows_read": 129, "loaded": 128, "merged": 0, "rejected": 1, "skipped": 0}),
    ]
}

#[test]
fn validate_predicts_the_demo_exactly_and_writes_no_database() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]);
    run.assert_success();
    let summary = run.json();
    assert_eq!(source_counts(&summary), expected_first_load());
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["patients"], 175);
    assert_eq!(summary["documents"], 128);
    assert_eq!(summary["documents_linked"], 127);
    assert_eq!(summary["documents_unlinked"], 1);
    assert_eq!(summary["review_pairs"], 11);
    assert_eq!(summary["reconciled"], true);
    assert!(!wd.path("emr.sqlite").exists(), "a dry run must not create the database");
    for file in ["report.html", "report.json", "rejected.csv", "review.csv", "clusters.csv"] {
        assert!(wd.path("out").join(file).is_file(), "{file} missing");
    }
}

#[test]
fn every_source_adds_up_in_the_json_summary() {
    let wd = Workdir::from_fixture("demo");
    let summary =
        wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--json"]).assert_success().json();
    for source in summary["sources"].as_array().unwrap() {
        let parts: u64 =
            ["loaded", "merged", "rejected", "skipped"].iter().map(|key| source[key].as_u64().unwrap()).sum();
        assert_eq!(source["rows_read"].as_u64().unwrap(), parts, "{source}");
    }
}

#[test]
fn rejected_rows_are_counted_by_reason() {
    let wd = Workdir::from_fixture("demo");
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let by_code = |source: usize| summary["sources"][source]["rejected_by_code"].clone();
    assert_eq!(
        by_code(0),
        json!({"E-BIRTH-DATE-FUTURE": 1, "E-CODE-UNKNOWN": 1, "E-DATE-INVALID": 1, "E-REQUIRED-MISSING": 1})
    );
    assert_eq!(by_code(1), json!({"E-DATE-INVALID": 1, "E-REQUIRED-MISSING": 1, "E-ROW-FIELD-COUNT": 1}));
    assert_eq!(by_code(2), json!({"E-SCAN-FILE-MISSING": 1}));
    assert_eq!(
        summary["sources"][0]["skipped_by_reason"],
        json!({"blank": 1, "skip_when `Pt Last Name` starts with \"Total patients\"": 1})
    );
    assert_eq!(
        summary["sources"][2]["warnings_by_code"],
        json!({"W-DOCUMENT-UNLINKED": 1, "W-SCAN-PAGE-COUNT-MISMATCH": 1})
    );
}

#[test]
fn rejected_rows_match_the_planted_invalid_rows() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "out"]).assert_success();
    let truth = truth(&wd);
    let mut planted: Vec<(String, u64, String)> = truth
        .iter()
        .filter(|(_, (_, expected, _))| expected.starts_with("E-"))
        .map(|((source, row), (_, expected, _))| (source.clone(), *row, expected.clone()))
        .collect();
    planted.sort();
    let mut reader = csv::Reader::from_path(wd.path("out/rejected.csv")).unwrap();
    let mut rejected: Vec<(String, u64, String)> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            (record[0].to_string(), record[3].parse().unwrap(), record[5].to_string())
        })
        .collect();
    rejected.sort();
    assert_eq!(rejected, planted);
}

#[test]
fn run_loads_the_demo_into_the_database() {
    let wd = Workdir::from_fixture("demo");
    let summary =
        wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(source_counts(&summary), expected_first_load());
    assert_eq!(summary["batch_id"], 1);
    assert_eq!(summary["identifiers_added"], 260);
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), 175);
    assert_eq!(count(&db, "SELECT count(*) FROM patient_identifiers"), 260);
    assert_eq!(count(&db, "SELECT count(*) FROM documents"), 128);
    assert_eq!(count(&db, "SELECT count(*) FROM documents WHERE patient_id IS NULL"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM source_rows"), 153 + 116 + 129);
    assert_eq!(count(&db, "SELECT count(DISTINCT mrn) FROM patients WHERE mrn LIKE 'RFP_______'"), 175);
    assert_eq!(count(&db, "SELECT count(*) FROM batch_files WHERE length(sha256) = 64"), 7);
    // Every chart number of the practice-management system is kept.
    assert_eq!(count(&db, "SELECT count(*) FROM patient_identifiers WHERE system = 'riverside-pm-chart'"), 147);
}

/// What the demo's load holds, patient by patient: the golden record that
/// survivorship chose, its MRN, every identifier kept, and each source row
/// and document that became it; then the documents filed with no patient
/// and the rows rejected or skipped. Matching, clustering and survivorship
/// all show here, so a change to any of them that changes a patient shows
/// as a line of this file. After a change meant to alter it, read the
/// difference, then accept it: `INSTA_UPDATE=always cargo test --test cli
/// demo_load`.
#[test]
fn the_demo_load_reads_as_the_golden_file() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out"]).assert_success();
    insta::assert_snapshot!("demo_load", load_by_patient(&wd.db("emr.sqlite")));
}

/// The load as text, grouped by patient in MRN order.
fn load_by_patient(db: &rusqlite::Connection) -> String {
    let lines = |sql: &str| -> Vec<(i64, String)> {
        let mut statement = db.prepare(sql).unwrap();
        let rows = statement.query_map([], |row| {
            let width = row.as_ref().column_count();
            let cells: Vec<String> =
                (1..width).map(|index| row.get::<_, Option<String>>(index).unwrap().unwrap_or_default()).collect();
            Ok((row.get::<_, Option<i64>>(0)?.unwrap_or(0), cells.join(" | ")))
        });
        rows.unwrap().map(Result::unwrap).collect()
    };
    let patients = lines(
        "SELECT patient_id, mrn, family_name, given_name, middle_name, suffix, title, birth_date, sex, \
         national_id, address_line1, address_line2, city, state, postal_code, phone, email, marital_status, \
         death_date FROM patients ORDER BY mrn",
    );
    let identifiers =
        lines("SELECT patient_id, 'id', system, value, source_name FROM patient_identifiers ORDER BY system, value");
    let rows = lines(
        "SELECT patient_id, 'row', source_name, file, sheet, CAST(row_number AS TEXT), disposition, \
         (SELECT path FROM documents WHERE documents.document_id = source_rows.document_id), reason \
         FROM source_rows ORDER BY source_name, row_number",
    );
    let documents = lines(
        "SELECT patient_id, 'document', path, document_type, document_date, CAST(page_count AS TEXT) \
         FROM documents ORDER BY path",
    );
    let of = |patient: i64, lines: &[(i64, String)]| -> Vec<String> {
        lines.iter().filter(|(owner, _)| *owner == patient).map(|(_, line)| format!("  {line}")).collect()
    };
    let mut out = Vec::new();
    for (patient, record) in &patients {
        out.push(record.clone());
        for part in [&identifiers, &rows, &documents] {
            out.extend(of(*patient, part));
        }
    }
    out.push("no patient".to_string());
    out.extend(of(0, &documents));
    out.extend(of(0, &rows));
    out.join("\n")
}

#[test]
fn twins_stay_apart_and_their_documents_find_the_right_twin() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out"]).assert_success();
    let db = wd.db("emr.sqlite");
    let twins: Vec<(String, i64)> = db
        .prepare(
            "SELECT p.given_name, (SELECT count(*) FROM source_rows s WHERE s.patient_id = p.patient_id AND s.source_name != 'scans') \
             FROM patients p WHERE p.family_name = 'Lindqvist' ORDER BY 1",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(twins, [("Ella".to_string(), 2), ("Emma".to_string(), 2)], "each twin: one PM row and one old EMR row");
    let ella_documents = count(
        &db,
        "SELECT count(*) FROM documents d JOIN patients p USING (patient_id) WHERE p.given_name = 'Ella' AND p.family_name = 'Lindqvist'",
    );
    let ella_index_lines = count(
        &db,
        "SELECT count(*) FROM source_rows s JOIN patients p USING (patient_id) WHERE s.source_name = 'scans' AND p.given_name = 'Ella'",
    );
    assert_eq!(ella_documents, ella_index_lines);
    assert!(ella_documents >= 2, "her chart-numbered documents and the one without a number");
    // Father and son of the same name and address stay two patients.
    assert_eq!(count(&db, "SELECT count(*) FROM patients WHERE family_name = 'Brennan' AND given_name = 'Michael'"), 2);
}

#[test]
fn clusters_never_join_two_different_people() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "out"]).assert_success();
    let truth = truth(&wd);
    let mut reader = csv::Reader::from_path(wd.path("out/clusters.csv")).unwrap();
    let mut person_of_cluster: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut clusters_of_person: std::collections::HashMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for record in reader.records() {
        let record = record.unwrap();
        let (person, _, _) = &truth[&(record[0].to_string(), record[3].parse::<u64>().unwrap())];
        let cluster = record[5].to_string();
        let earlier = person_of_cluster.entry(cluster.clone()).or_insert_with(|| person.clone());
        assert_eq!(earlier, person, "cluster {cluster} joins two people");
        clusters_of_person.entry(person.clone()).or_default().insert(cluster);
    }
    let mut split: Vec<&String> =
        clusters_of_person.iter().filter(|(_, clusters)| clusters.len() > 1).map(|(person, _)| person).collect();
    split.sort();
    // The woman who married, and three second registrations under another
    // given name (Robert and Bob, Katherine and Kathrine, Yuki and Ykui),
    // which could as well be twins: all wait in review.csv.
    assert_eq!(split, ["P012", "P044", "P100", "P150"]);
    let review = wd.read("out/review.csv");
    for name in ["Kowalski", "Nowak", "Bob", "Kathrine", "Ykui"] {
        assert!(review.contains(name), "{name} not in review.csv:\n{review}");
    }
    assert_eq!(review.matches(",possible_twins,").count(), 3, "{review}");
    // Yuki's practice chart and scans, alike to both of her old-EMR charts,
    // and a scan of Katherine beside Kathrine: which one, the answers tell.
    assert_eq!(review.matches(",links_to_look_alikes,").count(), 7, "{review}");
}

#[test]
fn validate_after_a_run_predicts_that_nothing_would_be_added() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out"]).assert_success();
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["patients"], 0);
    assert_eq!(summary["documents"], 0);
    assert_eq!(summary["sources"][2]["skipped_by_reason"]["already_loaded"], 128);
}

#[test]
fn show_phi_unmasks_the_html_review_section_only_when_asked() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "masked"]).assert_success();
    wd.run(&["validate", "migration.toml", "--out", "plain", "--show-phi"]).assert_success();
    let masked = wd.read("masked/report.html");
    let plain = wd.read("plain/report.html");
    assert!(masked.contains("A*** K*******") && !masked.contains("Kowalski"));
    assert!(plain.contains("Anna Kowalski") && plain.contains("1990-08-25"));
}

#[test]
fn explain_shows_the_waterfall_without_patient_data_unless_asked() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["explain", "migration.toml", "old_emr:93", "old_emr:94"]);
    run.assert_success();
    for line in ["family_name", "given_name", "birth_date", "address", "area", "phone", "prior", "match probability"] {
        assert!(run.stdout.contains(line), "{line} missing:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("decision: review"), "{}", run.stdout);
    assert!(run.stdout.contains("review.csv: listed (uncertain)"), "{}", run.stdout);
    assert!(!run.stdout.contains("KOWALSKI") && !run.stdout.contains("1990"), "{}", run.stdout);

    let shown = wd.run(&["explain", "migration.toml", "old_emr:93", "old_emr:94", "--show-phi", "--json"]);
    let json = shown.assert_success().json();
    assert_eq!(json["decision"], "review");
    assert!(shown.stdout.contains("KOWALSKI"));
    let total: f64 = json["fields"].as_array().unwrap().iter().map(|part| part["weight"].as_f64().unwrap()).sum();
    assert!((total - json["weight"].as_f64().unwrap()).abs() < 1e-9, "the fields add up to the weight");

    let malformed = wd.run(&["explain", "migration.toml", "old_emr-93", "old_emr:94"]);
    assert_eq!(malformed.code, Some(2));
    assert!(malformed.stderr.contains("write SOURCE:ROW"), "{}", malformed.stderr);
    let rejected = wd.run(&["explain", "migration.toml", "old_emr:93", "old_emr:100000"]);
    assert_eq!(rejected.code, Some(2));
    assert!(rejected.stderr.contains("took no part in matching"), "{}", rejected.stderr);

    let missing = wd.run(&["explain", "migration.toml", "old_emr:93", "nowhere:2"]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("no source named `nowhere`"), "{}", missing.stderr);
}

#[test]
fn explain_says_why_a_sure_match_waits_as_possible_twins() {
    let wd = Workdir::from_fixture("demo");
    // Robert Johansson, registered again as Bob: a sure score, and still a
    // person's decision.
    let run = wd.run(&["explain", "migration.toml", "pm:14", "pm:149"]);
    run.assert_success();
    assert!(run.stdout.contains("match probability 1.0000"), "{}", run.stdout);
    assert!(run.stdout.contains("decision: review as possible twins"), "{}", run.stdout);
    assert!(run.stdout.contains("clusters: two patients"), "{}", run.stdout);
    assert!(run.stdout.contains("review.csv: listed (possible_twins)"), "{}", run.stdout);
    let json = wd.run(&["explain", "migration.toml", "pm:14", "pm:149", "--json"]).assert_success().json();
    assert_eq!(json["possible_twins"], true);
    assert_eq!(json["decision"], "review");
    assert_eq!(json["review_reason"], "possible_twins");
    // A link the run keeps is in no review line.
    let linked = wd.run(&["explain", "migration.toml", "pm:64", "old_emr:2", "--json"]).assert_success().json();
    assert_eq!((&linked["decision"], &linked["same_cluster"]), (&"link".into(), &true.into()), "{linked}");
    assert!(linked.get("review_reason").is_none(), "{linked}");
}
