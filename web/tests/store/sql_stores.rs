//! The SQL stores of `cookie-seal-sql` for the suite: a SQLite file in a
//! temporary directory, and a schema of its own on the PostgreSQL that
//! `COOKIE_SEAL_POSTGRES_URL` names (.ci/steps/55-postgres.sh starts one;
//! without it PostgreSQL is left out with a message, unless
//! `COOKIE_SEAL_REQUIRE_POSTGRES=1`, which the CI step sets: then it fails).
//!
//! [`stores`](crate::stores::stores) is called outside any runtime, and a
//! sqlx pool belongs to the runtime that opened it, so each store here opens
//! on its first call, in the runtime of the test that uses it, migrated.

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;

use cookie_seal::store::{Record, SessionStore, StoreError, StoreFuture, Write, Written};
use cookie_seal::SessionId;
use cookie_seal_sql::{PostgresStore, SqliteStore};
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;
use tokio::sync::OnceCell;

type Open = Box<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<Arc<dyn SessionStore>, StoreError>> + Send>>
        + Send
        + Sync,
>;

/// A store opened at its first call.
struct OnFirstUse {
    name: &'static str,
    store: OnceCell<Arc<dyn SessionStore>>,
    open: Open,
    /// Removed on drop (the SQLite file's directory).
    dir: Option<PathBuf>,
}

impl OnFirstUse {
    async fn store(&self) -> Result<&Arc<dyn SessionStore>, StoreError> {
        self.store.get_or_try_init(|| (self.open)()).await
    }
}

impl Drop for OnFirstUse {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl fmt::Debug for OnFirstUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnFirstUse({})", self.name)
    }
}

impl SessionStore for OnFirstUse {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        Box::pin(async move { self.store().await?.load(id).await })
    }
    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        Box::pin(async move { self.store().await?.write(id, write).await })
    }
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.store().await?.delete(id).await })
    }
    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        Box::pin(async move { self.store().await?.revoke_user(user).await })
    }
    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(async move { self.store().await?.revoked_at(user).await })
    }
}

fn random_u64() -> u64 {
    let id = SessionId::generate().unwrap();
    u64::from_le_bytes(id.as_bytes()[..8].try_into().unwrap())
}

/// A `SqliteStore` on a new file.
pub fn sqlite() -> Option<(&'static str, Arc<dyn SessionStore>)> {
    let dir = std::env::temp_dir().join(format!(
        "cookie-seal-web-sqlite-{}-{:016x}",
        std::process::id(),
        random_u64()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sessions.db");
    let open: Open = Box::new(move || {
        let path = path.clone();
        Box::pin(async move {
            let store = SqliteStore::open(path).await?;
            store.migrate().await?;
            Ok(Arc::new(store) as Arc<dyn SessionStore>)
        })
    });
    let store = OnFirstUse {
        name: "sqlite",
        store: OnceCell::new(),
        open,
        dir: Some(dir),
    };
    Some(("sqlite", Arc::new(store)))
}

/// A `PostgresStore` in a new schema, or `None` without a server outside CI.
pub fn postgres() -> Option<(&'static str, Arc<dyn SessionStore>)> {
    let url = match std::env::var("COOKIE_SEAL_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("COOKIE_SEAL_REQUIRE_POSTGRES").is_ok_and(|on| on == "1") => {
            panic!("COOKIE_SEAL_REQUIRE_POSTGRES=1 but COOKIE_SEAL_POSTGRES_URL is not set (.ci/steps/55-postgres.sh sets it)")
        }
        _ => {
            eprintln!("postgres store skipped: COOKIE_SEAL_POSTGRES_URL is not set");
            return None;
        }
    };
    let options = PgConnectOptions::from_str(&url).unwrap();
    let schema = format!("web_{:016x}", random_u64());
    let open: Open = Box::new(move || {
        let (options, schema) = (options.clone(), schema.clone());
        Box::pin(async move {
            let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
            let options = options.options([("search_path", schema.as_str())]);
            // The product's limits, but a longer wait for a connection:
            // debug builds of sqlx take a while for each SCRAM login.
            let pool = PostgresStore::pool_options()
                .acquire_timeout(std::time::Duration::from_secs(30))
                .connect_with(options)
                .await
                .unwrap();
            let store = PostgresStore::from_pool(pool);
            store.migrate().await?;
            Ok(Arc::new(store) as Arc<dyn SessionStore>)
        })
    });
    let store = OnFirstUse {
        name: "postgres",
        store: OnceCell::new(),
        open,
        dir: None,
    };
    Some(("postgres", Arc::new(store)))
}
