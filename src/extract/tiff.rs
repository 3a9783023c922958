//! Pages of a TIFF: the image file directories (IFDs) in the file's main
//! chain, one per page, as libtiff's `tiffinfo` counts them. Classic TIFF
//! (`II*\0`, `MM\0*`) and BigTIFF (`II+\0`, `MM\0+`), either byte order.
//!
//! Only the chain is read: two or three small reads per page, wherever the
//! directories lie, never the image data. A scan is a file from elsewhere,
//! so every offset is checked against the file's length, a chain that comes
//! back to a directory already seen is a loop, and a chain longer than any
//! scan is implausible: each gives "page count unknown" (`None`), never a
//! panic, a hang or a huge allocation.

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};

/// More pages than any scanned document has: beyond it the chain is taken
/// for corrupt, and the visited set stays small.
const MAX_PAGES: u32 = 100_000;

/// True when `head` (the file's first bytes) starts like a TIFF or BigTIFF.
pub fn is_tiff(head: &[u8]) -> bool {
    Layout::of(head).is_some()
}

/// The page count of the TIFF in `file`, `len` bytes long; `None` when it is
/// not a TIFF or its directory chain is broken.
pub fn count_pages<R: Read + Seek>(file: &mut R, len: u64) -> Option<u32> {
    let mut head = [0u8; 16];
    read_at(file, 0, &mut head).ok()?;
    let layout = Layout::of(&head)?;
    let mut next = layout.first_directory(&head)?;
    let mut seen = HashSet::new();
    let mut pages = 0u32;
    while next != 0 {
        if pages >= MAX_PAGES || !seen.insert(next) {
            return None;
        }
        next = layout.next_directory(file, next, len)?;
        pages += 1;
    }
    (pages > 0).then_some(pages)
}

/// Byte order and the sizes that differ between classic TIFF and BigTIFF.
#[derive(Clone, Copy)]
struct Layout {
    big_endian: bool,
    big_tiff: bool,
}

impl Layout {
    fn of(head: &[u8]) -> Option<Layout> {
        let big_endian = match head.get(..2)? {
            b"II" => false,
            b"MM" => true,
            _ => return None,
        };
        let layout = Layout { big_endian, big_tiff: false };
        match layout.uint(head.get(2..4)?) {
            42 => Some(layout),
            // BigTIFF: offsets are 8 bytes (bytes 4..6), then two zero bytes.
            43 if layout.uint(head.get(4..6)?) == 8 && layout.uint(head.get(6..8)?) == 0 => {
                Some(Layout { big_tiff: true, ..layout })
            }
            _ => None,
        }
    }

    fn offset_size(self) -> u64 {
        if self.big_tiff { 8 } else { 4 }
    }

    /// The size of the entry count that opens a directory, and of one entry.
    fn directory_sizes(self) -> (u64, u64) {
        if self.big_tiff { (8, 20) } else { (2, 12) }
    }

    fn first_directory(self, head: &[u8]) -> Option<u64> {
        let at = if self.big_tiff { 8 } else { 4 };
        Some(self.uint(head.get(at..at + self.offset_size() as usize)?))
    }

    /// Reads the directory at `offset` and returns where the next one is (0
    /// at the end of the chain), or `None` when it does not fit in the file.
    fn next_directory<R: Read + Seek>(self, file: &mut R, offset: u64, len: u64) -> Option<u64> {
        let (count_size, entry_size) = self.directory_sizes();
        let mut count = [0u8; 8];
        let count = &mut count[..count_size as usize];
        if offset.checked_add(count_size)? > len {
            return None;
        }
        read_at(file, offset, count).ok()?;
        let entries = self.uint(count);
        // A directory without entries describes no image.
        if entries == 0 {
            return None;
        }
        let link_at = entries.checked_mul(entry_size)?.checked_add(offset)?.checked_add(count_size)?;
        if link_at.checked_add(self.offset_size())? > len {
            return None;
        }
        let mut link = [0u8; 8];
        let link = &mut link[..self.offset_size() as usize];
        read_at(file, link_at, link).ok()?;
        Some(self.uint(link))
    }

    /// An unsigned integer of 2, 4 or 8 bytes in the file's byte order.
    fn uint(self, bytes: &[u8]) -> u64 {
        let fold = |value: u64, byte: &u8| value << 8 | u64::from(*byte);
        if self.big_endian { bytes.iter().fold(0, fold) } else { bytes.iter().rev().fold(0, fold) }
    }
}

fn read_at<R: Read + Seek>(file: &mut R, offset: u64, buffer: &mut [u8]) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A classic TIFF with one directory (of one entry) per page, chained
    /// in order; `link` overrides the last directory's next offset.
    fn tiff(big_endian: bool, pages: u32, link: Option<u32>) -> Vec<u8> {
        let put16 = |bytes: &mut Vec<u8>, value: u16| {
            bytes.extend(if big_endian { value.to_be_bytes() } else { value.to_le_bytes() })
        };
        let put32 = |bytes: &mut Vec<u8>, value: u32| {
            bytes.extend(if big_endian { value.to_be_bytes() } else { value.to_le_bytes() })
        };
        let mut bytes = Vec::new();
        bytes.extend(if big_endian { b"MM" } else { b"II" });
        put16(&mut bytes, 42);
        put32(&mut bytes, 8);
        for page in 0..pages {
            put16(&mut bytes, 1);
            // NewSubfileType, LONG, 1, page (a single page).
            put16(&mut bytes, 254);
            put16(&mut bytes, 4);
            put32(&mut bytes, 1);
            put32(&mut bytes, 2);
            let next = if page + 1 == pages { link.unwrap_or(0) } else { bytes.len() as u32 + 4 };
            put32(&mut bytes, next);
        }
        bytes
    }

    fn pages(bytes: &[u8]) -> Option<u32> {
        count_pages(&mut Cursor::new(bytes), bytes.len() as u64)
    }

    #[test]
    fn counts_directories_in_either_byte_order() {
        for big_endian in [false, true] {
            assert_eq!(pages(&tiff(big_endian, 1, None)), Some(1));
            assert_eq!(pages(&tiff(big_endian, 3, None)), Some(3));
            assert!(is_tiff(&tiff(big_endian, 1, None)));
        }
    }

    #[test]
    fn directories_after_the_image_data_are_found() {
        // Most writers put the image data first and the directory after it.
        let mut bytes = b"II*\0\0\0\0\0".to_vec();
        bytes.extend([0xAB; 1000]);
        let directory = bytes.len() as u32;
        bytes[4..8].copy_from_slice(&directory.to_le_bytes());
        bytes.extend(1u16.to_le_bytes());
        bytes.extend([0; 12]);
        bytes.extend(0u32.to_le_bytes());
        assert_eq!(pages(&bytes), Some(1));
    }

    #[test]
    fn a_looping_chain_is_unknown_not_a_hang() {
        for big_endian in [false, true] {
            // The third directory points back to the first (at offset 8)...
            assert_eq!(pages(&tiff(big_endian, 3, Some(8))), None);
            // ... or to itself.
            let last = 8 + 2 * 18;
            assert_eq!(pages(&tiff(big_endian, 3, Some(last))), None);
        }
    }

    #[test]
    fn a_truncated_file_or_absurd_offset_is_unknown() {
        let whole = tiff(false, 2, None);
        for cut in 0..whole.len() {
            assert_eq!(pages(&whole[..cut]), None, "cut at {cut}");
        }
        assert_eq!(pages(&tiff(false, 2, Some(u32::MAX))), None);
        let mut huge_count = tiff(true, 1, None);
        huge_count[8..10].copy_from_slice(&u16::MAX.to_be_bytes());
        assert_eq!(pages(&huge_count), None);
    }

    #[test]
    fn not_a_tiff_is_not_counted() {
        for bytes in [&b"%PDF-1.4"[..], b"II*", b"MM\0+\0\x04\0\0", b"", b"IIxx\x08\0\0\0"] {
            assert!(!is_tiff(bytes), "{bytes:?}");
            assert_eq!(pages(bytes), None);
        }
    }

    #[test]
    fn big_tiff_is_counted() {
        // Header: II, 43, offset size 8, 0, first directory at 16.
        let mut bytes = b"II+\0\x08\0\0\0".to_vec();
        bytes.extend(16u64.to_le_bytes());
        for page in 0..2u64 {
            bytes.extend(1u64.to_le_bytes());
            bytes.extend([0; 20]);
            let next = if page == 0 { bytes.len() as u64 + 8 } else { 0 };
            bytes.extend(next.to_le_bytes());
        }
        assert_eq!(pages(&bytes), Some(2));
        let looped = {
            let mut looped = bytes.clone();
            let end = looped.len();
            looped[end - 8..].copy_from_slice(&16u64.to_le_bytes());
            looped
        };
        assert_eq!(pages(&looped), None);
    }
}
