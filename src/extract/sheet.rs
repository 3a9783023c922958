//! Spreadsheets (xlsx, xlsm, xlsb, xls, ods) through calamine: the sheet, the
//! header row past any title rows, and cells that keep their types (a date
//! cell stays a date, whichever date system the workbook uses).

use std::sync::Arc;

use calamine::{Data, Dimensions, Range, Reader, Sheets, open_workbook_auto};
use jiff::civil::Date;

use super::{
    Cell, ExtractError, Headers, Origin, RawRow, ReadDetails, ReadOptions, ReadProgress, SheetChoice, SourceReader,
    positional_headers,
};

/// How far down a header row is looked for.
const HEADER_SEARCH_ROWS: usize = 30;

pub(super) fn open(origin: Origin, options: &ReadOptions) -> Result<SourceReader, ExtractError> {
    let workbook_error = |message: String| ExtractError::Workbook { path: origin.path.clone(), message };
    refuse_encrypted(&origin)?;
    let mut workbook = open_workbook_auto(&origin.path).map_err(|error| workbook_error(error.to_string()))?;
    let names = workbook.sheet_names();
    let (sheet, range) = match &options.sheet {
        Some(wanted) => {
            let name = chosen_sheet(wanted, &names, &origin)?;
            let range = workbook.worksheet_range(&name).map_err(|error| workbook_error(error.to_string()))?;
            (name, range)
        }
        None => first_sheet_with_data(&mut workbook, &names, &origin)?,
    };
    let merged = merged_cells(&mut workbook, &sheet);
    let mut range = range;
    let other_sheets = names.iter().filter(|name| **name != sheet).cloned().collect();

    let start_row = range.start().map_or(0, |(row, _)| row as u64);
    if options.header == Some(false) {
        // Without a header, `header_row` (if any) is where the data starts.
        let first = options.header_row.map_or(0, |row| row.saturating_sub(start_row + 1) as usize);
        let details = sheet_details(&sheet, other_sheets, 0);
        fill_merged_below(&mut range, &merged, start_row + first as u64);
        let headers = positional_headers(range.width());
        return Ok(sheet_reader(headers, details, SheetRows::new(&sheet, first, start_row, range, origin)));
    }
    let header_index = match options.header_row {
        Some(row) => {
            let index = row.checked_sub(start_row + 1).map(|index| index as usize);
            match index {
                Some(index) if index < range.height() => index,
                _ => {
                    let last = start_row + range.height() as u64;
                    return Err(ExtractError::HeaderRowMissing {
                        path: origin.path.clone(),
                        row,
                        detail: format!("sheet `{sheet}` holds data in rows {} to {last} only", start_row + 1),
                    });
                }
            }
        }
        None => detect_header(&range).ok_or_else(|| ExtractError::NoHeader { path: origin.path.clone() })?,
    };
    fill_merged_below(&mut range, &merged, start_row + header_index as u64 + 1);
    let headers = Headers::new(
        (0..range.width()).map(|column| header_text(range.get((header_index, column)).unwrap_or(&Data::Empty))),
    );
    let details = sheet_details(&sheet, other_sheets, start_row + header_index as u64 + 1);
    Ok(sheet_reader(headers, details, SheetRows::new(&sheet, header_index + 1, start_row, range, origin)))
}

/// What was read: a sheet has no encoding, delimiter or quote.
fn sheet_details(sheet: &str, other_sheets: Vec<String>, header_row: u64) -> ReadDetails {
    ReadDetails {
        encoding: None,
        delimiter: None,
        quote: None,
        sheet: Some(sheet.to_string()),
        other_sheets,
        header_row,
    }
}

fn sheet_reader(headers: Headers, details: ReadDetails, rows: SheetRows) -> SourceReader {
    let progress = rows.progress.clone();
    SourceReader { headers, details, rows: Box::new(rows), progress }
}

/// The sheet's merged regions, where the format records them (xlsx, xls);
/// none for xlsb and ods, whose merged cells read as the top-left value
/// and blanks.
fn merged_cells<R: std::io::Read + std::io::Seek>(workbook: &mut Sheets<R>, sheet: &str) -> Vec<Dimensions> {
    match workbook {
        Sheets::Xlsx(xlsx) => xlsx.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A region merged down one column below the header holds one value for
/// several rows (a family name over the family's rows): every row gets it,
/// so none reads as blank. A region wider than one column is left as it is
/// (its value in the first column only): copying a label across Last, First
/// and DOB would be a guess. Regions at or above the header (titles) are
/// left alone, so a title spread across the top never looks like a header.
fn fill_merged_below(range: &mut Range<Data>, merged: &[Dimensions], first_data_row: u64) {
    let down_one_column = |region: &&Dimensions| region.start.1 == region.end.1;
    for region in merged.iter().filter(|region| u64::from(region.start.0) >= first_data_row).filter(down_one_column) {
        let Some(value) = range.get_value(region.start).cloned() else { continue };
        for row in region.start.0..=region.end.0 {
            for column in region.start.1..=region.end.1 {
                if (row, column) != region.start && range.get_value((row, column)).is_some() {
                    range.set_value((row, column), value.clone());
                }
            }
        }
    }
}

/// An Office Open XML workbook (xlsx, xlsm, xlsb) is a ZIP archive, unless a
/// password encrypts it: then Office wraps it in the compound-file container
/// of the old formats. calamine would only say the ZIP is invalid.
fn refuse_encrypted(origin: &Origin) -> Result<(), ExtractError> {
    const COMPOUND_FILE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let extension = origin.path.extension().and_then(|extension| extension.to_str()).map(str::to_ascii_lowercase);
    if !matches!(extension.as_deref(), Some("xlsx" | "xlsm" | "xlsb")) {
        return Ok(());
    }
    let mut start = [0u8; 8];
    let read = std::fs::File::open(&origin.path)
        .and_then(|mut file| std::io::Read::read(&mut file, &mut start))
        .map_err(|source| ExtractError::Open { path: origin.path.clone(), source })?;
    if start[..read] == *COMPOUND_FILE {
        return Err(ExtractError::Encrypted { path: origin.path.clone() });
    }
    Ok(())
}

fn first_sheet_with_data<R: std::io::Read + std::io::Seek>(
    workbook: &mut calamine::Sheets<R>,
    names: &[String],
    origin: &Origin,
) -> Result<(String, Range<Data>), ExtractError> {
    for name in names {
        let range = workbook
            .worksheet_range(name)
            .map_err(|error| ExtractError::Workbook { path: origin.path.clone(), message: error.to_string() })?;
        if range.cells().any(|(_, _, cell)| !matches!(cell, Data::Empty)) {
            return Ok((name.clone(), range));
        }
    }
    Err(ExtractError::NoSheetWithData { path: origin.path.clone() })
}

/// The sheet a mapping names: by name, or by position (`sheet = 2`, or a
/// `--sheet 2` that is no sheet's name).
fn chosen_sheet(wanted: &SheetChoice, names: &[String], origin: &Origin) -> Result<String, ExtractError> {
    let (by_name, position) = match wanted {
        SheetChoice::Name(name) => (names.iter().find(|known| *known == name), name.trim().parse::<usize>().ok()),
        SheetChoice::Position(position) => (None, Some(*position)),
    };
    let by_position = position.and_then(|position| position.checked_sub(1)).and_then(|index| names.get(index));
    match by_name.or(by_position) {
        Some(name) => Ok(name.clone()),
        None => {
            let sheet = match wanted {
                SheetChoice::Name(name) => name.clone(),
                SheetChoice::Position(position) => format!("#{position}"),
            };
            let nearest = match wanted {
                SheetChoice::Name(name) => nearest_name(name, names),
                SheetChoice::Position(_) => None,
            };
            Err(ExtractError::SheetNotFound { path: origin.path.clone(), sheet, available: names.to_vec(), nearest })
        }
    }
}

fn nearest_name(wanted: &str, names: &[String]) -> Option<String> {
    crate::suggest::nearest(wanted, names.iter().map(String::as_str)).map(str::to_string)
}

/// The header is the first row, among the first few, whose cells are all text
/// and that fills most of the widest row: a title row above it holds one
/// cell, and data rows hold numbers and dates.
fn detect_header(range: &Range<Data>) -> Option<usize> {
    let rows = range.height().min(HEADER_SEARCH_ROWS);
    let filled = |row: usize| {
        (0..range.width()).filter(|&column| !is_blank(range.get((row, column)).unwrap_or(&Data::Empty))).count()
    };
    let widest = (0..rows).map(filled).max().unwrap_or(0);
    (0..rows).find(|&row| {
        let count = filled(row);
        let all_text = (0..range.width())
            .all(|column| matches!(range.get((row, column)).unwrap_or(&Data::Empty), Data::String(_) | Data::Empty));
        count >= 2 && all_text && count * 10 >= widest * 6
    })
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

fn header_text(data: &Data) -> String {
    match convert(data) {
        Cell::Empty | Cell::Error(_) => String::new(),
        cell => cell.as_text().map(|text| text.into_owned()).unwrap_or_default(),
    }
}

/// calamine's value into ours. A date cell becomes a `Date`; Excel's phantom
/// 1900-02-29 (its leap-year bug) cannot be a real date and becomes an error.
fn convert(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Int(number) => Cell::Number(*number as f64),
        Data::Float(number) => Cell::Number(*number),
        Data::Bool(flag) => Cell::Bool(*flag),
        Data::DateTime(datetime) if datetime.is_datetime() => {
            let (year, month, day, ..) = datetime.to_ymd_hms_milli();
            match Date::new(year as i16, month as i8, day as i8) {
                Ok(date) => Cell::Date(date),
                Err(_) => Cell::Error("#DATE!".to_string()),
            }
        }
        Data::DateTime(datetime) => Cell::Text(datetime.to_string()),
        Data::DateTimeIso(text) => text
            .get(..10)
            .and_then(|prefix| prefix.parse::<Date>().ok())
            .map_or_else(|| Cell::Text(text.clone()), Cell::Date),
        Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Error(error.to_string()),
    }
}

struct SheetRows {
    range: Range<Data>,
    sheet: Arc<str>,
    origin: Origin,
    start_row: u64,
    next: usize,
    progress: Arc<ReadProgress>,
}

impl SheetRows {
    fn new(sheet: &str, first: usize, start_row: u64, range: Range<Data>, origin: Origin) -> SheetRows {
        let progress = ReadProgress::of_rows(range.height().saturating_sub(first) as u64);
        SheetRows { sheet: Arc::from(sheet), next: first, start_row, range, origin, progress }
    }
}

impl Iterator for SheetRows {
    type Item = Result<RawRow, ExtractError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.range.height() {
            return None;
        }
        let row = self.next;
        self.next += 1;
        self.progress.advance(1);
        let cells = (0..self.range.width())
            .map(|column| convert(self.range.get((row, column)).unwrap_or(&Data::Empty)))
            .collect();
        let number = self.start_row + row as u64 + 1;
        Some(Ok(RawRow { source: self.origin.row_ref(Some(&self.sheet), number), cells, defect: None }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_down_one_column_below_the_header_are_filled_and_wide_ones_are_not() {
        let mut range = Range::new((0, 0), (4, 2));
        range.set_value((0, 0), Data::String("Patient list".into()));
        range.set_value((1, 0), Data::String("Last".into()));
        range.set_value((2, 0), Data::String("Garcia".into()));
        range.set_value((4, 0), Data::String("Lee, see notes".into()));
        let merged = [
            Dimensions { start: (0, 0), end: (0, 2) }, // the title, above the header
            Dimensions { start: (2, 0), end: (3, 0) }, // a family name over two rows
            Dimensions { start: (4, 0), end: (4, 2) }, // a label across three fields
        ];
        fill_merged_below(&mut range, &merged, 2);
        let text = |row: u32, column: u32| range.get_value((row, column)).cloned().unwrap_or(Data::Empty);
        assert_eq!(text(3, 0), Data::String("Garcia".into()));
        assert_eq!(text(0, 1), Data::Empty, "the title stays where it is");
        assert_eq!((text(4, 1), text(4, 2)), (Data::Empty, Data::Empty), "a wide label is not copied across fields");
    }

    #[test]
    fn header_is_found_below_a_title_row() {
        let mut range = Range::new((0, 0), (3, 2));
        range.set_value((0, 0), Data::String("Riverside patient list".into()));
        for (column, name) in ["Last", "First", "DOB"].iter().enumerate() {
            range.set_value((1, column as u32), Data::String(name.to_string()));
        }
        range.set_value((2, 0), Data::String("Doe".into()));
        range.set_value((2, 2), Data::Float(30000.0));
        assert_eq!(detect_header(&range), Some(1));
    }

    #[test]
    fn date_cells_convert_in_both_date_systems() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let in_1900 = Data::DateTime(ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false));
        assert_eq!(convert(&in_1900), Cell::Date(jiff::civil::date(2025, 10, 13)));
        let in_1904 = Data::DateTime(ExcelDateTime::new(45943.0 - 1462.0, ExcelDateTimeType::DateTime, true));
        assert_eq!(convert(&in_1904), Cell::Date(jiff::civil::date(2025, 10, 13)));
        let phantom = Data::DateTime(ExcelDateTime::new(60.0, ExcelDateTimeType::DateTime, false));
        assert!(matches!(convert(&phantom), Cell::Error(_)));
    }

    #[test]
    fn nearest_sheet_name_is_suggested() {
        let names = vec!["Patients".to_string(), "Summary".to_string()];
        assert_eq!(nearest_name("patient", &names), Some("Patients".to_string()));
        assert_eq!(nearest_name("zzz", &names), None);
    }
}
