//! The files a scan index points to: confined to the scan root, then checked
//! for existence, size, SHA-256 and page count (PDF and TIFF).
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

/// Hashes the file and counts a PDF's pages in one streaming pass: scans can
/// be large, and memory stays flat however large they are. A TIFF's pages are
/// counted after, from its directory chain, a few small reads per page.
fn read_file(path: &Path) -> std::io::Result<(FileDigest, Option<u32>)> {
    let mut counter = PageCounter::default();
    let digest = sha256_file_with(path, |chunk| counter.feed(chunk))?;
    if counter.is_tiff() {
        let mut file = std::fs::File::open(path)?;
        let pages = super::tiff::count_pages(&mut file, digest.size);
        return Ok((digest, pages));
    }
    Ok((digest, counter.finish()))
}

/// The file an index path names, as its path under the scan root with `/`
/// between components: what makes two index lines name the same file, and
/// what the walk of the scan root compares with. When the file is there
/// (and `check_files` allows looking), links inside the root are resolved,
/// so two names of one file are one file; otherwise the path as written,
/// with `\` read as `/` and `.` components dropped. `None` for a path that
/// leaves the root. `canonical_root` is the scan root with its links
/// resolved, when it exists.
pub fn named_file(root: &Path, canonical_root: Option<&Path>, indexed_path: &str, check_files: bool) -> Option<String> {
    let relative = confined_relative_path(&indexed_path.trim().replace('\\', "/"))?;
    if check_files
        && let Some(canonical_root) = canonical_root
        && let Ok(target) = root.join(&relative).canonicalize()
        && let Ok(inside) = target.strip_prefix(canonical_root)
    {
        return Some(slash_path(inside));
    }
    Some(slash_path(&relative))
}

/// A relative path with `/` between its components, on every platform.
pub(super) fn slash_path(relative: &Path) -> String {
    let mut text = String::new();
    for component in relative.components() {
        if !text.is_empty() {
            text.push('/');
        }
        text.push_str(&component.as_os_str().to_string_lossy());
    }
    text
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
/// count is unknown rather than wrong. Also keeps the file's first bytes, to
/// tell a TIFF.
#[derive(Default)]
struct PageCounter {
    pending: Vec<u8>,
    pages: u32,
    is_pdf: Option<bool>,
    head: Vec<u8>,
}

/// Enough of a file's start to tell its format (BigTIFF needs eight).
const HEAD_LEN: usize = 8;

/// Bytes kept back between chunks, so a `/Type /Page` cut in two by a chunk
/// boundary is still seen whole.
const PAGE_MARKER_SPAN: usize = 64;

impl PageCounter {
    fn feed(&mut self, chunk: &[u8]) {
        if self.head.len() < HEAD_LEN {
            let wanted = (HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..wanted]);
        }
        if self.is_pdf == Some(false) {
            return;
        }
        self.pending.extend_from_slice(chunk);
        if self.is_pdf.is_none() && self.pending.len() >= 5 {
            self.is_pdf = Some(self.pending.starts_with(b"%PDF-"));
            if self.is_pdf == Some(false) {
                // Not a PDF: nothing to keep (a large TIFF was once held whole).
                self.pending = Vec::new();
                return;
            }
        }
        if self.is_pdf == Some(true) && self.pending.len() > PAGE_MARKER_SPAN {
            let decided = self.pending.len() - PAGE_MARKER_SPAN;
            self.pages += count_page_markers(&self.pending, decided);
            self.pending.drain(..decided);
        }
    }

    fn is_tiff(&self) -> bool {
        super::tiff::is_tiff(&self.head)
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
    fn a_file_that_is_not_a_pdf_is_not_kept_in_memory() {
        let mut counter = PageCounter::default();
        for _ in 0..100 {
            counter.feed(&[0x49; 64 * 1024]);
        }
        assert!(counter.pending.capacity() < 64 * 1024, "{}", counter.pending.capacity());
        assert_eq!(counter.finish(), None);
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
    fn a_tiff_scan_has_its_pages_counted() {
        let dir = tempfile::tempdir().unwrap();
        // Big-endian, two directories of one entry each, then a PDF-looking
        // tail that must not be counted as pages.
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        for next in [26u32, 0] {
            tiff.extend(1u16.to_be_bytes());
            tiff.extend([0; 12]);
            tiff.extend(next.to_be_bytes());
        }
        tiff.extend(b"/Type /Page /Type /Page");
        std::fs::write(dir.path().join("scan.tif"), &tiff).unwrap();
        match inspect_scanned_file(dir.path(), "scan.tif", true) {
            ScannedFile::Found { pages, size, .. } => {
                assert_eq!(pages, Some(2));
                assert_eq!(size, tiff.len() as u64);
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(dir.path().join("cut.tif"), &tiff[..20]).unwrap();
        assert!(matches!(inspect_scanned_file(dir.path(), "cut.tif", true), ScannedFile::Found { pages: None, .. }));
    }

    #[test]
    fn named_files_are_compared_under_the_root_with_links_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("scans");
        std::fs::create_dir_all(root.join("B001")).unwrap();
        std::fs::write(root.join("B001/0001.pdf"), TWO_PAGES).unwrap();
        let canonical = root.canonicalize().unwrap();
        let named = |path: &str, check: bool| named_file(&root, Some(&canonical), path, check);
        assert_eq!(named("B001\\0001.pdf", true).as_deref(), Some("B001/0001.pdf"));
        assert_eq!(named(" ./B001//0001.pdf ", true).as_deref(), Some("B001/0001.pdf"));
        assert_eq!(named("B001\\missing.pdf", true).as_deref(), Some("B001/missing.pdf"));
        assert_eq!(named("../scans/B001/0001.pdf", true), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("B001/0001.pdf"), root.join("alias.pdf")).unwrap();
            assert_eq!(named("alias.pdf", true).as_deref(), Some("B001/0001.pdf"));
            assert_eq!(named("alias.pdf", false).as_deref(), Some("alias.pdf"), "files not looked at");
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
