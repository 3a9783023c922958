//! Tiny valid PDFs standing in for scanned pages: blank pages that say they
//! are synthetic, with a correct cross-reference table, so that a PDF reader
//! (and emr-migrate's page count) reads them as real files.

use std::fmt::Write;

/// A PDF of `pages` blank pages.
pub fn tiny_pdf(pages: usize) -> Vec<u8> {
    let font = 3 + pages * 2;
    let kids: Vec<String> = (0..pages).map(|page| format!("{} 0 R", 3 + page * 2)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")),
    ];
    for page in 0..pages {
        let content = format!("BT /F1 12 Tf 72 720 Td (Synthetic scan for tests, page {}) Tj ET", page + 1);
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 {font} 0 R >> >> \
             /Contents {} 0 R >>",
            4 + page * 2
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string());
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = write!(out, "{} 0 obj\n{object}\nendobj\n", index + 1);
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(out, "{offset:010} 00000 n ");
    }
    let _ = write!(out, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_reference_offsets_point_at_objects() {
        let pdf = tiny_pdf(3);
        let text = String::from_utf8(pdf).unwrap();
        let xref = text.find("xref\n").unwrap();
        for line in text[xref..].lines().skip(3).take(5) {
            let offset: usize = line[..10].parse().unwrap();
            assert!(text[offset..].starts_with(|c: char| c.is_ascii_digit()), "{line}");
            assert!(text[offset..].split_once('\n').unwrap().0.ends_with(" 0 obj"));
        }
        assert_eq!(text.matches("/Type /Page ").count(), 3);
    }
}
