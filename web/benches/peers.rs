//! One request through the session layer next to the peers apps use in the
//! same framework, on the same five-key session (a user name, a counter,
//! three roles, a theme, a 32-byte CSRF token):
//!
//! - axum: `cookie_seal::tower::SessionLayer` with the `Session` extractor,
//!   sealed and signed, against axum-extra's `PrivateCookieJar` (AES-256-GCM)
//!   and `SignedCookieJar` (HMAC-SHA256) holding the session as JSON in one
//!   cookie;
//! - actix-web: `cookie_seal::actix::SessionMiddleware`, sealed and signed,
//!   against actix-session's `CookieSessionStore`, private and signed.
//!
//! Every app is driven in memory (axum: `oneshot` on a current-thread tokio
//! runtime; actix-web: `test::call_service` on one actix system), with the
//! cookie the app itself set on a first request. `read` reads the user
//! name (no `Set-Cookie`); `write` increments the counter (one `Set-Cookie`).
//! The bench first checks that every app answers alike.
//!
//! ```sh
//! cargo bench -p cookie-seal-web --bench peers
//! ```
//!
//! Criterion ids: `through_layer/<framework>_<mode>_<request>/<implementation>`,
//! which benches/report.py turns into the "Through the layer" table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failure report

use std::time::Duration;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::rt::SystemRunner;
use actix_web::test::{call_service, init_service, TestRequest};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite, SignedCookieJar};
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Keyring};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

/// Random bytes, as a real CSRF token is: a constant such as `[0x5a; 32]`
/// would deflate to a few bytes and send the signed codec down its
/// compression path, which no real session takes for this token.
const CSRF: [u8; 32] = [
    0x9c, 0x1f, 0x4e, 0xb2, 0x07, 0xd3, 0x68, 0xa5, 0x3b, 0xe1, 0x52, 0x8f, 0x26, 0xc9, 0x74, 0x0d,
    0xf8, 0x41, 0xbe, 0x93, 0x15, 0x6a, 0xd7, 0x2c, 0x80, 0x5f, 0xe4, 0x39, 0xab, 0x06, 0x71, 0xcd,
];

/// The peers' session: the five keys, as JSON in one cookie (the CSRF
/// token as hex, as JSON apps keep it).
#[derive(Serialize, Deserialize)]
struct JsonSession {
    user: String,
    count: u64,
    roles: Vec<String>,
    theme: String,
    csrf: String,
}

fn json_session() -> JsonSession {
    JsonSession {
        user: "alice.example".to_owned(),
        count: 41,
        roles: ["reader", "writer", "admin"].map(str::to_owned).to_vec(),
        theme: "dark".to_owned(),
        csrf: CSRF.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn cookie_seal(mode: &str) -> SessionCookie {
    let keys = Keyring::new(1, cookie_seal::Key::from_bytes(&[7; 32]).unwrap());
    let codec = match mode {
        "sealed" => Codec::sealed(keys),
        _ => Codec::signed(keys),
    };
    SessionCookie::new(codec, CookieConfig::new("__Host-session").unwrap()).unwrap()
}

/// The jars' cookie, with the attributes cookie-seal's cookie has.
fn jar_cookie(session: &JsonSession) -> Cookie<'static> {
    Cookie::build(("__Host-session", serde_json::to_string(session).unwrap()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

fn peer_key() -> Key {
    Key::from(&[7; 64])
}

mod axum_apps {
    use super::*;
    use cookie_seal::axum::Session;

    async fn login(session: Session) -> &'static str {
        session.insert("user", "alice.example").unwrap();
        session.insert("count", &41u64).unwrap();
        session
            .insert("roles", &["reader", "writer", "admin"])
            .unwrap();
        session.insert("theme", "dark").unwrap();
        session.insert("csrf", &CSRF).unwrap();
        "in"
    }

    async fn read(session: Session) -> String {
        session.get::<String>("user").unwrap().unwrap_or_default()
    }

    async fn write(session: Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    }

    pub(super) fn cookie_seal(cookies: SessionCookie) -> Router {
        Router::new()
            .route("/login", get(login))
            .route("/read", get(read))
            .route("/write", get(write))
            .layer(cookie_seal::tower::SessionLayer::new(cookies))
            .with_state(())
    }

    /// The jar handlers, for either jar: both have `get` and `add`.
    macro_rules! jar_app {
        ($name:ident, $jar:ty) => {
            pub(super) fn $name() -> Router {
                async fn login(jar: $jar) -> ($jar, &'static str) {
                    (jar.add(jar_cookie(&json_session())), "in")
                }
                async fn read(jar: $jar) -> String {
                    let cookie = jar.get("__Host-session").unwrap();
                    let session: JsonSession = serde_json::from_str(cookie.value()).unwrap();
                    session.user
                }
                async fn write(jar: $jar) -> ($jar, String) {
                    let cookie = jar.get("__Host-session").unwrap();
                    let mut session: JsonSession = serde_json::from_str(cookie.value()).unwrap();
                    session.count += 1;
                    let body = session.count.to_string();
                    (jar.add(jar_cookie(&session)), body)
                }
                Router::new()
                    .route("/login", get(login))
                    .route("/read", get(read))
                    .route("/write", get(write))
                    .with_state(peer_key())
            }
        };
    }
    jar_app!(private_jar, PrivateCookieJar);
    jar_app!(signed_jar, SignedCookieJar);
}

mod actix_apps {
    use super::*;
    use actix_session::config::CookieContentSecurity;
    use actix_session::storage::CookieSessionStore;
    use actix_web::http::header;
    use actix_web::{web, App, HttpResponse};

    async fn seal_login(session: cookie_seal::actix::Session) -> HttpResponse {
        session.insert("user", "alice.example").unwrap();
        session.insert("count", &41u64).unwrap();
        session
            .insert("roles", &["reader", "writer", "admin"])
            .unwrap();
        session.insert("theme", "dark").unwrap();
        session.insert("csrf", &CSRF).unwrap();
        HttpResponse::Ok().body("in")
    }

    async fn seal_read(session: cookie_seal::actix::Session) -> String {
        session.get::<String>("user").unwrap().unwrap_or_default()
    }

    async fn seal_write(session: cookie_seal::actix::Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    }

    async fn peer_login(session: actix_session::Session) -> HttpResponse {
        let peer = json_session();
        session.insert("user", peer.user).unwrap();
        session.insert("count", peer.count).unwrap();
        session.insert("roles", peer.roles).unwrap();
        session.insert("theme", peer.theme).unwrap();
        session.insert("csrf", peer.csrf).unwrap();
        HttpResponse::Ok().body("in")
    }

    async fn peer_read(session: actix_session::Session) -> String {
        session.get::<String>("user").unwrap().unwrap_or_default()
    }

    async fn peer_write(session: actix_session::Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
        session.insert("count", count).unwrap();
        count.to_string()
    }

    macro_rules! routes {
        ($app:expr, $login:ident, $read:ident, $write:ident) => {
            $app.route("/login", web::get().to($login))
                .route("/read", web::get().to($read))
                .route("/write", web::get().to($write))
        };
    }

    /// Benches `cookie-seal` and `actix-session` in `mode` on one system.
    pub(super) fn bench(c: &mut Criterion, mode: &str) {
        let system = actix_web::rt::System::new();
        let seal = system.block_on(init_service(routes!(
            App::new().wrap(cookie_seal::actix::SessionMiddleware::new(cookie_seal(
                mode
            ))),
            seal_login,
            seal_read,
            seal_write
        )));
        let security = match mode {
            "sealed" => CookieContentSecurity::Private,
            _ => CookieContentSecurity::Signed,
        };
        let key = actix_web::cookie::Key::from(&[7; 64]);
        let peer = system.block_on(init_service(routes!(
            App::new().wrap(
                actix_session::SessionMiddleware::builder(CookieSessionStore::default(), key)
                    .cookie_name("__Host-session".to_owned())
                    .cookie_content_security(security)
                    .build()
            ),
            peer_login,
            peer_read,
            peer_write
        )));
        let request = |cookie: Option<&str>, path: &str| {
            let request = TestRequest::get().uri(&format!("/{path}"));
            match cookie {
                Some(cookie) => request.insert_header((header::COOKIE, cookie)),
                None => request,
            }
            .to_request()
        };
        let seal_cookie = name_value(&call(&system, &seal, request(None, "login")));
        let peer_cookie = name_value(&call(&system, &peer, request(None, "login")));
        let mut group = c.benchmark_group("through_layer");
        for path in ["read", "write"] {
            let function = format!("actix_{mode}_{path}");
            let seal_request = || request(Some(&seal_cookie), path);
            let peer_request = || request(Some(&peer_cookie), path);
            check(path, call(&system, &seal, seal_request()));
            check(path, call(&system, &peer, peer_request()));
            let seal_id = BenchmarkId::new(&function, "cookie-seal");
            group.bench_function(seal_id, |b| b.iter(|| call(&system, &seal, seal_request())));
            let peer_id = BenchmarkId::new(&function, "actix-session");
            group.bench_function(peer_id, |b| b.iter(|| call(&system, &peer, peer_request())));
        }
        group.finish();
    }

    /// The `Set-Cookie` values of one request.
    fn call<S, R, B>(system: &SystemRunner, app: &S, request: R) -> Vec<String>
    where
        S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    {
        let response = system.block_on(call_service(app, request));
        assert!(response.status().is_success());
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }
}

/// `name=value` of the first `Set-Cookie`.
fn name_value(set_cookies: &[String]) -> String {
    let first = set_cookies.first().expect("the login sets the cookie");
    first.split(';').next().unwrap_or_default().to_owned()
}

/// A `read` sets no cookie; a `write` sets one.
fn check(path: &str, set_cookies: Vec<String>) {
    assert_eq!(set_cookies.len(), usize::from(path == "write"), "{path}");
}

fn axum_call(
    runtime: &tokio::runtime::Runtime,
    app: &Router,
    request: Request<Body>,
) -> Vec<String> {
    let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

fn axum_request(cookie: Option<&str>, path: &str) -> Request<Body> {
    let mut request = Request::builder().uri(format!("/{path}"));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

fn bench_axum(c: &mut Criterion, mode: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (peer_name, peer) = match mode {
        "sealed" => ("PrivateCookieJar", axum_apps::private_jar()),
        _ => ("SignedCookieJar", axum_apps::signed_jar()),
    };
    let apps = [
        ("cookie-seal", axum_apps::cookie_seal(cookie_seal(mode))),
        (peer_name, peer),
    ];
    let mut group = c.benchmark_group("through_layer");
    for path in ["read", "write"] {
        for (name, app) in &apps {
            let cookie = name_value(&axum_call(&runtime, app, axum_request(None, "login")));
            check(
                path,
                axum_call(&runtime, app, axum_request(Some(&cookie), path)),
            );
            let id = BenchmarkId::new(format!("axum_{mode}_{path}"), name);
            group.bench_function(id, |b| {
                b.iter(|| axum_call(&runtime, app, axum_request(Some(&cookie), path)))
            });
        }
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    for mode in ["sealed", "signed"] {
        bench_axum(c, mode);
        actix_apps::bench(c, mode);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
