//! Writing a synthetic practice: the exports (in the formats and encodings
//! real systems produce), the scan index and its PDFs, the mapping files and
//! migration.toml, and truth.csv beside them.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use super::SynthError;
use super::corrupt::{self, Spelling};
use super::names::NamePool;
use super::pdf::tiny_pdf;
use super::population::{Kin, Person, Sex, reference_day};
use super::practice::{DocumentRow, Invalid, PatientRow};
use super::rng::Rng;

pub const PM_CSV: &str = "pm_patients.csv";
pub const PM_XLSX: &str = "pm_patients.xlsx";
pub const OLD_EMR: &str = "old_emr_patients.csv";
pub const SCAN_INDEX: &str = "scan_index.txt";
pub const TRUTH: &str = "truth.csv";
const PM_SHEET: &str = "Patients";

/// Excel's last row; a sheet holds the title, the header and the footer too.
pub const XLSX_MAX_ROWS: usize = 1_048_576;
const PM_HEADER: [&str; 13] =
    ["Pt Last Name", "First", "MI", "Sfx", "DOB", "Sex", "Chart #", "SSN", "Addr1", "City", "St", "Zip", "Home Phone"];
const EMR_HEADER: [&str; 11] = [
    "PatientID",
    "Surname",
    "GivenNames",
    "BirthDate",
    "Gender",
    "SSN",
    "Street",
    "Town",
    "State",
    "PostCode",
    "Phone",
];
const SCAN_HEADER: [&str; 9] = ["BATCH", "CHART_NO", "LAST", "FIRST", "DOB", "DOC_TYPE", "DOC_DATE", "PAGES", "FILE"];
const DOCUMENT_TYPES: &[&str] = &["LAB", "CONS", "RAD", "HP", "CORR", "IMM", "OPN", "DSUM"];
const DOCUMENTS_PER_BATCH: usize = 500;

pub struct Writer<'a> {
    pub out: &'a Path,
    pub names: &'a NamePool,
    pub people: &'a [Person],
    pub rng: Rng,
    pub truth: csv::Writer<BufWriter<File>>,
    pub progress: &'a indicatif::ProgressBar,
    /// The last people of `people` have only a paper chart.
    pub orphan_count: usize,
}

impl Writer<'_> {
    fn path(&self, name: &str) -> PathBuf {
        self.out.join(name)
    }

    fn truth_row(&mut self, at: (&str, &str, &str, usize), person: u32, expected: &str, note: &str) -> io::Result<()> {
        let person = &self.people[person as usize];
        let kin = match person.kin {
            Some(Kin::Twins(id)) => format!("twins-{id}"),
            Some(Kin::JuniorSenior(id)) => format!("jrsr-{id}"),
            None => String::new(),
        };
        let (source, file, sheet, row) = at;
        self.truth.write_record([
            source,
            file,
            sheet,
            &row.to_string(),
            &format!("P{:07}", person.id),
            &format!("H{}", person.household),
            &kin,
            expected,
            note,
        ])?;
        Ok(())
    }

    fn render(&mut self, row_person: u32, spelling: Spelling) -> corrupt::Record {
        corrupt::render(&self.people[row_person as usize], self.names, spelling, &mut self.rng)
    }

    pub fn pm_csv(&mut self, rows: &[PatientRow]) -> Result<(), SynthError> {
        let path = self.path(PM_CSV);
        let mut csv = csv::Writer::from_writer(BufWriter::new(create(&path)?));
        csv.write_record(PM_HEADER).map_err(|error| SynthError::write(&path, error.into()))?;
        for (index, row) in rows.iter().enumerate() {
            let (cells, mistakes) = self.pm_cells(row, |birth| Dob::Text(us_date(birth)));
            let texts: Vec<String> = cells.into_iter().map(Cell::into_text).collect();
            csv.write_record(&texts).map_err(|error| SynthError::write(&path, error.into()))?;
            let note = note(row, &mistakes);
            self.truth_row(("pm", PM_CSV, "", index + 2), row.person, expected(row.invalid), &note)
                .map_err(|error| SynthError::write(&path, error))?;
            self.progress.inc(1);
        }
        csv.flush().map_err(|error| SynthError::write(&path, error))
    }

    pub fn pm_xlsx(&mut self, rows: &[PatientRow]) -> Result<(), SynthError> {
        // `generate` has checked that the rows fit Excel's limit.
        let path = self.path(PM_XLSX);
        let xlsx_error =
            |error: rust_xlsxwriter::XlsxError| SynthError::write(&path, io::Error::other(error.to_string()));
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(2026, 1, 1).map_err(xlsx_error)?;
        workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        sheet.set_name(PM_SHEET).map_err(xlsx_error)?;
        let date_format = Format::new().set_num_format("mm/dd/yyyy");
        sheet.write_string(0, 0, "Patient demographics export").map_err(xlsx_error)?;
        for (column, header) in PM_HEADER.iter().enumerate() {
            sheet.write_string(1, column as u16, *header).map_err(xlsx_error)?;
        }
        for (index, row) in rows.iter().enumerate() {
            let excel_row = index as u32 + 2;
            let text_date = self.rng.chance(0.3);
            let (cells, mistakes) =
                self.pm_cells(row, |birth| if text_date { Dob::Text(us_date(birth)) } else { Dob::Cell(birth) });
            for (column, cell) in cells.into_iter().enumerate() {
                let column = column as u16;
                match cell {
                    Cell::Text(text) if !text.is_empty() => {
                        sheet.write_string(excel_row, column, text).map_err(xlsx_error)?;
                    }
                    Cell::Text(_) => {}
                    Cell::Number(number) => {
                        sheet.write_number(excel_row, column, number).map_err(xlsx_error)?;
                    }
                    Cell::Date(date) => {
                        let value = ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
                            .map_err(xlsx_error)?;
                        sheet
                            .write_datetime_with_format(excel_row, column, &value, &date_format)
                            .map_err(xlsx_error)?;
                    }
                }
            }
            let note = note(row, &mistakes);
            self.truth_row(("pm", PM_XLSX, PM_SHEET, index + 3), row.person, expected(row.invalid), &note)
                .map_err(|error| SynthError::write(&path, error))?;
            self.progress.inc(1);
        }
        let footer = rows.len() as u32 + 2;
        sheet.write_string(footer, 0, format!("Total patients: {}", rows.len())).map_err(xlsx_error)?;
        workbook.save(&path).map_err(xlsx_error)?;
        Ok(())
    }

    /// The row's cells, and the mistakes made in it for the truth note.
    fn pm_cells(&mut self, row: &PatientRow, dob: impl Fn(Date) -> Dob) -> (Vec<Cell>, Vec<&'static str>) {
        let record = self.render(row.person, Spelling::Ascii);
        let mut family = record.family.replace('\'', "");
        let mut birth = record.birth.map(dob).unwrap_or(Dob::Text(String::new()));
        let mut sex = match record.sex {
            Some(Sex::Female) => "F",
            Some(Sex::Male) => "M",
            None => "U",
        }
        .to_string();
        match row.invalid {
            Some(Invalid::NoSurname) => family.clear(),
            Some(Invalid::ImpossibleDate) => {
                birth = Dob::Text(format!("02/30/{}", self.people[row.person as usize].birth.year()))
            }
            // Far enough ahead that the row stays in the future for as long
            // as anyone runs this practice.
            Some(Invalid::FutureDate) => birth = Dob::Text("07/04/2999".to_string()),
            Some(Invalid::UnknownSexCode) => sex = "X".into(),
            _ => {}
        }
        let cells = vec![
            Cell::Text(family),
            Cell::Text(record.given),
            Cell::Text(record.middle),
            Cell::Text(record.suffix),
            match birth {
                Dob::Cell(date) => Cell::Date(date),
                Dob::Text(text) => Cell::Text(text),
            },
            Cell::Text(sex),
            Cell::Number(f64::from(row.legacy_id)),
            Cell::Text(record.national_id),
            Cell::Text(record.street),
            Cell::Text(record.city),
            Cell::Text(record.state),
            Cell::Text(record.zip),
            Cell::Text(record.phone),
        ];
        (cells, record.mistakes)
    }

    pub fn old_emr(&mut self, rows: &[PatientRow]) -> Result<(), SynthError> {
        let path = self.path(OLD_EMR);
        let mut csv = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(Windows1252Writer::new(BufWriter::new(create(&path)?)));
        csv.write_record(EMR_HEADER).map_err(|error| SynthError::write(&path, error.into()))?;
        for (index, row) in rows.iter().enumerate() {
            let record = self.render(row.person, Spelling::Windows1252);
            let record_mistakes = record.mistakes.clone();
            let real_birth = self.people[row.person as usize].birth;
            let mut birth = record.birth.map(european_date).unwrap_or_default();
            let mut family = record.family;
            match row.invalid {
                Some(Invalid::NoSurname) => family.clear(),
                Some(Invalid::ImpossibleDate) => birth = format!("31.02.{}", real_birth.year()),
                _ => {}
            }
            let gender = match record.sex {
                Some(Sex::Male) => "1",
                Some(Sex::Female) => "2",
                None => "9",
            };
            let mut fields = vec![
                format!("E{}", row.legacy_id),
                family,
                record.given,
                birth,
                gender.to_string(),
                record.national_id,
                record.street,
                record.city,
                record.state,
                record.zip,
                record.phone,
            ];
            if row.invalid == Some(Invalid::CutShort) {
                fields.truncate(6);
            }
            csv.write_record(&fields).map_err(|error| SynthError::write(&path, error.into()))?;
            let note = note(row, &record_mistakes);
            self.truth_row(("old_emr", OLD_EMR, "", index + 2), row.person, expected(row.invalid), &note)
                .map_err(|error| SynthError::write(&path, error))?;
            self.progress.inc(1);
        }
        let inner = csv.into_inner().map_err(|error| SynthError::write(&path, error.into_error()))?;
        inner.finish().map_err(|error| SynthError::write(&path, error))
    }

    pub fn scans(&mut self, documents: &[DocumentRow], with_files: bool) -> Result<usize, SynthError> {
        let path = self.path(SCAN_INDEX);
        let mut csv = csv::WriterBuilder::new()
            .delimiter(b'|')
            .terminator(csv::Terminator::CRLF)
            .from_writer(BufWriter::new(create(&path)?));
        csv.write_record(SCAN_HEADER).map_err(|error| SynthError::write(&path, error.into()))?;
        let mut files = 0;
        let mut created_folder: Option<String> = None;
        for (index, document) in documents.iter().enumerate() {
            let record = self.render(document.person, Spelling::AsciiUpper);
            let batch = format!("B{:04}", 1 + index / DOCUMENTS_PER_BATCH);
            let file_name = format!("{:07}.pdf", index + 1);
            let pages = 1 + self.rng.below(4);
            let birth = self.people[document.person as usize].birth;
            let document_date = self.document_date(birth);
            let fields = [
                batch.clone(),
                document.chart.map(|chart| chart.to_string()).unwrap_or_default(),
                record.family.replace('\'', ""),
                record.given,
                record.birth.map(us_date).unwrap_or_default(),
                self.rng.pick(DOCUMENT_TYPES).to_string(),
                us_date(document_date),
                pages.to_string(),
                format!("{batch}\\{file_name}"),
            ];
            csv.write_record(&fields).map_err(|error| SynthError::write(&path, error.into()))?;
            if with_files && document.invalid.is_none() {
                let folder = self.out.join("scans").join(&batch);
                // Made when its first file is written, whichever line that is.
                if created_folder.as_deref() != Some(batch.as_str()) {
                    std::fs::create_dir_all(&folder).map_err(|error| SynthError::write(&folder, error))?;
                    created_folder = Some(batch.clone());
                }
                let file = folder.join(&file_name);
                std::fs::write(&file, tiny_pdf(pages)).map_err(|error| SynthError::write(&file, error))?;
                files += 1;
            }
            let orphan = document.person as usize >= self.people.len() - self.orphan_count;
            let note = match document.invalid {
                Some(invalid) => invalid.note().to_string(),
                None if orphan => "chart of a person in no export: loaded unlinked".to_string(),
                None => record.mistakes.join("; "),
            };
            self.truth_row(("scans", SCAN_INDEX, "", index + 2), document.person, expected(document.invalid), &note)
                .map_err(|error| SynthError::write(&path, error))?;
            self.progress.inc(1);
        }
        csv.flush().map_err(|error| SynthError::write(&path, error))?;
        Ok(files)
    }

    fn document_date(&mut self, birth: Date) -> Date {
        let start = birth.max(jiff::civil::date(1985, 1, 1));
        let span = (reference_day() - start).get_days().max(1) as usize;
        start.checked_add(jiff::Span::new().days(self.rng.below(span) as i64)).unwrap_or(start)
    }
}

/// The truth note of a patient row: how it came about, and its mistakes.
fn note(row: &PatientRow, mistakes: &[&'static str]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if row.second_registration {
        parts.push("registered again");
    }
    if let Some(invalid) = row.invalid {
        parts.push(invalid.note());
    }
    parts.extend_from_slice(mistakes);
    parts.join("; ")
}

enum Dob {
    Cell(Date),
    Text(String),
}

enum Cell {
    Text(String),
    Number(f64),
    Date(Date),
}

impl Cell {
    fn into_text(self) -> String {
        match self {
            Cell::Text(text) => text,
            Cell::Number(number) => format!("{number}"),
            Cell::Date(date) => us_date(date),
        }
    }
}

fn expected(invalid: Option<Invalid>) -> &'static str {
    invalid.map_or("", Invalid::expected_code)
}

fn us_date(date: Date) -> String {
    format!("{:02}/{:02}/{}", date.month(), date.day(), date.year())
}

fn european_date(date: Date) -> String {
    format!("{:02}.{:02}.{}", date.day(), date.month(), date.year())
}

pub fn create(path: &Path) -> Result<File, SynthError> {
    File::create(path).map_err(|error| SynthError::write(path, error))
}

/// Encodes the UTF-8 written to it as Windows-1252, as the old EMR's export
/// is. Every name has been spelt to fit (`names::windows_1252`), so nothing
/// is unmappable; a character that slipped through becomes `?`.
pub struct Windows1252Writer<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Windows1252Writer<W> {
    pub fn new(inner: W) -> Self {
        Windows1252Writer { inner, pending: Vec::new() }
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.encode_pending(true)?;
        self.inner.flush()
    }

    fn encode_pending(&mut self, last: bool) -> io::Result<()> {
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(error) if error.error_len().is_none() && !last => error.valid_up_to(),
            Err(error) => return Err(io::Error::new(io::ErrorKind::InvalidData, error)),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).expect("checked above");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(())
    }
}

impl<W: Write> Write for Windows1252Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.encode_pending(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encode_pending(false)?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_writer_handles_characters_split_across_writes() {
        let mut out = Vec::new();
        let mut writer = Windows1252Writer::new(&mut out);
        let text = "Zoë;José".as_bytes();
        writer.write_all(&text[..3]).unwrap();
        writer.write_all(&text[3..]).unwrap();
        writer.finish().unwrap();
        assert_eq!(out, b"Zo\xEB;Jos\xE9");
    }
}
