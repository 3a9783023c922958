//! extract: legacy files in, a stream of `RawRow`s out.
//!
//! Owns every read of a source file: encodings, delimiters, spreadsheets
//! through calamine, header rows, and the files a scan index points to
//! (`inspect_scanned_file`) or leaves out (`list_unnamed_files`). It does
//! not know what a column means; turning cells into canonical fields is
//! mapping's job, and judging them validate's.
//!
//! A malformed row is not an error here: it is yielded with a `RowDefect`, so
//! the pipeline can reject it with its line number and go on. An `Err` means
//! the file itself cannot be read.

mod cell;
mod delimited;
mod encoding;
mod fixed;
mod scan_file;
mod scan_root;
mod sheet;
mod tiff;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

pub use cell::Cell;
pub use scan_file::{ScannedFile, inspect_scanned_file, named_file};
pub use scan_root::{RootListing, list_unnamed_files};

use crate::source_ref::SourceRef;

/// How to read a source file: the `[read]` table of its mapping file. Every
/// setting is optional; what is left out is detected.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOptions {
    /// `delimited`, `spreadsheet` or `fixed`; by default decided by the file
    /// extension (never `fixed`, which needs `columns`).
    pub format: Option<Format>,
    /// Text encoding label (`utf-8`, `windows-1252`, `utf-16le`, ...). By
    /// default: a byte-order mark decides, else UTF-8 if the file is valid
    /// UTF-8, else Windows-1252.
    pub encoding: Option<String>,
    /// One character; by default sniffed from the first lines.
    pub delimiter: Option<char>,
    /// The character that quotes a field holding delimiters or line breaks:
    /// by default `"`, or `'` when the first lines quote with it.
    pub quote: Option<char>,
    /// Worksheet, by name or by position (1 is the first); by default the
    /// first sheet that holds data.
    pub sheet: Option<SheetChoice>,
    /// The row (as a person numbers it) that holds the column names; by
    /// default the first line of a text file, and for a spreadsheet the first
    /// row that looks like a header, past any title rows.
    pub header_row: Option<u64>,
    /// `false` for a file without a header row: every row is data, and
    /// columns are named by their position (`"1"` is the first).
    pub header: Option<bool>,
    /// For fixed-width text: each column's name and character positions.
    pub columns: Option<Vec<FixedColumn>>,
    /// For a scan index: the folder, relative to the index file, that every
    /// referenced path must stay inside.
    pub scan_root: Option<PathBuf>,
    /// For a scan index: look at every referenced file (default). Off only
    /// for rehearsals without the files: documents then load without a
    /// checksum or page count.
    pub check_files: Option<bool>,
}

/// One column of a fixed-width file: characters `start` to `end` (or
/// `start` and `width`), counted from 1 as a layout specification does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedColumn {
    pub name: String,
    pub start: usize,
    pub end: Option<usize>,
    pub width: Option<usize>,
}

/// A worksheet by name (`sheet = "Patients"`) or position (`sheet = 2`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SheetChoice {
    Position(usize),
    Name(String),
}

/// Column names for a file without a header: each column's position.
fn positional_headers(width: usize) -> Headers {
    Headers::new((1..=width).map(|position| position.to_string()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Delimited,
    Spreadsheet,
    /// Fixed-width text: each column at declared character positions
    /// (`columns` in `[read]`). Never guessed from an extension.
    Fixed,
}

impl Format {
    fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "tsv" | "txt" | "psv" | "dat" | "tab" => Some(Format::Delimited),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Spreadsheet),
            _ => None,
        }
    }
}

/// One row as it stands in the file, with its provenance.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub source: SourceRef,
    pub cells: Vec<Cell>,
    pub defect: Option<RowDefect>,
}

impl RawRow {
    /// A row with no value at all: skipped and counted, never rejected.
    pub fn is_blank(&self) -> bool {
        self.defect.is_none() && self.cells.iter().all(Cell::is_empty)
    }

    pub fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&Cell::Empty)
    }
}

/// Why a row's cells cannot be trusted to line up with the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowDefect {
    FieldCount { expected: usize, found: usize },
}

/// The column names, trimmed, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    names: Vec<String>,
}

impl Headers {
    pub fn new(names: impl IntoIterator<Item = String>) -> Headers {
        Headers { names: names.into_iter().map(|name| name.trim().to_string()).collect() }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// True when some "name" holds a run of three or more digits (a date, a
    /// phone number, an id): the row read as the header is probably a row
    /// of data, and its values must not be echoed in messages, since they
    /// may be patient data.
    pub fn look_like_data(&self) -> bool {
        self.names.iter().any(|name| {
            name.as_bytes().windows(3).any(|window| window.iter().all(u8::is_ascii_digit)) || name.contains('@')
        })
    }

    /// Every position holding this name (more than one means ambiguous).
    pub fn positions(&self, name: &str) -> Vec<usize> {
        let name = name.trim();
        self.names.iter().enumerate().filter(|(_, header)| *header == name).map(|(index, _)| index).collect()
    }
}

/// What detection decided, for the report and for `--verbose` users.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadDetails {
    pub encoding: Option<&'static str>,
    pub delimiter: Option<char>,
    pub quote: Option<char>,
    pub sheet: Option<String>,
    /// Sheets that were not read, so nobody overlooks data left in them.
    pub other_sheets: Vec<String>,
    /// The header's row as a person numbers rows; 0 when the file has none.
    pub header_row: u64,
}

/// A source being read: its header, what detection chose, and the rows.
pub struct SourceReader {
    pub headers: Headers,
    pub details: ReadDetails,
    rows: Box<dyn Iterator<Item = Result<RawRow, ExtractError>> + Send>,
    progress: Arc<ReadProgress>,
}

/// How far through its file a reader is, in whatever unit it knows the
/// total of: bytes of a text file, rows of a sheet. Shared with the rows
/// iterator, which advances it.
#[derive(Debug, Default)]
pub(crate) struct ReadProgress {
    done: std::sync::atomic::AtomicU64,
    total: u64,
    counts_rows: bool,
}

/// What a source holds, as far as its reader knows before reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceSize {
    /// A text file of this many bytes.
    Bytes(u64),
    /// A sheet of this many rows below its header.
    Rows(u64),
    Unknown,
}

impl ReadProgress {
    /// Progress through `total` bytes.
    pub(crate) fn of_bytes(total: u64) -> Arc<ReadProgress> {
        Arc::new(ReadProgress { done: Default::default(), total, counts_rows: false })
    }

    /// Progress through `total` rows.
    pub(crate) fn of_rows(total: u64) -> Arc<ReadProgress> {
        Arc::new(ReadProgress { done: Default::default(), total, counts_rows: true })
    }

    pub(crate) fn advance(&self, by: u64) {
        self.done.fetch_add(by, std::sync::atomic::Ordering::Relaxed);
    }
}

impl SourceReader {
    /// What the share read is counted against: the file's bytes, or the
    /// sheet's rows.
    pub fn size(&self) -> SourceSize {
        match (self.progress.total, self.progress.counts_rows) {
            (0, _) => SourceSize::Unknown,
            (rows, true) => SourceSize::Rows(rows),
            (bytes, false) => SourceSize::Bytes(bytes),
        }
    }

    /// The share of the file read so far (0 to 1), for a progress bar's
    /// estimate of the rows to come; none when the size is unknown.
    pub fn fraction_read(&self) -> Option<f64> {
        let done = self.progress.done.load(std::sync::atomic::Ordering::Relaxed);
        (self.progress.total > 0).then(|| (done as f64 / self.progress.total as f64).min(1.0))
    }
}

impl Iterator for SourceReader {
    type Item = Result<RawRow, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Opens one source file.
///
/// `source_name` and `display_name` go into every `SourceRef`; `display_name`
/// is the file name as migration.toml wrote it, not an absolute path.
pub fn open(
    path: &Path,
    source_name: &str,
    display_name: &str,
    options: &ReadOptions,
) -> Result<SourceReader, ExtractError> {
    let format = match options.format.or_else(|| Format::from_extension(path)) {
        Some(format) => format,
        None => {
            return Err(ExtractError::UnknownFormat { path: path.to_path_buf() });
        }
    };
    let origin = Origin { source: source_name.into(), file: display_name.into(), path: path.to_path_buf() };
    match format {
        Format::Delimited => delimited::open(origin, options),
        Format::Spreadsheet => sheet::open(origin, options),
        Format::Fixed => fixed::open(origin, options),
    }
}

/// Where rows come from; the reader stamps it on every `SourceRef`.
#[derive(Debug, Clone)]
struct Origin {
    source: Arc<str>,
    file: Arc<str>,
    path: PathBuf,
}

impl Origin {
    fn row_ref(&self, sheet: Option<&Arc<str>>, row: u64) -> SourceRef {
        SourceRef { source: self.source.clone(), file: self.file.clone(), sheet: sheet.cloned(), row }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("{}: cannot open the file", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot tell the file's format from its extension\n\nhint: set `format = \"delimited\"` or `format = \"spreadsheet\"` in the mapping's [read] table", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{}: unknown encoding `{label}`\n\nhint: use a WHATWG label such as `utf-8`, `windows-1252`, `iso-8859-1` or `utf-16le`", path.display())]
    UnknownEncoding { path: PathBuf, label: String },
    #[error("{}, line {line}: the text is not valid {encoding}\n\nhint: set `encoding` in the mapping's [read] table (for example `encoding = \"windows-1252\"`)", path.display())]
    Decode { path: PathBuf, line: u64, encoding: &'static str },
    #[error("{}: this does not look like a text file (it contains NUL bytes)\n\nhint: if it is UTF-16 without a byte-order mark, set `encoding = \"utf-16le\"` in the mapping's [read] table", path.display())]
    NotText { path: PathBuf },
    #[error("{}: this is {kind}, not a text file\n\nhint: export the data as CSV, or for a workbook give the file its own extension (.xlsx, .xls, .ods)", path.display())]
    Binary { path: PathBuf, kind: &'static str },
    #[error("{}, line {line}: a NUL byte, which no text export holds\n\nhint: the file is damaged or not text; if it is UTF-16 without a byte-order mark, set `encoding = \"utf-16le\"` in the mapping's [read] table", path.display())]
    NulByte { path: PathBuf, line: u64 },
    #[error("{}: the record after line {line} runs past {} MiB without ending\n\nhint: a quote opened in that record is probably never closed; fix the quoting, or set the right `delimiter`", path.display(), MAX_RECORD_BYTES >> 20)]
    RecordTooLong { path: PathBuf, line: u64 },
    #[error("{}, line {line}: {message}", path.display())]
    Delimited { path: PathBuf, line: u64, message: String },
    #[error("{}: cannot read the workbook: {message}\n\nhint: a workbook that is password-protected or damaged must be re-saved from the spreadsheet program", path.display())]
    Workbook { path: PathBuf, message: String },
    #[error("{}: the workbook is password-protected (encrypted), or an old .xls file with a new name\n\nhint: open it in the spreadsheet program and save a copy without a password, as .xlsx", path.display())]
    Encrypted { path: PathBuf },
    #[error("{}: there is no sheet `{sheet}`; the sheets are {}{}", path.display(), quoted_list(available), nearest.as_ref().map(|n| format!("\n\nhint: did you mean `{n}`?")).unwrap_or_else(|| "\n\nhint: name a sheet, or give its position (1 is the first)".into()))]
    SheetNotFound { path: PathBuf, sheet: String, available: Vec<String>, nearest: Option<String> },
    #[error("{}: no sheet holds any data", path.display())]
    NoSheetWithData { path: PathBuf },
    #[error("{}: the file holds no header row", path.display())]
    NoHeader { path: PathBuf },
    #[error("{}: `header_row = {row}` names no header: {detail}\n\nhint: `header_row` counts rows as a person sees them: the line in a text editor, the row number in Excel", path.display())]
    HeaderRowMissing { path: PathBuf, row: u64, detail: String },
    #[error("{}: the fixed-width layout in [read] `columns` {problem}\n\nhint: each column is {{ name = \"...\", start = N, end = M }} (or `width`), counted in characters from 1, without overlaps", path.display())]
    Layout { path: PathBuf, problem: String },
    #[error("{}: the delimiter `{delimiter}` is not a single ASCII character", path.display())]
    BadDelimiter { path: PathBuf, delimiter: char },
    #[error("{}: the quote `{quote}` is not a single ASCII character", path.display())]
    BadQuote { path: PathBuf, quote: char },
}

/// A record longer than this is a runaway (an unclosed quote swallowing the
/// rest of the file), and reading stops rather than hold the file in memory.
pub const MAX_RECORD_BYTES: usize = 16 << 20;

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_extension_case_insensitively() {
        assert_eq!(Format::from_extension(Path::new("a.CSV")), Some(Format::Delimited));
        assert_eq!(Format::from_extension(Path::new("a.xlsx")), Some(Format::Spreadsheet));
        assert_eq!(Format::from_extension(Path::new("a.pdf")), None);
    }

    #[test]
    fn a_row_of_data_does_not_look_like_a_header() {
        let header = Headers::new(["Pt Last Name", "DOB", "Addr1", "Zip"].map(String::from));
        assert!(!header.look_like_data());
        let data = Headers::new(["Doe", "Jane", "03/04/1975", "43215"].map(String::from));
        assert!(data.look_like_data());
    }

    #[test]
    fn readers_say_how_far_through_their_file_they_are() {
        let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
        std::io::Write::write_all(&mut file, "Last,First\nDoe,Jane\n".repeat(20_000).as_bytes()).unwrap();
        let mut reader = open(file.path(), "s", "f.csv", &ReadOptions::default()).unwrap();
        reader.next().unwrap().unwrap();
        let early = reader.fraction_read().unwrap();
        assert!(early < 0.5, "{early}");
        reader.by_ref().for_each(drop);
        assert_eq!(reader.fraction_read(), Some(1.0));
    }

    #[test]
    fn headers_are_trimmed_and_positions_found() {
        let headers = Headers::new(["DOB ".to_string(), "Phone".into(), " Phone".into()]);
        assert_eq!(headers.positions("DOB"), vec![0]);
        assert_eq!(headers.positions("Phone"), vec![1, 2]);
    }
}
