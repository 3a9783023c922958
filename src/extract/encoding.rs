//! Text encodings: which one a file is in, and a `Read` adapter that turns it
//! into UTF-8 as it streams, failing loudly rather than inventing characters.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, UTF_8, WINDOWS_1252};

use super::ExtractError;

/// Decides the encoding from an explicit label, a byte-order mark, or the
/// bytes themselves.
///
/// Without a label or a BOM, valid UTF-8 is read as UTF-8 and anything else
/// as Windows-1252, the encoding of almost every legacy export from Windows
/// software; every byte sequence is valid Windows-1252, so that fallback never
/// fails. A label beats the BOM: the person who wrote it looked at the file.
pub(super) fn detect(prefix: &[u8], label: Option<&str>, path: &Path) -> Result<&'static Encoding, ExtractError> {
    // A PDF is not text whatever encoding a mapping names.
    if let Some(kind) = file_kind(prefix) {
        return Err(ExtractError::Binary { path: path.to_path_buf(), kind });
    }
    if let Some(label) = label {
        return Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| ExtractError::UnknownEncoding { path: path.to_path_buf(), label: label.to_string() });
    }
    if let Some((encoding, _)) = Encoding::for_bom(prefix) {
        return Ok(encoding);
    }
    // Past a byte-order mark (UTF-16 text in other scripts is full of low
    // bytes), many control characters mean binary data.
    if looks_binary(prefix) {
        return Err(ExtractError::Binary { path: path.to_path_buf(), kind: "binary data" });
    }
    if prefix.contains(&0) {
        return Err(ExtractError::NotText { path: path.to_path_buf() });
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => Ok(UTF_8),
        // A prefix cut inside a multi-byte character is still UTF-8.
        Err(error) if error.error_len().is_none() => Ok(UTF_8),
        Err(_) => Ok(WINDOWS_1252),
    }
}

/// Enough of a file to detect its encoding (and a delimiter) from.
pub(super) const SNIFF_BYTES: usize = 64 * 1024;

/// A text file opened for reading: its encoding, its start decoded (for
/// sniffing), and a reader of the whole file as UTF-8 that counts the
/// file's bytes as it goes.
pub(super) struct TextInput {
    pub encoding: &'static Encoding,
    pub sample: String,
    pub reader: TextReader,
    pub progress: std::sync::Arc<super::ReadProgress>,
}

pub(super) type TextReader = DecodingReader<Counted<io::Chain<io::Cursor<Vec<u8>>, std::fs::File>>>;

/// Opens `path`, detects its encoding (`label` wins) and refuses what is not
/// text.
pub(super) fn open_text(path: &Path, label: Option<&str>) -> Result<TextInput, ExtractError> {
    let open_error = |source| ExtractError::Open { path: path.to_path_buf(), source };
    let mut file = std::fs::File::open(path).map_err(open_error)?;
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut prefix).map_err(open_error)?;
    let encoding = detect(&prefix, label, path)?;
    let sample = encoding.decode_with_bom_removal(&prefix).0.into_owned();
    let progress = super::ReadProgress::of_bytes(file.metadata().map_or(0, |metadata| metadata.len()));
    let counted = Counted { inner: io::Cursor::new(prefix).chain(file), progress: progress.clone() };
    Ok(TextInput { encoding, sample, reader: DecodingReader::new(counted, encoding), progress })
}

/// Counts the file's bytes as the decoder takes them, for progress.
pub(super) struct Counted<R> {
    inner: R,
    progress: std::sync::Arc<super::ReadProgress>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.progress.advance(read as u64);
        Ok(read)
    }
}

/// What a file is, when its first bytes say it is not text: a workbook or a
/// PDF renamed `.csv` must not be read as a page of Windows-1252 (every byte
/// is valid Windows-1252, so decoding alone would never object).
fn file_kind(prefix: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (an .xlsx or .ods workbook is one)"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Office file (an .xls workbook is one)"),
        (b"%PDF", "a PDF"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"\x1F\x8B", "a gzip archive"),
    ];
    SIGNATURES.iter().find(|(signature, _)| prefix.starts_with(signature)).map(|(_, kind)| *kind)
}

/// Text has few control characters besides tab, line breaks and form feed.
/// NULs are left to their own message (UTF-16 without a byte-order mark).
fn looks_binary(prefix: &[u8]) -> bool {
    if prefix.contains(&0) {
        return false;
    }
    let controls =
        prefix.iter().filter(|byte| byte.is_ascii_control() && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    prefix.len() >= 64 && controls * 20 > prefix.len()
}

/// The error a `DecodingReader` returns inside an `io::Error`, so the reader
/// above it can recover the line.
#[derive(Debug)]
pub(super) struct MalformedText {
    pub line: u64,
    pub encoding: &'static str,
}

impl fmt::Display for MalformedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed {} on line {}", self.encoding, self.line)
    }
}

impl std::error::Error for MalformedText {}

/// Streams any encoding as UTF-8, in constant memory.
pub(super) struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    encoding: &'static str,
    input: Box<[u8]>,
    input_start: usize,
    input_end: usize,
    input_done: bool,
    output: Box<[u8]>,
    output_start: usize,
    output_end: usize,
    finished: bool,
    lines_decoded: u64,
}

const BUFFER_SIZE: usize = 64 * 1024;

impl<R: Read> DecodingReader<R> {
    pub(super) fn new(inner: R, encoding: &'static Encoding) -> DecodingReader<R> {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            encoding: encoding.name(),
            input: vec![0; BUFFER_SIZE].into_boxed_slice(),
            input_start: 0,
            input_end: 0,
            input_done: false,
            output: vec![0; BUFFER_SIZE].into_boxed_slice(),
            output_start: 0,
            output_end: 0,
            finished: false,
            lines_decoded: 0,
        }
    }

    fn fill_output(&mut self) -> io::Result<()> {
        while self.output_start == self.output_end && !self.finished {
            if self.input_start == self.input_end && !self.input_done {
                let read = read_retrying(&mut self.inner, &mut self.input)?;
                self.input_start = 0;
                self.input_end = read;
                self.input_done = read == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.input_done,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            self.lines_decoded += memchr_count(b'\n', &self.output[..written]);
            match result {
                DecoderResult::InputEmpty => self.finished = self.input_done,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        MalformedText { line: self.lines_decoded + 1, encoding: self.encoding },
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill_output()?;
        let available = &self.output[self.output_start..self.output_end];
        let count = available.len().min(buf.len());
        buf[..count].copy_from_slice(&available[..count]);
        self.output_start += count;
        Ok(count)
    }
}

fn read_retrying(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn memchr_count(needle: u8, haystack: &[u8]) -> u64 {
    haystack.iter().filter(|&&byte| byte == needle).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], encoding: &'static Encoding) -> io::Result<String> {
        let mut text = String::new();
        DecodingReader::new(bytes, encoding).read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn detects_bom_utf8_and_windows_1252() {
        let path = Path::new("x.csv");
        assert_eq!(detect(b"\xEF\xBB\xBFa;b", None, path).unwrap(), UTF_8);
        assert_eq!(detect(b"\xFF\xFEa\0", None, path).unwrap(), encoding_rs::UTF_16LE);
        assert_eq!(detect("Zoë;José".as_bytes(), None, path).unwrap(), UTF_8);
        assert_eq!(detect(b"Zo\xEB;Jos\xE9", None, path).unwrap(), WINDOWS_1252);
        assert!(matches!(detect(b"a\0b", None, path), Err(ExtractError::NotText { .. })));
        assert!(matches!(detect(b"PK\x03\x04rest", None, path), Err(ExtractError::Binary { .. })));
        assert!(matches!(detect(b"%PDF-1.7\n", None, path), Err(ExtractError::Binary { .. })));
        let noise: Vec<u8> = (0..200u8).map(|byte| byte.wrapping_mul(37) | 1).collect();
        assert!(matches!(detect(&noise, None, path), Err(ExtractError::Binary { .. })));
        let paged = b"Last;First\r\nDoe;Jane\r\n\x0c".repeat(8);
        assert!(paged.len() >= 64);
        assert_eq!(detect(&paged, None, path).unwrap(), UTF_8, "page breaks (form feeds) are text");
        assert!(matches!(detect(b"%PDF-1.7\n", Some("utf-8"), path), Err(ExtractError::Binary { .. })));
        assert_eq!(detect(b"anything", Some("latin1"), path).unwrap(), WINDOWS_1252);
        assert!(matches!(detect(b"", Some("klingon"), path), Err(ExtractError::UnknownEncoding { .. })));
    }

    #[test]
    fn decodes_windows_1252_and_strips_bom() {
        assert_eq!(decode(b"O\x92Brien;Zo\xEB", WINDOWS_1252).unwrap(), "O\u{2019}Brien;Zoë");
        assert_eq!(decode(b"\xEF\xBB\xBFabc", UTF_8).unwrap(), "abc");
        assert_eq!(decode(b"\xFF\xFEa\0b\0", encoding_rs::UTF_16LE).unwrap(), "ab");
    }

    #[test]
    fn malformed_utf8_names_its_line() {
        let error = decode(b"ok\nok\nbad \xFF here\n", UTF_8).unwrap_err();
        let malformed = error.get_ref().and_then(|e| e.downcast_ref::<MalformedText>()).unwrap();
        assert_eq!(malformed.line, 3);
    }

    #[test]
    fn decodes_input_larger_than_the_buffers() {
        let line = "é;ü;ß\n".repeat(BUFFER_SIZE / 4);
        let bytes = WINDOWS_1252.encode(&line).0.into_owned();
        assert_eq!(decode(&bytes, WINDOWS_1252).unwrap(), line);
    }
}
