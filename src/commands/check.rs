//! `emr-migrate check`: the project and every mapping file checked against
//! the sources' headers, reading nothing past them. Every mistake in every
//! mapping is reported at once (exit 2); a clean project prints what each
//! source will read, and the columns nothing reads.

use std::fmt::Write;

use crate::cli::CheckArgs;
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::pipeline::{self, CheckedSource};
use crate::project::Project;

pub fn check(args: &CheckArgs, printer: &Printer) -> Result<Outcome, Error> {
    let project = Project::load(&args.project)?;
    let sources = pipeline::open(&project)?.checked();
    if args.json {
        let json = serde_json::json!({ "project": project.name, "ok": true, "sources": sources });
        printer.result(&format!("{}\n", serde_json::to_string_pretty(&json).expect("serialises")));
        return Ok(Outcome::Success);
    }
    let mut text = format!("{}: every mapping matches its source's header\n", project.name);
    for source in &sources {
        describe(&mut text, source);
    }
    printer.result(&text);
    Ok(Outcome::Success)
}

fn describe(text: &mut String, source: &CheckedSource) {
    let _ = writeln!(text, "\n  {} ({}, {} mapped by {})", source.name, source.entity, source.file, source.mapping);
    let details = &source.details;
    let mut read = Vec::new();
    if let Some(encoding) = details.encoding {
        read.push(format!("encoding {encoding}"));
    }
    if let Some(delimiter) = details.delimiter {
        read.push(if delimiter == '\t' { "delimiter tab".to_string() } else { format!("delimiter `{delimiter}`") });
    }
    if let Some(sheet) = &details.sheet {
        read.push(format!("sheet \"{sheet}\""));
    }
    read.push(match details.header_row {
        0 => "no header row".to_string(),
        row => format!("header on row {row}"),
    });
    let _ = writeln!(text, "    {}; {} columns", read.join("; "), source.columns);
    let _ = writeln!(text, "    fields: {}", source.fields.join(", "));
    if source.identifiers > 0 {
        let _ = writeln!(text, "    legacy identifiers: {}", source.identifiers);
    }
    if !source.columns_not_read.is_empty() {
        let names: Vec<String> = source.columns_not_read.iter().map(|name| format!("`{name}`")).collect();
        let _ = writeln!(text, "    columns nothing reads: {}", names.join(", "));
    }
    if !details.other_sheets.is_empty() {
        let _ = writeln!(text, "    other sheets, not read: {}", details.other_sheets.join(", "));
    }
}
