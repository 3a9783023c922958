//! validate: rules on canonical records. Is every required field there, is a
//! birth date plausible, could an email address or a ZIP code be one, does a
//! document's file exist and agree with its index line?
//!
//! Validate judges values that mapping has already typed; it never reads a
//! source file (the scan checks arrive as `ScannedFile` facts from extract)
//! and never decides whether two records are one person (matching does).

pub mod email;
pub mod national_id;
pub mod postal;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::extract::ScannedFile;
use crate::issue::{Issue, IssueCode};
use crate::record::{Entity, Field, Record};

/// How far back a birth date may plausibly lie, unless the mapping says
/// otherwise (`[validate] max_age_years`).
pub const MAX_AGE_YEARS: u16 = 120;

/// Longer than anyone has lived, bar one. Fixed, unlike `MAX_AGE_YEARS`: an
/// archive reaching further back has older birth dates, not longer lives.
const MAX_LIFESPAN_YEARS: i64 = 120;

/// What a record is checked against.
#[derive(Debug, Clone)]
pub struct Rules {
    pub required: Vec<Field>,
    /// The day of the run: birth dates after it are in the future.
    pub today: Date,
    /// Birth dates further back than this are implausible.
    pub max_age_years: u16,
    pub national_id: national_id::NationalIdScheme,
    /// The conventions states and postal codes follow.
    pub postal: postal::PostalScheme,
}

/// Adds an issue for every rule the record breaks. `issues` may already hold
/// what mapping found for this row; a field mapping already flagged is not
/// reported again as missing.
pub fn validate(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    check_required(record, rules, issues);
    check_birth_date(record, rules, issues);
    check_death_date(record, rules, issues);
    check_national_id(record, rules, issues);
    check_contact(record, rules, issues);
    if record.entity == Entity::Document {
        check_document(record, issues);
    }
}

fn check_required(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    for &field in &rules.required {
        let already_flagged = issues.iter().any(|issue| issue.field == Some(field));
        if !record.has(field) && !already_flagged {
            issues.push(Issue::new(IssueCode::RequiredMissing, &record.source).field(field));
        }
    }
}

/// A national id the scheme could not have issued is loaded and flagged, not
/// rejected: the patient is real whatever the id says. Matching never lets
/// such an id keep two records apart.
fn check_national_id(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    let Some(value) = record.text(Field::NationalId) else {
        return;
    };
    if let Some(problem) = rules.national_id.problem(value) {
        issues.push(Issue::new(IssueCode::NationalIdInvalid, &record.source).field(Field::NationalId).detail(problem));
    }
}

/// Contact details that cannot be right are loaded and flagged, not
/// rejected: the clinic would rather have the patient with a doubtful
/// email or ZIP code than not at all, and the rest of the row is good.
fn check_contact(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    let email = record.text(Field::Email).and_then(email::problem);
    let state = record.text(Field::State).and_then(|value| rules.postal.state_problem(value));
    let postal_code = record.text(Field::PostalCode).and_then(|value| rules.postal.postal_code_problem(value));
    let flag = |field, code, problem: Option<&str>| {
        problem.map(|problem| Issue::new(code, &record.source).field(field).detail(problem))
    };
    issues.extend(
        [
            flag(Field::Email, IssueCode::EmailInvalid, email),
            flag(Field::State, IssueCode::StateInvalid, state),
            flag(Field::PostalCode, IssueCode::PostalCodeInvalid, postal_code),
        ]
        .into_iter()
        .flatten(),
    );
}

fn check_birth_date(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    let Some(birth) = record.date(Field::BirthDate) else {
        return;
    };
    if birth > rules.today {
        // The year it was read as tells a misread century from a typo.
        issues.push(
            Issue::new(IssueCode::BirthDateFuture, &record.source)
                .field(Field::BirthDate)
                .detail(format!("read as a date in {}", birth.year())),
        );
    } else if birth < oldest_plausible_birth(rules) {
        issues.push(
            Issue::new(IssueCode::BirthDateTooOld, &record.source)
                .field(Field::BirthDate)
                .detail(format!("more than {} years ago", rules.max_age_years)),
        );
    }
}

/// A death date after the run, or before the birth, is wrong and rejects the
/// row. A lifetime longer than anyone lives is only implausible: each date
/// may be right alone, nothing says which is wrong, and a deceased patient's
/// chart must still reach the EMR, so it is loaded and flagged.
fn check_death_date(record: &Record, rules: &Rules, issues: &mut Vec<Issue>) {
    let Some(death) = record.date(Field::DeathDate) else {
        return;
    };
    let issue = |code| Issue::new(code, &record.source).field(Field::DeathDate);
    let future = death > rules.today;
    if future {
        issues.push(issue(IssueCode::DeathDateFuture));
    }
    let Some(birth) = record.date(Field::BirthDate) else {
        return;
    };
    let longest_life = birth.checked_add(MAX_LIFESPAN_YEARS.years()).unwrap_or(Date::MAX);
    if death < birth {
        issues.push(issue(IssueCode::DeathBeforeBirth));
    } else if death > longest_life && !future {
        // A future death date is already the error that explains it.
        issues.push(issue(IssueCode::DeathAgeImplausible));
    }
}

fn oldest_plausible_birth(rules: &Rules) -> Date {
    rules.today.checked_sub(i64::from(rules.max_age_years).years()).unwrap_or(Date::MIN)
}

fn check_document(record: &Record, issues: &mut Vec<Issue>) {
    let has_name_and_birth = record.has(Field::FamilyName) && record.has(Field::BirthDate);
    if record.identifiers.is_empty() && !has_name_and_birth {
        issues.push(Issue::new(IssueCode::DocumentNoPatientKey, &record.source));
    }
    if let (Some(document), Some(birth)) = (record.date(Field::DocumentDate), record.date(Field::BirthDate))
        && document < birth
    {
        issues.push(Issue::new(IssueCode::DocumentBeforeBirth, &record.source).field(Field::DocumentDate));
    }
    let file_issue = |code| Issue::new(code, &record.source).field(Field::FilePath);
    match &record.scanned_file {
        // No path at all: a document without its file cannot be loaded.
        None if !issues.iter().any(|issue| issue.field == Some(Field::FilePath)) => {
            issues.push(file_issue(IssueCode::ScanFileMissing));
        }
        None | Some(ScannedFile::Found { pages: None, .. } | ScannedFile::Unchecked { .. }) => {}
        Some(ScannedFile::Found { pages: Some(pages), .. }) => {
            if let Some(indexed) = record.integer(Field::PageCount)
                && indexed != i64::from(*pages)
            {
                issues.push(
                    Issue::new(IssueCode::ScanPageCountMismatch, &record.source)
                        .field(Field::PageCount)
                        .detail(format!("the index says {indexed}, the file has {pages}")),
                );
            }
        }
        Some(ScannedFile::Missing { .. }) => issues.push(file_issue(IssueCode::ScanFileMissing)),
        Some(ScannedFile::Escapes { .. }) => issues.push(file_issue(IssueCode::ScanPathEscapes)),
        Some(ScannedFile::Unreadable { reason, .. }) => {
            issues.push(file_issue(IssueCode::ScanFileUnreadable).detail(reason.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Value;
    use crate::source_ref::SourceRef;
    use jiff::civil::date;

    fn rules() -> Rules {
        Rules {
            required: vec![Field::FamilyName, Field::BirthDate],
            today: date(2026, 11, 24),
            max_age_years: MAX_AGE_YEARS,
            national_id: national_id::NationalIdScheme::UsSsn,
            postal: postal::PostalScheme::Us,
        }
    }

    fn patient(birth: Option<Date>) -> Record {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 3 };
        let mut record = Record::new(Entity::Patient, source);
        record.set(Field::FamilyName, Value::Text("Doe".into()));
        if let Some(birth) = birth {
            record.set(Field::BirthDate, Value::Date(birth));
        }
        record
    }

    fn codes(record: &Record, already: Vec<Issue>) -> Vec<IssueCode> {
        let mut issues = already;
        validate(record, &rules(), &mut issues);
        issues.into_iter().map(|issue| issue.code).collect()
    }

    #[test]
    fn plausible_birth_dates_pass() {
        assert!(codes(&patient(Some(date(1980, 2, 29))), vec![]).is_empty());
        assert!(codes(&patient(Some(date(2026, 11, 24))), vec![]).is_empty(), "born today");
        assert!(codes(&patient(Some(date(1906, 11, 24))), vec![]).is_empty(), "exactly 120");
    }

    #[test]
    fn future_and_ancient_birth_dates_are_rejected() {
        assert_eq!(codes(&patient(Some(date(2026, 11, 25))), vec![]), [IssueCode::BirthDateFuture]);
        let mut issues = Vec::new();
        validate(&patient(Some(date(2060, 1, 20))), &rules(), &mut issues);
        assert_eq!(issues[0].detail.as_deref(), Some("read as a date in 2060"));
        assert_eq!(codes(&patient(Some(date(1906, 11, 23))), vec![]), [IssueCode::BirthDateTooOld]);
    }

    #[test]
    fn an_archive_may_reach_further_back() {
        let archive = Rules { max_age_years: 130, ..rules() };
        let mut issues = Vec::new();
        validate(&patient(Some(date(1900, 1, 1))), &archive, &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
        validate(&patient(Some(date(1896, 11, 23))), &archive, &mut issues);
        assert_eq!(issues[0].detail.as_deref(), Some("more than 130 years ago"));
    }

    fn died(birth: Option<Date>, death: Date) -> Record {
        let mut record = patient(birth);
        record.set(Field::DeathDate, Value::Date(death));
        record
    }

    #[test]
    fn plausible_death_dates_pass() {
        let birth = Some(date(1930, 5, 1));
        assert!(codes(&died(birth, date(2001, 9, 11)), vec![]).is_empty());
        assert!(codes(&died(birth, date(1930, 5, 1)), vec![]).is_empty(), "died the day of birth");
        assert!(codes(&died(birth, date(2026, 11, 24)), vec![]).is_empty(), "died today");
        assert_eq!(codes(&died(None, date(1990, 1, 1)), vec![]), [IssueCode::RequiredMissing], "no birth to compare");
    }

    #[test]
    fn a_death_date_in_the_future_is_rejected() {
        assert_eq!(codes(&died(Some(date(1950, 1, 1)), date(2026, 11, 25)), vec![]), [IssueCode::DeathDateFuture]);
        let unborn = Rules { required: vec![Field::FamilyName], ..rules() };
        let mut issues = Vec::new();
        validate(&died(None, date(2030, 1, 1)), &unborn, &mut issues);
        assert_eq!(issues.iter().map(|issue| issue.code).collect::<Vec<_>>(), [IssueCode::DeathDateFuture]);
        assert_eq!(issues[0].field, Some(Field::DeathDate));
        assert_eq!(issues[0].severity(), crate::issue::Severity::Error);
    }

    #[test]
    fn a_death_before_birth_is_rejected() {
        let found = codes(&died(Some(date(1980, 6, 15)), date(1980, 6, 14)), vec![]);
        assert_eq!(found, [IssueCode::DeathBeforeBirth]);
        assert_eq!(IssueCode::DeathBeforeBirth.severity(), crate::issue::Severity::Error);
        let both = codes(&died(Some(date(2026, 12, 1)), date(2026, 11, 30)), vec![]);
        assert_eq!(both, [IssueCode::BirthDateFuture, IssueCode::DeathDateFuture, IssueCode::DeathBeforeBirth]);
    }

    #[test]
    fn a_death_more_than_a_lifetime_after_birth_is_loaded_and_flagged() {
        // An archive reaches further back; a life is no longer for it.
        let archive = Rules { max_age_years: 200, ..rules() };
        let birth = Some(date(1880, 3, 1));
        let mut issues = Vec::new();
        validate(&died(birth, date(2000, 3, 1)), &archive, &mut issues);
        assert!(issues.is_empty(), "exactly 120 years: {issues:?}");
        validate(&died(birth, date(2000, 3, 2)), &archive, &mut issues);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, IssueCode::DeathAgeImplausible);
        assert_eq!(issues[0].severity(), crate::issue::Severity::Warning, "the row loads");
        assert_eq!(issues[0].field, Some(Field::DeathDate));
        let future = codes(&died(Some(date(1950, 1, 1)), date(2071, 1, 2)), vec![]);
        assert_eq!(future, [IssueCode::DeathDateFuture], "the future date is the finding, not the lifetime");
        let ancient = codes(&died(Some(date(1800, 1, 1)), date(1990, 1, 1)), vec![]);
        assert_eq!(ancient, [IssueCode::BirthDateTooOld, IssueCode::DeathAgeImplausible]);
    }

    #[test]
    fn missing_required_field_is_reported_once() {
        let record = patient(None);
        assert_eq!(codes(&record, vec![]), [IssueCode::RequiredMissing]);
        let unparseable = Issue::new(IssueCode::DateUnparseable, &record.source).field(Field::BirthDate);
        assert_eq!(codes(&record, vec![unparseable]), [IssueCode::DateUnparseable]);
    }

    fn document(file: ScannedFile, page_count: Option<i64>) -> Record {
        let mut record = patient(Some(date(1980, 1, 1)));
        record.entity = Entity::Document;
        record.scanned_file = Some(file);
        if let Some(pages) = page_count {
            record.set(Field::PageCount, Value::Integer(pages));
        }
        record
    }

    #[test]
    fn scan_file_findings_become_issues() {
        let found = |pages| ScannedFile::Found { path: "a.pdf".into(), size: 1, sha256: String::new(), pages };
        assert!(codes(&document(found(Some(2)), Some(2)), vec![]).is_empty());
        assert!(codes(&document(found(None), Some(2)), vec![]).is_empty(), "unknown page count is not a mismatch");
        assert_eq!(codes(&document(found(Some(3)), Some(2)), vec![]), [IssueCode::ScanPageCountMismatch]);
        assert_eq!(
            codes(&document(ScannedFile::Missing { path: "b.pdf".into() }, None), vec![]),
            [IssueCode::ScanFileMissing]
        );
        assert_eq!(
            codes(&document(ScannedFile::Escapes { path: "../c".into() }, None), vec![]),
            [IssueCode::ScanPathEscapes]
        );
    }

    /// Rows are validated before the line that named a file first is known
    /// (`pipeline`, in parallel); the duplicate-file issue comes after. For
    /// a line with a path, whose file has been looked at, that issue must
    /// change nothing validation says.
    #[test]
    fn a_duplicate_file_issue_changes_nothing_validation_finds() {
        let found = |pages| ScannedFile::Found { path: "a.pdf".into(), size: 1, sha256: String::new(), pages };
        let files = [
            found(Some(2)),
            found(Some(3)),
            ScannedFile::Missing { path: "a.pdf".into() },
            ScannedFile::Escapes { path: "../a.pdf".into() },
            ScannedFile::Unchecked { path: "a.pdf".into() },
        ];
        let rules = Rules { required: vec![Field::FamilyName, Field::BirthDate, Field::FilePath], ..rules() };
        for file in files {
            let mut record = document(file, Some(2));
            record.set(Field::FilePath, Value::Text("a.pdf".into()));
            let codes_after = |already: Vec<Issue>| {
                let mut issues = already;
                validate(&record, &rules, &mut issues);
                issues.into_iter().map(|issue| issue.code).collect::<Vec<_>>()
            };
            let duplicate = Issue::new(IssueCode::ScanDuplicateFile, &record.source).field(Field::FilePath);
            let mut expected = vec![IssueCode::ScanDuplicateFile];
            expected.extend(codes_after(Vec::new()));
            assert_eq!(codes_after(vec![duplicate]), expected, "{:?}", record.scanned_file);
        }
    }

    #[test]
    fn document_needs_a_way_to_find_its_patient() {
        let source = SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 3 };
        let mut record = Record::new(Entity::Document, source);
        record.set(Field::FamilyName, Value::Text("Doe".into()));
        assert_eq!(
            codes(&record, vec![]),
            [IssueCode::RequiredMissing, IssueCode::DocumentNoPatientKey, IssueCode::ScanFileMissing]
        );
    }

    #[test]
    fn document_dated_before_birth_is_a_warning() {
        let found = ScannedFile::Found { path: "x.pdf".into(), size: 1, sha256: String::new(), pages: None };
        let mut record = document(found, None);
        record.set(Field::DocumentDate, Value::Date(date(1979, 1, 1)));
        assert_eq!(codes(&record, vec![]), [IssueCode::DocumentBeforeBirth]);
    }

    #[test]
    fn an_ssn_never_issued_is_loaded_and_flagged() {
        let mut record =
            Record::new(Entity::Patient, SourceRef { source: "s".into(), file: "f".into(), sheet: None, row: 2 });
        record.set(Field::FamilyName, Value::Text("Doe".into()));
        record.set(Field::BirthDate, Value::Date(date(1980, 3, 4)));
        record.set(Field::NationalId, Value::Text("000-12-3456".into()));
        let mut issues = Vec::new();
        validate(&record, &rules(), &mut issues);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code, IssueCode::NationalIdInvalid);
        assert_eq!(issues[0].code.severity(), crate::issue::Severity::Warning, "the row loads");
        let mut issues = Vec::new();
        let other_scheme = Rules { national_id: national_id::NationalIdScheme::None, ..rules() };
        validate(&record, &other_scheme, &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
    }

    fn with_contact(email: &str, state: &str, postal_code: &str) -> Record {
        let mut record = patient(Some(date(1980, 3, 4)));
        record.set(Field::Email, Value::Text(email.into()));
        record.set(Field::State, Value::Text(state.into()));
        record.set(Field::PostalCode, Value::Text(postal_code.into()));
        record
    }

    #[test]
    fn plausible_contact_details_pass() {
        assert!(codes(&with_contact("jane@example.com", "OH", "43215"), vec![]).is_empty());
        assert!(codes(&with_contact("j@mail.example.org", "PR", "00901-1234"), vec![]).is_empty());
    }

    #[test]
    fn doubtful_contact_details_are_loaded_and_flagged_each_with_its_code() {
        let mut issues = Vec::new();
        validate(&with_contact("jane@localhost", "Ontario", "K1A 0B6"), &rules(), &mut issues);
        let found: Vec<(IssueCode, Option<Field>)> = issues.iter().map(|issue| (issue.code, issue.field)).collect();
        assert_eq!(
            found,
            [
                (IssueCode::EmailInvalid, Some(Field::Email)),
                (IssueCode::StateInvalid, Some(Field::State)),
                (IssueCode::PostalCodeInvalid, Some(Field::PostalCode)),
            ]
        );
        assert!(!crate::issue::rejects(&issues), "warnings: the row loads");
        assert_eq!(issues[0].detail.as_deref(), Some("no dot in the domain"));
        for issue in &issues {
            let message = issue.message();
            assert!(
                !message.contains("localhost") && !message.contains("Ontario") && !message.contains("K1A"),
                "{message}"
            );
        }
    }

    #[test]
    fn postal_none_accepts_another_countrys_address_but_still_checks_the_email() {
        let elsewhere = Rules { postal: postal::PostalScheme::None, ..rules() };
        let mut issues = Vec::new();
        validate(&with_contact("jane@example.ca", "Ontario", "K1A 0B6"), &elsewhere, &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
        validate(&with_contact("jane.example.ca", "ON", "K1A 0B6"), &elsewhere, &mut issues);
        assert_eq!(issues.iter().map(|issue| issue.code).collect::<Vec<_>>(), [IssueCode::EmailInvalid]);
    }
}
