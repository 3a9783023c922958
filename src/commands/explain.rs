//! `emr-migrate explain`: the waterfall of one pair's match score, field by
//! field, as the run would compute it (the model is estimated on the whole
//! project, exactly as `validate` and `run` do; with `--dedupe`, as
//! `dedupe` does, every row the mapping could read taking part).

use std::fmt::Write;

use serde::Serialize;

use crate::cli::ExplainArgs;
use crate::error::{Error, Outcome};
use crate::matching::{
    Contribution, Decision, HardRule, Matcher, NameLevel, Person, ReviewReason, ScoreDecision, TextField,
    apart_only_as_misread, one_shared_nickname,
};
use crate::output::Printer;
use crate::pipeline;
use crate::project::Project;

#[derive(Debug, Serialize)]
struct Explanation {
    a: String,
    b: String,
    fields: Vec<Contribution>,
    prior_weight: f64,
    weight: f64,
    probability: f64,
    hard_rule: Option<HardRule>,
    /// The decision is a reviewer's (`--decisions`, or recorded in the
    /// database), whatever the score.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    decided_by_reviewer: bool,
    /// Sent to review as possible twins, at any score from `review` up (see
    /// `Comparison::possible_twins`). A pair below `review` is distinct.
    possible_twins: bool,
    /// Sent to review, at any score from `review` up: two patient rows
    /// with no name in common, or two given names under two surnames
    /// (`Comparison::names_differ`).
    names_differ: bool,
    /// Sent to review, at any score from `review` up: a suffix on one row
    /// only and a birth date missing (`Comparison::generation_unknown`).
    generation_unknown: bool,
    /// The rows whose given name, not in the nickname table, reads as a
    /// typo of a name that is, when the names are nickname-equivalent only
    /// through that reading (KVEIN beside Kev): a reviewer should know the
    /// level rests on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    given_typo_rows: Vec<String>,
    /// The rows whose given name, a typo, was read as the commoner names one
    /// keying error from it, when that reading made the two given names two
    /// for the twins rule (MAI, a typo of MIA, beside MAYA).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    given_misread_rows: Vec<String>,
    /// Both rows carry one nickname that two names of the practice share
    /// (Bri: Brianna's and Breanna's): why one given name twice could be
    /// twins (`Derived::given_shared_nickname`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    given_shared_nickname: bool,
    decision: &'static str,
    same_cluster: bool,
    /// The pair's line in review.csv, if the run queues it: the decision
    /// above is the score's (or a reviewer's), and the run may send a link
    /// to review (a look-alike, a conflict with its cluster) or leave an
    /// uncertain pair of a claimed scan out.
    #[serde(skip_serializing_if = "Option::is_none")]
    review_reason: Option<ReviewReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<[Vec<(&'static str, String)>; 2]>,
}

pub fn explain(args: &ExplainArgs, printer: &Printer) -> Result<Outcome, Error> {
    let mut project = Project::load(&args.project)?;
    if args.ignore_national_id {
        project.matching.use_national_id = false;
    }
    let (source_a, row_a) = parse_row(&args.a, &project)?;
    let (source_b, row_b) = parse_row(&args.b, &project)?;
    let sources = pipeline::open(&project)?;
    // The run whose review.csv a reviewer holds: dedupe's matches rows
    // that validate's and run's leave out, and what a row scores depends on
    // the others (how common its names are, what EM learns).
    let sources = if args.dedupe { sources.matching_every_mapped_row() } else { sources };
    let database = args.db.clone().unwrap_or_else(|| project.target.database.clone());
    let existing = super::existing_for_reading(&database)?;
    let decisions = super::decisions(args.decisions.as_deref())?;
    let input = pipeline::matching_input(sources, &existing, &decisions, super::today(), printer)?;
    let find = |source: &str, row: u64, text: &str| {
        input
            .origins
            .iter()
            .position(|origin| origin.as_ref().is_some_and(|origin| &*origin.source == source && origin.row == row))
            .map(|index| index as u32)
            .ok_or_else(|| {
                let rejected_rows = if args.dedupe {
                    ""
                } else {
                    "; if it was rejected, `dedupe` still matches it: add --dedupe to explain a pair of its review.csv"
                };
                Error::Usage(format!(
                    "row {text} took no part in matching: it is not in the source, or it was rejected or skipped \
                     (see rejected.csv){rejected_rows}"
                ))
            })
    };
    let a = find(&source_a, row_a, &args.a)?;
    let b = find(&source_b, row_b, &args.b)?;
    printer.status(&format!("matching {} records", input.candidates.len()));
    let pipeline::MatchingInput { candidates, decisions, .. } = input;
    let matcher = Matcher::prepare(&candidates, &project.matching).with_decisions(decisions);
    let (comparison, fields, score) = matcher.explain(a, b);
    let hard_rule = HardRule::applies(&comparison);
    let reviewer = matcher.decision(a, b);
    let scored = project.matching.decide(&comparison, score);
    let decision = match (reviewer, scored) {
        (Some(Decision::Match), _) | (None, ScoreDecision::Link) => "link",
        (Some(Decision::Distinct), _) | (None, ScoreDecision::Distinct) => "distinct",
        (None, ScoreDecision::KeptApart(_)) => "kept apart",
        (None, ScoreDecision::Review) => "review",
    };
    let read_as_typo = |index: u32| {
        let derived = matcher.person(index).derived;
        !derived.given_groups.is_empty() && !derived.given_listed()
    };
    let given_typo_rows: Vec<String> = if comparison.given == NameLevel::Nickname {
        [(a, &args.a), (b, &args.b)]
            .into_iter()
            .filter(|(index, _)| read_as_typo(*index))
            .map(|(_, row)| row.clone())
            .collect()
    } else {
        Vec::new()
    };
    let misread = hard_rule == Some(HardRule::Twins)
        && apart_only_as_misread(comparison.given, matcher.person(a), matcher.person(b), comparison.sex);
    let given_misread_rows: Vec<String> = [(a, &args.a), (b, &args.b)]
        .into_iter()
        .filter(|(index, _)| misread && !matcher.person(*index).given_readings().is_empty())
        .map(|(_, row)| row.clone())
        .collect();
    let given_shared_nickname =
        comparison.possible_twins() && one_shared_nickname(comparison.given, matcher.person(a), matcher.person(b));
    let values = args.show_phi.then(|| [values(matcher.person(a)), values(matcher.person(b))]);
    let prior_weight = matcher.model().prior_log_odds();
    let outcome = matcher.run();
    let explanation = Explanation {
        a: args.a.clone(),
        b: args.b.clone(),
        fields,
        prior_weight,
        weight: score.weight,
        probability: score.probability,
        hard_rule,
        decided_by_reviewer: reviewer.is_some(),
        possible_twins: hard_rule.is_none() && comparison.possible_twins() && decision == "review",
        names_differ: hard_rule.is_none() && comparison.names_differ() && decision == "review",
        generation_unknown: hard_rule.is_none() && comparison.generation_unknown() && decision == "review",
        given_typo_rows,
        given_misread_rows,
        given_shared_nickname,
        decision,
        same_cluster: outcome.cluster_of[a as usize] == outcome.cluster_of[b as usize],
        review_reason: outcome
            .review
            .iter()
            .find(|pair| (pair.a.min(pair.b), pair.a.max(pair.b)) == (a.min(b), a.max(b)))
            .map(|pair| pair.reason),
        values,
    };
    if args.json {
        printer.result(&serde_json::to_string_pretty(&explanation).unwrap_or_default());
    } else {
        printer.result(&render(&explanation, &project));
    }
    Ok(Outcome::Success)
}

fn parse_row(text: &str, project: &Project) -> Result<(String, u64), Error> {
    let usage = || Error::Usage(format!("`{text}` is not a row: write SOURCE:ROW, e.g. pm:51"));
    let (source, row) = text.rsplit_once(':').ok_or_else(usage)?;
    let row: u64 = row.parse().map_err(|_| usage())?;
    if !project.sources.iter().any(|spec| spec.name == source) {
        let names: Vec<&str> = project.sources.iter().map(|spec| spec.name.as_str()).collect();
        return Err(Error::Usage(format!("no source named `{source}` in the project (sources: {})", names.join(", "))));
    }
    Ok((source.to_string(), row))
}

/// The compared values of one side, as matching normalised them.
fn values(person: Person<'_>) -> Vec<(&'static str, String)> {
    let candidate = person.candidate;
    let mut values = Vec::new();
    for (name, field) in [
        ("family_name", TextField::Family),
        ("given_name", TextField::Given),
        ("address", TextField::Address),
        ("city", TextField::City),
        ("postal_code", TextField::Postal),
        ("phone", TextField::Phone),
        ("national_id", TextField::NationalId),
    ] {
        if let Some(text) = candidate.text(field) {
            values.push((name, text.to_string()));
        }
    }
    if let Some(birth) = candidate.birth {
        values.push(("birth_date", birth.to_string()));
    }
    if let Some(sex) = candidate.sex {
        values.push(("sex", format!("{sex:?}")));
    }
    if let Some(suffix) = candidate.suffix {
        values.push(("suffix", suffix.to_string()));
    }
    values
}

fn render(explanation: &Explanation, project: &Project) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{} and {}\n", explanation.a, explanation.b);
    let _ = writeln!(text, "  {:<16} {:<26} {:>8}", "field", "level", "weight");
    for part in &explanation.fields {
        let note = part.adjusted.map(|why| format!("  ({why})")).unwrap_or_default();
        let _ = writeln!(text, "  {:<16} {:<26} {:>+8.2}{note}", part.field.name(), part.level, part.weight);
    }
    let _ = writeln!(text, "  {:<16} {:<26} {:>+8.2}", "prior", "(odds of a match)", explanation.prior_weight);
    let _ = writeln!(
        text,
        "  {:<16} {:<26} {:>+8.2}  match probability {:.4}\n",
        "total",
        "",
        explanation.weight + explanation.prior_weight,
        explanation.probability
    );
    if !explanation.given_typo_rows.is_empty() {
        let _ = writeln!(
            text,
            "given_name: that of {} {} not in the nickname table and reads as a typo of a name that is \
             (docs/matching.md, section 1)\n",
            explanation.given_typo_rows.join(" and "),
            if explanation.given_typo_rows.len() > 1 { "are" } else { "is" }
        );
    }
    if !explanation.given_misread_rows.is_empty() {
        let _ = writeln!(
            text,
            "given_name: that of {} {}, one keying error from commoner names, none of which the other \
             row's is or passes for: read as them, the two are two names (docs/matching.md, section 5)\n",
            explanation.given_misread_rows.join(" and "),
            if explanation.given_misread_rows.len() > 1 { "are typos" } else { "is a typo" }
        );
    }
    if explanation.given_shared_nickname {
        let _ = writeln!(
            text,
            "given_name: one nickname on both, which two names of this practice share: twins may both go by it \
             (docs/matching.md, section 5)\n"
        );
    }
    let rule = match explanation.hard_rule {
        _ if explanation.decided_by_reviewer => " by a reviewer's decision",
        Some(HardRule::Twins) => " by the twins rule (same surname and birth date, two different given names)",
        Some(HardRule::Generation) => {
            " by the Jr/Sr rule (different suffixes, or a suffix on one only and birth years a generation apart)"
        }
        Some(HardRule::NationalId) => " by the national-id rule (two different valid identifiers)",
        None if explanation.possible_twins => {
            " as possible twins (registered twice in one system, one birth date, given names alike but not the \
             same, or one nickname both twins could go by)"
        }
        None if explanation.names_differ => {
            " because no name agrees, or under two surnames the given names are two names (patients of one \
             household share a home, a phone, twins a birthday)"
        }
        None if explanation.generation_unknown => {
            " because a suffix (Jr, Sr, II) is on one row only and a birth date is missing: father and son, or one \
             patient, no birth year tells"
        }
        None => "",
    };
    let _ = writeln!(
        text,
        "decision: {}{rule} (auto_link {}, review {})",
        explanation.decision, project.matching.auto_link, project.matching.review
    );
    let _ = writeln!(text, "clusters: {}", if explanation.same_cluster { "one patient" } else { "two patients" });
    let listed = match explanation.review_reason {
        Some(reason) => format!("listed ({})", serde_json::to_value(reason).unwrap_or_default().as_str().unwrap_or("")),
        None => "not listed".to_string(),
    };
    let _ = writeln!(text, "review.csv: {listed}");
    if let Some([a, b]) = &explanation.values {
        for (label, values) in [(&explanation.a, a), (&explanation.b, b)] {
            let listed: Vec<String> = values.iter().map(|(name, value)| format!("{name}={value}")).collect();
            let _ = writeln!(text, "{label}: {}", listed.join(", "));
        }
    }
    text
}
