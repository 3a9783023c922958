use std::process::ExitCode;

use clap::Parser;

/// See `emr_migrate::allocator` for why.
#[global_allocator]
static ALLOCATOR: emr_migrate::allocator::Allocator = emr_migrate::allocator::Allocator;

fn main() -> ExitCode {
    // SAFETY: the first statement of main, before any other thread exists.
    unsafe { emr_migrate::allocator::return_freed_memory_soon() };
    let cli = emr_migrate::cli::Cli::parse();
    match emr_migrate::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(error) => {
            emr_migrate::output::print_error(&error);
            error.exit_code()
        }
    }
}
