//! Delimited text (CSV, TSV, semicolon, pipe) through the csv crate, streamed:
//! the file is decoded to UTF-8 on the fly and one record buffer is reused.

use std::io::Read;
use std::sync::{Arc, Mutex};

use super::encoding::{self, MalformedText};
use super::{
    Cell, ExtractError, Headers, MAX_RECORD_BYTES, Origin, RawRow, ReadDetails, ReadOptions, RowDefect, SourceReader,
    positional_headers,
};

const DELIMITER_CANDIDATES: [char; 4] = [',', ';', '\t', '|'];

type Input = Tap<encoding::TextReader>;

pub(super) fn open(origin: Origin, options: &ReadOptions) -> Result<SourceReader, ExtractError> {
    let text = encoding::open_text(&origin.path, options.encoding.as_deref())?;
    let encoding = text.encoding;
    let delimiter = match options.delimiter {
        Some(delimiter) => delimiter,
        None => sniff_delimiter(&text.sample),
    };
    let delimiter_byte =
        ascii(delimiter).ok_or_else(|| ExtractError::BadDelimiter { path: origin.path.clone(), delimiter })?;
    let quote = options.quote.unwrap_or_else(|| sniff_quote(&text.sample, delimiter));
    let quote_byte = ascii(quote).ok_or_else(|| ExtractError::BadQuote { path: origin.path.clone(), quote })?;

    let window = Arc::new(Mutex::new(Window::default()));
    let progress = text.progress;
    let input = Tap { inner: text.reader, window: window.clone() };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_byte)
        .quote(quote_byte)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    let header_line = find_header(&mut csv, &mut record, &window, options.header_row, &origin)?;
    let headerless = options.header == Some(false);
    let headers =
        if headerless { positional_headers(record.len()) } else { Headers::new(record.iter().map(str::to_string)) };
    let details = ReadDetails {
        encoding: Some(encoding.name()),
        delimiter: Some(delimiter),
        quote: Some(quote),
        sheet: None,
        other_sheets: Vec::new(),
        header_row: if headerless { 0 } else { header_line },
    };
    let mut rows = DelimitedRows { width: headers.len(), csv, record, window, origin, failed: false, pending: None };
    if headerless {
        // The record read as a header is the first row of data.
        rows.pending = Some(rows.current_row());
    }
    Ok(SourceReader { headers, details, rows: Box::new(rows), progress })
}

/// Reads records up to the header: the first record, or the record starting
/// on the line the mapping names (title lines above it are passed over).
fn find_header(
    csv: &mut csv::Reader<Input>,
    record: &mut csv::StringRecord,
    window: &Mutex<Window>,
    header_row: Option<u64>,
    origin: &Origin,
) -> Result<u64, ExtractError> {
    loop {
        let more = csv.read_record(record).map_err(|error| convert_error(error, origin))?;
        if !more {
            return Err(match header_row {
                Some(row) => ExtractError::HeaderRowMissing {
                    path: origin.path.clone(),
                    row,
                    detail: "the file ends before it".to_string(),
                },
                None => ExtractError::NoHeader { path: origin.path.clone() },
            });
        }
        let line = record_line(record, window);
        match header_row {
            None => return Ok(line),
            Some(row) if line == row => return Ok(line),
            Some(row) if line > row => {
                return Err(ExtractError::HeaderRowMissing {
                    path: origin.path.clone(),
                    row,
                    detail: format!("no record starts on that line (the next starts on line {line})"),
                });
            }
            Some(_) => {}
        }
    }
}

/// The line where the record's first field starts. The csv crate skips
/// blank lines silently and reports a record as starting where the blank
/// lines did; the bytes in the window tell how many lines were skipped.
fn record_line(record: &csv::StringRecord, window: &Mutex<Window>) -> u64 {
    let Some(position) = record.position() else {
        return 0;
    };
    let window = window.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    position.line() + window.newlines_in_blank_run(position.byte())
}

/// The text the csv reader has taken from the decoder but not yet passed,
/// kept so record positions can be corrected. Trimmed as rows go by, so it
/// holds little more than the csv reader's own buffer.
#[derive(Default)]
struct Window {
    /// Absolute offset of `bytes[0]` in the decoded text.
    base: u64,
    bytes: Vec<u8>,
    /// Where the last record returned ended: its line, and its byte offset.
    last_line: u64,
    last_end: u64,
}

/// Returned inside an `io::Error` by `Tap` when one record grows past
/// `MAX_RECORD_BYTES`.
#[derive(Debug)]
struct RunawayRecord {
    after_line: u64,
}

impl std::fmt::Display for RunawayRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a record after line {} longer than {MAX_RECORD_BYTES} bytes", self.after_line)
    }
}

impl std::error::Error for RunawayRecord {}

/// Trimming copies what is left; doing it at most once per megabyte read
/// keeps that cost negligible.
const WINDOW_SLACK: u64 = 1 << 20;

impl Window {
    /// `\n`s in the run of line breaks starting at `offset`.
    fn newlines_in_blank_run(&self, offset: u64) -> u64 {
        let Some(start) = offset.checked_sub(self.base) else {
            return 0;
        };
        let run = self.bytes.iter().skip(start as usize).take_while(|byte| matches!(byte, b'\r' | b'\n'));
        run.filter(|byte| **byte == b'\n').count() as u64
    }

    fn release_before(&mut self, offset: u64) {
        if offset > self.base + WINDOW_SLACK {
            let drop = ((offset - self.base) as usize).min(self.bytes.len());
            self.bytes.drain(..drop);
            self.base += drop as u64;
        }
    }
}

/// Copies what the csv reader reads into the window, and stops a record
/// that grows past `MAX_RECORD_BYTES` (an unclosed quote).
struct Tap<R> {
    inner: R,
    window: Arc<Mutex<Window>>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        let mut window = self.window.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        window.bytes.extend_from_slice(&buf[..read]);
        let pending = (window.base + window.bytes.len() as u64).saturating_sub(window.last_end);
        if pending > MAX_RECORD_BYTES as u64 {
            let after_line = window.last_line;
            return Err(std::io::Error::other(RunawayRecord { after_line }));
        }
        Ok(read)
    }
}

fn convert_error(error: csv::Error, origin: &Origin) -> ExtractError {
    let line = error.position().map_or(0, csv::Position::line);
    if let csv::ErrorKind::Io(io_error) = error.kind()
        && let Some(malformed) = io_error.get_ref().and_then(|inner| inner.downcast_ref::<MalformedText>())
    {
        return ExtractError::Decode { path: origin.path.clone(), line: malformed.line, encoding: malformed.encoding };
    }
    if let csv::ErrorKind::Io(io_error) = error.kind()
        && let Some(runaway) = io_error.get_ref().and_then(|inner| inner.downcast_ref::<RunawayRecord>())
    {
        return ExtractError::RecordTooLong { path: origin.path.clone(), line: runaway.after_line };
    }
    ExtractError::Delimited { path: origin.path.clone(), line, message: error.to_string() }
}

struct DelimitedRows {
    csv: csv::Reader<Input>,
    record: csv::StringRecord,
    window: Arc<Mutex<Window>>,
    origin: Origin,
    width: usize,
    failed: bool,
    /// A row read before iteration began (the first row of a file without
    /// a header).
    pending: Option<RawRow>,
}

impl Iterator for DelimitedRows {
    type Item = Result<RawRow, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if let Some(row) = self.pending.take() {
            return Some(Ok(row));
        }
        match self.csv.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) if self.record.as_slice().contains('\0') => {
                self.failed = true;
                let line = record_line(&self.record, &self.window);
                Some(Err(ExtractError::NulByte { path: self.origin.path.clone(), line }))
            }
            Ok(true) => Some(Ok(self.current_row())),
            Err(error) => {
                self.failed = true;
                Some(Err(convert_error(error, &self.origin)))
            }
        }
    }
}

impl DelimitedRows {
    fn current_row(&self) -> RawRow {
        let line = record_line(&self.record, &self.window);
        let consumed = self.csv.position().byte();
        {
            let mut window = self.window.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            window.release_before(consumed);
            window.last_line = self.csv.position().line().saturating_sub(1).max(line);
            window.last_end = consumed;
        }
        let found = self.record.len();
        // A line of nothing but spaces or delimiters is blank, whatever its
        // field count. Extra trailing fields that are all empty carry no data
        // (a trailing delimiter); anything else off the header's grid is a
        // defect.
        let blank = self.record.iter().all(|field| field.trim().is_empty());
        let extra_hold_data = self.record.iter().skip(self.width).any(|field| !field.trim().is_empty());
        let defect = (!blank && (found < self.width || extra_hold_data))
            .then_some(RowDefect::FieldCount { expected: self.width, found });
        let cells = self
            .record
            .iter()
            .take(if defect.is_some() { found } else { self.width })
            .map(|field| if field.is_empty() { Cell::Empty } else { Cell::Text(field.to_string()) })
            .collect();
        RawRow { source: self.origin.row_ref(None, line), cells, defect }
    }
}

/// Picks the candidate that splits the header line and most following lines
/// into the same number of fields. Quoted text is not counted.
fn sniff_delimiter(sample: &str) -> char {
    let lines: Vec<&str> = sample.lines().filter(|line| !line.trim().is_empty()).take(20).collect();
    let Some(header) = lines.first() else {
        return ',';
    };
    let mut best = (',', 0usize, 0usize);
    for candidate in DELIMITER_CANDIDATES {
        let header_count = count_unquoted(header, candidate);
        if header_count == 0 {
            continue;
        }
        let consistent = lines.iter().filter(|line| count_unquoted(line, candidate) == header_count).count();
        if (consistent, header_count) > (best.1, best.2) {
            best = (candidate, consistent, header_count);
        }
    }
    best.0
}

fn ascii(character: char) -> Option<u8> {
    u8::try_from(character).ok().filter(u8::is_ascii)
}

/// `'` when the first lines quote fields with it and never with `"`; else
/// `"`. A quote counts where a field starts with the mark and where one
/// ends with it, so the apostrophe in O'Brien is no quote, and a quoted
/// field holding the delimiter still counts once.
fn sniff_quote(sample: &str, delimiter: char) -> char {
    let quoted_fields = |mark: char| -> usize {
        let (mut opened, mut closed) = (0, 0);
        for line in sample.lines().take(20) {
            let characters: Vec<char> = line.chars().collect();
            for (index, &character) in characters.iter().enumerate() {
                if character != mark {
                    continue;
                }
                let before = characters[..index].iter().rev().find(|c| **c != ' ');
                let after = characters[index + 1..].iter().find(|c| **c != ' ');
                opened += usize::from(before.is_none_or(|c| *c == delimiter));
                closed += usize::from(after.is_none_or(|c| *c == delimiter) && index > 0);
            }
        }
        opened.min(closed)
    };
    if quoted_fields('"') == 0 && quoted_fields('\'') >= 2 { '\'' } else { '"' }
}

fn count_unquoted(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for character in line.chars() {
        if character == '"' {
            quoted = !quoted;
        } else if character == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Random files made of what breaks CSV readers (quotes, delimiters,
    /// line breaks of every kind, NULs, bytes invalid in UTF-8, a BOM):
    /// every one is read to its end or to a clear error, never a panic,
    /// and every row that is yielded has a line number.
    #[test]
    fn no_file_makes_the_reader_panic() {
        const PIECES: &[&[u8]] = &[
            b"\"",
            b",",
            b";",
            b"|",
            b"\t",
            b"\n",
            b"\r\n",
            b"\r",
            b"a",
            b"Doe",
            b"12",
            b" ",
            b"\xFF",
            b"\xE9",
            b"\xEF\xBB\xBF",
            b"\"\"",
            b"\xC3\xA9",
            b"'",
        ];
        let mut rng = crate::synth::rng::Rng::new(0x9E37_79B9_7F4A_7C15u64);
        let mut next = |bound: usize| rng.below(bound);
        let mut read_through = 0;
        for case in 0..2_000 {
            let mut bytes = Vec::new();
            for _ in 0..next(300) {
                bytes.extend_from_slice(PIECES[next(PIECES.len())]);
            }
            // Now and then a NUL, past the sniffed start or within it.
            if case % 10 == 0 {
                let at = next(bytes.len() + 1);
                bytes.insert(at, 0);
            }
            let delimiter = [None, Some(','), Some('|')][next(3)];
            let encoding = [None, None, None, Some("utf-8".to_string())][next(4)].clone();
            let options = ReadOptions { delimiter, encoding, ..ReadOptions::default() };
            if let Ok((_, rows)) = read_all(&bytes, &options) {
                assert!(rows.iter().all(|row| row.source.row >= 1), "{bytes:?}");
                read_through += 1;
            }
        }
        assert!(read_through > 1_000, "most files reach the parser: {read_through}");
    }

    fn read_all(bytes: &[u8], options: &ReadOptions) -> Result<(SourceReader, Vec<RawRow>), ExtractError> {
        let mut file = tempfile::NamedTempFile::with_suffix(".csv").unwrap();
        file.write_all(bytes).unwrap();
        let origin = Origin { source: "s".into(), file: "f.csv".into(), path: file.path().to_path_buf() };
        let mut reader = open(origin, options)?;
        let rows = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
        Ok((reader, rows))
    }

    #[test]
    fn single_quotes_are_sniffed_and_apostrophes_are_not_quotes() {
        assert_eq!(sniff_quote("'Doe, Jane';'1980'\n'Roe';'1981'\n", ';'), '\'');
        assert_eq!(sniff_quote("O'Brien,Sean\nD'Arcy,Anne\n", ','), '"');
        assert_eq!(sniff_quote("\"Doe\",'x'\n'a','b'\n", ','), '"', "any double quote keeps the default");
        let (reader, rows) = read_all(b"Name;DOB\n'Doe; Jane';1980\n'Roe';1981\n", &ReadOptions::default()).unwrap();
        assert_eq!(reader.details.quote, Some('\''));
        assert_eq!(rows[0].cell(0).as_text().unwrap(), "Doe; Jane");
    }

    #[test]
    fn sniffs_semicolons_and_pipes() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), ';');
        assert_eq!(sniff_delimiter("a|b|c\n1|\"x,y\"|3\n"), '|');
        assert_eq!(sniff_delimiter("a,b\n1,2\n"), ',');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), '\t');
        assert_eq!(sniff_delimiter("single\n"), ',');
    }

    #[test]
    fn quoted_newline_keeps_line_numbers_of_later_rows() {
        let (reader, rows) = read_all(b"id;addr\n1;\"12 Elm St\nApt 4\"\n2;x\n", &ReadOptions::default()).unwrap();
        assert_eq!(reader.headers.names(), ["id", "addr"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].source.row, 2);
        assert_eq!(rows[0].cells[1], Cell::Text("12 Elm St\nApt 4".into()));
        assert_eq!(rows[1].source.row, 4);
    }

    #[test]
    fn blank_lines_do_not_shift_line_numbers() {
        for text in ["h\n\n\na\n\"x\ny\"\n\nb\n", "h\r\n\r\n\r\na\r\n\"x\r\ny\"\r\n\r\nb"] {
            let (_, rows) = read_all(text.as_bytes(), &ReadOptions::default()).unwrap();
            let lines: Vec<u64> = rows.iter().map(|row| row.source.row).collect();
            assert_eq!(lines, [4, 5, 8], "{text:?}");
        }
    }

    #[test]
    fn short_row_is_a_defect_and_reading_goes_on() {
        let (_, rows) = read_all(b"a,b,c\n1,2,3\n4,5\n6,7,8,\n9,9,9,x\n", &ReadOptions::default()).unwrap();
        assert_eq!(rows[0].defect, None);
        assert_eq!(rows[1].defect, Some(RowDefect::FieldCount { expected: 3, found: 2 }));
        assert_eq!(rows[2].defect, None, "an empty trailing field holds no data");
        assert_eq!(rows[2].cells.len(), 3);
        assert_eq!(rows[3].defect, Some(RowDefect::FieldCount { expected: 3, found: 4 }));
    }

    #[test]
    fn lines_of_spaces_or_delimiters_are_blank_rows() {
        let (_, rows) = read_all(b"a;b;c\n1;2;3\n   \n;;\n;;;;\n", &ReadOptions::default()).unwrap();
        assert_eq!(rows.len(), 4);
        assert!(rows[1..].iter().all(RawRow::is_blank), "{rows:?}");
    }

    #[test]
    fn header_row_skips_title_lines() {
        let options = ReadOptions { header_row: Some(3), ..ReadOptions::default() };
        let (reader, rows) = read_all(b"Clinic export\n\nname,dob\nA,1\n", &options).unwrap();
        assert_eq!(reader.headers.names(), ["name", "dob"]);
        assert_eq!(reader.details.header_row, 3);
        assert_eq!(rows[0].source.row, 4);
    }

    #[test]
    fn invalid_utf8_after_the_sniffed_prefix_names_the_line() {
        let mut bytes = b"name\n".to_vec();
        for _ in 0..(encoding::SNIFF_BYTES / 4) {
            bytes.extend_from_slice(b"abc\n");
        }
        bytes.extend_from_slice(b"caf\xE9\n");
        let lines_before = (encoding::SNIFF_BYTES / 4) as u64 + 1;
        match read_all(&bytes, &ReadOptions::default()) {
            Err(ExtractError::Decode { line, .. }) => assert_eq!(line, lines_before + 1),
            other => panic!("expected a decode error, got {:?}", other.map(|(_, rows)| rows.len())),
        }
    }

    #[test]
    fn empty_file_has_no_header() {
        assert!(matches!(read_all(b"", &ReadOptions::default()), Err(ExtractError::NoHeader { .. })));
    }
}
