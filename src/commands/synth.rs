//! `emr-migrate synth`: write a rehearsal practice.

use std::fmt::Write;

use crate::cli::SynthArgs;
use crate::error::{Error, Outcome};
use crate::output::Printer;
use crate::synth::{self, SynthOptions};

pub fn synth(args: &SynthArgs, printer: &Printer) -> Result<Outcome, Error> {
    let options = SynthOptions {
        patients: args.patients as usize,
        seed: args.seed,
        format: args.format,
        out: args.out.clone(),
        files: !args.no_files,
    };
    let summary = synth::generate(&options, printer)?;
    if args.json {
        printer.result(&format!("{}\n", serde_json::to_string_pretty(&summary).expect("serialises")));
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Wrote a synthetic practice of {} people (and {} with only a paper chart) to {}, seed {}:",
        summary.people, summary.paper_only_people, summary.out, summary.seed
    );
    for source in &summary.sources {
        let _ = writeln!(text, "  {:8} {:24} {:>9} rows", source.name, source.file, source.rows);
    }
    let _ = writeln!(text, "  scanned files: {}", summary.scanned_files);
    let _ = writeln!(text, "  planted invalid rows: {}", summary.planted_invalid_rows);
    let _ = writeln!(text, "\nNext: emr-migrate validate {}/migration.toml", summary.out);
    printer.result(&text);
    Ok(Outcome::Success)
}
