//! Expiry and cleanup with 100,000 expired rows on each driver: dead rows are
//! invisible before cleanup, `delete_expired` removes them (and their values)
//! in batches while requests go on, and live rows survive.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cookie_seal::store::{SessionStore, Write, Written};
use cookie_seal::SessionId;

const EXPIRED: i64 = 100_000;
const LIVE: u32 = 200;
const MINUTE: Duration = Duration::from_secs(60);

/// Writes LIVE live sessions and one short-lived one through the store, and
/// waits until the short one is dead.
async fn live_and_dead(store: &dyn SessionStore) -> (Vec<SessionId>, SessionId) {
    let mut live = Vec::new();
    for n in 0..LIVE {
        let id = SessionId::generate().unwrap();
        let write = Write::create(vec![], MINUTE).set("n", n.to_le_bytes());
        store.write(&id, &write).await.unwrap();
        live.push(id);
    }
    let dead = SessionId::generate().unwrap();
    let short = Write::create(vec![], Duration::from_millis(50)).set("n", [0u8]);
    store.write(&dead, &short).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        store.load(&dead).await.unwrap(),
        None,
        "dead before cleanup"
    );
    (live, dead)
}

/// Runs `cleanup` while one session is written again and again; returns how
/// many sessions it deleted and how many writes finished while it ran.
async fn cleanup_while_writing<F>(store: Arc<dyn SessionStore>, cleanup: F) -> (u64, u32)
where
    F: std::future::Future<Output = u64> + Send + 'static,
{
    let id = SessionId::generate().unwrap();
    store
        .write(&id, &Write::create(vec![], MINUTE))
        .await
        .unwrap();
    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let (store, running) = (store.clone(), running.clone());
        tokio::spawn(async move {
            let mut writes = 0u32;
            while running.load(Ordering::SeqCst) {
                let write = Write::update(vec![], MINUTE).set("w", writes.to_le_bytes());
                assert_eq!(store.write(&id, &write).await.unwrap(), Written::Stored);
                if running.load(Ordering::SeqCst) {
                    writes += 1;
                }
            }
            writes
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let started = std::time::Instant::now();
    let deleted = cleanup.await;
    let took = started.elapsed();
    running.store(false, Ordering::SeqCst);
    let writes = writer.await.unwrap();
    eprintln!("cleanup: {deleted} rows in {took:?}, {writes} writes meanwhile");
    (deleted, writes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deletes_100000_expired_rows_in_batches() {
    let db = support::sqlite().await;
    let store = db.store.clone();
    let (live, dead) = live_and_dead(&store).await;
    let pool = store.pool();
    sqlx::query(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?1) \
         INSERT INTO cookie_seal_sessions (id, meta, user_id, expires_at) \
         SELECT randomblob(32), x'00', NULL, 1000 + n FROM g",
    )
    .bind(EXPIRED)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cookie_seal_session_values (session_id, key, value) \
         SELECT id, 'k', x'01' FROM cookie_seal_sessions WHERE expires_at < 1000000",
    )
    .execute(pool)
    .await
    .unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM cookie_seal_sessions")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(rows, EXPIRED + i64::from(LIVE) + 1);

    let cleaner = store.clone();
    let (deleted, writes) = cleanup_while_writing(Arc::new(store.clone()), async move {
        cleaner.delete_expired(1000).await.unwrap()
    })
    .await;
    assert_eq!(deleted, u64::try_from(EXPIRED).unwrap() + 1);
    assert!(writes > 0, "no request wrote while cleanup ran");
    check_after_cleanup(&store, pool_counts_sqlite(pool).await, &live, &dead).await;
}

async fn pool_counts_sqlite(pool: &sqlx::SqlitePool) -> (i64, i64) {
    let sessions = sqlx::query_scalar("SELECT count(*) FROM cookie_seal_sessions")
        .fetch_one(pool)
        .await
        .unwrap();
    let values = sqlx::query_scalar("SELECT count(*) FROM cookie_seal_session_values")
        .fetch_one(pool)
        .await
        .unwrap();
    (sessions, values)
}

async fn check_after_cleanup(
    store: &dyn SessionStore,
    (sessions, values): (i64, i64),
    live: &[SessionId],
    dead: &SessionId,
) {
    // The live sessions, plus the one cleanup_while_writing wrote.
    assert_eq!(sessions, i64::from(LIVE) + 1);
    assert_eq!(
        values,
        i64::from(LIVE) + 1,
        "values cascade with their sessions"
    );
    for (n, id) in live.iter().enumerate() {
        let record = store.load(id).await.unwrap().unwrap();
        let n = u32::try_from(n).unwrap();
        assert_eq!(record.values, [("n".to_owned(), n.to_le_bytes().to_vec())]);
    }
    assert_eq!(store.load(dead).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deletes_100000_expired_rows_in_batches() {
    let Some(db) = support::postgres().await else {
        return;
    };
    let store = db.store.clone();
    let (live, dead) = live_and_dead(&store).await;
    let pool = store.pool();
    sqlx::query(
        "INSERT INTO cookie_seal_sessions (id, meta, user_id, expires_at) \
         SELECT sha256(int8send(g)), '\\x00', NULL, 1000 + g FROM generate_series(1, $1) g",
    )
    .bind(EXPIRED)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cookie_seal_session_values (session_id, key, value) \
         SELECT id, 'k', '\\x01' FROM cookie_seal_sessions WHERE expires_at < 1000000",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();

    let cleaner = store.clone();
    let (deleted, writes) = cleanup_while_writing(Arc::new(store.clone()), async move {
        cleaner.delete_expired(1000).await.unwrap()
    })
    .await;
    assert_eq!(deleted, u64::try_from(EXPIRED).unwrap() + 1);
    assert!(writes > 0, "no request wrote while cleanup ran");
    let sessions = sqlx::query_scalar("SELECT count(*) FROM cookie_seal_sessions")
        .fetch_one(pool)
        .await
        .unwrap();
    let values = sqlx::query_scalar("SELECT count(*) FROM cookie_seal_session_values")
        .fetch_one(pool)
        .await
        .unwrap();
    check_after_cleanup(&store, (sessions, values), &live, &dead).await;
    db.drop_schema().await;
}

/// Revocations past their window go too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_forgets_old_revocations() {
    let db = support::sqlite().await;
    db.store.revoke_user("42").await.unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cookie_seal_revocations")
            .fetch_one(db.store.pool())
            .await
            .unwrap()
    };
    db.store.delete_expired(10).await.unwrap();
    assert_eq!(count().await, 1, "a revocation inside its window stays");
    tokio::time::sleep(support::REVOCATION_WINDOW + Duration::from_millis(100)).await;
    db.store.delete_expired(10).await.unwrap();
    assert_eq!(count().await, 0);
}

/// The spawned task deletes dead rows on its own, on both drivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_cleanup_deletes_dead_rows_by_itself() {
    let sqlite = support::sqlite().await;
    let postgres = support::postgres().await;
    let short = Write::create(vec![], Duration::from_millis(10)).set("a", [1u8]);
    for _ in 0..5 {
        let id = SessionId::generate().unwrap();
        sqlite.store.write(&id, &short).await.unwrap();
        if let Some(db) = &postgres {
            db.store.write(&id, &short).await.unwrap();
        }
    }
    let mut tasks = vec![sqlite.store.spawn_cleanup(Duration::from_millis(50))];
    if let Some(db) = &postgres {
        tasks.push(db.store.spawn_cleanup(Duration::from_millis(50)));
    }
    let query = "SELECT count(*) FROM cookie_seal_sessions";
    let mut left = (1, 1);
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let in_sqlite: i64 = sqlx::query_scalar(query)
            .fetch_one(sqlite.store.pool())
            .await
            .unwrap();
        let in_postgres: i64 = match &postgres {
            Some(db) => sqlx::query_scalar(query)
                .fetch_one(db.store.pool())
                .await
                .unwrap(),
            None => 0,
        };
        left = (in_sqlite, in_postgres);
        if left == (0, 0) {
            break;
        }
    }
    assert_eq!(left, (0, 0));
    for task in tasks {
        task.abort();
    }
    if let Some(db) = postgres {
        db.drop_schema().await;
    }
}
