//! `Diagnostic`: a problem at a line and column of a configuration file
//! (migration.toml or a mapping file), with a hint. Problems are collected and
//! reported together, so one run shows everything there is to fix.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem at byte `offset` of `text`, the file's contents.
    pub fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_and_column(text, offset);
        Diagnostic { path: path.to_path_buf(), line, column, message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// "did you mean" when there is something to suggest.
    pub fn suggest(self, nearest: Option<&str>) -> Diagnostic {
        match nearest {
            Some(name) => self.hint(format!("did you mean `{name}`?")),
            None => self,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.column, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in one or more configuration files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n\nerror: ")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 6), (2, 1));
        assert_eq!(line_and_column(text, 9), (2, 3));
    }

    #[test]
    fn diagnostics_print_location_first_and_hint_after_a_blank_line() {
        let diagnostic = Diagnostic::at(Path::new("m.toml"), "x\ncolumn = \"DOB \"", 11, "unknown column `DOB `")
            .suggest(Some("DOB"));
        assert_eq!(diagnostic.to_string(), "m.toml:2:10: unknown column `DOB `\n\nhint: did you mean `DOB`?");
    }
}
