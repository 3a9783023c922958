use super::*;
use crate::record::Sex;
use crate::source_ref::SourceRef;

fn headers(names: &[&str]) -> Headers {
    Headers::new(names.iter().map(|name| name.to_string()))
}

fn mapping(text: &str) -> LoadedMapping {
    file::parse(Path::new("m.toml"), text.to_string()).expect("parses")
}

fn compiled(text: &str, names: &[&str]) -> CompiledMapping {
    compile(&mapping(text), &headers(names)).unwrap_or_else(|error| panic!("{error}"))
}

fn problems(text: &str, names: &[&str]) -> Vec<Diagnostic> {
    match compile(&mapping(text), &headers(names)) {
        Err(MappingError::Invalid(diagnostics)) => diagnostics.0,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn row(cells: Vec<Cell>) -> RawRow {
    RawRow { source: SourceRef { source: "s".into(), file: "f.csv".into(), sheet: None, row: 5 }, cells, defect: None }
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_string())
}

const PATIENT: &str = r#"
entity = "patient"
[fields.family_name]
column = "Last"
[fields.given_name]
column = "First"
transforms = ["title_case"]
[fields.birth_date]
column = "DOB"
date_formats = ["%m/%d/%Y", "%d/%m/%Y"]
[fields.sex]
column = "Sex"
codes = { 1 = "male", 2 = "female" }
code_default = "unknown"
[[identifiers]]
column = "Chart"
system = "pm"
[[skip_when]]
column = "Last"
starts_with = "Total"
"#;

const COLUMNS: &[&str] = &["Last", "First", "DOB", "Sex", "Chart"];

fn apply(cells: Vec<Cell>) -> (MappedRow, Vec<Issue>) {
    let mut issues = Vec::new();
    let mapped = compiled(PATIENT, COLUMNS).apply(&row(cells), &mut issues);
    (mapped, issues)
}

fn record(mapped: MappedRow) -> Record {
    match mapped {
        MappedRow::Mapped(record) => record,
        MappedRow::Skipped(why) => panic!("skipped: {why}"),
    }
}

#[test]
fn maps_a_clean_row() {
    let (mapped, issues) = apply(vec![text(" Doe "), text("JANE"), text("3/25/1980"), text("9"), Cell::Number(1042.0)]);
    let record = record(mapped);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(record.text(Field::FamilyName), Some("Doe"));
    assert_eq!(record.text(Field::GivenName), Some("Jane"));
    assert_eq!(record.sex(), Some(Sex::Unknown), "code_default applies to unlisted codes");
    assert_eq!(record.identifiers, vec![Identifier { system: "pm".into(), value: "1042".into(), compared: true }]);
}

#[test]
fn date_read_two_ways_is_ambiguous_never_guessed() {
    let (mapped, issues) = apply(vec![text("Doe"), text("Jane"), text("03/04/1980"), text("2"), Cell::Empty]);
    assert_eq!(record(mapped).date(Field::BirthDate), None);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, IssueCode::DateAmbiguous);
    assert_eq!(issues[0].field, Some(Field::BirthDate));
    assert_eq!(issues[0].column.as_deref(), Some("DOB"));
}

#[test]
fn date_that_reads_one_way_only_is_accepted() {
    let (mapped, issues) = apply(vec![text("Doe"), text("Jane"), text("25/04/1980"), text("2"), Cell::Empty]);
    assert!(issues.is_empty());
    assert_eq!(record(mapped).date(Field::BirthDate), Some(jiff::civil::date(1980, 4, 25)));
}

#[test]
fn spreadsheet_date_cell_needs_no_format() {
    let birth = jiff::civil::date(1975, 12, 1);
    let (mapped, issues) = apply(vec![text("Doe"), text("Jane"), Cell::Date(birth), text("2"), Cell::Empty]);
    assert!(issues.is_empty());
    assert_eq!(record(mapped).date(Field::BirthDate), Some(birth));
}

#[test]
fn impossible_and_unparseable_dates_are_told_apart() {
    assert_eq!(parse_date("02/30/1975", &["%m/%d/%Y".into()], None), DateParse::Invalid);
    assert_eq!(parse_date("1975-02-03", &["%m/%d/%Y".into()], None), DateParse::Unparseable);
    assert_eq!(parse_date("31.02.1988", &["%d.%m.%Y".into()], None), DateParse::Invalid);
    assert_eq!(
        parse_date("05/05/1975", &["%m/%d/%Y".into(), "%d/%m/%Y".into()], None),
        DateParse::Date(jiff::civil::date(1975, 5, 5))
    );
}

#[test]
fn number_in_a_date_column_is_not_read_as_a_serial() {
    let (_, issues) = apply(vec![text("Doe"), text("Jane"), Cell::Number(29000.0), text("2"), Cell::Empty]);
    assert_eq!(issues[0].code, IssueCode::DateUnparseable);
}

#[test]
fn skip_rule_skips_footer_rows() {
    let (mapped, issues) = apply(vec![text("Total patients: 12"), Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
    assert!(matches!(mapped, MappedRow::Skipped(ref why) if why == "`Last` starts with \"Total\""));
    assert!(issues.is_empty());
}

#[test]
fn error_cell_is_an_issue() {
    let (_, issues) = apply(vec![Cell::Error("#REF!".into()), text("Jane"), Cell::Empty, Cell::Empty, Cell::Empty]);
    assert_eq!(issues[0].code, IssueCode::CellError);
    assert_eq!(issues[0].field, Some(Field::FamilyName));
}

#[test]
fn unknown_code_without_default_is_an_issue() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.family_name]
column = "Last"
[fields.sex]
column = "Sex"
"#;
    let mapping = compiled(text_mapping, &["Sex", "Last"]);
    let mut issues = Vec::new();
    mapping.apply(&row(vec![text("X")]), &mut issues);
    assert_eq!(issues[0].code, IssueCode::CodeUnknown);
    assert_eq!(issues[0].detail.as_deref(), Some("`X` is not in the code table"), "names what to add to `codes`");
    issues.clear();
    mapping.apply(&row(vec![text("Female, per patient's own words")]), &mut issues);
    assert_eq!(issues[0].detail.as_deref(), Some("the value is too long to be a code"));
    issues.clear();
    let record = record(mapping.apply(&row(vec![text("f")]), &mut issues));
    assert_eq!(record.sex(), Some(Sex::Female), "the default sex table applies");
}

#[test]
fn columns_are_joined_without_blanks() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.family_name]
column = "Last"
[fields.address_line1]
columns = ["No", "Street"]
"#;
    let mapping = compiled(text_mapping, &["No", "Street", "Last"]);
    let record = record(mapping.apply(&row(vec![Cell::Number(12.0), text(" Elm St ")]), &mut Vec::new()));
    assert_eq!(record.text(Field::AddressLine1), Some("12 Elm St"));
    let record = record_of(mapping.apply(&row(vec![Cell::Empty, text("Elm St")]), &mut Vec::new()));
    assert_eq!(record.text(Field::AddressLine1), Some("Elm St"));
}

fn record_of(mapped: MappedRow) -> Record {
    record(mapped)
}

#[test]
fn every_problem_is_reported_at_once_with_position_and_suggestion() {
    let text_mapping = r#"entity = "patient"
[fields.family_name]
column = "Pt Last Nme"
[fields.given_nme]
column = "First"
[fields.birth_date]
column = "DOB"
transforms = ["uppercase"]
[fields.sex]
column = "Sex"
codes = { M = "mal" }
"#;
    let found = problems(text_mapping, &["Pt Last Name", "First", "DOB", "Sex"]);
    let summary: Vec<String> =
        found.iter().map(|d| format!("{}:{} {} | {:?}", d.line, d.column, d.message, d.hint)).collect();
    insta::assert_snapshot!(summary.join("\n"), @r#"
    1:10 a patient mapping must map `given_name` | Some("add [fields.given_name], or list the fields that must not be blank with `required = [...]`")
    3:10 unknown source column `Pt Last Nme` | Some("the nearest header is `Pt Last Name`; headers must match exactly, apart from surrounding spaces")
    4:9 unknown field `given_nme` | Some("did you mean `given_name`?")
    8:15 unknown transform `uppercase` | Some("did you mean `upper`?")
    11:15 `mal` is not a value of `sex`; use female, male, other or unknown | Some("did you mean `male`?")
    "#);
}

#[test]
fn field_of_another_entity_is_named() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.family_name]
column = "Last"
[fields.document_type]
column = "Type"
"#;
    let found = problems(text_mapping, &["Type", "Last"]);
    assert_eq!(found[0].message, "`document_type` is not a field of a patient");
}

#[test]
fn duplicate_header_is_ambiguous() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.family_name]
column = "Last"
[fields.phone]
column = "Phone"
"#;
    let found = problems(text_mapping, &["Phone", "Phone", "Last"]);
    assert_eq!(found[0].message, "column `Phone` appears 2 times in the header");
}

#[test]
fn invalid_date_format_is_caught_at_compile_time() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.family_name]
column = "Last"
[fields.birth_date]
column = "DOB"
date_formats = ["%Q/%d"]
"#;
    let found = problems(text_mapping, &["DOB", "Last"]);
    assert_eq!(found[0].message, "invalid date format `%Q/%d`");
}

#[test]
fn family_name_stays_required_whatever_the_list_says() {
    let text_mapping = r#"
entity = "patient"
required = []
[fields.given_name]
column = "First"
"#;
    let found = problems(text_mapping, &["First"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, "a patient mapping must map `family_name`");
    let with_family = "entity = \"patient\"\nrequired = []\n[fields.family_name]\ncolumn = \"Last\"\n";
    assert_eq!(compiled(with_family, &["Last"]).required, [Field::FamilyName]);
}

#[test]
fn a_header_that_looks_like_data_is_never_echoed() {
    let text_mapping = "entity = \"patient\"\nrequired = []\n[fields.family_name]\ncolumn = \"Surname\"\n";
    let found = problems(text_mapping, &["Doe", "Jane", "03/04/1975"]);
    assert_eq!(found[0].message, "unknown source column `Surname`");
    let hint = found[0].hint.as_deref().unwrap();
    assert!(hint.contains("looks like data"), "{hint}");
    assert!(!hint.contains("Doe") && !hint.contains("1975"), "{hint}");
}

#[test]
fn an_identifier_with_match_false_is_kept_but_never_compared() {
    let unmatched = PATIENT.replace("system = \"pm\"", "system = \"pm\"\nmatch = false");
    let mut issues = Vec::new();
    let cells = vec![text("Doe"), text("Jane"), text("3/25/1980"), text("1"), text("1042")];
    let record = record(compiled(&unmatched, COLUMNS).apply(&row(cells), &mut issues));
    assert_eq!(record.identifiers, vec![Identifier { system: "pm".into(), value: "1042".into(), compared: false }]);
    let candidate = crate::matching::Candidate::from_record(&record, crate::matching::CandidateKind::Patient);
    assert!(candidate.identifiers.is_empty(), "matching never sees it");
}

#[test]
fn max_age_years_is_read_and_kept_in_bounds() {
    assert_eq!(compiled(PATIENT, COLUMNS).max_age_years, crate::validate::MAX_AGE_YEARS);
    let raised = format!("{PATIENT}\n[validate]\nmax_age_years = 130\n");
    assert_eq!(compiled(&raised, COLUMNS).max_age_years, 130);
    let absurd = format!("{PATIENT}\n[validate]\nmax_age_years = 900\n");
    let found = problems(&absurd, COLUMNS);
    assert!(found.iter().any(|problem| problem.to_string().contains("`max_age_years` must be between 1 and 200")));
}

#[test]
fn regex_capture_takes_the_first_group_and_a_value_that_does_not_match_is_rejected() {
    let text_mapping = r#"
entity = "patient"
required = ["family_name"]
[fields.family_name]
column = "Name"
regex = '^([^,]+),'
transforms = ["title_case"]
[fields.given_name]
column = "Name"
regex = ',\s*(\S+)'
[fields.national_id]
column = "SSN"
regex = '\d{3}-?\d{2}-?\d{4}'
"#;
    let mapping = compiled(text_mapping, &["Name", "SSN"]);
    let mut issues = Vec::new();
    let mapped =
        record(mapping.apply(&row(vec![text("  GARCIA LOPEZ, Maria J "), text("SSN 123-45-6789")]), &mut issues));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(mapped.text(Field::FamilyName), Some("Garcia Lopez"));
    assert_eq!(mapped.text(Field::GivenName), Some("Maria"));
    assert_eq!(mapped.text(Field::NationalId), Some("123-45-6789"), "no group: the whole match");
    let mut issues = Vec::new();
    mapping.apply(&row(vec![text("Madonna"), text("")]), &mut issues);
    let codes: Vec<&str> = issues.iter().map(|issue| issue.code.as_str()).collect();
    assert_eq!(codes, ["E-REGEX-NO-MATCH", "E-REGEX-NO-MATCH"], "no comma: neither name can be taken");
}

#[test]
fn a_broken_regex_is_the_mappings_error_with_its_position() {
    let text = "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"Name\"\nregex = '(unclosed'\n";
    let found = problems(text, &["Name"]);
    assert_eq!(found.len(), 1, "{found:?}");
    let message = found[0].to_string();
    assert!(message.contains("m.toml:5:9") && message.contains("not a valid regular expression"), "{message}");
}

#[test]
fn without_a_pivot_a_two_digit_year_is_never_in_the_future() {
    assert_eq!(default_century_pivot(2026), 27);
    assert_eq!(default_century_pivot(2099), 0, "in 2099, 00-99 are all 20xx");
    let formats = ["%m/%d/%y".to_string()];
    let pivot = Some(default_century_pivot(2026));
    assert_eq!(parse_date("01/20/60", &formats, pivot), DateParse::Date(jiff::civil::date(1960, 1, 20)));
    assert_eq!(parse_date("01/20/26", &formats, pivot), DateParse::Date(jiff::civil::date(2026, 1, 20)));
    assert_eq!(parse_date("01/20/27", &formats, pivot), DateParse::Date(jiff::civil::date(1927, 1, 20)));
    // Compiled from a mapping without `century_pivot`, on any day now.
    let mapping = compiled(
        "entity = \"patient\"\n[fields.family_name]\ncolumn = \"Last\"\n[fields.given_name]\ncolumn = \"First\"\n\
         [fields.birth_date]\ncolumn = \"DOB\"\ndate_formats = [\"%m/%d/%y\"]\n",
        &["Last", "First", "DOB"],
    );
    let cells = vec![text("Doe"), text("Jane"), text("01/20/60")];
    let MappedRow::Mapped(record) = mapping.apply(&row(cells), &mut Vec::new()) else {
        panic!("not skipped");
    };
    assert_eq!(record.date(Field::BirthDate), Some(jiff::civil::date(1960, 1, 20)));
}

#[test]
fn a_century_pivot_places_two_digit_years() {
    let formats = ["%m/%d/%y".to_string()];
    // jiff's own window (69-99 are 19xx, 00-68 are 20xx) without a pivot,
    // which compiling never leaves a date field without.
    assert_eq!(parse_date("07/14/45", &formats, None), DateParse::Date(jiff::civil::date(2045, 7, 14)));
    assert_eq!(parse_date("07/14/45", &formats, Some(30)), DateParse::Date(jiff::civil::date(1945, 7, 14)));
    assert_eq!(parse_date("07/14/12", &formats, Some(30)), DateParse::Date(jiff::civil::date(2012, 7, 14)));
    assert_eq!(parse_date("02/29/00", &formats, Some(0)), DateParse::Invalid, "1900 had no 29 February");
    // Four-digit years are left as they are.
    let four = ["%m/%d/%Y".to_string()];
    assert_eq!(parse_date("07/14/2045", &four, Some(30)), DateParse::Date(jiff::civil::date(2045, 7, 14)));
    let found = problems(
        "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"Name\"\ncentury_pivot = 30\n",
        &["Name"],
    );
    assert!(found[0].to_string().contains("`century_pivot` given for `family_name`"), "{found:?}");
}

#[test]
fn phones_become_e164_in_the_mappings_country_and_a_bad_one_is_flagged_and_kept() {
    let text_mapping = r#"
entity = "patient"
required = ["family_name"]
[fields.family_name]
column = "Last"
[fields.phone]
column = "Phone"
phone_country = "US"
"#;
    let mapping = compiled(text_mapping, &["Last", "Phone"]);
    let mut issues = Vec::new();
    let mapped = record(mapping.apply(&row(vec![text("Doe"), text("(614) 555-0100 x12")]), &mut issues));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(mapped.text(Field::Phone), Some("+16145550100"));
    let mut issues = Vec::new();
    let mapped = record(mapping.apply(&row(vec![text("Doe"), text("555-0100")]), &mut issues));
    assert_eq!(issues.iter().map(|issue| issue.code.as_str()).collect::<Vec<_>>(), ["W-PHONE-INVALID"]);
    assert_eq!(mapped.text(Field::Phone), Some("555-0100"), "kept as written");
}

#[test]
fn phone_country_belongs_to_the_phone_field_and_names_a_known_country() {
    let misplaced = problems(
        "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"Last\"\nphone_country = \"US\"\n",
        &["Last"],
    );
    assert!(misplaced[0].to_string().contains("`phone_country` given for `family_name`"), "{misplaced:?}");
    let unknown = problems(
        "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"Last\"\n\
         [fields.phone]\ncolumn = \"Phone\"\nphone_country = \"USA\"\n",
        &["Last", "Phone"],
    );
    let message = unknown[0].to_string();
    assert!(message.contains("unknown phone country `USA`") && message.contains("did you mean `US`?"), "{message}");
}

const WHOLE_NAME: &str = r#"
entity = "patient"
required = ["family_name", "given_name"]
[fields.title]
column = "Patient Name"
split_name = "first_last"
[fields.family_name]
column = "Patient Name"
split_name = "first_last"
transforms = ["upper"]
[fields.given_name]
column = "Patient Name"
split_name = "first_last"
[fields.middle_name]
column = "Patient Name"
split_name = "first_last"
[fields.suffix]
column = "Patient Name"
split_name = "first_last"
"#;

fn split_row(mapping: &str, name: &str) -> (Record, Vec<Issue>) {
    let mut issues = Vec::new();
    let mapped = compiled(mapping, &["Patient Name"]).apply(&row(vec![text(name)]), &mut issues);
    (record(mapped), issues)
}

#[test]
fn one_whole_name_column_feeds_every_name_field_and_transforms_apply_to_the_part() {
    let (record, issues) = split_row(WHOLE_NAME, " Dr. John  A. Smith III ");
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(record.text(Field::Title), Some("Dr"));
    assert_eq!(record.text(Field::GivenName), Some("John"));
    assert_eq!(record.text(Field::MiddleName), Some("A."));
    assert_eq!(record.text(Field::FamilyName), Some("SMITH"));
    assert_eq!(record.text(Field::Suffix), Some("III"));
    let (record, issues) = split_row(WHOLE_NAME, "Maria Garcia");
    assert!(issues.is_empty(), "{issues:?}");
    assert!(!record.has(Field::MiddleName) && !record.has(Field::Title), "a part the name lacks is blank");
}

#[test]
fn a_name_that_cannot_be_split_is_an_issue_for_each_field_never_a_guess() {
    let last_first = WHOLE_NAME.replace("first_last", "last_first");
    let (record, issues) = split_row(&last_first, "GARCIA MARIA J");
    assert_eq!(record.values().count(), 0, "no part is filed anywhere");
    let found: Vec<(IssueCode, Option<Field>)> = issues.iter().map(|issue| (issue.code, issue.field)).collect();
    assert_eq!(
        found,
        [
            (IssueCode::NameUnsplittable, Some(Field::FamilyName)),
            (IssueCode::NameUnsplittable, Some(Field::GivenName)),
            (IssueCode::NameUnsplittable, Some(Field::MiddleName)),
            (IssueCode::NameUnsplittable, Some(Field::Suffix)),
            (IssueCode::NameUnsplittable, Some(Field::Title)),
        ]
    );
    assert_eq!(issues[0].column.as_deref(), Some("Patient Name"));
    assert_eq!(issues[0].detail.as_deref(), Some("no comma between family and given name"));
    assert!(!issues[0].message().contains("GARCIA"), "{}", issues[0].message());
    assert!(crate::issue::rejects(&issues));
}

#[test]
fn an_ambiguous_split_flags_only_the_parts_it_leaves_uncertain() {
    let (record, issues) = split_row(WHOLE_NAME, "MINH VAN NGUYEN");
    assert_eq!(record.text(Field::GivenName), Some("MINH"));
    let flagged: Vec<(IssueCode, Option<Field>)> = issues.iter().map(|issue| (issue.code, issue.field)).collect();
    assert_eq!(
        flagged,
        [(IssueCode::NameAmbiguous, Some(Field::FamilyName)), (IssueCode::NameAmbiguous, Some(Field::MiddleName))]
    );
}

#[test]
fn split_name_is_checked_when_the_mapping_compiles() {
    let misspelt = WHOLE_NAME.replacen("split_name = \"first_last\"", "split_name = \"last_frist\"", 1);
    let found = problems(&misspelt, &["Patient Name"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].line, found[0].column), (6, 14));
    assert_eq!(found[0].message, "unknown `split_name` form `last_frist`");
    assert_eq!(found[0].hint.as_deref(), Some("did you mean `last_first`?"));

    let far_off = WHOLE_NAME.replacen("split_name = \"first_last\"", "split_name = \"western\"", 1);
    let found = problems(&far_off, &["Patient Name"]);
    assert_eq!(found[0].hint.as_deref(), Some("use `last_first`, `first_last`, `family` or `given`"));

    let not_a_name = "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"N\"\n\
                      [fields.city]\ncolumn = \"N\"\nsplit_name = \"last_first\"\n";
    let found = problems(not_a_name, &["N"]);
    assert_eq!(found[0].message, "`split_name` given for `city`, which is not part of a name");
    assert_eq!(
        found[0].hint.as_deref(),
        Some("only `title`, `given_name`, `middle_name`, `family_name` and `suffix` take a part of a whole name")
    );
}

#[test]
fn a_split_name_form_that_never_holds_the_field_is_a_mistake() {
    let mapping = "entity = \"patient\"\nrequired = [\"family_name\"]\n[fields.family_name]\ncolumn = \"Last\"\n\
                   split_name = \"family\"\n[fields.given_name]\ncolumn = \"First\"\nsplit_name = \"family\"\n\
                   [fields.middle_name]\ncolumn = \"First\"\nsplit_name = \"given\"\n";
    let found = problems(mapping, &["Last", "First"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].message,
        "`split_name = \"family\"` never holds a `given_name`: the field would always be blank"
    );
    assert_eq!(found[0].hint.as_deref(), Some("for `given_name` use `last_first`, `first_last` or `given`"));
    let family_from_given =
        mapping.replace("column = \"Last\"\nsplit_name = \"family\"", "column = \"Last\"\nsplit_name = \"given\"");
    let found = problems(&family_from_given, &["Last", "First"]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].message.contains("never holds a `family_name`"), "{found:?}");
}

const MARITAL: &str = r#"
entity = "patient"
required = ["family_name"]
[fields.family_name]
column = "Last"
[fields.marital_status]
column = "MS"
"#;

/// `field`'s value and the issue codes, for a row of two columns whose
/// second holds the code.
fn coded(mapping: &str, columns: [&str; 2], cells: [&str; 2], field: Field) -> (Option<Value>, Vec<IssueCode>) {
    let mut issues = Vec::new();
    let mapped = compiled(mapping, &columns).apply(&row(cells.map(text).to_vec()), &mut issues);
    (record(mapped).get(field).cloned(), issues.iter().map(|issue| issue.code).collect())
}

fn marital(mapping: &str, code: &str) -> (Option<Value>, Vec<IssueCode>) {
    coded(mapping, ["Last", "MS"], ["Doe", code], Field::MaritalStatus)
}

#[test]
fn marital_status_reads_the_built_in_spellings_and_rejects_the_rest() {
    use crate::record::MaritalStatus;
    assert_eq!(marital(MARITAL, "M"), (Some(Value::MaritalStatus(MaritalStatus::Married)), vec![]));
    assert_eq!(marital(MARITAL, "Widowed"), (Some(Value::MaritalStatus(MaritalStatus::Widowed)), vec![]));
    assert_eq!(marital(MARITAL, "A"), (None, vec![IssueCode::CodeUnknown]), "separated or annulled: never guessed");
    assert_eq!(marital(MARITAL, ""), (None, vec![]), "blank is absent");
    let defaulted = format!("{MARITAL}code_default = \"unknown\"\n");
    assert_eq!(marital(&defaulted, "A"), (Some(Value::MaritalStatus(MaritalStatus::Unknown)), vec![]));
    assert_eq!(marital(&defaulted, "s"), (Some(Value::MaritalStatus(MaritalStatus::Single)), vec![]));
    let own = format!("{MARITAL}codes = {{ 1 = \"single\", 2 = \"married\", A = \"separated\" }}\n");
    assert_eq!(marital(&own, "A"), (Some(Value::MaritalStatus(MaritalStatus::Separated)), vec![]));
    assert_eq!(marital(&own, "M"), (None, vec![IssueCode::CodeUnknown]), "a table of its own replaces the built-in");
}

#[test]
fn a_marital_code_table_must_name_canonical_values() {
    let wrong = format!("{MARITAL}codes = {{ M = \"maried\" }}\ncode_default = \"n/a\"\n");
    let found = problems(&wrong, &["Last", "MS"]);
    let messages: Vec<(&str, Option<&str>)> =
        found.iter().map(|problem| (problem.message.as_str(), problem.hint.as_deref())).collect();
    let values = "single, married, partnered, separated, divorced, widowed or unknown";
    assert_eq!(
        messages,
        [
            (
                format!("`maried` is not a value of `marital_status`; use {values}").as_str(),
                Some("did you mean `married`?")
            ),
            (format!("`n/a` is not a value of `marital_status`; use {values}").as_str(), None),
        ]
    );
}

#[test]
fn title_and_death_date_map_like_any_text_and_date() {
    let text_mapping = r#"
entity = "patient"
required = ["family_name"]
[fields.family_name]
column = "Last"
[fields.title]
column = "Title"
[fields.death_date]
column = "DOD"
date_formats = ["%m/%d/%Y"]
"#;
    let mapping = compiled(text_mapping, &["Last", "Title", "DOD"]);
    let mut issues = Vec::new();
    let mapped = record(mapping.apply(&row(vec![text("Doe"), text("Mrs."), text("04/05/2019")]), &mut issues));
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(mapped.text(Field::Title), Some("Mrs."), "a title column is loaded as written");
    assert_eq!(mapped.date(Field::DeathDate), Some(jiff::civil::date(2019, 4, 5)));
    mapping.apply(&row(vec![text("Doe"), Cell::Empty, text("2019-04-05")]), &mut issues);
    assert_eq!(issues[0].code, IssueCode::DateUnparseable);
    assert_eq!(issues[0].field, Some(Field::DeathDate));
}

const SCAN: &str = r#"
entity = "document"
[fields.file_path]
column = "File"
[fields.document_type]
column = "Type"
"#;

fn document_type(mapping: &str, code: &str) -> (Option<Value>, Vec<IssueCode>) {
    coded(mapping, ["File", "Type"], ["a.pdf", code], Field::DocumentType)
}

#[test]
fn document_types_read_the_built_in_spellings_and_reject_the_rest() {
    use crate::record::DocumentType;
    assert_eq!(document_type(SCAN, "Labs"), (Some(Value::DocumentType(DocumentType::LabReport)), vec![]));
    assert_eq!(document_type(SCAN, "X-Ray Report"), (Some(Value::DocumentType(DocumentType::ImagingReport)), vec![]));
    assert_eq!(document_type(SCAN, "CONS"), (None, vec![IssueCode::CodeUnknown]), "consult or consent: never guessed");
    assert_eq!(document_type(SCAN, ""), (None, vec![]), "blank is absent");
    let defaulted = format!("{SCAN}code_default = \"other\"\n");
    assert_eq!(document_type(&defaulted, "CONS"), (Some(Value::DocumentType(DocumentType::Other)), vec![]));
    assert_eq!(
        document_type(&defaulted, "Referral Letter"),
        (Some(Value::DocumentType(DocumentType::Referral)), vec![])
    );
    let own = format!("{SCAN}codes = {{ CONS = \"consult_note\", RAD = \"imaging_report\" }}\n");
    assert_eq!(document_type(&own, "cons"), (Some(Value::DocumentType(DocumentType::ConsultNote)), vec![]));
    assert_eq!(
        document_type(&own, "LAB"),
        (None, vec![IssueCode::CodeUnknown]),
        "a table of its own replaces the built-in"
    );
}

#[test]
fn a_document_type_table_must_name_canonical_types() {
    let wrong = format!("{SCAN}codes = {{ LAB = \"laboratory result\", RAD = \"imaging report\" }}\n");
    let found = problems(&wrong, &["File", "Type"]);
    let found: Vec<(&str, Option<&str>)> =
        found.iter().map(|problem| (problem.message.as_str(), problem.hint.as_deref())).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].0.starts_with("`laboratory result` is not a value of `document_type`; use referral, "),
        "{}",
        found[0].0
    );
    assert_eq!(found[1].1, Some("did you mean `imaging_report`?"));
}

const CONTACT: &str = r#"
entity = "patient"
required = ["family_name"]
[fields.family_name]
column = "Last"
[fields.state]
column = "St"
[fields.email]
column = "Email"
"#;

fn contact(mapping: &str, state: &str, email: &str) -> (Option<String>, Option<String>, Vec<Issue>) {
    let mut issues = Vec::new();
    let row = row(vec![text("Doe"), text(state), text(email)]);
    let mapped = record(compiled(mapping, &["Last", "St", "Email"]).apply(&row, &mut issues));
    let text_of = |field| mapped.text(field).map(str::to_string);
    (text_of(Field::State), text_of(Field::Email), issues)
}

#[test]
fn a_us_state_written_as_its_name_is_loaded_as_its_code() {
    for (written, code) in
        [("Ohio", "OH"), ("new york", "NY"), ("oh", "OH"), ("Washington, D.C.", "DC"), (" PR ", "PR")]
    {
        assert_eq!(contact(CONTACT, written, "").0.as_deref(), Some(code), "{written}");
    }
    let (state, _, issues) = contact(CONTACT, "Ontario", "");
    assert_eq!(state.as_deref(), Some("Ontario"), "kept as written, for validate to flag");
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(compiled(CONTACT, &["Last", "St", "Email"]).postal, PostalScheme::Us, "the default");
}

#[test]
fn postal_none_loads_the_state_as_written() {
    let elsewhere = format!("{CONTACT}[validate]\npostal = \"none\"\n");
    assert_eq!(contact(&elsewhere, "Ohio", "").0.as_deref(), Some("Ohio"));
    assert_eq!(contact(&elsewhere, "Ontario", "").0.as_deref(), Some("Ontario"));
    assert_eq!(compiled(&elsewhere, &["Last", "St", "Email"]).postal, PostalScheme::None);
}

#[test]
fn a_state_the_mapping_codes_itself_is_not_read_again() {
    let numbered = CONTACT.replace("column = \"St\"", "column = \"St\"\ncodes = { 36 = \"NY\", 39 = \"OH\" }");
    assert_eq!(contact(&numbered, "39", "").0.as_deref(), Some("OH"));
    assert_eq!(contact(&numbered, "Ohio", "").0, None, "its own table, and nothing else");
}

#[test]
fn an_email_placeholder_is_a_blank_and_an_address_is_kept_as_written() {
    for placeholder in ["none", "N/A", "noemail@noemail.com", "Declined"] {
        let (_, email, issues) = contact(CONTACT, "OH", placeholder);
        assert_eq!(email, None, "{placeholder}");
        assert!(issues.is_empty(), "{issues:?}");
    }
    assert_eq!(contact(CONTACT, "OH", " Jane.Doe@Example.com ").1.as_deref(), Some("Jane.Doe@Example.com"));
    assert_eq!(contact(CONTACT, "OH", "jane@localhost").1.as_deref(), Some("jane@localhost"), "validate's to judge");
}

#[test]
fn an_unknown_postal_scheme_is_named_with_the_nearest() {
    let text = format!("{CONTACT}[validate]\npostal = \"usa\"\n");
    let problems = match file::parse(Path::new("m.toml"), text) {
        Ok(read) => read.key_problems,
        Err(diagnostics) => diagnostics.0,
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 11);
    assert!(problems[0].message.starts_with("unknown variant `usa`"), "{}", problems[0].message);
    assert_eq!(problems[0].hint.as_deref(), Some("did you mean `us`?"));
}

#[test]
fn a_missing_top_level_key_is_reported_once() {
    let text = "required = [\"family_name\"]\n[fields.family_name]\ncolumn = \"N\"\n";
    let found = file::parse(Path::new("m.toml"), text.to_string()).expect_err("no entity").0;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("missing field `entity`"), "{found:?}");
}
