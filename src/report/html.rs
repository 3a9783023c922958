//! report.html: one self-contained page (no scripts, fonts or images from
//! anywhere) that a clinic manager can read: what will happen to their data,
//! source by source, and what needs a decision. Patient values appear only
//! masked, unless `--show-phi`.

use std::fmt::Write;

use super::{Report, WriteOptions, mask};
use crate::plan::{Plan, ReviewSide};
use crate::record::{Field, Record};

/// Review pairs shown on the page; review.csv has them all.
const REVIEW_SHOWN: usize = 25;
/// Orphan files shown per source with `--show-phi`; orphans.csv has them all.
const ORPHANS_SHOWN: usize = 25;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:70rem;\
color:#1d2430;padding:0 1rem;line-height:1.45}h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #e3e7ee;\
padding-bottom:.3rem}.sub{color:#5a6578;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #d8dde6;\
border-radius:8px;padding:.8rem 1.1rem;min-width:10rem}.card b{display:block;font-size:1.8rem}table{border-collapse:collapse;\
width:100%;margin:.6rem 0}th,td{border-bottom:1px solid #e3e7ee;padding:.35rem .6rem;text-align:left;vertical-align:top}\
th{background:#f4f6f9}td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1b7a3a;font-weight:600}\
.bad{color:#b42318;font-weight:600}.warn{color:#9a6700;font-weight:600}.banner{padding:.7rem 1rem;border-radius:8px;\
background:#eef4ff;border:1px solid #c7d7fe}.note{color:#5a6578;font-size:.92rem}code{background:#f4f6f9;padding:0 .25rem}details{margin:.8rem 0}summary{cursor:pointer;color:#5a6578}";

pub fn render(report: &Report, plan: &Plan, options: WriteOptions) -> String {
    let mut page = String::with_capacity(32 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ =
        write!(page, "<title>Migration report: {}</title><style>{STYLE}</style></head><body>", escape(&report.project));
    header(&mut page, report);
    glance(&mut page, report);
    reconciliation(&mut page, report);
    issues(&mut page, report);
    matching(&mut page, report);
    documents(&mut page, report, plan, options);
    review(&mut page, report, plan, options);
    files(&mut page, report);
    page.push_str("</body></html>\n");
    page
}

/// `1 pair`, `2 pairs`.
fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn header(page: &mut String, report: &Report) {
    let _ = write!(page, "<h1>{}</h1>", escape(&report.project));
    let _ = write!(
        page,
        "<p class=\"sub\">Migration report · emr-migrate {} · {} · generated {}</p>",
        escape(report.tool_version),
        escape(report.command),
        escape(&report.generated_at)
    );
    let banner = match report.batch_id {
        None => "This is a <b>dry run</b>: nothing has been written to the EMR database. \
                 It shows what <code>emr-migrate run</code> would do with these files today."
            .to_string(),
        Some(batch) => {
            format!("These records were <b>loaded into the EMR database as batch {batch}</b>.")
        }
    };
    let _ = write!(page, "<p class=\"banner\">{banner}</p>");
    if let Some(gate) = report.gate.as_ref().filter(|gate| !gate.passed) {
        let reasons: Vec<String> = gate.reasons.iter().map(|reason| escape(reason)).collect();
        let consequence = if report.command == "run" { " Nothing was loaded." } else { "" };
        let _ = write!(
            page,
            "<p class=\"banner bad\">The data failed its gate:{consequence}<br>{}</p>",
            reasons.join("<br>")
        );
    }
    if report.security_findings > 0 {
        let _ = write!(
            page,
            "<p class=\"banner bad\">Security: {} scan index line(s) name a file outside the scan folder \
             (<code>E-SCAN-PATH-ESCAPES</code>). Those files were not opened; the lines are in \
             <code>rejected.csv</code>. Ask the scanning vendor why.</p>",
            report.security_findings
        );
    }
}

fn glance(page: &mut String, report: &Report) {
    let verb = if report.dry_run { "would be created" } else { "created" };
    let rejected: u64 = report.sources.iter().map(|source| source.counts.rejected).sum();
    let merged: u64 = report.sources.iter().map(|source| source.counts.merged).sum();
    page.push_str("<h2>At a glance</h2><div class=\"cards\">");
    let cards = [
        (report.patients, ("patient", "patients"), verb),
        (merged, ("row", "rows"), "merged as duplicates"),
        (rejected, ("row", "rows"), "rejected, to fix"),
        (report.documents_linked, ("document", "documents"), "linked to a patient"),
        (report.documents_unlinked, ("document", "documents"), "without a patient"),
        (report.review_pairs, ("possible duplicate", "possible duplicates"), "to decide"),
    ];
    for (count, (one, many), rest) in cards {
        let noun = if count == 1 { one } else { many };
        let _ = write!(page, "<div class=\"card\"><b>{count}</b>{} {}</div>", escape(noun), escape(rest));
    }
    page.push_str("</div>");
}

fn reconciliation(page: &mut String, report: &Report) {
    page.push_str("<h2>Every row accounted for</h2>");
    page.push_str(
        "<p>For each file, every row read is either loaded, merged into another record of the same patient, \
         rejected with its reasons, or skipped (blank rows, footers, rows loaded by an earlier batch).</p>",
    );
    page.push_str(
        "<table><tr><th>Source</th><th>File</th><th>Read</th><th>Loaded</th><th>Merged</th><th>Rejected</th>\
         <th>Skipped</th><th>Adds up</th></tr>",
    );
    for source in &report.sources {
        let counts = &source.counts;
        let balanced =
            if counts.balances() { "<span class=\"ok\">yes</span>" } else { "<span class=\"bad\">NO</span>" };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{balanced}</td></tr>",
            escape(&counts.name),
            escape(&source.file),
            counts.rows_read,
            counts.loaded,
            counts.merged,
            counts.rejected,
            counts.skipped
        );
    }
    page.push_str("</table>");
    let skipped: Vec<String> = report
        .sources
        .iter()
        .flat_map(|source| {
            source.counts.skipped_by_reason.iter().map(move |(reason, count)| {
                format!("{}: {count} × {}", escape(&source.counts.name), escape(skip_reason_in_words(reason)))
            })
        })
        .collect();
    if !skipped.is_empty() {
        let _ = write!(page, "<p class=\"note\">Skipped rows: {}.</p>", skipped.join("; "));
    }
}

/// The report's skip reasons are keys for scripts (`already_loaded`); the
/// page says them in words for the people reading it.
fn skip_reason_in_words(reason: &str) -> &str {
    match reason {
        "already_loaded" => "already loaded by an earlier batch",
        other => other,
    }
}

fn issues(page: &mut String, report: &Report) {
    page.push_str("<h2>Problems found in the data</h2>");
    if report.issues.is_empty() {
        page.push_str("<p class=\"ok\">No problems found.</p>");
        return;
    }
    page.push_str(
        "<p>An <span class=\"bad\">error</span> keeps a row out of the EMR until it is fixed at the source \
         (every such row is in <code>rejected.csv</code>). A <span class=\"warn\">warning</span> is loaded, flagged.</p>",
    );
    page.push_str("<table><tr><th>Code</th><th>Kind</th><th>What it means</th><th>Rows</th><th>For example</th></tr>");
    for issue in &report.issues {
        let (class, kind) = match issue.severity {
            crate::issue::Severity::Error => ("bad", "error"),
            crate::issue::Severity::Warning => ("warn", "warning"),
        };
        let examples: Vec<String> = issue.examples.iter().map(|source| escape(&source.to_string())).collect();
        let _ = write!(
            page,
            "<tr><td><code>{}</code></td><td class=\"{class}\">{kind}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            issue.code,
            escape(issue.summary),
            issue.rows,
            examples.join("<br>")
        );
    }
    page.push_str("</table>");
}

fn matching(page: &mut String, report: &Report) {
    let stats = &report.matching;
    page.push_str("<h2>Finding the same patient twice</h2>");
    let _ = write!(
        page,
        "<p>{} were compared in {}. {} joined records of the same person into {}; {} for a person to decide \
         (<code>review.csv</code>).</p>",
        plural(stats.candidates as u64, "record", "records"),
        plural(stats.candidate_pairs, "candidate pair", "candidate pairs"),
        plural(stats.links as u64, "link", "links"),
        plural(stats.clusters as u64, "group", "groups"),
        match report.review_pairs {
            1 => "1 pair waits".to_string(),
            count => format!("{count} pairs wait"),
        }
    );
    if !stats.kept_apart.is_empty() {
        let rules: Vec<String> = stats
            .kept_apart
            .iter()
            .map(|(rule, count)| {
                let (one, many) = match rule {
                    crate::matching::HardRule::Twins => ("pair looks", "pairs look"),
                    crate::matching::HardRule::Generation | crate::matching::HardRule::NationalId => {
                        ("pair differs", "pairs differ")
                    }
                };
                let what = match rule {
                    crate::matching::HardRule::Twins => {
                        "like twins (same surname and birth date, different first names)"
                    }
                    crate::matching::HardRule::Generation => "as two generations (Jr and Sr)",
                    crate::matching::HardRule::NationalId => "in a valid national identifier",
                };
                format!("{} {what}", plural(*count as u64, one, many))
            })
            .collect();
        let _ = write!(
            page,
            "<p>Kept apart by a hard rule although their score would have linked them or sent them to review: {}.</p>",
            escape(&rules.join("; "))
        );
    }
    if stats.possible_twins > 0 {
        let _ = write!(
            page,
            "<p>Sent to review although their score would have linked them: {} registered twice in one system, \
             with one birth date, under first names alike but not the same (a nickname, a typo), or under one \
             nickname two names share: twins look like that too.</p>",
            plural(stats.possible_twins as u64, "pair", "pairs")
        );
    }
    if stats.names_differ > 0 {
        let _ = write!(
            page,
            "<p>Sent to review although their score would have linked them: {} of patients whose names have \
             nothing in common, or whose surnames differ and whose first names are two names. What agrees is what \
             a household shares (a home, a phone, twins' birthday).</p>",
            plural(stats.names_differ as u64, "pair", "pairs")
        );
    }
    if stats.generation_unknown > 0 {
        let _ = write!(
            page,
            "<p>Sent to review although their score would have linked them: {} with Jr, Sr or II on one record \
             only and no birth date on one of them, so nothing tells a father from the son named for him.</p>",
            plural(stats.generation_unknown as u64, "pair", "pairs")
        );
    }
    page.push_str("<h3>Match scores of the compared pairs</h3>");
    page.push_str(
        "<p>Each compared pair gets the probability that its two records are one person. Pairs near 0 are clearly \
         two people, pairs near 1 clearly one; the few in between are the uncertain ones a person decides.</p>",
    );
    page.push_str(&histogram_svg(&stats.probability_histogram));
    // What the implementation team tunes; a clinic manager reading the page
    // need not open it.
    page.push_str(
        "<details><summary>For the technical team: which rules paired the records, and what other \
         thresholds would give</summary>",
    );
    page.push_str(
        "<table><tr><th>Blocking rule</th><th>Blocks</th><th>Pairs</th><th>New pairs</th><th>Oversized blocks skipped</th></tr>",
    );
    for rule in &stats.blocking {
        let _ = write!(
            page,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} ({} pairs)</td></tr>",
            escape(&rule.rule.to_string()),
            rule.blocks,
            rule.pairs,
            rule.new_pairs,
            rule.oversized_blocks,
            rule.skipped_pairs
        );
    }
    page.push_str("</table>");
    threshold_sweep(page, stats);
    page.push_str("</details>");
}

/// What other thresholds would have given, so a team picks theirs with the
/// numbers in front of them.
fn threshold_sweep(page: &mut String, stats: &crate::matching::MatchStats) {
    let at_or_above =
        |threshold: f64| stats.threshold_sweep.iter().find(|row| row.threshold == threshold).map(|row| row.pairs);
    let Some(reviewable) = at_or_above(stats.review) else { return };
    page.push_str("<h3>What other thresholds would give</h3>");
    page.push_str(
        "<p>Pairs a hard rule keeps apart are not counted, nor possible twins, patients whose names differ, and \
         Jr or Sr on one record without a birth date to compare (reviewed at any threshold). Links join records \
         into one patient; review pairs wait for a person's decision.</p>",
    );
    page.push_str("<table><tr><th>Auto-link at</th><th>Links</th><th>Review pairs</th></tr>");
    for row in stats.threshold_sweep.iter().filter(|row| row.threshold >= stats.review) {
        let current = if row.threshold == stats.auto_link { " (this run)" } else { "" };
        let _ = write!(
            page,
            "<tr><td>{:.3}{current}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            row.threshold,
            row.pairs,
            reviewable - row.pairs
        );
    }
    page.push_str("</table>");
}

/// Bars per probability band, heights on a log scale so the few pairs near
/// 1 stay visible beside the many near 0.
fn histogram_svg(bands: &[u64]) -> String {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 160.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {}\" width=\"{WIDTH}\" role=\"img\" \
         aria-label=\"Histogram of match probabilities\">",
        HEIGHT + 40.0
    );
    let largest = bands.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_width = WIDTH / bands.len().max(1) as f64;
    for (index, &count) in bands.iter().enumerate() {
        let height = if count == 0 { 0.0 } else { HEIGHT * (1.0 + count as f64).ln() / (1.0 + largest).ln() };
        let x = index as f64 * bar_width;
        let colour = if index as f64 / bands.len() as f64 >= 0.5 { "#2f6fdf" } else { "#9aa7bd" };
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{colour}\"><title>{:.2}–{:.2}: {}</title></rect>",
            x + 1.0,
            HEIGHT - height,
            bar_width - 2.0,
            index as f64 / bands.len() as f64,
            (index + 1) as f64 / bands.len() as f64,
            plural(count, "pair", "pairs")
        );
    }
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"{}\" font-size=\"12\">0 (surely different)</text>\
         <text x=\"{WIDTH}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">1 (surely the same person)</text></svg>",
        HEIGHT + 18.0,
        HEIGHT + 18.0
    );
    svg
}

fn documents(page: &mut String, report: &Report, plan: &Plan, options: WriteOptions) {
    page.push_str("<h2>Scanned documents</h2>");
    let _ = write!(
        page,
        "<p>{} {}; {} linked to their patient",
        plural(report.documents, "document", "documents"),
        if report.dry_run { "would be loaded" } else { "were loaded" },
        plural(report.documents_linked, "is", "are")
    );
    if report.documents_unlinked > 0 {
        let _ = write!(
            page,
            " and <span class=\"warn\">{} no patient</span>: {} loaded unlinked, for someone to attach by hand",
            plural(report.documents_unlinked, "has", "have"),
            if report.documents_unlinked == 1 { "it is" } else { "they are" }
        );
    }
    page.push_str(".</p>");
    scan_roots(page, report, plan, options);
}

/// Per scan index, the scans under its root that no line names: they would
/// never reach the EMR. Their paths may hold patient names, so the page
/// counts them and lists them only with `--show-phi`.
fn scan_roots(page: &mut String, report: &Report, plan: &Plan, options: WriteOptions) {
    for (source, plan_source) in report.sources.iter().zip(&plan.sources) {
        let (Some(summary), Some(check)) = (&source.scan_root, &plan_source.scan_root) else { continue };
        let name = escape(&source.counts.name);
        if let Some(first) = &summary.listed_under {
            let _ =
                write!(page, "<p>The scan folder of <b>{name}</b> is that of <b>{}</b>; see there.</p>", escape(first));
            continue;
        }
        if summary.orphan_files == 0 {
            let _ = write!(
                page,
                "<p class=\"ok\">Every file in the scan folder of <b>{name}</b> is named by an index line.</p>"
            );
        } else {
            let _ = write!(
                page,
                "<p><span class=\"warn\">{} in the scan folder of <b>{name}</b> {} named by no index line</span>: \
                 {} would not reach the EMR. Add {} to the index, or confirm {} not wanted \
                 (<code>orphans.csv</code> lists every one).</p>",
                plural(summary.orphan_files, "file", "files"),
                if summary.orphan_files == 1 { "is" } else { "are" },
                if summary.orphan_files == 1 { "it" } else { "they" },
                if summary.orphan_files == 1 { "it" } else { "them" },
                if summary.orphan_files == 1 { "it is" } else { "they are" },
            );
            if options.show_phi {
                page.push_str("<ul>");
                for file in check.listing.orphans.iter().take(ORPHANS_SHOWN) {
                    let _ = write!(page, "<li><code>{}</code></li>", escape(file));
                }
                page.push_str("</ul>");
            }
        }
        if summary.unreadable_folders > 0 {
            let _ = write!(
                page,
                "<p class=\"bad\">{} could not be read, so more files may be missing from the index \
                 (<code>orphans.csv</code> names them).</p>",
                plural(summary.unreadable_folders, "folder", "folders")
            );
        }
        if summary.ignored_files > 0 {
            let _ = write!(
                page,
                "<p class=\"note\">{} (such as <code>.DS_Store</code> or <code>Thumbs.db</code>) {} passed over.</p>",
                plural(summary.ignored_files, "hidden or system file", "hidden or system files"),
                if summary.ignored_files == 1 { "was" } else { "were" }
            );
        }
    }
}

fn review(page: &mut String, report: &Report, plan: &Plan, options: WriteOptions) {
    page.push_str("<h2>Possible duplicates to decide</h2>");
    if plan.review.is_empty() {
        page.push_str("<p class=\"ok\">None: every pair was either clearly the same person or clearly not.</p>");
        return;
    }
    let _ = write!(
        page,
        "<p>{} might be the same person. They are kept apart until someone decides; {} below{}.</p>",
        plural(report.review_pairs, "pair", "pairs"),
        match REVIEW_SHOWN.min(plan.review.len()) {
            1 => "it is".to_string(),
            shown if shown == plan.review.len() => "they are".to_string(),
            shown => format!("the first {shown} are"),
        },
        if options.show_phi { "" } else { " with names and birth dates masked" }
    );
    page.push_str("<table><tr><th>#</th><th>Record A</th><th>Record B</th><th>Probability</th><th>Why</th></tr>");
    for (index, entry) in plan.review.iter().take(REVIEW_SHOWN).enumerate() {
        let reason = match entry.pair.reason {
            crate::matching::ReviewReason::Uncertain => "uncertain score",
            crate::matching::ReviewReason::ConflictsWithCluster => {
                "strong match, but conflicts with other records of the patient"
            }
            crate::matching::ReviewReason::LinksToLookAlikes => {
                "resembles two records kept apart (twins, Jr and Sr, possible twins); which one is it?"
            }
            crate::matching::ReviewReason::PossibleTwins => {
                "registered twice with one birthday and alike first names (or one nickname twins share): twins, \
                 or one patient?"
            }
            crate::matching::ReviewReason::NamesDiffer => {
                "no name in common (or two first names under two surnames), only what a household shares: two \
                 people, or a renamed patient?"
            }
            crate::matching::ReviewReason::GenerationUnknown => {
                "Jr or Sr on one record only, and no birth date to compare: father and son, or one patient?"
            }
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.2}</td><td>{reason}</td></tr>",
            index + 1,
            describe(&entry.a, plan, options),
            describe(&entry.b, plan, options),
            entry.pair.score.probability
        );
    }
    page.push_str("</table>");
}

fn describe(side: &ReviewSide, plan: &Plan, options: WriteOptions) -> String {
    let (location, record): (String, &Record) = match side {
        ReviewSide::Row { row, record } => (plan.rows[*row].source.to_string(), record),
        ReviewSide::Existing { mrn, record, .. } => {
            let mrn = if options.show_phi { mrn.clone() } else { mask::identifier(mrn) };
            (format!("EMR patient {mrn}"), record)
        }
    };
    let text = |field: Field| record.get(field).map(|value| value.to_text()).unwrap_or_default();
    let (name, birth) = if options.show_phi {
        (format!("{} {}", text(Field::GivenName), text(Field::FamilyName)), text(Field::BirthDate))
    } else {
        (
            format!("{} {}", mask::name(&text(Field::GivenName)), mask::name(&text(Field::FamilyName))),
            record.get(Field::BirthDate).map(|date| mask::birth_date(&date.to_text())).unwrap_or_default(),
        )
    };
    format!("{}<br><span class=\"note\">born {} · {}</span>", escape(name.trim()), escape(&birth), escape(&location))
}

fn files(page: &mut String, report: &Report) {
    page.push_str("<h2>Files in this report</h2><ul>");
    for (file, what) in [
        ("report.json", "the same facts for scripts"),
        ("rejected.csv", "every rejected row as it was in the source, with its reasons (contains patient data)"),
        ("review.csv", "every uncertain pair, side by side, with a column for the decision (contains patient data)"),
        ("clusters.csv", "which rows became which patient (contains patient identifiers)"),
        ("orphans.csv", "scanned files that no index line names (file names may contain patient names)"),
    ] {
        let _ = write!(page, "<li><code>{file}</code>: {what}</li>");
    }
    let _ = write!(
        page,
        "</ul><p class=\"note\">Timings (ms): extract {}, map and validate {}, match {}, load {}.</p>",
        report.timings_ms.extract_ms,
        report.timings_ms.map_validate_ms,
        report.timings_ms.match_ms,
        report.timings_ms.load_ms
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<b>O'Brien & \"Co\"</b>"), "&lt;b&gt;O&#39;Brien &amp; &quot;Co&quot;&lt;/b&gt;");
    }

    #[test]
    fn histogram_has_a_bar_per_band() {
        let svg = histogram_svg(&[100, 0, 3, 1]);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
