//! The framework integration, in memory: the same scenarios against an axum
//! `Router` behind `cookie_seal::tower::SessionLayer` (driven with
//! `tower::ServiceExt::oneshot`) and an actix-web `App` wrapped in
//! `cookie_seal::actix::SessionMiddleware` (driven with `actix_web::test`).
//! The handlers are the same functions in both apps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cookie_seal::axum::{Session, Typed};
use cookie_seal::consts::MAX_COOKIE_LEN;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{inspect, Codec, Key, Keyring};
use serde::{Deserialize, Serialize};
use support::mint;

mod support;

const NAME: &str = "__Host-session";

fn key(byte: u8) -> Key {
    Key::from_bytes(&[byte; 32]).unwrap()
}

fn keys_1() -> Keyring {
    Keyring::new(1, key(1))
}

/// Key 2 primary, key 1 still accepted: the middle of a rotation.
fn keys_2_then_1() -> Keyring {
    let mut keys = Keyring::new(2, key(2));
    keys.add(1, key(1)).unwrap();
    keys
}

fn session_cookie(keys: Keyring, config: CookieConfig) -> SessionCookie {
    SessionCookie::new(Codec::sealed(keys), config).unwrap()
}

fn cookies() -> SessionCookie {
    session_cookie(keys_1(), CookieConfig::new(NAME).unwrap())
}

/// What a test app is built from.
#[derive(Clone)]
struct Setup {
    cookies: SessionCookie,
    layer: bool,
    /// What the `on_rejected` hook received.
    rejected: Arc<Mutex<Vec<String>>>,
    /// Whether an `on_save_error` hook answers 507 "session too large: <error>".
    save_error_hook: bool,
}

impl Setup {
    fn new(cookies: SessionCookie) -> Setup {
        Setup {
            cookies,
            layer: true,
            rejected: Arc::default(),
            save_error_hook: false,
        }
    }

    fn with_save_error_hook(mut self) -> Setup {
        self.save_error_hook = true;
        self
    }

    fn without_layer(mut self) -> Setup {
        self.layer = false;
        self
    }

    fn rejected(&self) -> Vec<String> {
        self.rejected.lock().unwrap().clone()
    }
}

/// A request: a GET of `path` with these `Cookie` header lines.
#[derive(Clone)]
struct Req {
    path: &'static str,
    cookie_lines: Vec<String>,
}

fn get(path: &'static str) -> Req {
    Req {
        path,
        cookie_lines: Vec::new(),
    }
}

impl Req {
    fn cookie(mut self, line: &str) -> Req {
        self.cookie_lines.push(line.to_owned());
        self
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Reply {
    /// The `name=value` pairs of the cookies set (not removed), as a
    /// browser would send them back on one `Cookie` line.
    fn cookie_line(&self) -> String {
        self.set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=; ")) && c.contains("Max-Age=0"))
    }
}

/// Whether every cookie set fits the browser limit: name + value at most
/// 4096 bytes (the `=` and the attributes do not count).
fn all_fit(set_cookies: &[String]) -> bool {
    set_cookies.iter().all(|c| {
        let (name, value) = c.split(';').next().unwrap().split_once('=').unwrap();
        name.len() + value.len() <= MAX_COOKIE_LEN
    })
}

/// The token in a `Set-Cookie` value.
fn token(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .unwrap()
        .1
}

fn alice(n: u64) -> cookie_seal::Session {
    let mut session = cookie_seal::Session::new();
    session.insert("user", "alice").unwrap();
    session.insert("n", &n).unwrap();
    session
}

// The handlers: the same functions for axum and actix-web.

async fn read(session: Session) -> Result<String, cookie_seal::Error> {
    let user = session.get::<String>("user")?.unwrap_or_else(|| "-".into());
    let n = session.get::<u64>("n")?.unwrap_or(0);
    let blob = session.get::<Vec<u8>>("blob")?.map_or(0, |b| b.len());
    Ok(format!("{user}:{n}:{blob}"))
}

async fn inc(session: Session) -> Result<String, cookie_seal::Error> {
    let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
    session.insert("n", &n)?;
    Ok(n.to_string())
}

/// Reads, lets the other requests run, then writes: concurrent requests
/// interleave inside the handler.
async fn slow(session: Session) -> Result<String, cookie_seal::Error> {
    let user = session.get::<String>("user")?.unwrap_or_default();
    tokio::task::yield_now().await;
    let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
    let clone = session.clone();
    tokio::task::yield_now().await;
    clone.insert("n", &n)?;
    Ok(format!("{user}:{}", session.get::<u64>("n")?.unwrap_or(0)))
}

async fn login(session: Session) -> Result<String, cookie_seal::Error> {
    session.renew()?;
    session.insert("user", "alice")?;
    Ok("in".into())
}

async fn logout(session: Session) -> &'static str {
    session.clear();
    "out"
}

/// Stores 6000 incompressible bytes: more than one cookie holds.
async fn big(session: Session) -> Result<&'static str, cookie_seal::Error> {
    let mut x = 0x9e37_79b9_u32;
    let blob: Vec<u8> = (0..6000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    session.insert("blob", &blob)?;
    Ok("big")
}

async fn untouched() -> &'static str {
    "no session here"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
    visits: u32,
}

async fn typed_read(profile: Typed<Profile>) -> String {
    profile.get().map_or_else(|| "-".into(), |p| p.name)
}

async fn typed_same(profile: Typed<Profile>) -> &'static str {
    if let Some(p) = profile.get() {
        profile.set(p.clone());
    }
    "same"
}

async fn typed_rename(profile: Typed<Profile>) -> &'static str {
    let mut p = profile.get().unwrap_or(Profile {
        name: String::new(),
        visits: 0,
    });
    p.name = "bob".into();
    profile.set(p);
    "renamed"
}

/// A framework under test.
trait Framework {
    /// The type the missing-layer message names.
    const LAYER: &'static str;
    /// Sends `requests` concurrently to one app built from `setup`.
    fn send_all(setup: &Setup, requests: Vec<Req>) -> impl Future<Output = Vec<Reply>>;
}

fn run<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

fn send<F: Framework>(setup: &Setup, request: Req) -> Reply {
    run(F::send_all(setup, vec![request])).pop().unwrap()
}

struct Axum;

impl Framework for Axum {
    const LAYER: &'static str = "cookie_seal::tower::SessionLayer";

    async fn send_all(setup: &Setup, requests: Vec<Req>) -> Vec<Reply> {
        use ::axum::routing::get;
        use tower::ServiceExt;
        let mut app = ::axum::Router::new()
            .route("/read", get(read))
            .route("/inc", get(inc))
            .route("/slow", get(slow))
            .route("/login", get(login))
            .route("/logout", get(logout))
            .route("/big", get(big))
            .route("/untouched", get(untouched))
            .route("/typed/read", get(typed_read))
            .route("/typed/same", get(typed_same))
            .route("/typed/rename", get(typed_rename));
        if setup.layer {
            let sink = Arc::clone(&setup.rejected);
            let mut layer = cookie_seal::tower::SessionLayer::new(setup.cookies.clone())
                .on_rejected(move |error| sink.lock().unwrap().push(error.to_string()));
            if setup.save_error_hook {
                layer = layer.on_save_error(|error| {
                    let mut response =
                        ::axum::http::Response::new(format!("session too large: {error}"));
                    *response.status_mut() = ::axum::http::StatusCode::INSUFFICIENT_STORAGE;
                    response
                });
            }
            app = app.layer(layer);
        }
        let calls = requests.into_iter().map(|req| {
            let mut request = ::axum::http::Request::builder().uri(req.path);
            for line in &req.cookie_lines {
                request = request.header("cookie", line);
            }
            let request = request.body(::axum::body::Body::empty()).unwrap();
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let set_cookies = response
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect();
                let body = ::axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                Reply {
                    status,
                    set_cookies,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                }
            }
        });
        futures_util::future::join_all(calls).await
    }
}

struct Actix;

impl Framework for Actix {
    const LAYER: &'static str = "cookie_seal::actix::SessionMiddleware";

    async fn send_all(setup: &Setup, requests: Vec<Req>) -> Vec<Reply> {
        use actix_web::{test, web, App};
        let sink = Arc::clone(&setup.rejected);
        let middleware = cookie_seal::actix::SessionMiddleware::new(setup.cookies.clone())
            .on_rejected(move |error| sink.lock().unwrap().push(error.to_string()));
        let middleware = if setup.save_error_hook {
            middleware.on_save_error(|error| {
                actix_web::HttpResponse::InsufficientStorage()
                    .body(format!("session too large: {error}"))
            })
        } else {
            middleware
        };
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::Condition::new(
                    setup.layer,
                    middleware,
                ))
                .route("/read", web::get().to(read))
                .route("/inc", web::get().to(inc))
                .route("/slow", web::get().to(slow))
                .route("/login", web::get().to(login))
                .route("/logout", web::get().to(logout))
                .route("/big", web::get().to(big))
                .route("/untouched", web::get().to(untouched))
                .route("/typed/read", web::get().to(typed_read))
                .route("/typed/same", web::get().to(typed_same))
                .route("/typed/rename", web::get().to(typed_rename)),
        )
        .await;
        let calls = requests.into_iter().map(|req| {
            let mut request = test::TestRequest::get().uri(req.path);
            for line in &req.cookie_lines {
                request = request.append_header(("cookie", line.as_str()));
            }
            let app = &app;
            async move {
                let response = test::call_service(app, request.to_request()).await;
                let status = response.status().as_u16();
                let set_cookies = response
                    .headers()
                    .get_all("set-cookie")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect();
                let body = test::read_body(response).await;
                Reply {
                    status,
                    set_cookies,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                }
            }
        });
        futures_util::future::join_all(calls).await
    }
}

// The scenarios.

fn no_cookie_gets_a_new_cookie_with_secure_attributes<F: Framework>() {
    let reply = send::<F>(&Setup::new(cookies()), get("/inc"));
    assert_eq!((reply.status, reply.body.as_str()), (200, "1"));
    assert_eq!(reply.set_cookies.len(), 1, "{:?}", reply.set_cookies);
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with("__Host-session="), "{set_cookie}");
    assert!(
        set_cookie.ends_with("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"),
        "{set_cookie}"
    );
}

fn a_session_round_trips<F: Framework>() {
    let setup = Setup::new(cookies());
    let first = send::<F>(&setup, get("/inc"));
    let second = send::<F>(&setup, get("/inc").cookie(&first.cookie_line()));
    assert_eq!(second.body, "2");
    let read = send::<F>(&setup, get("/read").cookie(&second.cookie_line()));
    assert_eq!(read.body, "-:2:0");
    // Decoded with the app's keys, the cookie holds what the handler wrote.
    let loaded = setup
        .cookies
        .load::<cookie_seal::Session>([second.cookie_line().as_str()], SystemTime::now());
    assert_eq!(loaded.session().get::<u64>("n").unwrap(), Some(2));
}

fn a_read_only_request_sends_no_set_cookie<F: Framework>() {
    let setup = Setup::new(cookies());
    let cookie = mint(&setup.cookies, &alice(5), SystemTime::now());
    let read = send::<F>(&setup, get("/read").cookie(&cookie));
    assert_eq!((read.status, read.body.as_str()), (200, "alice:5:0"));
    assert!(read.set_cookies.is_empty(), "{:?}", read.set_cookies);
    let untouched = send::<F>(&setup, get("/untouched").cookie(&cookie));
    assert!(untouched.set_cookies.is_empty());
    let anonymous = send::<F>(&setup, get("/read"));
    assert!(
        anonymous.set_cookies.is_empty(),
        "an empty session sets nothing"
    );
}

fn after_rotation_a_read_only_request_reissues_under_the_new_key<F: Framework>() {
    let old = mint(&cookies(), &alice(7), SystemTime::now());
    assert_eq!(inspect(token(&old)).unwrap().key_id(), 1);
    let rotated = Setup::new(session_cookie(
        keys_2_then_1(),
        CookieConfig::new(NAME).unwrap(),
    ));
    let reply = send::<F>(&rotated, get("/read").cookie(&old));
    assert_eq!(reply.body, "alice:7:0", "the old-key cookie still verifies");
    assert_eq!(reply.set_cookies.len(), 1, "{:?}", reply.set_cookies);
    let header = inspect(token(&reply.set_cookies[0])).unwrap();
    assert_eq!(header.key_id(), 2);
    assert_eq!(
        header.created_at(),
        inspect(token(&old)).unwrap().created_at(),
        "the creation time carries over"
    );
    let again = send::<F>(&rotated, get("/read").cookie(&reply.cookie_line()));
    assert_eq!(again.body, "alice:7:0");
    assert!(
        again.set_cookies.is_empty(),
        "a primary-key cookie is not re-issued"
    );
}

fn a_forged_or_expired_cookie_gives_an_empty_session_and_is_deleted<F: Framework>() {
    let setup = Setup::new(cookies());
    let good = mint(&setup.cookies, &alice(1), SystemTime::now());
    let (name, value) = good.split_once('=').unwrap();
    let middle = value.len() / 2;
    let flipped = if &value[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let forged = format!(
        "{name}={}{flipped}{}",
        &value[..middle],
        &value[middle + 1..]
    );
    let expired = mint(
        &setup.cookies,
        &alice(1),
        SystemTime::now() - Duration::from_secs(2 * 86_400),
    );
    let foreign = mint(
        &session_cookie(Keyring::new(9, key(9)), CookieConfig::new(NAME).unwrap()),
        &alice(1),
        SystemTime::now(),
    );
    for cookie in [&forged, &expired, &foreign, &format!("{NAME}=garbage")] {
        let reply = send::<F>(&setup, get("/read").cookie(cookie));
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, "-:0:0"),
            "{cookie:.30}"
        );
        assert!(reply.removes(NAME), "{:?}", reply.set_cookies);
        assert_eq!(reply.set_cookies.len(), 1);
    }
    let rejected = setup.rejected();
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert!(rejected[0].contains("invalid token"), "{rejected:?}");
    assert!(rejected[1].contains("expired"), "{rejected:?}");
    assert!(rejected[2].contains("unknown key id 9"), "{rejected:?}");
    // The hook runs only when a handler loads the session.
    send::<F>(&setup, get("/untouched").cookie(&forged));
    assert_eq!(setup.rejected().len(), 4);
}

fn logout_deletes_the_cookie<F: Framework>() {
    let setup = Setup::new(cookies());
    let login = send::<F>(&setup, get("/login"));
    let logout = send::<F>(&setup, get("/logout").cookie(&login.cookie_line()));
    assert_eq!(logout.set_cookies.len(), 1, "{:?}", logout.set_cookies);
    assert!(logout.removes(NAME));
    let after = send::<F>(&setup, get("/read"));
    assert_eq!(after.body, "-:0:0");
}

fn login_renews_the_session<F: Framework>() {
    let setup = Setup::new(cookies());
    let created = SystemTime::now() - Duration::from_secs(3600);
    let anonymous = mint(&setup.cookies, &alice(3), created);
    let reply = send::<F>(&setup, get("/login").cookie(&anonymous));
    let loaded = setup
        .cookies
        .load::<cookie_seal::Session>([reply.cookie_line().as_str()], SystemTime::now())
        .into_decoded()
        .unwrap();
    assert_eq!(
        loaded.value.get::<u64>("n").unwrap(),
        None,
        "pre-login values dropped"
    );
    assert!(loaded.value.id().is_some(), "a new session ID");
    assert!(loaded.created_at > created, "a fresh creation time");
}

fn a_session_too_large_gives_a_500_and_no_oversized_cookie<F: Framework>() {
    let setup: Setup = Setup::new(cookies());
    let reply = send::<F>(&setup, get("/big"));
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
    assert!(all_fit(&reply.set_cookies));
    // An existing session is left as it was.
    let cookie = mint(&setup.cookies, &alice(2), SystemTime::now());
    let reply = send::<F>(&setup, get("/big").cookie(&cookie));
    assert_eq!((reply.status, reply.set_cookies.len()), (500, 0));
    // A hook chooses the response instead.
    let hooked = send::<F>(&setup.with_save_error_hook(), get("/big"));
    assert_eq!(hooked.status, 507);
    assert!(
        hooked.body.starts_with("session too large: too large: "),
        "{}",
        hooked.body
    );
    assert!(hooked.set_cookies.is_empty());
}

fn the_cookie_is_found_across_two_cookie_header_lines<F: Framework>() {
    let setup = Setup::new(cookies());
    let cookie = mint(&setup.cookies, &alice(4), SystemTime::now());
    let reply = send::<F>(
        &setup,
        get("/read")
            .cookie("theme=dark; lang=en")
            .cookie(&format!("a=1; {cookie}; b=2")),
    );
    assert_eq!(reply.body, "alice:4:0");
    assert!(reply.set_cookies.is_empty());
}

fn a_chunked_session_works<F: Framework>() {
    let setup = Setup::new(session_cookie(
        keys_1(),
        CookieConfig::new(NAME).unwrap().chunking(3),
    ));
    let reply = send::<F>(&setup, get("/big"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let names: Vec<&str> = reply
        .set_cookies
        .iter()
        .map(|c| c.split('=').next().unwrap())
        .collect();
    assert_eq!(names, ["__Host-session.0", "__Host-session.1"]);
    assert!(all_fit(&reply.set_cookies));
    // Sent back on two header lines, in reverse order.
    let mut pairs = reply.cookie_line();
    let (first, second) = pairs.split_once("; ").unwrap();
    let read = send::<F>(&setup, get("/read").cookie(second).cookie(first));
    assert_eq!(read.body, "-:0:6000");
    assert!(read.set_cookies.is_empty());
    // Logout deletes both chunks.
    pairs = reply.cookie_line();
    let logout = send::<F>(&setup, get("/logout").cookie(&pairs));
    assert!(logout.removes("__Host-session.0") && logout.removes("__Host-session.1"));
}

fn sixteen_concurrent_requests_share_no_state<F: Framework>() {
    let setup = Setup::new(cookies());
    let requests: Vec<Req> = (0..16u64)
        .map(|i| {
            let mut session = cookie_seal::Session::new();
            session.insert("user", &format!("user{i}")).unwrap();
            session.insert("n", &(i * 100)).unwrap();
            get("/slow").cookie(&mint(&setup.cookies, &session, SystemTime::now()))
        })
        .collect();
    let replies = run(F::send_all(&setup, requests));
    for (i, reply) in (0u64..).zip(&replies) {
        assert_eq!(reply.body, format!("user{i}:{}", i * 100 + 1));
        let loaded = setup
            .cookies
            .load::<cookie_seal::Session>([reply.cookie_line().as_str()], SystemTime::now());
        let session = loaded.session();
        assert_eq!(
            session.get::<String>("user").unwrap(),
            Some(format!("user{i}"))
        );
        assert_eq!(session.get::<u64>("n").unwrap(), Some(i * 100 + 1));
    }
}

fn a_missing_layer_gives_a_500_naming_it<F: Framework>() {
    let setup = Setup::new(cookies()).without_layer();
    for path in ["/read", "/typed/read"] {
        let reply = send::<F>(&setup, get(path));
        assert_eq!(reply.status, 500, "{path}");
        assert!(reply.body.contains(F::LAYER), "{}", reply.body);
        assert!(reply.set_cookies.is_empty());
    }
}

fn a_typed_session_read_but_unchanged_writes_nothing<F: Framework>() {
    let setup = Setup::new(cookies());
    let alice = Profile {
        name: "alice".into(),
        visits: 3,
    };
    let cookie = mint(&setup.cookies, &alice, SystemTime::now());
    let read = send::<F>(&setup, get("/typed/read").cookie(&cookie));
    assert_eq!(read.body, "alice");
    assert!(read.set_cookies.is_empty(), "{:?}", read.set_cookies);
    let same = send::<F>(&setup, get("/typed/same").cookie(&cookie));
    assert!(
        same.set_cookies.is_empty(),
        "setting an equal value writes nothing"
    );
    let renamed = send::<F>(&setup, get("/typed/rename").cookie(&cookie));
    assert_eq!(renamed.set_cookies.len(), 1);
    let back = send::<F>(&setup, get("/typed/read").cookie(&renamed.cookie_line()));
    assert_eq!(back.body, "bob");
    // After rotation, a typed read re-issues too.
    let rotated = Setup::new(session_cookie(
        keys_2_then_1(),
        CookieConfig::new(NAME).unwrap(),
    ));
    let reissued = send::<F>(&rotated, get("/typed/read").cookie(&cookie));
    assert_eq!(reissued.set_cookies.len(), 1);
    assert_eq!(
        inspect(token(&reissued.set_cookies[0])).unwrap().key_id(),
        2
    );
}

macro_rules! suite {
    ($module:ident, $framework:ty) => {
        mod $module {
            #[test]
            fn no_cookie_gets_a_new_cookie_with_secure_attributes() {
                super::no_cookie_gets_a_new_cookie_with_secure_attributes::<$framework>();
            }
            #[test]
            fn a_session_round_trips() {
                super::a_session_round_trips::<$framework>();
            }
            #[test]
            fn a_read_only_request_sends_no_set_cookie() {
                super::a_read_only_request_sends_no_set_cookie::<$framework>();
            }
            #[test]
            fn after_rotation_a_read_only_request_reissues_under_the_new_key() {
                super::after_rotation_a_read_only_request_reissues_under_the_new_key::<$framework>(
                );
            }
            #[test]
            fn a_forged_or_expired_cookie_gives_an_empty_session_and_is_deleted() {
                super::a_forged_or_expired_cookie_gives_an_empty_session_and_is_deleted::<
                    $framework,
                >();
            }
            #[test]
            fn logout_deletes_the_cookie() {
                super::logout_deletes_the_cookie::<$framework>();
            }
            #[test]
            fn login_renews_the_session() {
                super::login_renews_the_session::<$framework>();
            }
            #[test]
            fn a_session_too_large_gives_a_500_and_no_oversized_cookie() {
                super::a_session_too_large_gives_a_500_and_no_oversized_cookie::<$framework>();
            }
            #[test]
            fn the_cookie_is_found_across_two_cookie_header_lines() {
                super::the_cookie_is_found_across_two_cookie_header_lines::<$framework>();
            }
            #[test]
            fn a_chunked_session_works() {
                super::a_chunked_session_works::<$framework>();
            }
            #[test]
            fn sixteen_concurrent_requests_share_no_state() {
                super::sixteen_concurrent_requests_share_no_state::<$framework>();
            }
            #[test]
            fn a_missing_layer_gives_a_500_naming_it() {
                super::a_missing_layer_gives_a_500_naming_it::<$framework>();
            }
            #[test]
            fn a_typed_session_read_but_unchanged_writes_nothing() {
                super::a_typed_session_read_but_unchanged_writes_nothing::<$framework>();
            }
        }
    };
}

suite!(with_axum, super::Axum);
suite!(with_actix, super::Actix);
