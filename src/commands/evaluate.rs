//! `emr-migrate evaluate`: a run measured against its practice's truth.

use std::fmt::Write;

use crate::cli::EvaluateArgs;
use crate::error::{Error, Outcome};
use crate::evaluate;
use crate::output::Printer;

pub fn evaluate(args: &EvaluateArgs, printer: &Printer) -> Result<Outcome, Error> {
    let rejected = args.rejected.clone().or_else(|| {
        let beside = args.clusters.with_file_name("rejected.csv");
        beside.is_file().then_some(beside)
    });
    let pattern = match &args.person_from_id {
        Some(text) => Some(regex::Regex::new(text).map_err(|error| {
            Error::Usage(format!("--person-from-id `{text}` is not a regular expression: {error}"))
        })?),
        None => None,
    };
    let truth = match (&pattern, &args.truth) {
        (Some(pattern), _) => evaluate::Truth::PersonFromId(pattern),
        (None, Some(path)) => evaluate::Truth::File(path),
        (None, None) => return Err(Error::Usage("give --truth or --person-from-id".into())),
    };
    let evaluation = evaluate::evaluate(truth, &args.clusters, rejected.as_deref())?;
    if args.json {
        printer.result(&format!("{}\n", serde_json::to_string_pretty(&evaluation).expect("serialises")));
        return Ok(Outcome::Success);
    }
    let pairs = &evaluation.pairs;
    let merged = &evaluation.wrongly_merged;
    let mut text = String::new();
    let _ = writeln!(text, "Matching, pairwise, over {} valid rows:", evaluation.valid_rows);
    let _ = writeln!(
        text,
        "  precision {:.4}  recall {:.4}  F1 {:.4}",
        evaluation.precision, evaluation.recall, evaluation.f1
    );
    let _ = writeln!(
        text,
        "  {} true pairs; {} predicted: {} right, {} wrong; {} missed",
        pairs.true_pairs, pairs.predicted_pairs, pairs.correct, pairs.wrong, pairs.missed
    );
    let _ = writeln!(
        text,
        "Different people merged (pairs of people): twins {}, Jr/Sr {}, household members {}, others {}",
        merged.twins, merged.junior_senior, merged.household, merged.other
    );
    match rejected {
        Some(_) if pattern.is_some() => {
            let _ = writeln!(
                text,
                "Rows the run rejected: {} (each counted as matched to no one)",
                evaluation.valid_rows_rejected
            );
        }
        Some(_) => {
            let _ = writeln!(
                text,
                "Planted invalid rows: {}; rejected {} ({} with the expected code); valid rows rejected: {}",
                evaluation.planted_invalid_rows,
                evaluation.planted_invalid_rejected,
                evaluation.planted_invalid_rejected_as_expected,
                evaluation.valid_rows_rejected
            );
        }
        None => {
            let _ = writeln!(
                text,
                "Planted invalid rows: {} (no rejected.csv to check them against)",
                evaluation.planted_invalid_rows
            );
        }
    }
    printer.result(&text);
    Ok(Outcome::Success)
}
