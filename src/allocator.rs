//! The memory allocator the command runs on: mimalloc, set as the global
//! allocator in `main.rs` (and in the matching benchmark), tuned here.
//!
//! Why mimalloc: a 1M-patient `dedupe` spent a third of its time in glibc's
//! malloc and free and in zeroing fresh pages (41.6 s; 32.9 s on mimalloc,
//! and a peak of 5.7 GB instead of 6.6 GB).

pub use mimalloc::MiMalloc as Allocator;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` in
/// mimalloc.h, the same in mimalloc 2 and 3); the sys crate names no
/// constant for it. A test pins it by its default (mimalloc 3's options.c).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with the process before it goes back to the
/// system, in milliseconds.
///
/// mimalloc's default is a second. Matching frees and allocates hundreds of
/// megabytes in bursts; with a second's delay, what one stage freed is still
/// resident when the next allocates, which put the 1M-patient matching peak
/// at 1.7 GB instead of 1.0 GB. No delay at all cost the reading stages
/// instead: each batch of rows frees its buffers before the next allocates
/// them, and memory given back is faulted in again (on 2026-11-25's
/// machine, 7 to 14 s of system time in a 1M `validate`). Ten milliseconds
/// spans a batch, and a stage of matching lasts far longer. Measured at 1M,
/// alternating with no delay: `validate` 24.6 and 23.7 s took 19.0 and
/// 19.7 s (system time 12.9 and 8.7 s took 5.5 and 6.7 s), the same peak;
/// matching's median of three 4.28 s took 4.01 s, its peak 1,004 to
/// 1,025 MB took 1,037 to 1,058 MB.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Gives freed memory back to the system after `PURGE_DELAY_MS` instead of
/// a second later. Only the default changes: a delay set in the
/// environment (`MIMALLOC_PURGE_DELAY`, or its old name
/// `MIMALLOC_RESET_DELAY`, in any case) still wins.
///
/// # Safety
///
/// Call it before any other thread starts: mimalloc writes the option
/// without synchronisation, and other threads read it as they free memory.
pub unsafe fn return_freed_memory_soon() {
    // A default only: mimalloc leaves an option it set from the
    // environment alone (options.c), whether it read the environment
    // already or reads it at the first use.
    // SAFETY: the caller guarantees no other thread runs yet; the call
    // writes one integer option and touches no allocated memory.
    unsafe { libmimalloc_sys::mi_option_set_default(PURGE_DELAY, PURGE_DELAY_MS) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mimalloc 3's own purge delay (options.c): it pins the option's place.
    const MIMALLOC_DEFAULT_PURGE_DELAY_MS: std::ffi::c_long = 1000;

    #[test]
    fn the_option_set_is_the_purge_delay_and_only_its_default() {
        let named = |name: &str| ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"].contains(&name);
        if std::env::vars_os().any(|(name, _)| named(&name.to_string_lossy().to_uppercase())) {
            return; // the environment's delay would win, as it should
        }
        // SAFETY: reads and writes one integer option; this test binary
        // allocates through the system allocator, so no thread of it reads
        // mimalloc's options, and no other test touches them.
        let get = || unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(get(), MIMALLOC_DEFAULT_PURGE_DELAY_MS, "mimalloc 3's default purge delay (ms)");
        unsafe { return_freed_memory_soon() };
        assert_eq!(get(), PURGE_DELAY_MS);
        // A delay set as the environment sets it (even to the built-in
        // default's value) is left alone.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, MIMALLOC_DEFAULT_PURGE_DELAY_MS) };
        unsafe { return_freed_memory_soon() };
        assert_eq!(get(), MIMALLOC_DEFAULT_PURGE_DELAY_MS);
    }
}
