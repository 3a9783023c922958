//! migration.toml: the sources of one migration, their mapping files, the
//! target database and the match thresholds. Paths in it are relative to the
//! file itself, so a project folder can be moved or checked in whole.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::digest::sha256_hex;
use crate::mapping::read_all;
use crate::matching::{BlockingRule, KeyPart, MatchConfig, Survivor, Survivorship};
use crate::suggest::nearest;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    project: ProjectSection,
    #[serde(default)]
    target: TargetSection,
    #[serde(default)]
    matching: MatchingSection,
    #[serde(default)]
    survivorship: SurvivorshipSection,
    #[serde(default)]
    source: Vec<SourceSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SurvivorshipSection {
    order: Option<Vec<Spanned<String>>>,
    source_priority: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectSection {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSection {
    database: Option<String>,
    mrn_prefix: Option<Spanned<String>>,
    mrn_digits: Option<Spanned<usize>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchingSection {
    auto_link: Option<Spanned<f64>>,
    review: Option<Spanned<f64>>,
    blocking: Option<Vec<Spanned<String>>>,
    max_block_size: Option<Spanned<usize>>,
    use_national_id: Option<Spanned<bool>>,
    keep_twins_apart: Option<Spanned<bool>>,
    review_possible_twins: Option<Spanned<bool>>,
    keep_households_apart: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    name: Spanned<String>,
    file: Spanned<String>,
    mapping: Spanned<String>,
}

/// A loaded, checked migration.toml.
#[derive(Debug, Clone)]
pub struct Project {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub name: String,
    /// SHA-256 of the file as read, for the batch manifest.
    pub sha256: String,
    pub size_bytes: u64,
    pub target: Target,
    pub matching: MatchConfig,
    /// Which record's values a merged patient keeps.
    pub survivorship: Survivorship,
    /// In migration.toml's order (the default source priority).
    pub sources: Vec<SourceSpec>,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub database: PathBuf,
    pub mrn_prefix: String,
    pub mrn_digits: usize,
}

#[derive(Debug, Clone)]
pub struct SourceSpec {
    pub name: String,
    /// As written in migration.toml; what reports and provenance show.
    pub file: String,
    pub path: PathBuf,
    /// The mapping file as written in migration.toml.
    pub mapping_file: String,
    pub mapping: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{}: cannot read the migration file", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

const DEFAULT_DATABASE: &str = "emr.sqlite";
const DEFAULT_MRN_PREFIX: &str = "MRN";
const DEFAULT_MRN_DIGITS: usize = 7;

impl Project {
    pub fn load(path: &Path) -> Result<Project, ProjectError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ProjectError::Read { path: path.to_path_buf(), source })?;
        let (file, problems) = read_all::<ProjectFile>(path, &text).map_err(ProjectError::Invalid)?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut checker = Checker { path, text: &text, dir: &dir, problems };
        let target = checker.target(&file.target);
        let matching = checker.matching(&file.matching);
        let sources = checker.sources(&file.source);
        let survivorship = checker.survivorship(&file.survivorship, &sources);
        if !checker.problems.is_empty() {
            return Err(ProjectError::Invalid(Diagnostics(checker.problems)));
        }
        Ok(Project {
            path: path.to_path_buf(),
            dir: dir.clone(),
            name: file.project.name,
            sha256: sha256_hex(text.as_bytes()),
            size_bytes: text.len() as u64,
            target,
            matching,
            survivorship,
            sources,
        })
    }

    /// A project without a migration.toml, for a quick look at exports:
    /// each file a source mapped by `mapping`, named by its file name, in the
    /// order given; default matching; no database of its own.
    pub fn ad_hoc(mapping: &Path, files: &[PathBuf]) -> Project {
        let mut sources: Vec<SourceSpec> = Vec::with_capacity(files.len());
        for path in files {
            let stem = path.file_stem().map_or_else(|| "source".into(), |stem| stem.to_string_lossy().into_owned());
            let mut name = stem.clone();
            let mut copy = 1;
            while sources.iter().any(|source| source.name == name) {
                copy += 1;
                name = format!("{stem}-{copy}");
            }
            sources.push(SourceSpec {
                name,
                file: path.display().to_string(),
                path: path.clone(),
                mapping_file: mapping.display().to_string(),
                mapping: mapping.to_path_buf(),
            });
        }
        let names: Vec<&str> = sources.iter().map(|source| source.name.as_str()).collect();
        Project {
            path: mapping.to_path_buf(),
            dir: PathBuf::from("."),
            name: format!("dedupe of {}", names.join(", ")),
            sha256: String::new(),
            size_bytes: 0,
            target: Target {
                database: PathBuf::new(),
                mrn_prefix: DEFAULT_MRN_PREFIX.to_string(),
                mrn_digits: DEFAULT_MRN_DIGITS,
            },
            matching: MatchConfig::default(),
            survivorship: Survivorship::default(),
            sources,
        }
    }
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    dir: &'a Path,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.path, self.text, offset, message)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    fn target(&mut self, section: &TargetSection) -> Target {
        let database = self.dir.join(section.database.as_deref().unwrap_or(DEFAULT_DATABASE));
        let mrn_prefix = match &section.mrn_prefix {
            Some(prefix) if prefix.get_ref().chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                prefix.get_ref().clone()
            }
            Some(prefix) => {
                self.report(self.at(prefix.span().start, "`mrn_prefix` may hold only letters, digits and `-`"));
                String::new()
            }
            None => DEFAULT_MRN_PREFIX.to_string(),
        };
        let mrn_digits = match &section.mrn_digits {
            Some(digits) if (4..=12).contains(digits.get_ref()) => *digits.get_ref(),
            Some(digits) => {
                self.report(self.at(digits.span().start, "`mrn_digits` must be between 4 and 12"));
                DEFAULT_MRN_DIGITS
            }
            None => DEFAULT_MRN_DIGITS,
        };
        Target { database, mrn_prefix, mrn_digits }
    }

    fn matching(&mut self, section: &MatchingSection) -> MatchConfig {
        let mut config = MatchConfig::default();
        for (value, slot, name) in
            [(&section.auto_link, &mut config.auto_link, "auto_link"), (&section.review, &mut config.review, "review")]
        {
            if let Some(value) = value {
                if (0.0..=1.0).contains(value.get_ref()) {
                    *slot = *value.get_ref();
                } else {
                    self.report(self.at(value.span().start, format!("`{name}` is a probability, from 0 to 1")));
                }
            }
        }
        if config.review > config.auto_link {
            let offset = section.review.as_ref().map_or(0, |review| review.span().start);
            self.report(self.at(offset, "`review` must not be above `auto_link`"));
        }
        if let Some(rules) = &section.blocking {
            config.blocking.clear();
            for rule in rules {
                match BlockingRule::parse(rule.get_ref()) {
                    Ok(known) => config.blocking.push(known),
                    Err(unknown) => {
                        let diagnostic = self.at(
                            rule.span().start,
                            format!("unknown blocking key part `{unknown}` in `{}`", rule.get_ref()),
                        );
                        self.report(diagnostic.suggest(nearest(&unknown, KeyPart::all_names())));
                    }
                }
            }
        }
        if let Some(use_national_id) = &section.use_national_id {
            config.use_national_id = *use_national_id.get_ref();
        }
        if let Some(keep) = &section.keep_twins_apart {
            config.keep_twins_apart = *keep.get_ref();
        }
        if let Some(review) = &section.review_possible_twins {
            config.review_possible_twins = *review.get_ref();
        }
        if let Some(keep) = &section.keep_households_apart {
            config.keep_households_apart = *keep.get_ref();
        }
        if let Some(size) = &section.max_block_size {
            if *size.get_ref() >= 2 {
                config.max_block_size = *size.get_ref();
            } else {
                self.report(self.at(size.span().start, "`max_block_size` must be at least 2"));
            }
        }
        config
    }

    fn survivorship(&mut self, section: &SurvivorshipSection, sources: &[SourceSpec]) -> Survivorship {
        let mut survivorship = Survivorship::default();
        if let Some(order) = &section.order {
            survivorship.order.clear();
            for name in order {
                match Survivor::parse(name.get_ref()) {
                    Some(survivor) if survivorship.order.contains(&survivor) => {
                        self.report(self.at(name.span().start, format!("`{}` is listed twice", name.get_ref())));
                    }
                    Some(survivor) => survivorship.order.push(survivor),
                    None => {
                        let diagnostic =
                            self.at(name.span().start, format!("unknown survivorship criterion `{}`", name.get_ref()));
                        self.report(diagnostic.suggest(nearest(name.get_ref(), Survivor::all_names())));
                    }
                }
            }
        }
        for name in section.source_priority.iter().flatten() {
            let wanted = name.get_ref().trim();
            if survivorship.source_priority.iter().any(|listed| listed == wanted) {
                self.report(self.at(name.span().start, format!("source `{wanted}` is listed twice")));
            } else if sources.iter().any(|source| source.name == wanted) {
                survivorship.source_priority.push(wanted.to_string());
            } else {
                let diagnostic = self.at(name.span().start, format!("no source is named `{wanted}`"));
                self.report(diagnostic.suggest(nearest(wanted, sources.iter().map(|source| source.name.as_str()))));
            }
        }
        survivorship
    }

    fn sources(&mut self, sections: &[SourceSection]) -> Vec<SourceSpec> {
        if sections.is_empty() {
            self.report(
                self.at(self.text.len(), "the migration names no sources")
                    .hint("add a [[source]] table with `name`, `file` and `mapping` for each export"),
            );
        }
        let mut sources: Vec<SourceSpec> = Vec::new();
        for section in sections {
            let name = section.name.get_ref().trim();
            let valid_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !valid_name {
                self.report(
                    self.at(section.name.span().start, "a source name may hold only letters, digits, `_` and `-`"),
                );
            } else if sources.iter().any(|source| source.name == name) {
                self.report(self.at(section.name.span().start, format!("source `{name}` is named twice")));
            }
            let path = self.existing_file(&section.file, "source file");
            let mapping = self.existing_file(&section.mapping, "mapping file");
            sources.push(SourceSpec {
                name: name.to_string(),
                file: section.file.get_ref().clone(),
                path,
                mapping_file: section.mapping.get_ref().clone(),
                mapping,
            });
        }
        sources
    }

    fn existing_file(&mut self, relative: &Spanned<String>, what: &str) -> PathBuf {
        let path = self.dir.join(relative.get_ref());
        if !path.is_file() {
            self.report(
                self.at(relative.span().start, format!("{what} `{}` does not exist", relative.get_ref())).hint(
                    format!(
                        "paths are relative to the folder of {}",
                        self.path.file_name().unwrap_or_default().display()
                    ),
                ),
            );
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Project, ProjectError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x\n1\n").unwrap();
        std::fs::write(dir.path().join("a.toml"), "entity = \"patient\"\n").unwrap();
        let path = dir.path().join("migration.toml");
        std::fs::write(&path, text).unwrap();
        Project::load(&path)
    }

    fn messages(text: &str) -> Vec<String> {
        match load(text) {
            Err(ProjectError::Invalid(diagnostics)) => {
                diagnostics.0.iter().map(|d| format!("{}:{} {}", d.line, d.column, d.message)).collect()
            }
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn loads_a_project_with_defaults() {
        let project =
            load("[project]\nname = \"Demo\"\n[[source]]\nname = \"pm\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n")
                .unwrap();
        assert_eq!(project.name, "Demo");
        assert_eq!(project.sources.len(), 1);
        assert_eq!(project.target.mrn_prefix, "MRN");
        assert!(project.target.database.ends_with("emr.sqlite"));
        assert_eq!(project.matching, MatchConfig::default());
        assert_eq!(project.sha256.len(), 64);
    }

    #[test]
    fn matching_settings_are_read() {
        let project = load(
            "[project]\nname = \"Demo\"\n[matching]\nblocking = [\"birth_date + given_phonetic\", \"identifier\"]\n\
             use_national_id = false\nkeep_twins_apart = false\nreview_possible_twins = false\n\
             keep_households_apart = false\n\
             [[source]]\nname = \"pm\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n",
        )
        .unwrap();
        let rules: Vec<String> = project.matching.blocking.iter().map(ToString::to_string).collect();
        assert_eq!(rules, ["birth_date + given_phonetic", "identifier"]);
        assert!(!project.matching.use_national_id);
        assert!(!project.matching.keep_twins_apart);
        assert!(!project.matching.review_possible_twins);
        assert!(!project.matching.keep_households_apart);
    }

    #[test]
    fn a_project_of_bare_files_names_each_source_once() {
        let files = ["x/patients.csv", "y/patients.csv", "y/old.xlsx"].map(PathBuf::from);
        let project = Project::ad_hoc(Path::new("m.toml"), &files);
        let names: Vec<&str> = project.sources.iter().map(|source| source.name.as_str()).collect();
        assert_eq!(names, ["patients", "patients-2", "old"]);
        assert!(project.sources.iter().all(|source| source.mapping == Path::new("m.toml")));
    }

    #[test]
    fn reports_every_problem_with_its_position() {
        let found = messages(
            "[project]\nname = \"Demo\"\n[matching]\nauto_link = 0.5\nreview = 0.9\nblocking = [\"birth_dte\"]\n\
             [[source]]\nname = \"pm\"\nfile = \"missing.csv\"\nmapping = \"a.toml\"\n\
             [[source]]\nname = \"pm\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n",
        );
        assert_eq!(
            found,
            [
                "5:10 `review` must not be above `auto_link`",
                "6:13 unknown blocking key part `birth_dte` in `birth_dte`",
                "9:8 source file `missing.csv` does not exist",
                "12:8 source `pm` is named twice",
            ]
        );
    }

    #[test]
    fn survivorship_is_read_and_checked() {
        let sources = "[[source]]\nname = \"pm\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n\
                       [[source]]\nname = \"old_emr\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n";
        let project = load(&format!(
            "[project]\nname = \"Demo\"\n[survivorship]\norder = [\"most_recent\", \"source_priority\"]\n\
             source_priority = [\"old_emr\"]\n{sources}"
        ))
        .unwrap();
        assert_eq!(project.survivorship.order, [Survivor::MostRecent, Survivor::SourcePriority]);
        assert_eq!(project.survivorship.source_priority, ["old_emr"]);
        assert_eq!(load(&format!("[project]\nname = \"D\"\n{sources}")).unwrap().survivorship, Survivorship::default());
        let found = messages(&format!(
            "[project]\nname = \"Demo\"\n[survivorship]\norder = [\"most_recnt\", \"most_complete\", \"most_complete\"]\n\
             source_priority = [\"old_emrr\", \"pm\", \"pm\"]\n{sources}"
        ));
        assert_eq!(
            found,
            [
                "4:10 unknown survivorship criterion `most_recnt`",
                "4:41 `most_complete` is listed twice",
                "5:20 no source is named `old_emrr`",
                "5:38 source `pm` is listed twice",
            ]
        );
        let ProjectError::Invalid(diagnostics) =
            load(&format!("[project]\nname = \"Demo\"\n[survivorship]\norder = [\"most_recnt\"]\n{sources}"))
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(diagnostics.0[0].hint.as_deref(), Some("did you mean `most_recent`?"));
    }

    #[test]
    fn unknown_key_is_suggested() {
        let found = load("[project]\nname = \"Demo\"\n[target]\ndatabse = \"x.sqlite\"\n").unwrap_err();
        let ProjectError::Invalid(diagnostics) = found else { panic!() };
        assert_eq!(diagnostics.0[0].hint.as_deref(), Some("did you mean `database`?"));
    }
}
