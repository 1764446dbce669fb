//! Lifetimes: the Redis TTL, expiry, rolling re-signing and key rotation.

use std::time::{Duration, Instant};

use cookie_seal::inspect;
use redis::Commands;

use crate::app::{
    is_removal, redis_key, session_id, session_key, shared_app, start_app, ttl, COOKIE, IDLE,
};
use crate::redis_server::{connect, shared_redis, Prefix};
use crate::support::{self, agent, logged_in, login, Jar, KEYS_1, KEY_2};

#[test]
fn ttl_is_the_idle_lifetime_and_is_refreshed_on_use() {
    let Some((url, prefix, app)) = shared_app("ttl", IDLE) else {
        return;
    };
    let mut jar = logged_in(&app, "dave");
    let key = session_key(&prefix, &jar);
    let fresh = (IDLE as i64 - 10)..=(IDLE as i64);
    assert!(fresh.contains(&ttl(&url, &key)), "TTL {}", ttl(&url, &key));

    // Let the session age (shorten its TTL as if time passed), then use it:
    // a read refreshes the TTL to the full idle lifetime...
    let _: () = connect(&url).expire(&key, 30).unwrap();
    assert!(ttl(&url, &key) <= 30);
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("dave"));
    assert!(fresh.contains(&ttl(&url, &key)), "TTL {}", ttl(&url, &key));
    // ...and so does a write.
    let _: () = connect(&url).expire(&key, 30).unwrap();
    assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(1));
    assert!(fresh.contains(&ttl(&url, &key)), "TTL {}", ttl(&url, &key));
    // A visit without a session refreshes nothing.
    let _: () = connect(&url).expire(&key, 30).unwrap();
    Jar::default().get(&agent(), &app.url("/"));
    assert!(ttl(&url, &key) <= 30);
}

#[test]
fn expired_key_gives_an_empty_session() {
    // A 2-second idle lifetime; the signed cookie itself stays valid for 4 s.
    let Some((url, prefix, app)) = shared_app("expiry", 2) else {
        return;
    };
    let mut jar = logged_in(&app, "erin");
    let key = session_key(&prefix, &jar);
    assert!((1..=2).contains(&ttl(&url, &key)));
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("erin"));

    // Redis expires the key after 2 idle seconds.
    let deadline = Instant::now() + Duration::from_secs(5);
    while connect(&url).exists::<_, bool>(&key).unwrap() {
        assert!(Instant::now() < deadline, "the key did not expire");
        std::thread::sleep(Duration::from_millis(50));
    }
    let reply = jar.get(&agent(), &app.url("/"));
    assert_eq!(reply.status, 200);
    assert_eq!((reply.user(), reply.count()), (None, Some(0)));
    assert!(is_removal(&reply.set_cookies), "{:?}", reply.set_cookies);
    // It was the store that said no: the cookie still verified.
    assert!(app.stderr_contains("session not in the store"));
    assert!(!app.stderr().contains("session cookie rejected"));
}

#[test]
fn rolling_refresh_resigns_the_same_id() {
    // Idle 8 s: the cookie is re-signed once it is 1 s old (1/8).
    let Some((_, prefix, app)) = shared_app("rolling", 8) else {
        return;
    };
    let mut jar = logged_in(&app, "fay");
    let first = jar.token(COOKIE);
    let id = session_id(&jar, KEYS_1);
    std::thread::sleep(Duration::from_millis(2100));
    let reply = jar.get(&agent(), &app.url("/"));
    assert_eq!(reply.user(), Some("fay"));
    assert_eq!(reply.set_cookies.len(), 1, "an aging cookie is re-signed");
    assert!(reply.set_cookies[0].contains("Max-Age=16"));
    assert_ne!(jar.token(COOKIE), first);
    assert_eq!(session_id(&jar, KEYS_1), id, "with the same ID");
    assert_eq!(
        inspect(&jar.token(COOKIE)).unwrap().created_at(),
        inspect(&first).unwrap().created_at(),
        "and its creation time"
    );
    assert_eq!(prefix.keys(), [redis_key(&prefix.prefix, &id)]);
}

#[test]
fn key_rotation_resigns_the_same_id_under_the_primary() {
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "rotation");
    let mut jar = Jar::default();
    {
        let app = start_app(&url, &prefix.prefix, KEYS_1, IDLE);
        login(&app, &mut jar, "grace");
        jar.get(&agent(), &app.url("/counter"));
    }
    let old_token = jar.token(COOKIE);
    assert_eq!(inspect(&old_token).unwrap().key_id(), 1);
    let id = session_id(&jar, KEYS_1);

    // Key 2 staged and promoted ("2:<new>,1:<old>"): the old cookie still
    // verifies and is re-signed under key 2, with the same ID.
    let rotated = format!("{KEY_2},{KEYS_1}");
    let app = start_app(&url, &prefix.prefix, &rotated, IDLE);
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (Some("grace"), Some(1)));
    assert_eq!(home.set_cookies.len(), 1, "old-key cookie is re-signed");
    assert_eq!(inspect(&jar.token(COOKIE)).unwrap().key_id(), 2);
    assert_eq!(session_id(&jar, &rotated), id, "same session ID");
    assert_eq!(prefix.keys(), [redis_key(&prefix.prefix, &id)]);
    let again = jar.get(&agent(), &app.url("/"));
    assert!(again.set_cookies.is_empty(), "primary-key cookie is kept");
    drop(app);

    // Key 1 retired: the re-signed cookie works, the old one is rejected.
    let app = start_app(&url, &prefix.prefix, KEY_2, IDLE);
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("grace"));
    let reply = support::check_retired_key_rejected(&app, COOKIE, &old_token);
    assert!(is_removal(&reply.set_cookies));
}
