//! A profile as a terminal table and as one self-contained HTML page. The
//! JSON form is the `Profile` itself, serialised.

use std::fmt::Write;

use super::{ColumnProfile, MIN_SHOWN, Masking, Profile, ValueCount};
use crate::report::escape_html as escape;

/// The profile for a terminal: the file's format, then one line per column,
/// then the common values and date formats that need a closer look.
pub fn terminal_table(profile: &Profile) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{}", profile.file);
    let _ = writeln!(text, "  {}", format_line(profile));
    let _ = writeln!(
        text,
        "  {} rows of data ({} blank, {} with the wrong number of fields)\n",
        profile.rows, profile.blank_rows, profile.rows_with_wrong_field_count
    );
    for footer in &profile.footer_rows {
        let _ = writeln!(
            text,
            "  {} footer row(s) in {} starting \"{}\" (not profiled; skip them with skip_when)\n",
            footer.count, footer.column, footer.starts_with
        );
    }
    let headings = ["#", "column", "type", "blank", "distinct", "length", "main pattern", "suggested field"];
    let rows: Vec<[String; 8]> = profile.columns.iter().map(column_cells).collect();
    let widths: Vec<usize> = (0..headings.len())
        .map(|index| {
            rows.iter().map(|row| row[index].chars().count()).chain([headings[index].len()]).max().unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| -> String {
        let padded: Vec<String> =
            cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}", width = *width)).collect();
        format!("  {}\n", padded.join("  ").trim_end())
    };
    text.push_str(&line(&headings));
    for row in &rows {
        text.push_str(&line(&row.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    let details: Vec<String> = profile.columns.iter().filter_map(column_details).collect();
    if !details.is_empty() {
        let _ = writeln!(
            text,
            "\n  Values held by {MIN_SHOWN} rows or more (patient data masked unless --show-phi), and dates:"
        );
        for detail in details {
            text.push_str(&detail);
        }
    }
    text
}

fn format_line(profile: &Profile) -> String {
    let format = &profile.format;
    let mut parts = Vec::new();
    if let Some(encoding) = format.encoding {
        parts.push(format!("encoding {encoding}"));
    }
    if let Some(delimiter) = format.delimiter {
        let shown = if delimiter == '\t' { "tab".to_string() } else { format!("`{delimiter}`") };
        parts.push(format!("delimiter {shown}"));
    }
    if let Some(sheet) = &format.sheet {
        parts.push(format!("sheet \"{sheet}\""));
    }
    if !format.other_sheets.is_empty() {
        parts.push(format!("other sheets: {}", format.other_sheets.join(", ")));
    }
    parts.push(match format.header_row {
        0 => "no header row: columns named by position".to_string(),
        row => format!("header on row {row}"),
    });
    parts.join("; ")
}

fn column_cells(column: &ColumnProfile) -> [String; 8] {
    let length = match (column.min_length, column.max_length) {
        (Some(least), Some(most)) if least == most => least.to_string(),
        (Some(least), Some(most)) => format!("{least}-{most}"),
        _ => "-".into(),
    };
    let distinct = if column.distinct_capped { format!("{}+", column.distinct) } else { column.distinct.to_string() };
    let suggestion = column.suggestion.as_ref().map_or_else(
        || "-".to_string(),
        |suggestion| format!("{} ({:.2})", suggestion.target.name(), suggestion.confidence),
    );
    [
        (column.position + 1).to_string(),
        column.name.clone(),
        column.inferred_type.clone(),
        format!("{:.0}%", column.blank_share * 100.0),
        distinct,
        length,
        column.patterns.first().map_or_else(|| "-".to_string(), |pattern| pattern.value.clone()),
        suggestion,
    ]
}

fn column_details(column: &ColumnProfile) -> Option<String> {
    let mut lines = String::new();
    if !column.common_values.is_empty() {
        let _ = writeln!(
            lines,
            "    {}{}: {}",
            column.name,
            masking_note(column.masking),
            values_line(&column.common_values)
        );
    } else if column.masking == Masking::NeverShown {
        let _ = writeln!(lines, "    {}: never shown", column.name);
    }
    if !column.date_formats.is_empty() && column.inferred_type == "date" {
        let formats: Vec<String> =
            column.date_formats.iter().map(|format| format!("{} {}", format.format, format.count)).collect();
        let _ = write!(lines, "    {} dates: {}", column.name, formats.join(", "));
        if column.ambiguous_dates > 0 {
            let _ = write!(lines, "; {} ambiguous between day-first and month-first", column.ambiguous_dates);
        }
        lines.push('\n');
    }
    (!lines.is_empty()).then_some(lines)
}

fn masking_note(masking: Masking) -> &'static str {
    match masking {
        Masking::Masked => " (masked)",
        Masking::ShownOnRequest => " (unmasked: --show-phi)",
        _ => "",
    }
}

fn values_line(values: &[ValueCount]) -> String {
    values.iter().map(|value| format!("{} ({})", value.value, value.count)).collect::<Vec<_>>().join(", ")
}

/// One HTML page, no scripts and no outside assets: it opens anywhere and
/// can be mailed to the team.
pub fn html(profile: &Profile) -> String {
    let mut page = String::new();
    let title = format!("Profile of {}", profile.file);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{STYLE}</style></head><body>\n",
        escape(&title)
    );
    let _ = writeln!(page, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(page, "<p>{}</p>", escape(&format_line(profile)));
    let _ = writeln!(
        page,
        "<p>{} rows of data: {} blank, {} with the wrong number of fields.</p>",
        profile.rows, profile.blank_rows, profile.rows_with_wrong_field_count
    );
    let _ = writeln!(
        page,
        "<p class=\"note\">Values held by fewer than {MIN_SHOWN} rows are never shown; values of columns that look like patient data are masked unless the profile was run with <code>--show-phi</code>.</p>"
    );
    page.push_str("<table><thead><tr><th>#</th><th>column</th><th>type</th><th>blank</th><th>distinct</th><th>length</th><th>patterns</th><th>common values</th><th>dates</th><th>suggested field</th></tr></thead><tbody>\n");
    for column in &profile.columns {
        let cells = column_cells(column);
        let patterns = values_line(&column.patterns);
        let values = match column.masking {
            Masking::NeverShown => "never shown".to_string(),
            masking => format!("{}{}", values_line(&column.common_values), masking_note(masking)),
        };
        let mut dates: Vec<String> =
            column.date_formats.iter().map(|format| format!("{} {}", format.format, format.count)).collect();
        if column.ambiguous_dates > 0 {
            dates.push(format!("{} ambiguous", column.ambiguous_dates));
        }
        let suggestion = column.suggestion.as_ref().map_or_else(String::new, |suggestion| {
            format!("{} ({:.2}): {}", suggestion.target.name(), suggestion.confidence, suggestion.reason)
        });
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cells[0],
            escape(&cells[1]),
            escape(&cells[2]),
            cells[3],
            cells[4],
            cells[5],
            escape(&patterns),
            escape(&values),
            escape(&dates.join(", ")),
            escape(&suggestion)
        );
    }
    page.push_str("</tbody></table>\n</body></html>\n");
    page
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.3em 0.5em;text-align:left;vertical-align:top}\
th{background:#f0f0f0}.note{color:#555}code{background:#f4f4f4;padding:0 0.2em}";
