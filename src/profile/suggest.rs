//! Which canonical field a column most likely is, and a starting mapping
//! file built from those guesses.
//!
//! A guess combines the header (fuzzy-matched against the names exports
//! give each field: `Pt Last Name`, `LNAME`, `Surname` are all the family
//! name) with the values' shape (a birth date column holds dates, a sex
//! column a handful of codes). A header alone is a weaker guess; a shape
//! alone only counts for shapes that say it plainly (`999-99-9999`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use serde::{Serialize, Serializer};

use super::shape::{DATE_FORMATS, Order};
use super::{ColumnProfile, Profile};
use crate::extract::{Format, ReadOptions};
use crate::mapping::{CodeTable, Lookup, NameForm, NamePart};
use crate::record::{CodeSet, Entity, Field};

/// What a column is guessed to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Field(Field),
    /// A legacy identifier (chart number, MRN): an `[[identifiers]]` entry.
    Identifier,
    /// A whole name in one column, every value of which splits cleanly in
    /// this form: each name field takes its part (`split_name`).
    WholeName(NameForm),
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Field(field) => field.name(),
            Target::Identifier => "identifier",
            Target::WholeName(_) => "whole_name",
        }
    }

    pub fn field(self) -> Option<Field> {
        match self {
            Target::Field(field) => Some(field),
            Target::Identifier | Target::WholeName(_) => None,
        }
    }

    /// Whether the column holds patient data: masked in profiles.
    pub fn is_phi(self) -> bool {
        !matches!(
            self,
            Target::Field(
                Field::Sex
                    | Field::MaritalStatus
                    | Field::Title
                    | Field::State
                    | Field::DocumentType
                    | Field::PageCount
                    | Field::ScanBatch
                    | Field::LastUpdated
                    | Field::DocumentDate
            )
        )
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub target: Target,
    /// 0 to 1: how sure the guess is.
    pub confidence: f64,
    pub reason: String,
}

/// The header names legacy exports give each target, lower case, words
/// separated by single spaces.
const SYNONYMS: &[(Target, &[&str])] = &[
    (
        Target::Field(Field::FamilyName),
        &["last name", "lastname", "lname", "surname", "family name", "last", "family", "patient last name", "pt last"],
    ),
    (
        Target::Field(Field::GivenName),
        &["first name", "firstname", "fname", "first", "given name", "given names", "forename", "patient first name"],
    ),
    (Target::Field(Field::MiddleName), &["middle name", "middle initial", "mi", "middle", "mname"]),
    (Target::Field(Field::Suffix), &["suffix", "sfx", "name suffix"]),
    (Target::Field(Field::Title), &["title", "prefix", "name prefix", "salutation", "honorific"]),
    (
        Target::Field(Field::BirthDate),
        &["dob", "date of birth", "birth date", "birthdate", "born", "bdate", "birthday", "birth"],
    ),
    (Target::Field(Field::Sex), &["sex", "gender", "sex code"]),
    (
        Target::Field(Field::MaritalStatus),
        &["marital status", "marital", "ms", "mar status", "marital code", "civil status", "marital stat"],
    ),
    (
        Target::Field(Field::DeathDate),
        &["date of death", "death date", "dod", "deceased date", "date deceased", "died", "death", "expired date"],
    ),
    (
        Target::Field(Field::NationalId),
        &["ssn", "social security", "social security number", "soc sec", "soc sec id", "ss", "national id"],
    ),
    (
        Target::Field(Field::AddressLine1),
        &["address", "address1", "address 1", "addr", "addr1", "street", "street address", "address line 1"],
    ),
    (Target::Field(Field::AddressLine2), &["address2", "address 2", "addr2", "address line 2", "apt", "suite"]),
    (Target::Field(Field::City), &["city", "town", "suburb", "locality"]),
    (Target::Field(Field::State), &["state", "st", "province", "region"]),
    (Target::Field(Field::PostalCode), &["zip", "zip code", "zipcode", "postal code", "postcode", "post code"]),
    (
        Target::Field(Field::Phone),
        &["phone", "home phone", "telephone", "tel", "phone number", "mobile", "cell", "cell phone"],
    ),
    (Target::Field(Field::Email), &["email", "e mail", "email address"]),
    (Target::Field(Field::LastUpdated), &["last updated", "last modified", "modified", "updated", "last visit"]),
    (Target::Field(Field::DocumentType), &["doc type", "document type", "type", "category"]),
    (Target::Field(Field::DocumentDate), &["doc date", "document date", "date of service", "service date"]),
    (Target::Field(Field::PageCount), &["pages", "page count", "num pages"]),
    (Target::Field(Field::FilePath), &["file", "file path", "filename", "file name", "path", "image"]),
    (Target::Field(Field::ScanBatch), &["batch", "scan batch", "box"]),
    (
        Target::Identifier,
        &[
            "chart",
            "chart no",
            "chart number",
            "mrn",
            "medical record number",
            "patient id",
            "patientid",
            "pt id",
            "account",
            "acct",
            "account number",
            "record number",
            "id",
            "rec id",
        ],
    ),
];

/// Headers of a column holding the whole name.
const WHOLE_NAME: &[&str] =
    &["patient name", "name", "full name", "pt name", "patient", "patient full name", "client name", "member name"];

/// Below this, a header match is no guess at all.
const HEADER_FLOOR: f64 = 0.85;

/// At or above this, a header plainly names a whole-name column.
const WHOLE_NAME_HEADER: f64 = 0.95;

/// The share of values that must split cleanly for `split_name` to be
/// suggested: a form that leaves a tenth of the rows rejected is no fit.
const WHOLE_NAME_CLEAN: f64 = 0.95;

/// The best guess for one column, from its header and its values.
pub(super) fn suggest_field(column: &ColumnProfile, values: &HashMap<String, u64>) -> Option<Suggestion> {
    let header = normalise(&column.name);
    if let Some((similarity, synonym)) = best_synonym(&header, WHOLE_NAME).filter(|(s, _)| *s >= WHOLE_NAME_HEADER) {
        // A whole name is never one of its parts: it is split, or left
        // for a person to map.
        return whole_name_form(values).map(|form| Suggestion {
            target: Target::WholeName(form),
            confidence: (similarity * 100.0).round() / 100.0,
            reason: format!("header like \"{synonym}\" and its values split as {}", form.name()),
        });
    }
    let mut best: Option<Suggestion> = None;
    for &(target, names) in SYNONYMS {
        let (similarity, synonym) = best_synonym(&header, names).expect("every target has names");
        let shape = shape_fit(target, column, values);
        let (confidence, reason) = if similarity >= HEADER_FLOOR {
            let fit = match shape {
                Fit::Yes => 1.0,
                Fit::Unknown => 0.85,
                Fit::No => 0.4,
            };
            let how = match shape {
                Fit::Yes => "and its values fit",
                Fit::Unknown => "",
                Fit::No => "but its values do not fit",
            };
            (similarity * fit, format!("header like \"{synonym}\" {how}").trim_end().to_string())
        } else if shape == Fit::Yes && distinctive(target) {
            (0.6, "its values' shape only".to_string())
        } else {
            continue;
        };
        if best.as_ref().is_none_or(|best| confidence > best.confidence) {
            best = Some(Suggestion { target, confidence: (confidence * 100.0).round() / 100.0, reason });
        }
    }
    best
}

fn best_synonym(header: &str, names: &[&'static str]) -> Option<(f64, &'static str)> {
    names.iter().map(|name| (header_similarity(header, name), *name)).max_by(|a, b| a.0.total_cmp(&b.0))
}

/// The form in which nearly every value splits into at least a family and a
/// given name; none when no form does.
fn whole_name_form(values: &HashMap<String, u64>) -> Option<NameForm> {
    let splits_cleanly = |value: &str, form| {
        crate::mapping::split_name(value, form).is_ok_and(|name| {
            [NamePart::Family, NamePart::Given].iter().all(|part| name.part(*part).is_ok_and(|found| found.is_some()))
        })
    };
    [NameForm::LastFirst, NameForm::FirstLast]
        .into_iter()
        .find(|form| share_of(values, |value| splits_cleanly(value, *form)) >= WHOLE_NAME_CLEAN)
}

/// Lower case, `_`, `-`, `.` and `#` read as spaces, single spaces: `PT_LAST-NAME` → `pt last name`.
fn normalise(header: &str) -> String {
    let spaced: String = header
        .to_lowercase()
        .chars()
        .map(|character| if matches!(character, '_' | '-' | '.' | '#' | '/') { ' ' } else { character })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn header_similarity(header: &str, name: &str) -> f64 {
    let squeeze = |text: &str| text.replace(' ', "");
    if header == name || squeeze(header) == squeeze(name) {
        return 1.0;
    }
    // `pt last name` holds `last name`: a qualified header is still the name.
    let words: Vec<&str> = header.split(' ').collect();
    let wanted: Vec<&str> = name.split(' ').collect();
    if wanted.len() > 1 && words.windows(wanted.len()).any(|window| window == wanted.as_slice()) {
        return 0.95;
    }
    // Short names (`st`, `mi`) only ever match whole.
    if name.len() <= 3 || header.len() <= 3 {
        return 0.0;
    }
    strsim::jaro_winkler(header, name) * 0.95
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    Yes,
    No,
    Unknown,
}

/// Shapes that name their field on their own, whatever the header says.
fn distinctive(target: Target) -> bool {
    matches!(target, Target::Field(Field::NationalId | Field::Email))
}

fn shape_fit(target: Target, column: &ColumnProfile, values: &HashMap<String, u64>) -> Fit {
    if column.inferred_type == "empty" {
        return Fit::Unknown;
    }
    let is_date = column.inferred_type == "date";
    let main_pattern = column.patterns.first().map(|pattern| pattern.value.as_str()).unwrap_or("");
    let fit = |yes: bool| if yes { Fit::Yes } else { Fit::No };
    match target {
        Target::Field(Field::BirthDate | Field::DeathDate | Field::DocumentDate | Field::LastUpdated) => fit(is_date),
        // A closed set, even when some of its codes are the system's own.
        Target::Field(Field::MaritalStatus) => fit(values.len() <= 15 && !is_date),
        Target::Field(Field::Title) => fit(values.len() <= 30 && !is_date),
        // A stray code or two (a typo, an `X`) does not make it less a sex column.
        Target::Field(Field::Sex) => fit(values.len() <= 8 && share_of(values, |code| sex_code(code).is_some()) >= 0.9),
        Target::Field(Field::NationalId) => fit(matches!(main_pattern, "999-99-9999" | "999999999")),
        Target::Field(Field::PostalCode) => fit(matches!(main_pattern, "99999" | "99999-9999" | "9999")),
        Target::Field(Field::State) => fit(main_pattern == "AA" || main_pattern == "aa"),
        Target::Field(Field::Email) => fit(share_of(values, |value| value.contains('@')) >= 0.9),
        Target::Field(Field::Phone) => fit(main_pattern.matches('9').count() >= 7),
        Target::Field(Field::PageCount) => fit(column.inferred_type == "integer"),
        Target::Field(Field::FilePath) => fit(share_of(values, looks_like_path) >= 0.9),
        Target::Field(Field::FamilyName | Field::GivenName | Field::City) => {
            fit(!is_date && main_pattern.chars().any(char::is_alphabetic))
        }
        Target::Identifier => fit(!is_date),
        _ => Fit::Unknown,
    }
}

/// Nine-digit codes: a ZIP+4 written without its dash.
fn dashless_zip_plus_four(column: &ColumnProfile) -> bool {
    column.patterns.iter().any(|pattern| pattern.value == "999999999")
}

/// Five-digit codes, some of them four digits long: ZIP codes a spreadsheet
/// stored as numbers.
fn lost_leading_zeros(column: &ColumnProfile) -> bool {
    let main = column.patterns.first().map(|pattern| pattern.value.as_str());
    column.patterns.iter().any(|pattern| pattern.value == "9999")
        || (main == Some("99999") && column.min_length.is_some_and(|length| (3..5).contains(&length)))
}

/// The share of rows whose value passes `test` (every distinct value
/// counted, so the answer never depends on hash order).
fn share_of(values: &HashMap<String, u64>, test: impl Fn(&str) -> bool) -> f64 {
    let total: u64 = values.values().sum();
    let passing: u64 = values.iter().filter(|(value, _)| test(value)).map(|(_, count)| count).sum();
    if total == 0 { 0.0 } else { passing as f64 / total as f64 }
}

fn looks_like_path(value: &str) -> bool {
    let lower = value.to_lowercase();
    value.contains(['/', '\\']) || [".pdf", ".tif", ".tiff", ".jpg", ".png"].iter().any(|end| lower.ends_with(end))
}

/// The canonical sex for a legacy code: the spellings every system uses,
/// and ISO 5218's numbers (1 male, 2 female, 0 and 9 unknown).
fn sex_code(code: &str) -> Option<&'static str> {
    match code.trim().to_uppercase().as_str() {
        "M" | "MALE" | "1" => Some("male"),
        "F" | "FEMALE" | "2" => Some("female"),
        "U" | "UNKNOWN" | "0" | "9" => Some("unknown"),
        "O" | "OTHER" => Some("other"),
        _ => None,
    }
}

/// A starting mapping file for the profiled export, as TOML text: the
/// fields guessed with their confidence, and the columns left unmatched.
/// Each field goes to the column that fits it best; a file path makes the
/// export a scan index (a `document` mapping).
pub fn suggest_mapping(profile: &Profile, read: &ReadOptions) -> String {
    let entity = if chosen(profile).any(|(_, suggestion)| suggestion.target == Target::Field(Field::FilePath)) {
        Entity::Document
    } else {
        Entity::Patient
    };
    let mut taken: BTreeMap<&'static str, (usize, f64)> = BTreeMap::new();
    for (column, suggestion) in chosen(profile) {
        let allowed = match suggestion.target {
            Target::Field(field) => entity.fields().contains(&field),
            Target::Identifier | Target::WholeName(_) => true,
        };
        if !allowed || suggestion.target == Target::Identifier {
            continue;
        }
        let name = suggestion.target.name();
        if taken.get(name).is_none_or(|(_, confidence)| suggestion.confidence > *confidence) {
            taken.insert(name, (column.position, suggestion.confidence));
        }
    }
    let mut text = String::new();
    let _ = writeln!(text, "# A starting mapping for {}, suggested by", quoted(&profile.file));
    let _ = writeln!(text, "# `emr-migrate profile --suggest-mapping` from its headers and values.");
    let _ = writeln!(text, "# Check every field before a run: the confidence after each column is how");
    let _ = writeln!(text, "# sure the guess is (1.00: a known header, and values that fit).");
    let _ = writeln!(text, "entity = \"{}\"", entity.name());
    write_read_table(&mut text, profile, read, entity);
    for footer in &profile.footer_rows {
        let _ = writeln!(
            text,
            "\n# {} footer row(s) starting \"{}\": skipped, not rejected.",
            footer.count, footer.starts_with
        );
        let _ = writeln!(
            text,
            "[[skip_when]]\ncolumn = {}\nstarts_with = {}",
            quoted(&footer.column),
            quoted(&footer.starts_with)
        );
    }
    let mut unmatched = Vec::new();
    let mut identifiers = Vec::new();
    for column in &profile.columns {
        let Some(suggestion) = column.suggestion.as_ref() else {
            unmatched.push(column);
            continue;
        };
        if suggestion.target == Target::Identifier {
            identifiers.push((column, suggestion));
            continue;
        }
        match (taken.get(suggestion.target.name()), suggestion.target) {
            (Some((position, _)), Target::WholeName(form)) if *position == column.position => {
                let free = NamePart::FIELDS
                    .iter()
                    .map(|(field, _)| *field)
                    .filter(|field| entity.fields().contains(field) && !taken.contains_key(field.name()));
                write_whole_name(&mut text, column, suggestion, form, free);
            }
            (Some((position, _)), _) if *position == column.position => {
                write_field(&mut text, column, suggestion);
            }
            _ => unmatched.push(column),
        }
    }
    for (column, suggestion) in identifiers {
        let _ = writeln!(text, "\n[[identifiers]]");
        let _ = writeln!(text, "column = {}  # {}", quoted(&column.name), confidence(suggestion));
        let _ = writeln!(text, "system = {}", quoted(&system_name(&profile.file, &column.name)));
    }
    if !unmatched.is_empty() {
        let _ = writeln!(text, "\n# Columns matched to no field (add them if they hold one):");
        for column in unmatched {
            let _ = writeln!(
                text,
                "#   {} ({}, {:.0}% blank)",
                quoted(&column.name),
                column.inferred_type,
                column.blank_share * 100.0
            );
        }
    }
    text
}

/// `[read]`: whatever the profile was read with that detection would not
/// find again (a layout, no header, a header row, an encoding, delimiter or
/// quote given by hand), the sheet when the workbook has others, and for a
/// scan index the scan root to fill in.
fn write_read_table(text: &mut String, profile: &Profile, read: &ReadOptions, entity: Entity) {
    let mut lines = Vec::new();
    if let Some(columns) = read.columns.as_ref().filter(|_| read.format == Some(Format::Fixed)) {
        lines.push("format = \"fixed\"".to_string());
        let layout: Vec<String> = columns
            .iter()
            .map(|column| match (column.end, column.width) {
                (Some(end), _) => {
                    format!("    {{ name = {}, start = {}, end = {end} }},", quoted(&column.name), column.start)
                }
                (None, width) => format!(
                    "    {{ name = {}, start = {}, width = {} }},",
                    quoted(&column.name),
                    column.start,
                    width.unwrap_or_default()
                ),
            })
            .collect();
        lines.push(format!("columns = [\n{}\n]", layout.join("\n")));
    }
    if read.header == Some(false) {
        lines.push("header = false".into());
    }
    if let Some(row) = read.header_row {
        lines.push(format!("header_row = {row}"));
    }
    if let Some(encoding) = &read.encoding {
        lines.push(format!("encoding = {}", quoted(encoding)));
    }
    for (key, character) in [("delimiter", read.delimiter), ("quote", read.quote)] {
        if let Some(character) = character {
            lines.push(format!("{key} = {}", quoted(&character.to_string())));
        }
    }
    if let Some(sheet) = profile.format.sheet.as_ref().filter(|_| !profile.format.other_sheets.is_empty()) {
        lines.push(format!("sheet = {}", quoted(sheet)));
    }
    if entity == Entity::Document {
        lines.push("# A scan index: the folder its file paths start from.\n# scan_root = \"scans\"".into());
    }
    if !lines.is_empty() {
        let _ = writeln!(text, "\n[read]\n{}", lines.join("\n"));
    }
}

/// Columns with a guess good enough to write down.
fn chosen(profile: &Profile) -> impl Iterator<Item = (&ColumnProfile, &Suggestion)> {
    profile.columns.iter().filter_map(|column| column.suggestion.as_ref().map(|suggestion| (column, suggestion)))
}

fn confidence(suggestion: &Suggestion) -> String {
    format!("confidence {:.2}: {}", suggestion.confidence, suggestion.reason)
}

fn write_field(text: &mut String, column: &ColumnProfile, suggestion: &Suggestion) {
    let _ = writeln!(text, "\n[fields.{}]", suggestion.target.name());
    let _ = writeln!(text, "column = {}  # {}", quoted(&column.name), confidence(suggestion));
    match suggestion.target {
        Target::Field(Field::BirthDate | Field::DeathDate | Field::DocumentDate | Field::LastUpdated) => {
            write_date_formats(text, column)
        }
        Target::Field(Field::Sex) => write_sex_codes(text, &column.codes),
        Target::Field(Field::MaritalStatus) => write_marital_codes(text, &column.codes),
        Target::Field(Field::DocumentType) => write_document_type_codes(text, &column.codes),
        Target::Field(Field::PostalCode) if lost_leading_zeros(column) || dashless_zip_plus_four(column) => {
            if lost_leading_zeros(column) {
                let _ = writeln!(text, "# Some codes have four digits: a spreadsheet dropped their leading zero.");
            }
            if dashless_zip_plus_four(column) {
                let _ = writeln!(text, "# Some codes are a ZIP+4 written without its dash.");
            }
            let _ = writeln!(text, "transforms = [\"zip_code\"]");
        }
        _ => {}
    }
}

/// The formats seen, those of the more common order only when month-first
/// and day-first both read the column: a mapping must not guess.
fn write_date_formats(text: &mut String, column: &ColumnProfile) {
    let order_of = |format: &str| DATE_FORMATS.iter().find(|(known, _)| *known == format).map(|(_, order)| *order);
    let count_of = |order: Order| -> u64 {
        column.date_formats.iter().filter(|seen| order_of(seen.format) == Some(order)).map(|seen| seen.count).sum()
    };
    let dropped =
        if count_of(Order::MonthFirst) >= count_of(Order::DayFirst) { Order::DayFirst } else { Order::MonthFirst };
    let formats: Vec<String> = column
        .date_formats
        .iter()
        .filter(|seen| order_of(seen.format).is_some_and(|order| order != dropped))
        .map(|seen| quoted(seen.format))
        .collect();
    if !formats.is_empty() {
        let _ = writeln!(text, "date_formats = [{}]", formats.join(", "));
    }
    if column.ambiguous_dates > 0 {
        let _ = writeln!(
            text,
            "# {} values read as two different dates day-first and month-first: check which this system wrote.",
            column.ambiguous_dates
        );
    }
}

/// The codes the built-in table leaves unread, for a person to settle: the
/// standards disagree on them, so no suggestion may guess.
fn write_marital_codes(text: &mut String, codes: &[String]) {
    let table = CodeTable::built_in(CodeSet::MaritalStatus);
    let unread: Vec<String> = codes
        .iter()
        .map(|code| code.trim())
        .filter(|code| !code.is_empty() && !table.knows(code))
        .map(quoted)
        .collect();
    if unread.is_empty() {
        return;
    }
    let _ = writeln!(text, "# The built-in table reads S, M, D, W and the words, not {}.", unread.join(", "));
    let _ = writeln!(text, "# Say what this system meant; in HL7 v2 (FHIR reads A as annulled, U as unmarried):");
    let _ = writeln!(text, "# codes = {{ A = \"separated\", U = \"unknown\", P = \"partnered\" }}");
}

/// More different document types than this, and the column holds free
/// text: no table to complete, and no default that would file it all as
/// `other`.
const MAX_DOCUMENT_TYPE_CODES: usize = 40;

/// Nothing when the built-in table reads every code. Otherwise a table to
/// complete, commented out, since only a person can say what a system's
/// own codes meant; and `code_default = "other"`, so that the suggestion
/// runs and the documents load, as unclassified rather than misfiled, until
/// the table is filled in.
fn write_document_type_codes(text: &mut String, codes: &[String]) {
    let table = CodeTable::built_in(CodeSet::DocumentType);
    let codes: Vec<&str> = codes.iter().map(|code| code.trim()).filter(|code| !code.is_empty()).collect();
    let unread: Vec<String> = codes.iter().filter(|code| !table.knows(code)).map(|code| quoted(code)).collect();
    if unread.is_empty() {
        return;
    }
    if codes.len() > MAX_DOCUMENT_TYPE_CODES {
        let _ =
            writeln!(text, "# {} different values: descriptions rather than codes. Map them with `codes`", codes.len());
        let _ = writeln!(text, "# (or `code_default`): those the built-in document types do not read are rejected.");
        return;
    }
    let entries: Vec<String> = codes
        .iter()
        .map(|code| match table.lookup(code) {
            Lookup::Listed(value) => format!("{} = \"{value}\"", quoted(code)),
            _ => format!("{} = \"?\"", quoted(code)),
        })
        .collect();
    let advice = format!(
        "The built-in document types do not read {}: this system's own codes. Give each its type (a table of \
         your own replaces the built-in one, so keep every code), one of: {}.",
        unread.join(", "),
        CodeSet::DocumentType.values().join(", ")
    );
    write_comment(text, &advice);
    let _ = writeln!(text, "# codes = {{ {} }}", entries.join(", "));
    let _ = writeln!(text, "# Until then they load as `other`; without this line they would be rejected.");
    let _ = writeln!(text, "code_default = \"other\"");
}

/// Prose as `#` comment lines that fit a terminal.
fn write_comment(text: &mut String, prose: &str) {
    const WIDTH: usize = 78;
    let mut line = String::from("#");
    for word in prose.split_whitespace() {
        if line.len() + 1 + word.len() > WIDTH && line.len() > 1 {
            let _ = writeln!(text, "{line}");
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(text, "{line}");
}

/// A whole-name column feeds each name field of the entity that no column
/// of its own fills.
fn write_whole_name(
    text: &mut String,
    column: &ColumnProfile,
    suggestion: &Suggestion,
    form: NameForm,
    fields: impl Iterator<Item = Field>,
) {
    for field in fields {
        let _ = writeln!(text, "\n[fields.{}]", field.name());
        let _ = writeln!(text, "column = {}  # {}", quoted(&column.name), confidence(suggestion));
        let _ = writeln!(text, "split_name = \"{}\"", form.name());
    }
}

fn write_sex_codes(text: &mut String, codes: &[String]) {
    let known: Vec<String> = codes
        .iter()
        .filter_map(|code| sex_code(code).map(|value| format!("{} = \"{value}\"", quoted(code.trim()))))
        .collect();
    if !known.is_empty() {
        let _ = writeln!(text, "codes = {{ {} }}", known.join(", "));
    }
    if codes.iter().any(|code| code.trim().parse::<u8>().is_ok()) {
        let _ = writeln!(text, "# Numeric codes read as ISO 5218 (1 male, 2 female, 0 and 9 unknown): check.");
    }
}

/// `demographics.xlsx` and `Chart #` → `demographics-chart`.
fn system_name(file: &str, column: &str) -> String {
    let stem = std::path::Path::new(file).file_stem().and_then(|stem| stem.to_str()).unwrap_or("export");
    let slug = |text: &str| {
        let words: Vec<String> = text
            .split(|character: char| !character.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        words.join("-")
    };
    format!("{}-{}", slug(stem), slug(column))
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document_type_lines(codes: &[&str]) -> String {
        let mut text = String::new();
        write_document_type_codes(&mut text, &codes.iter().map(|code| code.to_string()).collect::<Vec<_>>());
        text
    }

    #[test]
    fn document_types_the_built_in_table_reads_need_no_table() {
        assert_eq!(document_type_lines(&["LAB", "Referral", "X-Ray", "consult_note"]), "");
    }

    #[test]
    fn a_systems_own_document_types_get_a_table_to_complete_and_load_as_other_until_then() {
        let text = document_type_lines(&["CONS", "LAB", "RAD"]);
        assert!(text.contains("do not read \"CONS\", \"RAD\""), "{text}");
        assert!(text.contains("# codes = { \"CONS\" = \"?\", \"LAB\" = \"lab_report\", \"RAD\" = \"?\" }"), "{text}");
        assert!(text.lines().all(|line| line.starts_with("# codes") || line.len() <= 78), "{text}");
        let active: Vec<&str> = text.lines().filter(|line| !line.starts_with('#')).collect();
        assert_eq!(active, ["code_default = \"other\""]);
    }

    #[test]
    fn free_text_document_types_get_no_default() {
        let descriptions: Vec<String> = (0..50).map(|number| format!("letter from dr {number}")).collect();
        let descriptions: Vec<&str> = descriptions.iter().map(String::as_str).collect();
        let text = document_type_lines(&descriptions);
        assert!(text.starts_with("# 50 different values"), "{text}");
        assert!(text.lines().all(|line| line.starts_with('#')), "{text}");
    }
}
