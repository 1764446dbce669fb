//! The example app under test: starting it, its cookie contract, and where
//! its sessions live in Redis.

use std::time::{Duration, SystemTime};

use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Keyring, SessionId};
use redis::Commands;

use crate::redis_server::{connect, shared_redis, Prefix, PrivateRedis};
use crate::support::{Jar, RunningApp, KEYS_1};

pub const APP: &str = "redis_sessions";
pub const COOKIE: &str = "__Host-sid";
/// The idle lifetime most tests run the app with (`SESSION_IDLE_SECONDS`).
pub const IDLE: u64 = 600;

/// Starts the app on `url` with key prefix `prefix`, keyring `keys` and an
/// idle lifetime of `idle` seconds.
pub fn start_app(url: &str, prefix: &str, keys: &str, idle: u64) -> RunningApp {
    let idle = idle.to_string();
    RunningApp::start(
        APP,
        &[
            ("REDIS_URL", Some(url)),
            ("REDIS_KEY_PREFIX", Some(prefix)),
            ("SESSION_KEYS", Some(keys)),
            ("SESSION_IDLE_SECONDS", Some(idle.as_str())),
        ],
    )
}

/// The app on the shared Redis, under a key prefix of its own for `test`,
/// with `KEYS_1` and an idle lifetime of `idle` seconds; `None`: skip.
pub fn shared_app(test: &str, idle: u64) -> Option<(String, Prefix, RunningApp)> {
    let url = shared_redis()?;
    let prefix = Prefix::new(&url, test);
    let app = start_app(&url, &prefix.prefix, KEYS_1, idle);
    Some((url, prefix, app))
}

/// The app on a private Redis (key prefix `prefix`, `KEYS_1`, `IDLE`), with
/// a connection that counts the commands it gets; `None`: skip.
pub fn private_app(prefix: &str) -> Option<(PrivateRedis, redis::Connection, RunningApp)> {
    let redis = PrivateRedis::start()?;
    let url = redis.url();
    let stats = connect(&url);
    let app = start_app(&url, prefix, KEYS_1, IDLE);
    Some((redis, stats, app))
}

/// The app's cookie setup, rebuilt from the documented contract: a signed
/// codec with purpose `sid`, bound to the cookie name.
pub fn sid_cookie(keys: &str, name: &str) -> SessionCookie {
    let codec = Codec::signed(keys.parse::<Keyring>().unwrap())
        .purpose("sid")
        .max_age(Duration::from_secs(2 * IDLE));
    SessionCookie::new(codec, CookieConfig::new(name).unwrap()).unwrap()
}

/// The session ID in the jar's cookie, verified with `keys`.
pub fn session_id(jar: &Jar, keys: &str) -> SessionId {
    sid_cookie(keys, COOKIE)
        .load::<SessionId>([jar.header().as_str()], SystemTime::now())
        .into_decoded()
        .expect("a valid signed session ID in the cookie")
        .value
}

/// The Redis key of the session in `jar`'s cookie (signed with `KEYS_1`).
pub fn session_key(prefix: &Prefix, jar: &Jar) -> String {
    redis_key(&prefix.prefix, &session_id(jar, KEYS_1))
}

pub fn redis_key(prefix: &str, id: &SessionId) -> String {
    format!("{prefix}:session:{}", id.to_base64url())
}

pub fn stored(url: &str, key: &str) -> Option<serde_json::Value> {
    let json: Option<String> = connect(url).get(key).unwrap();
    json.map(|json| serde_json::from_str(&json).unwrap())
}

pub fn ttl(url: &str, key: &str) -> i64 {
    connect(url).ttl(key).unwrap()
}

pub fn is_removal(set_cookies: &[String]) -> bool {
    set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=; ") && c.contains("Max-Age=0"))
}
