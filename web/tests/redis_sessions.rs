//! `examples/redis_sessions` against a real `redis-server`: the session data
//! lives in Redis, the cookie holds only a session ID signed by cookie-seal.
//!
//! The tests need a Redis with a password, given as
//! `COOKIE_SEAL_TEST_REDIS_URL=redis://:PASSWORD@127.0.0.1:PORT/`; without it
//! they print a message and skip. `bash .ci/steps/50-redis.sh` installs and
//! starts one and sets `COOKIE_SEAL_REQUIRE_REDIS=1`, which turns every skip
//! into a failure. Tests that count Redis commands or kill Redis start their
//! own `redis-server` (from `PATH`, or `COOKIE_SEAL_REDIS_SERVER`) on another
//! free loopback port, so parallel tests cannot disturb the counts.
//!
//! The app binary is the one `cargo test` builds from `examples/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{inspect, Codec, EncodeOptions, Keyring, Mode, SessionId};
use redis::Commands;
use support::{agent, Jar, Reply, RunningApp, KEYS_1, KEY_2};

const APP: &str = "redis_sessions";
const COOKIE: &str = "__Host-sid";
const URL_VAR: &str = "COOKIE_SEAL_TEST_REDIS_URL";
const REQUIRE_VAR: &str = "COOKIE_SEAL_REQUIRE_REDIS";
/// The idle lifetime most tests run the app with (`SESSION_IDLE_SECONDS`).
const IDLE: u64 = 600;

fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1")
}

/// Skips (returns `None` with a message) or, under `COOKIE_SEAL_REQUIRE_REDIS=1`, fails.
///
/// The message goes to the process's stderr directly, past the test
/// harness's output capture, once per reason, so a plain `cargo test` shows
/// why these tests did nothing.
fn skip<T>(why: &str) -> Option<T> {
    static SHOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    assert!(!required(), "{REQUIRE_VAR}=1 but {why}");
    let mut shown = SHOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !shown.iter().any(|reason| reason == why) {
        shown.push(why.to_owned());
        let _ = writeln!(std::io::stderr(), "skipping the Redis tests: {why}");
    }
    None
}

/// The shared test Redis from `COOKIE_SEAL_TEST_REDIS_URL`.
fn shared_redis() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => skip(&format!(
            "{URL_VAR} is not set (e.g. redis://:PASSWORD@127.0.0.1:6379/; \
             `bash .ci/steps/50-redis.sh` starts one and runs these tests)"
        )),
    }
}

fn password_of(url: &str) -> Option<String> {
    let client = redis::Client::open(url).unwrap();
    let info = client.get_connection_info();
    info.redis_settings().password().map(str::to_owned)
}

fn connect(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to the test Redis")
}

/// A random text for key prefixes and passwords (base64url: URL- and
/// prefix-safe).
fn random_text() -> String {
    SessionId::generate().unwrap().to_base64url()
}

/// A key prefix of its own for one test; its keys are deleted on drop.
struct Prefix {
    url: String,
    prefix: String,
}

impl Prefix {
    fn new(url: &str, test: &str) -> Prefix {
        Prefix {
            url: url.to_owned(),
            prefix: format!("cs-test:{test}:{}", &random_text()[..10]),
        }
    }

    fn keys(&self) -> Vec<String> {
        let mut con = connect(&self.url);
        let mut keys: Vec<String> = con
            .scan_match(format!("{}:*", self.prefix))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        keys.sort();
        keys
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        if let Ok(mut con) = redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
        {
            let keys: Vec<String> = con
                .scan_match(format!("{}:*", self.prefix))
                .map(|keys| keys.filter_map(Result::ok).collect())
                .unwrap_or_default();
            for key in keys {
                let _: redis::RedisResult<()> = con.del(key);
            }
        }
    }
}

/// A `redis-server` of the test's own, on a free loopback port with a random
/// password; killed on drop.
struct PrivateRedis {
    child: Child,
    port: u16,
    password: String,
}

impl PrivateRedis {
    fn binary() -> String {
        std::env::var("COOKIE_SEAL_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
    }

    /// A new instance, or `None` (skip) when the tests are not enabled or
    /// `redis-server` is missing.
    fn start() -> Option<PrivateRedis> {
        shared_redis()?;
        let found = Command::new(Self::binary())
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
        if !found {
            return skip(&format!("{} is not installed", Self::binary()));
        }
        let password = random_text();
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            match PrivateRedis::start_on(port, &password) {
                Ok(redis) => return Some(redis),
                Err(error) => last_error = error,
            }
        }
        panic!("could not start a private redis-server: {last_error}");
    }

    /// Starts `redis-server` on `port`, the config on stdin (so the password
    /// is not in the process list), and waits until it answers.
    fn start_on(port: u16, password: &str) -> Result<PrivateRedis, String> {
        let mut child = Command::new(Self::binary())
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let config = format!(
            "port {port}\nbind 127.0.0.1\nrequirepass {password}\nsave \"\"\n\
             appendonly no\ndir {}\n",
            std::env::temp_dir().display()
        );
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(config.as_bytes()).unwrap();
        drop(stdin);
        let mut redis = PrivateRedis {
            child,
            port,
            password: password.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = redis.child.try_wait() {
                return Err(format!("redis-server on port {port} exited: {status}"));
            }
            let ping = redis::Client::open(redis.url().as_str())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(500)))
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            if ping.is_ok() {
                return Ok(redis);
            }
            if Instant::now() > deadline {
                return Err(format!("redis-server on port {port} did not answer"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        format!("redis://:{}@127.0.0.1:{}/", self.password, self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Calls per command since the server started, from `INFO commandstats`
/// (without `info` itself, which the counting sends).
fn command_calls(con: &mut redis::Connection) -> BTreeMap<String, u64> {
    let info: String = redis::cmd("INFO").arg("commandstats").query(con).unwrap();
    let mut calls = BTreeMap::new();
    for line in info.lines() {
        let Some((name, stats)) = line.trim().split_once(':') else {
            continue;
        };
        let Some(name) = name.strip_prefix("cmdstat_") else {
            continue;
        };
        if name == "info" {
            continue;
        }
        let count: u64 = stats
            .split(',')
            .filter_map(|field| field.split_once('='))
            .filter(|(field, _)| *field == "calls" || *field == "rejected_calls")
            .map(|(_, value)| value.parse::<u64>().unwrap())
            .sum();
        calls.insert(name.to_owned(), count);
    }
    calls
}

/// The Redis commands `action` caused, by name (only those that ran).
fn commands_during(con: &mut redis::Connection, action: impl FnOnce()) -> BTreeMap<String, u64> {
    let before = command_calls(con);
    action();
    let after = command_calls(con);
    after
        .into_iter()
        .filter_map(|(name, calls)| {
            let delta = calls - before.get(&name).copied().unwrap_or(0);
            (delta > 0).then_some((name, delta))
        })
        .collect()
}

fn expect_commands(expected: &[(&str, u64)]) -> BTreeMap<String, u64> {
    expected
        .iter()
        .map(|(name, calls)| ((*name).to_owned(), *calls))
        .collect()
}

/// Starts the app on `url` with key prefix `prefix`, keyring `keys` and an
/// idle lifetime of `idle` seconds.
fn start_app(url: &str, prefix: &str, keys: &str, idle: u64) -> RunningApp {
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

/// The app's cookie setup, rebuilt from the documented contract: a signed
/// codec with purpose `sid`, bound to the cookie name.
fn sid_cookie(keys: &str, name: &str) -> SessionCookie {
    let codec = Codec::signed(keys.parse::<Keyring>().unwrap())
        .purpose("sid")
        .max_age(Duration::from_secs(2 * IDLE));
    SessionCookie::new(codec, CookieConfig::new(name).unwrap()).unwrap()
}

/// The session ID in the jar's cookie, verified with `keys`.
fn session_id(jar: &Jar, keys: &str) -> SessionId {
    sid_cookie(keys, COOKIE)
        .load::<SessionId>([jar.header().as_str()], SystemTime::now())
        .into_decoded()
        .expect("a valid signed session ID in the cookie")
        .value
}

fn redis_key(prefix: &str, id: &SessionId) -> String {
    format!("{prefix}:session:{}", id.to_base64url())
}

fn stored(url: &str, key: &str) -> Option<serde_json::Value> {
    let json: Option<String> = connect(url).get(key).unwrap();
    json.map(|json| serde_json::from_str(&json).unwrap())
}

fn ttl(url: &str, key: &str) -> i64 {
    connect(url).ttl(key).unwrap()
}

fn login(app: &RunningApp, jar: &mut Jar, user: &str) -> Reply {
    let reply = jar.post(&agent(), &app.url("/login"), &[("username", user)]);
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some("/"));
    reply
}

fn token(jar: &Jar) -> String {
    jar.cookies
        .get(COOKIE)
        .expect("session cookie in the jar")
        .clone()
}

fn is_removal(set_cookies: &[String]) -> bool {
    set_cookies
        .iter()
        .any(|c| c.starts_with("__Host-sid=; ") && c.contains("Max-Age=0"))
}

#[test]
fn login_stores_the_session_in_redis_and_reload_reads_it() {
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "login");
    let app = start_app(&url, &prefix.prefix, KEYS_1, IDLE);
    let mut jar = Jar::default();
    let home = jar.get(&agent(), &app.url("/"));
    assert!(home.body.contains("id=\"anonymous\""));
    assert!(home.set_cookies.is_empty(), "a visit alone sets no cookie");
    assert!(prefix.keys().is_empty(), "and stores nothing");

    let reply = login(&app, &mut jar, "alice");
    assert_eq!(reply.set_cookies.len(), 1);
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with("__Host-sid="), "{set_cookie}");
    assert!(
        set_cookie.ends_with("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1200"),
        "{set_cookie}"
    );
    // The cookie holds only the signed ID: a short signed token...
    let token = token(&jar);
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
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "fixation");
    let app = start_app(&url, &prefix.prefix, KEYS_1, IDLE);
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
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "logout");
    let app = start_app(&url, &prefix.prefix, KEYS_1, IDLE);
    let mut jar = Jar::default();
    login(&app, &mut jar, "carol");
    jar.get(&agent(), &app.url("/counter"));
    let stolen = jar.clone();
    let key = redis_key(&prefix.prefix, &session_id(&jar, KEYS_1));
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
fn ttl_is_the_idle_lifetime_and_is_refreshed_on_use() {
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "ttl");
    let app = start_app(&url, &prefix.prefix, KEYS_1, IDLE);
    let mut jar = Jar::default();
    login(&app, &mut jar, "dave");
    let key = redis_key(&prefix.prefix, &session_id(&jar, KEYS_1));
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
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "expiry");
    // A 2-second idle lifetime; the signed cookie itself stays valid for 4 s.
    let app = start_app(&url, &prefix.prefix, KEYS_1, 2);
    let mut jar = Jar::default();
    login(&app, &mut jar, "erin");
    let key = redis_key(&prefix.prefix, &session_id(&jar, KEYS_1));
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
    let Some(url) = shared_redis() else { return };
    let prefix = Prefix::new(&url, "rolling");
    // Idle 8 s: the cookie is re-signed once it is 1 s old (1/8).
    let app = start_app(&url, &prefix.prefix, KEYS_1, 8);
    let mut jar = Jar::default();
    login(&app, &mut jar, "fay");
    let first = token(&jar);
    let id = session_id(&jar, KEYS_1);
    std::thread::sleep(Duration::from_millis(2100));
    let reply = jar.get(&agent(), &app.url("/"));
    assert_eq!(reply.user(), Some("fay"));
    assert_eq!(reply.set_cookies.len(), 1, "an aging cookie is re-signed");
    assert!(reply.set_cookies[0].contains("Max-Age=16"));
    assert_ne!(token(&jar), first);
    assert_eq!(session_id(&jar, KEYS_1), id, "with the same ID");
    assert_eq!(
        inspect(&token(&jar)).unwrap().created_at(),
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
    let old_token = token(&jar);
    assert_eq!(inspect(&old_token).unwrap().key_id(), 1);
    let id = session_id(&jar, KEYS_1);

    // Key 2 staged and promoted ("2:<new>,1:<old>"): the old cookie still
    // verifies and is re-signed under key 2, with the same ID.
    let rotated = format!("{KEY_2},{KEYS_1}");
    let app = start_app(&url, &prefix.prefix, &rotated, IDLE);
    let home = jar.get(&agent(), &app.url("/"));
    assert_eq!((home.user(), home.count()), (Some("grace"), Some(1)));
    assert_eq!(home.set_cookies.len(), 1, "old-key cookie is re-signed");
    assert_eq!(inspect(&token(&jar)).unwrap().key_id(), 2);
    assert_eq!(session_id(&jar, &rotated), id, "same session ID");
    assert_eq!(prefix.keys(), [redis_key(&prefix.prefix, &id)]);
    let again = jar.get(&agent(), &app.url("/"));
    assert!(again.set_cookies.is_empty(), "primary-key cookie is kept");
    drop(app);

    // Key 1 retired: the re-signed cookie works, the old one is rejected.
    let app = start_app(&url, &prefix.prefix, KEY_2, IDLE);
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("grace"));
    let mut stale = Jar::default();
    stale.cookies.insert(COOKIE.to_owned(), old_token);
    let reply = stale.get(&agent(), &app.url("/"));
    assert_eq!((reply.status, reply.user()), (200, None));
    assert!(is_removal(&reply.set_cookies));
    assert!(app.stderr_contains("unknown key id 1"));
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
    let mut jar = Jar::default();
    let reply = login(&app, &mut jar, "heidi");
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with("sid="), "{set_cookie}");
    // Default idle lifetime 8 h: the signed token and cookie live 16 h.
    assert!(
        set_cookie.ends_with("; HttpOnly; SameSite=Lax; Path=/; Max-Age=57600"),
        "{set_cookie}"
    );
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("heidi"));
    let key = prefix.keys().pop().expect("one session key");
    assert!((28_790..=28_800).contains(&ttl(&url, &key)));
    assert!(app.stderr_contains("COOKIE_SEAL_INSECURE=1"));
}

#[test]
fn forged_and_tampered_ids_cause_no_redis_command() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    let mut stats = connect(&url);
    let app = start_app(&url, "forgery", KEYS_1, IDLE);
    let mut jar = Jar::default();
    login(&app, &mut jar, "ivan");
    let good = token(&jar);
    let id = session_id(&jar, KEYS_1);

    // Tokens a client can make without the key, or with it for something else.
    let middle = good.len() / 2;
    let flipped = if &good[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{flipped}{}", &good[..middle], &good[middle + 1..]);
    let mint = |cookies: SessionCookie, at: SystemTime| {
        let set = cookies
            .store(&id, &EncodeOptions::new(), &PresentCookies::none(), at)
            .unwrap();
        let mut minted = Jar::default();
        minted.apply(&set);
        minted.cookies.into_values().next().unwrap()
    };
    let now = SystemTime::now();
    let other_key = "1:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc";
    let forged = mint(sid_cookie(other_key, COOKIE), now);
    let unknown_key = mint(sid_cookie(KEY_2, COOKIE), now);
    let other_name = mint(sid_cookie(KEYS_1, "__Host-other"), now);
    let expired = mint(
        sid_cookie(KEYS_1, COOKIE),
        now - Duration::from_secs(3 * IDLE),
    );
    let other_purpose = {
        let codec = Codec::signed(KEYS_1.parse().unwrap()); // purpose "session"
        let cookies = SessionCookie::new(codec, CookieConfig::new(COOKIE).unwrap()).unwrap();
        mint(cookies, now)
    };
    let bad_tokens = [
        ("tampered", tampered),
        ("forged with another key", forged),
        ("unknown key id", unknown_key),
        ("minted for another cookie", other_name),
        ("minted for another purpose", other_purpose),
        ("expired", expired),
        ("garbage", "garbage".to_owned()),
        ("empty", String::new()),
        ("oversized", "A".repeat(6000)),
    ];
    for (what, bad) in &bad_tokens {
        let mut evil = Jar::default();
        evil.cookies.insert(COOKIE.to_owned(), bad.clone());
        let commands = commands_during(&mut stats, || {
            let reply = evil.get(&agent(), &app.url("/"));
            assert_eq!(reply.status, 200, "{what}");
            assert!(reply.body.contains("id=\"anonymous\""), "{what}");
            assert!(is_removal(&reply.set_cookies), "{what}: cookie deleted");
            evil.cookies.insert(COOKIE.to_owned(), bad.clone());
            let reply = evil.post(&agent(), &app.url("/logout"), &[]);
            assert_eq!(reply.status, 303, "{what}");
        });
        assert!(
            commands.is_empty(),
            "{what}: a cookie that does not verify caused Redis commands {commands:?}"
        );
        // Logging in over a forged cookie deletes nothing: only the new key
        // is written.
        evil.cookies.insert(COOKIE.to_owned(), bad.clone());
        let commands = commands_during(&mut stats, || {
            login(&app, &mut evil, "mallory");
        });
        assert_eq!(commands, expect_commands(&[("set", 1)]), "{what}");
    }
    assert!(app.stderr_contains("session cookie rejected: invalid token"));
    assert!(app.stderr_contains("unknown key id 2"));
    assert!(app.stderr_contains("token expired"));
    // The control: the genuine cookie does reach Redis, with one command.
    let commands = commands_during(&mut stats, || {
        assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("ivan"));
    });
    assert_eq!(commands, expect_commands(&[("getex", 1)]));
}

#[test]
fn redis_commands_per_request() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    let mut stats = connect(&url);
    let app = start_app(&url, "per-request", KEYS_1, IDLE);
    let mut jar = Jar::default();
    let mut table = Vec::new();
    let mut step = |what: &str, expected: &[(&str, u64)], request: &mut dyn FnMut(&mut Jar)| {
        let commands = commands_during(&mut stats, || request(&mut jar));
        assert_eq!(commands, expect_commands(expected), "{what}");
        table.push(format!("{what:<40} {commands:?}"));
    };
    step("GET / without a cookie", &[], &mut |jar| {
        assert_eq!(jar.get(&agent(), &app.url("/")).status, 200);
    });
    step("GET /counter, new session", &[("set", 1)], &mut |jar| {
        assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(1));
    });
    step(
        "POST /login over a session",
        &[("del", 1), ("set", 1)],
        &mut |jar| {
            login(&app, jar, "judy");
        },
    );
    step("GET / signed in", &[("getex", 1)], &mut |jar| {
        assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("judy"));
    });
    step(
        "GET /counter signed in",
        &[("getex", 1), ("set", 1)],
        &mut |jar| {
            assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(1));
        },
    );
    step("POST /logout", &[("del", 1)], &mut |jar| {
        assert_eq!(jar.post(&agent(), &app.url("/logout"), &[]).status, 303);
    });
    step("POST /login without a cookie", &[("set", 1)], &mut |jar| {
        login(&app, jar, "judy");
    });
    eprintln!(
        "Redis commands per request (INFO commandstats):\n{}",
        table.join("\n")
    );
}

#[test]
fn redis_going_away_gives_a_503_not_a_panic() {
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    let app = start_app(&url, "outage", KEYS_1, IDLE);
    let mut jar = Jar::default();
    login(&app, &mut jar, "kim");
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("kim"));

    redis.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let response = agent()
            .get(&app.url("/"))
            .header("cookie", jar.header())
            .call()
            .expect("the app still answers");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the 503 comes within the app's store timeout"
        );
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
        let body = response.into_body().read_to_string().unwrap();
        assert!(body.contains("The session store is unavailable"), "{body}");
        assert!(
            !body.contains("refused") && !body.contains("redis://"),
            "no internals in the page: {body}"
        );
    }
    for (method, path) in [("POST", "/login"), ("POST", "/logout"), ("GET", "/counter")] {
        let reply = match method {
            "POST" => jar.post(&agent(), &app.url(path), &[("username", "kim")]),
            _ => jar.get(&agent(), &app.url(path)),
        };
        assert_eq!(reply.status, 503, "{method} {path}");
        assert!(reply.set_cookies.is_empty(), "{method} {path}: cookie kept");
    }
    assert_eq!(jar.cookies.len(), 1, "the client keeps its cookie");
    // Pages that need no session still work.
    let anonymous = Jar::default().get(&agent(), &app.url("/"));
    assert_eq!(anonymous.status, 200);
    assert!(app.stderr_contains("session store unavailable"));
    assert!(!app.stderr().contains("panicked"));
    assert!(!app.stderr().contains(&redis.password));

    // Redis comes back (empty: it kept nothing on disk): the app reconnects
    // by itself; the old session is gone, a new login works.
    let port = redis.port;
    let password = redis.password.clone();
    drop(redis);
    let _redis = PrivateRedis::start_on(port, &password).expect("restart redis-server");
    let deadline = Instant::now() + Duration::from_secs(15);
    let home = loop {
        let reply = jar.get(&agent(), &app.url("/"));
        if reply.status != 503 || Instant::now() > deadline {
            break reply;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(home.status, 200, "the app recovered: {}", home.body);
    assert_eq!(home.user(), None, "the data died with that Redis");
    login(&app, &mut jar, "kim");
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("kim"));
}

#[test]
fn bad_redis_settings_stop_the_app_without_printing_the_password() {
    let Some(url) = shared_redis() else { return };
    let run = |redis_url: &str| {
        let output = Command::new(support::example_binary(APP))
            .env("PORT", "0")
            .env("SESSION_KEYS", KEYS_1)
            .env("REDIS_URL", redis_url)
            .env_remove("REDIS_KEY_PREFIX")
            .env_remove("SESSION_IDLE_SECONDS")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!output.status.success(), "{redis_url}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let real = password_of(&url).expect("the test Redis has a password");
    let wrong = format!("not-{}", random_text());
    let wrong_url = url.replacen(&real, &wrong, 1);
    let stderr = run(&wrong_url);
    assert!(
        stderr.contains("cannot connect to Redis at redis://127.0.0.1:"),
        "{stderr}"
    );
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(
        !stderr.contains(&wrong) && !stderr.contains(&real),
        "{stderr}"
    );

    // Nothing listens on a port just released.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = random_text();
    let stderr = run(&format!("redis://:{secret}@127.0.0.1:{closed}/"));
    assert!(
        stderr.contains(&format!(
            "cannot connect to Redis at redis://127.0.0.1:{closed}/0"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains(&secret), "{stderr}");

    let stderr = run(&format!("http://:{secret}@127.0.0.1/"));
    assert!(stderr.contains("REDIS_URL"), "{stderr}");
    assert!(!stderr.contains(&secret), "{stderr}");
}

/// Not a test of speed (benchmarks are for that): prints the request rate
/// of login + read cycles on loopback and the Redis commands they cost.
/// Bounded by count and time. Run with
/// `cargo test --release --test redis_sessions -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; run with --ignored --nocapture"]
fn measure_login_read_cycles() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    let mut stats = connect(&url);
    let app = start_app(&url, "measure", KEYS_1, IDLE);
    let client = agent(); // one keep-alive connection, as a browser would
    let cycles_max = 2000u32;
    let time_max = Duration::from_secs(20);
    let mut cycles = 0u32;
    let mut elapsed = Duration::ZERO;
    let commands = commands_during(&mut stats, || {
        let started = Instant::now();
        let mut jar = Jar::default();
        while cycles < cycles_max && started.elapsed() < time_max {
            let reply = jar.post(&client, &app.url("/login"), &[("username", "loop")]);
            assert_eq!(reply.status, 303);
            assert_eq!(jar.get(&client, &app.url("/")).user(), Some("loop"));
            cycles += 1;
        }
        elapsed = started.elapsed();
    });
    let requests = 2.0 * f64::from(cycles);
    let total: u64 = commands.values().sum();
    eprintln!(
        "{cycles} login+read cycles ({requests} requests) in {:.2} s: {:.0} requests/s, \
         {:.0} cycles/s; Redis commands {commands:?} = {:.2} per request",
        elapsed.as_secs_f64(),
        requests / elapsed.as_secs_f64(),
        f64::from(cycles) / elapsed.as_secs_f64(),
        total as f64 / requests,
    );
    // Each cycle: login = DEL old + SET new (the first login only SET), read = GETEX.
    assert_eq!(commands.get("getex"), Some(&u64::from(cycles)));
    assert_eq!(commands.get("set"), Some(&u64::from(cycles)));
    assert_eq!(commands.get("del"), Some(&u64::from(cycles - 1)));
}
