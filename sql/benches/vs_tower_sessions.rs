//! Per-request overhead of server-side sessions in PostgreSQL: cookie-seal's
//! layer on `PostgresStore` (`Storage::Server`) next to tower-sessions'
//! `SessionManagerLayer` on tower-sessions-sqlx-store's `PostgresStore`, in
//! one run, on the same PostgreSQL, in the same axum app, through
//! `tower::ServiceExt::oneshot` (in-memory requests; the database on
//! loopback). Both pools have the same limits (10 connections, no ping
//! before each statement), so the difference is the layers and the stores.
//! A small session (a user name, a counter, roles, a theme, a CSRF token),
//! logged in once; every request carries its cookie.
//!
//! - `read`: the handler reads one value (each: 1 `SELECT`; no write).
//! - `write`: the handler increments the counter (cookie-seal: the load and
//!   one `UPDATE … RETURNING` statement with the changed key's upsert;
//!   tower-sessions: the load and an upsert of the whole record).
//!
//! - `store/read`, `store/write`: the stores alone, without the layers (a
//!   load; an update of one key, against tower-sessions' save of the whole
//!   record), to tell the stores' share from the layers'.
//!
//! ```sh
//! COOKIE_SEAL_POSTGRES_URL=postgres://user:password@127.0.0.1:5432/db \
//!   cargo bench -p cookie-seal-sql --bench vs_tower_sessions
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failure report

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use cookie_seal::axum::Session as SealSession;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::store::Storage;
use cookie_seal::tower::SessionLayer;
use cookie_seal::{Codec, Key, Keyring};
use criterion::{criterion_group, criterion_main, Criterion};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Connection;
use tower::ServiceExt;
use tower_sessions::{Session as TowerSession, SessionManagerLayer};

const ROLES: [&str; 3] = ["reader", "writer", "admin"];

// cookie-seal.

async fn seal_login(session: SealSession) -> Result<&'static str, cookie_seal::Error> {
    session.insert("user", "alice.example")?;
    session.insert("count", &41u64)?;
    session.insert("roles", &ROLES)?;
    session.insert("theme", "dark")?;
    session.insert("csrf", &[0x5au8; 32])?;
    Ok("in")
}

async fn seal_read(session: SealSession) -> Result<String, cookie_seal::Error> {
    Ok(session.get::<String>("user")?.unwrap_or_default())
}

async fn seal_write(session: SealSession) -> Result<String, cookie_seal::Error> {
    let count = session.get::<u64>("count")?.unwrap_or(0) + 1;
    session.insert("count", &count)?;
    Ok(count.to_string())
}

fn seal_app(store: cookie_seal_sql::PostgresStore) -> Router {
    let keys = Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    let cookies = SessionCookie::new(
        Codec::sealed(keys),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    Router::new()
        .route("/login", get(seal_login))
        .route("/read", get(seal_read))
        .route("/write", get(seal_write))
        .layer(SessionLayer::new(cookies).store(store, Storage::Server))
}

// tower-sessions.

async fn tower_login(session: TowerSession) -> &'static str {
    session.insert("user", "alice.example").await.unwrap();
    session.insert("count", 41u64).await.unwrap();
    session.insert("roles", ROLES).await.unwrap();
    session.insert("theme", "dark").await.unwrap();
    session.insert("csrf", [0x5au8; 32]).await.unwrap();
    "in"
}

async fn tower_read(session: TowerSession) -> String {
    session
        .get::<String>("user")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn tower_write(session: TowerSession) -> String {
    let count = session.get::<u64>("count").await.unwrap().unwrap_or(0) + 1;
    session.insert("count", count).await.unwrap();
    count.to_string()
}

fn tower_app(store: tower_sessions_sqlx_store::PostgresStore) -> Router {
    Router::new()
        .route("/login", get(tower_login))
        .route("/read", get(tower_read))
        .route("/write", get(tower_write))
        .layer(SessionManagerLayer::new(store).with_secure(true))
}

/// The same pool limits for both: `cookie_seal_sql::PostgresStore::connect`'s.
fn pool_options() -> PgPoolOptions {
    cookie_seal_sql::PostgresStore::pool_options()
}

struct Stores {
    seal: cookie_seal_sql::PostgresStore,
    tower: tower_sessions_sqlx_store::PostgresStore,
}

async fn apps(url: &str) -> ([(&'static str, Router); 2], Stores) {
    let options = PgConnectOptions::from_str(url).unwrap();
    let mut admin = sqlx::PgConnection::connect_with(&options).await.unwrap();
    sqlx::raw_sql(
        "DROP SCHEMA IF EXISTS bench_cookie_seal CASCADE; CREATE SCHEMA bench_cookie_seal; \
         DROP SCHEMA IF EXISTS tower_sessions CASCADE;",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();

    let seal_pool = pool_options()
        .connect_with(
            options
                .clone()
                .options([("search_path", "bench_cookie_seal")]),
        )
        .await
        .unwrap();
    let seal = cookie_seal_sql::PostgresStore::from_pool(seal_pool);
    seal.migrate().await.unwrap();

    let tower_pool: PgPool = pool_options().connect_with(options).await.unwrap();
    let tower = tower_sessions_sqlx_store::PostgresStore::new(tower_pool);
    tower.migrate().await.unwrap();
    let stores = Stores {
        seal: seal.clone(),
        tower: tower.clone(),
    };
    (
        [
            ("cookie_seal", seal_app(seal)),
            ("tower_sessions", tower_app(tower)),
        ],
        stores,
    )
}

/// The stores alone: a load, and a change of one key (cookie-seal's `Write`)
/// or a save of the whole record (tower-sessions).
fn bench_stores(c: &mut Criterion, runtime: &tokio::runtime::Runtime, stores: &Stores) {
    use cookie_seal::store::{SessionStore as _, Write};
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore as _;

    let ttl = Duration::from_secs(3600);
    let id = cookie_seal::SessionId::generate().unwrap();
    let mut create = Write::create(vec![0; 40], ttl);
    let values: [(&str, &[u8]); 5] = [
        ("user", b"alice.example"),
        ("count", b"41"),
        ("roles", b"reader writer admin"),
        ("theme", b"dark"),
        ("csrf", &[0x5a; 32]),
    ];
    for (key, value) in values {
        create = create.set(key, value);
    }
    runtime.block_on(stores.seal.write(&id, &create)).unwrap();
    let update = Write::update(vec![0; 40], ttl).set("count", *b"42");

    let mut record = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
            + tower_sessions::cookie::time::Duration::hours(1),
    };
    record.data.insert("user".into(), "alice.example".into());
    record.data.insert("count".into(), 41.into());
    record.data.insert("roles".into(), serde_json::json!(ROLES));
    record.data.insert("theme".into(), "dark".into());
    record
        .data
        .insert("csrf".into(), serde_json::json!([0x5au8; 32].to_vec()));
    runtime.block_on(stores.tower.create(&mut record)).unwrap();

    let mut group = c.benchmark_group("sql/postgres/store");
    group.bench_function("read/cookie_seal", |b| {
        b.iter(|| runtime.block_on(stores.seal.load(&id)).unwrap().unwrap());
    });
    group.bench_function("read/tower_sessions", |b| {
        b.iter(|| {
            runtime
                .block_on(stores.tower.load(&record.id))
                .unwrap()
                .unwrap()
        });
    });
    group.bench_function("write/cookie_seal", |b| {
        b.iter(|| runtime.block_on(stores.seal.write(&id, &update)).unwrap());
    });
    group.bench_function("write/tower_sessions", |b| {
        b.iter(|| runtime.block_on(stores.tower.save(&record)).unwrap());
    });
    group.finish();
}

fn session_cookie(response: &axum::response::Response) -> HeaderValue {
    let set = response
        .headers()
        .get(header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .unwrap();
    HeaderValue::try_from(set.split(';').next().unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let Ok(url) = std::env::var("COOKIE_SEAL_POSTGRES_URL") else {
        eprintln!("set COOKIE_SEAL_POSTGRES_URL to a PostgreSQL URL (see the file's docs)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (apps, stores) = runtime.block_on(apps(&url));
    let mut group = c.benchmark_group("sql/postgres");
    for path in ["/read", "/write"] {
        for (name, app) in &apps {
            let login = Request::builder()
                .uri("/login")
                .body(Body::empty())
                .unwrap();
            let response = runtime.block_on(app.clone().oneshot(login)).unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{name} login");
            let cookie = session_cookie(&response);
            let call = || {
                let request = Request::builder()
                    .uri(path)
                    .header(header::COOKIE, cookie.clone())
                    .body(Body::empty())
                    .unwrap();
                runtime.block_on(app.clone().oneshot(request)).unwrap()
            };
            // Both answer alike: the session is there, the counter counts.
            let response = call();
            assert_eq!(response.status(), StatusCode::OK, "{name} {path}");
            let body = runtime
                .block_on(axum::body::to_bytes(response.into_body(), 1024))
                .unwrap();
            let expected: &[u8] = if path == "/read" {
                b"alice.example"
            } else {
                b"42"
            };
            assert_eq!(&body[..], expected, "{name} {path}");
            group.bench_function(format!("{}/{name}", &path[1..]), |b| b.iter(call));
        }
    }
    group.finish();
    bench_stores(c, &runtime, &stores);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
