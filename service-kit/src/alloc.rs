//! The allocator every binary of the suite installs (`#[global_allocator]` in each `main.rs`).
//!
//! glibc's malloc gives each thread that allocates an arena of its own and returns little of
//! it: the services run many threads (actix workers, tokio's blocking pool, the renderers), and
//! the one-process suite grew from 55 to over 300 MiB while issuing certificates (issue 11).
//! mimalloc keeps per-thread free lists over shared segments and returns freed pages.

pub use mimalloc::MiMalloc as Allocator;
