//! What the SQL store tests share: fresh stores on a SQLite file in a
//! temporary directory, or in a schema of their own on the PostgreSQL that
//! `COOKIE_SEAL_POSTGRES_URL` names (.ci/steps/55-postgres.sh starts one).
//! Without it the PostgreSQL tests skip with a message, unless
//! `COOKIE_SEAL_REQUIRE_POSTGRES=1` (the CI step sets it): then they fail.

#![allow(dead_code)]

pub mod server;
pub mod suite;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use cookie_seal::store::{Record, SessionStore, StoreFuture, Write, Written};
use cookie_seal::SessionId;
use cookie_seal_sql::{PostgresStore, SqliteStore};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection;

/// The revocation window of every test store: short, so that a test sees a
/// revocation forgotten.
pub const REVOCATION_WINDOW: Duration = Duration::from_millis(3000);

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let mut random = [0u8; 8];
        getrandom(&mut random);
        let name = format!(
            "cookie-seal-sql-{tag}-{}-{}",
            std::process::id(),
            u64::from_le_bytes(random)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn getrandom(bytes: &mut [u8]) {
    // A fresh session ID is 32 random bytes from the OS: reuse it as the source.
    let id = cookie_seal::SessionId::generate().unwrap();
    let n = bytes.len();
    bytes.copy_from_slice(&id.as_bytes()[..n]);
}

/// A SQLite store on a new file, migrated; the directory goes with the handle.
pub struct SqliteDb {
    pub store: SqliteStore,
    pub dir: TempDir,
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.store.fmt(f)
    }
}

/// The store, with its file's directory kept until the test ends.
impl SessionStore for SqliteDb {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        self.store.load(id)
    }
    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        self.store.write(id, write)
    }
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        self.store.delete(id)
    }
    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        self.store.revoke_user(user)
    }
    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        self.store.revoked_at(user)
    }
}

pub async fn sqlite() -> SqliteDb {
    let dir = TempDir::new("sqlite");
    let store = SqliteStore::open(dir.path().join("sessions.db"))
        .await
        .unwrap()
        .revocation_window(REVOCATION_WINDOW);
    store.migrate().await.unwrap();
    SqliteDb { store, dir }
}

/// The PostgreSQL URL for tests, or `None` (outside CI, with a message).
pub fn postgres_url() -> Option<String> {
    match std::env::var("COOKIE_SEAL_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("COOKIE_SEAL_REQUIRE_POSTGRES").is_ok_and(|on| on == "1") => {
            panic!("COOKIE_SEAL_REQUIRE_POSTGRES=1 but COOKIE_SEAL_POSTGRES_URL is not set (.ci/steps/55-postgres.sh sets it)")
        }
        _ => {
            eprintln!("skipped: COOKIE_SEAL_POSTGRES_URL is not set (run .ci/steps/55-postgres.sh, or set it to a PostgreSQL URL)");
            None
        }
    }
}

/// A PostgreSQL store in a schema of its own (its `search_path`), migrated.
pub struct PostgresDb {
    pub store: PostgresStore,
    pub schema: String,
    options: PgConnectOptions,
}

pub async fn postgres() -> Option<PostgresDb> {
    let url = postgres_url()?;
    let options = PgConnectOptions::from_str(&url).unwrap();
    let mut random = [0u8; 8];
    getrandom(&mut random);
    let schema = format!("test_{:016x}", u64::from_le_bytes(random));
    let mut admin = PgConnection::connect_with(&options).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    // The product's pool limits, but a longer wait for a connection: debug
    // builds of sqlx take a while for each SCRAM login, and many tests open
    // pools at once on 2 shared cores (the 2 s limit is for release builds).
    let pool = PostgresStore::pool_options()
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone().options([("search_path", schema.as_str())]))
        .await
        .unwrap();
    let store = PostgresStore::from_pool(pool).revocation_window(REVOCATION_WINDOW);
    store.migrate().await.unwrap();
    Some(PostgresDb {
        store,
        schema,
        options,
    })
}

impl PostgresDb {
    /// Drops the test's schema.
    pub async fn drop_schema(self) {
        self.store.pool().close().await;
        let mut admin = PgConnection::connect_with(&self.options).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.schema))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
    }
}
