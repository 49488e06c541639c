//! The allocator every binary of the suite installs (`#[global_allocator]` in each `main.rs`,
//! through `service_kit::alloc`),
//! and the sweeper that makes it give freed memory back ([`start_sweeper`], first in each `main`).
//!
//! glibc's malloc gives each thread that allocates an arena of its own and returns little of
//! it: the services run many threads (actix workers, tokio's blocking pool, the renderers), and
//! the one-process suite grew from 55 to over 300 MiB while issuing certificates (issue 11).
//! mimalloc keeps per-thread free lists over shared segments and returns freed pages.
//!
//! mimalloc returns a freed page to the system only when its purge delay has passed *and* some
//! thread allocates again; a service that goes quiet after a burst (start-up's argon2 hashes,
//! 19 MiB each; a batch of certificates) keeps everything it freed. The sweeper asks mimalloc,
//! twice a second, to purge what has been free for longer than the delay: pages still being
//! reused are left alone, so the renderers pay nothing (measured in docs/benchmarks.md,
//! "Issue 11, session 10").
//!
//! Transparent huge pages are off for the process ([`start_sweeper`] turns them off first, and
//! mimalloc is built not to ask for them): a 2 MiB huge page stays resident while any 4 KiB of it
//! is in use, so a purge returns nothing from a half-used one. With them the suite held 505 MiB
//! after the HTTP benchmark, without them 184 (docs/benchmarks.md, "Issue 11, session 12").
//!
//! The sweeper also unmaps the pages of large embedded data that were read (the fonts, see
//! [`release_on_sweep`]), which otherwise stay in the process's RSS once touched.

mod mapped;

pub use mapped::release_on_sweep;

use std::ffi::c_long;
use std::sync::Once;
use std::time::Duration;

pub use mimalloc::MiMalloc as Allocator;

/// How often the sweeper runs; a purge visits only what is due, so a sweep is cheap.
const SWEEP_EVERY: Duration = Duration::from_millis(500);

/// How long mimalloc keeps a freed page before giving it back (its default is 1,000 ms).
/// Measured through 10,000 certificates in the suite (`BENCH_ONLY=certificates bench/run.sh`,
/// docs/benchmarks.md "Issue 11, session 16"), with typst's memo trimmed every 4 renders:
/// 1,000 ms held ≈ 150–170 MiB of heap at the peak, 250 ms ≈ 120 at the same rate, 100 ms ≈ 125
/// for ≈ 5 % fewer certificates per second; 0 (memo as before) ≈ 87 for 25 % fewer.
/// `MIMALLOC_PURGE_DELAY` in the environment still decides when it is set.
pub const PURGE_DELAY_MS: c_long = 250;
/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (the Rust crate's constants follow
/// mimalloc 2's numbering).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Turns transparent huge pages off for this process, then starts the sweeper thread; once per
/// process (later calls do nothing). Called first in each `main`, before the big allocations.
pub fn start_sweeper() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            set_purge_delay(PURGE_DELAY_MS);
        }
        if let Err(e) = disable_huge_pages() {
            tracing::warn!(error = %e, "transparent huge pages stay on: memory is returned in 2 MiB pieces");
        }
        let spawned = std::thread::Builder::new().name("memory-sweeper".into()).spawn(|| {
            loop {
                std::thread::sleep(SWEEP_EVERY);
                sweep();
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "memory sweeper not started: freed memory is returned later");
        }
    });
}

/// Purges the pages whose purge delay has passed, whichever thread freed them, and unmaps the
/// pages of the data registered with [`release_on_sweep`].
#[allow(unsafe_code)]
pub fn sweep() {
    // SAFETY: `mi_collect` takes no pointers; it collects the calling thread's heap and the
    // process-wide arenas, which mimalloc guards itself.
    unsafe { libmimalloc_sys::mi_collect(false) }
    mapped::release();
}

/// Sets how many milliseconds mimalloc keeps a freed page before purging it.
#[allow(unsafe_code)]
fn set_purge_delay(ms: c_long) {
    // SAFETY: mi_option_set takes two integers; mimalloc reads the option afresh at each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}

/// mimalloc's purge delay in milliseconds now.
#[allow(unsafe_code)]
pub fn purge_delay_ms() -> c_long {
    // SAFETY: mi_option_get takes an integer and reads an option.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

/// `prctl(PR_SET_THP_DISABLE)`: no transparent huge pages for this process's later page faults,
/// also where the system gives them without being asked (`enabled` = `always`).
#[allow(unsafe_code)]
pub fn disable_huge_pages() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes integers only and changes a flag of this process.
        let rc = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether transparent huge pages are off for this process (`PR_GET_THP_DISABLE`).
#[allow(unsafe_code)]
pub fn huge_pages_disabled() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_GET_THP_DISABLE takes no pointers and reads a flag of this process.
        unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweeper_turns_huge_pages_off_and_shortens_the_purge_delay() {
        start_sweeper();
        assert!(huge_pages_disabled());
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge_delay_ms(), PURGE_DELAY_MS);
        }
        // Allocating and sweeping afterwards works as before.
        let v = vec![7u8; 8 << 20];
        drop(v);
        sweep();
    }
}
