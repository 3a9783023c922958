//! SHA-256 of files and byte strings, as lowercase hex: the fingerprints that
//! batch manifests, documents and row provenance record.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Streams the file: scans and exports can be large.
pub fn sha256_file(path: &Path) -> io::Result<FileDigest> {
    sha256_file_with(path, |_| {})
}

/// Streams the file, showing each chunk to `inspect` as it is hashed, so a
/// caller can look at the contents without reading the file twice.
pub fn sha256_file_with(path: &Path, mut inspect: impl FnMut(&[u8])) -> io::Result<FileDigest> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let read = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        hasher.update(&buffer[..read]);
        inspect(&buffer[..read]);
        size += read as u64;
    }
    Ok(FileDigest { sha256: hex(&hasher.finalize()), size })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub sha256: String,
    pub size: u64,
}

/// Lowercase hex of any bytes (a finished digest, say).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(DIGITS[usize::from(byte >> 4)] as char);
        hex.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn file_digest_equals_bytes_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, vec![7u8; 200_000]).unwrap();
        let digest = sha256_file(&path).unwrap();
        assert_eq!(digest.size, 200_000);
        assert_eq!(digest.sha256, sha256_hex(&vec![7u8; 200_000]));
    }
}
