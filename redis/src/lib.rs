//! Redis session store for cookie-seal's server-side and hybrid sessions
//! (DESIGN.md section 9): standalone Redis or Redis Cluster, on redis-rs.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use cookie_seal_redis::RedisStore;
//!
//! let store = RedisStore::open("redis://127.0.0.1:6379/")?; // standalone
//! let cluster = RedisStore::open_cluster(&["redis://127.0.0.1:7000/", "redis://127.0.0.1:7001/"])?;
//! store.connect().await?; // optional: fail at start-up if Redis is down
//! // axum/tower: SessionLayer::new(cookies).store(store.clone(), Storage::Server)
//! // actix-web:  SessionMiddleware::new(cookies).store(store.clone(), Storage::Server)
//! let ended: u64 = store.revoke_user("42").await?; // "log out everywhere"
//! # Ok(()) }
//! ```
//!
//! # What each operation costs
//! - `load`: one `HGETALL` of the session's hash.
//! - `write`: one `EVALSHA` of a Lua script that applies the per-key changes,
//!   the metadata and the TTL atomically, and for an update first checks that
//!   the record still exists (a record deleted by `clear`, `regenerate` or
//!   `revoke_user` is never brought back). Standalone, the user index and the
//!   record a login replaces are in the same script: one atomic round trip.
//!   In a Cluster they live on other nodes: their commands are sent at the
//!   same time (one round trip of latency, but only the record's own change
//!   is atomic).
//! - `delete`: one `DEL`. `revoked_at`: one `GET`.
//! - `revoke_user`: `SET` of the revocation marker, `ZRANGE` of the user's
//!   index, then one script per listed session (deleting it only if it is
//!   still bound to that user) and a `ZREM`.
//!
//! # Keys and the record format
//! Every key starts with the [key prefix](RedisStore::key_prefix)
//! (`cookie-seal:` by default):
//! - `<prefix>s:<session ID in base64url>`: the record, a hash with the
//!   fields `f` (the record format version, `1`), `m` (the core's metadata),
//!   `u` (the bound user) and `v:<key>` (each value's bytes); its TTL is the
//!   write's (the idle lifetime, capped by the absolute one);
//! - `<prefix>u:<user>`: the user's index, a sorted set of session IDs
//!   scored by expiry, expiring with its last member;
//! - `<prefix>r:<user>`: the time of the user's last revocation, kept for the
//!   [revocation window](RedisStore::revocation_window).
//!
//! A hash of another format version is reported as
//! [`StoreError::Corrupt`](cookie_seal::store::StoreError::Corrupt), never
//! misread. Memory per session, Cluster operation and what a failover may
//! lose: docs/operations.md; what Redis sees: SECURITY.md.
//!
//! # Errors and faults
//! Every failure to reach Redis is a
//! [`StoreError::Unavailable`](cookie_seal::store::StoreError::Unavailable)
//! (the layers answer 503 and change no cookie); the connection is remade
//! by the next request once Redis is back, without restarting the app.

mod connection;
mod error;
mod record;
mod scripts;
mod store;

pub use error::Error;
pub use store::{RedisStore, DEFAULT_KEY_PREFIX, DEFAULT_REVOCATION_WINDOW};
