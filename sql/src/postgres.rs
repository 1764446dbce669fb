//! The PostgreSQL driver: [`PostgresStore`].

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use cookie_seal::store::{
    Record, SessionStore, StoreError, StoreFuture, Write, WriteMode, Written,
};
use cookie_seal::SessionId;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::common::{
    is_broken_connection, millis, record_from_rows, row_key, store_error, unix_seconds, KeyChanges,
    LoadRow, DEFAULT_CLEANUP_BATCH, DEFAULT_REVOCATION_WINDOW,
};

/// The schema [`PostgresStore::migrate`] creates, for apps that run their own
/// migrations: `sql/migrations/postgres/0001_cookie_seal_sessions.sql`.
pub const POSTGRES_SCHEMA: &str =
    include_str!("../migrations/postgres/0001_cookie_seal_sessions.sql");

/// The pool limits of [`PostgresStore::connect`].
const MAX_CONNECTIONS: u32 = 10;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
const MAX_LIFETIME: Duration = Duration::from_secs(1800);
/// The server cancels a statement that runs (or waits for a lock) longer.
const STATEMENT_TIMEOUT: &str = "5s";

/// Now, in Unix milliseconds, by the database's clock at the start of the
/// statement: one clock for every instance, read after the connection was
/// acquired (a TTL counts from the write, not from the wait for a connection).
macro_rules! now_ms {
    () => {
        "(extract(epoch FROM statement_timestamp()) * 1000)::bigint"
    };
}

const LOAD: &str = concat!(
    "SELECT s.meta, v.key, v.value FROM cookie_seal_sessions s ",
    "LEFT JOIN cookie_seal_session_values v ON v.session_id = s.id ",
    "WHERE s.id = $1 AND s.expires_at > ",
    now_ms!()
);

/// One statement, so one round trip and one transaction. The `UPDATE` takes
/// the session's row lock first and matches only a live row, so a record that
/// `clear`, `regenerate`, `revoke_user` or its expiry ended stays ended; the
/// per-key deletes and upserts join on its result and run only if it matched.
/// A concurrent write of the same session waits for the lock, then applies
/// its own keys on top: different keys both persist, on one key the later
/// write wins.
const UPDATE: &str = concat!(
    "WITH s AS ( ",
    "UPDATE cookie_seal_sessions SET meta = $2, user_id = $3, expires_at = ",
    now_ms!(),
    " + $4 WHERE id = $1 AND expires_at > ",
    now_ms!(),
    " RETURNING id ",
    "), removed AS ( ",
    "DELETE FROM cookie_seal_session_values v USING s ",
    "WHERE v.session_id = s.id AND v.key = ANY($5::bytea[]) ",
    "), stored AS ( ",
    "INSERT INTO cookie_seal_session_values (session_id, key, value) ",
    "SELECT s.id, t.key, t.value FROM s, unnest($6::bytea[], $7::bytea[]) AS t(key, value) ",
    "ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value ",
    ") SELECT count(*) FROM s"
);

/// One statement: deletes the record this one replaces (at `regenerate`),
/// inserts the new row and its values. A row already under the ID (which 256
/// random bits make a practical impossibility) leaves the insert empty; the
/// caller deletes it and tries once more.
const CREATE: &str = concat!(
    "WITH replaced AS ( ",
    "DELETE FROM cookie_seal_sessions WHERE id = $5::bytea ",
    "), s AS ( ",
    "INSERT INTO cookie_seal_sessions (id, meta, user_id, expires_at) ",
    "VALUES ($1, $2, $3, ",
    now_ms!(),
    " + $4) ON CONFLICT (id) DO NOTHING RETURNING id ",
    "), stored AS ( ",
    "INSERT INTO cookie_seal_session_values (session_id, key, value) ",
    "SELECT s.id, t.key, t.value FROM s, unnest($6::bytea[], $7::bytea[]) AS t(key, value) ",
    ") SELECT count(*) FROM s"
);

const DELETE: &str = "DELETE FROM cookie_seal_sessions WHERE id = $1";

/// Deletes the user's rows and records the revocation, in one statement. The
/// revocation time is the app's clock (`$2`), as the session issue times
/// that the core compares it with are.
const REVOKE: &str = concat!(
    "WITH ended AS ( ",
    "DELETE FROM cookie_seal_sessions WHERE user_id = $1 RETURNING expires_at ",
    "), marked AS ( ",
    "INSERT INTO cookie_seal_revocations (user_id, revoked_at, forget_at) VALUES ($1, $2, ",
    now_ms!(),
    " + $3) ON CONFLICT (user_id) DO UPDATE SET revoked_at = excluded.revoked_at, ",
    "forget_at = excluded.forget_at ",
    ") SELECT count(*) FROM ended WHERE expires_at > ",
    now_ms!()
);

const REVOKED_AT: &str = concat!(
    "SELECT revoked_at FROM cookie_seal_revocations WHERE user_id = $1 AND forget_at > ",
    now_ms!()
);

/// One batch of expired rows. `SKIP LOCKED`: rows that a request holds are
/// left for the next run, so cleanup never waits for (or blocks) requests.
const DELETE_EXPIRED: &str = concat!(
    "DELETE FROM cookie_seal_sessions WHERE id IN ( ",
    "SELECT id FROM cookie_seal_sessions WHERE expires_at <= ",
    now_ms!(),
    " LIMIT $1 FOR UPDATE SKIP LOCKED)"
);

const DELETE_FORGOTTEN: &str = concat!(
    "DELETE FROM cookie_seal_revocations WHERE user_id IN ( ",
    "SELECT user_id FROM cookie_seal_revocations WHERE forget_at <= ",
    now_ms!(),
    " LIMIT $1 FOR UPDATE SKIP LOCKED)"
);

/// A [`SessionStore`] in PostgreSQL (feature `postgres`). Cloning shares the pool.
///
/// ```no_run
/// # async fn run() -> Result<(), cookie_seal::store::StoreError> {
/// use std::time::Duration;
/// use cookie_seal_sql::PostgresStore;
///
/// let store = PostgresStore::connect("postgres://app@127.0.0.1/app").await?;
/// store.migrate().await?; // or run POSTGRES_SCHEMA with the app's own migrations
/// let cleanup = store.spawn_cleanup(Duration::from_secs(300));
/// # cleanup.abort();
/// # Ok(()) }
/// ```
///
/// Pool limits of [`connect`](Self::connect): at most 10 connections; a
/// request waits at most 2 s for one (then the store is unavailable: the
/// layer answers 503); the server cancels a statement after 5 s; idle
/// connections close after 10 min, every connection after 30 min. Bring a
/// pool of your own with [`from_pool`](Self::from_pool) to change them.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    revocation_window: Duration,
}

impl PostgresStore {
    /// Connects to the database at `url` with the pool limits above and
    /// checks that it answers (one connection, opened now).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the URL is invalid or the database cannot
    /// be reached in 2 s; the error never holds the URL.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|error| store_error(&error))?;
        PostgresStore::connect_with(options).await
    }

    /// [`connect`](Self::connect), with connection options already built.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the database cannot be reached in 2 s.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore, StoreError> {
        let options = options
            .application_name("cookie-seal-sql")
            .options([("statement_timeout", STATEMENT_TIMEOUT)]);
        let pool = PostgresStore::pool_options()
            .connect_with(options)
            .await
            .map_err(|error| store_error(&error))?;
        Ok(PostgresStore::from_pool(pool))
    }

    /// The pool limits of [`connect`](Self::connect), to change one of them
    /// and pass the pool to [`from_pool`](Self::from_pool) (the 5 s statement
    /// timeout is a connection option: `PgConnectOptions::options`):
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use cookie_seal_sql::PostgresStore;
    ///
    /// let pool = PostgresStore::pool_options()
    ///     .max_connections(50)
    ///     .connect("postgres://app@127.0.0.1/app")
    ///     .await?;
    /// let store = PostgresStore::from_pool(pool);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn pool_options() -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(IDLE_TIMEOUT)
            .max_lifetime(MAX_LIFETIME)
            // No ping before each statement (one round trip saved per request):
            // a connection that a restart broke is retried instead.
            .test_before_acquire(false)
    }

    /// A store on a pool the app already has (its limits are the app's).
    #[must_use]
    pub fn from_pool(pool: PgPool) -> PostgresStore {
        PostgresStore {
            pool,
            revocation_window: DEFAULT_REVOCATION_WINDOW,
        }
    }

    /// How long [`SessionStore::revoked_at`] remembers a revocation (30 days
    /// by default): keep it at least the layer's idle lifetime, so that a
    /// session riding in a cookie cannot outlive its user's revocation.
    #[must_use]
    pub fn revocation_window(mut self, window: Duration) -> PostgresStore {
        self.revocation_window = window;
        self
    }

    /// The pool the store uses.
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Creates the store's tables and indexes if they do not exist
    /// ([`POSTGRES_SCHEMA`], in one transaction under an advisory lock, so
    /// that instances starting together do not race).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the database fails or refuses (the
    /// role may not create tables: then run [`POSTGRES_SCHEMA`] yourself).
    #[must_use = "a future does nothing unless awaited"]
    pub fn migrate(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            // One simple query: PostgreSQL runs its statements as one transaction,
            // and the advisory lock lasts until its end.
            let locked = format!(
                "SELECT pg_advisory_xact_lock(hashtext('cookie_seal_sessions'));\n{POSTGRES_SCHEMA}"
            );
            sqlx::raw_sql(&locked)
                .execute(&self.pool)
                .await
                .map_err(|e| store_error(&e))?;
            Ok(())
        })
    }

    /// Deletes expired sessions (and revocations past their window), at most
    /// `batch` rows per statement, until none is left; returns how many
    /// sessions it deleted. Each batch is its own short transaction that
    /// locks only the rows it deletes and skips rows that requests hold, so
    /// requests go on meanwhile. Expired rows are already invisible to every
    /// read: this only gives their space back.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if the database fails; batches already
    /// deleted stay deleted.
    #[must_use = "a future does nothing unless awaited"]
    pub fn delete_expired(&self, batch: u32) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let batch = i64::from(batch.max(1));
            let mut deleted = 0;
            for statement in [DELETE_EXPIRED, DELETE_FORGOTTEN] {
                loop {
                    let done = sqlx::query(statement)
                        .bind(batch)
                        .execute(&self.pool)
                        .await
                        .map_err(|e| store_error(&e))?
                        .rows_affected();
                    if statement == DELETE_EXPIRED {
                        deleted += done;
                    }
                    if done < batch.unsigned_abs() {
                        break;
                    }
                }
            }
            Ok(deleted)
        })
    }

    /// Runs [`delete_expired`](Self::delete_expired) (batches of
    /// [`DEFAULT_CLEANUP_BATCH`]) every `interval` on the current tokio
    /// runtime, until the returned task is aborted. A failed run (database
    /// down) is tried again at the next tick.
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
                // An unavailable database is retried at the next tick.
                let _ = store.delete_expired(DEFAULT_CLEANUP_BATCH).await;
            }
        })
    }

    /// Runs `op`, and again while the connection it used turns out broken:
    /// after a restart every pooled connection is, and each failed try
    /// drops one, so at most one try per pooled connection, plus one on a
    /// fresh connection. A database that is down fails fast (connection
    /// refused) or times out once (the acquire timeout): neither is retried.
    async fn retrying<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        let mut retries = self.pool.options().get_max_connections();
        loop {
            match op().await {
                Err(error)
                    if retries > 0 && is_broken_connection(&error) && !self.pool.is_closed() =>
                {
                    retries -= 1;
                }
                other => return other.map_err(|error| store_error(&error)),
            }
        }
    }

    async fn load_now(&self, id: &SessionId) -> Result<Option<Record>, StoreError> {
        let key = row_key(id);
        let rows = self
            .retrying(|| {
                sqlx::query_as::<_, LoadRow>(LOAD)
                    .bind(&key)
                    .fetch_all(&self.pool)
            })
            .await?;
        record_from_rows(rows)
    }

    async fn write_now(&self, id: &SessionId, write: &Write) -> Result<Written, StoreError> {
        let key = row_key(id);
        let ttl = millis(write.ttl);
        let changes = KeyChanges::of(write);
        let matched = match write.mode {
            WriteMode::Update => {
                self.retrying(|| {
                    sqlx::query_scalar::<_, i64>(UPDATE)
                        .bind(&key)
                        .bind(&write.meta)
                        .bind(write.user.as_deref().map(str::as_bytes))
                        .bind(ttl)
                        .bind(&changes.remove)
                        .bind(&changes.set_keys)
                        .bind(&changes.set_values)
                        .fetch_one(&self.pool)
                })
                .await?
            }
            WriteMode::Create => {
                let replaces = write.replaces.as_ref().map(row_key);
                let create = || {
                    sqlx::query_scalar::<_, i64>(CREATE)
                        .bind(&key)
                        .bind(&write.meta)
                        .bind(write.user.as_deref().map(str::as_bytes))
                        .bind(ttl)
                        .bind(replaces.as_deref())
                        .bind(&changes.set_keys)
                        .bind(&changes.set_values)
                        .fetch_one(&self.pool)
                };
                let mut created = self.retrying(create).await?;
                if created == 0 {
                    // A row under this ID already: a create overwrites it.
                    self.retrying(|| sqlx::query(DELETE).bind(&key).execute(&self.pool))
                        .await?;
                    created = self.retrying(create).await?;
                }
                created
            }
        };
        Ok(if matched > 0 {
            Written::Stored
        } else {
            Written::Gone
        })
    }

    async fn delete_now(&self, id: &SessionId) -> Result<(), StoreError> {
        let key = row_key(id);
        self.retrying(|| sqlx::query(DELETE).bind(&key).execute(&self.pool))
            .await?;
        Ok(())
    }

    async fn revoke_now(&self, user: &str) -> Result<u64, StoreError> {
        let window = millis(self.revocation_window);
        let ended = self
            .retrying(|| {
                sqlx::query_scalar::<_, i64>(REVOKE)
                    .bind(user.as_bytes())
                    .bind(unix_seconds())
                    .bind(window)
                    .fetch_one(&self.pool)
            })
            .await?;
        Ok(ended.unsigned_abs())
    }

    async fn revoked_at_now(&self, user: &str) -> Result<Option<u64>, StoreError> {
        let at = self
            .retrying(|| {
                sqlx::query_scalar::<_, i64>(REVOKED_AT)
                    .bind(user.as_bytes())
                    .fetch_optional(&self.pool)
            })
            .await?;
        Ok(at.map(i64::unsigned_abs))
    }
}

impl fmt::Debug for PostgresStore {
    /// The pool's size only: never the URL or its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("connections", &self.pool.size())
            .field("revocation_window", &self.revocation_window)
            .finish_non_exhaustive()
    }
}

impl SessionStore for PostgresStore {
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
