//! `emr-migrate profile`: what an export holds, and the mapping it suggests.

use std::collections::HashMap;

use crate::common::{Workdir, mode};

/// The most common value of `column` in the demo's pipe-delimited scan
/// index, held by at least five rows: the profile may show it masked only.
fn common_scan_value(wd: &Workdir, column: &str) -> String {
    let text = wd.read("scan_index.txt");
    let mut lines = text.lines();
    let position = lines.next().unwrap().split('|').position(|name| name == column).unwrap();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for line in lines {
        *counts.entry(line.split('|').nth(position).unwrap()).or_default() += 1;
    }
    let (value, count) = counts.into_iter().max_by_key(|(value, count)| (*count, *value)).unwrap();
    assert!(count >= 5, "the fixture has a surname held by five rows");
    value.to_string()
}

#[test]
fn profile_describes_every_column_without_showing_patient_data() {
    let wd = Workdir::from_fixture("demo");
    let surname = common_scan_value(&wd, "LAST");
    let run = wd.run(&["profile", "scan_index.txt", "--out", "profile"]);
    run.assert_success();
    for expected in
        ["delimiter `|`", "DOC_TYPE", "file_path", "99/99/9999", "ambiguous between day-first and month-first"]
    {
        assert!(run.stdout.contains(expected), "{expected} missing:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains(&surname), "an unmasked surname on the terminal:\n{}", run.stdout);
    let html = wd.read("profile/profile.html");
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains(&surname) && !html.contains("<script"));
    for file in ["profile.html", "profile.json"] {
        assert_eq!(mode(&wd.path("profile").join(file)), 0o600, "{file} may hold patient data");
    }
    let json: serde_json::Value = serde_json::from_str(&wd.read("profile/profile.json")).unwrap();
    assert_eq!(json["schema_version"], 1);
    let columns = json["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 9);
    let pages = columns.iter().find(|column| column["name"] == "PAGES").unwrap();
    assert_eq!(pages["inferred_type"], "integer");
    assert_eq!(pages["masking"], "shown");
    let dob = columns.iter().find(|column| column["name"] == "DOB").unwrap();
    assert!(dob["ambiguous_dates"].as_u64().unwrap() > 0);

    let shown = wd.run(&["profile", "scan_index.txt", "--show-phi"]);
    shown.assert_success();
    assert!(shown.stdout.contains(&surname), "--show-phi shows common values:\n{}", shown.stdout);
    let never = wd.run(&["profile", "scan_index.txt", "--show-phi", "--never-show", "LAST"]);
    never.assert_success();
    assert!(!never.stdout.contains(&surname) && never.stdout.contains("LAST: never shown"), "{}", never.stdout);
}

#[test]
fn profile_reads_workbooks_past_their_title_rows() {
    let wd = Workdir::from_fixture("demo");
    let json = wd.run(&["profile", "demographics.xlsx", "--json"]).assert_success().json();
    assert_eq!(json["format"]["sheet"], "Patients");
    assert_eq!(json["format"]["header_row"], 2);
    let dob = json["columns"].as_array().unwrap().iter().find(|column| column["name"] == "DOB").unwrap();
    assert_eq!(dob["inferred_type"], "date");
    assert_eq!(dob["date_formats"][0]["format"], "date cell", "Excel dates are told from text dates");
}

/// Which column the suggested mapping maps `field` from.
fn column_of(mapping: &toml::Value, field: &str) -> Option<String> {
    mapping["fields"].get(field)?.get("column")?.as_str().map(str::to_string)
}

#[test]
fn suggested_mappings_get_names_birth_date_sex_and_chart_number_right() {
    let wd = Workdir::from_fixture("demo");
    let expected = [
        ("demographics.xlsx", "patient", ["Pt Last Name", "First", "DOB", "Sex"], "Chart #"),
        ("old_emr_patients.csv", "patient", ["Surname", "GivenNames", "BirthDate", "Gender"], "PatientID"),
        ("scan_index.txt", "document", ["LAST", "FIRST", "DOB", ""], "CHART_NO"),
    ];
    for (file, entity, [family, given, birth, sex], chart) in expected {
        let out = format!("suggested-{file}.toml");
        wd.run(&["profile", file, "--suggest-mapping", &out]).assert_success();
        let mapping: toml::Value = toml::from_str(&wd.read(&out)).unwrap();
        assert_eq!(mapping["entity"].as_str(), Some(entity), "{file}");
        assert_eq!(column_of(&mapping, "family_name").as_deref(), Some(family), "{file}");
        assert_eq!(column_of(&mapping, "given_name").as_deref(), Some(given), "{file}");
        assert_eq!(column_of(&mapping, "birth_date").as_deref(), Some(birth), "{file}");
        if !sex.is_empty() {
            assert_eq!(column_of(&mapping, "sex").as_deref(), Some(sex), "{file}");
        }
        assert_eq!(mapping["identifiers"][0]["column"].as_str(), Some(chart), "{file}");
    }
    let again = wd.run(&["profile", "scan_index.txt", "--suggest-mapping", "suggested-scan_index.txt.toml"]);
    assert_eq!(again.code, Some(2), "an existing mapping is never overwritten: {}", again.stderr);
}

#[test]
fn the_suggested_mappings_run_the_demo_as_the_written_ones_do() {
    let wd = Workdir::from_fixture("demo");
    let written = wd.run(&["validate", "migration.toml", "--out", "written", "--json"]).assert_success().json();
    for (file, mapping) in [
        ("demographics.xlsx", "demographics"),
        ("old_emr_patients.csv", "old_emr_patients"),
        ("scan_index.txt", "scan_index"),
    ] {
        let path = format!("mappings/{mapping}.toml");
        std::fs::remove_file(wd.path(&path)).unwrap();
        wd.run(&["profile", file, "--suggest-mapping", &path]).assert_success();
    }
    // The one thing a profile cannot know: which folder scan paths start from.
    let index = wd.read("mappings/scan_index.toml").replace("# scan_root", "scan_root");
    wd.write("mappings/scan_index.toml", &index);
    let suggested = wd.run(&["validate", "migration.toml", "--out", "suggested", "--json"]).assert_success().json();
    for source in 0..3 {
        let (a, b) = (&written["sources"][source], &suggested["sources"][source]);
        for count in ["rows_read", "loaded", "merged", "rejected", "skipped", "rejected_by_code"] {
            assert!(!a[count].is_null(), "{count} is in the summary");
            assert_eq!(a[count], b[count], "{count}:\n{a}\n{b}");
        }
    }
}

#[test]
fn a_file_that_cannot_be_read_is_a_clear_error() {
    let wd = Workdir::from_fixture("demo");
    let missing = wd.run(&["profile", "no-such-export.csv"]);
    assert_eq!(missing.code, Some(1));
    assert!(missing.stderr.contains("no-such-export.csv"), "{}", missing.stderr);
}

#[test]
fn zip_codes_that_lost_their_leading_zero_get_the_zip_code_transform() {
    let wd = Workdir::from_fixture("bad");
    let mut csv = String::from("Last,First,Zip\n");
    for (row, zip) in ["2134", "43215", "2139", "43017", "2134", "43215"].iter().enumerate() {
        csv.push_str(&format!("Doe{row},Jane,{zip}\n"));
    }
    wd.write("zips.csv", &csv);
    wd.run(&["profile", "zips.csv", "--suggest-mapping", "zips.toml"]).assert_success();
    let mapping: toml::Value = toml::from_str(&wd.read("zips.toml")).unwrap();
    assert_eq!(mapping["fields"]["postal_code"]["transforms"][0].as_str(), Some("zip_code"));

    // ZIP+4 without its dash gets the transform too, which writes the dash.
    let mut csv = String::from("Last,First,Zip\n");
    for (row, zip) in ["432151234", "43215", "021181234", "43017", "43215", "43215"].iter().enumerate() {
        csv.push_str(&format!("Doe{row},Jane,{zip}\n"));
    }
    wd.write("zips9.csv", &csv);
    wd.run(&["profile", "zips9.csv", "--suggest-mapping", "zips9.toml"]).assert_success();
    let text = wd.read("zips9.toml");
    assert!(text.contains("ZIP+4 written without its dash"), "{text}");
    let mapping: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(mapping["fields"]["postal_code"]["transforms"][0].as_str(), Some("zip_code"));
}

#[test]
fn a_footer_past_the_last_header_column_does_not_stop_the_profile() {
    let wd = Workdir::from_fixture("bad");
    wd.write("spilled-footer.csv", "Last,First\nDoe,Jane\n,,Total 3\n");
    let json = wd.run(&["profile", "spilled-footer.csv", "--json"]).assert_success().json();
    assert_eq!(json["rows_with_wrong_field_count"], 1);
    assert_eq!(json["footer_rows"], serde_json::json!([]));
}

#[test]
fn the_suggested_mapping_reads_the_file_as_the_profile_did() {
    let wd = Workdir::from_fixture("bad");
    wd.write("no-header.csv", "Doe,Jane,01/02/1980\nRoe,Rick,03/04/1981\n");
    wd.run(&["profile", "no-header.csv", "--no-header", "--delimiter", ",", "--suggest-mapping", "m.toml"])
        .assert_success();
    let mapping: toml::Value = toml::from_str(&wd.read("m.toml")).unwrap();
    assert_eq!(mapping["read"]["header"].as_bool(), Some(false));
    assert_eq!(mapping["read"]["delimiter"].as_str(), Some(","));
    // Columns named by position suggest no field: a person adds them.
    let completed = format!(
        "{}\n[fields.family_name]\ncolumn = \"1\"\n\n[fields.given_name]\ncolumn = \"2\"\n\n\
         [fields.birth_date]\ncolumn = \"3\"\ndate_formats = [\"%m/%d/%Y\"]\n",
        wd.read("m.toml")
    );
    wd.write("m.toml", &completed);
    let args = ["dedupe", "--mapping", "m.toml", "no-header.csv", "--out", "out", "--json"];
    let summary = wd.run(&args).assert_success().json();
    assert_eq!(summary["sources"][0]["rows_read"], 2, "the suggested mapping reads both lines as data");
}

#[test]
fn a_whole_name_column_is_suggested_as_split_name_and_the_suggestion_runs() {
    let wd = Workdir::from_fixture("names");
    std::fs::remove_file(wd.path("mappings/patients.toml")).unwrap();
    // One name in ten without its comma: no form fits cleanly, and the
    // column is left for a person rather than filed under one name part.
    wd.run(&["profile", "patients.csv", "--suggest-mapping", "doubtful.toml"]).assert_success();
    let doubtful = wd.read("doubtful.toml");
    assert!(!doubtful.contains("split_name") && doubtful.contains("#   \"Patient Name\" (text"), "{doubtful}");

    let csv: String = wd
        .read("patients.csv")
        .lines()
        .filter(|line| !line.starts_with("1004,"))
        .map(|line| format!("{line}\n"))
        .collect();
    wd.write("patients.csv", &csv);
    let run = wd.run(&["profile", "patients.csv", "--suggest-mapping", "mappings/patients.toml"]);
    run.assert_success();
    assert!(!run.stdout.contains("GARCIA") && !run.stderr.contains("GARCIA"), "{}", run.stdout);
    let text = wd.read("mappings/patients.toml");
    let mapping: toml::Value = toml::from_str(&text).unwrap();
    for field in ["title", "family_name", "given_name", "middle_name", "suffix"] {
        assert_eq!(column_of(&mapping, field).as_deref(), Some("Patient Name"), "{field}\n{text}");
        assert_eq!(mapping["fields"][field]["split_name"].as_str(), Some("last_first"), "{field}\n{text}");
    }
    assert_eq!(column_of(&mapping, "marital_status").as_deref(), Some("Marital Status"), "{text}");
    assert_eq!(column_of(&mapping, "death_date").as_deref(), Some("Date of Death"), "{text}");
    assert!(text.contains("# The built-in table reads S, M, D, W and the words, not \"X\"."), "{text}");
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let by_code = &summary["sources"][0]["rejected_by_code"];
    assert_eq!(by_code["E-CODE-UNKNOWN"], 1, "the code `X` the comment names: {summary}");
    assert!(by_code.get("E-NAME-UNSPLITTABLE").is_none(), "{summary}");
}
