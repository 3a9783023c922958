//! mapping: a `RawRow` in, a typed canonical `Record` out, as the source's
//! mapping file says.
//!
//! A mapping file is read once (`load`), checked against the file's real
//! header and compiled (`compile`: columns resolved to positions, code tables
//! to hash maps, date formats checked), then applied to every row (`apply`)
//! without looking anything up by name. Every problem in a mapping file is
//! reported at once, with its line, column and a "did you mean".
//!
//! Mapping decides what a cell *is* (a date, a code, a number) and records an
//! `Issue` when it cannot tell; whether a well-formed value is plausible (a
//! birth date in the future) is validate's job.

mod code_table;
mod email;
mod file;
mod name;
mod phone;
mod transform;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use toml::Spanned;

pub use code_table::{CodeTable, Lookup};
pub use file::{LoadedMapping, MappingFile, read_all, toml_diagnostic};
pub use name::{NameForm, NamePart, split as split_name};
pub use transform::Transform;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::extract::{Cell, Headers, RawRow, ReadOptions};
use crate::issue::{Issue, IssueCode};
use crate::record::{CodeSet, Entity, Field, FieldKind, Identifier, Record, Value};
use crate::suggest::nearest;
use crate::validate::postal::{self, PostalScheme};
use name::NameProblem;

/// Formats tried for a text date when the mapping lists none: ISO 8601 only,
/// because any other default would be a guess about day and month order.
const DEFAULT_DATE_FORMATS: &[&str] = &["%Y-%m-%d"];

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("{}: cannot read the mapping file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Reads and parses a mapping file; names are checked later, by `compile`,
/// when the source's header is known.
pub fn load(path: &Path) -> Result<LoadedMapping, MappingError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| MappingError::Read { path: path.to_path_buf(), source })?;
    file::parse(path, text).map_err(MappingError::Invalid)
}

impl LoadedMapping {
    pub fn read_options(&self) -> &ReadOptions {
        &self.file.read
    }
}

/// A mapping ready to apply: every name resolved.
#[derive(Debug, Clone)]
pub struct CompiledMapping {
    pub entity: Entity,
    pub required: Vec<Field>,
    pub max_age_years: u16,
    pub national_id: crate::validate::national_id::NationalIdScheme,
    pub postal: PostalScheme,
    fields: Vec<CompiledField>,
    identifiers: Vec<CompiledIdentifier>,
    skip_rules: Vec<SkipRule>,
}

#[derive(Debug, Clone)]
struct CompiledField {
    field: Field,
    input: Input,
    capture: Option<regex::Regex>,
    /// Which part of a whole name the field takes, after `capture`.
    split: Option<(NameForm, NamePart)>,
    /// The one form a text field's value takes, whatever the export wrote.
    normal: Option<Normal>,
    century_pivot: Option<u8>,
    transforms: Vec<Transform>,
    parse: Parse,
}

/// Forms a text field's value is put in after its transforms, so that the
/// EMR holds one spelling of each thing.
#[derive(Debug, Clone)]
enum Normal {
    /// E.164, for numbers written without a country code in the country
    /// of this calling code (`1`).
    Phone(&'static str),
    /// A state written as its name becomes its code (`Ohio`: `OH`): the
    /// postal scheme's spellings, as a code table.
    State(CodeTable),
    /// A placeholder (`none`, `noemail@...`) is no address: a blank.
    Email,
}

#[derive(Debug, Clone)]
enum Input {
    Column { index: usize, name: String },
    Columns { indexes: Vec<usize>, names: String, separator: String },
    Constant(String),
}

#[derive(Debug, Clone)]
enum Parse {
    Text,
    /// Free text through the mapping's code table (a state the old system
    /// numbered).
    Coded(CodeTable),
    Date(Vec<String>),
    Integer,
    /// One of a closed set, through the mapping's table or the set's own.
    CodeSet(CodeSet, CodeTable),
}

#[derive(Debug, Clone)]
struct CompiledIdentifier {
    index: usize,
    column: String,
    system: Arc<str>,
    transforms: Vec<Transform>,
    compared: bool,
}

#[derive(Debug, Clone)]
struct SkipRule {
    index: usize,
    matcher: Matcher,
    description: String,
}

#[derive(Debug, Clone)]
enum Matcher {
    Equals(String),
    StartsWith(String),
    Contains(String),
}

/// A row after mapping: skipped on purpose, or a record (which may carry
/// issues that reject it).
#[derive(Debug, Clone)]
pub enum MappedRow {
    /// Skipped by a `skip_when` rule; the description says which.
    Skipped(String),
    Mapped(Record),
}

/// Resolves every name in the mapping against the source's header.
pub fn compile(mapping: &LoadedMapping, headers: &Headers) -> Result<CompiledMapping, MappingError> {
    let mut compiler = Compiler { mapping, headers, problems: mapping.key_problems.clone() };
    let compiled = compiler.compile();
    match compiled {
        Some(compiled) if compiler.problems.is_empty() => Ok(compiled),
        _ => {
            compiler.problems.sort_by_key(|problem| (problem.line, problem.column));
            Err(MappingError::Invalid(Diagnostics(compiler.problems)))
        }
    }
}

struct Compiler<'a> {
    mapping: &'a LoadedMapping,
    headers: &'a Headers,
    problems: Vec<Diagnostic>,
}

impl Compiler<'_> {
    fn compile(&mut self) -> Option<CompiledMapping> {
        let file = &self.mapping.file;
        let entity = self.entity()?;
        let fields: Vec<CompiledField> =
            file.fields.iter().filter_map(|(name, spec)| self.field(entity, name, spec)).collect();
        let identifiers = file.identifiers.iter().filter_map(|spec| self.identifier(spec)).collect();
        let skip_rules = file.skip_when.iter().filter_map(|rule| self.skip_rule(rule)).collect();
        let required = self.required(entity);
        let max_age_years = self.max_age_years();
        let national_id = self.mapping.file.validate.national_id.unwrap_or_default();
        let postal = self.postal();
        Some(CompiledMapping { entity, required, max_age_years, national_id, postal, fields, identifiers, skip_rules })
    }

    fn max_age_years(&mut self) -> u16 {
        match &self.mapping.file.validate.max_age_years {
            Some(years) if (1..=200).contains(years.get_ref()) => *years.get_ref(),
            Some(years) => {
                self.problem(years.span().start, "`max_age_years` must be between 1 and 200");
                crate::validate::MAX_AGE_YEARS
            }
            None => crate::validate::MAX_AGE_YEARS,
        }
    }

    fn problem(&mut self, offset: usize, message: impl Into<String>) {
        self.report(self.mapping.at(offset, message));
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    fn entity(&mut self) -> Option<Entity> {
        let name = &self.mapping.file.entity;
        let entity = Entity::from_name(name.get_ref());
        if entity.is_none() {
            let nearest = nearest(name.get_ref(), Entity::ALL.iter().map(|entity| entity.name()));
            let diagnostic = self.mapping.at(name.span().start, format!("unknown entity `{}`", name.get_ref()));
            self.problems.push(diagnostic.suggest(nearest));
        }
        entity
    }

    fn field(&mut self, entity: Entity, name: &Spanned<String>, spec: &file::FieldSpec) -> Option<CompiledField> {
        let offset = name.span().start;
        let Some(field) = Field::from_name(name.get_ref()) else {
            let nearest = nearest(name.get_ref(), entity.fields().iter().map(|field| field.name()));
            let diagnostic = self.mapping.at(offset, format!("unknown field `{}`", name.get_ref()));
            self.problems.push(diagnostic.suggest(nearest));
            return None;
        };
        if !entity.fields().contains(&field) {
            let known = entity.fields().iter().map(|field| format!("`{field}`")).collect::<Vec<_>>().join(", ");
            self.report(
                self.mapping
                    .at(offset, format!("`{field}` is not a field of a {entity}"))
                    .hint(format!("a {entity} has the fields {known}")),
            );
            return None;
        }
        let input = self.input(field, offset, spec)?;
        let capture = self.capture(spec.regex.as_ref());
        let split = self.split(field, spec);
        let century_pivot = self.century_pivot(field, spec);
        let phone_country = self.phone_country(field, spec);
        let transforms = self.transforms(&spec.transforms);
        let parse = self.parse(field, offset, spec)?;
        let normal = self.normal(field, phone_country, &parse);
        Some(CompiledField { field, input, capture, split, normal, century_pivot, transforms, parse })
    }

    fn input(&mut self, field: Field, offset: usize, spec: &file::FieldSpec) -> Option<Input> {
        let given = [spec.column.is_some(), spec.columns.is_some(), spec.constant.is_some()];
        match given.iter().filter(|given| **given).count() {
            // A misspelt `colum` is already reported; its consequence is not.
            0 if !self.mapping.key_problems.is_empty() => return None,
            0 => {
                self.problem(offset, format!("field `{field}` has no `column`, `columns` or `constant`"));
                return None;
            }
            1 => {}
            _ => {
                self.problem(
                    offset,
                    format!("field `{field}` gives more than one of `column`, `columns` and `constant`"),
                );
                return None;
            }
        }
        if let Some(column) = &spec.column {
            let index = self.column(column)?;
            return Some(Input::Column { index, name: column.get_ref().trim().to_string() });
        }
        if let Some(columns) = &spec.columns {
            let indexes: Vec<Option<usize>> = columns.iter().map(|column| self.column(column)).collect();
            let indexes = indexes.into_iter().collect::<Option<Vec<_>>>()?;
            let names = columns.iter().map(|column| column.get_ref().trim()).collect::<Vec<_>>().join("+");
            let separator = spec.separator.clone().unwrap_or_else(|| " ".to_string());
            return Some(Input::Columns { indexes, names, separator });
        }
        spec.constant.as_ref().map(|constant| Input::Constant(constant.get_ref().clone()))
    }

    fn column(&mut self, column: &Spanned<String>) -> Option<usize> {
        let name = column.get_ref();
        let positions = self.headers.positions(name);
        match positions.as_slice() {
            [index] => Some(*index),
            [] if self.headers.look_like_data() => {
                // Never echo what may be a patient's values.
                let problem = self.mapping.at(column.span().start, format!("unknown source column `{name}`"));
                self.report(problem.hint(
                    "the row read as the header looks like data, not column names; set `header_row` in [read] \
                     to the row that holds the column names",
                ));
                None
            }
            [] => {
                let nearest = nearest(name, self.headers.names().iter().map(String::as_str));
                let mut diagnostic = self.mapping.at(column.span().start, format!("unknown source column `{name}`"));
                diagnostic = match nearest {
                    Some(header) => diagnostic.hint(format!(
                        "the nearest header is `{header}`; headers must match exactly, apart from surrounding spaces"
                    )),
                    None => diagnostic.hint(format!("the header has {}", list_names(self.headers.names()))),
                };
                self.problems.push(diagnostic);
                None
            }
            several => {
                self.report(
                    self.mapping
                        .at(
                            column.span().start,
                            format!("column `{name}` appears {} times in the header", several.len()),
                        )
                        .hint("rename the columns in the export so each name is unique"),
                );
                None
            }
        }
    }

    fn postal(&self) -> PostalScheme {
        self.mapping.file.validate.postal.unwrap_or_default()
    }

    /// The one form a text field's value is put in, if it has one. A state
    /// is read by the postal scheme's spellings only when the mapping has no
    /// `codes` for it: a table of its own says what its states are.
    fn normal(&self, field: Field, phone_country: Option<&'static str>, parse: &Parse) -> Option<Normal> {
        if let Some(calling_code) = phone_country {
            return Some(Normal::Phone(calling_code));
        }
        match field {
            Field::Email => Some(Normal::Email),
            Field::State if matches!(parse, Parse::Text) => {
                let spellings = self.postal().state_spellings();
                (!spellings.is_empty()).then(|| Normal::State(CodeTable::new(spellings, None)))
            }
            _ => None,
        }
    }

    fn phone_country(&mut self, field: Field, spec: &file::FieldSpec) -> Option<&'static str> {
        let country = spec.phone_country.as_ref()?;
        if field != Field::Phone {
            self.problem(country.span().start, format!("`phone_country` given for `{field}`, which is not `phone`"));
            return None;
        }
        let code = phone::calling_code(country.get_ref());
        if code.is_none() {
            let nearest = nearest(country.get_ref(), phone::country_names());
            let diagnostic =
                self.mapping.at(country.span().start, format!("unknown phone country `{}`", country.get_ref()));
            self.problems.push(diagnostic.suggest(nearest));
        }
        code
    }

    /// The field's own part of the name: a name field has one, any other
    /// field none, which makes `split_name` on it a mistake.
    fn split(&mut self, field: Field, spec: &file::FieldSpec) -> Option<(NameForm, NamePart)> {
        let form_name = spec.split_name.as_ref()?;
        let at = form_name.span().start;
        let Some(part) = NamePart::of(field) else {
            let parts: Vec<String> = NamePart::FIELDS.iter().map(|(field, _)| format!("`{field}`")).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let problem = self.mapping.at(at, format!("`split_name` given for `{field}`, which is not part of a name"));
            self.report(problem.hint(format!("only {} take a part of a whole name", listed(&parts, "and"))));
            return None;
        };
        let Some(form) = NameForm::from_name(form_name.get_ref()) else {
            let nearest = nearest(form_name.get_ref(), NameForm::names());
            let known: Vec<String> = NameForm::names().map(|name| format!("`{name}`")).collect();
            let known = listed(&known.iter().map(String::as_str).collect::<Vec<_>>(), "or");
            let problem = self.mapping.at(at, format!("unknown `split_name` form `{}`", form_name.get_ref()));
            self.report(match nearest {
                Some(_) => problem.suggest(nearest),
                None => problem.hint(format!("use {known}")),
            });
            return None;
        };
        if !form.holds(part) {
            let holding: Vec<String> = NameForm::ALL
                .iter()
                .filter(|(_, other)| other.holds(part))
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            let holding = listed(&holding.iter().map(String::as_str).collect::<Vec<_>>(), "or");
            let problem = self.mapping.at(
                at,
                format!(
                    "`split_name = \"{}\"` never holds a `{field}`: the field would always be blank",
                    form_name.get_ref()
                ),
            );
            self.report(problem.hint(format!("for `{field}` use {holding}")));
            return None;
        }
        Some((form, part))
    }

    /// The mapping's pivot, or for a date field without one the year after
    /// this one: every date a migration reads (birth, death, a document, a
    /// record's last change) is in the past, so a two-digit year is the
    /// latest year with those digits that is not in the future. A fixed
    /// window (jiff's: 00-68 are 20xx) put everyone born before 1969 in
    /// the future.
    fn century_pivot(&mut self, field: Field, spec: &file::FieldSpec) -> Option<u8> {
        let Some(pivot) = spec.century_pivot.as_ref() else {
            return (field.kind() == FieldKind::Date).then(|| default_century_pivot(jiff::ZonedDateTime::now().year()));
        };
        if field.kind() != FieldKind::Date {
            self.problem(pivot.span().start, format!("`century_pivot` given for `{field}`, which is not a date"));
        } else if *pivot.get_ref() > 99 {
            self.problem(pivot.span().start, "`century_pivot` is a two-digit year, 0 to 99");
        }
        Some(*pivot.get_ref())
    }

    /// Compiled once here, so that a broken pattern is the mapping's error
    /// (with its position), not one per row.
    fn capture(&mut self, pattern: Option<&Spanned<String>>) -> Option<regex::Regex> {
        let pattern = pattern?;
        match regex::Regex::new(pattern.get_ref()) {
            Ok(regex) => Some(regex),
            Err(error) => {
                let message = format!("`regex` is not a valid regular expression: {error}");
                self.problem(pattern.span().start, message);
                None
            }
        }
    }

    fn transforms(&mut self, names: &[Spanned<String>]) -> Vec<Transform> {
        let mut transforms = Vec::new();
        for name in names {
            match Transform::from_name(name.get_ref()) {
                Some(transform) => transforms.push(transform),
                None => {
                    let nearest = nearest(name.get_ref(), Transform::names());
                    let diagnostic =
                        self.mapping.at(name.span().start, format!("unknown transform `{}`", name.get_ref()));
                    self.problems.push(diagnostic.suggest(nearest));
                }
            }
        }
        transforms
    }

    fn parse(&mut self, field: Field, offset: usize, spec: &file::FieldSpec) -> Option<Parse> {
        let kind = field.kind();
        if let Some(formats) = &spec.date_formats
            && kind != FieldKind::Date
        {
            let at = formats.first().map_or(offset, |format| format.span().start);
            self.problem(at, format!("`date_formats` given for `{field}`, which is not a date"));
            return None;
        }
        if spec.codes.is_some() && !matches!(kind, FieldKind::Text | FieldKind::Coded(_)) {
            self.problem(offset, format!("`codes` given for `{field}`, which is not a coded text field"));
            return None;
        }
        match kind {
            FieldKind::Text => Some(match self.code_table(field, spec, None)? {
                Some(table) => Parse::Coded(table),
                None => Parse::Text,
            }),
            FieldKind::Coded(set) => {
                let table = self.code_table(field, spec, Some(set))?;
                Some(Parse::CodeSet(set, table.unwrap_or_else(|| CodeTable::built_in(set))))
            }
            FieldKind::Integer => Some(Parse::Integer),
            FieldKind::Date => self.date_formats(spec).map(Parse::Date),
        }
    }

    /// The mapping's code table, checked against the field's closed set
    /// when it has one; `None` inside when the mapping gives no table.
    fn code_table(&mut self, field: Field, spec: &file::FieldSpec, set: Option<CodeSet>) -> Option<Option<CodeTable>> {
        let check_target = |compiler: &mut Self, value: &Spanned<String>| {
            let Some(set) = set.filter(|set| set.value(value.get_ref()).is_none()) else {
                return;
            };
            let nearest = nearest(value.get_ref(), set.values().iter().copied());
            let diagnostic = compiler.mapping.at(
                value.span().start,
                format!("`{}` is not a value of `{field}`; use {}", value.get_ref(), listed(set.values(), "or")),
            );
            compiler.problems.push(diagnostic.suggest(nearest));
        };
        let before = self.problems.len();
        if let Some(codes) = &spec.codes {
            for value in codes.get_ref().values() {
                check_target(self, value);
            }
        }
        if let Some(default) = &spec.code_default {
            check_target(self, default);
            if spec.codes.is_none() && set.is_none() {
                self.problem(default.span().start, format!("`code_default` for `{field}` needs a `codes` table"));
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let default = spec.code_default.as_ref().map(|default| default.get_ref().clone());
        Some(match &spec.codes {
            Some(codes) => Some(CodeTable::new(
                codes.get_ref().iter().map(|(code, value)| (code.clone(), value.get_ref().clone())),
                default,
            )),
            None => match set {
                Some(set) if default.is_some() => Some(CodeTable::built_in(set).with_default(default)),
                _ => None,
            },
        })
    }

    fn date_formats(&mut self, spec: &file::FieldSpec) -> Option<Vec<String>> {
        let Some(formats) = &spec.date_formats else {
            return Some(DEFAULT_DATE_FORMATS.iter().map(|format| format.to_string()).collect());
        };
        let probe = jiff::civil::date(2001, 2, 3);
        let mut valid = Vec::new();
        let before = self.problems.len();
        for format in formats {
            if jiff::fmt::strtime::format(format.get_ref().as_str(), probe).is_err() {
                self.report(
                    self.mapping
                        .at(format.span().start, format!("invalid date format `{}`", format.get_ref()))
                        .hint("use strftime directives such as %Y, %m and %d (e.g. \"%d.%m.%Y\")"),
                );
            } else {
                valid.push(format.get_ref().clone());
            }
        }
        (self.problems.len() == before).then_some(valid)
    }

    fn identifier(&mut self, spec: &file::IdentifierSpec) -> Option<CompiledIdentifier> {
        let index = self.column(&spec.column);
        let transforms = self.transforms(&spec.transforms);
        let system = spec.system.get_ref().trim();
        if system.is_empty() {
            self.problem(spec.system.span().start, "an identifier's `system` must not be empty");
            return None;
        }
        Some(CompiledIdentifier {
            index: index?,
            column: spec.column.get_ref().trim().to_string(),
            system: system.into(),
            transforms,
            compared: spec.compared.unwrap_or(true),
        })
    }

    fn skip_rule(&mut self, rule: &file::SkipWhen) -> Option<SkipRule> {
        let index = self.column(&rule.column);
        let column = rule.column.get_ref().trim();
        let matchers: Vec<(Matcher, String)> = [
            rule.equals.as_ref().map(|text| (Matcher::Equals(text.clone()), format!("equals \"{text}\""))),
            rule.starts_with
                .as_ref()
                .map(|text| (Matcher::StartsWith(text.clone()), format!("starts with \"{text}\""))),
            rule.contains.as_ref().map(|text| (Matcher::Contains(text.clone()), format!("contains \"{text}\""))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if matchers.len() != 1 {
            self.problem(
                rule.column.span().start,
                "a `skip_when` rule needs exactly one of `equals`, `starts_with` or `contains`",
            );
            return None;
        }
        let (matcher, condition) = matchers.into_iter().next().expect("one matcher");
        Some(SkipRule { index: index?, matcher, description: format!("`{column}` {condition}") })
    }

    /// A field counts as mapped when the file declares it, even if its
    /// declaration has problems of its own: those are reported already.
    fn required(&mut self, entity: Entity) -> Vec<Field> {
        let declared: Vec<Field> =
            self.mapping.file.fields.keys().filter_map(|name| Field::from_name(name.get_ref())).collect();
        let entity_offset = self.mapping.file.entity.span().start;
        for &field in entity.essential_fields() {
            if !declared.contains(&field) {
                let problem = self.mapping.at(entity_offset, format!("a {entity} mapping must map `{field}`"));
                self.report(
                    problem.hint(format!("the EMR cannot store a {entity} without `{field}`; add [fields.{field}]")),
                );
            }
        }
        let Some(listed) = &self.mapping.file.required else {
            for &field in entity.required_fields() {
                if !declared.contains(&field) && !entity.essential_fields().contains(&field) {
                    let problem = self.mapping.at(entity_offset, format!("a {entity} mapping must map `{field}`"));
                    self.report(problem.hint(format!(
                        "add [fields.{field}], or list the fields that must not be blank with `required = [...]`"
                    )));
                }
            }
            return entity.required_fields().to_vec();
        };
        // Whatever the list says, the essential fields stay required.
        let mut required = entity.essential_fields().to_vec();
        for name in listed {
            match Field::from_name(name.get_ref()).filter(|field| entity.fields().contains(field)) {
                Some(field) if declared.contains(&field) => {
                    if !required.contains(&field) {
                        required.push(field);
                    }
                }
                Some(field) => self.problem(name.span().start, format!("required field `{field}` is not mapped")),
                None => {
                    let nearest = nearest(name.get_ref(), entity.fields().iter().map(|field| field.name()));
                    let diagnostic = self.mapping.at(name.span().start, format!("unknown field `{}`", name.get_ref()));
                    self.report(diagnostic.suggest(nearest));
                }
            }
        }
        required
    }
}

/// `a, b or c` (or `and`).
fn listed(values: &[&str], conjunction: &str) -> String {
    match values {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

fn list_names(names: &[String]) -> String {
    const SHOWN: usize = 15;
    let mut listed: Vec<String> = names.iter().take(SHOWN).map(|name| format!("`{name}`")).collect();
    if names.len() > SHOWN {
        listed.push(format!("and {} more", names.len() - SHOWN));
    }
    listed.join(", ")
}

impl CompiledMapping {
    /// Maps one row. Problems with single values become issues on the row;
    /// the record keeps every value that could be read, so the report can
    /// show everything wrong with a row at once.
    /// The canonical fields this mapping fills, in mapping order.
    pub fn fields(&self) -> Vec<Field> {
        self.fields.iter().map(|field| field.field).collect()
    }

    /// How many legacy identifiers the mapping keeps.
    pub fn identifier_count(&self) -> usize {
        self.identifiers.len()
    }

    /// The header positions the mapping reads (fields, identifiers and
    /// skip rules): what `check` compares with the header to list the
    /// columns nothing reads.
    pub fn columns_read(&self) -> Vec<usize> {
        let mut read: Vec<usize> = self
            .fields
            .iter()
            .flat_map(|field| match &field.input {
                Input::Column { index, .. } => vec![*index],
                Input::Columns { indexes, .. } => indexes.clone(),
                Input::Constant(_) => Vec::new(),
            })
            .chain(self.identifiers.iter().map(|identifier| identifier.index))
            .chain(self.skip_rules.iter().map(|rule| rule.index))
            .collect();
        read.sort_unstable();
        read.dedup();
        read
    }

    /// The `skip_when` rule a row meets, if any. Asked before the row's
    /// shape is judged: a footer ("END OF REPORT") seldom has the header's
    /// number of fields, and is to be skipped all the same.
    pub fn skipped_by(&self, row: &RawRow) -> Option<&str> {
        self.skip_rules.iter().find(|rule| rule.matches(row)).map(|rule| rule.description.as_str())
    }

    /// The row skipped by a rule, or mapped (`skipped_by`, then `map`).
    pub fn apply(&self, row: &RawRow, issues: &mut Vec<Issue>) -> MappedRow {
        match self.skipped_by(row) {
            Some(rule) => MappedRow::Skipped(rule.to_string()),
            None => MappedRow::Mapped(self.map(row, issues)),
        }
    }

    /// The row's record, skip rules not asked: for a caller that asked them
    /// already.
    pub fn map(&self, row: &RawRow, issues: &mut Vec<Issue>) -> Record {
        let mut record = Record::new(self.entity, row.source.clone());
        for field in &self.fields {
            if let Some(value) = field.value(row, issues) {
                record.set(field.field, value);
            }
        }
        for identifier in &self.identifiers {
            match row.cell(identifier.index) {
                Cell::Error(_) => issues.push(Issue::new(IssueCode::CellError, &row.source).column(&identifier.column)),
                cell => {
                    let value = cell.as_text().map(|text| transform::apply_all(&text, &identifier.transforms));
                    if let Some(value) = value.filter(|value| !value.is_empty()) {
                        record.identifiers.push(Identifier {
                            system: identifier.system.clone(),
                            value,
                            compared: identifier.compared,
                        });
                    }
                }
            }
        }
        record
    }
}

impl SkipRule {
    fn matches(&self, row: &RawRow) -> bool {
        let Some(text) = row.cell(self.index).as_text() else {
            return false;
        };
        let text = text.trim();
        match &self.matcher {
            Matcher::Equals(wanted) => text == wanted,
            Matcher::StartsWith(prefix) => text.starts_with(prefix.as_str()),
            Matcher::Contains(part) => text.contains(part.as_str()),
        }
    }
}

impl CompiledField {
    fn value(&self, row: &RawRow, issues: &mut Vec<Issue>) -> Option<Value> {
        let issue = |code: IssueCode| {
            let issue = Issue::new(code, &row.source).field(self.field);
            match self.column_name() {
                Some(column) => issue.column(column),
                None => issue,
            }
        };
        let cell = match &self.input {
            Input::Column { index, .. } => row.cell(*index).clone(),
            Input::Columns { indexes, separator, .. } => join_cells(row, indexes, separator),
            Input::Constant(text) => Cell::Text(text.clone()),
        };
        if let Cell::Error(_) = cell {
            issues.push(issue(IssueCode::CellError));
            return None;
        }
        if cell.is_empty() {
            return None;
        }
        if let (Parse::Date(_), Cell::Date(date)) = (&self.parse, &cell) {
            return Some(Value::Date(*date));
        }
        let text = cell.as_text()?;
        let text = match &self.capture {
            Some(regex) => {
                let Some(captured) = capture(regex, text.trim()) else {
                    issues.push(issue(IssueCode::RegexNoMatch));
                    return None;
                };
                captured
            }
            None => &text,
        };
        let text = match self.split {
            Some((form, part)) => match name_part(text, form, part) {
                Ok(picked) => transform::apply_all(picked?.as_str(), &self.transforms),
                Err(problem) => {
                    issues.push(name_issue(issue, problem));
                    return None;
                }
            },
            None => transform::apply_all(text, &self.transforms),
        };
        if text.is_empty() {
            return None;
        }
        match &self.parse {
            Parse::Text => match &self.normal {
                // A number that cannot be one is flagged and kept as
                // written: the clinic can still read it.
                Some(Normal::Phone(calling_code)) => {
                    Some(Value::Text(phone::to_e164(&text, calling_code).unwrap_or_else(|| {
                        issues.push(issue(IssueCode::PhoneInvalid));
                        text.clone()
                    })))
                }
                // A state the table does not know is kept as written, for
                // validate to flag.
                Some(Normal::State(table)) => match table.lookup(&postal::state_key(&text)) {
                    Lookup::Listed(code) | Lookup::Defaulted(code) => Some(Value::Text(code.to_string())),
                    Lookup::Unknown => Some(Value::Text(text)),
                },
                Some(Normal::Email) if email::is_placeholder(&text) => None,
                Some(Normal::Email) | None => Some(Value::Text(text)),
            },
            Parse::Coded(table) => match table.lookup(&text) {
                Lookup::Listed(value) | Lookup::Defaulted(value) => Some(Value::Text(value.to_string())),
                Lookup::Unknown => {
                    issues.push(unknown_code(issue(IssueCode::CodeUnknown), &text));
                    None
                }
            },
            Parse::CodeSet(set, table) => match table.lookup(&text) {
                Lookup::Listed(value) | Lookup::Defaulted(value) => set.value(value),
                Lookup::Unknown => {
                    issues.push(unknown_code(issue(IssueCode::CodeUnknown), &text));
                    None
                }
            },
            Parse::Integer => match text.parse::<i64>() {
                Ok(number) => Some(Value::Integer(number)),
                Err(_) => {
                    issues.push(issue(IssueCode::NumberInvalid));
                    None
                }
            },
            Parse::Date(formats) => {
                if let Cell::Number(_) = cell {
                    issues.push(issue(IssueCode::DateUnparseable).detail("a number, not a date"));
                    return None;
                }
                match parse_date(&text, formats, self.century_pivot) {
                    DateParse::Date(date) => Some(Value::Date(date)),
                    DateParse::Ambiguous => {
                        issues.push(issue(IssueCode::DateAmbiguous).detail(format!("formats {}", formats.join(", "))));
                        None
                    }
                    DateParse::Invalid => {
                        issues.push(issue(IssueCode::DateInvalid));
                        None
                    }
                    DateParse::Unparseable => {
                        issues
                            .push(issue(IssueCode::DateUnparseable).detail(format!("formats {}", formats.join(", "))));
                        None
                    }
                }
            }
        }
    }

    fn column_name(&self) -> Option<&str> {
        match &self.input {
            Input::Column { name, .. } => Some(name),
            Input::Columns { names, .. } => Some(names),
            Input::Constant(_) => None,
        }
    }
}

/// One part of a whole name; `Ok(None)` when the name has no such part
/// (no middle name), which is a blank, not a problem.
fn name_part(text: &str, form: NameForm, part: NamePart) -> Result<Option<String>, NameProblem> {
    let name = name::split(text, form)?;
    Ok(name.part(part)?.map(str::to_string))
}

fn name_issue(issue: impl Fn(IssueCode) -> Issue, problem: NameProblem) -> Issue {
    match problem {
        NameProblem::Unsplittable(reason) => issue(IssueCode::NameUnsplittable).detail(reason),
        NameProblem::Ambiguous => issue(IssueCode::NameAmbiguous),
    }
}

fn join_cells(row: &RawRow, indexes: &[usize], separator: &str) -> Cell {
    let mut parts = Vec::with_capacity(indexes.len());
    for index in indexes {
        match row.cell(*index) {
            Cell::Error(error) => return Cell::Error(error.clone()),
            cell => {
                if let Some(text) = cell.as_text().filter(|text| !text.trim().is_empty()) {
                    parts.push(text.trim().to_string());
                }
            }
        }
    }
    if parts.is_empty() { Cell::Empty } else { Cell::Text(parts.join(separator)) }
}

#[derive(Debug, PartialEq, Eq)]
enum DateParse {
    Date(Date),
    /// Two formats read it as different days.
    Ambiguous,
    /// A format matched its shape, but no such day exists.
    Invalid,
    Unparseable,
}

/// Tries every format. One day → that day; two different days → ambiguous,
/// never a guess; a shape that fits but names no real day → invalid.
fn parse_date(text: &str, formats: &[String], century_pivot: Option<u8>) -> DateParse {
    let mut found: Option<Date> = None;
    let mut shape_matched = false;
    for format in formats {
        let Ok(parsed) = jiff::fmt::strtime::parse(format.as_str(), text) else {
            continue;
        };
        shape_matched = true;
        let date = match (parsed.to_date(), century_pivot) {
            (Ok(date), Some(pivot)) if format.contains("%y") => repivot(date, pivot),
            (date, _) => date.ok(),
        };
        if let Some(date) = date {
            match found {
                Some(earlier) if earlier != date => return DateParse::Ambiguous,
                _ => found = Some(date),
            }
        }
    }
    match found {
        Some(date) => DateParse::Date(date),
        None if shape_matched => DateParse::Invalid,
        None => DateParse::Unparseable,
    }
}

/// Names the code the table lacks (in rejected.csv, with the row): what
/// a person adds to `codes`. A long value is no code, and is not repeated.
fn unknown_code(issue: Issue, code: &str) -> Issue {
    if code.chars().count() <= 12 {
        issue.detail(format!("`{code}` is not in the code table"))
    } else {
        issue.detail("the value is too long to be a code")
    }
}

/// The pivot that reads two-digit years up to `this_year`'s as 20xx and
/// the later ones as 19xx (in 2026: 00-26 and 27-99).
fn default_century_pivot(this_year: i16) -> u8 {
    ((this_year.rem_euclid(100) + 1) % 100) as u8
}

/// A two-digit year's century by the mapping's pivot: 45 with pivot 30 is
/// 1945, 12 is 2012. None when the day does not exist in that year (29
/// February 2000 is 1900's no-day).
fn repivot(date: Date, pivot: u8) -> Option<Date> {
    let two_digits = date.year().rem_euclid(100);
    let century = if two_digits >= i16::from(pivot) { 1900 } else { 2000 };
    Date::new(century + two_digits, date.month(), date.day()).ok()
}

/// The first capture group's text, or the whole match when the pattern has
/// no group; none when the value does not match.
fn capture<'t>(regex: &regex::Regex, text: &'t str) -> Option<&'t str> {
    let captures = regex.captures(text)?;
    captures.get(1).or_else(|| captures.get(0)).map(|found| found.as_str())
}

#[cfg(test)]
mod tests;
