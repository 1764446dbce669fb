//! The per-request cost of the session layer next to calling `SessionCookie`
//! by hand, in the same axum app, through `tower::ServiceExt::oneshot` with
//! in-memory requests (no network). Small session (a user name, a counter
//! and a few flags), sealed codec, with a valid cookie on every request.
//!
//! - `read`: the handler reads one value; no `Set-Cookie`.
//! - `write`: the handler increments a counter; one `Set-Cookie`.
//!
//! ```sh
//! cargo bench -p cookie-seal-web --bench layer
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failure report

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cookie_seal::axum::Session as SessionHandle;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::tower::SessionLayer;
use cookie_seal::{Codec, Key, Keyring, SessionMap};
use criterion::{criterion_group, criterion_main, Criterion};
use tower::ServiceExt;

/// `mint`, shared with the tests.
#[path = "../tests/support/mod.rs"]
mod support;

fn cookies() -> SessionCookie {
    let keys = Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    SessionCookie::new(
        Codec::sealed(keys),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap()
}

/// The request's `Cookie` header: a small session (about 150 bytes of values).
fn request_cookie(cookies: &SessionCookie) -> String {
    let mut session = SessionMap::new();
    session.regenerate().unwrap();
    session.insert("user", "alice.example").unwrap();
    session.insert("count", &41u64).unwrap();
    session
        .insert("roles", &["reader", "writer", "admin"])
        .unwrap();
    session.insert("theme", "dark").unwrap();
    session.insert("csrf", &[0x5au8; 32]).unwrap();
    support::mint(cookies, &session, SystemTime::now())
}

// The by-hand path: what the examples did before the layer.

fn by_hand_load(
    cookies: &SessionCookie,
    headers: &HeaderMap,
) -> cookie_seal::cookie::Loaded<SessionMap> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .map(HeaderValue::as_bytes);
    cookies.load_bytes(values, SystemTime::now())
}

fn by_hand_save(
    cookies: &SessionCookie,
    loaded: &cookie_seal::cookie::Loaded<SessionMap>,
    session: &SessionMap,
    body: String,
) -> Response {
    let Ok(set) = cookies.save(loaded, session, SystemTime::now()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = body.into_response();
    for value in set {
        match HeaderValue::try_from(value) {
            Ok(value) => response.headers_mut().append(header::SET_COOKIE, value),
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
    }
    response
}

async fn by_hand_read(State(cookies): State<Arc<SessionCookie>>, headers: HeaderMap) -> Response {
    let loaded = by_hand_load(&cookies, &headers);
    let session = loaded.session();
    let user = session
        .get::<String>("user")
        .ok()
        .flatten()
        .unwrap_or_default();
    by_hand_save(&cookies, &loaded, &session, user)
}

async fn by_hand_write(State(cookies): State<Arc<SessionCookie>>, headers: HeaderMap) -> Response {
    let loaded = by_hand_load(&cookies, &headers);
    let mut session = loaded.session();
    let count = session.get::<u64>("count").ok().flatten().unwrap_or(0) + 1;
    if session.insert("count", &count).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    by_hand_save(&cookies, &loaded, &session, count.to_string())
}

fn by_hand_app(cookies: SessionCookie) -> Router {
    Router::new()
        .route("/read", get(by_hand_read))
        .route("/write", get(by_hand_write))
        .with_state(Arc::new(cookies))
}

// The layer path.

async fn layer_read(session: SessionHandle) -> Result<String, cookie_seal::Error> {
    Ok(session.get::<String>("user")?.unwrap_or_default())
}

async fn layer_write(session: SessionHandle) -> Result<String, cookie_seal::Error> {
    let count = session.get::<u64>("count")?.unwrap_or(0) + 1;
    session.insert("count", &count)?;
    Ok(count.to_string())
}

fn layer_app(cookies: SessionCookie) -> Router {
    Router::new()
        .route("/read", get(layer_read))
        .route("/write", get(layer_write))
        .layer(SessionLayer::new(cookies))
        // As `axum::serve` does (and as `by_hand_app` does with its state):
        // the routes become services once, not on every request.
        .with_state(())
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let cookies = cookies();
    let cookie = HeaderValue::try_from(request_cookie(&cookies)).unwrap();
    let apps = [
        ("by_hand", by_hand_app(cookies.clone())),
        ("layer", layer_app(cookies)),
    ];
    let mut group = c.benchmark_group("layer/small");
    for path in ["/read", "/write"] {
        for (name, app) in &apps {
            let call = || {
                let request = Request::builder()
                    .uri(path)
                    .header(header::COOKIE, cookie.clone())
                    .body(Body::empty())
                    .unwrap();
                runtime.block_on(app.clone().oneshot(request)).unwrap()
            };
            // Both paths answer alike: same status, same number of cookies.
            let response = call();
            assert_eq!(response.status(), StatusCode::OK, "{name} {path}");
            let set_cookies = response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .count();
            assert_eq!(set_cookies, usize::from(path == "/write"), "{name} {path}");
            group.bench_function(format!("{}/{name}", &path[1..]), |b| b.iter(call));
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
