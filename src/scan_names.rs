//! The files a run's scan indexes name, per scan root: a file named by a
//! second line is a duplicate (`E-SCAN-DUPLICATE-FILE`), and a file under a
//! scan root that no line names is an orphan. The pipeline feeds it every
//! document row's path as rows are read, then has the roots walked.
//!
//! Files are compared as `extract::named_file` resolves them (under the
//! root, `\` read as `/`, links inside the root resolved), and across every
//! scan-index source of the run: two sources with one scan root share their
//! names. Memory is one short path per document line, and the walk keeps
//! only the orphans.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use crate::extract::{self, RootListing};
use crate::issue::{Issue, IssueCode};
use crate::record::Field;
use crate::source_ref::SourceRef;

/// Where one source's scan-index files are, and whether to look at them.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    pub root: PathBuf,
    /// The root with its links resolved, when it exists.
    pub canonical_root: Option<PathBuf>,
    pub check_files: bool,
}

/// The walk of a scan-index source's scan root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootCheck {
    pub listing: RootListing,
    /// Another source of the run has the same scan root, and the files no
    /// line names are listed under it, not again here.
    pub listed_under: Option<String>,
}

#[derive(Default)]
pub struct ScanNames {
    roots: Vec<RootNames>,
    sources: Vec<SourceScan>,
}

struct RootNames {
    /// The resolved root, or as given when it does not exist.
    path: PathBuf,
    files: HashMap<Box<str>, FirstLine>,
}

/// The line that named a file first: an index into `sources`, and its row.
#[derive(Clone, Copy)]
struct FirstLine {
    source: u32,
    row: u64,
}

struct SourceScan {
    name: String,
    settings: Option<ScanSettings>,
    root: usize,
    /// The source's rows' provenance (any row), to name an earlier line.
    template: Option<SourceRef>,
}

impl ScanNames {
    /// Starts a source, in the run's order; `settings` is `None` for a source
    /// that is not a scan index. Returns the source's index for `file_key` and `name_key`.
    pub fn begin_source(&mut self, name: &str, settings: Option<&ScanSettings>) -> usize {
        let root = match settings {
            Some(settings) => {
                let path = settings.canonical_root.as_ref().unwrap_or(&settings.root);
                match self.roots.iter().position(|root| root.path == *path) {
                    Some(index) => index,
                    None => {
                        self.roots.push(RootNames { path: path.clone(), files: HashMap::new() });
                        self.roots.len() - 1
                    }
                }
            }
            None => usize::MAX,
        };
        self.sources.push(SourceScan { name: name.to_string(), settings: settings.cloned(), root, template: None });
        self.sources.len() - 1
    }

    /// The file `indexed` names under source `source`'s root, as
    /// `name_key` takes it; `None` for a source that is not a scan index,
    /// or a path that leaves the root. It reads the file system (links are
    /// resolved), and depends on no other line: rows are read in parallel
    /// up to here.
    pub fn file_key(&self, source: usize, indexed: &str) -> Option<String> {
        let settings = self.sources[source].settings.as_ref()?;
        extract::named_file(&settings.root, settings.canonical_root.as_deref(), indexed, settings.check_files)
    }

    /// Records that the line at `line` of source `source` names the file
    /// `key` (its `file_key`), in the order of the lines. When an earlier
    /// line of the run named the same file, returns the issue that rejects
    /// this one, naming it.
    pub fn name_key(&mut self, source: usize, key: Option<String>, line: &SourceRef) -> Option<Issue> {
        let key = key?;
        let scan = &mut self.sources[source];
        scan.template.get_or_insert_with(|| line.clone());
        let first = match self.roots[scan.root].files.entry(key.into_boxed_str()) {
            Entry::Vacant(vacant) => {
                vacant.insert(FirstLine { source: source as u32, row: line.row });
                return None;
            }
            Entry::Occupied(occupied) => *occupied.get(),
        };
        let mut earlier = self.sources[first.source as usize].template.clone()?;
        earlier.row = first.row;
        Some(
            Issue::new(IssueCode::ScanDuplicateFile, line)
                .field(Field::FilePath)
                .detail(format!("first named at {earlier}")),
        )
    }

    /// Walks each scan root once, for the sources that look at their files,
    /// and lists the files no line of the run names. One entry per source,
    /// in the order they began; `None` where nothing was walked.
    pub fn check_roots(self) -> Vec<Option<RootCheck>> {
        let mut walked: Vec<Option<String>> = vec![None; self.roots.len()];
        let mut checks = Vec::with_capacity(self.sources.len());
        for scan in &self.sources {
            let Some(settings) = scan.settings.as_ref().filter(|settings| settings.check_files) else {
                checks.push(None);
                continue;
            };
            if let Some(first) = &walked[scan.root] {
                checks.push(Some(RootCheck { listing: RootListing::default(), listed_under: Some(first.clone()) }));
                continue;
            }
            walked[scan.root] = Some(scan.name.clone());
            let names = &self.roots[scan.root];
            let root: &Path = settings.canonical_root.as_deref().unwrap_or(&settings.root);
            let listing = extract::list_unnamed_files(root, |file| names.files.contains_key(file));
            checks.push(Some(RootCheck { listing, listed_under: None }));
        }
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(source: &str, row: u64) -> SourceRef {
        SourceRef { source: source.into(), file: format!("{source}.txt").into(), sheet: None, row }
    }

    /// A line of `source` naming `indexed`, as reading does it.
    fn name(names: &mut ScanNames, source: usize, indexed: &str, line: &SourceRef) -> Option<Issue> {
        let key = names.file_key(source, indexed);
        names.name_key(source, key, line)
    }

    #[test]
    fn a_second_line_naming_a_file_is_a_duplicate_of_the_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("B001")).unwrap();
        for file in ["B001/0001.pdf", "B001/0002.pdf", "B001/orphan.pdf"] {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        let settings = ScanSettings {
            root: dir.path().to_path_buf(),
            canonical_root: dir.path().canonicalize().ok(),
            check_files: true,
        };
        let mut names = ScanNames::default();
        let first = names.begin_source("a", Some(&settings));
        assert!(name(&mut names, first, "B001\\0001.pdf", &line("a", 2)).is_none());
        assert!(name(&mut names, first, "B001/0002.pdf", &line("a", 3)).is_none());
        let duplicate = name(&mut names, first, " ./B001/0001.pdf", &line("a", 9)).expect("a duplicate");
        assert_eq!(duplicate.code, IssueCode::ScanDuplicateFile);
        assert_eq!(duplicate.detail.as_deref(), Some("first named at a.txt, row 2"));
        assert!(name(&mut names, first, "../elsewhere.pdf", &line("a", 10)).is_none(), "escapes are not named");

        // Another index over the same folder: its names count, its orphans are the first's.
        names.begin_source("patients", None);
        let second = names.begin_source("b", Some(&settings));
        let across = name(&mut names, second, "B001/0002.pdf", &line("b", 4)).expect("a duplicate across sources");
        assert_eq!(across.detail.as_deref(), Some("first named at a.txt, row 3"));

        let checks = names.check_roots();
        assert_eq!(checks.len(), 3);
        assert_eq!(checks[0].as_ref().unwrap().listing.orphans, ["B001/orphan.pdf"]);
        assert_eq!(checks[1], None);
        assert_eq!(checks[2].as_ref().unwrap().listed_under.as_deref(), Some("a"));
    }

    #[test]
    fn without_looking_at_files_paths_are_still_compared_and_nothing_is_walked() {
        let settings = ScanSettings { root: PathBuf::from("nowhere"), canonical_root: None, check_files: false };
        let mut names = ScanNames::default();
        let source = names.begin_source("a", Some(&settings));
        assert!(name(&mut names, source, "B001\\0001.pdf", &line("a", 2)).is_none());
        assert!(name(&mut names, source, "B001/0001.pdf", &line("a", 3)).is_some());
        assert_eq!(names.check_roots(), [None]);
    }
}
