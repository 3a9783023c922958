//! The CSV files a person works from: rejected.csv (rows to fix), review.csv
//! (matches to decide), clusters.csv (which rows are one person),
//! pairs.csv (the links that made them one) and orphans.csv (scans no index
//! line names).
//! They hold patient data by necessity, so they are created owner-only, and
//! every cell is neutralised against spreadsheet formula injection.

use std::borrow::Cow;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::ReportError;
use crate::matching::{Comparison, LinkBasis};
use crate::plan::{Disposition, LinkEnd, PatientRef, Plan, ReviewSide};
use crate::record::{Field, Record};

/// A cell a spreadsheet would run as a formula gets a leading apostrophe,
/// which spreadsheets show as text and never evaluate: one that starts with
/// `=`, `+`, `-`, `@` (or their full-width forms, which some locales'
/// spreadsheets also read as formulas), a tab, a carriage return or a line
/// break, also
/// after leading spaces, which some spreadsheets skip before looking for a
/// formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let first = cell.chars().find(|&c| !(c == ' ' || c == '\u{a0}' || c == '\u{3000}'));
    match first {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}') => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

struct SafeWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> SafeWriter<W> {
    fn row<I, S>(&mut self, cells: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        // Field by field, as `write_record` does, but a cell that needs no
        // change is written as it is rather than copied first: clusters.csv
        // and pairs.csv have tens of millions of cells at a million patients.
        for cell in cells {
            self.csv.write_field(neutralise(cell.as_ref()).as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)
    }
}

fn writer(path: &Path) -> Result<SafeWriter<BufWriter<std::fs::File>>, ReportError> {
    let file =
        crate::private_file::create(path).map_err(|source| ReportError::Write { path: path.to_path_buf(), source })?;
    Ok(SafeWriter { csv: csv::Writer::from_writer(BufWriter::new(file)) })
}

fn finish<W: Write>(writer: SafeWriter<W>, path: &Path) -> Result<(), ReportError> {
    writer
        .csv
        .into_inner()
        .map_err(|error| error.into_error())
        .and_then(|mut inner| inner.flush())
        .map_err(|source| ReportError::Write { path: path.to_path_buf(), source })
}

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> ReportError + '_ {
    move |error| ReportError::Write { path: path.to_path_buf(), source: error.into() }
}

const ROW_COLUMNS: [&str; 4] = ["source", "file", "sheet", "row"];

/// Files under a scan root that no index line names (`file`), and folders
/// that could not be listed (`unreadable_folder`), by path under the scan
/// root. A path can hold a patient's name, so they are here, owner-only,
/// and not in report.json.
pub fn write_orphans(path: &Path, plan: &Plan) -> Result<(), ReportError> {
    let mut out = writer(path)?;
    out.row(["source", "kind", "path"]).map_err(csv_error(path))?;
    for source in &plan.sources {
        let Some(check) = &source.scan_root else { continue };
        let files = check.listing.orphans.iter().map(|file| ("file", file));
        let folders = check.listing.unreadable_folders.iter().map(|folder| ("unreadable_folder", folder));
        for (kind, file) in files.chain(folders) {
            out.row([source.name.as_str(), kind, file]).map_err(csv_error(path))?;
        }
    }
    finish(out, path)
}

/// Rejected rows as they were in the source, under their own column names
/// (the union of every source's header), after the issues that rejected them.
/// Values beyond a row's header go to `extra_1`, `extra_2`, ...: a row with
/// too many fields keeps every one of them.
pub fn write_rejected(path: &Path, plan: &Plan) -> Result<(), ReportError> {
    let fixed: Vec<&str> = ROW_COLUMNS.iter().copied().chain(["legacy_id", "issue_codes", "issue_messages"]).collect();
    let mut columns: Vec<String> = Vec::new();
    let positions: Vec<Vec<usize>> =
        plan.sources.iter().map(|source| header_positions(&source.headers, &fixed, &mut columns)).collect();
    let rejected: Vec<_> = plan.rows.iter().filter(|row| row.disposition == Disposition::Rejected).collect();
    let source_of = |row: &crate::plan::PlannedRow| {
        plan.sources.iter().position(|source| *source.name == *row.source.source).unwrap_or(0)
    };
    let extras = rejected
        .iter()
        .map(|row| row.raw.as_ref().map_or(0, Vec::len).saturating_sub(positions[source_of(row)].len()))
        .max()
        .unwrap_or(0);
    let mut out = writer(path)?;
    let extra_names: Vec<String> = (1..=extras).map(|index| format!("extra_{index}")).collect();
    let header =
        fixed.iter().copied().chain(columns.iter().map(String::as_str)).chain(extra_names.iter().map(String::as_str));
    out.row(header).map_err(csv_error(path))?;
    for row in rejected {
        let positions = &positions[source_of(row)];
        let codes = row.error_codes().iter().map(|code| code.as_str()).collect::<Vec<_>>().join(" ");
        let messages = row.issues.iter().map(|issue| issue.message()).collect::<Vec<_>>().join("; ");
        let mut cells = vec![String::new(); columns.len() + extras];
        for (index, cell) in row.raw.iter().flatten().enumerate() {
            let position = positions.get(index).copied().unwrap_or(columns.len() + index - positions.len());
            cells[position] = cell.clone();
        }
        let mut record: Vec<String> = row_location(&row.source).into_iter().map(Cow::into_owned).collect();
        record.extend([row.legacy_id.clone().unwrap_or_default(), codes, messages]);
        record.extend(cells);
        out.row(&record).map_err(csv_error(path))?;
    }
    finish(out, path)
}

/// Where each of a source's columns goes among the union `columns`, adding
/// the ones not there yet. A name used twice in one header, or left blank,
/// gets its position in the name so no column is folded into another.
fn header_positions(headers: &[String], fixed: &[&str], columns: &mut Vec<String>) -> Vec<usize> {
    let mut taken: Vec<String> = Vec::with_capacity(headers.len());
    headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let mut name = if header.is_empty() { format!("column {}", index + 1) } else { header.clone() };
            if fixed.contains(&name.as_str()) {
                name = format!("{name} (source)");
            }
            if taken.contains(&name) {
                name = format!("{name} (column {})", index + 1);
            }
            taken.push(name.clone());
            columns.iter().position(|column| *column == name).unwrap_or_else(|| {
                columns.push(name);
                columns.len() - 1
            })
        })
        .collect()
}

/// Where a row is: source, file, sheet and row number, borrowed where they
/// can be (clusters.csv and pairs.csv have a line per row and per link).
fn row_location(source: &crate::source_ref::SourceRef) -> [Cow<'_, str>; 4] {
    [
        Cow::Borrowed(&source.source),
        Cow::Borrowed(&source.file),
        Cow::Borrowed(source.sheet.as_deref().unwrap_or_default()),
        Cow::Owned(source.row.to_string()),
    ]
}

const REVIEW_FIELDS: &[Field] = &[
    Field::FamilyName,
    Field::GivenName,
    Field::BirthDate,
    Field::Sex,
    Field::NationalId,
    Field::AddressLine1,
    Field::PostalCode,
    Field::Phone,
];

/// One line per uncertain pair: both records side by side, the score, each
/// field's comparison level, and an empty `decision` column to fill in.
pub fn write_review(path: &Path, plan: &Plan) -> Result<(), ReportError> {
    let mut out = writer(path)?;
    let mut header: Vec<String> = vec!["pair".into(), "probability".into(), "weight".into(), "reason".into()];
    for side in ["a", "b"] {
        header.extend(["source", "file", "sheet", "row", "mrn"].iter().map(|column| format!("{side}_{column}")));
        header.extend(REVIEW_FIELDS.iter().map(|field| format!("{side}_{field}")));
        header.push(format!("{side}_identifiers"));
    }
    header.extend(LEVEL_FIELDS.iter().map(|name| format!("level_{name}")));
    header.push("decision".into());
    out.row(&header).map_err(csv_error(path))?;
    for (index, entry) in plan.review.iter().enumerate() {
        let mut record = vec![
            (index + 1).to_string(),
            format!("{:.4}", entry.pair.score.probability),
            format!("{:.2}", entry.pair.score.weight),
            serde_json::to_value(entry.pair.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ];
        for side in [&entry.a, &entry.b] {
            record.extend(review_side(side, plan));
        }
        record.extend(comparison_levels(&entry.pair.comparison));
        record.push(String::new());
        out.row(&record).map_err(csv_error(path))?;
    }
    finish(out, path)
}

fn review_side(side: &ReviewSide, plan: &Plan) -> Vec<String> {
    let (mut cells, record): (Vec<String>, &Record) = match side {
        ReviewSide::Row { row, record } => {
            let mut cells: Vec<String> =
                row_location(&plan.rows[*row].source).into_iter().map(Cow::into_owned).collect();
            cells.push(String::new());
            (cells, record)
        }
        ReviewSide::Existing { mrn, record, .. } => (
            vec![crate::load::DATABASE_SOURCE.into(), String::new(), String::new(), String::new(), mrn.clone()],
            record,
        ),
    };
    cells.extend(REVIEW_FIELDS.iter().map(|field| record.get(*field).map(|value| value.to_text()).unwrap_or_default()));
    let identifiers: Vec<String> =
        record.identifiers.iter().map(|identifier| format!("{}:{}", identifier.system, identifier.value)).collect();
    cells.push(identifiers.join(" "));
    cells
}

/// The fields of `Comparison`, in the order review.csv shows them.
const LEVEL_FIELDS: &[&str] = &[
    "family",
    "given",
    "middle_initial",
    "suffix",
    "birth",
    "sex",
    "national_id",
    "address",
    "city",
    "postal",
    "phone",
    "identifier",
];

fn comparison_levels(comparison: &Comparison) -> Vec<String> {
    let value = serde_json::to_value(comparison).unwrap_or_default();
    LEVEL_FIELDS.iter().map(|name| value[name].as_str().unwrap_or_default().to_string()).collect()
}

/// Which cluster each row that took part in matching ended in: rows with
/// one `cluster_id` are one person. `evaluate` scores it against a truth.
pub fn write_clusters(path: &Path, plan: &Plan) -> Result<(), ReportError> {
    let mut out = writer(path)?;
    out.row(ROW_COLUMNS.iter().copied().chain(["legacy_id", "cluster_id"])).map_err(csv_error(path))?;
    let mut database_patients = std::collections::BTreeMap::new();
    for row in &plan.rows {
        let Some(cluster) = row.cluster else { continue };
        let rest = [Cow::Borrowed(row.legacy_id.as_deref().unwrap_or_default()), Cow::Owned(cluster.to_string())];
        out.row(row_location(&row.source).into_iter().chain(rest)).map_err(csv_error(path))?;
        if let Some(PatientRef::Existing(patient_id)) = row.patient {
            database_patients.entry(patient_id).or_insert(cluster);
        }
    }
    // A patient of an earlier wave that rows joined: one line, by MRN, so
    // the cluster shows whom the rows were linked to.
    for (patient_id, cluster) in database_patients {
        let mrn = plan.existing_mrns.get(&patient_id).cloned().unwrap_or_default();
        let record = [
            crate::load::DATABASE_SOURCE.to_string(),
            String::new(),
            String::new(),
            String::new(),
            mrn,
            cluster.to_string(),
        ];
        out.row(&record).map_err(csv_error(path))?;
    }
    finish(out, path)
}

/// Every link matching accepted: both rows (or the database's patient, by
/// MRN), the score, and whether the score or a reviewer made it.
pub fn write_pairs(path: &Path, plan: &Plan) -> Result<(), ReportError> {
    let mut out = writer(path)?;
    let mut header: Vec<String> = Vec::new();
    for side in ["a", "b"] {
        header.extend(ROW_COLUMNS.iter().chain(&["legacy_id"]).map(|column| format!("{side}_{column}")));
    }
    header.extend(["probability", "weight", "basis", "cluster_id"].map(String::from));
    out.row(&header).map_err(csv_error(path))?;
    for link in &plan.links {
        let cluster = match &link.a {
            LinkEnd::Row(row) => plan.rows[*row].cluster.map(|cluster| cluster.to_string()),
            LinkEnd::Existing { .. } => None,
        };
        let basis = match link.link.basis {
            LinkBasis::Score => "score",
            LinkBasis::Reviewer => "reviewer",
        };
        let rest = [
            Cow::Owned(format!("{:.4}", link.link.score.probability)),
            Cow::Owned(format!("{:.2}", link.link.score.weight)),
            Cow::Borrowed(basis),
            Cow::Owned(cluster.unwrap_or_default()),
        ];
        let record = link_end(&link.a, plan).into_iter().chain(link_end(&link.b, plan)).chain(rest);
        out.row(record).map_err(csv_error(path))?;
    }
    finish(out, path)
}

fn link_end<'p>(end: &'p LinkEnd, plan: &'p Plan) -> [Cow<'p, str>; 5] {
    match end {
        LinkEnd::Row(row) => {
            let row = &plan.rows[*row];
            let [source, file, sheet, number] = row_location(&row.source);
            [source, file, sheet, number, Cow::Borrowed(row.legacy_id.as_deref().unwrap_or_default())]
        }
        LinkEnd::Existing { mrn, .. } => {
            let empty = || Cow::Borrowed("");
            [Cow::Borrowed(crate::load::DATABASE_SOURCE), empty(), empty(), empty(), Cow::Borrowed(mrn)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        for dangerous in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\n=1"] {
            assert!(neutralise(dangerous).starts_with('\''), "{dangerous:?}");
        }
        for hidden in ["  =1+2", "\u{a0}@SUM(A1)", "\u{ff1d}1+2", " \u{ff0b}1", "\u{3000}-1"] {
            assert_eq!(neutralise(hidden), format!("'{hidden}"), "{hidden:?}");
        }
        assert_eq!(neutralise("O'Brien"), "O'Brien");
        assert_eq!(neutralise("  Mary Ann"), "  Mary Ann");
        assert_eq!(neutralise("   "), "   ");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn header_positions_keep_duplicate_and_blank_columns_apart() {
        let fixed = ["source", "row"];
        let mut columns = vec!["Phone".to_string()];
        let headers: Vec<String> = ["Phone", "Phone", "", "row"].iter().map(|name| name.to_string()).collect();
        let positions = header_positions(&headers, &fixed, &mut columns);
        assert_eq!(positions, [0, 1, 2, 3]);
        assert_eq!(columns, ["Phone", "Phone (column 2)", "column 3", "row (source)"]);
    }

    #[test]
    fn review_levels_cover_every_compared_field() {
        use crate::matching::tests::candidate;
        let candidates = [candidate("Ann", "Lee", jiff::civil::date(1970, 1, 1))];
        let matcher = crate::matching::Matcher::prepare(&candidates, &Default::default());
        let comparison = matcher.compare(0, 0);
        let fields = serde_json::to_value(comparison).unwrap();
        assert_eq!(fields.as_object().unwrap().len(), LEVEL_FIELDS.len());
        assert!(comparison_levels(&comparison).iter().all(|level| !level.is_empty()));
    }
}
