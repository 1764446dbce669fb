//! SQL session stores for [`cookie_seal`]: [`PostgresStore`] for apps that
//! already run PostgreSQL, and [`SqliteStore`], a file with no server, as the
//! embedded default for server-side sessions on one machine.
//!
//! Both implement [`SessionStore`](cookie_seal::store::SessionStore), so an
//! app moves between them, or from Redis, by changing the line that builds
//! the store; handlers do not change (DESIGN.md section 9):
//!
//! ```no_run
//! # async fn run() -> Result<(), cookie_seal::store::StoreError> {
//! use std::time::Duration;
//! use cookie_seal_sql::{PostgresStore, SqliteStore};
//!
//! let store = SqliteStore::open("sessions.db").await?;
//! // or: let store = PostgresStore::connect("postgres://app@127.0.0.1/app").await?;
//! store.migrate().await?;
//! let cleanup = store.spawn_cleanup(Duration::from_secs(300));
//! // SessionLayer::new(cookies).store(store, Storage::Server)
//! # cleanup.abort();
//! # Ok(()) }
//! ```
//!
//! # Schema and migrations
//! Three tables: `cookie_seal_sessions` (one row per session: the SHA-256 of
//! its ID as the key, the core's metadata, the bound user, the expiry in Unix
//! milliseconds), `cookie_seal_session_values` (one row per key of a session)
//! and `cookie_seal_revocations`. Either let the store create them with
//! `migrate()` at start (idempotent; on PostgreSQL under an advisory lock, so
//! instances that start together do not race), or run [`POSTGRES_SCHEMA`] /
//! [`SQLITE_SCHEMA`] (the files in `sql/migrations/`) with the app's own
//! migration tool, and never call `migrate()`.
//!
//! # Concurrent writes: a row per key
//! A session's values live one row per key, not in one JSON document, so
//! that a write touches only the keys a request changed:
//! - On PostgreSQL a write is one statement (so one round trip and one
//!   transaction): an `UPDATE` of the session's row that matches only a live
//!   row, then, joined on its result, the deletes and upserts
//!   (`INSERT … ON CONFLICT DO UPDATE`) of the changed keys. The `UPDATE`
//!   takes the row's lock, so concurrent writes of one session apply one
//!   after the other, each on top of the last: changes to different keys all
//!   persist, and on one key the later write wins. A record that `clear`,
//!   `regenerate`, `revoke_user` or its expiry ended matches nothing, so a
//!   slower request never brings it back ([`Written::Gone`](cookie_seal::store::Written)).
//! - On SQLite a write is one transaction whose first statement is that
//!   `UPDATE`, on the store's single writer connection: writes of the file
//!   never interleave.
//!
//! A JSON document merged in place (`jsonb ||`, `json_patch`) would also be
//! atomic, but it rewrites the whole session for each change and would carry
//! the binary values as text; the rows cost a join on read, which stays one
//! query. One corner remains: a key that a request removes without having
//! seen it, while a concurrent request adds that key, may survive on
//! PostgreSQL (the removal's snapshot predates the addition).
//!
//! # Expiry and cleanup
//! A row past its expiry is dead whether or not it has been deleted: every
//! read filters on `expires_at`. `delete_expired(batch)` deletes dead rows
//! in batches, each a short transaction (PostgreSQL skips rows that requests
//! hold); `spawn_cleanup(interval)` runs it on a tokio task, or the app
//! schedules the call itself. On PostgreSQL expiry uses the database's clock
//! (one clock for every instance, read when the statement starts, after the
//! wait for a connection); on SQLite the machine's. `revoked_at` is the
//! app's clock, as the session issue times it is compared with are.
//!
//! # Faults
//! A database that is down or restarting makes the store return
//! [`StoreError::Unavailable`](cookie_seal::store::StoreError) within the
//! pool's acquire timeout (2 s): the layer answers 503 and changes no cookie.
//! The pool reconnects by itself; a PostgreSQL statement that meets a
//! connection broken by a restart is sent again on another one. Errors
//! never carry the database URL, a session ID or a value.
//!
//! # Security
//! The table holds SHA-256 of each session ID, never the ID: a copy of the
//! database, a backup or a query log holds no ID that a cookie could carry.
//! The values are the session's bytes in clear: protect the database as the
//! sessions' data deserves. TLS to PostgreSQL is off in this build (the
//! database on loopback or a private network); the password goes in the URL
//! or `PGPASSWORD`.

mod common;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use common::DEFAULT_CLEANUP_BATCH;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, POSTGRES_SCHEMA};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SQLITE_SCHEMA};
