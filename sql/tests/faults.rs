//! PostgreSQL stopped and restarted under a store: while it is down every
//! call fails fast with `StoreError::Unavailable` (never a panic, never a
//! hang past the pool's acquire timeout), the error holds no secret, and once
//! it is back the same store works again with no restart of the app. Runs a
//! server of its own (support/server.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::time::{Duration, Instant};

use cookie_seal::store::{SessionStore, StoreError, Write, Written};
use cookie_seal::SessionId;
use cookie_seal_sql::PostgresStore;

const MINUTE: Duration = Duration::from_secs(60);
/// A loose bound for "fails fast": the acquire timeout is 2 s.
const FAST: Duration = Duration::from_secs(10);

fn assert_unavailable(error: &StoreError, id: &SessionId) {
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    let text = format!("{error} {error:?}");
    assert!(!text.contains(&id.to_base64url()), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_postgres_gives_unavailable_then_recovers_by_itself() {
    let Some(server) = support::server::Server::start() else {
        return;
    };
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    store.migrate().await.unwrap();
    let id = SessionId::generate().unwrap();
    let create = Write::create(b"secret-meta".to_vec(), MINUTE).set("k", *b"secret-value");
    store.write(&id, &create).await.unwrap();

    server.stop();
    for round in 0..3 {
        let started = Instant::now();
        let error = store.load(&id).await.unwrap_err();
        assert_unavailable(&error, &id);
        let update = Write::update(vec![round], MINUTE).set("k", [round]);
        let error = store.write(&id, &update).await.unwrap_err();
        assert_unavailable(&error, &id);
        assert_unavailable(&store.revoke_user("u").await.unwrap_err(), &id);
        assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
    }

    server.start_again();
    // The pool reconnects by itself: the first call after the restart works.
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.values, [("k".to_owned(), b"secret-value".to_vec())]);
    let update = Write::update(vec![9], MINUTE).set("k", [9u8]);
    assert_eq!(store.write(&id, &update).await.unwrap(), Written::Stored);
    assert_eq!(store.load(&id).await.unwrap().unwrap().meta, [9]);

    // A restart while the pool holds open connections: the next statement on
    // each of them finds it broken and is sent again on a fresh one.
    for _ in 0..4 {
        store.load(&id).await.unwrap();
    }
    server.stop();
    server.start_again();
    for n in 0..4u8 {
        let update = Write::update(vec![n], MINUTE).set("k", [n]);
        assert_eq!(store.write(&id, &update).await.unwrap(), Written::Stored);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_at_start_is_a_clear_error_without_the_password() {
    let Some(server) = support::server::Server::start() else {
        return;
    };
    server.stop();
    let url = format!(
        "postgres://app:secret-password@127.0.0.1:{}/app",
        server.port
    );
    let started = Instant::now();
    let error = PostgresStore::connect(&url).await.unwrap_err();
    assert!(started.elapsed() < FAST);
    let text = format!("{error} {error:?}");
    assert!(matches!(error, StoreError::Unavailable(_)), "{text}");
    assert!(text.contains("connection"), "{text}");
    assert!(!text.contains("secret-password"), "{text}");
    let error = PostgresStore::connect("postgres://app:secret-password@[bad")
        .await
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains("secret-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_of_a_store_holds_no_password() {
    let Some(server) = support::server::Server::start() else {
        return;
    };
    let url = format!(
        "postgres://postgres:secret-password@127.0.0.1:{}/postgres",
        server.port
    );
    let store = PostgresStore::connect(&url).await.unwrap();
    let text = format!("{store:?}");
    assert!(!text.contains("secret-password"), "{text}");
}
