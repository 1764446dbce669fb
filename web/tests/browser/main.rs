//! A real browser: headless Chromium, driven over WebDriver (chromedriver's
//! JSON over HTTP, spoken with `ureq`), against the `axum_app` example and a
//! small server that sets cookies at the size limit.
//!
//! Skips with a message when `chromium` or `chromedriver` is missing, unless
//! `COOKIE_SEAL_REQUIRE_BROWSER=1` (as in `.ci/steps/40-browser.sh`), which
//! turns the skip into a failure. `CHROMIUM` and `CHROMEDRIVER` override the
//! binaries' paths.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

mod limit_server;
mod webdriver;

use std::time::SystemTime;

use cookie_seal::consts::MAX_COOKIE_LEN;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Keyring, SessionMap};
use serde_json::json;
use support::{RunningApp, KEYS_1};

use limit_server::{serve, LimitServer};
use webdriver::{browser_or_skip, report};

#[test]
fn chromium_logs_in_reloads_and_reads_back_the_session() {
    let Some(browser) = browser_or_skip("chromium_logs_in_reloads_and_reads_back_the_session")
    else {
        return;
    };
    // Secure mode (`__Host-session`, `Secure`) on plain http: Chromium keeps
    // Secure cookies from http://127.0.0.1, which this test relies on.
    let app = RunningApp::start("axum_app", &[("SESSION_KEYS", Some(KEYS_1))]);
    browser.goto(&app.url("/"));
    browser.wait_for_text("Not signed in");
    assert!(browser.cookie("__Host-session").is_none());

    browser.type_into("input[name=username]", "alice");
    browser.click("#login");
    browser.wait_for_text("Signed in as alice");
    let cookie = browser
        .cookie("__Host-session")
        .expect("Chromium stored the session cookie");
    assert_eq!(cookie["httpOnly"], json!(true), "{cookie}");
    assert_eq!(cookie["secure"], json!(true), "{cookie}");
    assert_eq!(cookie["sameSite"], json!("Lax"), "{cookie}");
    assert_eq!(cookie["path"], json!("/"), "{cookie}");
    assert!(cookie["expiry"].is_u64(), "persistent cookie: {cookie}");

    browser.goto(&app.url("/counter"));
    browser.wait_for_text("Visits: 1");
    browser.refresh();
    browser.wait_for_text("Visits: 2");
    browser.refresh();
    browser.wait_for_text("Visits: 3");
    browser.goto(&app.url("/"));
    let home = browser.wait_for_text("Signed in as alice");
    assert!(home.contains("Visits counted: 3"), "{home}");

    // The stored value is a session the app's keys open, bound to the name.
    let stored = format!(
        "__Host-session={}",
        cookie["value"].as_str().unwrap_or_default()
    );
    let cookies = SessionCookie::new(
        Codec::sealed(KEYS_1.parse::<Keyring>().unwrap()),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    let loaded = cookies.load::<SessionMap>([stored.as_str()], SystemTime::now());
    assert_eq!(
        loaded.session().get::<String>("user").unwrap().as_deref(),
        Some("alice")
    );

    browser.click("#logout");
    browser.wait_for_text("Not signed in");
    assert!(
        browser.cookie("__Host-session").is_none(),
        "logout deleted the cookie"
    );

    // The same Secure, __Host- cookie from http://localhost is kept too.
    let localhost = app.url("/").replace("127.0.0.1", "localhost");
    browser.goto(&localhost);
    browser.wait_for_text("Not signed in");
    browser.type_into("input[name=username]", "bob");
    browser.click("#login");
    browser.wait_for_text("Signed in as bob");
    let cookie = browser.cookie("__Host-session").expect("kept on localhost");
    assert_eq!(cookie["secure"], json!(true), "{cookie}");
    assert_eq!(cookie["domain"], json!("localhost"), "{cookie}");
    report(&format!(
        "browser: Chromium {} logged in, counted 3 reloads, logged out, and kept the Secure __Host- cookie on http://127.0.0.1 and http://localhost",
        browser.version
    ));
}

/// The cookie-size limit in Chromium, against a small server that sets one
/// session cookie through the crate at exactly name + value = 4096 bytes,
/// tries the next session size up (the crate refuses it), and sets
/// hand-made cookies of 4094 to 4099 bytes bypassing the crate.
#[test]
fn chromium_keeps_the_largest_cookie_the_crate_allows_and_drops_one_byte_more() {
    let Some(browser) = browser_or_skip(
        "chromium_keeps_the_largest_cookie_the_crate_allows_and_drops_one_byte_more",
    ) else {
        return;
    };
    let limits = LimitServer::new();
    let base = serve(limits.clone().router());

    // 1. The largest session cookie the crate writes: stored and sent back.
    browser.goto(&format!("{base}/crate/max"));
    let text = browser.wait_for_text("set __Host-big");
    assert!(text.contains("name+value 4096 bytes"), "{text}");
    let stored = browser.cookie("__Host-big").expect("Chromium kept it");
    let value_len = stored["value"].as_str().unwrap().len();
    assert_eq!("__Host-big".len() + value_len, MAX_COOKIE_LEN);
    browser.goto(&format!("{base}/echo"));
    let echo = browser.wait_for_text("big:");
    assert!(echo.contains("__Host-big 4096"), "{echo}");
    assert!(
        echo.contains(&format!("big: verified pad={}", limits.max_pad)),
        "{echo}"
    );

    // 2. One byte more session: the crate refuses it, nothing is set.
    browser.goto(&format!("{base}/crate/over"));
    let refused = browser.wait_for_text("refused");
    assert!(refused.contains("too large"), "{refused}");
    browser.goto(&format!("{base}/echo"));
    let echo = browser.wait_for_text("big:");
    assert!(
        echo.contains("__Host-big 4096"),
        "the 4096-byte cookie is unchanged: {echo}"
    );

    // 3. Hand-made cookies around the limit, bypassing the crate.
    let sizes = 4094..=4099;
    for total in sizes.clone() {
        browser.goto(&format!("{base}/raw/{total}"));
        browser.wait_for_text(&format!("raw {total}"));
    }
    browser.goto(&format!("{base}/echo"));
    let echo = browser.wait_for_text("big:");
    let kept: Vec<usize> = sizes
        .clone()
        .filter(|total| echo.contains(&format!("raw{total} {total}\n")))
        .collect();
    let stored: Vec<usize> = sizes
        .clone()
        .filter(|total| browser.cookie(&format!("raw{total}")).is_some())
        .collect();
    assert_eq!(kept, stored, "what Chromium stores is what it sends");
    assert_eq!(kept, [4094, 4095, 4096], "{echo}");
    let largest = kept.iter().max().copied().unwrap_or_default();
    report(&format!(
        "browser: Chromium {} kept hand-made cookies up to {largest} bytes (name + value) and \
         dropped {:?}; cookie-seal's largest session cookie: {} bytes (__Host-big + {value_len}-byte \
         token), the next session size up refused with TooLarge",
        browser.version,
        sizes.filter(|t| !kept.contains(t)).collect::<Vec<_>>(),
        "__Host-big".len() + value_len,
    ));
}
