//! `emr-migrate rollback`: undo the latest batch.

use std::fmt::Write;

use crate::cli::RollbackArgs;
use crate::error::{Error, Outcome};
use crate::load;
use crate::output::Printer;

pub fn rollback(args: &RollbackArgs, printer: &Printer) -> Result<Outcome, Error> {
    if !args.db.is_file() {
        return Err(load::LoadError::NoDatabase { path: args.db.clone() }.into());
    }
    let mut conn = load::open_for_writing(&args.db)?;
    let removed = load::rollback(&mut conn, args.batch, &super::now())?;
    if args.json {
        printer.result(&format!("{}\n", serde_json::to_string_pretty(&removed).expect("serialises")));
    } else {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "Rolled back batch {}: removed {} patients, {} identifiers, {} documents and {} source-row records",
            removed.batch_id, removed.patients, removed.identifiers, removed.documents, removed.source_rows
        );
        printer.result(&text);
    }
    Ok(Outcome::Success)
}
