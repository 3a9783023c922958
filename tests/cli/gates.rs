//! Gates for scripted batches: `--max-reject-rate` and `--fail-on` exit with
//! code 3 and their reasons on stderr; `run` then loads nothing.

use crate::common::Workdir;

#[test]
fn a_reject_rate_over_the_limit_exits_3_with_the_reason() {
    let wd = Workdir::from_fixture("demo");
    let failed = wd.run(&["validate", "migration.toml", "--out", "out", "--max-reject-rate", "1%"]);
    assert_eq!(failed.code, Some(3), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("gate failed: 8 of 396 rows rejected (2.0%), over --max-reject-rate 1.0%; most in `pm`"),
        "{}",
        failed.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["gate"]["max_reject_rate"], 0.01);
    assert!(wd.read("out/report.html").contains("The data failed its gate"));

    let passed = wd.run(&["validate", "migration.toml", "--out", "out", "--max-reject-rate", "0.05"]);
    assert_eq!(passed.code, Some(0), "{}", passed.stderr);
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["gate"]["passed"], true);
}

#[test]
fn a_run_that_fails_its_gate_loads_nothing() {
    let wd = Workdir::from_fixture("demo");
    let failed = wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--fail-on", "error"]);
    assert_eq!(failed.code, Some(3), "{}", failed.stderr);
    assert!(failed.stderr.contains("gate failed: 8 rows rejected with errors (--fail-on error)"), "{}", failed.stderr);
    assert!(failed.stderr.contains("nothing was loaded"), "{}", failed.stderr);
    assert!(!wd.path("emr.sqlite").exists(), "no database was written");
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["batch_id"], serde_json::Value::Null);
    assert!(wd.read("out/report.html").contains("Nothing was loaded."));

    wd.run(&["run", "migration.toml", "--db", "emr.sqlite", "--out", "out", "--max-reject-rate", "5%"])
        .assert_success();
    assert!(wd.path("emr.sqlite").exists(), "within the gate, the batch loads");
}

#[test]
fn fail_on_warning_counts_warnings_on_loaded_rows() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["validate", "migration.toml", "--fail-on", "warning"]);
    assert_eq!(run.code, Some(3));
    assert!(run.stderr.contains("warnings on loaded rows (--fail-on warning)"), "{}", run.stderr);
}

#[test]
fn a_rate_that_is_not_one_is_a_usage_error() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["validate", "migration.toml", "--max-reject-rate", "150%"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("is not between 0 and 100%"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn a_script_tells_a_failed_gate_from_a_failed_run() {
    let wd = Workdir::from_fixture("demo");
    let script = format!(
        "{} validate migration.toml --quiet --max-reject-rate 1% > /dev/null 2>&1; \
         case $? in 0) echo clean;; 3) echo gate;; *) echo broken;; esac",
        env!("CARGO_BIN_EXE_emr-migrate")
    );
    let output = std::process::Command::new("sh").arg("-c").arg(&script).current_dir(wd.path("")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "gate");
}

#[test]
fn an_ssn_never_issued_loads_with_a_warning_that_fail_on_warning_catches() {
    let wd = Workdir::from_fixture("bad");
    wd.write("ssn.csv", "Last,First,DOB,SSN\nDoe,Jane,01/02/1980,123-45-6780\nRoe,Rick,03/04/1981,000-12-3456\n");
    wd.write(
        "ssn.toml",
        "entity = \"patient\"\n[fields.family_name]\ncolumn = \"Last\"\n[fields.given_name]\ncolumn = \"First\"\n\
         [fields.birth_date]\ncolumn = \"DOB\"\ndate_formats = [\"%m/%d/%Y\"]\n[fields.national_id]\ncolumn = \"SSN\"\n",
    );
    let args = ["dedupe", "--mapping", "ssn.toml", "ssn.csv", "--out", "out", "--json"];
    let summary = wd.run(&args).assert_success().json();
    let source = &summary["sources"][0];
    assert_eq!(source["warnings_by_code"]["W-NATIONAL-ID-INVALID"], 1, "{source}");
    assert_eq!(source["rejected"], 0, "a warning: both rows load");
    let project = "[project]\nname = \"SSNs\"\n[target]\ndatabase = \"emr.sqlite\"\nmrn_prefix = \"S\"\n\
                   [[source]]\nname = \"pm\"\nfile = \"ssn.csv\"\nmapping = \"ssn.toml\"\n";
    wd.write("migration.toml", project);
    let gated = wd.run(&["validate", "migration.toml", "--fail-on", "warning"]);
    assert_eq!(gated.code, Some(3), "{}", gated.stderr);
    let other_scheme = wd.read("ssn.toml") + "[validate]\nnational_id = \"none\"\n";
    wd.write("ssn.toml", &other_scheme);
    wd.run(&["validate", "migration.toml", "--fail-on", "warning"]).assert_success();
}
