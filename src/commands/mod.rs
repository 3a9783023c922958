//! One file per subcommand: glue that calls the stages in order and prints
//! the result. Nothing here decides anything about the data.

mod check;
mod dedupe;
mod evaluate;
mod explain;
mod profile;
mod rollback;
mod run;
mod synth;
mod validate;

use std::fmt::Write;
use std::path::PathBuf;

use crate::cli::{Cli, Command, PipelineArgs};
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::project::Project;
use crate::report::Report;

pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let printer = Printer::new(cli.quiet);
    match &cli.command {
        Command::Validate(args) => validate::validate(args, &printer),
        Command::Check(args) => check::check(args, &printer),
        Command::Run(args) => run::run(args, &printer),
        Command::Rollback(args) => rollback::rollback(args, &printer),
        Command::Synth(args) => synth::synth(args, &printer),
        Command::Evaluate(args) => evaluate::evaluate(args, &printer),
        Command::Explain(args) => explain::explain(args, &printer),
        Command::Dedupe(args) => dedupe::dedupe(args, &printer),
        Command::Profile(args) => profile::profile(args, &printer),
    }
}

/// The moment of the run, in UTC, to the second.
fn now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The day of the run, in the machine's time zone: birth dates after it are
/// in the future.
fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

/// The decided lines of a `--decisions` file, or none.
fn decisions(path: Option<&std::path::Path>) -> Result<Vec<crate::decisions::FileDecision>, Error> {
    Ok(match path {
        Some(path) => crate::decisions::read(path)?,
        None => Vec::new(),
    })
}

/// What the database holds, to match against; an empty state when there is
/// no database yet. Never writes.
fn existing_for_reading(database: &std::path::Path) -> Result<crate::plan::Existing, Error> {
    Ok(match crate::load::open_for_reading(database)? {
        Some(mut conn) => crate::load::read_state(&mut conn)?.0,
        None => crate::plan::Existing::empty(),
    })
}

fn database_path(args: &PipelineArgs, project: &Project) -> PathBuf {
    args.db.clone().unwrap_or_else(|| project.target.database.clone())
}

fn out_dir(args: &PipelineArgs, project: &Project) -> PathBuf {
    args.out.clone().unwrap_or_else(|| project.dir.join("report"))
}

/// The gates the command line sets, checked against the plan's counts.
fn check_gates(args: &PipelineArgs, plan: &crate::plan::Plan) -> Option<crate::gate::GateResult> {
    let gates = crate::gate::Gates { max_reject_rate: args.max_reject_rate, fail_on: args.fail_on };
    gates.is_set().then(|| gates.check(&plan.counts()))
}

/// Exit 3 with each reason on stderr when a gate failed; success otherwise.
fn gate_outcome(printer: &Printer, gate: Option<&crate::gate::GateResult>, loaded_nothing: bool) -> Outcome {
    match gate.filter(|gate| !gate.passed) {
        Some(gate) => {
            for reason in &gate.reasons {
                printer.failure(&format!("gate failed: {reason}"));
            }
            if loaded_nothing {
                printer.failure("gate failed: nothing was loaded");
            }
            Outcome::GateFailed
        }
        None => Outcome::Success,
    }
}

/// What a report is about: the command, and the batch it loaded, if any.
fn context<'a>(
    command: &'static str,
    project: &'a Project,
    database: &'a std::path::Path,
    batch: Option<&'a crate::load::BatchSummary>,
) -> crate::report::Context<'a> {
    crate::report::Context { command, project: &project.name, database, generated_at: now(), batch }
}

/// Leaves a finished command's plan to the end of the process, which
/// comes next: at a million patients the plan is tens of millions of
/// allocations, and freeing them one by one kept the command running for
/// a second or more after its report was written. The plan is plain data
/// (no file, connection or writer is left open in it). See `crate::run`.
fn leave_to_exit(plan: crate::plan::Plan) {
    std::mem::forget(plan);
}

/// The report of a plan with its gate: built, written into the output
/// folder and printed. What validate, run, and a run its gate stopped share.
fn report_plan(
    args: &PipelineArgs,
    project: &Project,
    plan: &crate::plan::Plan,
    context: crate::report::Context<'_>,
    gate: Option<crate::gate::GateResult>,
    printer: &Printer,
) -> Result<Report, Error> {
    let out = out_dir(args, project);
    let started = std::time::Instant::now();
    let mut report = crate::report::build(plan, &context);
    report.gate = gate;
    crate::report::write(&out, &mut report, plan, crate::report::WriteOptions { show_phi: args.show_phi }, started)?;
    print_result(printer, &report, args.json, &out);
    Ok(report)
}

/// The result for stdout: the report as JSON, or a table of counts. Never a
/// patient value.
fn print_result(printer: &Printer, report: &Report, json: bool, out: &std::path::Path) {
    if json {
        printer.result(&crate::report::to_json(report));
        return;
    }
    let mut text = String::new();
    let _ = match report.batch_id {
        None => writeln!(text, "Dry run of {}: nothing was written to {}", report.project, report.database),
        Some(batch) => writeln!(text, "Loaded {} into {} as batch {batch}", report.project, report.database),
    };
    let width = report.sources.iter().map(|source| source.counts.name.len()).max().unwrap_or(6).max(6);
    let _ = writeln!(
        text,
        "\n  {:width$}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}",
        "source", "rows read", "loaded", "merged", "rejected", "skipped"
    );
    for source in &report.sources {
        let counts = &source.counts;
        let _ = writeln!(
            text,
            "  {:width$}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}",
            counts.name, counts.rows_read, counts.loaded, counts.merged, counts.rejected, counts.skipped
        );
    }
    let verb = if report.dry_run { "would be created" } else { "created" };
    let _ = writeln!(text, "\n  patients {verb}: {}", report.patients);
    if report.existing_patients_matched > 0 {
        let _ =
            writeln!(text, "  patients already in the EMR that rows merge into: {}", report.existing_patients_matched);
    }
    let _ = writeln!(
        text,
        "  documents: {} ({} linked to a patient, {} unlinked)",
        report.documents, report.documents_linked, report.documents_unlinked
    );
    for source in &report.sources {
        let Some(scan_root) = source.scan_root.as_ref().filter(|scan_root| scan_root.listed_under.is_none()) else {
            continue;
        };
        let _ = writeln!(
            text,
            "  files in the scan folder of `{}` that no index line names: {}{}",
            source.counts.name,
            scan_root.orphan_files,
            if scan_root.orphan_files > 0 { " (listed in orphans.csv)" } else { "" }
        );
        if scan_root.unreadable_folders > 0 {
            let _ = writeln!(text, "  folders there that could not be read: {}", scan_root.unreadable_folders);
        }
    }
    if report.security_findings > 0 {
        let _ = writeln!(
            text,
            "  SECURITY: {} scan index line(s) name a file outside the scan folder; not opened \
             (E-SCAN-PATH-ESCAPES, in rejected.csv)",
            report.security_findings
        );
    }
    let _ = writeln!(text, "  possible duplicates to review: {}", report.review_pairs);
    let _ = writeln!(text, "  every row accounted for: {}", if report.reconciled { "yes" } else { "NO" });
    let _ = writeln!(text, "\n  report: {}", out.join("report.html").display());
    printer.result(&text);
}
