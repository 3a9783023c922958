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

/// Whether a kept practice exists and its project and mappings still
/// compile against its files; a stale one is removed, to be written again.
#[allow(dead_code)]
pub fn practice_is_current(practice: &std::path::Path) -> bool {
    let project = practice.join("migration.toml");
    let current = project.exists()
        && emr_migrate::project::Project::load(&project)
            .ok()
            .is_some_and(|project| emr_migrate::pipeline::open(&project).is_ok());
    if !current && practice.exists() {
        let _ = std::fs::remove_dir_all(practice);
    }
    current
}
