//! Broken exports (fixtures/bad): each gives a clear error naming the file
//! (and the line, where there is one), or a counted rejection of the row
//! that does not fit, and never a panic.

use crate::common::{Run, Workdir};

/// `profile` reads a file exactly as a run does, without a mapping.
fn profile(wd: &Workdir, file: &str, extra: &[&str]) -> Run {
    let mut args = vec!["profile", file];
    args.extend_from_slice(extra);
    wd.run(&args)
}

fn assert_clear_error(run: &Run, file: &str, expected: &str) {
    assert!(matches!(run.code, Some(1) | Some(2)), "{file}: exit {:?}\n{}", run.code, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{file}: {}", run.stderr);
    assert!(run.stderr.contains(file), "{file} is named: {}", run.stderr);
    assert!(run.stderr.contains(expected), "{file}: expected `{expected}` in\n{}", run.stderr);
}

#[test]
fn each_unreadable_file_is_a_clear_error_naming_it() {
    let wd = Workdir::from_fixture("bad");
    let cases: [(&str, &[&str], &str); 8] = [
        ("nul-byte.csv", &[], "contains NUL bytes"),
        ("utf16-no-bom.csv", &[], "encoding = \"utf-16le\""),
        ("bad-utf8.csv", &["--encoding", "utf-8"], "line 3: the text is not valid UTF-8"),
        ("pdf-renamed.csv", &[], "this is a PDF, not a text file"),
        ("workbook-renamed.csv", &[], "this is a ZIP archive"),
        ("corrupt.xlsx", &[], "cannot read the workbook"),
        ("password-protected.xlsx", &[], "the workbook is password-protected (encrypted)"),
        ("empty.csv", &[], "the file holds no header row"),
    ];
    for (file, extra, expected) in cases {
        assert_clear_error(&profile(&wd, file, extra), file, expected);
    }
    // Detected rather than declared, the same bytes are Windows-1252.
    let detected = profile(&wd, "bad-utf8.csv", &["--json"]).assert_success().json();
    assert_eq!(detected["format"]["encoding"], "windows-1252");
}

#[test]
fn a_nul_byte_past_the_sniffed_start_stops_the_read_at_its_line() {
    let wd = Workdir::from_fixture("bad");
    let mut text = String::from("Last,First,DOB\n");
    for row in 0..5_000 {
        text.push_str(&format!("Doe{row},Jane,01/02/1980\n"));
    }
    text.push_str("Roe,Ri\0ck,03/04/1981\n");
    wd.write("late-nul.csv", &text);
    assert_clear_error(&profile(&wd, "late-nul.csv", &[]), "late-nul.csv", "line 5002: a NUL byte");
}

#[test]
fn an_unclosed_quote_over_a_large_file_stops_reading_instead_of_filling_memory() {
    let wd = Workdir::from_fixture("bad");
    let mut text = String::from("Last,First,DOB\nDoe,Jane,01/02/1980\n\"Roe,Rick,03/04/1981\n");
    let line = "Lee,Ann,07/08/1983\n";
    text.push_str(&line.repeat((17 << 20) / line.len()));
    wd.write("runaway.csv", &text);
    assert_clear_error(&profile(&wd, "runaway.csv", &[]), "runaway.csv", "after line 2 runs past 16 MiB");
}

#[test]
fn rows_that_do_not_fit_the_header_are_rejected_with_both_counts_and_the_rest_load() {
    let wd = Workdir::from_fixture("bad");
    let args = [
        "dedupe",
        "--mapping",
        "mapping.toml",
        "wrong-field-count.csv",
        "unclosed-quote.csv",
        "--out",
        "out",
        "--json",
    ];
    let summary = wd.run(&args).assert_success().json();
    let sources = summary["sources"].as_array().unwrap();
    assert_eq!((sources[0]["rows_read"].as_u64(), sources[0]["loaded"].as_u64()), (Some(4), Some(2)));
    assert_eq!(sources[0]["rejected_by_code"]["E-ROW-FIELD-COUNT"], 2);
    assert_eq!(sources[1]["rejected_by_code"]["E-ROW-FIELD-COUNT"], 1, "the row the quote swallowed");
    let rejected = wd.read("out/rejected.csv");
    for expected in ["row 3", "(2 fields where the header has 3)", "row 4", "(4 fields where the header has 3)"] {
        assert!(rejected.contains(expected), "{expected} in\n{rejected}");
    }
}
