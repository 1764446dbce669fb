//! The SQLite driver: [`SqliteStore`], the embedded default.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use cookie_seal::store::{
    Record, SessionStore, StoreError, StoreFuture, Write, WriteMode, Written,
};
use cookie_seal::SessionId;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::common::{
    after, record_from_rows, row_key, store_error, unix_millis, unix_seconds, KeyChanges, LoadRow,
    DEFAULT_CLEANUP_BATCH, DEFAULT_REVOCATION_WINDOW,
};

/// The schema [`SqliteStore::migrate`] creates, for apps that run their own
/// migrations: `sql/migrations/sqlite/0001_cookie_seal_sessions.sql`.
pub const SQLITE_SCHEMA: &str = include_str!("../migrations/sqlite/0001_cookie_seal_sessions.sql");

/// Readers of [`SqliteStore::open`]: WAL lets them read while one writes.
const MAX_READERS: u32 = 8;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a write waits for another process's write lock on the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

const LOAD: &str = "SELECT s.meta, v.key, v.value FROM cookie_seal_sessions s \
     LEFT JOIN cookie_seal_session_values v ON v.session_id = s.id \
     WHERE s.id = ?1 AND s.expires_at > ?2";
const UPDATE: &str = "UPDATE cookie_seal_sessions SET meta = ?3, user_id = ?4, expires_at = ?5 \
     WHERE id = ?1 AND expires_at > ?2 RETURNING 1";
const INSERT: &str = "INSERT INTO cookie_seal_sessions (id, meta, user_id, expires_at) \
     VALUES (?1, ?2, ?3, ?4)";
const SET_VALUE: &str = "INSERT INTO cookie_seal_session_values (session_id, key, value) \
     VALUES (?1, ?2, ?3) ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value";
const REMOVE_VALUE: &str =
    "DELETE FROM cookie_seal_session_values WHERE session_id = ?1 AND key = ?2";
const DELETE: &str = "DELETE FROM cookie_seal_sessions WHERE id = ?1";
const DELETE_VALUES: &str = "DELETE FROM cookie_seal_session_values WHERE session_id = ?1";
const REVOKE_VALUES: &str = "DELETE FROM cookie_seal_session_values WHERE session_id IN ( \
     SELECT id FROM cookie_seal_sessions WHERE user_id = ?1)";
const REVOKE_SESSIONS: &str =
    "DELETE FROM cookie_seal_sessions WHERE user_id = ?1 RETURNING expires_at > ?2";
const MARK_REVOKED: &str = "INSERT INTO cookie_seal_revocations (user_id, revoked_at, forget_at) \
     VALUES (?1, ?2, ?3) ON CONFLICT (user_id) DO UPDATE SET revoked_at = excluded.revoked_at, \
     forget_at = excluded.forget_at";
const REVOKED_AT: &str =
    "SELECT revoked_at FROM cookie_seal_revocations WHERE user_id = ?1 AND forget_at > ?2";
/// One batch: the values of the batch's sessions, then the sessions, in one
/// transaction (so both statements pick the same rows, in the same order).
const DELETE_EXPIRED_VALUES: &str = "DELETE FROM cookie_seal_session_values WHERE session_id IN ( \
     SELECT id FROM cookie_seal_sessions WHERE expires_at <= ?1 ORDER BY expires_at, rowid LIMIT ?2)";
const DELETE_EXPIRED: &str = "DELETE FROM cookie_seal_sessions WHERE rowid IN ( \
     SELECT rowid FROM cookie_seal_sessions WHERE expires_at <= ?1 ORDER BY expires_at, rowid LIMIT ?2)";
const DELETE_FORGOTTEN: &str = "DELETE FROM cookie_seal_revocations WHERE rowid IN ( \
     SELECT rowid FROM cookie_seal_revocations WHERE forget_at <= ?1 LIMIT ?2)";

/// A [`SessionStore`] in a SQLite file (feature `sqlite`): server-side
/// sessions on one machine with no server to run. Cloning shares the pools.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use cookie_seal::store::{SessionStore, Write};
/// use cookie_seal::SessionId;
/// use cookie_seal_sql::SqliteStore;
///
/// # let dir = std::env::temp_dir().join(format!("cookie-seal-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let path = dir.join("sessions.db");
/// let store = SqliteStore::open(&path).await?; // creates the file, WAL mode
/// store.migrate().await?; // or run SQLITE_SCHEMA with the app's own migrations
/// let id = SessionId::generate()?;
/// store.write(&id, &Write::create(Vec::new(), Duration::from_secs(60)).set("n", [1u8])).await?;
/// assert_eq!(store.load(&id).await?.map(|record| record.values.len()), Some(1));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(()) }
/// ```
///
/// [`open`](Self::open) keeps two pools on the file: up to 8 readers, and
/// one writer, so that the process's writes queue in the pool (at most 2 s,
/// then the store is unavailable: the layer answers 503) instead of
/// contending for SQLite's file lock; another process's writes are waited
/// for up to 2 s (`busy_timeout`). `synchronous = NORMAL`, as WAL recommends: a commit survives the app crashing;
/// a power loss may lose the last writes (the sessions of the last moments).
#[derive(Clone)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    revocation_window: Duration,
}

impl SqliteStore {
    /// Opens (creating if missing) the SQLite database at `path`, in WAL mode,
    /// and checks that it opens.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the file cannot be created or opened.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(|e| store_error(&e))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(MAX_READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .map_err(|e| store_error(&e))?;
        Ok(SqliteStore {
            reader,
            writer,
            revocation_window: DEFAULT_REVOCATION_WINDOW,
        })
    }

    /// A store on a pool the app already has, for reads and writes (in WAL
    /// mode, preferably).
    #[must_use]
    pub fn from_pool(pool: SqlitePool) -> SqliteStore {
        SqliteStore {
            reader: pool.clone(),
            writer: pool,
            revocation_window: DEFAULT_REVOCATION_WINDOW,
        }
    }

    /// How long [`SessionStore::revoked_at`] remembers a revocation (30 days
    /// by default): keep it at least the layer's idle lifetime.
    #[must_use]
    pub fn revocation_window(mut self, window: Duration) -> SqliteStore {
        self.revocation_window = window;
        self
    }

    /// The pool the store writes with.
    #[must_use]
    pub fn pool(&self) -> &SqlitePool {
        &self.writer
    }

    /// Creates the store's tables and indexes if they do not exist
    /// ([`SQLITE_SCHEMA`]).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if SQLite fails (a read-only file, a full disk).
    #[must_use = "a future does nothing unless awaited"]
    pub fn migrate(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            // Each statement is idempotent: after a failure (a full disk),
            // running it again completes the schema.
            sqlx::raw_sql(SQLITE_SCHEMA)
                .execute(&self.writer)
                .await
                .map_err(|e| store_error(&e))?;
            Ok(())
        })
    }

    /// Deletes expired sessions (and revocations past their window), at most
    /// `batch` rows per statement, until none is left; returns how many
    /// sessions it deleted. Each batch is its own short transaction, so
    /// requests' writes go on between batches. Expired rows are already
    /// invisible to every read: this only gives their space back.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if SQLite fails; batches already deleted
    /// stay deleted.
    #[must_use = "a future does nothing unless awaited"]
    pub fn delete_expired(&self, batch: u32) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let batch = i64::from(batch.max(1));
            let now = unix_millis();
            let mut deleted = 0;
            loop {
                let mut tx = self.writer.begin().await.map_err(|e| store_error(&e))?;
                let mut this_batch = 0;
                for statement in [DELETE_EXPIRED_VALUES, DELETE_EXPIRED] {
                    this_batch = sqlx::query(statement)
                        .bind(now)
                        .bind(batch)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| store_error(&e))?
                        .rows_affected();
                }
                tx.commit().await.map_err(|e| store_error(&e))?;
                deleted += this_batch;
                if this_batch < batch.unsigned_abs() {
                    break;
                }
            }
            loop {
                let forgotten = sqlx::query(DELETE_FORGOTTEN)
                    .bind(now)
                    .bind(batch)
                    .execute(&self.writer)
                    .await
                    .map_err(|e| store_error(&e))?
                    .rows_affected();
                if forgotten < batch.unsigned_abs() {
                    break;
                }
            }
            Ok(deleted)
        })
    }

    /// Runs [`delete_expired`](Self::delete_expired) (batches of
    /// [`DEFAULT_CLEANUP_BATCH`]) every `interval` on the current tokio
    /// runtime, until the returned task is aborted.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    #[must_use = "dropping the handle keeps the task running; abort it to stop"]
    pub fn spawn_cleanup(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(1)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                // A failed run is tried again at the next tick.
                let _ = store.delete_expired(DEFAULT_CLEANUP_BATCH).await;
            }
        })
    }

    async fn load_now(&self, id: &SessionId) -> Result<Option<Record>, StoreError> {
        let rows = sqlx::query_as::<_, LoadRow>(LOAD)
            .bind(row_key(id))
            .bind(unix_millis())
            .fetch_all(&self.reader)
            .await
            .map_err(|e| store_error(&e))?;
        record_from_rows(rows)
    }

    async fn write_now(&self, id: &SessionId, write: &Write) -> Result<Written, StoreError> {
        let mut tx = self.writer.begin().await.map_err(|e| store_error(&e))?;
        let written = write_in(&mut tx, id, write)
            .await
            .map_err(|e| store_error(&e))?;
        if written == Written::Stored {
            tx.commit().await.map_err(|e| store_error(&e))?;
        }
        // A Gone write changed nothing; dropping the transaction rolls it back.
        Ok(written)
    }

    async fn delete_now(&self, id: &SessionId) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(|e| store_error(&e))?;
        delete_in(&mut tx, &row_key(id))
            .await
            .map_err(|e| store_error(&e))?;
        tx.commit().await.map_err(|e| store_error(&e))
    }

    async fn revoke_now(&self, user: &str) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin().await.map_err(|e| store_error(&e))?;
        let now = unix_millis();
        sqlx::query(REVOKE_VALUES)
            .bind(user.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(&e))?;
        let ended: Vec<bool> = sqlx::query_scalar(REVOKE_SESSIONS)
            .bind(user.as_bytes())
            .bind(now)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| store_error(&e))?;
        sqlx::query(MARK_REVOKED)
            .bind(user.as_bytes())
            .bind(unix_seconds())
            .bind(after(now, self.revocation_window))
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(&e))?;
        tx.commit().await.map_err(|e| store_error(&e))?;
        Ok(ended.into_iter().filter(|live| *live).count() as u64)
    }

    async fn revoked_at_now(&self, user: &str) -> Result<Option<u64>, StoreError> {
        let at: Option<i64> = sqlx::query_scalar(REVOKED_AT)
            .bind(user.as_bytes())
            .bind(unix_millis())
            .fetch_optional(&self.reader)
            .await
            .map_err(|e| store_error(&e))?;
        Ok(at.map(i64::unsigned_abs))
    }
}

/// The statements of one write, in the caller's transaction. The first one
/// writes, so the transaction holds SQLite's write lock from its start and
/// no concurrent write of the file interleaves.
async fn write_in(
    tx: &mut Transaction<'_, Sqlite>,
    id: &SessionId,
    write: &Write,
) -> Result<Written, sqlx::Error> {
    let key = row_key(id);
    // The clock is read once the transaction holds the writer: a TTL counts
    // from the write, not from the wait for the connection.
    let now = unix_millis();
    let expires_at = after(now, write.ttl);
    let changes = KeyChanges::of(write);
    match write.mode {
        WriteMode::Update => {
            let live = sqlx::query(UPDATE)
                .bind(&key)
                .bind(now)
                .bind(&write.meta)
                .bind(write.user.as_deref().map(str::as_bytes))
                .bind(expires_at)
                .fetch_optional(&mut **tx)
                .await?;
            if live.is_none() {
                return Ok(Written::Gone);
            }
            for removed in &changes.remove {
                sqlx::query(REMOVE_VALUE)
                    .bind(&key)
                    .bind(removed)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        WriteMode::Create => {
            if let Some(old) = &write.replaces {
                delete_in(tx, &row_key(old)).await?;
            }
            // A create overwrites a row under its ID (256 random bits: never in practice).
            delete_in(tx, &key).await?;
            sqlx::query(INSERT)
                .bind(&key)
                .bind(&write.meta)
                .bind(write.user.as_deref().map(str::as_bytes))
                .bind(expires_at)
                .execute(&mut **tx)
                .await?;
        }
    }
    for (set_key, value) in changes.set_keys.iter().zip(&changes.set_values) {
        sqlx::query(SET_VALUE)
            .bind(&key)
            .bind(set_key)
            .bind(value)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Written::Stored)
}

/// Deletes a session's row and its values.
async fn delete_in(tx: &mut Transaction<'_, Sqlite>, key: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query(DELETE_VALUES)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    sqlx::query(DELETE).bind(key).execute(&mut **tx).await?;
    Ok(())
}

impl fmt::Debug for SqliteStore {
    /// Pool sizes only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("readers", &self.reader.size())
            .field("revocation_window", &self.revocation_window)
            .finish_non_exhaustive()
    }
}

impl SessionStore for SqliteStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        Box::pin(self.load_now(id))
    }

    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        Box::pin(self.write_now(id, write))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(self.delete_now(id))
    }

    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        Box::pin(self.revoke_now(user))
    }

    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(self.revoked_at_now(user))
    }
}
