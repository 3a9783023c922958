//! The mapping file as written (TOML), with the position of every name a
//! person may mistype, so compile errors can point at it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::extract::ReadOptions;

/// A mapping file: how one export's columns become canonical fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingFile {
    pub entity: Spanned<String>,
    #[serde(default)]
    pub read: ReadOptions,
    /// Fields that must not be blank; by default the entity's own list.
    pub required: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub skip_when: Vec<SkipWhen>,
    #[serde(default)]
    pub fields: BTreeMap<Spanned<String>, FieldSpec>,
    #[serde(default)]
    pub identifiers: Vec<IdentifierSpec>,
    #[serde(default)]
    pub validate: ValidateOptions,
}

/// `[validate]`: the mapping's say in the validation rules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateOptions {
    /// Birth dates further back than this many years are rejected
    /// (E-BIRTH-DATE-TOO-OLD); default 120.
    pub max_age_years: Option<Spanned<u16>>,
    /// The scheme national ids follow: `us-ssn` (the default) or `none`.
    pub national_id: Option<crate::validate::national_id::NationalIdScheme>,
    /// The conventions states and postal codes follow: `us` (the default:
    /// USPS state codes, ZIP codes) or `none`.
    pub postal: Option<crate::validate::postal::PostalScheme>,
}

/// `[fields.NAME]`: where a canonical field's value comes from.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub column: Option<Spanned<String>>,
    /// Several columns joined with `separator` (default one space), blanks
    /// left out.
    pub columns: Option<Vec<Spanned<String>>>,
    pub separator: Option<String>,
    pub constant: Option<Spanned<String>>,
    #[serde(default)]
    pub transforms: Vec<Spanned<String>>,
    /// A regular expression the (trimmed) value must match; its first
    /// capture group, or the whole match, becomes the value, before the
    /// transforms.
    pub regex: Option<Spanned<String>>,
    /// The column holds a whole name, written `last_first` (`GARCIA, Maria
    /// J`) or `first_last` (`Maria J Garcia`), or one part with its title or
    /// suffix (`family`: `SMITH JR`; `given`: `DR JOHN A`); the field takes
    /// its own part.
    pub split_name: Option<Spanned<String>>,
    /// For the phone field: the country of numbers written without a
    /// country code; every number becomes E.164 (`+16145550100`).
    pub phone_country: Option<Spanned<String>>,
    /// Two-digit years (`%y`) at or above this are 19xx, below it 20xx;
    /// without it, 69-99 are 19xx and 00-68 are 20xx.
    pub century_pivot: Option<Spanned<u8>>,
    /// strftime-style formats, tried in order, for text dates.
    pub date_formats: Option<Vec<Spanned<String>>>,
    /// Legacy code → canonical value; matched ignoring case and spaces.
    pub codes: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    /// The value for a code the table does not list; without it, an unknown
    /// code rejects the row.
    pub code_default: Option<Spanned<String>>,
}

/// `[[identifiers]]`: a legacy identifier and the system that issued it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierSpec {
    pub column: Spanned<String>,
    pub system: Spanned<String>,
    #[serde(default)]
    pub transforms: Vec<Spanned<String>>,
    /// `match = false`: kept on the patient, never compared.
    #[serde(rename = "match")]
    pub compared: Option<bool>,
}

/// `[[skip_when]]`: rows deliberately skipped (footers, totals, test
/// patients), counted in the report rather than rejected.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipWhen {
    pub column: Spanned<String>,
    pub equals: Option<String>,
    pub starts_with: Option<String>,
    pub contains: Option<String>,
}

/// A mapping file read from disk, with its text kept for positions.
#[derive(Debug)]
pub struct LoadedMapping {
    pub path: PathBuf,
    pub text: String,
    pub file: MappingFile,
    /// Misspelt keys found while reading, reported with whatever compiling
    /// finds (the file was read without them).
    pub key_problems: Vec<Diagnostic>,
}

impl LoadedMapping {
    pub fn at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(&self.path, &self.text, offset, message)
    }
}

/// How many problems one file may have before reading gives up.
const MAX_PROBLEMS: usize = 50;

/// Reads a mapping file, every misspelt key and mistyped value reported at
/// once (see `read_all`).
pub(super) fn parse(path: &Path, text: String) -> Result<LoadedMapping, Diagnostics> {
    let (file, key_problems) = read_all::<MappingFile>(path, &text)?;
    Ok(LoadedMapping { path: path.to_path_buf(), text, file, key_problems })
}

/// Reads a TOML file into `T`, collecting every problem rather than the
/// first. serde stops at the first unknown key or value of the wrong type;
/// each such entry is blanked out (with spaces, so every position stays
/// true) and the file read again, until it reads or fails for another
/// reason (a syntax error, a missing key), which ends the list. What read
/// comes back with the problems, sorted by position, for the caller to
/// report with its own; a file that never read is the problems alone.
pub fn read_all<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<(T, Vec<Diagnostic>), Diagnostics> {
    let mut read = text.to_string();
    let mut problems = Vec::new();
    let mut blanked = Vec::new();
    loop {
        let error = match toml::from_str::<T>(&read) {
            Ok(file) => {
                problems.sort_by_key(|problem: &Diagnostic| (problem.line, problem.column));
                return Ok((file, problems));
            }
            Err(error) => error,
        };
        let follows_a_blank = error.span().is_some_and(|span| missing_because_blanked(&error, span, text, &blanked));
        if !follows_a_blank {
            problems.push(toml_diagnostic(path, text, &error));
        }
        // A key missing from the top level has an empty span, at the start
        // of the file: there is no entry to set aside (the first one would
        // be), and reading again would only say it again.
        let entry = error.span().filter(|span| !span.is_empty()).and_then(|span| entry_span(&read, span.start));
        if let Some(entry) = &entry {
            blanked.push(entry.clone());
            blank(&mut read, entry.clone());
        }
        if entry.is_none() || problems.len() >= MAX_PROBLEMS {
            problems.sort_by_key(|problem| (problem.line, problem.column));
            return Err(Diagnostics(problems));
        }
    }
}

/// Whether `error` is a required key missing only because its mistyped
/// entry was blanked, in the same table: the mistake was said already.
fn missing_because_blanked(
    error: &toml::de::Error,
    span: std::ops::Range<usize>,
    text: &str,
    blanked: &[std::ops::Range<usize>],
) -> bool {
    let Some(missing) = error.message().strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) else {
        return false;
    };
    blanked.iter().any(|entry| {
        let key = text[entry.clone()].split('=').next().unwrap_or_default().trim().trim_matches('"');
        // After the table's header, with no other table's header between.
        key == missing && entry.start >= span.end && !text[span.end..entry.start].contains("\n[")
    })
}

/// The innermost whole `key = value` entry holding `offset` (in its key or
/// its value), value included however many lines it spans.
fn entry_span(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    let table = toml::de::DeTable::parse(text).ok()?;
    find_entry(table.get_ref(), offset)
}

fn find_entry(table: &toml::de::DeTable<'_>, offset: usize) -> Option<std::ops::Range<usize>> {
    for (key, value) in table.iter() {
        let entry = key.span().start..value.span().end;
        let nested = match value.get_ref() {
            toml::de::DeValue::Table(table) => find_entry(table, offset),
            toml::de::DeValue::Array(items) => items.iter().find_map(|item| match item.get_ref() {
                toml::de::DeValue::Table(table) => find_entry(table, offset),
                _ => None,
            }),
            _ => None,
        };
        if nested.is_some() {
            return nested;
        }
        if entry.contains(&offset) {
            return Some(entry);
        }
    }
    None
}

/// Spaces over `range`, line breaks kept: the text keeps its positions.
fn blank(text: &mut String, range: std::ops::Range<usize>) {
    let blanked: String =
        text[range.clone()].chars().map(|character| if character == '\n' { '\n' } else { ' ' }).collect();
    text.replace_range(range, &blanked);
}

/// A TOML or schema error as a diagnostic. serde names an unknown key and
/// the expected ones in its message; the nearest expected key becomes the hint.
pub fn toml_diagnostic(path: &Path, text: &str, error: &toml::de::Error) -> Diagnostic {
    let offset = error.span().map_or(0, |span| span.start);
    let message = error.message().trim().to_string();
    let nearest = unknown_and_expected(&message)
        .and_then(|(unknown, expected)| crate::suggest::nearest(unknown, expected.iter().copied()).map(str::to_string));
    Diagnostic::at(path, text, offset, message).suggest(nearest.as_deref())
}

/// From "unknown field `colum`, expected one of `column`, `columns`".
fn unknown_and_expected(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split('`').skip(1).step_by(2).collect();
    Some((unknown, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_points_at_its_line_with_a_suggestion() {
        let text = "entity = \"patient\"\n[fields.family_name]\ncolum = \"Last\"\n".to_string();
        let read = parse(Path::new("m.toml"), text).unwrap();
        let diagnostic = &read.key_problems[0];
        assert_eq!((diagnostic.line, diagnostic.column), (3, 1));
        assert!(diagnostic.message.starts_with("unknown field `colum`"), "{}", diagnostic.message);
        assert_eq!(diagnostic.hint.as_deref(), Some("did you mean `column`?"));
    }

    #[test]
    fn every_misspelt_key_is_reported_in_one_read() {
        let text = "entity = \"patient\"\nrequird = [\"family_name\"]\n[fields.family_name]\ncolum = \"Last\"\n\
                    [fields.birth_date]\ncolumn = \"DOB\"\ndate_format = [\n  \"%m/%d/%Y\",\n]\n"
            .to_string();
        let read = parse(Path::new("m.toml"), text).unwrap();
        let found: Vec<(usize, usize, Option<&str>)> =
            read.key_problems.iter().map(|d| (d.line, d.column, d.hint.as_deref())).collect();
        assert_eq!(
            found,
            [
                (2, 1, Some("did you mean `required`?")),
                (4, 1, Some("did you mean `column`?")),
                (7, 1, Some("did you mean `date_formats`?")),
            ]
        );
    }

    #[test]
    fn a_mistyped_required_value_is_one_problem_and_reading_goes_on() {
        // `column` is required in `[[identifiers]]`: blanking the mistyped
        // value leaves it missing, which is the same mistake said again.
        let text = "entity = \"patient\"\n[[identifiers]]\ncolumn = 5\nsystem = \"chart\"\n\
                    [fields.family_name]\ncolumn = [\"Last\"]\n"
            .to_string();
        let problems = match parse(Path::new("m.toml"), text) {
            Ok(read) => read.key_problems,
            Err(Diagnostics(problems)) => problems,
        };
        let found: Vec<(usize, usize)> = problems.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(found, [(3, 10), (6, 10)], "reading goes on past it: {problems:?}");
        assert!(problems[0].message.starts_with("invalid type: integer `5`"), "{}", problems[0].message);
    }
}
