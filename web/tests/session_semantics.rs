//! Session semantics through both web integrations (issue 19): the
//! generation counter reachable from the request handle and checked by the
//! layer, expiry per session ("remember me"), and re-issue at the size limit.
//! The same handlers run behind `cookie_seal::tower::SessionLayer` in an
//! axum `Router` and `cookie_seal::actix::SessionMiddleware` in an actix-web
//! `App`, both in memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use cookie_seal::axum::Session;
use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{Codec, EncodeOptions, Error, Expiry, Keyring, Mode, SessionMap};

#[path = "support/mod.rs"]
mod support;
use support::fixtures::{noise, ring};

const NAME: &str = "__Host-session";
const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// The app's user table, as far as these tests need it: the current
/// generation of user "alice" ("log out everywhere" increments it).
static ALICE_GENERATION: AtomicU32 = AtomicU32::new(0);

async fn login(session: Session) -> Result<String, Error> {
    session.clear_and_regenerate()?;
    session.insert("user", "alice")?;
    session.set_generation(ALICE_GENERATION.load(Ordering::SeqCst));
    Ok("in".into())
}

async fn whoami(session: Session) -> Result<String, Error> {
    let user = session.get::<String>("user")?.unwrap_or_else(|| "-".into());
    Ok(format!("{user}:{}", session.generation()))
}

async fn remember(session: Session) -> Result<String, Error> {
    session.insert("user", "alice")?;
    session.set_expiry(Expiry::OnInactivity(WEEK));
    Ok("remembered".into())
}

async fn transient(session: Session) -> Result<String, Error> {
    session.insert("user", "alice")?;
    session.set_expiry(Expiry::OnSessionEnd);
    Ok("transient".into())
}

async fn expiry(session: Session) -> String {
    format!("{:?}", session.expiry())
}

#[derive(Clone, Copy, Debug)]
enum Framework {
    Axum,
    Actix,
}

const BOTH: [Framework; 2] = [Framework::Axum, Framework::Actix];

struct Reply {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Reply {
    /// The `name=value` of the one cookie set.
    fn cookie_line(&self) -> String {
        assert_eq!(self.set_cookies.len(), 1, "{:?}", self.set_cookies);
        self.set_cookies[0].split(';').next().unwrap().to_owned()
    }

    fn max_age(&self) -> Option<&str> {
        self.set_cookies[0]
            .split("; ")
            .find_map(|attribute| attribute.strip_prefix("Max-Age="))
    }
}

fn send(framework: Framework, cookies: &SessionCookie, path: &str, cookie: Option<&str>) -> Reply {
    actix_web::rt::System::new().block_on(async {
        match framework {
            Framework::Axum => {
                use axum::routing::get;
                use tower::ServiceExt;
                let app = axum::Router::new()
                    .route("/login", get(login))
                    .route("/whoami", get(whoami))
                    .route("/remember", get(remember))
                    .route("/transient", get(transient))
                    .route("/expiry", get(expiry))
                    .layer(cookie_seal::tower::SessionLayer::new(cookies.clone()));
                let mut request = axum::http::Request::builder().uri(path);
                if let Some(cookie) = cookie {
                    request = request.header("cookie", cookie);
                }
                let request = request.body(axum::body::Body::empty()).unwrap();
                let response = app.oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let set_cookies = response
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect();
                let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                Reply {
                    status,
                    set_cookies,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                }
            }
            Framework::Actix => {
                use actix_web::{test, web, App};
                let app = test::init_service(
                    App::new()
                        .wrap(cookie_seal::actix::SessionMiddleware::new(cookies.clone()))
                        .route("/login", web::get().to(login))
                        .route("/whoami", web::get().to(whoami))
                        .route("/remember", web::get().to(remember))
                        .route("/transient", web::get().to(transient))
                        .route("/expiry", web::get().to(expiry)),
                )
                .await;
                let mut request = test::TestRequest::get().uri(path);
                if let Some(cookie) = cookie {
                    request = request.append_header(("cookie", cookie));
                }
                let response = test::call_service(&app, request.to_request()).await;
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
        }
    })
}

fn cookies_with(codec: Codec) -> SessionCookie {
    SessionCookie::new(codec, CookieConfig::new(NAME).unwrap()).unwrap()
}

/// Alice's sessions are checked against her current generation.
fn checked_cookies() -> SessionCookie {
    cookies_with(Codec::sealed(ring(&[(1, 1)]))).generation_check(|session: &SessionMap| {
        match session.get::<String>("user") {
            Ok(Some(user)) if user == "alice" => ALICE_GENERATION.load(Ordering::SeqCst),
            _ => 0,
        }
    })
}

/// One test, so that the shared "user table" is changed by one thread only.
#[test]
fn a_login_writes_the_users_generation_and_a_stale_one_is_rejected_in_both_frameworks() {
    for framework in BOTH {
        ALICE_GENERATION.store(3, Ordering::SeqCst);
        let cookies = checked_cookies();
        let login = send(framework, &cookies, "/login", None);
        assert_eq!(login.status, 200, "{framework:?}");
        let cookie = login.cookie_line();
        // The handle reads the token's generation; the token carries it.
        let me = send(framework, &cookies, "/whoami", Some(&cookie));
        assert_eq!(me.body, "alice:3", "{framework:?}");
        assert!(
            me.set_cookies.is_empty(),
            "{framework:?}: a read writes nothing"
        );
        let token = cookie.split_once('=').unwrap().1;
        let decoded = cookies
            .codec()
            .decode_with::<SessionMap>(token, &cookies.decode_options(), SystemTime::now())
            .unwrap();
        assert_eq!(decoded.generation, 3);

        // "Log out everywhere": the user's generation goes up in the app's
        // table, and the old cookie is rejected and deleted by the layer.
        ALICE_GENERATION.store(4, Ordering::SeqCst);
        let stale = send(framework, &cookies, "/whoami", Some(&cookie));
        assert_eq!(stale.body, "-:0", "{framework:?}: the session is gone");
        assert_eq!(stale.set_cookies.len(), 1, "{framework:?}");
        assert!(
            stale.set_cookies[0].starts_with(&format!("{NAME}=; "))
                && stale.set_cookies[0].contains("Max-Age=0"),
            "{framework:?}: {:?}",
            stale.set_cookies
        );
        // A new login writes the new generation and is accepted.
        let again = send(framework, &cookies, "/login", None).cookie_line();
        assert_eq!(
            send(framework, &cookies, "/whoami", Some(&again)).body,
            "alice:4"
        );
    }
}

#[test]
fn a_handler_makes_the_session_persistent_or_a_browser_session_in_both_frameworks() {
    for framework in BOTH {
        // Browser-session cookies by default; "remember me" is per session.
        let config = CookieConfig::new(NAME).unwrap().browser_session(true);
        let codec = Codec::sealed(ring(&[(1, 1)]))
            .max_age(Duration::from_secs(30 * 86_400))
            .reissue_after(Duration::from_secs(3600));
        let cookies = SessionCookie::new(codec, config).unwrap();

        let remembered = send(framework, &cookies, "/remember", None);
        assert_eq!(remembered.max_age(), Some("604800"), "{framework:?}");
        let line = remembered.cookie_line();
        let read = send(framework, &cookies, "/expiry", Some(&line));
        assert_eq!(read.body, format!("{:?}", Expiry::OnInactivity(WEEK)));
        assert!(read.set_cookies.is_empty(), "{framework:?}");

        let transient = send(framework, &cookies, "/transient", None);
        assert_eq!(transient.max_age(), None, "{framework:?}");
        assert!(!transient.set_cookies[0].contains("Expires"));

        // A read-only request that re-issues keeps the expiry: the token is
        // minted two hours ago, past reissue_after.
        let two_hours_ago = SystemTime::now() - Duration::from_secs(7200);
        let mut s = SessionMap::new();
        s.insert("user", "alice").unwrap();
        let options = EncodeOptions::new().expiry(Expiry::OnInactivity(WEEK));
        let set = cookies
            .store(&s, &options, &PresentCookies::none(), two_hours_ago)
            .unwrap();
        let old = set[0].split(';').next().unwrap();
        let reissued = send(framework, &cookies, "/expiry", Some(old));
        assert_eq!(reissued.status, 200);
        assert_eq!(reissued.max_age(), Some("604800"), "{framework:?}");
    }
}

/// The largest session that `cookies` writes, minted `ago` before now under
/// its keys, as a request `Cookie` line.
fn largest_cookie(cookies: &SessionCookie, ago: Duration) -> String {
    let at = SystemTime::now() - ago;
    let store = |len: usize| {
        let mut s = SessionMap::new();
        s.clear_and_regenerate().unwrap();
        s.insert("blob", &noise(len)).unwrap();
        cookies.store(&s, &EncodeOptions::new(), &PresentCookies::none(), at)
    };
    let (mut fits, mut refused) = (0, 5000);
    while refused - fits > 1 {
        let mid = (fits + refused) / 2;
        if store(mid).is_ok() {
            fits = mid;
        } else {
            refused = mid;
        }
    }
    assert!(matches!(store(fits + 1), Err(Error::TooLarge { .. })));
    let set = store(fits).unwrap();
    set[0].split(';').next().unwrap().to_owned()
}

#[test]
fn the_largest_session_reissues_on_a_read_only_request_in_both_frameworks_and_modes() {
    for framework in BOTH {
        for mode in [Mode::Signed, Mode::Sealed] {
            let codec = |keys: Keyring| {
                Codec::new(mode, keys)
                    .compression(cookie_seal::Compression::Never)
                    .reissue_after(Duration::from_secs(60))
            };
            // Past reissue_after: the re-issue adds the created-delta field.
            let cookies = cookies_with(codec(ring(&[(1, 1)])));
            let line = largest_cookie(&cookies, Duration::from_secs(120));
            let reply = send(framework, &cookies, "/whoami", Some(&line));
            assert_eq!(reply.status, 200, "{framework:?} {mode:?}: {}", reply.body);
            assert_eq!(
                reply.set_cookies.len(),
                1,
                "{framework:?} {mode:?}: re-issued"
            );

            // After a rotation to a key with a 5-byte ID.
            let rotated = cookies_with(codec(ring(&[(u32::MAX, 2), (1, 1)])));
            let line = largest_cookie(&cookies, Duration::from_secs(1));
            let reply = send(framework, &rotated, "/whoami", Some(&line));
            assert_eq!(reply.status, 200, "{framework:?} {mode:?}: {}", reply.body);
            assert_eq!(
                reply.set_cookies.len(),
                1,
                "{framework:?} {mode:?}: re-issued"
            );
        }
    }
}
