use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = emr_migrate::cli::Cli::parse();
    match emr_migrate::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            emr_migrate::output::print_error(&error);
            error.exit_code()
        }
    }
}
