//! PostgreSQL stopped and restarted under a store, and under the axum layer
//! (a 503, no cookie changed): while it is down every
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

/// The same through the axum layer (`Storage::Server`): with PostgreSQL
/// stopped a request that needs its session gets the layer's 503 and no
/// `Set-Cookie`; a write that failed changed nothing; once PostgreSQL is
/// back the same cookie works, with no restart of the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_layer_a_stopped_postgres_is_a_503_that_changes_no_cookie() {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use axum::routing::get;
    use cookie_seal::axum::Session;
    use cookie_seal::cookie::{CookieConfig, SessionCookie};
    use cookie_seal::store::Storage;
    use cookie_seal::tower::SessionLayer;
    use cookie_seal::{Codec, Key, Keyring};
    use tower::ServiceExt;

    let Some(server) = support::server::Server::start() else {
        return;
    };
    let store = PostgresStore::connect(&server.url()).await.unwrap();
    store.migrate().await.unwrap();
    let keys = Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    let cookies = SessionCookie::new(
        Codec::sealed(keys),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    let app = axum::Router::new()
        .route(
            "/set/{value}",
            get(
                |session: Session, axum::extract::Path(value): axum::extract::Path<String>| async move {
                    session.insert("a", &value)?;
                    Ok::<_, cookie_seal::Error>(value)
                },
            ),
        )
        .route(
            "/get",
            get(|session: Session| async move {
                Ok::<_, cookie_seal::Error>(session.get::<String>("a")?.unwrap_or_default())
            }),
        )
        .layer(SessionLayer::new(cookies).store(store, Storage::Server));
    let send = |path: &str, cookie: Option<&str>| {
        let mut request = Request::builder().uri(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let request = request.body(Body::empty()).unwrap();
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let set_cookies: Vec<String> = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .map(|value| value.to_str().unwrap().to_owned())
                .collect();
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap();
            (
                status,
                set_cookies,
                String::from_utf8(body.to_vec()).unwrap(),
            )
        }
    };

    let (status, set, _) = send("/set/one", None).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = set[0].split(';').next().unwrap().to_owned();

    server.stop();
    for path in ["/get", "/set/two"] {
        let (status, set, body) = send(path, Some(&cookie)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert!(set.is_empty(), "{path}: no cookie set or deleted: {set:?}");
        assert!(!body.contains(&cookie), "{body}");
    }
    let (status, set, _) = send("/set/new", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(set.is_empty());

    server.start_again();
    let (status, _, body) = send("/get", Some(&cookie)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "one"),
        "the failed write changed nothing"
    );
    let (status, _, _) = send("/set/three", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = send("/get", Some(&cookie)).await;
    assert_eq!(body, "three");
}
