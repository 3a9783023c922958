//! Fixed-width text (mainframe exports, scanning vendors' indexes): each
//! column at the character positions the mapping declares, one record per
//! line, streamed through the same encoding detection as delimited text.

use std::io::{BufRead, BufReader, Read};

use super::encoding::{self, MalformedText, TextReader};
use super::{
    Cell, ExtractError, FixedColumn, Headers, MAX_RECORD_BYTES, Origin, RawRow, ReadDetails, ReadOptions, RowDefect,
    SourceReader,
};

/// A column's character range, 0-based and end-exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

pub(super) fn open(origin: Origin, options: &ReadOptions) -> Result<SourceReader, ExtractError> {
    let layout_error = |problem: String| ExtractError::Layout { path: origin.path.clone(), problem };
    let columns = options.columns.as_deref().unwrap_or_default();
    let spans = layout(columns).map_err(layout_error)?;
    let text = encoding::open_text(&origin.path, options.encoding.as_deref())?;
    let mut lines = BufReader::new(text.reader);
    let mut line_number = 0;
    // Lines up to the header row (titles, column names, a ruled line) are
    // not data.
    if let Some(header_row) = options.header_row {
        while line_number < header_row {
            let mut skipped = String::new();
            if read_line(&mut lines, &mut skipped, line_number, &origin)? == 0 {
                return Err(ExtractError::HeaderRowMissing {
                    path: origin.path.clone(),
                    row: header_row,
                    detail: "the file ends before it".to_string(),
                });
            }
            line_number += 1;
        }
    }
    let headers = Headers::new(columns.iter().map(|column| column.name.clone()));
    let details = ReadDetails {
        encoding: Some(text.encoding.name()),
        delimiter: None,
        quote: None,
        sheet: None,
        other_sheets: Vec::new(),
        header_row: options.header_row.unwrap_or(0),
    };
    let rows = FixedRows { lines, spans, line_number, origin, buffer: String::new(), failed: false };
    Ok(SourceReader { headers, details, rows: Box::new(rows), progress: text.progress })
}

/// Checks the declared columns and turns them into spans: every column
/// named, starting at 1 or later, ending at or after its start, and no two
/// overlapping.
fn layout(columns: &[FixedColumn]) -> Result<Vec<Span>, String> {
    if columns.is_empty() {
        return Err("is missing: a fixed-width file needs its columns declared".into());
    }
    let mut spans = Vec::with_capacity(columns.len());
    for column in columns {
        let name = column.name.trim();
        if name.is_empty() {
            return Err(format!("has a column without a name (the one starting at {})", column.start));
        }
        let end = match (column.end, column.width) {
            (Some(end), None) => end,
            (None, Some(0)) => return Err(format!("gives `{name}` a width of 0")),
            (None, Some(width)) => column.start + width - 1,
            (Some(_), Some(_)) => return Err(format!("gives `{name}` both an end and a width; give one")),
            _ => return Err(format!("gives `{name}` neither an end nor a width")),
        };
        if column.start == 0 || end < column.start {
            return Err(format!("puts `{name}` at characters {} to {end}; positions count from 1", column.start));
        }
        spans.push(Span { start: column.start - 1, end });
    }
    let mut sorted: Vec<(Span, &str)> = spans.iter().copied().zip(columns.iter().map(|c| c.name.as_str())).collect();
    sorted.sort_by_key(|(span, _)| span.start);
    if let Some(pair) = sorted.windows(2).find(|pair| pair[1].0.start < pair[0].0.end) {
        return Err(format!("has `{}` and `{}` overlapping", pair[0].1, pair[1].1));
    }
    Ok(spans)
}

/// Reads one line into `buffer` (cleared first); 0 at the end of the file.
fn read_line(
    lines: &mut BufReader<TextReader>,
    buffer: &mut String,
    line_number: u64,
    origin: &Origin,
) -> Result<usize, ExtractError> {
    buffer.clear();
    // A line may not pass the record limit: a file with no line breaks at
    // all must not be read into memory whole.
    let mut limited = Read::by_ref(lines).take(MAX_RECORD_BYTES as u64 + 1);
    let read = limited.read_line(buffer).map_err(|error| {
        match error.get_ref().and_then(|inner| inner.downcast_ref::<MalformedText>()) {
            Some(malformed) => {
                ExtractError::Decode { path: origin.path.clone(), line: malformed.line, encoding: malformed.encoding }
            }
            None => ExtractError::Open { path: origin.path.clone(), source: error },
        }
    })?;
    if read > MAX_RECORD_BYTES {
        return Err(ExtractError::RecordTooLong { path: origin.path.clone(), line: line_number });
    }
    Ok(read)
}

struct FixedRows {
    lines: BufReader<TextReader>,
    spans: Vec<Span>,
    /// The last line read, as a person numbers lines.
    line_number: u64,
    origin: Origin,
    buffer: String,
    failed: bool,
}

impl Iterator for FixedRows {
    type Item = Result<RawRow, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = read_line(&mut self.lines, &mut self.buffer, self.line_number, &self.origin);
        self.line_number += 1;
        match result {
            Ok(0) => None,
            Ok(_) if self.buffer.contains('\0') => {
                self.failed = true;
                Some(Err(ExtractError::NulByte { path: self.origin.path.clone(), line: self.line_number }))
            }
            Ok(_) => Some(Ok(self.current_row())),
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}

impl FixedRows {
    fn current_row(&self) -> RawRow {
        let line = self.buffer.trim_end_matches(['\n', '\r']);
        let characters: Vec<char> = line.chars().collect();
        let field = |span: &Span| -> String {
            let end = span.end.min(characters.len());
            characters.get(span.start..end).map_or_else(String::new, |slice| slice.iter().collect())
        };
        let mut cells: Vec<Cell> = self
            .spans
            .iter()
            .map(|span| {
                let text = field(span);
                if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text.trim().to_string()) }
            })
            .collect();
        // Text outside every column is data the layout does not account
        // for: the row is off the layout, as a delimited row with a field
        // too many is, and the stray text goes with it as one more cell so
        // that rejected.csv shows the row whole.
        let outside: String = characters
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.spans.iter().any(|span| span.start <= *index && *index < span.end))
            .map(|(_, character)| *character)
            .collect();
        let defect = (!outside.trim().is_empty()).then(|| {
            cells.push(Cell::Text(outside.trim().to_string()));
            RowDefect::FieldCount { expected: self.spans.len(), found: self.spans.len() + 1 }
        });
        RawRow { source: self.origin.row_ref(None, self.line_number), cells, defect }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn column(name: &str, start: usize, end: usize) -> FixedColumn {
        FixedColumn { name: name.into(), start, end: Some(end), width: None }
    }

    fn read(text: &str, columns: Vec<FixedColumn>, header_row: Option<u64>) -> Result<Vec<RawRow>, ExtractError> {
        let mut file = tempfile::NamedTempFile::with_suffix(".txt").unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let origin = Origin { source: "s".into(), file: "f.txt".into(), path: file.path().to_path_buf() };
        let options = ReadOptions { columns: Some(columns), header_row, ..ReadOptions::default() };
        open(origin, &options)?.collect()
    }

    fn texts(row: &RawRow) -> Vec<String> {
        row.cells.iter().map(|cell| cell.as_text().map(|text| text.to_string()).unwrap_or_default()).collect()
    }

    /// Random lines of letters, spaces, line breaks, NULs and multi-byte
    /// characters under random layouts: rows or a clear error, never a
    /// panic (a cut inside a multi-byte character included).
    #[test]
    fn no_file_makes_the_reader_panic() {
        const PIECES: &[&str] = &["a", " ", "\n", "\r\n", "é", "日本", "12", "\t", "\u{feff}"];
        let mut rng = crate::synth::rng::Rng::new(0x2545_f491_4f6c_dd1du64);
        let mut next = |bound: usize| rng.below(bound);
        let mut read_through = 0;
        for case in 0..500 {
            let mut text: String = (0..next(200)).map(|_| PIECES[next(PIECES.len())]).collect();
            if case % 10 == 0 {
                text.push('\0');
            }
            let mut start = 1 + next(3);
            let mut layout = Vec::new();
            for index in 0..1 + next(4) {
                let width = 1 + next(6);
                layout.push(FixedColumn { name: format!("C{index}"), start, end: None, width: Some(width) });
                start += width + next(2);
            }
            if let Ok(rows) = read(&text, layout, None) {
                assert!(rows.iter().all(|row| row.source.row >= 1));
                read_through += 1;
            }
        }
        assert!(read_through > 400, "most files reach the reader: {read_through}");
    }

    #[test]
    fn columns_are_cut_at_their_positions_and_trimmed() {
        let layout = vec![column("BATCH", 1, 4), column("CHART", 5, 10), column("LAST", 11, 20)];
        let rows = read("B001 10041MARTIN    \r\nB002      GARCIA\n", layout, None).unwrap();
        assert_eq!(texts(&rows[0]), ["B001", "10041", "MARTIN"]);
        assert_eq!(texts(&rows[1]), ["B002", "", "GARCIA"], "a short line: the missing end is blank");
        assert_eq!((rows[0].source.row, rows[1].source.row), (1, 2));
        assert!(rows.iter().all(|row| row.defect.is_none()));
    }

    #[test]
    fn title_lines_above_the_data_are_skipped_and_lines_keep_their_numbers() {
        let layout = vec![FixedColumn { name: "ID".into(), start: 1, end: None, width: Some(3) }];
        let rows = read("SCAN INDEX\nID \n---\n001\n\n002\n", layout, Some(3)).unwrap();
        let numbers: Vec<u64> = rows.iter().map(|row| row.source.row).collect();
        assert_eq!(numbers, [4, 5, 6]);
        assert!(rows[1].is_blank());
    }

    #[test]
    fn text_outside_every_column_is_a_defect() {
        let layout = vec![column("A", 1, 3), column("B", 6, 8)];
        let rows = read("aaa  bbb\naaaX bbb\naaa  bbb  extra\n", layout, None).unwrap();
        let defects: Vec<bool> = rows.iter().map(|row| row.defect.is_some()).collect();
        assert_eq!(defects, [false, true, true]);
        assert_eq!(texts(&rows[2])[2], "extra", "the stray text is kept for rejected.csv");
    }

    #[test]
    fn a_bad_layout_is_a_clear_error() {
        let overlapping = vec![column("A", 1, 5), column("B", 5, 8)];
        let error = read("x\n", overlapping, None).unwrap_err().to_string();
        assert!(error.contains("`A` and `B` overlapping"), "{error}");
        let from_zero = vec![column("A", 0, 5)];
        assert!(read("x\n", from_zero, None).unwrap_err().to_string().contains("positions count from 1"));
        assert!(read("x\n", Vec::new(), None).unwrap_err().to_string().contains("is missing"));
        let empty = vec![FixedColumn { name: "A".into(), start: 1, end: None, width: Some(0) }];
        assert!(read("x\n", empty, None).unwrap_err().to_string().contains("a width of 0"));
    }

    #[test]
    fn a_nul_byte_stops_the_read_at_its_line() {
        let layout = vec![column("A", 1, 3)];
        let text = format!("{}ab\0\n", "abc\n".repeat(20_000));
        let error = read(&text, layout, None).unwrap_err();
        assert!(matches!(error, ExtractError::NulByte { line: 20_001, .. }), "{error}");
    }
}
