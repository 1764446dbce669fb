//! The Redis commands each request causes, as `MONITOR` sees them on a
//! private Redis (issue 20, item 3): a forged cookie causes none; an
//! untouched session is one read and writes nothing; a change is one read
//! and one atomic write (one `EVALSHA`, whose script's commands run inside
//! Redis); a session riding in the cookie (Hybrid) causes none.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use crate::app::{start_app, Redis, COOKIE, FRAMEWORKS};
use crate::servers::{admin, PrivateRedis};
use crate::support::{agent, logged_in, tampered, Jar, RunningApp};

/// `redis-cli MONITOR` on the server, and a connection to mark where each
/// request's commands end.
struct Monitor {
    child: Child,
    lines: Receiver<String>,
    marker: redis::Connection,
    marks: u32,
}

impl Monitor {
    fn start(redis: &PrivateRedis) -> Monitor {
        let mut child = Command::new("redis-cli")
            .env("REDISCLI_AUTH", &redis.password)
            .args(["-h", "127.0.0.1", "-p", &redis.port.to_string(), "monitor"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-cli monitor");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut monitor = Monitor {
            child,
            lines,
            marker: admin(&redis.url()),
            marks: 0,
        };
        monitor.during(|| ()); // until MONITOR is live
        monitor
    }

    /// The commands `action` caused: `(round trips, commands run by scripts)`,
    /// each as `"NAME"` (from the app's connection and inside Lua).
    fn during(&mut self, action: impl FnOnce()) -> (Vec<String>, Vec<String>) {
        action();
        self.marks += 1;
        let mark = format!("cookie-seal-mark-{}", self.marks);
        let (mut sent, mut scripted) = (Vec::new(), Vec::new());
        loop {
            let _: String = redis::cmd("ECHO")
                .arg(&mark)
                .query(&mut self.marker)
                .unwrap();
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("MONITOR output");
            if line.contains(&mark) {
                return (sent, scripted);
            }
            let Some(name) = line.split('"').nth(1) else {
                continue;
            };
            let name = name.to_ascii_uppercase();
            if name == "ECHO" {
                continue;
            }
            if line.contains(" lua] ") {
                scripted.push(name);
            } else {
                sent.push(name);
            }
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(app: &RunningApp, jar: &mut Jar, path: &str) -> u16 {
    jar.get(&agent(), &app.url(path)).status
}

#[test]
fn monitor_shows_no_command_for_forgeries_one_read_and_one_atomic_write() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    for framework in FRAMEWORKS {
        let app = start_app(framework, "server", &Redis::Standalone(&url), "mon:");
        let mut jar = logged_in(&app, "eve");
        get(&app, &mut jar, "/counter"); // the script is cached from here on
        let mut monitor = Monitor::start(&redis);

        for bad in [tampered(&jar.token(COOKIE)), "garbage".to_owned()] {
            let mut forged = Jar::with(COOKIE, &bad);
            let (sent, scripted) = monitor.during(|| assert_eq!(get(&app, &mut forged, "/"), 200));
            assert_eq!(
                (sent.len(), scripted.len()),
                (0, 0),
                "{framework}: {sent:?}"
            );
        }
        let (sent, scripted) = monitor.during(|| assert_eq!(get(&app, &mut jar, "/"), 200));
        assert_eq!(sent, ["HGETALL"], "{framework}: untouched = one read");
        assert!(scripted.is_empty(), "{framework}: and no write");

        let (sent, scripted) = monitor.during(|| assert_eq!(get(&app, &mut jar, "/counter"), 200));
        assert_eq!(
            sent,
            ["HGETALL", "EVALSHA"],
            "{framework}: a read and one atomic write"
        );
        assert!(scripted.contains(&"HSET".to_owned()), "{scripted:?}");
        assert!(scripted.contains(&"PEXPIRE".to_owned()), "{scripted:?}");
        assert!(
            scripted.contains(&"ZADD".to_owned()),
            "{framework}: the user index, same script"
        );
        eprintln!("{framework}: a write = 1 EVALSHA running {scripted:?}");
    }
}

#[test]
fn monitor_shows_no_command_for_a_hybrid_session_riding_in_the_cookie() {
    let Some(redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    for framework in FRAMEWORKS {
        let app = start_app(framework, "hybrid", &Redis::Standalone(&url), "mon:");
        let mut jar = Jar::default();
        let mut monitor = Monitor::start(&redis);
        let (sent, _) = monitor.during(|| {
            for _ in 0..3 {
                assert_eq!(get(&app, &mut jar, "/counter"), 200);
                assert_eq!(get(&app, &mut jar, "/"), 200);
            }
        });
        assert!(sent.is_empty(), "{framework}: {sent:?}");
        // Bound to a user: one check of the revocation marker per request.
        let mut signed_in = logged_in(&app, "eve");
        let (sent, _) = monitor.during(|| assert_eq!(get(&app, &mut signed_in, "/"), 200));
        assert_eq!(sent, ["GET"], "{framework}: the revocation check");
    }
}
