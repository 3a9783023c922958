//! `emr-migrate validate`: the dry run. Reads the database, if there is one,
//! only to match against its patients; never writes to it.

use crate::cli::PipelineArgs;
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::pipeline;
use crate::project::Project;

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
    let gate = super::check_gates(args, &plan);
    let context = super::context("validate", &project, &database, None);
    let report = super::report_plan(args, &project, &plan, context, gate, printer)?;
    super::leave_to_exit(plan);
    Ok(super::gate_outcome(printer, report.gate.as_ref(), false))
}
