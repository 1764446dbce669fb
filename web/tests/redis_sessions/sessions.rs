//! A session's life in Redis: login, reload, fixation defence, logout, and
//! the plain-http mode.

use cookie_seal::{inspect, Codec, Mode, SessionId};
use redis::Commands;

use crate::app::{
    is_removal, redis_key, session_id, session_key, shared_app, stored, ttl, APP, COOKIE, IDLE,
};
use crate::redis_server::{connect, password_of, shared_redis, Prefix};
use crate::support::{self, agent, logged_in, login, Jar, RunningApp, KEYS_1};

#[test]
fn login_stores_the_session_in_redis_and_reload_reads_it() {
    let Some((url, prefix, app)) = shared_app("login", IDLE) else {
        return;
    };
    let mut jar = Jar::default();
    let home = jar.get(&agent(), &app.url("/"));
    assert!(home.body.contains("id=\"anonymous\""));
    assert!(home.set_cookies.is_empty(), "a visit alone sets no cookie");
    assert!(prefix.keys().is_empty(), "and stores nothing");

    let attributes = "; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1200";
    support::login_sets_cookie(&app, &mut jar, "alice", "__Host-sid", attributes);
    // The cookie holds only the signed ID: a short signed token...
    let token = jar.token(COOKIE);
    assert!(token.len() < 120, "{} bytes", token.len());
    assert_eq!(inspect(&token).unwrap().mode(), Mode::Signed);
    // ...signed for purpose "sid" and the cookie name, not as a cookie session.
    let id = session_id(&jar, KEYS_1);
    let as_session = Codec::signed(KEYS_1.parse().unwrap()).decode::<SessionId>(&token);
    assert!(as_session.is_err(), "verifies only with purpose sid");

    // The data is in Redis, under <prefix>:session:<id>.
    let key = redis_key(&prefix.prefix, &id);
    assert_eq!(prefix.keys(), std::slice::from_ref(&key));
    assert_eq!(
        stored(&url, &key),
        Some(serde_json::json!({"user": "alice", "count": 0}))
    );

    // Reload reads it back; the unchanged cookie is not re-sent.
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (Some("alice"), Some(0)));
    assert!(home.set_cookies.is_empty());
    for expected in 1..=3 {
        let reply = jar.get(&agent(), &app.url("/counter"));
        assert_eq!(reply.count(), Some(expected));
        assert!(reply.set_cookies.is_empty(), "same ID, same cookie");
    }
    assert_eq!(
        stored(&url, &key),
        Some(serde_json::json!({"user": "alice", "count": 3}))
    );
    // Data written to Redis by someone else shows on the next request: the
    // cookie is only a pointer.
    let _: () = connect(&url)
        .set(&key, r#"{"user":"alice","count":41}"#)
        .unwrap();
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (Some("alice"), Some(41)));

    // The app names its store without the password.
    let password = password_of(&url).expect("the test Redis has a password");
    assert!(app.stderr_contains("session store: redis://127.0.0.1:"));
    assert!(app.stderr_contains("(password: set)"));
    assert!(!app.stderr().contains(&password));
}

#[test]
fn pre_login_id_no_longer_works_after_login() {
    let Some((url, prefix, app)) = shared_app("fixation", IDLE) else {
        return;
    };
    let mut jar = Jar::default();
    // An anonymous visitor who counts visits has a server-side session.
    jar.get(&agent(), &app.url("/counter"));
    assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(2));
    let before = session_id(&jar, KEYS_1);
    let before_key = redis_key(&prefix.prefix, &before);
    let before_cookie = jar.clone();
    assert_eq!(
        stored(&url, &before_key),
        Some(serde_json::json!({"user": null, "count": 2}))
    );

    login(&app, &mut jar, "bob");
    let after = session_id(&jar, KEYS_1);
    assert_ne!(after, before, "login issues a new ID");
    assert_eq!(stored(&url, &before_key), None, "the old key is deleted");
    let after_key = redis_key(&prefix.prefix, &after);
    assert_eq!(
        stored(&url, &after_key),
        Some(serde_json::json!({"user": "bob", "count": 0})),
        "nothing from before login survives"
    );
    assert_eq!(prefix.keys(), std::slice::from_ref(&after_key));

    // Whoever kept (or planted) the pre-login cookie gets an empty session,
    // and the dead cookie is deleted.
    let mut attacker = before_cookie;
    let reply = attacker.get(&agent(), &app.url("/"));
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("id=\"anonymous\""));
    assert_eq!(reply.count(), Some(0));
    assert!(is_removal(&reply.set_cookies), "{:?}", reply.set_cookies);
    assert!(app.stderr_contains("session not in the store"));
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("bob"));

    // Logging in again (e.g. as another user) rotates the ID again.
    login(&app, &mut jar, "bob2");
    let third = session_id(&jar, KEYS_1);
    assert_ne!(third, after);
    assert_eq!(stored(&url, &after_key), None);
    assert_eq!(prefix.keys(), [redis_key(&prefix.prefix, &third)]);
}

#[test]
fn logout_deletes_the_key_and_the_cookie() {
    let Some((url, prefix, app)) = shared_app("logout", IDLE) else {
        return;
    };
    let mut jar = logged_in(&app, "carol");
    jar.get(&agent(), &app.url("/counter"));
    let stolen = jar.clone();
    let key = session_key(&prefix, &jar);
    assert!(stored(&url, &key).is_some());

    let reply = jar.post(&agent(), &app.url("/logout"), &[]);
    assert_eq!(reply.status, 303);
    assert_eq!(reply.set_cookies.len(), 1);
    assert!(is_removal(&reply.set_cookies), "{:?}", reply.set_cookies);
    assert!(jar.cookies.is_empty());
    assert_eq!(stored(&url, &key), None, "the key is deleted");
    assert!(prefix.keys().is_empty());

    // A copy of the cookie taken before logout is worthless: the session
    // is revoked on the server.
    let mut thief = stolen;
    let home = thief.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (None, Some(0)));
    assert!(is_removal(&home.set_cookies));
}

#[test]
fn insecure_mode_uses_a_plain_sid_cookie() {
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "insecure");
    let app = RunningApp::start(
        APP,
        &[
            ("REDIS_URL", Some(url.as_str())),
            ("REDIS_KEY_PREFIX", Some(prefix.prefix.as_str())),
            ("SESSION_KEYS", Some(KEYS_1)),
            ("SESSION_IDLE_SECONDS", None),
            ("COOKIE_SEAL_INSECURE", Some("1")),
        ],
    );
    // Default idle lifetime 8 h: the signed token and cookie live 16 h.
    support::check_insecure_login(&app, "sid", 57_600);
    let key = prefix.keys().pop().expect("one session key");
    assert!((28_790..=28_800).contains(&ttl(&url, &key)));
}
