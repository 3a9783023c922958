//! profile: what is in an export, column by column, before anyone writes a
//! mapping for it.
//!
//! Owns the column statistics (kinds, blanks, distinct values, lengths, date
//! formats and their ambiguity, value patterns, common values) and what may
//! be shown of them: a value is shown only when at least `MIN_SHOWN` rows
//! hold it, masked when its column looks like patient data, and never for a
//! column the user lists as never shown. Reading is extract's job; the
//! suggested mapping is `suggest`'s; rendering is `render`'s.

mod render;
mod shape;
mod suggest;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::extract::{self, Cell, ExtractError, ReadDetails, ReadOptions, SourceReader};
use crate::output::Printer;
use crate::record::Field;
use crate::report::mask;

pub use render::{html, terminal_table};
pub use shape::ValueKind;
pub use suggest::{Suggestion, suggest_mapping};

/// A value held by fewer rows than this is never shown, masked or not: a
/// rare value can name a person on its own.
pub const MIN_SHOWN: u64 = 5;
/// The most common values and patterns listed per column.
const TOP: usize = 5;
/// Distinct values counted exactly per column; past this the count is a
/// lower bound and memory stays bounded on a million-row export.
const MAX_DISTINCT: usize = 100_000;
const MAX_PATTERNS: usize = 1_000;
/// A column is of one kind when this share of its values are.
const KIND_SHARE: f64 = 0.9;

/// What to show and hide.
#[derive(Debug, Clone, Default)]
pub struct ProfileOptions {
    /// Show common values of columns that look like patient data unmasked.
    pub show_phi: bool,
    /// Columns whose values are never shown, masked or not.
    pub never_show: Vec<String>,
}

/// One file, profiled.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub schema_version: u32,
    pub file: String,
    /// What detection chose (encoding, delimiter, sheet and the other
    /// sheets, header row): what a mapping's `[read]` may override.
    pub format: ReadDetails,
    /// Rows read below the header, blank ones included.
    pub rows: u64,
    pub blank_rows: u64,
    /// Rows whose field count differs from the header's: profiled as far
    /// as their cells go, and counted, as `validate` would reject them.
    pub rows_with_wrong_field_count: u64,
    /// Rows that look like a footer or a total (one cell, `Total patients:
    /// 152`): a `skip_when` rule keeps them from being rejected.
    pub footer_rows: Vec<FooterRows>,
    pub columns: Vec<ColumnProfile>,
}

/// Footer rows found in one column, by the word they start with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FooterRows {
    pub column: String,
    pub starts_with: String,
    pub count: u64,
}

/// Words a footer or total row starts with.
const FOOTER_WORDS: &[&str] = &["total", "totals", "grand", "count", "records", "end", "page", "report", "printed"];

#[derive(Debug, Clone, Serialize)]
pub struct ColumnProfile {
    pub position: usize,
    pub name: String,
    /// The kind of at least 90% of its values; `mixed` when none is, and
    /// `empty` when every value is blank.
    pub inferred_type: String,
    pub kinds: Vec<KindCount>,
    pub blank: u64,
    pub blank_share: f64,
    pub distinct: u64,
    /// True when there were more distinct values than profile counts
    /// (`distinct` is then a lower bound).
    pub distinct_capped: bool,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub date_formats: Vec<DateFormatCount>,
    /// Values a month-first and a day-first format read as two different
    /// dates (03/04/1980): a mapping must say which it is.
    pub ambiguous_dates: u64,
    pub patterns: Vec<ValueCount>,
    /// Values held by at least `MIN_SHOWN` rows, masked as `masking` says.
    pub common_values: Vec<ValueCount>,
    pub masking: Masking,
    /// The canonical field this column most likely is.
    pub suggestion: Option<Suggestion>,
    /// A code column's distinct codes (sex: `M`, `F`, `U`), for the
    /// suggested code table. Codes, not patient data.
    #[serde(skip)]
    pub(crate) codes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    pub kind: ValueKind,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateFormatCount {
    pub format: &'static str,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

/// How a column's common values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Masking {
    /// Not patient data (a sex code, a state, a document type).
    Shown,
    /// Looks like patient data: masked (initials, birth year, last four).
    Masked,
    /// Patient data shown because `--show-phi` was given.
    ShownOnRequest,
    /// Listed in `never_show`: no values at all.
    NeverShown,
}

/// Reads `path` as extract would (the same detection, or what `read`
/// overrides) and profiles every column.
pub fn profile(
    path: &Path,
    read: &ReadOptions,
    options: &ProfileOptions,
    printer: &Printer,
) -> Result<Profile, ExtractError> {
    let display = path.display().to_string();
    let mut reader = extract::open(path, "profile", &display, read)?;
    let names = reader.headers.names().to_vec();
    let mut tallies: Vec<Tally> = names.iter().map(|_| Tally::default()).collect();
    let mut counts = RowCounts::default();
    read_rows(&mut reader, &mut tallies, &mut counts, printer)?;
    let footer_rows = counts
        .footers
        .into_iter()
        .map(|((column, starts_with), count)| FooterRows { column: names[column].clone(), starts_with, count })
        .collect();
    let format = reader.details.clone();
    let columns = names
        .into_iter()
        .zip(tallies)
        .enumerate()
        .map(|(position, (name, tally))| tally.finish(position, name, counts.rows, options))
        .collect();
    Ok(Profile {
        schema_version: 1,
        file: display,
        format,
        rows: counts.rows,
        blank_rows: counts.blank,
        rows_with_wrong_field_count: counts.wrong_field_count,
        footer_rows,
        columns,
    })
}

#[derive(Default)]
struct RowCounts {
    rows: u64,
    blank: u64,
    wrong_field_count: u64,
    /// (column, first word) → rows.
    footers: std::collections::BTreeMap<(usize, String), u64>,
}

/// A row with one value, under a header column, starting with a footer
/// word: the column, and the word as written with the character after it
/// (`Total `, `Page:`), so that a `starts_with` rule on it never matches a
/// surname such as Page or Pagett.
fn footer_of(cells: &[Cell], columns: usize) -> Option<(usize, String)> {
    let mut filled = cells.iter().enumerate().filter(|(_, cell)| !cell.is_empty());
    let (column, cell) = filled.next()?;
    if filled.next().is_some() || column >= columns {
        return None;
    }
    let Cell::Text(text) = cell else { return None };
    let text = text.trim();
    let word: String = text.chars().take_while(|character| character.is_alphabetic()).collect();
    let next = text[word.len()..].chars().next().filter(|character| !character.is_alphanumeric())?;
    FOOTER_WORDS.contains(&word.to_lowercase().as_str()).then(|| (column, format!("{word}{next}")))
}

fn read_rows(
    reader: &mut SourceReader,
    tallies: &mut [Tally],
    counts: &mut RowCounts,
    printer: &Printer,
) -> Result<(), ExtractError> {
    let mut progress = printer.rows_progress("profiling");
    while let Some(row) = reader.next() {
        let row = row?;
        counts.rows += 1;
        progress.row(|| reader.fraction_read());
        if row.is_blank() {
            counts.blank += 1;
            continue;
        }
        if row.defect.is_some() {
            counts.wrong_field_count += 1;
        }
        if let Some(footer) = footer_of(&row.cells, tallies.len()) {
            *counts.footers.entry(footer).or_default() += 1;
            continue;
        }
        for (index, tally) in tallies.iter_mut().enumerate() {
            tally.add(row.cell(index));
        }
    }
    progress.finish();
    Ok(())
}

/// One column's running counts.
#[derive(Default)]
struct Tally {
    blank: u64,
    kinds: HashMap<ValueKind, u64>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    values: HashMap<String, u64>,
    distinct_capped: bool,
    patterns: HashMap<String, u64>,
    date_formats: Vec<u64>,
    date_cells: u64,
    ambiguous_dates: u64,
}

impl Tally {
    fn add(&mut self, cell: &Cell) {
        let Some(text) = cell.as_text().filter(|text| !text.trim().is_empty()) else {
            self.blank += 1;
            return;
        };
        let text = text.trim();
        let reads_as_date = match cell {
            Cell::Date(_) => {
                self.date_cells += 1;
                true
            }
            Cell::Text(_) => self.add_date_readings(text),
            _ => false,
        };
        if let Some(kind) = shape::kind_of(cell, reads_as_date) {
            *self.kinds.entry(kind).or_default() += 1;
        }
        let length = text.chars().count();
        self.min_length = Some(self.min_length.map_or(length, |least| least.min(length)));
        self.max_length = Some(self.max_length.map_or(length, |most| most.max(length)));
        count_capped(&mut self.values, text, MAX_DISTINCT, &mut self.distinct_capped);
        count_capped(&mut self.patterns, &shape::pattern(text), MAX_PATTERNS, &mut false);
    }

    fn add_date_readings(&mut self, text: &str) -> bool {
        let (formats, ambiguous) = shape::date_readings(text);
        if self.date_formats.is_empty() {
            self.date_formats = vec![0; shape::DATE_FORMATS.len()];
        }
        for &format in &formats {
            self.date_formats[format] += 1;
        }
        self.ambiguous_dates += u64::from(ambiguous);
        !formats.is_empty()
    }

    fn finish(self, position: usize, name: String, rows: u64, options: &ProfileOptions) -> ColumnProfile {
        let non_blank: u64 = self.kinds.values().sum();
        let mut kinds: Vec<KindCount> = self.kinds.iter().map(|(&kind, &count)| KindCount { kind, count }).collect();
        kinds.sort_by(|a, b| b.count.cmp(&a.count).then(a.kind.cmp(&b.kind)));
        let mut date_formats: Vec<DateFormatCount> = self
            .date_formats
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(index, &count)| DateFormatCount { format: shape::DATE_FORMATS[index].0, count })
            .collect();
        if self.date_cells > 0 {
            date_formats.insert(0, DateFormatCount { format: "date cell", count: self.date_cells });
        }
        date_formats.sort_by_key(|format| std::cmp::Reverse(format.count));
        let inferred_type = inferred_type(non_blank, &kinds, &date_formats);
        let patterns = top(&self.patterns, 1);
        let blank = self.blank;
        let mut column = ColumnProfile {
            position,
            name,
            inferred_type,
            kinds,
            blank,
            blank_share: if rows == 0 { 0.0 } else { blank as f64 / (blank + non_blank).max(1) as f64 },
            distinct: self.values.len() as u64,
            distinct_capped: self.distinct_capped,
            min_length: self.min_length,
            max_length: self.max_length,
            date_formats,
            ambiguous_dates: self.ambiguous_dates,
            patterns,
            common_values: Vec::new(),
            masking: Masking::Shown,
            suggestion: None,
            codes: Vec::new(),
        };
        column.suggestion = suggest::suggest_field(&column, &self.values);
        let coded = [Field::Sex, Field::MaritalStatus, Field::DocumentType].map(suggest::Target::Field);
        if column.suggestion.as_ref().is_some_and(|suggestion| coded.contains(&suggestion.target)) {
            column.codes = self.values.keys().cloned().collect();
            column.codes.sort();
        }
        column.masking = masking(&column, options);
        column.common_values = shown_values(&self.values, column.masking, column.suggestion.as_ref());
        column
    }
}

fn count_capped(counts: &mut HashMap<String, u64>, key: &str, cap: usize, capped: &mut bool) {
    if let Some(count) = counts.get_mut(key) {
        *count += 1;
    } else if counts.len() < cap {
        counts.insert(key.to_string(), 1);
    } else {
        *capped = true;
    }
}

fn inferred_type(non_blank: u64, kinds: &[KindCount], date_formats: &[DateFormatCount]) -> String {
    if non_blank == 0 {
        return "empty".into();
    }
    let share = |count: u64| count as f64 / non_blank as f64;
    // A date read by several formats counts once per format: the best one
    // says how many values are dates.
    let dates = date_formats.iter().map(|format| format.count).max().unwrap_or(0);
    if share(dates) >= KIND_SHARE {
        return ValueKind::Date.name().into();
    }
    match kinds.first() {
        Some(most) if share(most.count) >= KIND_SHARE => most.kind.name().into(),
        _ => "mixed".into(),
    }
}

/// The most common keys held by at least `least` rows, most common first.
fn top(counts: &HashMap<String, u64>, least: u64) -> Vec<ValueCount> {
    let mut common: Vec<ValueCount> = counts
        .iter()
        .filter(|(_, count)| **count >= least)
        .map(|(value, &count)| ValueCount { value: value.clone(), count })
        .collect();
    common.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    common.truncate(TOP);
    common
}

/// Columns whose header or suggested field says patient data.
const PHI_WORDS: &[&str] = &[
    "name", "last", "first", "middle", "surname", "given", "dob", "birth", "ssn", "social", "addr", "street", "phone",
    "tel", "mobile", "email", "mail", "mrn", "chart", "patient", "acct", "account", "zip", "post", "note", "comment",
    "file", "path",
];

/// Distinct values at or below which a column that nothing marks as patient
/// data is taken for a code (a status, a plan, a department).
const CODE_COLUMN_DISTINCT: u64 = 20;

/// Patient data unless shown otherwise: a column is shown unmasked only when
/// its suggested field is a code (sex, state, document type), or when
/// neither its suggested field nor its header says patient data and it
/// holds a handful of distinct values. A column nobody recognises
/// (`Guarantor`, `Emergency Contact`) is masked.
fn looks_like_phi(column: &ColumnProfile) -> bool {
    if let Some(suggestion) = &column.suggestion {
        return suggestion.target.is_phi();
    }
    let header = column.name.to_lowercase();
    PHI_WORDS.iter().any(|word| header.contains(word)) || column.distinct > CODE_COLUMN_DISTINCT
}

fn masking(column: &ColumnProfile, options: &ProfileOptions) -> Masking {
    let never = options.never_show.iter().any(|name| name.trim().eq_ignore_ascii_case(column.name.trim()));
    match (never, looks_like_phi(column), options.show_phi) {
        (true, _, _) => Masking::NeverShown,
        (false, true, true) => Masking::ShownOnRequest,
        (false, true, false) => Masking::Masked,
        (false, false, _) => Masking::Shown,
    }
}

fn shown_values(values: &HashMap<String, u64>, masking: Masking, suggestion: Option<&Suggestion>) -> Vec<ValueCount> {
    if masking == Masking::NeverShown {
        return Vec::new();
    }
    let mut shown = top(values, MIN_SHOWN);
    if masking == Masking::Masked {
        let field = suggestion.and_then(|suggestion| match suggestion.target {
            // A whole name is masked as the names it holds.
            suggest::Target::WholeName(_) => Some(Field::FamilyName),
            target => target.field(),
        });
        for value in &mut shown {
            value.value = mask_value(&value.value, field);
        }
    }
    shown
}

/// Names keep their initials, dates their year, anything else its last
/// four characters.
fn mask_value(value: &str, field: Option<Field>) -> String {
    match field {
        Some(Field::FamilyName | Field::GivenName | Field::MiddleName | Field::City) => mask::name(value),
        Some(Field::BirthDate | Field::DeathDate) => shape::read_any_date(value)
            .map_or_else(|| mask::identifier(value), |date| mask::birth_date(&date.to_string())),
        _ => mask::identifier(value),
    }
}

#[cfg(test)]
mod tests;
