//! A real browser: headless Chromium, driven over WebDriver (chromedriver's
//! JSON over HTTP, spoken with `ureq`), against the `axum_app` example and a
//! small server that sets cookies at the size limit.
//!
//! Skips with a message when `chromium` or `chromedriver` is missing, unless
//! `COOKIE_SEAL_REQUIRE_BROWSER=1` (as in `.ci/steps/40-browser.sh`), which
//! turns the skip into a failure. `CHROMIUM` and `CHROMEDRIVER` override the
//! binaries' paths.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cookie_seal::consts::MAX_COOKIE_LEN;
use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{Codec, EncodeOptions, Error, Keyring, Session};
use serde_json::{json, Value};
use support::{RunningApp, KEYS_1};

/// Flags for headless Chromium as root on a machine without network.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// Messages that must reach the terminal even though libtest captures
/// `print!` output of passing tests.
fn report(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn find_program(env_var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env_var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// A browser session, or `None` (with a printed message) when Chromium is
/// not installed and not required.
fn browser_or_skip(test: &str) -> Option<Browser> {
    let chromium = find_program("CHROMIUM", "chromium");
    let driver = find_program("CHROMEDRIVER", "chromedriver");
    match (chromium, driver) {
        (Some(chromium), Some(driver)) => Some(Browser::start(&chromium, &driver)),
        _ if std::env::var("COOKIE_SEAL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => {
            panic!("{test}: chromium or chromedriver not found and COOKIE_SEAL_REQUIRE_BROWSER=1")
        }
        _ => {
            report(&format!(
                "skipping {test}: chromium or chromedriver not found \
                 (apt-get install chromium chromium-driver; \
                 COOKIE_SEAL_REQUIRE_BROWSER=1 makes this a failure)"
            ));
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Headless Chromium behind chromedriver, with a fresh profile. Closed,
/// stopped and deleted on drop.
struct Browser {
    driver: Child,
    endpoint: String,
    session: String,
    version: String,
    profile: PathBuf,
    agent: ureq::Agent,
}

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let profile = std::env::temp_dir().join(format!(
            "cookie-seal-chromium-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&profile).unwrap();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                profile.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(90)))
            .build()
            .into();
        let endpoint = format!("http://127.0.0.1:{port}");
        let mut browser = Browser {
            driver,
            endpoint,
            session: String::new(),
            version: String::new(),
            profile,
            agent,
        };
        browser.wait_until_ready();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser.profile.join("user-data").display()
        ));
        let created = browser.call(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
            }}}),
        );
        browser.session = created["sessionId"].as_str().unwrap().to_owned();
        browser.version = created["capabilities"]["browserVersion"]
            .as_str()
            .unwrap_or("?")
            .to_owned();
        browser
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .agent
                .get(format!("{}/status", self.endpoint))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|body| serde_json::from_str::<Value>(&body).ok())
                .is_some_and(|status| status["value"]["ready"] == json!(true));
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command; returns its `value`, panics on a WebDriver error.
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.endpoint);
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .content_type("application/json")
                .send(body.to_string()),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.body_mut().read_to_string().unwrap();
        let reply: Value = serde_json::from_str(&text).unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        reply["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Value) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn goto(&self, url: &str) {
        self.session_call("POST", "/url", json!({ "url": url }));
    }

    fn refresh(&self) {
        self.session_call("POST", "/refresh", json!({}));
    }

    fn text(&self) -> String {
        let script = "return document.body ? document.body.innerText : '';";
        self.session_call(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until the page text contains `needle`; returns the text.
    fn wait_for_text(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "page never showed {needle:?}; it shows:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT_KEY].as_str().unwrap().to_owned()
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.session_call("POST", &format!("/element/{element}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        );
    }

    /// The cookies Chromium stores for the current page, HttpOnly ones too.
    fn cookies(&self) -> Vec<Value> {
        self.session_call("GET", "/cookie", Value::Null)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn cookie(&self, name: &str) -> Option<Value> {
        self.cookies()
            .into_iter()
            .find(|c| c["name"] == json!(name))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.endpoint, self.session);
            let _ = self.agent.delete(&url).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

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
    let loaded = cookies.load::<Session>([stored.as_str()], SystemTime::now());
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

/// The limit server's state: a session cookie config and the largest padding
/// whose session cookie the crate still writes.
#[derive(Clone)]
struct LimitServer {
    cookies: SessionCookie,
    max_pad: usize,
}

impl LimitServer {
    fn new() -> LimitServer {
        let cookies = SessionCookie::new(
            Codec::sealed(KEYS_1.parse::<Keyring>().unwrap()),
            CookieConfig::new("__Host-big").unwrap(),
        )
        .unwrap();
        // Grow the padding until the crate refuses the session.
        let max_pad = (3000..4096)
            .take_while(|&pad| LimitServer::set_cookie(&cookies, pad).is_ok())
            .last()
            .unwrap();
        let set = LimitServer::set_cookie(&cookies, max_pad).unwrap();
        let name_value = set.split(';').next().unwrap();
        assert_eq!(
            name_value.len() - 1,
            MAX_COOKIE_LEN,
            "the largest session makes a cookie of exactly name + value = 4096"
        );
        assert!(matches!(
            LimitServer::set_cookie(&cookies, max_pad + 1),
            Err(Error::TooLarge { .. })
        ));
        LimitServer { cookies, max_pad }
    }

    fn set_cookie(cookies: &SessionCookie, pad: usize) -> Result<String, Error> {
        let mut session = Session::new();
        session.insert("pad", &"x".repeat(pad))?;
        let set = cookies.store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )?;
        Ok(set.into_iter().next().unwrap_or_default())
    }

    fn router(self) -> Router {
        Router::new()
            .route("/crate/max", get(crate_max))
            .route("/crate/over", get(crate_over))
            .route("/raw/{total}", get(raw))
            .route("/echo", get(echo))
            .with_state(self)
    }
}

async fn crate_max(State(limits): State<LimitServer>) -> Response {
    let set = LimitServer::set_cookie(&limits.cookies, limits.max_pad).unwrap();
    let len = set.split(';').next().unwrap().len() - 1;
    (
        [(header::SET_COOKIE, set)],
        format!("set __Host-big: name+value {len} bytes\n"),
    )
        .into_response()
}

async fn crate_over(State(limits): State<LimitServer>) -> Response {
    match LimitServer::set_cookie(&limits.cookies, limits.max_pad + 1) {
        Ok(set) => ([(header::SET_COOKIE, set)], "set (unexpected)\n").into_response(),
        Err(error) => {
            (StatusCode::PAYLOAD_TOO_LARGE, format!("refused: {error}\n")).into_response()
        }
    }
}

/// A hand-made cookie `raw<total>` of `total` bytes name + value.
async fn raw(axum::extract::Path(total): axum::extract::Path<usize>) -> Response {
    let name = format!("raw{total}");
    let value = "a".repeat(total.saturating_sub(name.len()));
    (
        [(header::SET_COOKIE, format!("{name}={value}; Path=/"))],
        format!("raw {total}\n"),
    )
        .into_response()
}

/// Lists the cookies received (name and name + value length) and whether
/// `__Host-big` verifies.
async fn echo(State(limits): State<LimitServer>, headers: HeaderMap) -> String {
    let values: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let mut out = String::new();
    for cookie in values
        .iter()
        .flat_map(|h| cookie::Cookie::split_parse(*h).flatten())
    {
        out.push_str(&format!(
            "{} {}\n",
            cookie.name(),
            cookie.name().len() + cookie.value().len()
        ));
    }
    let loaded = limits
        .cookies
        .load::<Session>(values.iter().copied(), SystemTime::now());
    let verdict = match (loaded.decoded(), loaded.error()) {
        (Some(decoded), _) => format!(
            "verified pad={}",
            decoded
                .value
                .get::<String>("pad")
                .ok()
                .flatten()
                .map_or(0, |p| p.len())
        ),
        (None, Some(error)) => format!("rejected: {error}"),
        (None, None) => "absent".to_owned(),
    };
    out.push_str(&format!("big: {verdict}\n"));
    out
}

/// Serves `router` on a free loopback port from a background thread.
fn serve(router: Router) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    format!(
        "http://{}",
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    )
}
