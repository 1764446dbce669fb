//! Which Redis commands a request causes: none for a cookie that does not
//! verify, one or two per request otherwise; and a bounded measurement.

use std::time::{Duration, Instant, SystemTime};

use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::Codec;

use crate::app::{is_removal, private_app, session_id, sid_cookie, COOKIE, IDLE};
use crate::redis_server::{commands_during, expect_commands};
use crate::support::{self, agent, logged_in, login, Jar, KEYS_1, KEY_2};

#[test]
fn forged_and_tampered_ids_cause_no_redis_command() {
    let Some((_redis, mut stats, app)) = private_app("forgery") else {
        return;
    };
    let mut jar = logged_in(&app, "ivan");
    let good = jar.token(COOKIE);
    let id = session_id(&jar, KEYS_1);

    // Tokens a client can make without the key, or with it for something else.
    let tampered = support::tampered(&good);
    // The token of a new session holding `id`, minted with `cookies`.
    let mint = |cookies: SessionCookie, at: SystemTime| {
        let pair = support::mint(&cookies, &id, at);
        pair.split_once('=').unwrap().1.to_owned()
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
    let Some((_redis, mut stats, app)) = private_app("per-request") else {
        return;
    };
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

/// Not a test of speed (benchmarks are for that): prints the request rate
/// of login + read cycles on loopback and the Redis commands they cost.
/// Bounded by count and time. Run with
/// `cargo test --release --test redis_sessions -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; run with --ignored --nocapture"]
fn measure_login_read_cycles() {
    let Some((_redis, mut stats, app)) = private_app("measure") else {
        return;
    };
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
