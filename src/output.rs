//! The one place that writes to the terminal. Results and `--json` go to
//! stdout; progress and diagnostics to stderr. Progress bars show only when
//! stderr is a terminal and `--quiet` is off. Nothing here ever prints a
//! cell value: the terminal is not a place for patient data.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Printer {
    quiet: bool,
    progress: bool,
}

impl Printer {
    pub fn new(quiet: bool) -> Printer {
        Printer { quiet, progress: !quiet && io::stderr().is_terminal() }
    }

    /// A progress bar over `length` rows (a spinner when unknown), hidden
    /// when progress is off.
    pub fn progress(&self, length: Option<u64>, label: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = match length {
            Some(length) => ProgressBar::new(length).with_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)")
                    .expect("valid template")
                    .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{prefix:>12} {spinner} {pos} rows ({per_sec})").expect("valid template"),
            ),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// A bar over the rows of a file whose row count is known only at its
    /// end: its length is re-estimated from the share of the file read, so
    /// it shows rows, rows per second and the time left. Hidden as
    /// `progress` is.
    pub fn rows_progress(&self, label: &str) -> RowsProgress {
        let bar = if self.progress {
            let bar = ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {human_pos} rows ({msg} rows/s, {eta} left)")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        RowsProgress { bar, rows: 0 }
    }

    /// A line of progress narrative on stderr ("reading `pm`"), unless quiet.
    pub fn status(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{message}");
        }
    }

    /// A line on stderr saying why the command fails; shown even when quiet.
    pub fn failure(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{message}");
    }

    /// A warning on stderr; shown even when quiet.
    pub fn warning(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "warning: {message}");
    }

    /// Results on stdout. A closed pipe (`| head`) is not an error.
    pub fn result(&self, text: &str) {
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    }
}

/// See `Printer::rows_progress`.
pub struct RowsProgress {
    bar: ProgressBar,
    rows: u64,
}

/// Rows between re-estimates of the total: often enough to track, rarely
/// enough to cost nothing.
const ESTIMATE_EVERY: u64 = 1024;

impl RowsProgress {
    /// One more row; `fraction_read` is the share of the file read so far.
    pub fn row(&mut self, fraction_read: impl FnOnce() -> Option<f64>) {
        self.rows_read(1, fraction_read);
    }

    /// `count` more rows, read as one batch.
    pub fn rows_read(&mut self, count: u64, fraction_read: impl FnOnce() -> Option<f64>) {
        let before = self.rows;
        self.rows += count;
        self.bar.inc(count);
        if (before / ESTIMATE_EVERY != self.rows / ESTIMATE_EVERY || before == 0)
            && let Some(fraction) = fraction_read().filter(|fraction| *fraction > 0.0)
        {
            self.bar.set_length(((self.rows as f64 / fraction) as u64).max(self.rows));
            let seconds = self.bar.elapsed().as_secs_f64().max(1e-3);
            self.bar.set_message(format!("{:.0}", self.rows as f64 / seconds));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// An error on stderr, as `error: ...` with any hint after a blank line.
pub fn print_error(error: &crate::Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        // Stage errors that wrap an I/O error say what failed; the cause says why.
        if cause.is::<io::Error>() || cause.is::<rusqlite::Error>() {
            let _ = writeln!(stderr, "  caused by: {cause}");
        }
        source = cause.source();
    }
}
