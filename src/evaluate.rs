//! evaluate: how good was a run, measured against a practice's ground truth
//! (`truth.csv`, as `synth` and the demo write it), or against the person
//! each row's legacy id names (benchmark files such as FEBRL, whose
//! `rec-123-dup-0` is person 123).
//!
//! Reads the clusters a run wrote (which rows became one patient) and the
//! rows it rejected, and reports pairwise precision, recall and F1, the
//! look-alikes it merged (household members, twins, Jr/Sr), and how many
//! planted invalid rows it rejected. It reads only files; it never runs the
//! pipeline.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    #[error("{}: cannot read the file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error("{}: there is no column `{column}`\n\nhint: {hint}", path.display())]
    MissingColumn { path: PathBuf, column: &'static str, hint: &'static str },
    #[error("{}, line {line}: `row` is not a row number", path.display())]
    BadRow { path: PathBuf, line: u64 },
    #[error("{}, line {line}: the legacy id `{id}` does not match --person-from-id `{pattern}`\n\nhint: the pattern's first group must capture the person's part of every legacy id", path.display())]
    IdPattern { path: PathBuf, line: u64, id: String, pattern: String },
}

/// Where the truth comes from.
#[derive(Debug, Clone)]
pub enum Truth<'a> {
    /// `truth.csv`, keyed by source and row.
    File(&'a Path),
    /// The first capture group of this pattern on clusters.csv's `legacy_id`.
    PersonFromId(&'a regex::Regex),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    /// Rows the truth says are valid, and so should take part in matching.
    pub valid_rows: u64,
    pub pairs: PairCounts,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Pairs of different people put in one cluster, by how they are related.
    pub wrongly_merged: WronglyMerged,
    pub planted_invalid_rows: u64,
    pub planted_invalid_rejected: u64,
    /// Of those, rejected with the code the truth expects.
    pub planted_invalid_rejected_as_expected: u64,
    /// Valid rows that the run rejected anyway.
    pub valid_rows_rejected: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PairCounts {
    /// Pairs of rows that are the same person.
    pub true_pairs: u64,
    /// Pairs of rows the run put in one cluster.
    pub predicted_pairs: u64,
    pub correct: u64,
    pub wrong: u64,
    pub missed: u64,
}

/// Pairs of people (not rows) merged although they are different people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WronglyMerged {
    pub twins: u64,
    pub junior_senior: u64,
    pub household: u64,
    pub other: u64,
}

struct TruthRow {
    person: String,
    household: String,
    kin: String,
    expected: String,
}

const CLUSTERS_HINT: &str = "the clusters file is `clusters.csv` from a run's report folder";
const REJECTED_HINT: &str = "the rejects file is `rejected.csv` from a run's report folder";

/// Compares a run's `clusters.csv` (and `rejected.csv`, when given) with
/// the truth.
pub fn evaluate(truth: Truth<'_>, clusters: &Path, rejected: Option<&Path>) -> Result<Evaluation, EvaluateError> {
    let truth_rows = match truth {
        Truth::File(path) => read_truth(path)?,
        Truth::PersonFromId(pattern) => {
            let mut rows = truth_from_ids(clusters, pattern, CLUSTERS_HINT)?;
            // A rejected row is still someone's record: matching missed it.
            if let Some(rejected) = rejected {
                rows.extend(truth_from_ids(rejected, pattern, REJECTED_HINT)?);
            }
            rows
        }
    };
    let clustered = read_keyed(clusters, "cluster_id", CLUSTERS_HINT)?;
    let rejected_rows = match rejected {
        Some(path) => read_keyed(path, "issue_codes", REJECTED_HINT)?,
        None => HashMap::new(),
    };

    let mut evaluation = Evaluation::default();
    let mut cluster_sizes: HashMap<&str, u64> = HashMap::new();
    let mut person_sizes: HashMap<&str, u64> = HashMap::new();
    let mut both_sizes: HashMap<(&str, &str), u64> = HashMap::new();
    let mut people_of_cluster: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let singleton_names: Vec<String> = (0..truth_rows.len()).map(|index| format!("\u{0}unclustered-{index}")).collect();
    for (index, (key, row)) in truth_rows.iter().enumerate() {
        if row.person.is_empty() {
            continue;
        }
        let codes = rejected_rows.get(key);
        if row.expected.starts_with("E-") {
            evaluation.planted_invalid_rows += 1;
            if let Some(codes) = codes {
                evaluation.planted_invalid_rejected += 1;
                if codes.split_whitespace().any(|code| code == row.expected) {
                    evaluation.planted_invalid_rejected_as_expected += 1;
                }
            }
            continue;
        }
        if !row.expected.is_empty() {
            continue;
        }
        evaluation.valid_rows += 1;
        if codes.is_some() {
            evaluation.valid_rows_rejected += 1;
        }
        let cluster = match clustered.get(key) {
            Some(cluster) => cluster.as_str(),
            None => singleton_names[index].as_str(),
        };
        *cluster_sizes.entry(cluster).or_default() += 1;
        *person_sizes.entry(&row.person).or_default() += 1;
        *both_sizes.entry((cluster, &row.person)).or_default() += 1;
        people_of_cluster.entry(cluster).or_default().insert(&row.person);
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    let counts = &mut evaluation.pairs;
    counts.predicted_pairs = cluster_sizes.values().map(|&n| pairs(n)).sum();
    counts.true_pairs = person_sizes.values().map(|&n| pairs(n)).sum();
    counts.correct = both_sizes.values().map(|&n| pairs(n)).sum();
    counts.wrong = counts.predicted_pairs - counts.correct;
    counts.missed = counts.true_pairs - counts.correct;
    evaluation.precision = ratio(counts.correct, counts.predicted_pairs);
    evaluation.recall = ratio(counts.correct, counts.true_pairs);
    let (p, r) = (evaluation.precision, evaluation.recall);
    evaluation.f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };

    let person_facts: HashMap<&str, (&str, &str)> =
        truth_rows.values().map(|row| (row.person.as_str(), (row.household.as_str(), row.kin.as_str()))).collect();
    for people in people_of_cluster.values().filter(|people| people.len() > 1) {
        let people: Vec<&str> = people.iter().copied().collect();
        for (position, a) in people.iter().enumerate() {
            for b in &people[position + 1..] {
                let (household_a, kin_a) = person_facts[a];
                let (household_b, kin_b) = person_facts[b];
                let merged = &mut evaluation.wrongly_merged;
                if !kin_a.is_empty() && kin_a == kin_b {
                    if kin_a.starts_with("twins") { merged.twins += 1 } else { merged.junior_senior += 1 }
                } else if !household_a.is_empty() && household_a == household_b {
                    merged.household += 1;
                } else {
                    merged.other += 1;
                }
            }
        }
    }
    Ok(evaluation)
}

/// Precision of nothing predicted is perfect; recall of nothing to find too.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

type Key = (String, u64);

/// The truth a benchmark carries in its record ids: every row is valid, and
/// its person is what `pattern` captures from its legacy id. A rejected row
/// that never got as far as its id is left out.
fn truth_from_ids(
    path: &Path,
    pattern: &regex::Regex,
    hint: &'static str,
) -> Result<HashMap<Key, TruthRow>, EvaluateError> {
    let ids = read_lines(path, "legacy_id", hint)?;
    let mut rows = HashMap::with_capacity(ids.len());
    for (key, id, line) in ids.into_iter().filter(|(_, id, _)| !id.is_empty()) {
        let person =
            pattern.captures(&id).and_then(|captures| captures.get(1)).ok_or_else(|| EvaluateError::IdPattern {
                path: path.to_path_buf(),
                line,
                id: id.clone(),
                pattern: pattern.as_str().to_string(),
            })?;
        let row = TruthRow {
            person: person.as_str().to_string(),
            household: String::new(),
            kin: String::new(),
            expected: String::new(),
        };
        rows.insert(key, row);
    }
    Ok(rows)
}

fn read_truth(path: &Path) -> Result<HashMap<Key, TruthRow>, EvaluateError> {
    let mut reader = open(path)?;
    let headers = reader.headers().map_err(|source| EvaluateError::Read { path: path.to_path_buf(), source })?.clone();
    let hint = "the truth file is `truth.csv` from `emr-migrate synth` (or fixtures/demo)";
    let column = |name: &'static str| {
        headers.iter().position(|header| header == name).ok_or(EvaluateError::MissingColumn {
            path: path.to_path_buf(),
            column: name,
            hint,
        })
    };
    let (source, row, person) = (column("source")?, column("row")?, column("person_id")?);
    let expected = column("expected")?;
    let optional = |name: &str| headers.iter().position(|header| header == name);
    let (household, kin) = (optional("household_id"), optional("kin"));
    let mut rows = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|source| EvaluateError::Read { path: path.to_path_buf(), source })?;
        let key = key(&record, source, row, path)?;
        let text = |index: Option<usize>| index.and_then(|index| record.get(index)).unwrap_or_default().to_string();
        rows.insert(
            key,
            TruthRow {
                person: text(Some(person)),
                household: text(household),
                kin: text(kin),
                expected: text(Some(expected)),
            },
        );
    }
    Ok(rows)
}

/// `(source, row)` → the value of `column`.
fn read_keyed(path: &Path, column: &'static str, hint: &'static str) -> Result<HashMap<Key, String>, EvaluateError> {
    Ok(read_lines(path, column, hint)?.into_iter().map(|(key, value, _)| (key, value)).collect())
}

/// `(source, row)`, the value of `column`, and the line, for every source
/// row of the file; lines naming a patient of the database (no row) are
/// not rows to score.
fn read_lines(path: &Path, column: &'static str, hint: &'static str) -> Result<Vec<(Key, String, u64)>, EvaluateError> {
    let mut reader = open(path)?;
    let headers = reader.headers().map_err(|source| EvaluateError::Read { path: path.to_path_buf(), source })?.clone();
    let position = |name: &'static str| {
        headers.iter().position(|header| header == name).ok_or(EvaluateError::MissingColumn {
            path: path.to_path_buf(),
            column: name,
            hint,
        })
    };
    let (source, row, value) = (position("source")?, position("row")?, position(column)?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| EvaluateError::Read { path: path.to_path_buf(), source })?;
        if record.get(source) == Some(crate::load::DATABASE_SOURCE) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        rows.push((key(&record, source, row, path)?, record.get(value).unwrap_or_default().to_string(), line));
    }
    Ok(rows)
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>, EvaluateError> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|source| EvaluateError::Read { path: path.to_path_buf(), source })
}

fn key(record: &csv::StringRecord, source: usize, row: usize, path: &Path) -> Result<Key, EvaluateError> {
    let line = record.position().map_or(0, csv::Position::line);
    let number = record
        .get(row)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| EvaluateError::BadRow { path: path.to_path_buf(), line })?;
    Ok((record.get(source).unwrap_or_default().to_string(), number))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn counts_pairs_and_classifies_wrong_merges() {
        let dir = tempfile::tempdir().unwrap();
        let truth = write(
            dir.path(),
            "truth.csv",
            "source,file,sheet,row,person_id,household_id,kin,expected,note\n\
             s,f,,2,A,H1,twins-1,,\ns,f,,3,A,H1,twins-1,,\ns,f,,4,B,H1,twins-1,,\ns,f,,5,C,H2,,,\n\
             s,f,,6,D,H3,,E-DATE-INVALID,\ns,f,,7,,,,skipped,\n",
        );
        // A's two rows together (right), twin B merged in (wrong), C alone.
        let clusters = write(
            dir.path(),
            "clusters.csv",
            "source,file,sheet,row,legacy_id,cluster_id\ns,f,,2,,1\ns,f,,3,,1\ns,f,,4,,1\ns,f,,5,,2\n",
        );
        let rejected = write(
            dir.path(),
            "rejected.csv",
            "source,file,sheet,row,issue_codes,issue_messages\ns,f,,6,E-DATE-INVALID,x\n",
        );
        let evaluation = evaluate(Truth::File(&truth), &clusters, Some(&rejected)).unwrap();
        assert_eq!(evaluation.valid_rows, 4);
        assert_eq!(evaluation.pairs, PairCounts { true_pairs: 1, predicted_pairs: 3, correct: 1, wrong: 2, missed: 0 });
        assert!((evaluation.precision - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(evaluation.recall, 1.0);
        assert_eq!(evaluation.wrongly_merged, WronglyMerged { twins: 1, ..WronglyMerged::default() });
        assert_eq!((evaluation.planted_invalid_rows, evaluation.planted_invalid_rejected_as_expected), (1, 1));
    }

    #[test]
    fn a_valid_row_missing_from_the_clusters_counts_as_alone() {
        let dir = tempfile::tempdir().unwrap();
        let truth = write(dir.path(), "t.csv", "source,file,sheet,row,person_id,expected\ns,f,,2,A,\ns,f,,3,A,\n");
        let clusters = write(dir.path(), "c.csv", "source,file,sheet,row,legacy_id,cluster_id\ns,f,,2,,1\n");
        let evaluation = evaluate(Truth::File(&truth), &clusters, None).unwrap();
        assert_eq!(evaluation.pairs.missed, 1);
        assert_eq!(evaluation.recall, 0.0);
    }

    #[test]
    fn a_file_that_is_not_a_truth_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let truth = write(dir.path(), "t.csv", "a,b\n1,2\n");
        let error = evaluate(Truth::File(&truth), &truth, None).unwrap_err();
        assert!(error.to_string().contains("there is no column `source`"), "{error}");
    }

    #[test]
    fn the_truth_can_come_from_legacy_ids() {
        let dir = tempfile::tempdir().unwrap();
        let clusters = write(
            dir.path(),
            "clusters.csv",
            "source,file,sheet,row,legacy_id,cluster_id\n\
             a,a.csv,,2,rec-1-org,0\na,a.csv,,3,rec-1-dup-0,0\nb,b.csv,,2,rec-2-org,0\n\
             b,b.csv,,3,rec-3-org,1\nb,b.csv,,4,rec-3-dup-0,2\nemr-database,,,,RFP0000001,0\n",
        );
        let pattern = regex::Regex::new(r"rec-(\d+)-").unwrap();
        let evaluation = evaluate(Truth::PersonFromId(&pattern), &clusters, None).unwrap();
        assert_eq!(evaluation.valid_rows, 5, "the database's line is not a row");
        assert_eq!((evaluation.pairs.true_pairs, evaluation.pairs.correct, evaluation.pairs.wrong), (2, 1, 2));
        assert_eq!(evaluation.pairs.missed, 1);
    }

    #[test]
    fn a_legacy_id_the_pattern_does_not_match_is_named_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let clusters = write(
            dir.path(),
            "c.csv",
            "source,file,sheet,row,legacy_id,cluster_id\na,a.csv,,2,rec-1-org,0\na,a.csv,,3,X9,0\n",
        );
        let pattern = regex::Regex::new(r"rec-(\d+)-").unwrap();
        let error = evaluate(Truth::PersonFromId(&pattern), &clusters, None).unwrap_err();
        assert!(error.to_string().contains("line 3: the legacy id `X9`"), "{error}");
    }
}
