//! The end-to-end tests: one test binary (`cargo test -p e2e-tests --test e2e`), one module per
//! area, so the suite (typst and all) is linked once rather than once per file. Run one area
//! with `cargo test -p e2e-tests --test e2e documents::`, one test with its full path, e.g.
//! `cargo test -p e2e-tests --test e2e documents::the_same_event_delivered_twice_makes_one_document_and_one_email`.

mod auth;
mod browser;
mod calendar;
mod documents;
mod harness;
mod inbox;
mod meetings;
mod members;
mod name_order;
mod problems;
mod proxy;
mod replies;
mod stalls;
mod swagger_ui;
mod verification;
