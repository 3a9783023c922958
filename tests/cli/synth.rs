//! Rehearsal practices: `synth` writes a project that `run` loads at once,
//! the same seed gives the same bytes, and `evaluate` measures the run.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Workdir, dump};

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                found.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let wd = Workdir::from_fixture("demo");
    for format in ["xlsx", "csv"] {
        for out in ["a", "b"] {
            let out = format!("{format}-{out}");
            wd.run(&["synth", "--patients", "300", "--seed", "42", "--format", format, "--out", &out]).assert_success();
        }
        let (a, b) = (files(&wd.path(&format!("{format}-a"))), files(&wd.path(&format!("{format}-b"))));
        assert!(a.len() > 10, "{:?}", a.keys());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (name, bytes) in &a {
            assert!(bytes == &b[name], "{format}: {name} differs between two runs with the same seed");
        }
    }
    wd.run(&["synth", "--patients", "300", "--seed", "43", "--format", "csv", "--out", "other"]).assert_success();
    assert_ne!(wd.read("other/truth.csv"), wd.read("csv-a/truth.csv"));
}

#[test]
fn synth_run_evaluate_at_ten_thousand_patients() {
    let wd = Workdir::from_fixture("demo");
    let summary = wd
        .run(&["synth", "--patients", "10000", "--format", "csv", "--out", "practice", "--json"])
        .assert_success()
        .json();
    assert_eq!(summary["people"], 10_000);
    assert!(summary["scanned_files"].as_u64().unwrap() > 5_000);
    let run = wd.run(&["run", "practice/migration.toml", "--out", "report", "--json"]).assert_success().json();
    assert_eq!(run["reconciled"], true);
    assert!(run["patients"].as_u64().unwrap() > 9_500, "{}", run["patients"]);
    for stage in ["extract_ms", "map_validate_ms", "match_ms", "load_ms", "report_ms"] {
        assert!(run["timings_ms"][stage].is_u64(), "{stage}");
    }
    let evaluation = wd
        .run(&["evaluate", "--truth", "practice/truth.csv", "--clusters", "report/clusters.csv", "--json"])
        .assert_success()
        .json();
    assert!(evaluation["precision"].as_f64().unwrap() > 0.99, "{evaluation}");
    assert!(evaluation["recall"].as_f64().unwrap() > 0.95, "{evaluation}");
    let planted = evaluation["planted_invalid_rows"].as_u64().unwrap();
    assert!(planted > 10);
    assert_eq!(evaluation["planted_invalid_rejected_as_expected"], planted);
    assert_eq!(evaluation["valid_rows_rejected"], 0);
    assert_eq!(evaluation["wrongly_merged"]["household"], 0, "{evaluation}");
}

#[test]
fn no_files_practice_loads_documents_without_checking_them() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["synth", "--patients", "500", "--format", "csv", "--no-files", "--out", "practice"]).assert_success();
    assert!(!wd.path("practice/scans").exists());
    let run = wd.run(&["run", "practice/migration.toml", "--out", "report", "--json"]).assert_success().json();
    assert_eq!(run["sources"][2]["rejected"], 0);
    assert!(run["documents"].as_u64().unwrap() > 200);
    let unchecked =
        crate::common::count(&wd.db("practice/emr.sqlite"), "SELECT count(*) FROM documents WHERE sha256 IS NULL");
    assert_eq!(unchecked, run["documents"].as_i64().unwrap());
}

#[test]
fn xlsx_beyond_excels_row_limit_is_refused_before_writing() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["synth", "--patients", "1300000", "--format", "xlsx", "--no-files", "--out", "huge"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("an xlsx sheet holds at most 1048573 patient rows"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: use `--format csv`"), "{}", run.stderr);
    assert!(!wd.path("huge").exists());
}

#[test]
fn synth_refuses_a_folder_with_files_in_it() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["synth", "--patients", "10", "--out", "."]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("the folder is not empty"), "{}", run.stderr);
}

#[test]
fn evaluate_reads_the_demo_truth_too() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["validate", "migration.toml", "--out", "out"]).assert_success();
    let evaluation = wd
        .run(&["evaluate", "--truth", "truth.csv", "--clusters", "out/clusters.csv", "--json"])
        .assert_success()
        .json();
    assert_eq!(evaluation["precision"], 1.0);
    // The woman who married (1 pair), and three second registrations that
    // could be twins with the records alike to both (10 pairs), all in
    // review.
    assert_eq!(evaluation["pairs"]["missed"], 11);
    assert_eq!(evaluation["planted_invalid_rows"], 8);
    assert_eq!(evaluation["planted_invalid_rejected_as_expected"], 8);
}

#[test]
fn an_xlsx_practice_with_its_scans_runs_and_evaluates() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["synth", "--patients", "2000", "--out", "practice"]).assert_success();
    assert!(wd.path("practice/pm_patients.xlsx").is_file());
    let run = wd.run(&["run", "practice/migration.toml", "--out", "report", "--json"]).assert_success().json();
    assert_eq!(run["reconciled"], true);
    assert_eq!(run["sources"][0]["skipped_by_reason"]["skip_when `Pt Last Name` starts with \"Total patients\""], 1);
    let evaluation = wd
        .run(&["evaluate", "--truth", "practice/truth.csv", "--clusters", "report/clusters.csv", "--json"])
        .assert_success()
        .json();
    assert!(evaluation["precision"].as_f64().unwrap() > 0.99, "{evaluation}");
    assert_eq!(evaluation["planted_invalid_rejected_as_expected"], evaluation["planted_invalid_rows"]);
    assert_eq!(evaluation["valid_rows_rejected"], 0);
}

/// Matching runs in parallel, and so does survivorship: the clusters, the
/// review queue, the report and what the load writes (MRNs and golden
/// records included) must not depend on the threads.
#[test]
fn matching_and_the_load_are_the_same_whatever_the_thread_count() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["synth", "--patients", "3000", "--format", "csv", "--no-files", "--out", "practice"]).assert_success();
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        let (out, db) = (format!("report-{threads}"), format!("emr-{threads}.sqlite"));
        let args = ["run", "practice/migration.toml", "--db", &db, "--out", &out];
        wd.run_with_env(&args, &[("RAYON_NUM_THREADS", threads)]).assert_success();
        let mut json: serde_json::Value = serde_json::from_str(&wd.read(&format!("{out}/report.json"))).unwrap();
        // Times, and the database's name, differ by design.
        for varies in ["generated_at", "timings_ms", "batch_id", "database"] {
            json[varies] = serde_json::Value::Null;
        }
        json["matching"]["timings_ms"] = serde_json::Value::Null;
        // The batch's row holds its times; every other table must agree.
        let tables = dump(&wd.path(&db));
        let loaded: Vec<&str> = tables.split("## ").filter(|table| !table.starts_with("batches\n")).collect();
        outputs.push((
            wd.read(&format!("{out}/clusters.csv")),
            wd.read(&format!("{out}/review.csv")),
            json,
            loaded.join("## "),
        ));
    }
    let (one, four) = (&outputs[0], &outputs[1]);
    assert!(one.0 == four.0, "clusters.csv differs between 1 and 4 threads");
    assert!(one.1 == four.1, "review.csv differs between 1 and 4 threads");
    assert_eq!(one.2, four.2);
    assert!(one.3.contains("## patients\n1|SYN"), "{}", &one.3[..one.3.len().min(2000)]);
    let first_difference = one.3.lines().zip(four.3.lines()).find(|(x, y)| x != y);
    assert!(one.3 == four.3, "the load differs between 1 and 4 threads: {first_difference:?}");
    // Possible twins are among the pairs, so their handling is compared too.
    assert!(one.2["matching"]["possible_twins"].as_u64().unwrap() > 0, "{}", one.2["matching"]);
}
