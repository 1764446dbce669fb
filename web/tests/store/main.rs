//! The HTTP-level behaviour of the store layers (issue 20, DESIGN.md section
//! 9): both frameworks (axum's `SessionLayer`, actix-web's
//! `SessionMiddleware`), both modes (`Storage::Server`, `Storage::Hybrid`),
//! against every store in [`stores::stores`]. Each store is wrapped in a
//! [`decorators::CountingStore`], so the round-trip properties (a forged
//! cookie: no store call; untouched: no write; a read: one load; a write:
//! one write) are asserted for every backend, and in a
//! [`decorators::FailingStore`] for the fault tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

mod concurrency;
mod decorators;
mod faults;
mod harness;
mod hybrid;
mod server;
mod sql_stores;
pub mod stores;
