//! Gates for scripted batches: limits the data must stay within, checked
//! after planning. A failed gate exits with code 3 and its reasons on
//! stderr; `run` then loads nothing, so a script can stop a batch that
//! would load too little.

use std::fmt;

use serde::Serialize;

use crate::plan::SourceCounts;

/// Which findings fail the gate: any error (a rejected row), or any
/// warning as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    Warning,
    Error,
}

/// The limits given on the command line; none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Gates {
    /// Rejected rows over rows read (skipped rows left out), 0 to 1.
    pub max_reject_rate: Option<f64>,
    pub fail_on: Option<FailOn>,
}

/// What the gates made of the data: every reason it failed, or none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    #[serde(flatten)]
    pub gates: Gates,
    pub passed: bool,
    pub reasons: Vec<String>,
}

impl Gates {
    pub fn is_set(&self) -> bool {
        self.max_reject_rate.is_some() || self.fail_on.is_some()
    }

    pub fn check(&self, sources: &[SourceCounts]) -> GateResult {
        let mut reasons = Vec::new();
        if let Some(limit) = self.max_reject_rate {
            let (rejected, considered) = sources.iter().fold((0, 0), |(rejected, considered), source| {
                (rejected + source.rejected, considered + source.rows_read - source.skipped)
            });
            let rate = if considered == 0 { 0.0 } else { rejected as f64 / considered as f64 };
            if rate > limit {
                reasons.push(format!(
                    "{rejected} of {considered} rows rejected ({}), over --max-reject-rate {}{}",
                    Percent(rate),
                    Percent(limit),
                    worst_source(sources)
                ));
            }
        }
        let errors: u64 = sources.iter().map(|source| source.rejected).sum();
        let warnings: u64 = sources.iter().flat_map(|source| source.warnings_by_code.values()).sum();
        match self.fail_on {
            Some(FailOn::Error | FailOn::Warning) if errors > 0 => {
                reasons.push(format!("{errors} rows rejected with errors (--fail-on error)"));
            }
            _ => {}
        }
        if self.fail_on == Some(FailOn::Warning) && warnings > 0 {
            reasons.push(format!("{warnings} warnings on loaded rows (--fail-on warning)"));
        }
        GateResult { gates: *self, passed: reasons.is_empty(), reasons }
    }
}

/// `; most in `pm`: 12 of 150 (8.0%)`: where to look first.
fn worst_source(sources: &[SourceCounts]) -> String {
    let rate = |source: &SourceCounts| {
        let considered = source.rows_read - source.skipped;
        if considered == 0 { 0.0 } else { source.rejected as f64 / considered as f64 }
    };
    sources
        .iter()
        .filter(|source| source.rejected > 0)
        .max_by(|a, b| rate(a).total_cmp(&rate(b)))
        .map(|source| {
            format!(
                "; most in `{}`: {} of {} ({})",
                source.name,
                source.rejected,
                source.rows_read - source.skipped,
                Percent(rate(source))
            )
        })
        .unwrap_or_default()
}

struct Percent(f64);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}%", self.0 * 100.0)
    }
}

/// `--max-reject-rate`: a share (`0.02`) or a percentage (`2%`).
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let (number, scale) = match text.strip_suffix('%') {
        Some(number) => (number.trim(), 100.0),
        None => (text, 1.0),
    };
    let rate = number.parse::<f64>().map_err(|_| format!("`{text}` is not a rate: give 0.02 or 2%"))? / scale;
    if (0.0..=1.0).contains(&rate) { Ok(rate) } else { Err(format!("`{text}` is not between 0 and 100%")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, read: u64, rejected: u64, skipped: u64, warnings: u64) -> SourceCounts {
        let mut counts = SourceCounts {
            name: name.into(),
            rows_read: read,
            loaded: read - rejected - skipped,
            rejected,
            skipped,
            ..SourceCounts::default()
        };
        if warnings > 0 {
            counts.warnings_by_code.insert("W-X".into(), warnings);
        }
        counts
    }

    #[test]
    fn rates_parse_as_shares_or_percentages() {
        assert_eq!(parse_rate("0.02"), Ok(0.02));
        assert_eq!(parse_rate("2%"), Ok(0.02));
        assert_eq!(parse_rate(" 0 "), Ok(0.0));
        assert!(parse_rate("150%").is_err());
        assert!(parse_rate("two").is_err());
    }

    #[test]
    fn the_reject_rate_leaves_skipped_rows_out_and_names_the_worst_source() {
        let sources = [source("pm", 102, 4, 2, 0), source("old_emr", 50, 1, 0, 0)];
        let passing = Gates { max_reject_rate: Some(0.04), ..Gates::default() }.check(&sources);
        assert!(passing.passed, "5 of 150 is 3.3%: {passing:?}");
        let failing = Gates { max_reject_rate: Some(0.03), ..Gates::default() }.check(&sources);
        assert!(!failing.passed);
        assert_eq!(
            failing.reasons,
            ["5 of 150 rows rejected (3.3%), over --max-reject-rate 3.0%; most in `pm`: 4 of 100 (4.0%)"]
        );
    }

    #[test]
    fn fail_on_error_counts_rejections_and_warning_counts_warnings_too() {
        let clean_but_warned = [source("pm", 10, 0, 0, 2)];
        assert!(Gates { fail_on: Some(FailOn::Error), ..Gates::default() }.check(&clean_but_warned).passed);
        let warned = Gates { fail_on: Some(FailOn::Warning), ..Gates::default() }.check(&clean_but_warned);
        assert_eq!(warned.reasons, ["2 warnings on loaded rows (--fail-on warning)"]);
        let rejected = [source("pm", 10, 1, 0, 0)];
        assert!(!Gates { fail_on: Some(FailOn::Warning), ..Gates::default() }.check(&rejected).passed);
        assert!(Gates::default().check(&rejected).passed, "no gate, no failure");
    }
}
