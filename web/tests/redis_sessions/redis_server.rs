//! The Redis servers the tests use: the shared one from the environment
//! (with a key prefix per test) or a private `redis-server` per test, and
//! counting the commands the app sends.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cookie_seal::SessionId;
use redis::Commands;

use crate::support::skip;

pub const URL_VAR: &str = "COOKIE_SEAL_TEST_REDIS_URL";
pub const REQUIRE_VAR: &str = "COOKIE_SEAL_REQUIRE_REDIS";

/// The shared test Redis from `COOKIE_SEAL_TEST_REDIS_URL`.
pub fn shared_redis() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => skip(
            REQUIRE_VAR,
            &format!(
                "the Redis tests: {URL_VAR} is not set (e.g. redis://:PASSWORD@127.0.0.1:6379/; \
             `bash .ci/steps/50-redis.sh` starts one and runs these tests)"
            ),
        ),
    }
}

pub fn password_of(url: &str) -> Option<String> {
    let client = redis::Client::open(url).unwrap();
    let info = client.get_connection_info();
    info.redis_settings().password().map(str::to_owned)
}

pub fn connect(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to the test Redis")
}

/// A random text for key prefixes and passwords (base64url: URL- and
/// prefix-safe).
pub fn random_text() -> String {
    SessionId::generate().unwrap().to_base64url()
}

/// A key prefix of its own for one test; its keys are deleted on drop.
pub struct Prefix {
    pub url: String,
    pub prefix: String,
}

impl Prefix {
    pub fn new(url: &str, test: &str) -> Prefix {
        Prefix {
            url: url.to_owned(),
            prefix: format!("cs-test:{test}:{}", &random_text()[..10]),
        }
    }

    pub fn keys(&self) -> Vec<String> {
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
pub struct PrivateRedis {
    child: Child,
    pub port: u16,
    pub password: String,
}

impl PrivateRedis {
    pub fn binary() -> String {
        std::env::var("COOKIE_SEAL_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
    }

    /// A new instance, or `None` (skip) when the tests are not enabled or
    /// `redis-server` is missing.
    pub fn start() -> Option<PrivateRedis> {
        shared_redis()?;
        let found = Command::new(Self::binary())
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
        if !found {
            return skip(
                REQUIRE_VAR,
                &format!("the Redis tests: {} is not installed", Self::binary()),
            );
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
    pub fn start_on(port: u16, password: &str) -> Result<PrivateRedis, String> {
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

    pub fn url(&self) -> String {
        format!("redis://:{}@127.0.0.1:{}/", self.password, self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
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
pub fn command_calls(con: &mut redis::Connection) -> BTreeMap<String, u64> {
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
pub fn commands_during(
    con: &mut redis::Connection,
    action: impl FnOnce(),
) -> BTreeMap<String, u64> {
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

pub fn expect_commands(expected: &[(&str, u64)]) -> BTreeMap<String, u64> {
    expected
        .iter()
        .map(|(name, calls)| ((*name).to_owned(), *calls))
        .collect()
}
