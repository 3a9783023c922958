//! `Cell`: one value as the file stored it, before anyone decides what it means.

use std::borrow::Cow;

use jiff::civil::Date;

/// A cell keeps the type the file gave it: a spreadsheet knows a date cell
/// from a number cell, and that difference must survive until mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date (Excel serial already converted, in either
    /// the 1900 or the 1904 date system).
    Date(Date),
    Bool(bool),
    /// A spreadsheet error value such as `#REF!`.
    Error(String),
}

impl Cell {
    /// Blank text counts as empty: legacy exports pad with spaces.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as text, the way a person reading the cell would type it.
    /// Whole numbers lose the `.0` a spreadsheet adds (chart 1042, not
    /// 1042.0). Error cells have no text.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Empty | Cell::Error(_) => None,
            Cell::Text(text) => Some(Cow::Borrowed(text)),
            Cell::Number(number) => Some(Cow::Owned(format_number(*number))),
            Cell::Date(date) => Some(Cow::Owned(date.to_string())),
            Cell::Bool(flag) => Some(Cow::Borrowed(if *flag { "TRUE" } else { "FALSE" })),
        }
    }
}

fn format_number(number: f64) -> String {
    // 2^53: beyond it an f64 no longer holds every whole number exactly.
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() < EXACT_LIMIT { format!("{}", number as i64) } else { number.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_read_as_integers() {
        assert_eq!(Cell::Number(43215.0).as_text().unwrap(), "43215");
        assert_eq!(Cell::Number(-7.0).as_text().unwrap(), "-7");
        assert_eq!(Cell::Number(2.5).as_text().unwrap(), "2.5");
    }

    #[test]
    fn blank_text_is_empty_but_zero_is_not() {
        assert!(Cell::Text("   ".into()).is_empty());
        assert!(!Cell::Number(0.0).is_empty());
        assert_eq!(Cell::Error("#REF!".into()).as_text(), None);
    }
}
