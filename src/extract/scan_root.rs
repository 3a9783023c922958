//! The files under a scan root, walked once, for the files no index line
//! names (orphans): a scan the vendor made but left out of the index would
//! otherwise never reach the EMR, and nobody would know.
//!
//! What counts as a file of the scan root:
//!
//! - **Symbolic links are not followed**, to files or to folders: a link is
//!   not a scan, and a link out of the root must not make the walk read the
//!   rest of the machine. A file a link points to inside the root is walked
//!   where it really is. An index line may still name a link inside the root
//!   (see `inspect_scanned_file`); it names the file the link resolves to.
//! - **Hidden and system files are passed over and counted**: names starting
//!   with `.` (`.DS_Store`, `._0001.pdf`, `.Trashes`, and everything inside a
//!   hidden folder) and Windows' `Thumbs.db` and `desktop.ini`. Copying scans
//!   from a Mac or opening a folder in Explorer leaves them; they are never
//!   documents.
//! - **A folder that cannot be listed** is reported, not fatal: the orphans
//!   found elsewhere still stand, and the report says the list may be short.
//!
//! Memory holds the folders still to visit and the orphans found, never the
//! whole listing: the caller says, file by file, whether the index names it.

use std::path::{Path, PathBuf};

use super::scan_file::slash_path;

/// What the walk of a scan root found besides the files the index names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootListing {
    /// Files no index line names, `/`-separated under the root, sorted.
    pub orphans: Vec<String>,
    /// Hidden and system files passed over.
    pub ignored: u64,
    /// Folders that could not be listed, `/`-separated under the root (`.`
    /// for the root itself), sorted.
    pub unreadable_folders: Vec<String>,
}

/// Walks `root` (already resolved: no links in it) and lists every regular
/// file for which `is_named` is false.
pub fn list_unnamed_files(root: &Path, mut is_named: impl FnMut(&str) -> bool) -> RootListing {
    let mut listing = RootListing::default();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(root.join(&folder)) {
            Ok(entries) => entries,
            Err(_) => {
                listing.unreadable_folders.push(folder_name(&folder));
                continue;
            }
        };
        for entry in entries {
            let Ok(entry) = entry else {
                listing.unreadable_folders.push(folder_name(&folder));
                break;
            };
            let name = entry.file_name();
            // `file_type` does not follow links.
            let Ok(kind) = entry.file_type() else { continue };
            if is_hidden_or_system(&name.to_string_lossy()) {
                if kind.is_file() {
                    listing.ignored += 1;
                }
                continue;
            }
            let relative = folder.join(&name);
            if kind.is_dir() {
                folders.push(relative);
            } else if kind.is_file() {
                let relative = slash_path(&relative);
                if !is_named(&relative) {
                    listing.orphans.push(relative);
                }
            }
        }
    }
    listing.orphans.sort_unstable();
    listing.unreadable_folders.sort_unstable();
    listing.unreadable_folders.dedup();
    listing
}

fn folder_name(folder: &Path) -> String {
    if folder.as_os_str().is_empty() { ".".to_string() } else { slash_path(folder) }
}

fn is_hidden_or_system(name: &str) -> bool {
    name.starts_with('.') || name.eq_ignore_ascii_case("thumbs.db") || name.eq_ignore_ascii_case("desktop.ini")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_unnamed_files_and_passes_over_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in
            ["B001/0001.pdf", "B001/0002.pdf", "B002/extra.tif", "loose.pdf", "B001/.DS_Store", "B002/Thumbs.db"]
        {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), b"x").unwrap();
        }
        std::fs::create_dir_all(root.join(".Trashes/501")).unwrap();
        std::fs::write(root.join(".Trashes/501/gone.pdf"), b"x").unwrap();
        std::fs::create_dir_all(root.join("empty")).unwrap();

        let listing = list_unnamed_files(root, |path| path == "B001/0001.pdf");
        assert_eq!(listing.orphans, ["B001/0002.pdf", "B002/extra.tif", "loose.pdf"]);
        assert_eq!(listing.ignored, 2, "the files inside a hidden folder are not looked at");
        assert!(listing.unreadable_folders.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn does_not_follow_links_out_of_the_root_or_within_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("scans");
        let outside = dir.path().join("elsewhere");
        std::fs::create_dir_all(root.join("B001")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.pdf"), b"x").unwrap();
        std::fs::write(root.join("B001/0001.pdf"), b"x").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        std::os::unix::fs::symlink(root.join("B001/0001.pdf"), root.join("alias.pdf")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("B001/loop")).unwrap();

        let listing = list_unnamed_files(&root, |_| false);
        assert_eq!(listing.orphans, ["B001/0001.pdf"]);
    }

    #[test]
    fn a_missing_root_is_an_unreadable_folder() {
        let dir = tempfile::tempdir().unwrap();
        let listing = list_unnamed_files(&dir.path().join("nope"), |_| false);
        assert_eq!(listing.unreadable_folders, ["."]);
        assert!(listing.orphans.is_empty());
    }
}
