//! `emr-migrate run`: the real load. The plan is made against a read-only
//! snapshot of the database, without holding its write lock (reading and
//! matching take as long as they take); then one write transaction checks
//! that no other batch was committed or rolled back meanwhile, and loads.

use std::path::Path;
use std::time::Instant;

use crate::cli::PipelineArgs;
use crate::error::{Error, Outcome};
use crate::load::{self, Manifest, ManifestFile, ManifestSource};
use crate::output::Printer;
use crate::pipeline;
use crate::plan::Plan;
use crate::project::Project;

pub fn run(args: &PipelineArgs, printer: &Printer) -> Result<Outcome, Error> {
    let project = Project::load(&args.project)?;
    let sources = pipeline::open(&project)?;
    let database = super::database_path(args, &project);
    let started_at = super::now();
    let (existing, snapshot) = load::read_for_batch(&database)?;
    let mut plan = pipeline::plan(
        &project,
        sources,
        &existing,
        &super::decisions(args.decisions.as_deref())?,
        super::today(),
        printer,
    )?;
    let gate = super::check_gates(args, &plan);
    if gate.as_ref().is_some_and(|gate| !gate.passed) {
        // The data failed a gate: nothing is loaded, and the report says
        // what a load would have done, as a dry run's does.
        let context = super::context("run", &project, &database, None);
        let report = super::report_plan(args, &project, &plan, context, gate, printer)?;
        super::leave_to_exit(plan);
        return Ok(super::gate_outcome(printer, report.gate.as_ref(), true));
    }
    let batch = load_batch(&project, &mut plan, &database, &snapshot, started_at, printer)?;
    let context = super::context("run", &project, &database, Some(&batch));
    super::report_plan(args, &project, &plan, context, gate, printer)
        .inspect_err(|_| printer.warning(&format!("batch {} is committed; only the report failed", batch.batch_id)))?;
    super::leave_to_exit(plan);
    Ok(Outcome::Success)
}

/// Loads the plan in one write transaction: nothing is visible to anyone
/// until the commit, and an error drops (rolls back) everything.
fn load_batch(
    project: &Project,
    plan: &mut Plan,
    database: &Path,
    snapshot: &load::Snapshot,
    started_at: String,
    printer: &Printer,
) -> Result<load::BatchSummary, Error> {
    let load_started = Instant::now();
    printer.status(&format!("loading {} rows as one batch", plan.rows.len()));
    let mut conn = load::open_for_writing(database)?;
    let tx = load::begin_batch(&mut conn)?;
    if load::snapshot(&tx)? != *snapshot {
        return Err(load::LoadError::ChangedWhilePlanning.into());
    }
    let manifest = manifest(project, plan, started_at);
    let batch = load::load(&tx, plan, &manifest, &super::now())?;
    tx.commit().map_err(load::LoadError::from)?;
    plan.timings.load_ms = load_started.elapsed().as_millis() as u64;
    Ok(batch)
}

fn manifest(project: &Project, plan: &Plan, started_at: String) -> Manifest {
    Manifest {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        project_name: project.name.clone(),
        started_at,
        migration: ManifestFile {
            path: project.path.display().to_string(),
            sha256: project.sha256.clone(),
            size_bytes: project.size_bytes,
        },
        sources: plan
            .sources
            .iter()
            .map(|source| ManifestSource {
                name: source.name.clone(),
                file: ManifestFile {
                    path: source.file.clone(),
                    sha256: source.file_sha256.clone(),
                    size_bytes: source.file_size,
                },
                mapping: ManifestFile {
                    path: source.mapping_file.clone(),
                    sha256: source.mapping_sha256.clone(),
                    size_bytes: source.mapping_size,
                },
            })
            .collect(),
        auto_link: project.matching.auto_link,
        review: project.matching.review,
    }
}
