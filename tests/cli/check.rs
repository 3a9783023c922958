//! `emr-migrate check`: mapping files against the sources' headers, no rows
//! read, every mistake at once.

use crate::common::Workdir;

#[test]
fn a_clean_project_lists_what_each_source_will_read() {
    let wd = Workdir::from_fixture("demo");
    let run = wd.run(&["check", "migration.toml"]);
    run.assert_success();
    for expected in [
        "every mapping matches its source's header",
        "pm (patient, demographics.xlsx mapped by mappings/demographics.toml)",
        "encoding windows-1252; delimiter `;`; header on row 1; 10 columns",
        "scans (document, scan_index.txt",
    ] {
        assert!(run.stdout.contains(expected), "{expected} missing:\n{}", run.stdout);
    }
    let json = wd.run(&["check", "migration.toml", "--json"]).assert_success().json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["sources"][2]["entity"], "document");
    assert!(json["sources"][0]["fields"].as_array().unwrap().iter().any(|field| field == "birth_date"));
}

#[test]
fn columns_no_mapping_reads_are_listed_and_no_row_is_read() {
    let wd = Workdir::from_fixture("demo");
    let csv = wd.read_bytes("old_emr_patients.csv");
    let text = encoding_rs::WINDOWS_1252.decode(&csv).0.into_owned();
    let (header, rows) = text.split_once("\r\n").unwrap();
    // A new column in the header only: every row is now a field short, which
    // a run would reject, and check never sees.
    let changed = format!("{header};Notes\r\n{rows}");
    std::fs::write(wd.path("old_emr_patients.csv"), encoding_rs::WINDOWS_1252.encode(&changed).0).unwrap();
    let run = wd.run(&["check", "migration.toml"]);
    run.assert_success();
    assert!(run.stdout.contains("columns nothing reads: `Notes`"), "{}", run.stdout);
}

#[test]
fn every_mistake_in_every_mapping_is_reported_at_once() {
    let wd = Workdir::from_fixture("demo");
    let pm = wd.read("mappings/demographics.toml").replace("column = \"DOB\"", "column = \"D.O.B.\"");
    wd.write("mappings/demographics.toml", &pm);
    let emr = wd.read("mappings/old_emr_patients.toml").replace("[fields.city]", "[fields.cty]");
    wd.write("mappings/old_emr_patients.toml", &emr);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("demographics.toml:23:10: unknown source column `D.O.B.`"), "{}", run.stderr);
    assert!(run.stderr.contains("old_emr_patients.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `city`?"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing claims success: {}", run.stdout);
}

/// What `check` prints for each kind of mapping mistake, as a user sees it:
/// the file, line and column, the message and the hint. Inline snapshots,
/// so that a change in wording shows in review.
#[test]
fn every_kind_of_mapping_mistake_reads_as_the_golden_output() {
    let wd = Workdir::from_fixture("demo");
    let mapping = wd
        .read("mappings/old_emr_patients.toml")
        .replace("[fields.city]", "[fields.cty]")
        .replace("\"collapse_spaces\"", "\"collapse_space\"")
        .replace("column = \"Surname\"", "column = \"Surnme\"")
        .replace("date_formats = [\"%d.%m.%Y\"]", "date_formats = [\"%d.%m.%Q\"]")
        .replace("2 = \"female\"", "2 = \"femal\"");
    wd.write("mappings/old_emr_patients.toml", &mapping);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!(run.stderr.trim_end(), @r#"
    error: mappings/old_emr_patients.toml:6:10: unknown source column `Surnme`

    hint: the nearest header is `Surname`; headers must match exactly, apart from surrounding spaces

    error: mappings/old_emr_patients.toml:13:17: invalid date format `%d.%m.%Q`

    hint: use strftime directives such as %Y, %m and %d (e.g. "%d.%m.%Y")

    error: mappings/old_emr_patients.toml:17:27: `femal` is not a value of `sex`; use female, male, other or unknown

    hint: did you mean `female`?

    error: mappings/old_emr_patients.toml:21:15: unknown transform `collapse_space`

    hint: did you mean `collapse_spaces`?

    error: mappings/old_emr_patients.toml:23:9: unknown field `cty`

    hint: did you mean `city`?
    "#);

    let misspelt = wd
        .read("mappings/demographics.toml")
        .replace("[fields.family_name]\ncolumn", "[fields.family_name]\ncolum")
        .replace("[fields.state]\ncolumn = \"St\"\ntransforms", "[fields.state]\ncolumn = \"St\"\ntransfroms");
    wd.write("mappings/demographics.toml", &misspelt);
    wd.write("mappings/old_emr_patients.toml", &wd.read("mappings/old_emr_patients.toml").replace("cty", "city"));
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    let demographics: Vec<&str> = run.stderr.lines().filter(|line| line.contains("demographics.toml")).collect();
    insta::assert_snapshot!(demographics.join("\n"), @r#"
    error: mappings/demographics.toml:14:1: unknown field `colum`, expected one of `column`, `columns`, `separator`, `constant`, `transforms`, `regex`, `split_name`, `phone_country`, `century_pivot`, `date_formats`, `codes`, `code_default`
    error: mappings/demographics.toml:40:1: unknown field `transfroms`, expected one of `column`, `columns`, `separator`, `constant`, `transforms`, `regex`, `split_name`, `phone_country`, `century_pivot`, `date_formats`, `codes`, `code_default`
    "#);
}

/// A misspelt `split_name` form, and `split_name` on a field that is no part
/// of a name, as `check` prints them.
#[test]
fn split_name_mistakes_read_as_the_golden_output() {
    let wd = Workdir::from_fixture("names");
    wd.run(&["check", "migration.toml"]).assert_success();
    let mapping = wd
        .read("mappings/patients.toml")
        .replacen("split_name = \"last_first\"", "split_name = \"last_frist\"", 1)
        .replace("[fields.sex]\ncolumn = \"Sex\"", "[fields.sex]\ncolumn = \"Sex\"\nsplit_name = \"last_first\"")
        .replace(
            "[fields.suffix]\ncolumn = \"Patient Name\"\nsplit_name = \"last_first\"",
            "[fields.suffix]\ncolumn = \"Patient Name\"\nsplit_name = \"surname_first\"",
        );
    wd.write("mappings/patients.toml", &mapping);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!(run.stderr.trim_end(), @r"
    error: mappings/patients.toml:7:14: unknown `split_name` form `last_frist`

    hint: did you mean `last_first`?

    error: mappings/patients.toml:25:14: unknown `split_name` form `surname_first`

    hint: use `last_first`, `first_last`, `family` or `given`

    error: mappings/patients.toml:33:14: `split_name` given for `sex`, which is not part of a name

    hint: only `title`, `given_name`, `middle_name`, `family_name` and `suffix` take a part of a whole name
    ");
}

/// Values of the wrong type (a number for a column name, one format where
/// a list is wanted), in a mapping file and in migration.toml: each is
/// reported with its position, all in one run, with the other mistakes.
#[test]
fn values_of_the_wrong_type_are_all_reported_at_once() {
    let wd = Workdir::from_fixture("demo");
    let mapping = wd
        .read("mappings/demographics.toml")
        .replace("[fields.middle_name]\ncolumn = \"MI\"", "[fields.middle_name]\ncolumn = 7")
        .replace("date_formats = [\"%m/%d/%Y\"]", "date_formats = \"%m/%d/%Y\"")
        .replace("transforms = [\"upper\"]", "transforms = [\"uper\"]");
    wd.write("mappings/demographics.toml", &mapping);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!(run.stderr.trim_end(), @r#"
    error: mappings/demographics.toml:20:10: invalid type: integer `7`, expected a string

    error: mappings/demographics.toml:25:16: invalid type: string "%m/%d/%Y", expected a sequence

    error: mappings/demographics.toml:40:15: unknown transform `uper`

    hint: did you mean `upper`?
    "#);

    wd.write(
        "mappings/demographics.toml",
        &wd.read("mappings/demographics.toml").replace("column = 7", "column = \"MI\""),
    );
    let project = wd
        .read("migration.toml")
        .replace("mrn_digits = 7", "mrn_digits = \"seven\"")
        .replace("auto_link = 0.95", "auto_link = \"high\"");
    wd.write("migration.toml", &project);
    let run = wd.run(&["check", "migration.toml"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!(run.stderr.trim_end(), @r#"
    error: migration.toml:11:14: invalid type: string "seven", expected usize

    error: migration.toml:16:13: invalid type: string "high", expected f64
    "#);
}
