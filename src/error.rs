//! The top-level error, and the one place exit codes are decided.
//!
//! Stages keep their own error types; this wraps them. A bad row is never an
//! `Error` (it is an `Issue`): an `Error` means the run cannot go on.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::extract::ExtractError;
use crate::load::LoadError;
use crate::mapping::MappingError;
use crate::project::ProjectError;
use crate::report::ReportError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Synth(#[from] crate::synth::SynthError),
    #[error(transparent)]
    Evaluate(#[from] crate::evaluate::EvaluateError),
    #[error(transparent)]
    Decisions(#[from] crate::decisions::DecisionsError),
    #[error("{}: cannot read the file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot write the file", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "the rows of source `{source_name}` do not add up (read ≠ loaded + merged + rejected + skipped); nothing was written\n\nhint: this is a bug in emr-migrate; please report it with the command you ran"
    )]
    Unbalanced { source_name: String },
}

impl Error {
    /// 2 for a problem in what the user wrote (a project or mapping file, a
    /// reader setting), 1 for everything that went wrong at run time.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }

    pub fn code(&self) -> u8 {
        match self {
            Error::Project(_) | Error::Mapping(MappingError::Invalid(_)) => 2,
            Error::Extract(error) if error.is_configuration() => 2,
            Error::Synth(error) if error.is_usage() => 2,
            Error::Evaluate(_) | Error::Usage(_) => 2,
            Error::Decisions(error) => match error {
                crate::decisions::DecisionsError::Read { .. } => 1,
                _ => 2,
            },
            _ => 1,
        }
    }
}

impl ExtractError {
    /// Errors that the mapping's `[read]` table causes or can fix.
    pub fn is_configuration(&self) -> bool {
        matches!(
            self,
            ExtractError::UnknownFormat { .. }
                | ExtractError::UnknownEncoding { .. }
                | ExtractError::SheetNotFound { .. }
                | ExtractError::HeaderRowMissing { .. }
                | ExtractError::BadDelimiter { .. }
                | ExtractError::BadQuote { .. }
                | ExtractError::Layout { .. }
        )
    }
}

/// What a command achieved, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The data failed a gate (`--max-reject-rate`, `--fail-on`): exit 3.
    GateFailed,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::GateFailed => ExitCode::from(3),
        }
    }
}
