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
fn a_footer_shorter_than_the_header_is_skipped_by_its_rule_not_rejected() {
    let csv = format!(
        "{HEADER}E1;Doe;Jane;01.02.1980;2;1 Elm St;Columbus;OH;43215;6145550100\r\n\
         END OF REPORT\r\nE2;Roe;Rick;03.04.1981;1\r\n"
    );
    let wd = demo_with_old_emr(&csv);
    let mapping = wd.read("mappings/old_emr_patients.toml");
    wd.write(
        "mappings/old_emr_patients.toml",
        &format!("{mapping}\n[[skip_when]]\ncolumn = \"PatientID\"\nstarts_with = \"END \"\n"),
    );
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let source = &summary["sources"][1];
    assert_eq!(source["skipped_by_reason"]["skip_when `PatientID` starts with \"END \""], 1, "{source}");
    // A short row the rule does not name is still rejected.
    assert_eq!(source["rejected_by_code"]["E-ROW-FIELD-COUNT"], 1, "{source}");
}

#[test]
fn separate_name_columns_give_up_their_titles_and_suffixes() {
    let csv = format!(
        "{HEADER}E1;SMITH JR;Dr John A;01.02.1980;1;1 Elm St;Columbus;OH;43215;6145550100\r\n\
         E2;Roe, III;Rick;03.04.1981;1;2 Oak Ave;Dublin;OH;43017;6145550101\r\n"
    );
    let wd = demo_with_old_emr(&csv);
    let mapping = wd
        .read("mappings/old_emr_patients.toml")
        .replace(
            "[fields.family_name]\ncolumn = \"Surname\"",
            "[fields.family_name]\ncolumn = \"Surname\"\nsplit_name = \"family\"",
        )
        .replace(
            "[fields.given_name]\ncolumn = \"GivenNames\"",
            "[fields.given_name]\ncolumn = \"GivenNames\"\nsplit_name = \"given\"",
        );
    let parts = "[fields.suffix]\ncolumn = \"Surname\"\nsplit_name = \"family\"\n\
                 [fields.title]\ncolumn = \"GivenNames\"\nsplit_name = \"given\"\n\
                 [fields.middle_name]\ncolumn = \"GivenNames\"\nsplit_name = \"given\"\n";
    wd.write("mappings/old_emr_patients.toml", &format!("{mapping}\n{parts}"));
    wd.run(&["run", "migration.toml", "--out", "out", "--db", "emr.sqlite"]).assert_success();
    let conn = wd.db("emr.sqlite");
    let names: Vec<String> = conn
        .prepare(
            "SELECT family_name || '|' || given_name || '|' || ifnull(middle_name, '') || '|' || ifnull(suffix, '') \
             || '|' || ifnull(title, '') FROM patients WHERE family_name IN ('SMITH', 'Roe') ORDER BY family_name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names, ["Roe|Rick||III|", "SMITH|John|A|Jr|Dr"]);
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

#[test]
fn a_file_without_a_header_is_mapped_by_column_position() {
    let wd = Workdir::from_fixture("bad");
    wd.write("no-header.csv", "Doe,Jane,01/02/1980,2134\nRoe,Rick,03/04/1981,43215\nLee,Ann,07/08/1983\n");
    wd.write(
        "by-position.toml",
        "entity = \"patient\"\n\n[read]\nheader = false\n\n[fields.family_name]\ncolumn = \"1\"\n\n\
         [fields.given_name]\ncolumn = \"2\"\n\n[fields.birth_date]\ncolumn = \"3\"\ndate_formats = [\"%m/%d/%Y\"]\n\n\
         [fields.postal_code]\ncolumn = \"4\"\ntransforms = [\"zip_code\"]\n",
    );
    let args = ["dedupe", "--mapping", "by-position.toml", "no-header.csv", "--out", "out", "--json"];
    let summary = wd.run(&args).assert_success().json();
    let source = &summary["sources"][0];
    assert_eq!(source["rows_read"], 3, "the first line is data: {source}");
    assert_eq!(source["header_row"], 0);
    assert_eq!(source["rejected_by_code"]["E-ROW-FIELD-COUNT"], 1, "line 3 is a field short");
    let rejected = wd.read("out/rejected.csv");
    assert!(rejected.contains("row 3"), "{rejected}");
}

#[test]
fn a_sheet_is_chosen_by_name_or_position() {
    let wd = Workdir::from_fixture("demo");
    let by_position = wd.run(&["profile", "demographics.xlsx", "--sheet", "1", "--json"]).assert_success().json();
    assert_eq!(by_position["format"]["sheet"], "Patients");
    let mapping = wd.read("mappings/demographics.toml").replace("sheet = \"Patients\"", "sheet = 1");
    wd.write("mappings/demographics.toml", &mapping);
    let summary = wd.run(&["validate", "migration.toml", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][0]["sheet"], "Patients");
    let missing = wd.run(&["profile", "demographics.xlsx", "--sheet", "2"]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("there is no sheet `2`; the sheets are `Patients`"), "{}", missing.stderr);
}

#[test]
fn workbooks_in_the_1904_date_system_and_with_merged_cells_load_as_they_read() {
    let wd = Workdir::from_fixture("odd");
    wd.write(
        "migration.toml",
        "[project]\nname = \"Odd workbooks\"\n\n[target]\ndatabase = \"emr.sqlite\"\nmrn_prefix = \"ODD\"\n\n\
         [[source]]\nname = \"mac\"\nfile = \"dates-1904.xlsx\"\nmapping = \"mapping.toml\"\n\n\
         [[source]]\nname = \"merged\"\nfile = \"merged-cells.xlsx\"\nmapping = \"mapping.toml\"\n",
    );
    let summary = wd.run(&["run", "migration.toml", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][1]["header_row"], 2, "the merged title is not the header");
    let db = wd.db("emr.sqlite");
    let patients: Vec<(String, String, String)> = db
        .prepare("SELECT family_name, given_name, birth_date FROM patients ORDER BY birth_date")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [
        ("Roe", "Rick", "1957-09-27"),
        ("Garcia", "Maria", "1975-05-09"),
        ("Garcia", "Jose", "1977-01-02"),
        ("Doe", "Jane", "1980-03-04"),
        ("Lee", "Ann", "1983-07-08"),
        ("Lee", "Ann", "2001-12-31"),
        ("Garcia", "Lucia", "2008-06-30"),
    ];
    let patients: Vec<(&str, &str, &str)> =
        patients.iter().map(|(family, given, birth)| (family.as_str(), given.as_str(), birth.as_str())).collect();
    assert_eq!(patients, expected);
}

#[test]
fn every_encoding_delimiter_and_workbook_format_in_the_odd_fixtures_reads_and_loads() {
    let wd = Workdir::from_fixture("odd");
    let files = [
        ("utf8-bom.csv", "encoding", "UTF-8"),
        ("utf16-bom.csv", "encoding", "UTF-16LE"),
        ("latin1-tabs.tsv", "delimiter", "\t"),
        ("quoted-newline.txt", "delimiter", "|"),
        ("opendocument.ods", "sheet", "Patients"),
        ("macros.xlsm", "sheet", "Patients"),
        ("two-sheets.xlsx", "sheet", "Patients"),
    ];
    let mut project = String::from(
        "[project]\nname = \"Odd exports\"\n\n[target]\ndatabase = \"emr.sqlite\"\nmrn_prefix = \"ODD\"\n",
    );
    for (index, (file, _, _)) in files.iter().enumerate() {
        project
            .push_str(&format!("\n[[source]]\nname = \"s{index}\"\nfile = \"{file}\"\nmapping = \"mapping.toml\"\n"));
    }
    wd.write("migration.toml", &project);
    let summary = wd.run(&["run", "migration.toml", "--json"]).assert_success().json();
    for (index, (file, key, value)) in files.iter().enumerate() {
        let source = &summary["sources"][index];
        assert_eq!(source[*key], *value, "{file}: {source}");
        assert_eq!(source["rejected"], 0, "{file}: {source}");
    }
    assert_eq!(summary["sources"][3]["rows_read"], 2, "the quoted line break is inside one field");
    assert_eq!(summary["sources"][6]["other_sheets"], serde_json::json!(["Cover", "Notes"]));
    let db = wd.db("emr.sqlite");
    let names: Vec<String> = db
        .prepare("SELECT family_name || ' ' || given_name FROM patients ORDER BY 1")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for expected in ["Zoë Åsa", "Müller Jürgen", "O'Brien Seán", "Doe Jane", "Roe Rick"] {
        assert!(names.iter().any(|name| name == expected), "{expected} in {names:?}");
    }
}

#[test]
fn phones_are_loaded_as_e164_and_a_bad_one_is_flagged() {
    let wd = Workdir::from_fixture("bad");
    wd.write(
        "phones.csv",
        "Last,First,DOB,Phone\nDoe,Jane,01/02/1980,(614) 555-0100\nRoe,Rick,03/04/1981,+44 20 7946 0958\nLee,Ann,07/08/1983,ask son\n",
    );
    wd.write(
        "phones.toml",
        "entity = \"patient\"\n[fields.family_name]\ncolumn = \"Last\"\n[fields.given_name]\ncolumn = \"First\"\n\
         [fields.birth_date]\ncolumn = \"DOB\"\ndate_formats = [\"%m/%d/%Y\"]\n\
         [fields.phone]\ncolumn = \"Phone\"\nphone_country = \"US\"\n",
    );
    wd.write(
        "migration.toml",
        "[project]\nname = \"Phones\"\n[target]\ndatabase = \"emr.sqlite\"\nmrn_prefix = \"P\"\n\
         [[source]]\nname = \"pm\"\nfile = \"phones.csv\"\nmapping = \"phones.toml\"\n",
    );
    let summary = wd.run(&["run", "migration.toml", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][0]["warnings_by_code"]["W-PHONE-INVALID"], 1);
    let db = wd.db("emr.sqlite");
    let phones: Vec<String> = db
        .prepare("SELECT phone FROM patients ORDER BY family_name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(phones, ["+16145550100", "ask son", "+442079460958"]);
}
