//! Scan indexes against the scan folder, as a user meets them: files no
//! line names, lines that name one file twice, and TIFF scans' pages.

use crate::common::{Workdir, count};
use serde_json::json;

/// The demo's scan index with `edit` applied to each data line's fields.
fn edit_index(wd: &Workdir, mut edit: impl FnMut(&mut [String])) {
    let index = wd.read("scan_index.txt");
    let mut lines = index.lines();
    let header = lines.next().unwrap().to_string();
    let mut edited = vec![header];
    for line in lines {
        let mut fields: Vec<String> = line.split('|').map(str::to_string).collect();
        edit(&mut fields);
        edited.push(fields.join("|"));
    }
    wd.write("scan_index.txt", &format!("{}\r\n", edited.join("\r\n")));
}

/// A classic little-endian TIFF of `pages` directories (no image data: the
/// page count reads only the directory chain).
fn tiff(pages: u32) -> Vec<u8> {
    let mut bytes = b"II*\0".to_vec();
    bytes.extend(8u32.to_le_bytes());
    for page in 0..pages {
        bytes.extend(1u16.to_le_bytes());
        bytes.extend(254u16.to_le_bytes());
        bytes.extend(4u16.to_le_bytes());
        bytes.extend(1u32.to_le_bytes());
        bytes.extend(2u32.to_le_bytes());
        let next = if page + 1 == pages { 0 } else { bytes.len() as u32 + 4 };
        bytes.extend(next.to_le_bytes());
    }
    bytes
}

#[test]
fn a_file_no_index_line_names_is_counted_and_listed_in_orphans_csv() {
    let wd = Workdir::from_fixture("demo");
    std::fs::write(wd.path("scans/B002/Smith_John_misfiled.pdf"), b"%PDF-1.4\n").unwrap();
    std::fs::create_dir_all(wd.path("scans/B004")).unwrap();
    std::fs::write(wd.path("scans/B004/0200.pdf"), b"%PDF-1.4\n").unwrap();
    // Left by a Mac and by Windows Explorer: not scans.
    std::fs::write(wd.path("scans/.DS_Store"), b"junk").unwrap();
    std::fs::write(wd.path("scans/B001/Thumbs.db"), b"junk").unwrap();

    let run = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]);
    let summary = run.assert_success().json();
    assert_eq!(summary["sources"][0]["scan_root"], json!(null), "not a scan index");
    assert_eq!(
        summary["sources"][2]["scan_root"],
        json!({"orphan_files": 2, "ignored_files": 2, "unreadable_folders": 0, "listed_under": null})
    );
    assert!(summary["files"].as_array().unwrap().contains(&json!("orphans.csv")));
    assert_eq!(
        wd.read("out/orphans.csv"),
        "source,kind,path\nscans,file,B002/Smith_John_misfiled.pdf\nscans,file,B004/0200.pdf\n"
    );
    // A file name can be a patient's name: counts on the terminal and in
    // report.json, paths only in the owner-only orphans.csv.
    assert!(!run.stdout.contains("Smith") && !run.stderr.contains("Smith"));
    assert!(!wd.read("out/report.json").contains("Smith"));
    assert!(!wd.read("out/report.html").contains("Smith"), "masked unless --show-phi");
    #[cfg(unix)]
    assert_eq!(crate::common::mode(&wd.path("out/orphans.csv")), 0o600);

    let text = wd.run(&["validate", "migration.toml", "--out", "out"]);
    assert!(
        text.assert_success().stdout.contains("files in the scan folder of `scans` that no index line names: 2"),
        "{}",
        text.stdout
    );
    wd.run(&["validate", "migration.toml", "--out", "shown", "--show-phi"]).assert_success();
    assert!(wd.read("shown/report.html").contains("B002/Smith_John_misfiled.pdf"));
}

#[test]
fn the_demo_names_every_file_of_its_scan_folder() {
    let wd = Workdir::from_fixture("demo");
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][2]["scan_root"]["orphan_files"], 0);
    assert_eq!(wd.read("out/orphans.csv"), "source,kind,path\n");
}

#[test]
fn files_loaded_by_an_earlier_batch_are_not_orphans_on_a_rerun() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "out1"]).assert_success();
    let summary = wd.run(&["run", "migration.toml", "--out", "out2", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][2]["skipped_by_reason"]["already_loaded"], 128);
    assert_eq!(summary["sources"][2]["scan_root"]["orphan_files"], 0);
}

#[test]
fn without_check_files_the_scan_folder_is_not_walked() {
    let wd = Workdir::from_fixture("demo");
    std::fs::write(wd.path("scans/B001/stray.pdf"), b"%PDF-1.4\n").unwrap();
    let mapping = wd.read("mappings/scan_index.toml").replace("[read]\n", "[read]\ncheck_files = false\n");
    wd.write("mappings/scan_index.toml", &mapping);
    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(summary["sources"][2]["scan_root"], json!(null));
    assert_eq!(wd.read("out/orphans.csv"), "source,kind,path\n");
}

#[test]
fn a_second_line_naming_the_same_file_is_rejected_and_the_document_loaded_once() {
    let wd = Workdir::from_fixture("demo");
    // Line 3 names B001\0002.pdf; a re-keyed copy names it as B001/./0002.pdf.
    let index = wd.read("scan_index.txt");
    let line3 = index.lines().nth(2).unwrap().to_string();
    assert!(line3.ends_with("B001\\0002.pdf"), "{line3}");
    wd.write("scan_index.txt", &format!("{}{}\r\n", index, line3.replace("B001\\0002.pdf", "B001/./0002.pdf")));

    let summary = wd.run(&["run", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let scans = &summary["sources"][2];
    assert_eq!(scans["rows_read"], 130);
    assert_eq!(scans["rejected_by_code"], json!({"E-SCAN-DUPLICATE-FILE": 1, "E-SCAN-FILE-MISSING": 1}));
    assert_eq!(scans["loaded"], 128);
    assert_eq!(summary["reconciled"], true);
    let conn = wd.db("emr.sqlite");
    assert_eq!(count(&conn, "SELECT count(*) FROM documents"), 128);
    assert_eq!(count(&conn, "SELECT count(*) FROM documents WHERE path LIKE '%0002.pdf'"), 1);

    let rejected = wd.read("out/rejected.csv");
    let line = rejected.lines().find(|line| line.contains("E-SCAN-DUPLICATE-FILE")).unwrap();
    assert!(line.contains("scan_index.txt, row 131, field `file_path`"), "{line}");
    assert!(line.contains("first named at scan_index.txt, row 3"), "{line}");
    let issue = summary["issues"].as_array().unwrap().iter().find(|issue| issue["code"] == "E-SCAN-DUPLICATE-FILE");
    assert_eq!(issue.unwrap()["examples"][0]["row"], 131);
}

/// Rows are read in batches of a few thousand, worked out in parallel, and
/// settled in order: what depends on the rows before (the count of
/// identical lines in a fingerprint, the line that named a file first) must
/// hold across batches as within one.
#[test]
fn identical_lines_far_apart_keep_distinct_fingerprints_and_the_first_line_keeps_the_file() {
    let wd = Workdir::from_fixture("demo");
    let index = wd.read("scan_index.txt");
    let line3 = index.lines().nth(2).unwrap().to_string();
    let copies = 9_000;
    wd.write("scan_index.txt", &format!("{index}{}", format!("{line3}\r\n").repeat(copies)));

    let summary = wd.run(&["run", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let scans = &summary["sources"][2];
    assert_eq!(scans["rows_read"], 129 + copies);
    assert_eq!(scans["rejected_by_code"]["E-SCAN-DUPLICATE-FILE"], copies);
    assert_eq!(summary["reconciled"], true);
    // `run` keeps records, `dedupe` matches every mapped row: both read alike.
    wd.run(&["dedupe", "migration.toml", "--out", "dedupe"]).assert_success();
    for rejected in [wd.read("out/rejected.csv"), wd.read("dedupe/rejected.csv")] {
        let duplicates: Vec<&str> = rejected.lines().filter(|line| line.contains("E-SCAN-DUPLICATE-FILE")).collect();
        assert_eq!(duplicates.len(), copies);
        assert!(duplicates.iter().all(|line| line.contains("first named at scan_index.txt, row 3")));
    }
    let conn = wd.db("emr.sqlite");
    let fingerprints = "SELECT count(DISTINCT fingerprint) FROM source_rows WHERE source_name = 'scans'";
    assert_eq!(count(&conn, fingerprints), 129 + copies as i64);

    // Read again: the first line is already loaded, and still holds the file.
    let again = wd.run(&["run", "migration.toml", "--out", "out2", "--json"]).assert_success().json();
    assert_eq!(again["sources"][2]["skipped_by_reason"]["already_loaded"], 128);
    assert_eq!(again["sources"][2]["rejected_by_code"]["E-SCAN-DUPLICATE-FILE"], copies);
}

#[test]
fn a_document_dated_before_its_patients_birth_is_flagged_once() {
    let wd = Workdir::from_fixture("demo");
    edit_index(&wd, |fields| match fields[8].as_str() {
        // No birth date on the line: only the linked patient (Lucas Martin,
        // chart 10041, born 1957) can tell the date is impossible.
        "B001\\0001.pdf" => {
            fields[4].clear();
            fields[6] = "03/15/1950".to_string();
        }
        // Its own line's birth date catches this one first.
        "B001\\0002.pdf" => fields[6] = "03/15/1950".to_string(),
        _ => {}
    });

    let summary = wd.run(&["validate", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    let warnings = &summary["sources"][2]["warnings_by_code"];
    assert_eq!(warnings["W-DOCUMENT-BEFORE-PATIENT-BIRTH"], json!(1), "{warnings}");
    assert_eq!(warnings["W-DOCUMENT-BEFORE-BIRTH"], json!(1), "{warnings}");
    let flagged = summary["issues"].as_array().unwrap().iter().find(|i| i["code"] == "W-DOCUMENT-BEFORE-PATIENT-BIRTH");
    assert_eq!(flagged.unwrap()["examples"][0]["row"], 2);
}

#[test]
fn a_later_batchs_document_is_checked_against_the_stored_patients_birth() {
    let wd = Workdir::from_fixture("demo");
    wd.run(&["run", "migration.toml", "--out", "first"]).assert_success();
    // A scan found later, for Lucas Martin (chart 10041, born 1957), now a
    // patient of the database, dated before he was born.
    std::fs::copy(wd.path("scans/B001/0001.pdf"), wd.path("scans/B001/late.pdf")).unwrap();
    let index = wd.read("scan_index.txt");
    wd.write("scan_index.txt", &format!("{index}B009|10041|MARTIN|LUCAS||CONS|03/15/1950|1|B001\\late.pdf\r\n"));
    let summary = wd.run(&["validate", "migration.toml", "--out", "second", "--json"]).assert_success().json();
    let warnings = &summary["sources"][2]["warnings_by_code"];
    assert_eq!(warnings["W-DOCUMENT-BEFORE-PATIENT-BIRTH"], json!(1), "{summary}");
}

#[test]
fn a_tiff_scan_has_its_pages_counted_and_compared_with_the_index() {
    let wd = Workdir::from_fixture("demo");
    // Two scans come as TIFFs: one with the pages the index says (3), one
    // with more than the index says (3 where it says 1).
    std::fs::write(wd.path("scans/B001/0001.tif"), tiff(3)).unwrap();
    std::fs::write(wd.path("scans/B001/0002.tif"), tiff(3)).unwrap();
    std::fs::remove_file(wd.path("scans/B001/0001.pdf")).unwrap();
    std::fs::remove_file(wd.path("scans/B001/0002.pdf")).unwrap();
    edit_index(&wd, |fields| {
        let (pages, tiff) = match fields[8].as_str() {
            "B001\\0001.pdf" => ("1", "B001\\0001.tif"),
            "B001\\0002.pdf" => ("3", "B001\\0002.tif"),
            _ => return,
        };
        assert_eq!(fields[7], pages);
        fields[8] = tiff.to_string();
    });

    let summary = wd.run(&["run", "migration.toml", "--out", "out", "--json"]).assert_success().json();
    assert_eq!(
        summary["sources"][2]["warnings_by_code"],
        json!({"W-DOCUMENT-UNLINKED": 1, "W-SCAN-PAGE-COUNT-MISMATCH": 2})
    );
    let mismatches = summary["issues"].as_array().unwrap().iter().find(|i| i["code"] == "W-SCAN-PAGE-COUNT-MISMATCH");
    let rows: Vec<u64> =
        mismatches.unwrap()["examples"].as_array().unwrap().iter().map(|e| e["row"].as_u64().unwrap()).collect();
    assert!(rows.contains(&2) && !rows.contains(&3), "{rows:?}");
    let conn = wd.db("emr.sqlite");
    assert_eq!(count(&conn, "SELECT count(*) FROM documents WHERE path LIKE '%.tif' AND page_count = 3"), 2);
}

/// The demo's pipe-delimited scan index rewritten at fixed column positions,
/// with a header line, and the `[read]` columns that describe it.
fn fixed_width_index(wd: &Workdir) -> (String, String) {
    let text = wd.read("scan_index.txt");
    let rows: Vec<Vec<&str>> = text.lines().map(|line| line.split('|').collect()).collect();
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|column| rows.iter().map(|row| row[column].len()).max().unwrap() + 2).collect();
    let mut fixed = String::new();
    for row in &rows {
        for (cell, width) in row.iter().zip(&widths) {
            fixed.push_str(&format!("{cell:<width$}"));
        }
        fixed.push_str("\r\n");
    }
    let mut start = 1;
    let mut columns = Vec::new();
    for (name, width) in rows[0].iter().zip(&widths) {
        columns.push(format!("{{ name = \"{name}\", start = {start}, width = {} }}", width - 2));
        start += width;
    }
    (fixed, format!("format = \"fixed\"\nheader_row = 1\ncolumns = [\n    {},\n]\n", columns.join(",\n    ")))
}

#[test]
fn a_fixed_width_scan_index_loads_as_its_delimited_twin_does() {
    let wd = Workdir::from_fixture("demo");
    let delimited = wd.run(&["validate", "migration.toml", "--json"]).assert_success().json();
    let (fixed, read) = fixed_width_index(&wd);
    wd.write("scan_index_fixed.txt", &fixed);
    let mapping = wd.read("mappings/scan_index.toml").replace("delimiter = \"|\"\n", &read);
    wd.write("mappings/scan_index_fixed.toml", &mapping);
    let project = wd
        .read("migration.toml")
        .replace("file = \"scan_index.txt\"", "file = \"scan_index_fixed.txt\"")
        .replace("mapping = \"mappings/scan_index.toml\"", "mapping = \"mappings/scan_index_fixed.toml\"");
    wd.write("migration.toml", &project);
    let summary = wd.run(&["validate", "migration.toml", "--json"]).assert_success().json();
    let (before, after) = (&delimited["sources"][2], &summary["sources"][2]);
    for count in ["rows_read", "loaded", "rejected", "rejected_by_code", "warnings_by_code"] {
        assert!(!before[count].is_null(), "{count}");
        assert_eq!(before[count], after[count], "{count}:\n{before}\n{after}");
    }
    assert_eq!(after["delimiter"], serde_json::Value::Null);
    // profile reads it through the mapping's layout.
    let args = ["profile", "scan_index_fixed.txt", "--mapping", "mappings/scan_index_fixed.toml", "--json"];
    let profile = wd.run(&args).assert_success().json();
    assert_eq!(profile["rows"], 129);
    assert_eq!(profile["columns"][8]["name"], "FILE");
    assert_eq!(profile["columns"][8]["suggestion"]["target"], "file_path");

    let overlapping = mapping.replace("start = 1, width = 5", "start = 1, width = 12");
    assert_ne!(overlapping, mapping, "BATCH is widened into CHART_NO");
    wd.write("mappings/scan_index_fixed.toml", &overlapping);
    let bad = wd.run(&["validate", "migration.toml"]);
    assert_eq!(bad.code, Some(2), "a bad layout is the mapping's error: {}", bad.stderr);
    assert!(bad.stderr.contains("overlapping"), "{}", bad.stderr);
}

#[test]
fn paths_that_leave_the_scan_folder_are_security_findings_and_never_opened() {
    let wd = Workdir::from_fixture("demo");
    std::fs::write(wd.path("outside.pdf"), b"%PDF-1.4 not a scan of this practice").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(wd.path("outside.pdf"), wd.path("scans/B001/link.pdf")).unwrap();
    let mut index = wd.read("scan_index.txt");
    for path in ["..\\outside.pdf", "/etc/hostname", "B001\\link.pdf"] {
        index.push_str(&format!("B001|10041|MARTIN|LUCAS|09/27/1957|CONS|07/06/1977|1|{path}\n"));
    }
    wd.write("scan_index.txt", &index);
    let run = wd.run(&["validate", "migration.toml", "--out", "out"]);
    run.assert_success();
    let findings = if cfg!(unix) { 3 } else { 2 };
    assert!(run.stdout.contains(&format!("SECURITY: {findings} scan index line(s)")), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&wd.read("out/report.json")).unwrap();
    assert_eq!(report["security_findings"], findings);
    assert_eq!(report["sources"][2]["rejected_by_code"]["E-SCAN-PATH-ESCAPES"], findings);
    assert!(wd.read("out/report.html").contains("Security:"));
    let rejected = wd.read("out/rejected.csv");
    assert_eq!(rejected.matches("E-SCAN-PATH-ESCAPES").count() as u64, findings, "{rejected}");
}
