//! The files a scan index points to: confined to the scan root, then checked
//! for existence, size, SHA-256 and page count.
//!
//! A path that leaves the scan root is a security finding: the file is never
//! opened, so a crafted index cannot make the tool read (and load into the
//! EMR) a file from elsewhere on the machine.

use std::path::{Component, Path, PathBuf};

use crate::digest::{FileDigest, sha256_file_with};

/// What was found at a path named by a scan index. The path is the index's,
/// with `\` read as `/` (scanning vendors work on Windows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedFile {
    Found {
        path: String,
        size: u64,
        sha256: String,
        pages: Option<u32>,
    },
    Missing {
        path: String,
    },
    Escapes {
        path: String,
    },
    Unreadable {
        path: String,
        reason: String,
    },
    /// Not looked at: the mapping says `check_files = false`. The path is
    /// still confined to the scan root.
    Unchecked {
        path: String,
    },
}

pub fn inspect_scanned_file(root: &Path, indexed_path: &str, check_files: bool) -> ScannedFile {
    let path = indexed_path.trim().replace('\\', "/");
    let Some(relative) = confined_relative_path(&path) else {
        return ScannedFile::Escapes { path };
    };
    if !check_files {
        return ScannedFile::Unchecked { path };
    }
    let full = root.join(&relative);
    if full.symlink_metadata().is_err() {
        return ScannedFile::Missing { path };
    }
    // A link inside the root may still lead out of it.
    match (full.canonicalize(), root.canonicalize()) {
        (Ok(target), Ok(root)) if target.starts_with(&root) => {}
        (Ok(_), Ok(_)) => return ScannedFile::Escapes { path },
        (Err(_), _) => return ScannedFile::Missing { path },
        (_, Err(error)) => {
            return ScannedFile::Unreadable { path, reason: error.kind().to_string() };
        }
    }
    match read_file(&full) {
        Ok((digest, pages)) => ScannedFile::Found { size: digest.size, sha256: digest.sha256, pages, path },
        Err(error) => ScannedFile::Unreadable { path, reason: error.kind().to_string() },
    }
}

/// Hashes the file and counts its pages in one streaming pass: scans can be
/// large, and memory stays flat however large they are.
fn read_file(path: &Path) -> std::io::Result<(FileDigest, Option<u32>)> {
    let mut counter = PageCounter::default();
    let digest = sha256_file_with(path, |chunk| counter.feed(chunk))?;
    Ok((digest, counter.finish()))
}

/// The path as components under the root, or `None` when it is absolute,
/// carries a drive letter, or climbs with `..` anywhere (even `a/../b`, which
/// would stay inside: an index that writes such paths deserves a look).
fn confined_relative_path(path: &str) -> Option<PathBuf> {
    if path.is_empty() || has_drive_letter(path) {
        return None;
    }
    let mut relative = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!relative.as_os_str().is_empty()).then_some(relative)
}

fn has_drive_letter(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Pages of a PDF, counted as page objects (`/Type /Page`, not `/Pages`)
/// as the file streams past. Compressed object streams hide them; then the
/// count is unknown rather than wrong.
#[derive(Default)]
struct PageCounter {
    pending: Vec<u8>,
    pages: u32,
    is_pdf: Option<bool>,
}

/// Bytes kept back between chunks, so a `/Type /Page` cut in two by a chunk
/// boundary is still seen whole.
const PAGE_MARKER_SPAN: usize = 64;

impl PageCounter {
    fn feed(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        if self.is_pdf.is_none() && self.pending.len() >= 5 {
            self.is_pdf = Some(self.pending.starts_with(b"%PDF-"));
        }
        if self.is_pdf == Some(true) && self.pending.len() > PAGE_MARKER_SPAN {
            let decided = self.pending.len() - PAGE_MARKER_SPAN;
            self.pages += count_page_markers(&self.pending, decided);
            self.pending.drain(..decided);
        }
    }

    fn finish(mut self) -> Option<u32> {
        if self.is_pdf != Some(true) {
            return None;
        }
        self.pages += count_page_markers(&self.pending, self.pending.len());
        (self.pages > 0).then_some(self.pages)
    }
}

/// Page objects whose `/Type` starts before `limit`.
fn count_page_markers(bytes: &[u8], limit: usize) -> u32 {
    let mut pages = 0;
    let mut at = 0;
    // A marker starting just before `limit` reaches past it.
    let searched = &bytes[..(limit + 4).min(bytes.len())];
    while let Some(found) = searched[at..].windows(5).position(|window| window == b"/Type") {
        let start = at + found;
        if start >= limit {
            break;
        }
        let rest = &bytes[start + 5..];
        let value = &rest[rest.iter().position(|byte| !byte.is_ascii_whitespace()).unwrap_or(rest.len())..];
        if value.starts_with(b"/Page") && !value.get(5).is_some_and(u8::is_ascii_alphanumeric) {
            pages += 1;
        }
        at = start + 1;
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_PAGES: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
        2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n\
        3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n4 0 obj <</Type/Page/Parent 2 0 R>> endobj\n%%EOF\n";

    fn count_pages(bytes: &[u8], chunk: usize) -> Option<u32> {
        let mut counter = PageCounter::default();
        bytes.chunks(chunk).for_each(|part| counter.feed(part));
        counter.finish()
    }

    #[test]
    fn counts_page_objects_not_the_page_tree() {
        assert_eq!(count_pages(TWO_PAGES, 4096), Some(2));
        assert_eq!(count_pages(b"not a pdf at all, not one page", 4096), None);
    }

    #[test]
    fn a_marker_cut_by_a_chunk_boundary_counts_once() {
        let mut pdf = TWO_PAGES.to_vec();
        pdf.extend(std::iter::repeat_n(b' ', 10_000));
        pdf.extend_from_slice(b"5 0 obj << /Type\n  /Page >> endobj\n");
        for chunk in [1, 3, 7, 64, 65, 100, 4096] {
            assert_eq!(count_pages(&pdf, chunk), Some(3), "chunks of {chunk}");
        }
    }

    #[test]
    fn rejects_paths_that_leave_the_root() {
        for path in ["../etc/passwd", "/etc/passwd", "a/../../b", "C:/x.pdf", "C:\\x.pdf", ""] {
            let normalised = path.replace('\\', "/");
            assert_eq!(confined_relative_path(&normalised), None, "{path}");
        }
        assert_eq!(confined_relative_path("./B001/0001.pdf"), Some(PathBuf::from("B001/0001.pdf")));
    }

    #[test]
    fn inspects_found_missing_escaping_and_linked_out_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("scans");
        std::fs::create_dir_all(root.join("B001")).unwrap();
        std::fs::write(root.join("B001/0001.pdf"), TWO_PAGES).unwrap();
        std::fs::write(dir.path().join("secret.pdf"), TWO_PAGES).unwrap();

        match inspect_scanned_file(&root, "B001\\0001.pdf", true) {
            ScannedFile::Found { path, size, pages, sha256 } => {
                assert_eq!(path, "B001/0001.pdf");
                assert_eq!(size, TWO_PAGES.len() as u64);
                assert_eq!(pages, Some(2));
                assert_eq!(sha256, crate::digest::sha256_hex(TWO_PAGES));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(inspect_scanned_file(&root, "B001/0002.pdf", true), ScannedFile::Missing { .. }));
        assert!(matches!(inspect_scanned_file(&root, "../secret.pdf", true), ScannedFile::Escapes { .. }));
        assert!(matches!(inspect_scanned_file(&root, "../secret.pdf", false), ScannedFile::Escapes { .. }));
        assert!(matches!(inspect_scanned_file(&root, "B001/nope.pdf", false), ScannedFile::Unchecked { .. }));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.pdf"), root.join("link.pdf")).unwrap();
            assert!(matches!(inspect_scanned_file(&root, "link.pdf", true), ScannedFile::Escapes { .. }));
        }
    }
}
