//! The Redis servers the Redis tests use (also included by the web tests):
//! - the shared standalone server, `COOKIE_SEAL_TEST_REDIS_URL`, and the
//!   shared Cluster, `COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS` (comma-separated
//!   node URLs), both started by `.ci/steps/50-redis.sh`;
//! - private `redis-server`s a test starts, kills and restarts itself (on
//!   free loopback ports, with a random password), for the fault tests.
//!
//! Without the variables the tests skip with a message. The CI step sets
//! `COOKIE_SEAL_REQUIRE_REDIS=1`, which makes a missing server a failure
//! (`.ci/run`'s earlier `cargo test --workspace`, before the step starts the
//! servers, skips them).

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::io::Write as _;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const URL_VAR: &str = "COOKIE_SEAL_TEST_REDIS_URL";
pub const CLUSTER_VAR: &str = "COOKIE_SEAL_TEST_REDIS_CLUSTER_URLS";
pub const REQUIRE_VAR: &str = "COOKIE_SEAL_REQUIRE_REDIS";

/// Whether a missing server fails the test instead of skipping it.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1")
}

/// `None` with a message (outside CI), or a failure (in CI).
pub fn skip<T>(why: &str) -> Option<T> {
    assert!(!required(), "{REQUIRE_VAR}=1, but {why}");
    eprintln!(
        "skipped: {why} (`bash .ci/steps/50-redis.sh` starts the servers and runs these tests)"
    );
    None
}

/// The shared standalone Redis URL.
pub fn standalone_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => skip(&format!("{URL_VAR} is not set")),
    }
}

/// The shared Cluster's node URLs.
pub fn cluster_urls() -> Option<Vec<String>> {
    match std::env::var(CLUSTER_VAR) {
        Ok(urls) if !urls.is_empty() => Some(urls.split(',').map(str::to_owned).collect()),
        _ => skip(&format!("{CLUSTER_VAR} is not set")),
    }
}

/// A random text (base64url), for passwords and key prefixes.
pub fn random_text() -> String {
    cookie_seal::SessionId::generate()
        .unwrap()
        .to_base64url()
        .replace(['-', '_'], "x")
}

/// A key prefix no other test uses.
pub fn test_prefix(test: &str) -> String {
    format!("cs-test:{test}:{}:", &random_text()[..10])
}

fn binary() -> String {
    std::env::var("COOKIE_SEAL_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A sync admin connection to one node.
pub fn admin(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to the test Redis")
}

/// A `redis-server` of the test's own, killed on drop.
pub struct PrivateRedis {
    child: Option<Child>,
    pub port: u16,
    pub password: String,
    dir: PathBuf,
    extra: String,
}

impl PrivateRedis {
    /// A new server on a free port, or `None` (skip) when the Redis tests
    /// are not enabled or `redis-server` is missing.
    pub fn start() -> Option<PrivateRedis> {
        PrivateRedis::start_with("")
    }

    /// As [`start`](Self::start), with extra config lines.
    pub fn start_with(extra: &str) -> Option<PrivateRedis> {
        standalone_url()?;
        let found = Command::new(binary())
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
        if !found {
            return skip(&format!("{} is not installed", binary()));
        }
        let dir = std::env::temp_dir().join(format!("cs-redis-{}", random_text()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = PrivateRedis {
            child: None,
            port: free_port(),
            password: random_text(),
            dir,
            extra: extra.to_owned(),
        };
        redis.restart();
        Some(redis)
    }

    /// Starts the server again on the same port (after [`kill`](Self::kill)),
    /// and waits until it answers.
    pub fn restart(&mut self) {
        let mut child = Command::new(binary())
            .arg("-")
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let config = format!(
            "port {}\nbind 127.0.0.1\nrequirepass {pw}\nmasterauth {pw}\nsave \"\"\n\
             appendonly no\ndir {}\n{}\n",
            self.port,
            self.dir.display(),
            self.extra,
            pw = self.password,
        );
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(config.as_bytes()).unwrap();
        drop(stdin);
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ping = redis::Client::open(self.url().as_str())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(300)))
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            if ping.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer",
                self.port
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn url(&self) -> String {
        format!("redis://:{}@127.0.0.1:{}/", self.password, self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server: it keeps its
    /// connections open and answers nothing, as a stalled server would.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A private Cluster: 3 masters and 3 replicas, node timeout 1 s, made by
/// `redis-cli --cluster create`. Killed on drop.
pub struct PrivateCluster {
    pub nodes: Vec<PrivateRedis>,
}

impl PrivateCluster {
    pub fn start() -> Option<PrivateCluster> {
        let first = PrivateRedis::start_with(&cluster_config())?;
        let password = first.password.clone();
        let mut nodes = vec![first];
        for _ in 0..5 {
            let mut node = PrivateRedis {
                child: None,
                port: free_port(),
                password: password.clone(),
                dir: std::env::temp_dir().join(format!("cs-redis-{}", random_text())),
                extra: cluster_config(),
            };
            std::fs::create_dir_all(&node.dir).unwrap();
            node.restart();
            nodes.push(node);
        }
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let mut create = Command::new("redis-cli")
            .env("REDISCLI_AUTH", &password)
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-cli");
        // redis-cli's MEETs are sometimes lost on a fresh node (seen with
        // Redis 7.0: "Waiting for the cluster to join" forever); repeating
        // them while it waits is harmless.
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = create.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "redis-cli --cluster create hangs"
            );
            std::thread::sleep(Duration::from_millis(500));
            for node in &nodes[1..] {
                let _: redis::RedisResult<()> = redis::cmd("CLUSTER")
                    .arg("MEET")
                    .arg("127.0.0.1")
                    .arg(nodes[0].port)
                    .query(&mut admin(&node.url()));
            }
        };
        assert!(status.success(), "redis-cli --cluster create failed");
        let cluster = PrivateCluster { nodes };
        cluster.wait_until_ok();
        Some(cluster)
    }

    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(PrivateRedis::url).collect()
    }

    /// Waits until every live node says `cluster_state:ok` and agrees on
    /// 3 masters serving every slot.
    pub fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self.nodes.iter().filter(|n| n.child.is_some()).all(|node| {
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query(&mut admin(&node.url()))
                    .unwrap_or_default();
                info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384")
            });
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "the cluster did not become ok");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The index (in `nodes`) of the master serving `slot`, from a live node.
    pub fn master_of_slot(&self, slot: u16) -> usize {
        let live = self.nodes.iter().find(|n| n.child.is_some()).unwrap();
        let slots: redis::Value = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query(&mut admin(&live.url()))
            .unwrap();
        let redis::Value::Array(ranges) = slots else {
            panic!("CLUSTER SLOTS: {slots:?}")
        };
        for range in ranges {
            let redis::Value::Array(range) = range else {
                continue;
            };
            let start: u16 = redis::from_redis_value(range[0].clone()).unwrap();
            let end: u16 = redis::from_redis_value(range[1].clone()).unwrap();
            if (start..=end).contains(&slot) {
                let redis::Value::Array(master) = &range[2] else {
                    continue;
                };
                let port: u16 = redis::from_redis_value(master[1].clone()).unwrap();
                return self.nodes.iter().position(|n| n.port == port).unwrap();
            }
        }
        panic!("slot {slot} is not served");
    }
}

fn cluster_config() -> String {
    "cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 1000\n".to_owned()
}

/// The Cluster hash slot of `key` (asked of the server).
pub fn key_slot(url: &str, key: &str) -> u16 {
    redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(key)
        .query(&mut admin(url))
        .unwrap()
}
