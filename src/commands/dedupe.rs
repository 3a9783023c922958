//! `emr-migrate dedupe`: matching alone. Reads and validates the sources as
//! `validate` does, but matches every patient row the mapping could read (a
//! load would reject some; a duplicate with a typo is still a duplicate),
//! against each other and the database's patients, and writes the clusters,
//! the links and the review queue. Never writes to the database.

use crate::cli::DedupeArgs;
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::plan::Existing;
use crate::project::Project;
use crate::{pipeline, report};

pub fn dedupe(args: &DedupeArgs, printer: &Printer) -> Result<Outcome, Error> {
    let (mut project, database) = match &args.mapping {
        Some(mapping) => {
            if args.out.is_none() {
                return Err(Error::Usage("--mapping needs --out: there is no project folder to write into".into()));
            }
            (Project::ad_hoc(mapping, &args.inputs), args.db.clone())
        }
        None => {
            let [path] = args.inputs.as_slice() else {
                return Err(Error::Usage(format!(
                    "dedupe takes one migration.toml, or export files with --mapping (got {} paths)",
                    args.inputs.len()
                )));
            };
            let project = Project::load(path)?;
            let database = args.db.clone().unwrap_or_else(|| project.target.database.clone());
            (project, Some(database))
        }
    };
    if args.ignore_national_id {
        project.matching.use_national_id = false;
    }
    let sources = pipeline::open(&project)?.matching_every_mapped_row();
    let existing = match &database {
        Some(database) => super::existing_for_reading(database)?,
        None => Existing::empty(),
    };
    let decisions = super::decisions(args.decisions.as_deref())?;
    let plan = pipeline::plan(&project, sources, &existing, &decisions, super::today(), printer)?;
    let no_database = std::path::PathBuf::from("(none)");
    let context = report::Context {
        command: "dedupe",
        project: &project.name,
        database: database.as_deref().unwrap_or(&no_database),
        generated_at: super::now(),
        batch: None,
    };
    let out = args.out.clone().unwrap_or_else(|| project.dir.join("dedupe"));
    let report_started = std::time::Instant::now();
    let mut report = report::build(&plan, &context);
    report::write(&out, &mut report, &plan, report::WriteOptions { show_phi: args.show_phi }, report_started)?;
    if args.json {
        printer.result(&report::to_json(&report));
    } else {
        printer.result(&summary(&report, &out));
    }
    super::leave_to_exit(plan);
    Ok(Outcome::Success)
}

/// Counts only: never a patient value.
fn summary(report: &report::Report, out: &std::path::Path) -> String {
    let matching = &report.matching;
    let rows: u64 = report.sources.iter().map(|source| source.counts.rows_read).sum();
    let rejected: u64 = report.sources.iter().map(|source| source.counts.rejected).sum();
    let mut text = format!(
        "Matched {} records from {} rows ({rejected} rejected, not matched) into {} clusters\n",
        matching.candidates, rows, matching.clusters
    );
    text.push_str(&format!(
        "  {} candidate pairs compared, {} links, {} pairs to review\n",
        matching.candidate_pairs, matching.links, matching.review_pairs
    ));
    if report.existing_patients_matched > 0 {
        text.push_str(&format!("  {} patients of the database matched\n", report.existing_patients_matched));
    }
    for (decision, count) in &matching.decisions_applied {
        text.push_str(&format!("  reviewers' decisions applied, {}: {count}\n", decision.name()));
    }
    text.push_str(&format!("\nclusters.csv, pairs.csv, review.csv and report.html are in {}\n", out.display()));
    text
}
