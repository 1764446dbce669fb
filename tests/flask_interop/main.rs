//! Interop with real Flask (feature `flask`): `tests/flask_interop.py` makes
//! cookies with Flask's own session interface and reads Rust's cookies back
//! with `open_session`, at fixed itsdangerous timestamps.
//!
//! Needs `python3` with Flask (override with `COOKIE_SEAL_PYTHON`). Without
//! it the tests print a message and pass, unless `COOKIE_SEAL_REQUIRE_FLASK=1`
//! (set by `.ci/steps/30-flask.sh`), which turns the skip into a failure.
#![cfg(feature = "flask")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::flask::FlaskCodec;
use cookie_seal::Error;
use serde_json::{json, Value};

#[path = "../fixtures/mod.rs"]
mod fixtures;
use fixtures::{hex, skip};

mod flask_to_rust;
mod rotation;
mod rust_to_flask;

/// Set to `1` to make a missing Flask a failure instead of a skip.
const REQUIRE_FLASK: &str = "COOKIE_SEAL_REQUIRE_FLASK";

/// Exit status of the script when Flask is not installed.
const FLASK_MISSING: i32 = 77;

fn script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/flask_interop.py")
        .display()
        .to_string()
}

/// Runs the Flask script; `None` when Python or Flask is missing (and not required).
fn run_flask(command: &str, input: Option<&Value>) -> Option<Value> {
    let python = std::env::var("COOKIE_SEAL_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let child = Command::new(&python)
        .arg(script())
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            return skip(
                REQUIRE_FLASK,
                &format!("Flask is unavailable: cannot run {python}: {error}"),
            )
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        stdin.write_all(input.to_string().as_bytes()).unwrap();
    }
    drop(stdin);
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(FLASK_MISSING) {
        return skip(
            REQUIRE_FLASK,
            &format!("Flask is unavailable: {}", stderr.trim()),
        );
    }
    assert!(
        output.status.success(),
        "flask_interop.py {command} failed ({}):\n{stderr}",
        output.status
    );
    Some(serde_json::from_str(&stdout).unwrap())
}

/// The output of `flask_interop.py make`, run once per test binary.
fn flask_made() -> Option<&'static Value> {
    static MADE: OnceLock<Option<Value>> = OnceLock::new();
    MADE.get_or_init(|| run_flask("make", None)).as_ref()
}

struct Setup {
    made: &'static Value,
    now: u64,
    max_age: Duration,
}

impl Setup {
    fn get() -> Option<Setup> {
        let made = flask_made()?;
        Some(Setup {
            made,
            now: made["now"].as_u64().unwrap(),
            max_age: Duration::from_secs(made["max_age"].as_u64().unwrap()),
        })
    }

    fn key(&self, name: &str) -> Vec<u8> {
        hex(self.made["keys"][name].as_str().unwrap())
    }

    fn at(&self, offset: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.now.checked_add_signed(offset).unwrap())
    }

    /// The Flask app's configuration: current key, old key as fallback.
    fn codec(&self) -> FlaskCodec {
        FlaskCodec::new(&self.key("current"))
            .fallbacks([self.key("old")])
            .max_age(self.max_age)
    }

    fn list(&self, name: &str) -> &'static Vec<Value> {
        self.made[name].as_array().unwrap()
    }

    fn fixture(&self, name: &str) -> &'static Value {
        self.list("fixtures")
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
    }
}

/// One cookie for `flask_interop.py check`.
fn check_request(
    id: &str,
    cookie: &str,
    fixture: &str,
    app: &str,
    expect: &str,
    now: u64,
) -> Value {
    json!({"id": id, "cookie": cookie, "fixture": fixture, "app": app, "expect": expect, "now": now})
}
