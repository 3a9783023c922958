//! synth: rehearsal practices of any size, with ground truth.
//!
//! Writes a complete migration project in the shape of `fixtures/demo`: a
//! practice-management export (xlsx or csv), an old EMR's export
//! (Windows-1252, semicolons), a scanning vendor's index with its PDFs, the
//! mapping files and migration.toml, so `emr-migrate run` works at once. The
//! people are invented (`population`), recorded with realistic mistakes
//! (`corrupt`) in the sources that hold them (`practice`), and `truth.csv`
//! says for every row who it really is and what should become of it.
//!
//! The same seed and size give byte-identical files. synth depends on no
//! other stage: it writes what the other stages read.

mod corrupt;
mod names;
mod pdf;
mod population;
mod practice;
pub(crate) mod rng;
mod write;

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use names::{ascii, windows_1252};
pub use pdf::tiny_pdf;

/// Which generator wrote a practice. Bumped whenever the same seed and size
/// stop giving the same people or rows, so that benchmarks write the
/// practices they keep again rather than measure an older generator's.
/// 2: siblings have names of their own and are born apart, unless twins.
pub const GENERATOR_VERSION: u32 = 2;

use names::NamePool;
use population::Population;
use practice::Practice;
use rng::Rng;

/// The format of the practice-management export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xlsx,
    Csv,
}

#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub patients: usize,
    pub seed: u64,
    pub format: Format,
    pub out: PathBuf,
    /// Write the scanned PDFs (off for very large practices).
    pub files: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{}: the folder is not empty\n\nhint: synth writes a whole project; give it a new or empty folder", path.display())]
    NotEmpty { path: PathBuf },
    #[error(
        "an xlsx sheet holds at most {limit} patient rows (Excel's row limit, less the title, header and footer rows), and this practice's export has {rows}\n\nhint: use `--format csv` for a practice this size"
    )]
    TooManyRowsForXlsx { rows: usize, limit: usize },
    #[error("--patients must be at least 1")]
    NoPatients,
    #[error("{}: cannot write", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SynthError {
    fn write(path: &Path, source: std::io::Error) -> SynthError {
        SynthError::Write { path: path.to_path_buf(), source }
    }

    /// Whether the user's request itself cannot be met (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, SynthError::NotEmpty { .. } | SynthError::TooManyRowsForXlsx { .. } | SynthError::NoPatients)
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct SynthSummary {
    pub out: String,
    pub seed: u64,
    pub people: usize,
    /// People with only a paper chart, on top of `people`.
    pub paper_only_people: usize,
    pub sources: Vec<SourceSummary>,
    pub scanned_files: usize,
    pub planted_invalid_rows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub name: &'static str,
    pub file: &'static str,
    pub rows: usize,
}

pub fn generate(options: &SynthOptions, printer: &crate::output::Printer) -> Result<SynthSummary, SynthError> {
    if options.patients == 0 {
        return Err(SynthError::NoPatients);
    }
    check_empty(&options.out)?;
    let mut rng = Rng::new(options.seed);
    let names = NamePool::new();
    let mut practice_rng = rng.fork(1);
    let practice = Practice::plan(options.patients, options.files, &mut practice_rng);
    if options.format == Format::Xlsx && practice.pm.len() + 3 > write::XLSX_MAX_ROWS {
        return Err(SynthError::TooManyRowsForXlsx { rows: practice.pm.len(), limit: write::XLSX_MAX_ROWS - 3 });
    }
    let population = Population::generate(options.patients + practice.orphans, &names, &mut rng.fork(2));

    std::fs::create_dir_all(options.out.join("mappings")).map_err(|error| SynthError::write(&options.out, error))?;
    let total = practice.pm.len() + practice.old_emr.len() + practice.documents.len();
    let progress = printer.progress(Some(total as u64), "synth");
    let truth_path = options.out.join(write::TRUTH);
    let mut truth = csv::Writer::from_writer(BufWriter::new(write::create(&truth_path)?));
    truth
        .write_record(["source", "file", "sheet", "row", "person_id", "household_id", "kin", "expected", "note"])
        .map_err(|error| SynthError::write(&truth_path, error.into()))?;
    let mut writer = write::Writer {
        out: &options.out,
        names: &names,
        people: &population.people,
        rng: rng.fork(3),
        truth,
        progress: &progress,
        orphan_count: practice.orphans,
    };
    let pm_file = match options.format {
        Format::Xlsx => {
            writer.pm_xlsx(&practice.pm)?;
            write::PM_XLSX
        }
        Format::Csv => {
            writer.pm_csv(&practice.pm)?;
            write::PM_CSV
        }
    };
    writer.old_emr(&practice.old_emr)?;
    let scanned_files = writer.scans(&practice.documents, options.files)?;
    writer.truth.flush().map_err(|error| SynthError::write(&truth_path, error))?;
    progress.finish_and_clear();
    write_project(options, pm_file)?;

    let invalid = practice.pm.iter().chain(&practice.old_emr).filter(|row| row.invalid.is_some()).count()
        + practice.documents.iter().filter(|document| document.invalid.is_some()).count();
    Ok(SynthSummary {
        out: options.out.display().to_string(),
        seed: options.seed,
        people: options.patients,
        paper_only_people: practice.orphans,
        sources: vec![
            SourceSummary { name: "pm", file: pm_file, rows: practice.pm.len() },
            SourceSummary { name: "old_emr", file: write::OLD_EMR, rows: practice.old_emr.len() },
            SourceSummary { name: "scans", file: write::SCAN_INDEX, rows: practice.documents.len() },
        ],
        scanned_files,
        planted_invalid_rows: invalid,
    })
}

fn check_empty(out: &Path) -> Result<(), SynthError> {
    let has_entries = std::fs::read_dir(out).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if has_entries { Err(SynthError::NotEmpty { path: out.to_path_buf() }) } else { Ok(()) }
}

fn write_project(options: &SynthOptions, pm_file: &str) -> Result<(), SynthError> {
    let files = [
        ("migration.toml".to_string(), migration_toml(options, pm_file)),
        ("mappings/pm_patients.toml".to_string(), pm_mapping(options.format)),
        ("mappings/old_emr_patients.toml".to_string(), OLD_EMR_MAPPING.to_string()),
        ("mappings/scan_index.toml".to_string(), scan_mapping(options.files)),
    ];
    for (name, text) in files {
        let path = options.out.join(name);
        std::fs::write(&path, text).map_err(|error| SynthError::write(&path, error))?;
    }
    Ok(())
}

fn migration_toml(options: &SynthOptions, pm_file: &str) -> String {
    format!(
        "# A synthetic practice written by `emr-migrate synth --patients {patients} --seed {seed} --format {format}{no_files}`.\n\
         # Every person is invented. truth.csv holds the right answers; `run` never reads it.\n\n\
         [project]\nname = \"Synthetic practice ({patients} patients, seed {seed})\"\n\n\
         [target]\ndatabase = \"emr.sqlite\"\nmrn_prefix = \"SYN\"\nmrn_digits = 8\n\n\
         [matching]\nauto_link = 0.95\nreview = 0.50\n\n\
         [[source]]\nname = \"pm\"\nfile = \"{pm_file}\"\nmapping = \"mappings/pm_patients.toml\"\n\n\
         [[source]]\nname = \"old_emr\"\nfile = \"{old_emr}\"\nmapping = \"mappings/old_emr_patients.toml\"\n\n\
         [[source]]\nname = \"scans\"\nfile = \"{scans}\"\nmapping = \"mappings/scan_index.toml\"\n",
        patients = options.patients,
        seed = options.seed,
        format = match options.format {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        },
        no_files = if options.files { "" } else { " --no-files" },
        old_emr = write::OLD_EMR,
        scans = write::SCAN_INDEX,
    )
}

fn pm_mapping(format: Format) -> String {
    let read = match format {
        Format::Xlsx => {
            "[read]\nsheet = \"Patients\"\n\n[[skip_when]]\ncolumn = \"Pt Last Name\"\nstarts_with = \"Total patients\"\n\n"
        }
        Format::Csv => "",
    };
    format!("# The practice-management export.\nentity = \"patient\"\n\n{read}{PM_FIELDS}")
}

const PM_FIELDS: &str = r#"[fields.family_name]
column = "Pt Last Name"

[fields.given_name]
column = "First"

[fields.middle_name]
column = "MI"

[fields.suffix]
column = "Sfx"

[fields.birth_date]
column = "DOB"
date_formats = ["%m/%d/%Y"]

[fields.sex]
column = "Sex"
codes = { M = "male", F = "female", U = "unknown" }

[fields.national_id]
column = "SSN"

[fields.address_line1]
column = "Addr1"

[fields.city]
column = "City"

[fields.state]
column = "St"

[fields.postal_code]
column = "Zip"

[fields.phone]
column = "Home Phone"
transforms = ["digits_only"]

[[identifiers]]
column = "Chart #"
system = "pm-chart"
"#;

const OLD_EMR_MAPPING: &str = r#"# The old EMR's export: Windows-1252, semicolons, DD.MM.YYYY, sex 1/2/9.
entity = "patient"

[fields.family_name]
column = "Surname"

[fields.given_name]
column = "GivenNames"

[fields.birth_date]
column = "BirthDate"
date_formats = ["%d.%m.%Y"]

[fields.sex]
column = "Gender"
codes = { 1 = "male", 2 = "female", 9 = "unknown" }

[fields.national_id]
column = "SSN"

[fields.address_line1]
column = "Street"

[fields.city]
column = "Town"

[fields.state]
column = "State"

[fields.postal_code]
column = "PostCode"

[fields.phone]
column = "Phone"
transforms = ["digits_only"]

[[identifiers]]
column = "PatientID"
system = "old-emr"
"#;

fn scan_mapping(files: bool) -> String {
    let check = if files {
        ""
    } else {
        "# Written with --no-files: the scanned files do not exist, so they are not\n\
         # looked for (documents load without a checksum or page count).\ncheck_files = false\n"
    };
    format!(
        "# The scanning vendor's index: one line per document, pipe-delimited.\nentity = \"document\"\n\n\
         [read]\ndelimiter = \"|\"\nscan_root = \"scans\"\n{check}\n{SCAN_FIELDS}"
    )
}

const SCAN_FIELDS: &str = r#"[fields.family_name]
column = "LAST"
transforms = ["title_case"]

[fields.given_name]
column = "FIRST"
transforms = ["title_case"]

[fields.birth_date]
column = "DOB"
date_formats = ["%m/%d/%Y"]

[fields.document_type]
column = "DOC_TYPE"
codes = { LAB = "lab_report", CONS = "consult_note", RAD = "imaging_report", HP = "history_and_physical", CORR = "correspondence", IMM = "immunization_record", OPN = "operative_note", DSUM = "discharge_summary" }

[fields.document_date]
column = "DOC_DATE"
date_formats = ["%m/%d/%Y"]

[fields.page_count]
column = "PAGES"

[fields.file_path]
column = "FILE"

[fields.scan_batch]
column = "BATCH"

[[identifiers]]
column = "CHART_NO"
system = "pm-chart"
"#;

/// Every rate of the model, by name, for docs/synth.md (a test checks the
/// page lists each with its value).
pub fn rates() -> Vec<(&'static str, f64)> {
    use corrupt::rates as record;
    use population::rates as people;
    use practice::rates as sources;
    vec![
        ("SINGLE", people::SINGLE),
        ("COUPLE", people::COUPLE),
        ("FAMILY", people::FAMILY),
        ("SPOUSE_TAKES_SURNAME", people::SPOUSE_TAKES_SURNAME),
        ("TWINS_IN_FAMILY", people::TWINS_IN_FAMILY),
        ("TWINS_NEAR_IDENTICAL_NAMES", people::TWINS_NEAR_IDENTICAL_NAMES),
        ("SON_NAMED_FOR_FATHER", people::SON_NAMED_FOR_FATHER),
        ("NO_NATIONAL_ID", people::NO_NATIONAL_ID),
        ("PLACEHOLDER_NATIONAL_ID", people::PLACEHOLDER_NATIONAL_ID),
        ("MIDDLE_INITIAL", people::MIDDLE_INITIAL),
        ("MOVED", people::MOVED),
        ("APARTMENT", people::APARTMENT),
        ("IN_PM", sources::IN_PM),
        ("IN_OLD_EMR", sources::IN_OLD_EMR),
        ("REGISTERED_TWICE_PM", sources::REGISTERED_TWICE_PM),
        ("REGISTERED_TWICE_OLD_EMR", sources::REGISTERED_TWICE_OLD_EMR),
        ("HAS_PAPER_CHART", sources::HAS_PAPER_CHART),
        ("CHART_NUMBER_BLANK", sources::CHART_NUMBER_BLANK),
        ("INVALID_ROW", sources::INVALID_ROW),
        ("ORPHAN_CHART", sources::ORPHAN_CHART),
        ("FILE_MISSING", sources::FILE_MISSING),
        ("FAMILY_TYPO", record::FAMILY_TYPO),
        ("GIVEN_TYPO", record::GIVEN_TYPO),
        ("NICKNAME", record::NICKNAME),
        ("NAMES_SWAPPED", record::NAMES_SWAPPED),
        ("MAIDEN_NAME", record::MAIDEN_NAME),
        ("DAY_MONTH_SWAPPED", record::DAY_MONTH_SWAPPED),
        ("BIRTH_DIGIT_WRONG", record::BIRTH_DIGIT_WRONG),
        ("NATIONAL_ID_DIGIT_WRONG", record::NATIONAL_ID_DIGIT_WRONG),
        ("NATIONAL_ID_MISSING", record::NATIONAL_ID_MISSING),
        ("MIDDLE_INITIAL_MISSING", record::MIDDLE_INITIAL_MISSING),
        ("SEX_MISSING", record::SEX_MISSING),
        ("PHONE_MISSING", record::PHONE_MISSING),
        ("ADDRESS_MISSING", record::ADDRESS_MISSING),
        ("PREVIOUS_ADDRESS", record::PREVIOUS_ADDRESS),
        ("STREET_TYPE_ABBREVIATED", record::STREET_TYPE_ABBREVIATED),
        ("SUFFIX_RECORDED", record::SUFFIX_RECORDED),
    ]
}

/// A rate as docs/synth.md writes it: `3%`, `0.5%`.
pub fn percent(rate: f64) -> String {
    let percent = (rate * 100_000.0).round() / 1000.0;
    format!("{percent}%")
}
