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

/// Exit status of the script when Flask is not installed.
const FLASK_MISSING: i32 = 77;

fn script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/flask_interop.py")
        .display()
        .to_string()
}

fn flask_required() -> bool {
    std::env::var("COOKIE_SEAL_REQUIRE_FLASK").is_ok_and(|v| v == "1")
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
        Err(error) => return skip(&format!("cannot run {python}: {error}")),
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
        return skip(stderr.trim());
    }
    assert!(
        output.status.success(),
        "flask_interop.py {command} failed ({}):\n{stderr}",
        output.status
    );
    Some(serde_json::from_str(&stdout).unwrap())
}

fn skip<T>(reason: &str) -> Option<T> {
    assert!(
        !flask_required(),
        "COOKIE_SEAL_REQUIRE_FLASK=1 but Flask is unavailable: {reason}"
    );
    eprintln!("skipping the Flask interop test: {reason}");
    None
}

/// The output of `flask_interop.py make`, run once per test binary.
fn flask_made() -> Option<&'static Value> {
    static MADE: OnceLock<Option<Value>> = OnceLock::new();
    MADE.get_or_init(|| run_flask("make", None)).as_ref()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
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

/// The JSON text inside a cookie (inflated if it has the `.` prefix).
fn payload_json(cookie: &str) -> (String, bool) {
    let mut parts = cookie.rsplitn(3, '.');
    let (_signature, _timestamp, payload) = (parts.next(), parts.next(), parts.next().unwrap());
    let compressed = payload.starts_with('.');
    let raw = URL_SAFE_NO_PAD
        .decode(payload.trim_start_matches('.'))
        .unwrap();
    let text = if compressed {
        let mut out = String::new();
        flate2::read::ZlibDecoder::new(raw.as_slice())
            .read_to_string(&mut out)
            .unwrap();
        out
    } else {
        String::from_utf8(raw).unwrap()
    };
    (text, compressed)
}

#[test]
fn flask_versions_are_reported() {
    let Some(versions) = run_flask("versions", None) else {
        return;
    };
    eprintln!("Flask interop against {versions}");
    assert!(versions["flask"].as_str().unwrap().starts_with("3."));
}

#[test]
fn flask_cookies_decode_to_the_documented_shapes() {
    let Some(setup) = Setup::get() else { return };
    let codec = setup.codec();
    let fixtures = setup.list("fixtures");
    assert!(fixtures.len() >= 16);
    for fixture in fixtures {
        let cookie = fixture["cookie"].as_str().unwrap();
        let decoded = codec.decode_at(cookie, setup.at(0));
        assert_eq!(
            decoded.as_ref(),
            Ok(&fixture["shape"]),
            "{}",
            fixture["name"]
        );
    }
    // Both compressed and uncompressed cookies were exercised.
    assert!(fixtures.iter().any(|f| f["compressed"] == true));
    assert!(fixtures.iter().any(|f| f["compressed"] == false));

    // The shapes pinned here too, so the Python reference cannot drift with
    // the Rust side.
    let decode = |name: &str| {
        codec
            .decode_at(setup.fixture(name)["cookie"].as_str().unwrap(), setup.at(0))
            .unwrap()
    };
    assert_eq!(
        decode("tuple"),
        json!({
            "pair": {" t": [1, "a"]},
            "empty": {" t": []},
            "single": {" t": ["x"]},
            "nested": {" t": [{" t": [1, 2]}, [3, {" t": [4]}]]},
        })
    );
    assert_eq!(
        decode("flashes"),
        json!({"_flashes": [{" t": ["message", "Welcome back"]}, {" t": ["error", "Bad password"]}]})
    );
    assert_eq!(
        decode("bytes")["ascii"],
        json!({" b": [104, 101, 108, 108, 111]})
    );
    assert_eq!(decode("markup")["escaped"], json!({" m": "&lt;script&gt;"}));
    assert_eq!(
        decode("uuid")["v4"],
        json!({" u": "f47ac10b-58cc-4372-a567-0e02b2c3d479"})
    );
    assert_eq!(
        decode("datetime"),
        json!({
            "leap": {" d": "2024-02-29T23:59:58Z"},
            "epoch": {" d": "1970-01-01T00:00:00Z"},
            "old": {" d": "1900-01-01T12:00:00Z"},
            "y999": {" d": "0999-12-31T23:59:59Z"},
            "far": {" d": "9999-12-31T23:59:59Z"},
        })
    );
    let tag_like = decode("tag_like_dicts");
    assert_eq!(tag_like["t"], json!({" di": {" t": 1}}));
    assert_eq!(tag_like["m"], json!({" di": {" m": {" m": "<b>"}}}));
    assert_eq!(
        tag_like["di_of_di"],
        json!({" di": {" di": {" di": {" t": {" t": [1]}}}}})
    );
    assert_eq!(tag_like["multi"], json!({" t": 1, "other": 2}));
    assert_eq!(
        decode("root_tag_like"),
        json!({" di": {" u": "not a uuid"}})
    );
    assert_eq!(decode("scalars")["u64_max"], json!(u64::MAX));
    assert_eq!(
        decode("unicode")["greeting"],
        json!("héllo wörld ✓ 日本語 😀")
    );
}

#[test]
fn rust_writes_the_json_flask_writes() {
    let Some(setup) = Setup::get() else { return };
    let codec = setup.codec();
    let mut identical_tokens = 0;
    let mut compression_differs = 0;
    for fixture in setup.list("fixtures") {
        let name = &fixture["name"];
        let flask_cookie = fixture["cookie"].as_str().unwrap();
        let rust_cookie = codec.encode_at(&fixture["shape"], setup.at(0)).unwrap();
        let (rust_json, rust_compressed) = payload_json(&rust_cookie);
        if fixture["exact_json"] == true {
            assert_eq!(rust_json, fixture["json"].as_str().unwrap(), "{name}");
        }
        // Same compression decision where the saving is clear. The zlib
        // bytes differ between flate2's backend and CPython's zlib, so a
        // payload that zlib shrinks by a byte or two may stay plain here.
        if rust_compressed != (fixture["compressed"] == true) {
            eprintln!("compression decision differs for {name} (zlib backend)");
            assert!(rust_json.len() < 200, "{name}");
            compression_differs += 1;
        }
        if !rust_compressed && fixture["compressed"] == false && fixture["exact_json"] == true {
            assert_eq!(rust_cookie, flask_cookie, "{name}");
            identical_tokens += 1;
        }
    }
    assert!(identical_tokens >= 3, "{identical_tokens}");
    assert!(compression_differs <= 3, "{compression_differs}");
}

#[test]
fn cookies_flask_must_refuse_are_refused_by_rust_too() {
    let Some(setup) = Setup::get() else { return };
    let codec = setup.codec();
    for case in setup.list("refused") {
        let name = case["name"].as_str().unwrap();
        let result = codec.decode_at(case["cookie"].as_str().unwrap(), setup.at(0));
        let ok = match case["error"].as_str().unwrap() {
            "expired" => matches!(result, Err(Error::Expired { .. })),
            "future" => matches!(result, Err(Error::IssuedInFuture { .. })),
            "invalid" => result == Err(Error::Invalid),
            "deserialize" => result == Err(Error::Deserialize),
            other => panic!("unknown expectation {other}"),
        };
        assert!(ok, "{name}: {result:?}");
    }
    // And every single-character change to a Flask cookie.
    let cookie = setup.fixture("tuple")["cookie"].as_str().unwrap();
    for index in 0..cookie.len() {
        let mut tampered = cookie.as_bytes().to_vec();
        tampered[index] = if tampered[index] == b'x' { b'y' } else { b'x' };
        let tampered = String::from_utf8(tampered).unwrap();
        let result = codec.decode_at(&tampered, setup.at(0));
        assert!(
            matches!(result, Err(Error::Invalid | Error::Malformed)),
            "{index}: {result:?}"
        );
    }
}

#[test]
fn flask_cookies_under_old_keys_salts_and_edges_are_read() {
    let Some(setup) = Setup::get() else { return };
    for case in setup.list("accepted") {
        let name = case["name"].as_str().unwrap();
        let codec = match name {
            "other_salt" => setup
                .codec()
                .salt(setup.made["other_salt"].as_str().unwrap()),
            "rotated" => FlaskCodec::new(&setup.key("newer")).fallbacks([setup.key("current")]),
            _ => setup.codec(),
        };
        let expected = &setup.fixture(case["fixture"].as_str().unwrap())["shape"];
        let cookie = case["cookie"].as_str().unwrap();
        assert_eq!(
            codec.decode_at(cookie, setup.at(0)).as_ref(),
            Ok(expected),
            "{name}"
        );
    }
    // Without the fallback the old key's cookie is refused.
    let old = setup
        .list("accepted")
        .iter()
        .find(|c| c["name"] == "old_key")
        .unwrap();
    let no_fallback = FlaskCodec::new(&setup.key("current")).max_age(setup.max_age);
    assert_eq!(
        no_fallback.decode_at(old["cookie"].as_str().unwrap(), setup.at(0)),
        Err(Error::Invalid)
    );
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

#[test]
fn flask_reads_rust_cookies_back_equal_and_refuses_bad_ones() {
    let Some(setup) = Setup::get() else { return };
    let codec = setup.codec();
    let now = setup.now;
    let mut requests = Vec::new();
    for fixture in setup.list("fixtures") {
        let name = fixture["name"].as_str().unwrap();
        let cookie = codec.encode_at(&fixture["shape"], setup.at(0)).unwrap();
        requests.push(check_request(name, &cookie, name, "current", "equal", now));
    }
    let small = &setup.fixture("small")["shape"];
    let nested = &setup.fixture("nested")["shape"];
    let max_age = i64::try_from(setup.max_age.as_secs()).unwrap();
    let at_max_age = codec.encode_at(small, setup.at(-max_age)).unwrap();
    let expired = codec.encode_at(small, setup.at(-max_age - 1)).unwrap();
    let future = codec.encode_at(small, setup.at(1)).unwrap();
    let mut tampered = codec.encode_at(nested, setup.at(0)).unwrap().into_bytes();
    let middle = tampered.len() / 3;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let stranger = FlaskCodec::new(&setup.key("stranger"))
        .encode_at(small, setup.at(0))
        .unwrap();
    requests.extend([
        check_request("at_max_age", &at_max_age, "small", "current", "equal", now),
        check_request("expired", &expired, "small", "current", "empty", now),
        check_request("future", &future, "small", "current", "empty", now),
        check_request("tampered", &tampered, "nested", "current", "empty", now),
        check_request("stranger_key", &stranger, "small", "current", "empty", now),
    ]);
    let results = run_flask("check", Some(&Value::Array(requests.clone()))).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), requests.len());
    let failures: Vec<&Value> = results.iter().filter(|r| r["ok"] != true).collect();
    assert!(failures.is_empty(), "Flask disagreed: {failures:#?}");
}

#[test]
fn key_rotation_works_from_either_side() {
    let Some(setup) = Setup::get() else { return };
    let now = setup.now;
    let session = &setup.fixture("datetime")["shape"];
    // Rust rotated first: signs with the newer key, still reads the current one.
    let rust_rotated = FlaskCodec::new(&setup.key("newer"))
        .fallbacks([setup.key("current")])
        .max_age(setup.max_age);
    let from_rotated_rust = rust_rotated.encode_at(session, setup.at(0)).unwrap();
    // Rust not yet rotated: signs with the current key.
    let from_current_rust = setup.codec().encode_at(session, setup.at(0)).unwrap();
    let requests = vec![
        // A Flask app that rotated too reads both.
        check_request(
            "rotated_reads_rotated",
            &from_rotated_rust,
            "datetime",
            "rotated",
            "equal",
            now,
        ),
        check_request(
            "rotated_reads_current",
            &from_current_rust,
            "datetime",
            "rotated",
            "equal",
            now,
        ),
        // A Flask app that has not been given the newer key refuses it.
        check_request(
            "current_refuses_rotated",
            &from_rotated_rust,
            "datetime",
            "current",
            "empty",
            now,
        ),
    ];
    let results = run_flask("check", Some(&Value::Array(requests))).unwrap();
    let failures: Vec<&Value> = results
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] != true)
        .collect();
    assert!(failures.is_empty(), "Flask disagreed: {failures:#?}");
    // Flask rotated first: the rotated Flask app's cookie reads in a Rust codec
    // that has the newer key (as current or as a fallback).
    let flask_rotated = setup
        .list("accepted")
        .iter()
        .find(|c| c["name"] == "rotated")
        .unwrap();
    let cookie = flask_rotated["cookie"].as_str().unwrap();
    let expected = &setup.fixture("tuple")["shape"];
    let rust_with_newer_fallback = setup
        .codec()
        .fallbacks([setup.key("old"), setup.key("newer")]);
    assert_eq!(
        rust_with_newer_fallback
            .decode_at(cookie, setup.at(0))
            .as_ref(),
        Ok(expected)
    );
    assert_eq!(
        setup.codec().decode_at(cookie, setup.at(0)),
        Err(Error::Invalid)
    );
}

/// Text that compresses about 3:1: words from a small vocabulary in a
/// pseudo-random order, so zlib levels and implementations differ by a few
/// bytes.
fn wordy_text(seed: u64, words: usize) -> String {
    const VOCABULARY: [&str; 16] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
    ];
    let mut state = seed | 1;
    (0..words)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!("{}{}", VOCABULARY[(state % 16) as usize], state % 97)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sessions around the 4,089-character budget: every one Flask fits in a
/// cookie, Rust fits too (it retries the other zlib levels), and each cookie
/// Rust writes reads back in Rust.
#[test]
fn every_session_flask_fits_rust_fits_too() {
    let sessions: Vec<Value> = (1..=12u64)
        .flat_map(|seed| (1230..1300).step_by(3).map(move |words| (seed, words)))
        .map(|(seed, words)| json!({ "notes": wordy_text(seed, words) }))
        .collect();
    let Some(cookies) = run_flask("sign", Some(&Value::from(sessions.clone()))) else {
        return;
    };
    let setup = Setup::get().unwrap();
    let codec = setup.codec();
    let (mut flask_fits, mut both_fit) = (0, 0);
    for (session, flask_cookie) in sessions.iter().zip(cookies.as_array().unwrap()) {
        let flask_cookie = flask_cookie.as_str().unwrap();
        if flask_cookie.len() <= cookie_seal::flask::MAX_INPUT_LEN {
            assert_eq!(
                codec.decode_at(flask_cookie, setup.at(0)).unwrap(),
                *session
            );
        }
        let ours = codec.encode_at(session, setup.at(0));
        if flask_cookie.len() <= cookie_seal::flask::MAX_ENCODED_LEN {
            flask_fits += 1;
            let ours = ours.unwrap_or_else(|e| {
                panic!("Flask fits {} characters, Rust: {e}", flask_cookie.len())
            });
            assert_eq!(codec.decode_at(&ours, setup.at(0)).unwrap(), *session);
            both_fit += 1;
        }
    }
    // The sweep straddles the budget: some fit, some do not.
    assert!(
        flask_fits > 0 && flask_fits < sessions.len(),
        "{flask_fits}"
    );
    assert_eq!(both_fit, flask_fits);
}
