//! emr-migrate moves a practice's legacy records into an EMR database: the
//! indexes a scanning vendor made of the paper charts, and the spreadsheet
//! and CSV exports of the old systems.
//!
//! ```text
//! sources ──extract──▶ RawRow ──map──▶ Record + issues ──validate──▶ accepted / rejected
//!                                                                      │
//!                      existing patients in the EMR DB ──────┐         ▼
//!                                                            └──▶ match (block → compare → score → cluster)
//!                                                                      │
//!                                                   golden records + links + review queue
//!                                                                      │
//!                                                  load (one transaction per batch) ──▶ EMR DB
//!                                                                      │
//!                                                           report (every stage feeds it)
//! ```
//!
//! One module per stage (`extract`, `mapping`, `validate`, `matching`,
//! `load`, `report`); `pipeline` runs them in order into a `plan::Plan` that
//! says what happens to every source row, and `commands` hold the glue of
//! each subcommand. Rows carry their `source_ref::SourceRef` from the file to
//! the database.

pub mod allocator;
mod assemble;
pub mod cli;
mod commands;
pub mod decisions;
pub mod diagnostic;
pub mod digest;
pub mod error;
pub mod evaluate;
pub mod extract;
pub mod gate;
pub mod issue;
pub mod load;
pub mod mapping;
pub mod matching;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod private_file;
pub mod profile;
pub mod project;
pub mod record;
pub mod report;
pub mod scan_names;
pub mod source_ref;
pub mod suggest;
pub mod synth;
pub mod validate;

pub use error::{Error, Outcome};

/// Runs a parsed command line, as the last thing the process does:
/// `validate`, `run` and `dedupe` leave their plan (the whole migration in
/// memory) for the process's exit to take back rather than free it, so a
/// program calling this over and over would hold every plan.
pub fn run(cli: cli::Cli) -> Result<Outcome, Error> {
    commands::run(cli)
}
