//! The example apps (`axum_app`, `actix_app`) run as real processes on a free
//! loopback port and are driven over HTTP: the same suite runs against both.
//!
//! The binaries are the ones `cargo test` builds from `examples/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::time::{Duration, SystemTime};

use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{inspect, EncodeOptions, Keyring, Mode, SessionMap};
use support::{agent, logged_in, login, Jar, RunningApp, KEYS_1, KEY_2};

const COOKIE: &str = "__Host-session";

/// The apps' own cookie setup (examples/support), for checking and minting
/// tokens with the same keys.
#[path = "../examples/support/mod.rs"]
#[allow(dead_code)]
mod app_settings;

fn app_cookies(keys: &str) -> SessionCookie {
    app_settings::session_cookie(keys.parse::<Keyring>().unwrap(), false).unwrap()
}

fn start(example: &str, keys: &str) -> RunningApp {
    RunningApp::start(example, &[("SESSION_KEYS", Some(keys))])
}

fn login_sets_a_sealed_host_prefixed_cookie(example: &str) {
    let app = start(example, KEYS_1);
    let mut jar = Jar::default();
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!(home.status, 200);
    assert!(home.body.contains("id=\"anonymous\""));
    assert!(
        home.set_cookies.is_empty(),
        "an empty session sets no cookie"
    );

    let attributes = "; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=28800";
    support::login_sets_cookie(&app, &mut jar, "alice", "__Host-session", attributes);
    let header = inspect(&jar.token(COOKIE)).unwrap();
    assert_eq!((header.mode(), header.key_id()), (Mode::Sealed, 1));

    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!(home.user(), Some("alice"));
    assert!(
        home.set_cookies.is_empty(),
        "an unchanged session is not re-sent"
    );
    // The session really is alice's, decoded with the app's keys and cookie name.
    let loaded = app_cookies(KEYS_1).load::<SessionMap>([jar.header().as_str()], SystemTime::now());
    assert_eq!(
        loaded.session().get::<String>("user").unwrap().as_deref(),
        Some("alice")
    );
}

fn counter_increments(example: &str) {
    let app = start(example, KEYS_1);
    let mut jar = logged_in(&app, "bob");
    let mut tokens = Vec::new();
    for expected in 1..=3 {
        let reply = jar.get(&agent(), &app.url("/counter"));
        assert_eq!(reply.status, 200);
        assert_eq!(reply.count(), Some(expected));
        assert_eq!(
            reply.set_cookies.len(),
            1,
            "each visit re-issues the cookie"
        );
        tokens.push(jar.token(COOKIE));
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "every re-issue is a new token");
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (Some("bob"), Some(3)));
}

fn logout_clears_the_session(example: &str) {
    let app = start(example, KEYS_1);
    let mut jar = logged_in(&app, "carol");
    jar.get(&agent(), &app.url("/counter"));
    let reply = jar.post(&agent(), &app.url("/logout"), &[]);
    assert_eq!(reply.status, 303);
    assert_eq!(reply.set_cookies.len(), 1);
    assert!(
        reply.set_cookies[0].starts_with("__Host-session=; ")
            && reply.set_cookies[0].contains("Max-Age=0"),
        "{:?}",
        reply.set_cookies
    );
    assert!(jar.cookies.is_empty());
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (None, Some(0)));
}

fn tampered_cookie_gives_an_empty_session(example: &str) {
    let app = start(example, KEYS_1);
    let mut jar = logged_in(&app, "dave");
    let good = jar.token(COOKIE);
    let tampered = support::tampered(&good);
    for bad in [tampered.as_str(), "garbage", "", &"A".repeat(6000)] {
        let mut evil = Jar::default();
        evil.cookies.insert(COOKIE.to_owned(), bad.to_owned());
        let reply = evil.get(&agent(), &app.url("/"));
        assert_eq!(reply.status, 200, "not a server error for {bad:.20}");
        assert!(reply.body.contains("id=\"anonymous\""));
        assert!(
            reply
                .set_cookies
                .iter()
                .any(|c| c.starts_with("__Host-session=; ") && c.contains("Max-Age=0")),
            "the rejected cookie is deleted: {:?}",
            reply.set_cookies
        );
        // A visit on top of a rejected cookie starts a new, valid session.
        evil.cookies.insert(COOKIE.to_owned(), bad.to_owned());
        assert_eq!(evil.get(&agent(), &app.url("/counter")).count(), Some(1));
    }
    assert!(app.stderr_contains("session cookie rejected: invalid token"));
    // The untouched cookie still works.
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("dave"));
}

fn expired_or_misplaced_cookie_gives_an_empty_session(example: &str) {
    let app = start(example, KEYS_1);
    let cookies = app_cookies(KEYS_1);
    let mut session = SessionMap::new();
    session.insert("user", "erin").unwrap();
    let mint = |at: SystemTime| {
        let set = cookies
            .store(&session, &EncodeOptions::new(), &PresentCookies::none(), at)
            .unwrap();
        let mut jar = Jar::default();
        jar.apply(&set);
        jar
    };
    // Minted with the app's keys and issued now: accepted (the control).
    assert_eq!(
        mint(SystemTime::now()).get(&agent(), &app.url("/")).user(),
        Some("erin")
    );
    // Issued past the app's 8-hour idle lifetime: an empty session.
    let old = SystemTime::now() - Duration::from_secs(9 * 3600);
    let reply = mint(old).get(&agent(), &app.url("/"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.user(), None);
    assert!(app.stderr_contains("token expired"));
    // A valid token minted for another cookie name does not verify here:
    // tokens are bound to their cookie name.
    let other = SessionCookie::new(
        cookies.codec().clone(),
        CookieConfig::new("__Host-other").unwrap(),
    )
    .unwrap();
    let pair = support::mint(&other, &session, SystemTime::now());
    let (_, other_token) = pair.split_once('=').unwrap();
    let mut moved = Jar::default();
    moved
        .cookies
        .insert(COOKIE.to_owned(), other_token.to_owned());
    let reply = moved.get(&agent(), &app.url("/"));
    assert_eq!((reply.status, reply.user()), (200, None));
    assert!(app.stderr_contains("invalid token"));
}

fn login_regenerates_the_session(example: &str) {
    let app = start(example, KEYS_1);
    let cookies = app_cookies(KEYS_1);
    let decode = |jar: &Jar| {
        cookies
            .load::<SessionMap>([jar.header().as_str()], SystemTime::now())
            .into_decoded()
            .expect("valid session")
    };
    let mut jar = Jar::default();
    jar.get(&agent(), &app.url("/counter"));
    jar.get(&agent(), &app.url("/counter"));
    let before = decode(&jar);
    assert_eq!(before.value.id(), None);
    assert_eq!(before.value.get::<u64>("count").unwrap(), Some(2));

    login(&app, &mut jar, "frank");
    let first = decode(&jar);
    assert!(first.value.id().is_some(), "login gives the session an ID");
    assert_eq!(
        first.value.get::<u64>("count").unwrap(),
        None,
        "nothing from before login survives"
    );
    login(&app, &mut jar, "frank");
    let second = decode(&jar);
    assert!(second.value.id().is_some() && second.value.id() != first.value.id());
}

/// The session's creation time, which a sealed token only shows to its keys.
fn session_created_at(keys: &str, jar: &Jar) -> SystemTime {
    app_cookies(keys)
        .load::<SessionMap>([jar.header().as_str()], SystemTime::now())
        .into_decoded()
        .expect("valid session")
        .created_at
}

fn rotation_reissues_old_cookies_under_the_primary(example: &str) {
    let mut jar = Jar::default();
    let created_at = {
        let app = start(example, KEYS_1);
        login(&app, &mut jar, "grace");
        jar.get(&agent(), &app.url("/counter"));
        let header = inspect(&jar.token(COOKIE)).unwrap();
        assert_eq!(header.key_id(), 1);
        session_created_at(KEYS_1, &jar)
    };
    let old_token = jar.token(COOKIE);

    // Stage and promote key 2 in one step: "2:<new>,1:<old>".
    let rotated = format!("{KEY_2},{KEYS_1}");
    let app = start(example, &rotated);
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!(home.user(), Some("grace"));
    assert_eq!(home.set_cookies.len(), 1, "old-key cookie is re-issued");
    let header = inspect(&jar.token(COOKIE)).unwrap();
    assert_eq!(header.key_id(), 2);
    assert_eq!(
        session_created_at(&rotated, &jar),
        created_at,
        "creation time carried over"
    );
    let again = jar.get(&agent(), &app.url("/"));
    assert!(
        again.set_cookies.is_empty(),
        "a primary-key cookie is not re-issued"
    );
    assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(2));
    drop(app);

    // Retire key 1: the re-issued cookie works, the old one does not.
    let key_2_only = KEY_2;
    let app = start(example, key_2_only);
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("grace"));
    support::check_retired_key_rejected(&app, COOKIE, &old_token);
}

fn insecure_mode_drops_secure_and_the_prefix(example: &str) {
    let app = RunningApp::start(
        example,
        &[
            ("SESSION_KEYS", Some(KEYS_1)),
            ("COOKIE_SEAL_INSECURE", Some("1")),
        ],
    );
    support::check_insecure_login(&app, "session", 28_800);
}

fn without_keys_it_warns_and_uses_an_ephemeral_keyring(example: &str) {
    let app = RunningApp::start(example, &[("SESSION_KEYS", None)]);
    let mut jar = logged_in(&app, "ivan");
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("ivan"));
    assert!(app.stderr_contains("warning: SESSION_KEYS is not set"));
    // Another run has other keys: the cookie no longer verifies.
    let other = RunningApp::start(example, &[("SESSION_KEYS", None)]);
    assert_eq!(jar.get(&agent(), &other.url("/")).user(), None);
}

fn bad_login_is_a_client_error(example: &str) {
    let app = start(example, KEYS_1);
    let mut jar = Jar::default();
    for bad in ["", "a b", "<script>", &"x".repeat(33)] {
        let reply = jar.post(&agent(), &app.url("/login"), &[("username", bad)]);
        assert_eq!(reply.status, 400, "{bad:?}");
        assert!(reply.set_cookies.is_empty());
        assert!(!reply.body.contains("<script>"));
    }
}

fn bad_keyring_stops_the_app_without_echoing_it(example: &str) {
    let output = std::process::Command::new(support::example_binary(example))
        .env("PORT", "0")
        .env("SESSION_KEYS", "1:c2VjcmV0LWJ1dC10b28tc2hvcnQ")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("key length"), "{stderr}");
    assert!(!stderr.contains("c2VjcmV0"), "{stderr}");
}

macro_rules! suite {
    ($module:ident, $example:literal) => {
        mod $module {
            #[test]
            fn login_sets_a_sealed_host_prefixed_cookie() {
                super::login_sets_a_sealed_host_prefixed_cookie($example);
            }
            #[test]
            fn counter_increments() {
                super::counter_increments($example);
            }
            #[test]
            fn logout_clears_the_session() {
                super::logout_clears_the_session($example);
            }
            #[test]
            fn tampered_cookie_gives_an_empty_session() {
                super::tampered_cookie_gives_an_empty_session($example);
            }
            #[test]
            fn expired_or_misplaced_cookie_gives_an_empty_session() {
                super::expired_or_misplaced_cookie_gives_an_empty_session($example);
            }
            #[test]
            fn login_regenerates_the_session() {
                super::login_regenerates_the_session($example);
            }
            #[test]
            fn rotation_reissues_old_cookies_under_the_primary() {
                super::rotation_reissues_old_cookies_under_the_primary($example);
            }
            #[test]
            fn insecure_mode_drops_secure_and_the_prefix() {
                super::insecure_mode_drops_secure_and_the_prefix($example);
            }
            #[test]
            fn without_keys_it_warns_and_uses_an_ephemeral_keyring() {
                super::without_keys_it_warns_and_uses_an_ephemeral_keyring($example);
            }
            #[test]
            fn bad_login_is_a_client_error() {
                super::bad_login_is_a_client_error($example);
            }
            #[test]
            fn bad_keyring_stops_the_app_without_echoing_it() {
                super::bad_keyring_stops_the_app_without_echoing_it($example);
            }
        }
    };
}

suite!(axum, "axum_app");
suite!(actix, "actix_app");
