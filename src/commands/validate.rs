//! `emr-migrate validate`: the dry run. Reads the database, if there is one,
//! only to match against its patients; never writes to it.

use crate::cli::PipelineArgs;
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::project::Project;
use crate::{pipeline, report};

pub fn validate(args: &PipelineArgs, printer: &Printer) -> Result<Outcome, Error> {
    let project = Project::load(&args.project)?;
    let sources = pipeline::open(&project)?;
    let database = super::database_path(args, &project);
    let existing = super::existing_for_reading(&database)?;
    let plan = pipeline::plan(
        &project,
        sources,
        &existing,
        &super::decisions(args.decisions.as_deref())?,
        super::today(),
        printer,
    )?;
    let context = report::Context {
        command: "validate",
        project: &project.name,
        database: &database,
        generated_at: super::now(),
        batch: None,
    };
    let out = super::out_dir(args, &project);
    let report_started = std::time::Instant::now();
    let mut report = report::build(&plan, &context);
    report.gate = super::check_gates(args, &plan);
    report::write(&out, &mut report, &plan, report::WriteOptions { show_phi: args.show_phi }, report_started)?;
    super::print_result(printer, &report, args.json, &out);
    Ok(super::gate_outcome(printer, report.gate.as_ref(), false))
}
