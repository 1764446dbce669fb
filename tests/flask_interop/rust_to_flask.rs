//! Cookies Rust wrote, read by Flask: the same JSON, equal values back, bad cookies refused, every session Flask fits.

use super::*;

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
