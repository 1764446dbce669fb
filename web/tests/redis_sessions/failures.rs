//! Redis down at start, and killed and restarted under the running app.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::app::{start_app, Redis, APP, COOKIE, FRAMEWORKS};
use crate::servers::PrivateRedis;
use crate::support::{self, agent, logged_in, Jar, KEYS_1};

#[test]
fn redis_down_at_start_stops_the_app_with_a_clear_error_and_no_password() {
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    redis.kill();
    for framework in FRAMEWORKS {
        let output = Command::new(support::example_binary(APP))
            .env("PORT", "0")
            .env("SESSION_KEYS", KEYS_1)
            .env("REDIS_URL", &url)
            .env("FRAMEWORK", framework)
            .env_remove("REDIS_CLUSTER_URLS")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{framework}: {stderr}");
        assert!(
            stderr.contains("Redis unreachable"),
            "{framework}: {stderr}"
        );
        assert!(!stderr.contains(&redis.password), "{framework}: {stderr}");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("listening on"));
    }
}

#[test]
fn redis_killed_mid_run_gives_503s_keeps_cookies_and_recovers_without_a_restart() {
    // With an append-only file, as a production Redis keeps its data.
    let Some(mut redis) = PrivateRedis::start_with("appendonly yes\nappendfsync always") else {
        return;
    };
    for framework in FRAMEWORKS {
        let url = redis.url();
        let app = start_app(framework, "server", &Redis::Standalone(&url), "outage:");
        let mut jar = logged_in(&app, "kim");
        assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(1));
        let cookie = jar.token(COOKIE);

        redis.kill();
        for path in ["/", "/counter"] {
            let started = Instant::now();
            let reply = jar.get(&agent(), &app.url(path));
            assert_eq!(reply.status, 503, "{framework} {path}: {}", reply.body);
            assert!(
                reply.set_cookies.is_empty(),
                "{framework} {path}: no cookie change"
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{framework} {path}"
            );
        }
        let reply = jar.post(&agent(), &app.url("/logout"), &[]);
        assert_eq!(
            reply.status, 503,
            "{framework}: a logout that cannot delete says so"
        );
        assert_eq!(
            jar.token(COOKIE),
            cookie,
            "{framework}: the client keeps its cookie"
        );
        // A visitor without a session needs no store.
        assert_eq!(Jar::default().get(&agent(), &app.url("/")).status, 200);

        redis.restart();
        let deadline = Instant::now() + Duration::from_secs(15);
        let home = loop {
            let reply = jar.get(&agent(), &app.url("/"));
            if reply.status != 503 || Instant::now() > deadline {
                break reply;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(home.status, 200, "{framework}: recovered: {}", home.body);
        assert_eq!(home.user(), Some("kim"), "{framework}: the same session");
        assert_eq!(jar.get(&agent(), &app.url("/counter")).count(), Some(2));
        assert!(!app.stderr().contains("panicked"), "{framework}");
        assert!(!app.stderr().contains(&redis.password), "{framework}");
    }
}
