//! `emr-migrate profile`: what an export holds, before its mapping is written.

use std::io::Write;
use std::path::Path;

use crate::cli::ProfileArgs;
use crate::error::{Error, Outcome};
use crate::extract::{self, ReadOptions};
use crate::mapping;
use crate::output::Printer;
use crate::private_file;
use crate::profile::{self, ProfileOptions};

pub fn profile(args: &ProfileArgs, printer: &Printer) -> Result<Outcome, Error> {
    let read = read_options(args)?;
    // Refused before a long profile, not after it.
    if let Some(path) = args.suggest_mapping.as_deref().filter(|path| path.exists()) {
        return Err(already_there(path));
    }
    let options = ProfileOptions { show_phi: args.show_phi, never_show: args.never_show.clone() };
    printer.status(&format!("profiling {}", args.file.display()));
    let profile = profile::profile(&args.file, &read, &options, printer)?;
    if let Some(out) = &args.out {
        private_file::create_dir(out).map_err(|source| Error::Write { path: out.clone(), source })?;
        write_private(&out.join("profile.html"), &profile::html(&profile))?;
        write_private(&out.join("profile.json"), &json(&profile))?;
        printer.status(&format!("profile.html and profile.json are in {}", out.display()));
    }
    if let Some(path) = &args.suggest_mapping {
        write_new(path, &profile::suggest_mapping(&profile, &read))?;
        printer.status(&format!("suggested mapping written to {}: check it before a run", path.display()));
    }
    if args.json {
        printer.result(&json(&profile));
    } else {
        printer.result(&profile::terminal_table(&profile));
    }
    Ok(Outcome::Success)
}

/// The mapping's `[read]` (if one is given), with the command line's
/// options over it.
fn read_options(args: &ProfileArgs) -> Result<ReadOptions, Error> {
    let base = match &args.mapping {
        Some(path) => {
            let loaded = mapping::load(path)?;
            if !loaded.key_problems.is_empty() {
                return Err(mapping::MappingError::Invalid(crate::diagnostic::Diagnostics(loaded.key_problems)).into());
            }
            loaded.read_options().clone()
        }
        None => ReadOptions::default(),
    };
    Ok(ReadOptions {
        encoding: args.encoding.clone().or(base.encoding.clone()),
        delimiter: args.delimiter.or(base.delimiter),
        sheet: args.sheet.clone().map(extract::SheetChoice::Name).or(base.sheet.clone()),
        header: if args.no_header { Some(false) } else { base.header },
        header_row: args.header_row.or(base.header_row),
        ..base
    })
}

fn json(profile: &profile::Profile) -> String {
    format!("{}\n", serde_json::to_string_pretty(profile).expect("a profile serialises"))
}

/// The profile may hold (masked) patient data: owner-only.
fn write_private(path: &Path, text: &str) -> Result<(), Error> {
    private_file::write(path, text.as_bytes()).map_err(|source| Error::Write { path: path.to_path_buf(), source })
}

/// A mapping someone may already have edited is never overwritten.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Err(already_there(path)),
        Err(source) => return Err(Error::Write { path: path.to_path_buf(), source }),
    };
    file.write_all(text.as_bytes()).map_err(|source| Error::Write { path: path.to_path_buf(), source })
}

fn already_there(path: &Path) -> Error {
    Error::Usage(format!("{} already exists: remove it or give --suggest-mapping another path", path.display()))
}
