//! The shape of one value: what kind it is, its pattern (`999-99-9999`,
//! `Aaaa`), and which date formats read it. No value is kept here; the
//! column's tally decides what a person may see.

use jiff::civil::Date;
use serde::Serialize;

use crate::extract::Cell;

/// What a non-blank value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Integer,
    Decimal,
    /// A spreadsheet date cell, or text that a known date format reads.
    Date,
    Boolean,
    Text,
}

impl ValueKind {
    pub const ALL: [ValueKind; 5] =
        [ValueKind::Integer, ValueKind::Decimal, ValueKind::Date, ValueKind::Boolean, ValueKind::Text];

    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Integer => "integer",
            ValueKind::Decimal => "decimal",
            ValueKind::Date => "date",
            ValueKind::Boolean => "boolean",
            ValueKind::Text => "text",
        }
    }
}

/// Which part of a date comes first, for telling 03/04/1980 apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    YearFirst,
    MonthFirst,
    DayFirst,
    /// The month is a word (12-Mar-1980): never ambiguous.
    NamedMonth,
}

/// The text date formats profile recognises, in the strftime notation that
/// mapping files take (`date_formats`).
pub const DATE_FORMATS: &[(&str, Order)] = &[
    ("%Y-%m-%d", Order::YearFirst),
    ("%Y/%m/%d", Order::YearFirst),
    ("%Y%m%d", Order::YearFirst),
    ("%m/%d/%Y", Order::MonthFirst),
    ("%m-%d-%Y", Order::MonthFirst),
    ("%m/%d/%y", Order::MonthFirst),
    ("%d/%m/%Y", Order::DayFirst),
    ("%d-%m-%Y", Order::DayFirst),
    ("%d.%m.%Y", Order::DayFirst),
    ("%d/%m/%y", Order::DayFirst),
    ("%d-%b-%Y", Order::NamedMonth),
    ("%d %b %Y", Order::NamedMonth),
    ("%b %d %Y", Order::NamedMonth),
];

/// The formats (indices into `DATE_FORMATS`) that read `text`, and whether
/// a month-first and a day-first reading give two different dates.
pub fn date_readings(text: &str) -> (Vec<usize>, bool) {
    let text = text.trim();
    // Cheap guard: every format needs a digit, and no date is this long.
    if text.len() > 20 || !text.bytes().any(|byte| byte.is_ascii_digit()) {
        return (Vec::new(), false);
    }
    let mut formats = Vec::new();
    let (mut month_first, mut day_first): (Option<Date>, Option<Date>) = (None, None);
    for (index, (format, order)) in DATE_FORMATS.iter().enumerate() {
        let Some(date) = read_date(format, text) else { continue };
        formats.push(index);
        match order {
            Order::MonthFirst => month_first = month_first.or(Some(date)),
            Order::DayFirst => day_first = day_first.or(Some(date)),
            _ => {}
        }
    }
    let ambiguous = matches!((month_first, day_first), (Some(x), Some(y)) if x != y);
    (formats, ambiguous)
}

/// The date the first format that reads `text` gives.
pub fn read_any_date(text: &str) -> Option<Date> {
    DATE_FORMATS.iter().find_map(|(format, _)| read_date(format, text.trim()))
}

fn read_date(format: &str, text: &str) -> Option<Date> {
    let parsed = jiff::fmt::strtime::parse(format, text).ok()?;
    let date = parsed.to_date().ok()?;
    // A four-digit year outside this range is an id or an amount that
    // happens to fit `%Y%m%d`, not a date in a patient export.
    (1850..=2150).contains(&date.year()).then_some(date)
}

/// The kind of a non-blank cell; none for a blank one.
pub fn kind_of(cell: &Cell, reads_as_date: bool) -> Option<ValueKind> {
    match cell {
        Cell::Empty | Cell::Error(_) => None,
        Cell::Date(_) => Some(ValueKind::Date),
        Cell::Bool(_) => Some(ValueKind::Boolean),
        Cell::Number(number) if number.fract() == 0.0 => Some(ValueKind::Integer),
        Cell::Number(_) => Some(ValueKind::Decimal),
        Cell::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                None
            } else if reads_as_date && !is_integer(text) {
                Some(ValueKind::Date)
            } else if is_integer(text) {
                Some(ValueKind::Integer)
            } else if is_decimal(text) {
                Some(ValueKind::Decimal)
            } else if matches!(text.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no") {
                Some(ValueKind::Boolean)
            } else {
                Some(ValueKind::Text)
            }
        }
    }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let (whole, fraction) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    !fraction.is_empty()
        && whole.bytes().all(|byte| byte.is_ascii_digit())
        && fraction.bytes().all(|byte| byte.is_ascii_digit())
}

/// Longest pattern shown; longer values end in `…`.
const PATTERN_LENGTH: usize = 24;

/// A value's shape: digits become `9`, capitals `A`, small letters `a`;
/// everything else stays (`123-45-6789` → `999-99-9999`, `O'Brien` →
/// `A'Aaaaa`). A pattern says what a column holds without showing a value.
pub fn pattern(text: &str) -> String {
    let mut shape = String::new();
    for (count, character) in text.trim().chars().enumerate() {
        if count == PATTERN_LENGTH {
            shape.push('…');
            break;
        }
        shape.push(match character {
            digit if digit.is_ascii_digit() => '9',
            letter if letter.is_uppercase() => 'A',
            letter if letter.is_alphabetic() => 'a',
            other => other,
        });
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats(text: &str) -> Vec<&'static str> {
        date_readings(text).0.into_iter().map(|index| DATE_FORMATS[index].0).collect()
    }

    #[test]
    fn patterns_hide_the_value_and_keep_its_shape() {
        assert_eq!(pattern("123-45-6789"), "999-99-9999");
        assert_eq!(pattern("O'Brien"), "A'Aaaaa");
        assert_eq!(pattern("José"), "Aaaa");
        assert_eq!(pattern(&"x".repeat(40)).chars().count(), PATTERN_LENGTH + 1);
    }

    #[test]
    fn dates_are_read_by_every_format_that_fits_and_flagged_when_ambiguous() {
        assert_eq!(formats("1980-03-04"), ["%Y-%m-%d"]);
        assert_eq!(formats("12/25/1980"), ["%m/%d/%Y"]);
        assert_eq!(formats("25.12.1980"), ["%d.%m.%Y"]);
        assert_eq!(formats("03/04/1980"), ["%m/%d/%Y", "%d/%m/%Y"]);
        assert!(date_readings("03/04/1980").1, "March 4th or 3 April");
        assert!(!date_readings("04/04/1980").1, "the same date either way");
        assert!(!date_readings("12/25/1980").1);
        assert_eq!(formats("12-Mar-1980"), ["%d-%b-%Y"]);
        assert!(formats("100001").is_empty(), "a chart number is no date");
        assert!(formats("Smith").is_empty());
    }

    #[test]
    fn kinds_follow_the_cell_and_the_text() {
        assert_eq!(kind_of(&Cell::Number(12.0), false), Some(ValueKind::Integer));
        assert_eq!(kind_of(&Cell::Number(12.5), false), Some(ValueKind::Decimal));
        assert_eq!(kind_of(&Cell::Text("02134".into()), false), Some(ValueKind::Integer));
        assert_eq!(kind_of(&Cell::Text("3.75".into()), false), Some(ValueKind::Decimal));
        assert_eq!(kind_of(&Cell::Text("03/04/1980".into()), true), Some(ValueKind::Date));
        assert_eq!(kind_of(&Cell::Text("19800304".into()), true), Some(ValueKind::Integer));
        assert_eq!(kind_of(&Cell::Text("yes".into()), false), Some(ValueKind::Boolean));
        assert_eq!(kind_of(&Cell::Text("  ".into()), false), None);
        assert_eq!(kind_of(&Cell::Text("Smith".into()), false), Some(ValueKind::Text));
    }
}
