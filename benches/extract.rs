//! The extraction benchmark: a million-row export read by emr-migrate's
//! reader (encoding detection and decoding, delimiter sniffing, line
//! numbers, cells) against the csv crate parsing the same file raw, in one
//! run, so the ratio is what to read.
//!
//!   cargo bench --bench extract                  # 1,000,000 rows, 5 runs
//!   ROWS=100000 RUNS=3 cargo bench --bench extract
//!   WORK=/big/disk cargo bench --bench extract   # files are kept there and reused
//!
//! The files are a synthetic practice's two exports (`emr-migrate synth`):
//! the practice-management one (UTF-8, commas) and the old EMR's
//! (Windows-1252, semicolons), their rows repeated up to ROWS. Peak memory
//! is the resident high-water mark while reading (Linux), which stays flat
//! as files grow: compare ROWS=100000 with the default.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use emr_migrate::extract::{self, ReadOptions};

fn main() {
    let rows: usize = std::env::var("ROWS").ok().map_or(1_000_000, |rows| rows.parse().expect("ROWS is a number"));
    let runs: usize = std::env::var("RUNS").ok().map_or(5, |runs| runs.parse().expect("RUNS is a number"));
    let work =
        std::env::var_os("WORK").map_or_else(|| std::env::temp_dir().join("emr-migrate-extract-bench"), PathBuf::from);
    std::fs::create_dir_all(&work).expect("the work folder can be created");
    let practice = work.join("practice-400000");
    if !common::practice_is_current(&practice) {
        synth(&practice);
        common::mark_generated(&practice);
    }
    println!(
        "| file | rows | MB | csv crate, byte records (s) | csv crate, text records (s) | emr-migrate reader (s) | reader / text records | peak memory, reader |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (export, delimiter, utf8) in [("pm_patients.csv", b',', true), ("old_emr_patients.csv", b';', false)] {
        let file = work.join(format!("{rows}-{export}"));
        if !file.exists() {
            repeat_rows(&practice.join(export), &file, rows);
        }
        bench(&file, delimiter, utf8, rows, runs);
    }
}

fn synth(practice: &Path) {
    eprintln!("writing a synthetic practice into {}", practice.display());
    let status = Command::new(env!("CARGO_BIN_EXE_emr-migrate"))
        .args(["synth", "--patients", "400000", "--format", "csv", "--no-files", "--seed", "1", "--quiet", "--out"])
        .arg(practice)
        .status()
        .expect("emr-migrate synth runs");
    assert!(status.success(), "synth failed");
}

/// The export's header, then its lines over and over until `rows` rows.
/// Lines are copied as bytes: the encoding stays the export's own.
fn repeat_rows(export: &Path, to: &Path, rows: usize) {
    let mut lines = BufReader::new(File::open(export).expect("the export opens")).split(b'\n');
    let header = lines.next().expect("a header").expect("readable");
    let body: Vec<Vec<u8>> = lines.map(|line| line.expect("readable")).filter(|line| !line.is_empty()).collect();
    let mut out = BufWriter::new(File::create(to).expect("the work file can be written"));
    out.write_all(&header).and_then(|()| out.write_all(b"\n")).expect("written");
    for line in body.iter().cycle().take(rows) {
        out.write_all(line).and_then(|()| out.write_all(b"\n")).expect("written");
    }
    out.flush().expect("written");
}

fn bench(file: &Path, delimiter: u8, utf8: bool, rows: usize, runs: usize) {
    let byte_records = median(runs, || {
        let mut reader = csv::ReaderBuilder::new().flexible(true).delimiter(delimiter).from_path(file).expect("opens");
        let mut record = csv::ByteRecord::new();
        let mut count = 0;
        while reader.read_byte_record(&mut record).expect("parses") {
            count += 1;
        }
        count
    });
    // Text, as a mapping needs it: UTF-8 string records, or for a
    // Windows-1252 file (which string records refuse) each field decoded.
    let string_records = median(runs, || {
        let mut reader = csv::ReaderBuilder::new().flexible(true).delimiter(delimiter).from_path(file).expect("opens");
        let mut count = 0;
        if utf8 {
            let mut record = csv::StringRecord::new();
            while reader.read_record(&mut record).expect("parses") {
                count += usize::from(!record.is_empty());
            }
        } else {
            let mut record = csv::ByteRecord::new();
            while reader.read_byte_record(&mut record).expect("parses") {
                let text: usize = record.iter().map(|field| encoding_rs::WINDOWS_1252.decode(field).0.len()).sum();
                count += usize::from(text > 0 || !record.is_empty());
            }
        }
        count
    });
    common::reset_peak_memory();
    let ours = median(runs, || {
        let display = file.display().to_string();
        let reader = extract::open(file, "bench", &display, &ReadOptions::default()).expect("opens");
        reader.map(|row| row.expect("reads")).filter(|row| !row.cells.is_empty()).count()
    });
    let peak = common::peak_memory_mb();
    assert_eq!(ours.1, rows, "the reader yields every row");
    let megabytes = std::fs::metadata(file).map_or(0.0, |meta| meta.len() as f64 / 1e6);
    println!(
        "| {} | {rows} | {megabytes:.0} | {:.2} | {:.2} | {:.2} | {:.2}x | {peak:.0} MB |",
        file.file_name().and_then(|name| name.to_str()).unwrap_or("?"),
        byte_records.0,
        string_records.0,
        ours.0,
        ours.0 / string_records.0,
    );
}

/// The median seconds of `runs` runs, and what the last run counted.
fn median(runs: usize, mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut seconds = Vec::with_capacity(runs);
    let mut counted = 0;
    for _ in 0..runs {
        let started = Instant::now();
        counted = run();
        seconds.push(started.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    (seconds[seconds.len() / 2], counted)
}
