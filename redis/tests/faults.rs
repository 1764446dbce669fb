//! Faults of a standalone Redis, on private `redis-server`s the tests start,
//! kill, freeze and restart: a clear error when Redis is down at start,
//! `Unavailable` (never a panic) while it is down or stalled, and recovery
//! when it is back, with the same store (no app restart).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "support/servers.rs"]
mod servers;

use std::time::{Duration, Instant};

use cookie_seal::store::{SessionStore, StoreError, Write, Written};
use cookie_seal::SessionId;
use cookie_seal_redis::{Error, RedisStore};
use servers::PrivateRedis;

const MINUTE: Duration = Duration::from_secs(60);

fn id() -> SessionId {
    SessionId::generate().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_at_start_is_a_clear_error_without_the_password() {
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    redis.kill();
    let store = RedisStore::open(&url).unwrap();
    let error = store.connect().await.unwrap_err();
    assert!(matches!(error, Error::Unreachable(_)), "{error:?}");
    let text = format!("{error} {error:?} {store:?}");
    assert!(text.contains("Redis unreachable"), "{text}");
    assert!(!text.contains(&redis.password), "{text}");
    // The layer's path: an error, not a panic, on every operation.
    let id = id();
    assert!(matches!(
        store.load(&id).await,
        Err(StoreError::Unavailable(_))
    ));
    let write = Write::create(vec![], MINUTE);
    assert!(matches!(
        store.write(&id, &write).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        store.revoke_user("u").await,
        Err(StoreError::Unavailable(_))
    ));
    // Redis comes up later: the same store connects (no app restart).
    redis.restart();
    store.connect().await.unwrap();
    assert_eq!(store.write(&id, &write).await.unwrap(), Written::Stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_a_clear_error_without_either_password() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let wrong = format!("redis://:not-{}@127.0.0.1:{}/", redis.password, redis.port);
    let store = RedisStore::open(&wrong).unwrap();
    let error = store.connect().await.unwrap_err();
    let text = format!("{error} {error:?} {store:?}");
    assert!(!text.contains(&redis.password), "{text}");
    let no_password = format!("redis://127.0.0.1:{}/", redis.port);
    let error = RedisStore::open(&no_password)
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unreachable(_)), "{error:?}");
    // A URL that does not parse names no part of it.
    let error = RedisStore::open("redis://:hunter2@[::1").unwrap_err();
    assert!(!format!("{error} {error:?}").contains("hunter2"));
    assert!(matches!(
        RedisStore::open_cluster(&[]),
        Err(Error::InvalidUrl(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_is_unavailable_then_recovers_with_its_data() {
    // With an append-only file, as a production Redis keeps one.
    let Some(mut redis) = PrivateRedis::start_with("appendonly yes\nappendfsync always") else {
        return;
    };
    let store = RedisStore::open(&redis.url()).unwrap();
    store.connect().await.unwrap();
    let id = id();
    let write = Write::create(vec![1], MINUTE).set("cart", [3u8]);
    store.write(&id, &write).await.unwrap();

    redis.kill();
    let started = Instant::now();
    for _ in 0..3 {
        assert!(matches!(
            store.load(&id).await,
            Err(StoreError::Unavailable(_))
        ));
        let update = Write::update(vec![2], MINUTE).set("cart", [4u8]);
        assert!(matches!(
            store.write(&id, &update).await,
            Err(StoreError::Unavailable(_))
        ));
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );

    redis.restart();
    let record = eventually(|| store.load(&id))
        .await
        .expect("the record survived");
    assert_eq!(record.values, [("cart".to_owned(), vec![3u8])]);
    let update = Write::update(vec![2], MINUTE).set("cart", [5u8]);
    assert_eq!(store.write(&id, &update).await.unwrap(), Written::Stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_redis_times_out_then_recovers() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let store = RedisStore::open(&redis.url())
        .unwrap()
        .timeout(Duration::from_millis(300));
    let id = id();
    store
        .write(&id, &Write::create(vec![], MINUTE).set("a", [1u8]))
        .await
        .unwrap();
    redis.signal("-STOP");
    let started = Instant::now();
    let stalled = store.load(&id).await;
    let waited = started.elapsed();
    redis.signal("-CONT");
    assert!(
        matches!(stalled, Err(StoreError::Unavailable(_))),
        "{stalled:?}"
    );
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    let record = eventually(|| store.load(&id)).await;
    assert!(record.is_some());
}

/// Retries `op` for up to 10 s until it succeeds (the reconnection happens
/// on the next requests after Redis is back).
async fn eventually<'a, T, F>(op: impl Fn() -> F) -> T
where
    F: std::future::Future<Output = Result<T, StoreError>> + 'a,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match op().await {
            Ok(value) => return value,
            Err(error) => {
                assert!(Instant::now() < deadline, "never recovered: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
