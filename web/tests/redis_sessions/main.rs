//! `examples/redis_sessions` against a real `redis-server`: the session data
//! lives in Redis, the cookie holds only a session ID signed by cookie-seal.
//!
//! The tests need a Redis with a password, given as
//! `COOKIE_SEAL_TEST_REDIS_URL=redis://:PASSWORD@127.0.0.1:PORT/`; without it
//! they print a message and skip. `bash .ci/steps/50-redis.sh` installs and
//! starts one and sets `COOKIE_SEAL_REQUIRE_REDIS=1`, which turns every skip
//! into a failure. Tests that count Redis commands or kill Redis start their
//! own `redis-server` (from `PATH`, or `COOKIE_SEAL_REDIS_SERVER`) on another
//! free loopback port, so parallel tests cannot disturb the counts.
//!
//! The app binary is the one `cargo test` builds from `examples/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

mod app;
mod redis_server;

mod commands;
mod failures;
mod lifetime;
mod sessions;
