//! Matching as a user drives it: `dedupe` on a project and on bare exports,
//! the FEBRL benchmark scored against its record ids, and reviewers'
//! decisions applied, recorded in the database, and carried into a later
//! wave.

use crate::common::{Workdir, count};

fn header(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[test]
fn dedupe_writes_clusters_pairs_and_review_without_touching_the_database() {
    let wd = Workdir::from_fixture("demo");
    let summary = wd.run(&["dedupe", "migration.toml", "--out", "d", "--json"]).assert_success().json();
    assert_eq!(summary["command"], "dedupe");
    assert!(!wd.path("emr.sqlite").exists(), "dedupe never creates the database");
    let clusters = wd.read("d/clusters.csv");
    assert_eq!(header(&clusters), "source,file,sheet,row,legacy_id,cluster_id");
    assert!(clusters.lines().any(|line| line.starts_with("old_emr,old_emr_patients.csv,,2,E20001,")), "{clusters}");
    let pairs = wd.read("d/pairs.csv");
    assert!(header(&pairs).starts_with("a_source,a_file,a_sheet,a_row,a_legacy_id,b_source"));
    assert_eq!(pairs.lines().count() as u64 - 1, summary["matching"]["links"].as_u64().unwrap());
    assert!(header(&wd.read("d/review.csv")).ends_with(",decision"));
    // validate writes the same file, for the rows a load would accept; dedupe
    // also matches the rows a load would reject.
    let validated = wd.run(&["validate", "migration.toml", "--out", "v", "--json"]).assert_success().json();
    let validated_clusters = wd.read("v/clusters.csv");
    assert_eq!(header(&validated_clusters), header(&clusters));
    let rejected = |summary: &serde_json::Value| -> u64 {
        summary["sources"].as_array().unwrap().iter().map(|source| source["rejected"].as_u64().unwrap()).sum()
    };
    assert!(rejected(&summary) < rejected(&validated));
    let extra = rejected(&validated) - rejected(&summary);
    assert_eq!(clusters.lines().count() as u64, validated_clusters.lines().count() as u64 + extra);
}

#[test]
fn dedupe_with_a_mapping_treats_each_file_as_a_source() {
    let wd = Workdir::from_fixture("demo");
    let without_out = wd.run(&["dedupe", "--mapping", "mappings/old_emr_patients.toml", "old_emr_patients.csv"]);
    assert_eq!(without_out.code, Some(2));
    assert!(without_out.stderr.contains("--mapping needs --out"), "{}", without_out.stderr);
    let summary = wd
        .run(&["dedupe", "--mapping", "mappings/old_emr_patients.toml", "old_emr_patients.csv", "--out", "d", "--json"])
        .assert_success()
        .json();
    assert_eq!(summary["sources"][0]["name"], "old_emr_patients");
    assert!(summary["matching"]["candidates"].as_u64().unwrap() > 50);
    assert!(wd.read("d/clusters.csv").lines().nth(1).unwrap().starts_with("old_emr_patients,old_emr_patients.csv,"));
}

fn febrl(dataset: &str) -> String {
    format!("{}/benches/febrl/{dataset}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn evaluate(wd: &Workdir, out: &str) -> serde_json::Value {
    let clusters = format!("{out}/clusters.csv");
    wd.run(&["evaluate", "--person-from-id", r"rec-(\d+)-", "--clusters", &clusters, "--json"]).assert_success().json()
}

#[test]
fn febrl_runs_as_it_is_and_is_scored_against_its_record_ids() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["dedupe", &febrl("dataset1"), "--out", "with-id"]).assert_success();
    let with_id = evaluate(&wd, "with-id");
    assert_eq!(with_id["valid_rows"], 1000, "every row takes part, even one a load would reject");
    assert!(with_id["f1"].as_f64().unwrap() >= 0.998, "{with_id}");
    assert!(with_id["precision"].as_f64().unwrap() >= 0.999, "{with_id}");
    wd.run(&["dedupe", &febrl("dataset1"), "--out", "without-id", "--ignore-national-id"]).assert_success();
    let without_id = evaluate(&wd, "without-id");
    // Only the address is left of some duplicates: it must find them.
    assert!(without_id["f1"].as_f64().unwrap() >= 0.998, "{without_id}");
    assert_eq!(without_id["precision"].as_f64().unwrap(), 1.0, "{without_id}");
    let report: serde_json::Value = serde_json::from_str(&wd.read("without-id/report.json")).unwrap();
    let rules: Vec<&str> =
        report["matching"]["blocking"].as_array().unwrap().iter().map(|rule| rule["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"national_id"), "ignored national ids choose no pairs either: {rules:?}");

    // explain scores a pair as that run did: rec-10's original and duplicate.
    let project = febrl("dataset1");
    let explain = |extra: &[&str]| {
        let mut args = vec!["explain", &project, "dataset1:5", "dataset1:292", "--dedupe", "--json"];
        args.extend(extra);
        let json = wd.run(&args).assert_success().json();
        let fields = json["fields"].as_array().unwrap().clone();
        fields.into_iter().find(|part| part["field"] == "national_id").unwrap()["level"].clone()
    };
    assert_eq!(explain(&[]), "exact");
    assert_eq!(explain(&["--ignore-national-id"]), "missing");

    // rec-228: a birth date and a street replaced, the postcode's digits
    // swapped (6285, 6258) in one suburb. That swap is what links them.
    let args = ["explain", &project, "dataset1:228", "dataset1:496", "--dedupe", "--ignore-national-id", "--json"];
    let json = wd.run(&args).assert_success().json();
    let area = json["fields"].as_array().unwrap().iter().find(|part| part["field"] == "area_after_move").unwrap();
    assert_eq!(area["level"], "town_and_postal_code_typo", "{json}");
    assert_eq!(json["decision"], "link", "{json}");
}

#[test]
fn febrl_4a_and_4b_are_two_sources_of_one_migration() {
    let wd = Workdir::from_fixture("demo");
    let summary = wd.run(&["dedupe", &febrl("dataset4"), "--out", "d", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][1]["name"], "dataset4b");
    let evaluation = evaluate(&wd, "d");
    assert_eq!(evaluation["valid_rows"], 10000);
    assert!(evaluation["f1"].as_f64().unwrap() >= 0.998, "{evaluation}");
}

/// review.csv with `decision` filled in on every line.
fn decide(wd: &Workdir, review: &str, decision: &str, to: &str) {
    let text = wd.read(review);
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        out.push_str(&format!("{line}{decision}\n"));
    }
    wd.write(to, &out);
}

#[test]
fn a_reviewers_match_links_the_pair_and_run_records_it() {
    let wd = Workdir::from_fixture("demo");
    let before = wd.run(&["validate", "migration.toml", "--out", "v1", "--json"]).assert_success().json();
    decide(&wd, "v1/review.csv", "match", "decided.csv");
    let after = wd
        .run(&["validate", "migration.toml", "--out", "v2", "--decisions", "decided.csv", "--json"])
        .assert_success()
        .json();
    let decided = before["matching"]["review_pairs"].as_u64().unwrap();
    assert!(decided > 1, "{before}");
    assert_eq!(after["matching"]["review_pairs"], 0);
    assert_eq!(after["matching"]["decisions_applied"]["match"], decided);
    // Each of the demo's 170 people is one patient once every pair is decided.
    assert_eq!(before["patients"], 175);
    assert_eq!(after["patients"], 170);
    assert!(wd.read("v2/pairs.csv").lines().any(|line| line.contains(",reviewer,")));

    wd.run(&["run", "migration.toml", "--out", "r", "--decisions", "decided.csv"]).assert_success();
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM match_decisions WHERE decision = 'match'"), decided as i64);
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), after["patients"].as_i64().unwrap());
    drop(db);
    wd.run(&["rollback", "--db", "emr.sqlite", "1"]).assert_success();
    assert_eq!(count(&wd.db("emr.sqlite"), "SELECT count(*) FROM match_decisions"), 0, "a rollback takes them back");
}

#[test]
fn explain_applies_the_reviewers_decisions_as_a_run_would() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "v1"]).assert_success();
    decide(&wd, "v1/review.csv", "match", "decided.csv");
    let pair = ["explain", "migration.toml", "old_emr:93", "old_emr:94"];
    let undecided = wd.run(&pair);
    undecided.assert_success();
    assert!(undecided.stdout.contains("decision: review (auto_link"), "{}", undecided.stdout);

    let mut with_file = pair.to_vec();
    with_file.extend(["--decisions", "decided.csv"]);
    let decided = wd.run(&with_file);
    decided.assert_success();
    assert!(decided.stdout.contains("decision: link by a reviewer's decision"), "{}", decided.stdout);
    assert!(decided.stdout.contains("clusters: one patient"), "{}", decided.stdout);

    let mut json = with_file.clone();
    json.push("--json");
    let decided = wd.run(&json).assert_success().json();
    assert_eq!((&decided["decision"], &decided["decided_by_reviewer"]), (&"link".into(), &true.into()), "{decided}");
}

#[test]
fn a_second_wave_links_to_the_first_unless_a_reviewer_says_otherwise() {
    let wd = Workdir::from_fixture("demo");
    // Wave one lacks the old EMR's second registration of Anna Kowalski.
    // The export is Windows-1252: its bytes are edited, not its text.
    let full = std::fs::read(wd.path("old_emr_patients.csv")).unwrap();
    let wave_one: Vec<u8> = full
        .split_inclusive(|byte| *byte == b'\n')
        .filter(|line| !line.starts_with(b"E29002;"))
        .flatten()
        .copied()
        .collect();
    assert!(wave_one.len() < full.len());
    std::fs::write(wd.path("old_emr_patients.csv"), wave_one).unwrap();
    wd.run(&["run", "migration.toml", "--out", "w1"]).assert_success();
    let patients = count(&wd.db("emr.sqlite"), "SELECT count(*) FROM patients");

    // Wave two: the row arrives and is linked to her wave-one patient.
    std::fs::write(wd.path("old_emr_patients.csv"), full).unwrap();
    let linked = wd.run(&["validate", "migration.toml", "--out", "w2", "--json"]).assert_success().json();
    assert_eq!(linked["patients"], 0, "linked to her wave-one patient, not duplicated");
    assert_eq!(linked["existing_patients_matched"], 1);
    let clusters = wd.read("w2/clusters.csv");
    let patient_line = clusters.lines().find(|line| line.starts_with("emr-database,,,,")).expect("the patient's line");
    let mrn = patient_line.split(',').nth(4).unwrap();

    // A reviewer who knows better says the new row is someone else.
    wd.write(
        "decided.csv",
        &format!("a_source,a_row,a_mrn,b_source,b_row,b_mrn,decision\nold_emr,94,,emr-database,,{mrn},distinct\n"),
    );
    let summary = wd
        .run(&["run", "migration.toml", "--out", "r2", "--decisions", "decided.csv", "--json"])
        .assert_success()
        .json();
    assert_eq!(summary["matching"]["decisions_applied"]["distinct"], 1);
    assert_eq!(summary["patients"], 1);
    assert_eq!(summary["existing_patients_matched"], 0);
    let db = wd.db("emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), patients + 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM match_decisions WHERE a_fingerprint IS NOT NULL AND b_patient_id IS NOT NULL"),
        1
    );
}

#[test]
fn a_decision_that_is_not_match_or_distinct_is_an_error_with_its_line() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "v1"]).assert_success();
    decide(&wd, "v1/review.csv", "same", "decided.csv");
    let run = wd.run(&["validate", "migration.toml", "--out", "v2", "--decisions", "decided.csv"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("decided.csv, line 2, field `decision`: `same` is not a decision"), "{}", run.stderr);
}

/// Two exports of one person: the practice-management system (listed
/// first) with an old address, the clinic's EMR with the address she gave
/// last year. Which one the patient keeps is the project's survivorship.
fn two_exports_of_one_person(wd: &Workdir, survivorship: &str) {
    std::fs::create_dir_all(wd.path("s")).unwrap();
    let mapping = |system: &str| {
        format!(
            "entity = \"patient\"\n\
             [fields.family_name]\ncolumn = \"Last\"\n[fields.given_name]\ncolumn = \"First\"\n\
             [fields.birth_date]\ncolumn = \"DOB\"\ndate_formats = [\"%Y-%m-%d\"]\n\
             [fields.address_line1]\ncolumn = \"Street\"\n[fields.city]\ncolumn = \"City\"\n\
             [fields.last_updated]\ncolumn = \"Updated\"\ndate_formats = [\"%Y-%m-%d\"]\n\
             [[identifiers]]\ncolumn = \"Id\"\nsystem = \"{system}\"\n"
        )
    };
    wd.write("s/pm.toml", &mapping("pm"));
    wd.write("s/emr.toml", &mapping("emr"));
    wd.write(
        "s/pm.csv",
        "Id,Last,First,DOB,Street,City,Updated\nP1,Quillfeather,Wilhelmina,1970-03-14,1 Old Mill Rd,Dover,2016-02-01\n",
    );
    wd.write(
        "s/emr.csv",
        "Id,Last,First,DOB,Street,City,Updated\nE9,Quillfeather,Wilhelmina,1970-03-14,77 New Harbor St,Salem,2025-05-20\n",
    );
    wd.write(
        "s/migration.toml",
        &format!(
            "[project]\nname = \"Survivorship\"\n{survivorship}\n\
             [[source]]\nname = \"pm\"\nfile = \"pm.csv\"\nmapping = \"pm.toml\"\n\
             [[source]]\nname = \"emr\"\nfile = \"emr.csv\"\nmapping = \"emr.toml\"\n"
        ),
    );
}

fn loaded_street(wd: &Workdir) -> (i64, String) {
    let conn = wd.db("s/emr.sqlite");
    let street = conn.query_row("SELECT address_line1 FROM patients", [], |row| row.get(0)).unwrap();
    (count(&conn, "SELECT count(*) FROM patient_identifiers"), street)
}

#[test]
fn survivorship_order_decides_which_record_the_patient_keeps() {
    let wd = Workdir::from_fixture("demo");
    two_exports_of_one_person(&wd, "");
    wd.run(&["run", "s/migration.toml", "--out", "s/r"]).assert_success();
    assert_eq!(loaded_street(&wd), (2, "1 Old Mill Rd".to_string()), "default: the first source leads");

    let wd = Workdir::from_fixture("demo");
    two_exports_of_one_person(&wd, "[survivorship]\norder = [\"most_recent\", \"source_priority\"]\n");
    wd.run(&["run", "s/migration.toml", "--out", "s/r"]).assert_success();
    assert_eq!(loaded_street(&wd), (2, "77 New Harbor St".to_string()), "the newer record leads");

    let wd = Workdir::from_fixture("demo");
    two_exports_of_one_person(&wd, "[survivorship]\nsource_priority = [\"emr\"]\n");
    wd.run(&["run", "s/migration.toml", "--out", "s/r"]).assert_success();
    assert_eq!(loaded_street(&wd), (2, "77 New Harbor St".to_string()), "emr listed first");

    two_exports_of_one_person(&wd, "[survivorship]\norder = [\"newest\"]\n");
    let refused = wd.run(&["validate", "s/migration.toml", "--out", "s/v"]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("unknown survivorship criterion `newest`"), "{}", refused.stderr);
}

#[test]
fn another_clinic_is_matched_against_the_database_and_within_itself() {
    let wd = Workdir::from_fixture("demo");
    two_exports_of_one_person(&wd, "");
    wd.run(&["run", "s/migration.toml", "--out", "s/r"]).assert_success();
    assert_eq!(count(&wd.db("s/emr.sqlite"), "SELECT count(*) FROM patients"), 1);

    // Another clinic, its own project and export, into the same database:
    // Wilhelmina again (a nickname, a new address), a new patient registered
    // twice there, and one registered once.
    std::fs::create_dir_all(wd.path("c")).unwrap();
    wd.write("c/clinic.toml", &wd.read("s/emr.toml").replace("system = \"emr\"", "system = \"north-clinic\""));
    wd.write(
        "c/clinic.csv",
        "Id,Last,First,DOB,Street,City,Updated\n\
         N1,Quillfeather,Mina,1970-03-14,9 Elm Ct,Salem,2026-01-05\n\
         N2,Oyelaran-Brisk,Tobias,1988-11-02,4 Pine Way,Salem,2026-01-05\n\
         N3,Oyelaran-Brisk,Tobias,1988-11-02,4 Pine Way,Salem,2026-02-11\n\
         N4,Marchetti-Vale,Ines,1993-07-21,12 Oak Row,Lynn,2026-01-09\n",
    );
    wd.write(
        "c/migration.toml",
        "[project]\nname = \"North clinic\"\n[target]\ndatabase = \"../s/emr.sqlite\"\n\
         [[source]]\nname = \"north\"\nfile = \"clinic.csv\"\nmapping = \"clinic.toml\"\n",
    );
    let summary = wd.run(&["run", "c/migration.toml", "--out", "c/r", "--json"]).assert_success().json();
    assert_eq!(summary["existing_patients_matched"], 1, "{summary}");
    assert_eq!(summary["patients"], 2, "Tobias once, Ines once: {summary}");
    let db = wd.db("s/emr.sqlite");
    assert_eq!(count(&db, "SELECT count(*) FROM patients"), 3);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM patient_identifiers i JOIN patients p USING (patient_id) \
             WHERE p.family_name = 'Quillfeather'"
        ),
        3,
        "her wave-one patient gained the clinic's number"
    );
}

#[test]
fn formulas_in_review_csv_are_neutralised() {
    let wd = Workdir::from_fixture("bad");
    wd.write(
        "a.csv",
        "Last,First,DOB,Addr\nDoe,Jane,01/02/1980,\"=HYPERLINK(\"\"http://x\"\")\"\nSmith,Ann,05/06/1970,1 Elm St\n",
    );
    wd.write("b.csv", "Last,First,DOB,Addr\nDoe,Janie,06/07/1980,+SUM(A1)\nLee,Bo,07/08/1990,2 Oak Ave\n");
    wd.write(
        "m.toml",
        "entity = \"patient\"\n[fields.family_name]\ncolumn = \"Last\"\n[fields.given_name]\ncolumn = \"First\"\n\
         [fields.birth_date]\ncolumn = \"DOB\"\ndate_formats = [\"%m/%d/%Y\"]\n[fields.address_line1]\ncolumn = \"Addr\"\n",
    );
    wd.run(&["dedupe", "--mapping", "m.toml", "a.csv", "b.csv", "--out", "out"]).assert_success();
    let mut reader = csv::Reader::from_path(wd.path("out/review.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "Jane and Janie Doe of one year are a pair to review");
    let cell = |name: &str| rows[0][headers.iter().position(|header| header == name).unwrap()].to_string();
    assert_eq!(cell("a_address_line1"), "'=HYPERLINK(\"http://x\")");
    assert_eq!(cell("b_address_line1"), "'+SUM(A1)");
}

/// The demo with `rows` added to the old EMR's export (Windows-1252, so
/// bytes); returns the workdir and the export's last row number.
fn demo_with_old_emr_rows(rows: &[u8]) -> (Workdir, usize) {
    let wd = Workdir::from_fixture("demo");
    let mut export = wd.read_bytes("old_emr_patients.csv");
    if !export.ends_with(b"\n") {
        export.push(b'\n');
    }
    export.extend_from_slice(rows);
    let lines = export.iter().filter(|byte| **byte == b'\n').count();
    std::fs::write(wd.path("old_emr_patients.csv"), export).unwrap();
    (wd, lines)
}

#[test]
fn patients_with_no_name_in_common_wait_in_review_and_say_why() {
    // Anna Kowalski's twin sister at her home, registered with her names
    // swapped and her surname mistyped: only the home and birthday agree.
    let (wd, _) =
        demo_with_old_emr_rows(b"E29100;Zofia;Kowalsky;25.08.1990;2;4304 Parsons Ave;Columbus;OH;43220;380-555-0149\n");
    wd.run(&["validate", "migration.toml", "--out", "out"]).assert_success();
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["matching"]["names_differ"], 1, "{}", report["matching"]);
    assert!(wd.read("out/review.csv").contains(",names_differ,"));
    assert!(wd.read("out/report.html").contains("whose names have nothing in common"));
    let explain = wd.run(&["explain", "migration.toml", "old_emr:93", "old_emr:119"]);
    explain.assert_success();
    assert!(explain.stdout.contains("decision: review because no name agrees"), "{}", explain.stdout);
    assert!(explain.stdout.contains("review.csv: listed (names_differ)"), "{}", explain.stdout);
}

/// Old EMR rows that make given names common in the practice: one row per
/// name in `given`, each under a surname and a birthday of its own.
fn names_made_common(id_prefix: &str, given: &[&str], sex: u8, born_from: usize) -> Vec<u8> {
    let mut rows = Vec::new();
    for (i, name) in given.iter().enumerate() {
        let row = format!(
            "{id_prefix}{i:02};Lindqvist{i};{name};{:02}.{:02}.{};{sex};{} Elm St;Columbus;OH;43220;\n",
            1 + i % 28,
            1 + i % 12,
            born_from + i,
            100 + i
        );
        rows.extend_from_slice(row.as_bytes());
    }
    rows
}

#[test]
fn explain_says_when_a_given_name_was_read_as_a_typo() {
    // Kevin made common in the practice, then Kevin Brandt registered
    // twice: as Kev, and mistyped as KVEIN.
    let mut rows = names_made_common("E293", &["Kevin"; 22], 1, 1940);
    rows.extend_from_slice(b"E29400;Brandt;Kev;04.03.1990;1;7 Oak St;Columbus;OH;43220;\n");
    rows.extend_from_slice(b"E29401;Brandt;Kvein;04.03.1990;1;7 Oak St;Columbus;OH;43220;\n");
    let (wd, lines) = demo_with_old_emr_rows(&rows);
    let (kev, kvein) = (format!("old_emr:{}", lines - 1), format!("old_emr:{lines}"));
    let explain = wd.run(&["explain", "migration.toml", &kev, &kvein]);
    explain.assert_success();
    assert!(explain.stdout.contains("given_name       nickname"), "{}", explain.stdout);
    let typo_line = format!("given_name: that of {kvein} is not in the nickname table and reads as a typo");
    assert!(explain.stdout.contains(&typo_line), "{}", explain.stdout);
    let json = wd.run(&["explain", "migration.toml", &kev, &kvein, "--json"]).assert_success().json();
    assert_eq!(json["given_typo_rows"], serde_json::json!([kvein]));
    // A nickname beside its own formal name says nothing of the kind.
    let kevin = format!("old_emr:{}", lines - 2);
    let formal = wd.run(&["explain", "migration.toml", &kev, &kevin, "--json"]).assert_success().json();
    assert!(formal.get("given_typo_rows").is_none(), "{formal}");
}

#[test]
fn a_twins_name_mistyped_into_a_typo_of_another_name_keeps_the_twins_apart() {
    // Mia is common in the practice, Maya a name too. Twins Maya and Mia
    // Okafor, at one home: Mia's name keyed MAI, one error from MIA and two
    // from MAYA, on a registration of the old EMR and on a scan.
    let mut rows = names_made_common("E297", &[["Mia"; 45].as_slice(), &["Maya"; 3]].concat(), 2, 1950);
    // A Mia of the same surname and birthday in another town, no kin.
    rows.extend_from_slice(b"E29799;Okafor;Mia;14.08.2020;2;12 Lake Rd;Dayton;OH;45402;\n");
    rows.extend_from_slice(b"E29800;Okafor;Maya;14.08.2020;2;841 Prospect Blvd;Columbus;OH;43220;6437968659\n");
    rows.extend_from_slice(b"E29801;Okafor;Mai;14.08.2020;2;841 Prospect Blvd;Columbus;OH;43220;6437968659\n");
    let (wd, lines) = demo_with_old_emr_rows(&rows);
    let mut index = wd.read("scan_index.txt");
    if !index.ends_with('\n') {
        index.push('\n');
    }
    index.push_str("B003||OKAFOR|MAI|08/14/2020|CORR|07/07/2024|1|B003\\0130.pdf\n");
    std::fs::write(wd.path("scan_index.txt"), &index).unwrap();
    std::fs::copy(wd.path("scans/B003/0129.pdf"), wd.path("scans/B003/0130.pdf")).unwrap();
    let scan = format!("scans:{}", index.lines().count());
    let (maya, mai) = (format!("old_emr:{}", lines - 1), format!("old_emr:{lines}"));
    let explain = wd.run(&["explain", "migration.toml", &maya, &scan, "--dedupe"]);
    explain.assert_success();
    assert!(explain.stdout.contains("decision: kept apart by the twins rule"), "{}", explain.stdout);
    let misread = format!("given_name: that of {scan} is a typo, one keying error from commoner names");
    assert!(explain.stdout.contains(&misread), "{}", explain.stdout);
    assert!(explain.stdout.contains("clusters: two patients"), "{}", explain.stdout);
    let json = wd.run(&["explain", "migration.toml", &maya, &scan, "--dedupe", "--json"]).assert_success().json();
    assert_eq!(json["given_misread_rows"], serde_json::json!([scan]));
    // Registered twice in the old EMR, Maya and Mai could be one girl
    // registered again with a worse typo: a person decides.
    let twice = wd.run(&["explain", "migration.toml", &maya, &mai, "--dedupe", "--json"]).assert_success().json();
    assert!(twice["hard_rule"].is_null(), "{twice}");
    assert_eq!(twice["possible_twins"], true, "{twice}");
    assert!(twice.get("given_misread_rows").is_none(), "{twice}");
    // Mai beside a Mia of her surname and birthday: one keying error, so
    // the twins rule does not apply, and no such line.
    let mia = format!("old_emr:{}", lines - 2);
    let typo = wd.run(&["explain", "migration.toml", &mia, &scan, "--dedupe", "--json"]).assert_success().json();
    assert!(typo["hard_rule"].is_null(), "{typo}");
    assert!(typo.get("given_misread_rows").is_none(), "{typo}");
}

#[test]
fn a_suffix_on_one_record_and_no_birth_date_to_compare_waits_for_a_person() {
    // Kwabena Akuemi Sr, his birth date keyed as one that does not exist,
    // and his son at his address: which is which, no birth year tells.
    // validate rejects the father's row; dedupe matches it without a date.
    let (wd, lines) = demo_with_old_emr_rows(
        b"E29900;Akuemi;Kwabena Sr;31.02.1970;1;431 Prospect St;Columbus;OH;43220;6145550111\n\
          E29901;Akuemi;Kwabena;22.12.1996;1;431 Prospect St;Columbus;OH;43220;6145550111\n",
    );
    let (father, son) = (format!("old_emr:{}", lines - 1), format!("old_emr:{lines}"));
    let explain = wd.run(&["explain", "migration.toml", &father, &son, "--dedupe"]);
    explain.assert_success();
    assert!(
        explain.stdout.contains("decision: review because a suffix (Jr, Sr, II) is on one row only"),
        "{}",
        explain.stdout
    );
    assert!(explain.stdout.contains("review.csv: listed (generation_unknown)"), "{}", explain.stdout);
    wd.run(&["dedupe", "migration.toml", "--out", "out"]).assert_success();
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["matching"]["generation_unknown"], 1, "{}", report["matching"]);
    assert!(wd.read("out/review.csv").contains(",generation_unknown,"));
    assert!(wd.read("out/report.html").contains("so nothing tells a father from the son named for him"));
}

#[test]
fn one_nickname_twins_share_registered_twice_waits_as_possible_twins() {
    // Brianna and Breanna are names of the practice; Bri Zamera was
    // registered twice at one home: twins may both go by Bri.
    let mut rows = Vec::new();
    for (i, given) in ["Brianna", "Breanna"].iter().enumerate() {
        for j in 0..4 {
            let row = format!(
                "E295{i}{j};Ruiz{i}{j};{given};0{}.0{}.198{j};2;{j} Pine St;Columbus;OH;43220;\n",
                j + 1,
                i + 1
            );
            rows.extend_from_slice(row.as_bytes());
        }
    }
    // A third Bri Zamera, another birthday: no twin of theirs.
    rows.extend_from_slice(b"E29602;Zamera;Bri;02.11.1984;2;18 Oak St;Dayton;OH;45402;\n");
    for id in ["E29600", "E29601"] {
        rows.extend_from_slice(format!("{id};Zamera;Bri;14.05.2013;2;4629 Summit Dr;Columbus;OH;43220;\n").as_bytes());
    }
    let (wd, lines) = demo_with_old_emr_rows(&rows);
    let (first, second) = (format!("old_emr:{}", lines - 1), format!("old_emr:{lines}"));
    let older = wd.run(&["explain", "migration.toml", &first, &format!("old_emr:{}", lines - 2)]);
    assert!(!older.assert_success().stdout.contains("one nickname on both"), "{}", older.stdout);
    let explain = wd.run(&["explain", "migration.toml", &first, &second]);
    explain.assert_success();
    assert!(explain.stdout.contains("decision: review as possible twins"), "{}", explain.stdout);
    assert!(
        explain.stdout.contains("one nickname on both, which two names of this practice share"),
        "{}",
        explain.stdout
    );
    let json = wd.run(&["explain", "migration.toml", &first, &second, "--json"]).assert_success().json();
    assert_eq!((&json["possible_twins"], &json["given_shared_nickname"]), (&true.into(), &true.into()), "{json}");
    assert_eq!(json["review_reason"], "possible_twins", "{json}");
}

#[test]
fn explain_with_dedupe_scores_each_review_line_as_dedupe_did() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["dedupe", "migration.toml", "--out", "d"]).assert_success();
    let mut reader = csv::Reader::from_path(wd.path("d/review.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|header| header == name).unwrap();
    let mut lines = 0;
    for line in reader.records() {
        let line = line.unwrap();
        let row = |side: &str| {
            format!("{}:{}", &line[column(&format!("{side}_source"))], &line[column(&format!("{side}_row"))])
        };
        let (a, b) = (row("a"), row("b"));
        let explained = wd.run(&["explain", "migration.toml", &a, &b, "--dedupe", "--json"]).assert_success().json();
        let probability = format!("{:.4}", explained["probability"].as_f64().unwrap());
        assert_eq!(probability, &line[column("probability")], "{a} {b}: {explained}");
        assert_eq!(explained["review_reason"], &line[column("reason")], "{a} {b}: {explained}");
        lines += 1;
    }
    assert!(lines >= 5, "the demo's dedupe review queue has {lines} lines");

    // Dedupe matches a row a load would reject (pm:144 has no surname);
    // validate and run, and so a plain explain, leave it out.
    let plain = wd.run(&["explain", "migration.toml", "pm:144", "pm:145"]);
    assert_eq!(plain.code, Some(2));
    assert!(plain.stderr.contains("add --dedupe"), "{}", plain.stderr);
    let absent = wd.run(&["explain", "migration.toml", "pm:144", "pm:100000", "--dedupe"]);
    assert_eq!(absent.code, Some(2));
    assert!(absent.stderr.contains("took no part") && !absent.stderr.contains("add --dedupe"), "{}", absent.stderr);
    let json = wd.run(&["explain", "migration.toml", "pm:144", "pm:145", "--dedupe", "--json"]).assert_success().json();
    assert_eq!(json["decision"], "distinct", "{json}");
}
