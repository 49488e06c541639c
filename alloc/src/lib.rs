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

use std::sync::Once;
use std::time::Duration;

pub use mimalloc::MiMalloc as Allocator;

/// How often the sweeper runs; a purge visits only what is due, so a sweep is cheap.
const SWEEP_EVERY: Duration = Duration::from_millis(500);

/// Starts the sweeper thread once per process (later calls do nothing).
pub fn start_sweeper() {
    static STARTED: Once = Once::new();
    STARTED.call_once(|| {
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

/// Purges the pages whose purge delay has passed, whichever thread freed them.
#[allow(unsafe_code)]
pub fn sweep() {
    // SAFETY: `mi_collect` takes no pointers; it collects the calling thread's heap and the
    // process-wide arenas, which mimalloc guards itself.
    unsafe { libmimalloc_sys::mi_collect(false) }
}
