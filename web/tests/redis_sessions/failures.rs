//! Redis going away, and bad Redis settings at startup.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::app::{start_app, APP, IDLE};
use crate::redis_server::{password_of, random_text, shared_redis, PrivateRedis};
use crate::support::{self, agent, logged_in, login, Jar, KEYS_1};

#[test]
fn redis_going_away_gives_a_503_not_a_panic() {
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let url = redis.url();
    let app = start_app(&url, "outage", KEYS_1, IDLE);
    let mut jar = logged_in(&app, "kim");
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
