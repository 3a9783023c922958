//! What both benchmarks need: the process's peak resident memory, on Linux, and
//! whether a practice kept from an earlier run is still current.

/// Resets the resident-memory high-water mark (Linux; elsewhere a no-op,
/// and the peak then counts the reading too).
pub fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Whether a kept practice exists, was written by this version's generator,
/// and its project and mappings still compile against its files; a stale
/// one is removed, to be written again (and then `mark_generated`).
pub fn practice_is_current(practice: &std::path::Path) -> bool {
    let project = practice.join("migration.toml");
    let generated_here = std::fs::read_to_string(practice.join(GENERATOR_STAMP))
        .is_ok_and(|stamp| stamp.trim() == emr_migrate::synth::GENERATOR_VERSION.to_string());
    let current = generated_here
        && project.exists()
        && emr_migrate::project::Project::load(&project)
            .ok()
            .is_some_and(|project| emr_migrate::pipeline::open(&project).is_ok());
    if !current && practice.exists() {
        let _ = std::fs::remove_dir_all(practice);
    }
    current
}

/// Records which generator wrote a practice just made by `synth`.
pub fn mark_generated(practice: &std::path::Path) {
    std::fs::write(practice.join(GENERATOR_STAMP), emr_migrate::synth::GENERATOR_VERSION.to_string())
        .expect("the practice folder is writable");
}

const GENERATOR_STAMP: &str = "generator-version.txt";
