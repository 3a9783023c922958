//! The matching benchmark: synthetic practices (`emr-migrate synth`) read
//! into candidates as `validate` and `run` read them (rows a load would
//! reject take no part; `dedupe` matches those too), then matched several
//! times; for each size, the median wall time of matching (candidates in,
//! clusters out: features, blocking, estimation, scoring, clustering), the
//! peak memory while matching, and precision, recall, F1 and the look-alikes
//! merged, scored by `evaluate` against the practice's truth.
//!
//!   cargo bench --bench matching                    # 10k, 100k, 1M patients; 3 runs each
//!   SIZES="10000 100000" RUNS=5 cargo bench --bench matching
//!   WORK=/big/disk cargo bench --bench matching     # practices are kept there and reused
//!
//! Peak memory is the process's resident high-water mark, reset just before
//! matching (Linux /proc/self/clear_refs), so it counts the candidates and
//! everything matching builds, not the reading before; it is the first
//! run's, as a command matches once. Run it on an idle
//! machine and compare ratios within one run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use emr_migrate::evaluate::{self, Truth};
use emr_migrate::matching::Matcher;
use emr_migrate::output::Printer;
use emr_migrate::plan::Existing;
use emr_migrate::project::Project;
use emr_migrate::{pipeline, source_ref::SourceRef};

/// The allocator the command uses (src/main.rs), so that matching is timed
/// as a user meets it.
#[global_allocator]
static ALLOCATOR: emr_migrate::allocator::Allocator = emr_migrate::allocator::Allocator;

fn main() {
    // SAFETY: the first statement of main, before any other thread exists.
    unsafe { emr_migrate::allocator::return_freed_memory_soon() };
    // `cargo bench` passes `--bench`; any other argument is not ours either.
    let sizes: Vec<u64> = std::env::var("SIZES")
        .unwrap_or_else(|_| "10000 100000 1000000".into())
        .split_whitespace()
        .map(|size| size.parse().expect("SIZES holds numbers of patients"))
        .collect();
    let runs: usize = std::env::var("RUNS").ok().map_or(3, |runs| runs.parse().expect("RUNS is a number"));
    let work =
        std::env::var_os("WORK").map_or_else(|| std::env::temp_dir().join("emr-migrate-matching-bench"), PathBuf::from);
    std::fs::create_dir_all(&work).expect("the work folder can be created");

    println!(
        "| patients | records | candidate pairs | precision | recall | F1 | twins / Jr-Sr / household / other merged | review pairs | matching s (median of {runs}) | peak memory while matching |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes {
        let practice = work.join(format!("practice-{size}"));
        // A practice kept from an older version may no longer check (its
        // mappings written for other rules) or hold other people: it is
        // written again.
        if !common::practice_is_current(&practice) {
            synth(size, &practice);
            common::mark_generated(&practice);
        }
        bench(size, &practice, runs, &work);
    }
}

fn synth(size: u64, practice: &Path) {
    eprintln!("writing a practice of {size} patients into {}", practice.display());
    let status = Command::new(env!("CARGO_BIN_EXE_emr-migrate"))
        .args(["synth", "--format", "csv", "--no-files", "--seed", "1", "--quiet", "--patients"])
        .arg(size.to_string())
        .arg("--out")
        .arg(practice)
        .status()
        .expect("emr-migrate synth runs");
    assert!(status.success(), "synth failed");
}

fn bench(size: u64, practice: &Path, runs: usize, work: &Path) {
    let project = Project::load(&practice.join("migration.toml")).expect("the practice's project loads");
    let printer = Printer::new(true);
    let existing = Existing::empty();
    let sources = pipeline::open(&project).expect("the practice's sources open");
    let today = jiff::ZonedDateTime::now().date();
    let input = pipeline::matching_input(sources, &existing, &[], today, &printer).expect("the practice reads");

    let mut seconds = Vec::with_capacity(runs);
    let mut peak_mb = 0.0f64;
    let mut last = None;
    for run in 0..runs {
        drop(last.take());
        common::reset_peak_memory();
        let started = Instant::now();
        let outcome = Matcher::prepare(&input.candidates, &project.matching).run();
        seconds.push(started.elapsed().as_secs_f64());
        // The first run's peak is what a command meets (it matches once per
        // process); a later run starts beside what the allocator kept from
        // the run before, which added up to 120 MB at 1M.
        if run == 0 {
            peak_mb = common::peak_memory_mb();
        }
        eprintln!("  {size} patients, run {} of {runs}: {:.2} s", run + 1, seconds[run]);
        last = Some(outcome);
    }
    let outcome = last.expect("at least one run");
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];

    let clusters = work.join(format!("clusters-{size}.csv"));
    write_clusters(&clusters, &input.origins, &outcome.cluster_of);
    let truth = practice.join("truth.csv");
    let scored = evaluate::evaluate(Truth::File(&truth), &clusters, None).expect("the clusters evaluate");
    let merged = &scored.wrongly_merged;
    println!(
        "| {size} | {} | {} | {:.4} | {:.4} | {:.4} | {} / {} / {} / {} | {} | {median:.2} | {peak_mb:.0} MB |",
        input.candidates.len(),
        outcome.stats.candidate_pairs,
        scored.precision,
        scored.recall,
        scored.f1,
        merged.twins,
        merged.junior_senior,
        merged.household,
        merged.other,
        outcome.review.len(),
    );
    eprintln!("  stages of the last run (ms): {:?}", outcome.stats.timings_ms);
}

/// clusters.csv as `dedupe` writes it (quoted by the csv crate: a file
/// name may hold a comma), for `evaluate`.
fn write_clusters(path: &Path, origins: &[Option<SourceRef>], cluster_of: &[u32]) {
    let mut writer = csv::Writer::from_path(path).expect("clusters file");
    writer.write_record(["source", "file", "sheet", "row", "legacy_id", "cluster_id"]).unwrap();
    for (origin, cluster) in origins.iter().zip(cluster_of) {
        let Some(origin) = origin else { continue };
        let sheet = origin.sheet.as_deref().unwrap_or("");
        let (row, cluster) = (origin.row.to_string(), cluster.to_string());
        writer.write_record([&*origin.source, &*origin.file, sheet, &row, "", &cluster]).unwrap();
    }
    writer.flush().unwrap();
}
