//! Shared by the web test crates: start an example binary on a free
//! loopback port, a minimal cookie jar over `ureq`, logging in to an app,
//! and (re-exported) the core crate's test fixtures.

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use cookie_seal::cookie::{PresentCookies, SessionCookie};
use cookie_seal::EncodeOptions;

/// The core crate's fixtures (fixed keys and rings, noise, the skip gate).
#[path = "../../../tests/fixtures/mod.rs"]
pub mod fixtures;

/// A fixed keyring for the apps under test (key ID 1).
pub const KEYS_1: &str = "1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
/// A second key, for rotation (key ID 2).
pub const KEY_2: &str = "2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";

/// A request `Cookie` pair (`name=token`) holding `value` as a new session
/// issued at `at`, minted with the app's own `cookies`.
pub fn mint<T: serde::Serialize + ?Sized>(
    cookies: &SessionCookie,
    value: &T,
    at: SystemTime,
) -> String {
    let set = cookies
        .store(value, &EncodeOptions::new(), &PresentCookies::none(), at)
        .expect("the session fits the cookie");
    set[0].split(';').next().unwrap_or_default().to_owned()
}

/// The example binaries are built by `cargo test` (examples are built with
/// the test targets) into `target/<profile>/examples/`.
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash>  ->  target/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile> directory");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run `cargo test` without a target filter, or \
         `cargo build -p cookie-seal-web --examples` first",
        path.display()
    );
    path
}

/// An example app running as a child process; killed when dropped.
pub struct RunningApp {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl RunningApp {
    /// Starts example `name` with `PORT=0` and the given extra environment
    /// (`None` removes a variable), and waits until it prints its address.
    pub fn start(name: &str, env: &[(&str, Option<&str>)]) -> RunningApp {
        let mut command = Command::new(example_binary(name));
        command
            .env("PORT", "0")
            .env_remove("SESSION_KEYS")
            .env_remove("COOKIE_SEAL_INSECURE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let mut child = command.spawn().expect("start example app");

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr pipe");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });

        let stdout = child.stdout.take().expect("stdout pipe");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(base) = line.strip_prefix("listening on ") {
                    let _ = tx.send(base.to_owned());
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "{name} did not print its address; stderr:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        RunningApp {
            child,
            base,
            stderr,
        }
    }

    /// Everything the app wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether the app writes `needle` to stderr within a few seconds (its
    /// stderr is read by another thread, so a line may arrive just after the
    /// response that caused it).
    pub fn stderr_contains(&self, needle: &str) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if self.stderr().contains(needle) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that follows no redirects and returns 4xx/5xx as responses.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// One response, read fully.
pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    fn read(mut response: ureq::http::Response<ureq::Body>) -> Reply {
        let headers = response.headers();
        let set_cookies = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().expect("ASCII Set-Cookie").to_owned())
            .collect();
        let location = headers
            .get("location")
            .map(|v| v.to_str().expect("ASCII Location").to_owned());
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("body");
        Reply {
            status,
            set_cookies,
            location,
            body,
        }
    }

    /// The text of the element with `id` (`<... id="ID">TEXT<`), if any.
    pub fn element(&self, id: &str) -> Option<&str> {
        let marker = format!("id=\"{id}\">");
        let start = self.body.find(&marker)? + marker.len();
        let len = self.body[start..].find('<')?;
        Some(&self.body[start..start + len])
    }

    /// The signed-in user shown on the home page.
    pub fn user(&self) -> Option<&str> {
        self.element("user")
    }

    /// The visit count shown on the page.
    pub fn count(&self) -> Option<u64> {
        self.element("count").and_then(|c| c.parse().ok())
    }
}

/// A browser-like cookie jar for one host: applies `Set-Cookie` (removal on
/// `Max-Age=0`) and sends `Cookie`. Attributes other than `Max-Age` are
/// checked by the tests themselves.
#[derive(Default, Clone)]
pub struct Jar {
    pub cookies: BTreeMap<String, String>,
}

impl Jar {
    pub fn apply(&mut self, set_cookies: &[String]) {
        for header in set_cookies {
            let cookie = cookie::Cookie::parse(header.as_str()).expect("valid Set-Cookie");
            if cookie.max_age() == Some(cookie::time::Duration::ZERO) {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    /// The value of cookie `name`, which the jar must hold.
    pub fn token(&self, name: &str) -> String {
        self.cookies
            .get(name)
            .unwrap_or_else(|| panic!("cookie {name} in the jar"))
            .clone()
    }

    /// A jar holding only cookie `name` with `value`.
    pub fn with(name: &str, value: &str) -> Jar {
        let mut jar = Jar::default();
        jar.cookies.insert(name.to_owned(), value.to_owned());
        jar
    }

    pub fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GET `url`, sending and then updating the jar.
    pub fn get(&mut self, agent: &ureq::Agent, url: &str) -> Reply {
        let mut request = agent.get(url);
        if !self.cookies.is_empty() {
            request = request.header("cookie", self.header());
        }
        let reply = Reply::read(request.call().expect("GET"));
        self.apply(&reply.set_cookies);
        reply
    }

    /// POST a form to `url`, sending and then updating the jar.
    pub fn post(&mut self, agent: &ureq::Agent, url: &str, form: &[(&str, &str)]) -> Reply {
        let mut request = agent.post(url);
        if !self.cookies.is_empty() {
            request = request.header("cookie", self.header());
        }
        let reply = Reply::read(request.send_form(form.iter().copied()).expect("POST"));
        self.apply(&reply.set_cookies);
        reply
    }
}

/// Logs `user` in through the app's form: a redirect home.
pub fn login(app: &RunningApp, jar: &mut Jar, user: &str) -> Reply {
    let reply = jar.post(&agent(), &app.url("/login"), &[("username", user)]);
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some("/"));
    reply
}

/// A new jar, logged in to the app as `user`.
pub fn logged_in(app: &RunningApp, user: &str) -> Jar {
    let mut jar = Jar::default();
    login(app, &mut jar, user);
    jar
}

/// Logs `user` in and checks the one cookie that sets: `name`, with
/// `attributes` (from `; HttpOnly` on).
pub fn login_sets_cookie(
    app: &RunningApp,
    jar: &mut Jar,
    user: &str,
    name: &str,
    attributes: &str,
) -> Reply {
    let reply = login(app, jar, user);
    assert_eq!(reply.set_cookies.len(), 1, "{:?}", reply.set_cookies);
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with(&format!("{name}=")), "{set_cookie}");
    assert!(set_cookie.ends_with(attributes), "{set_cookie}");
    reply
}

/// For an app started with `COOKIE_SEAL_INSECURE=1`: login sets cookie
/// `name` without `Secure` that lives `max_age` seconds, the session reads
/// back, and the app warns about the mode.
pub fn check_insecure_login(app: &RunningApp, name: &str, max_age: u64) {
    let mut jar = Jar::default();
    let attributes = format!("; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}");
    login_sets_cookie(app, &mut jar, "heidi", name, &attributes);
    assert_eq!(jar.get(&agent(), &app.url("/")).user(), Some("heidi"));
    assert!(app.stderr_contains("COOKIE_SEAL_INSECURE=1"));
}

/// For an app whose keyring no longer holds key 1: cookie `name` with
/// `old_token`, signed by key 1, gives an empty session and the app logs
/// the unknown key.
pub fn check_retired_key_rejected(app: &RunningApp, name: &str, old_token: &str) -> Reply {
    let reply = Jar::with(name, old_token).get(&agent(), &app.url("/"));
    assert_eq!((reply.status, reply.user()), (200, None));
    assert!(app.stderr_contains("unknown key id 1"));
    reply
}

/// `token` with its middle character changed: what a client can do to a
/// token without the key.
pub fn tampered(token: &str) -> String {
    let middle = token.len() / 2;
    let flipped = if &token[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    format!("{}{flipped}{}", &token[..middle], &token[middle + 1..])
}

/// Skips a test that needs an outside tool (`None`), or fails it when the
/// environment variable `var` is `1` (CI sets it). The reason goes to the
/// process's stderr directly, past the harness's output capture, once per
/// reason, so a plain `cargo test` shows why these tests did nothing.
pub fn skip<T>(var: &str, why: &str) -> Option<T> {
    static SHOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    assert!(!fixtures::required(var), "{var}=1 but {why}");
    let mut shown = SHOWN.lock().unwrap_or_else(PoisonError::into_inner);
    if !shown.iter().any(|reason| reason == why) {
        shown.push(why.to_owned());
        let _ = writeln!(
            std::io::stderr(),
            "skipping: {why} ({var}=1 makes this a failure)"
        );
    }
    None
}
