//! `examples/redis_sessions` (the store layer on `cookie-seal-redis`) against
//! real Redis, in axum and actix-web, in `Storage::Server` and
//! `Storage::Hybrid`: sessions, login and "log out everywhere" on the shared
//! standalone server and Cluster; the Redis commands per request, seen by
//! `MONITOR`; and Redis down at start, killed and restarted under the app.
//!
//! The servers come from `.ci/steps/50-redis.sh` (`COOKIE_SEAL_TEST_REDIS_URL`,
//! `COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS`); without them the tests skip with a
//! message, with `COOKIE_SEAL_REQUIRE_REDIS=1` they fail. Tests that watch or
//! kill Redis start their own `redis-server` on a free loopback port. The app
//! binary is the one `cargo test` builds from `examples/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

#[path = "../../../redis/tests/support/servers.rs"]
mod servers;

mod app;
mod failures;
mod monitor;
mod sessions;
