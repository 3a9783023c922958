//! Command-line definitions (clap derive) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Move a practice's legacy records into an EMR database, accounting for
/// every source row.
#[derive(Debug, Parser)]
#[command(name = "emr-migrate", version, propagate_version = true)]
#[command(after_long_help = "Examples:\n  emr-migrate validate fixtures/demo/migration.toml --out report\n  \
                             emr-migrate run fixtures/demo/migration.toml --db emr.sqlite --out report\n\n\
                             Exit codes: 0 success, 1 runtime failure, 2 usage, configuration or mapping file error, \
                             3 the data failed a gate (--max-reject-rate, --fail-on).")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print no progress or narrative on stderr (errors and warnings still show)
    #[arg(long, short, global = true, env = "EMR_MIGRATE_QUIET")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the project and its mapping files against the sources' headers, reading no rows
    #[command(after_long_help = "Examples:\n  emr-migrate check migration.toml\n  \
                                 emr-migrate check migration.toml --json\n\n\
                                 Every mistake in every mapping file is reported at once, with its file, line, \
                                 column and the nearest valid name (exit 2). A clean project prints, per source, \
                                 what was detected, the fields mapped and the columns nothing reads.")]
    Check(CheckArgs),

    /// Dry-run the whole migration and write the reports; the database is not touched
    #[command(after_long_help = "Examples:\n  emr-migrate validate migration.toml\n  \
                                 emr-migrate validate migration.toml --out report --json")]
    Validate(PipelineArgs),

    /// Load the migration into the EMR database as one batch, in one transaction
    #[command(after_long_help = "Examples:\n  emr-migrate run migration.toml\n  \
                                 emr-migrate run migration.toml --db /srv/emr/emr.sqlite --out batch-1 --json\n\n\
                                 Rows loaded by an earlier batch are skipped, so running twice adds nothing.")]
    Run(PipelineArgs),

    /// Undo the latest batch: remove everything it added to the database
    #[command(after_long_help = "Examples:\n  emr-migrate rollback --db emr.sqlite 3")]
    Rollback(RollbackArgs),

    /// Write a synthetic rehearsal practice of any size, with its ground truth
    #[command(after_long_help = "Examples:\n  emr-migrate synth --patients 10000 --out rehearsal\n  \
                                 emr-migrate synth --patients 1000000 --format csv --no-files --seed 7 --out big\n\n\
                                 The same seed and size always give the same files. docs/synth.md describes the people \
                                 and the mistakes planted in their records.")]
    Synth(SynthArgs),

    /// Find the duplicate patients, without loading: clusters, links and the review queue
    #[command(after_long_help = "Examples:\n  emr-migrate dedupe migration.toml --out dedupe\n  \
                                 emr-migrate dedupe --mapping mappings/febrl.toml dataset4a.csv dataset4b.csv --out febrl\n  \
                                 emr-migrate dedupe migration.toml --decisions dedupe/review.csv --out dedupe-2\n\n\
                                 Writes clusters.csv (rows with one cluster_id are one person), pairs.csv (the links), \
                                 review.csv (pairs for a person to decide), rejected.csv, report.html and report.json.")]
    Dedupe(DedupeArgs),

    /// Show how matching scored one pair of source rows, field by field
    #[command(after_long_help = "Examples:\n  emr-migrate explain migration.toml pm:51 scans:7083\n  \
                                 emr-migrate explain migration.toml pm:51 old_emr:493 --show-phi\n\n\
                                 A row is SOURCE:ROW, the source's name in migration.toml and the row number \
                                 as the reports give it (review.csv, rejected.csv, clusters.csv).")]
    Explain(ExplainArgs),

    /// Show what an export holds, column by column, before writing its mapping
    #[command(after_long_help = "Examples:\n  emr-migrate profile exports/patients.csv\n  \
                                 emr-migrate profile demographics.xlsx --sheet Patients --out profile\n  \
                                 emr-migrate profile patients.csv --suggest-mapping mappings/patients.toml\n\n\
                                 For each column: its type, blanks, distinct values, lengths, date formats (and \
                                 dates ambiguous between day-first and month-first), value patterns and common \
                                 values. A value held by fewer than 5 rows is never shown; columns that look like \
                                 patient data are masked unless --show-phi.")]
    Profile(ProfileArgs),

    /// Measure a run against a practice's ground truth (truth.csv)
    #[command(after_long_help = "Examples:\n  emr-migrate validate rehearsal/migration.toml --out report\n  \
                                 emr-migrate evaluate --truth rehearsal/truth.csv --clusters report/clusters.csv\n  \
                                 emr-migrate evaluate --person-from-id 'rec-(\\d+)-' --clusters febrl/clusters.csv")]
    Evaluate(EvaluateArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Path to migration.toml
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub project: PathBuf,

    /// Print what was checked as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The export: delimited text (CSV, TSV, semicolon, pipe) or a workbook
    /// (xlsx, xlsm, xlsb, xls, ods)
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,

    /// Worksheet name or position (1 is the first); default: the first sheet that holds data
    #[arg(long)]
    pub sheet: Option<String>,

    /// The row that holds the column names, as a person numbers rows; default: detected
    #[arg(long)]
    pub header_row: Option<u64>,

    /// The file has no header row: columns are named 1, 2, ...; with --header-row, data starts on that row
    #[arg(long)]
    pub no_header: bool,

    /// Text encoding (utf-8, windows-1252, utf-16le, ...); default: detected
    #[arg(long)]
    pub encoding: Option<String>,

    /// Field delimiter of a text file; default: sniffed
    #[arg(long)]
    pub delimiter: Option<char>,

    /// Read the file as this mapping's [read] table says (fixed-width columns, sheet, header row, ...);
    /// the options above override it
    #[arg(long, value_name = "MAPPING", value_hint = clap::ValueHint::FilePath)]
    pub mapping: Option<PathBuf>,

    /// Also write profile.html and profile.json into this folder (owner-only)
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub out: Option<PathBuf>,

    /// Write a starting mapping file here, from the columns' headers and values
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub suggest_mapping: Option<PathBuf>,

    /// Show the common values of columns that look like patient data unmasked
    #[arg(long)]
    pub show_phi: bool,

    /// A column whose values are never shown, masked or not (repeat for more)
    #[arg(long, value_name = "COLUMN")]
    pub never_show: Vec<String>,

    /// Print the profile as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// How many people the practice has
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50_000_000))]
    pub patients: u32,

    /// Seed of the random choices
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Format of the practice-management export
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: crate::synth::Format,

    /// Write the scan index only, not its PDF files (for very large practices)
    #[arg(long)]
    pub no_files: bool,

    /// Folder to write the practice into (new or empty)
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub out: PathBuf,

    /// Print what was written as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("truth_from").required(true).args(["truth", "person_from_id"]))]
pub struct EvaluateArgs {
    /// The practice's truth.csv
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub truth: Option<PathBuf>,

    /// Take each row's person from its legacy id instead: the first group of
    /// this regular expression (FEBRL: 'rec-(\d+)-')
    #[arg(long, value_name = "REGEX")]
    pub person_from_id: Option<String>,

    /// clusters.csv from the run's report folder
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub clusters: PathBuf,

    /// rejected.csv from the run; default: beside the clusters file
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub rejected: Option<PathBuf>,

    /// Print the measures as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Exit with code 3 (and, for `run`, load nothing) when more than this share of the rows read
    /// (skipped rows left out) is rejected: 0.02 or 2%
    #[arg(long, value_name = "RATE", value_parser = crate::gate::parse_rate)]
    pub max_reject_rate: Option<f64>,

    /// Exit with code 3 (and, for `run`, load nothing) when any row is rejected (`error`), or also
    /// when any loaded row has a warning (`warning`)
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::gate::FailOn>,

    /// Path to migration.toml
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub project: PathBuf,

    /// The EMR database (SQLite); default: `database` in migration.toml
    #[arg(long, env = "EMR_MIGRATE_DB", value_hint = clap::ValueHint::FilePath)]
    pub db: Option<PathBuf>,

    /// Folder for the reports; default: `report` beside migration.toml
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub out: Option<PathBuf>,

    /// Print the summary as JSON on stdout (the report.json document)
    #[arg(long)]
    pub json: bool,

    /// Show names, birth dates and identifiers unmasked in report.html
    #[arg(long)]
    pub show_phi: bool,

    /// A review.csv whose `decision` column a person filled in (match / distinct);
    /// `run` records the decisions in the database for every later run
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub decisions: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// migration.toml; or, with --mapping, the export files (each one a source)
    #[arg(required = true, value_hint = clap::ValueHint::FilePath)]
    pub inputs: Vec<PathBuf>,

    /// Map every file given with this mapping file, without a migration.toml
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub mapping: Option<PathBuf>,

    /// The EMR database whose patients are matched against; default: `database` in migration.toml
    /// (none with --mapping)
    #[arg(long, env = "EMR_MIGRATE_DB", value_hint = clap::ValueHint::FilePath)]
    pub db: Option<PathBuf>,

    /// Folder for the results; default: `dedupe` beside migration.toml (required with --mapping)
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub out: Option<PathBuf>,

    /// A review.csv whose `decision` column a person filled in (match / distinct)
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub decisions: Option<PathBuf>,

    /// Match as if no record had a national identifier
    #[arg(long)]
    pub ignore_national_id: bool,

    /// Print the summary as JSON on stdout (the report.json document)
    #[arg(long)]
    pub json: bool,

    /// Show names, birth dates and identifiers unmasked in report.html
    #[arg(long)]
    pub show_phi: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Path to migration.toml
    #[arg(value_hint = clap::ValueHint::FilePath)]
    pub project: PathBuf,

    /// The first row, as SOURCE:ROW
    pub a: String,

    /// The second row, as SOURCE:ROW
    pub b: String,

    /// The EMR database whose patients are matched against; default: `database` in migration.toml
    #[arg(long, env = "EMR_MIGRATE_DB", value_hint = clap::ValueHint::FilePath)]
    pub db: Option<PathBuf>,

    /// A review.csv whose `decision` column a person filled in (match / distinct),
    /// applied as `validate` would, with those recorded in the database
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub decisions: Option<PathBuf>,

    /// Show both rows' compared values (names, birth dates, identifiers)
    #[arg(long)]
    pub show_phi: bool,

    /// Match as `dedupe` does: every row the mapping could read takes part, even one a load
    /// would reject (for a pair of dedupe's review.csv); default: as `validate` and `run` do
    #[arg(long)]
    pub dedupe: bool,

    /// Leave national identifiers out of matching, as `dedupe --ignore-national-id` does
    #[arg(long)]
    pub ignore_national_id: bool,

    /// Print the explanation as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The batch to undo (the latest committed one)
    pub batch: i64,

    /// The EMR database (SQLite)
    #[arg(long, env = "EMR_MIGRATE_DB", value_hint = clap::ValueHint::FilePath)]
    pub db: PathBuf,

    /// Print what was removed as JSON on stdout
    #[arg(long)]
    pub json: bool,
}
