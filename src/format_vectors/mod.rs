//! Checks the published token vectors in `tests/vectors/v1.json`.
//!
//! Lives inside the crate because sealed vectors need the crate-private
//! fixed-nonce hook. The file is generated once by
//! `COOKIE_SEAL_WRITE_VECTORS=1 cargo test --lib format_vectors` and then
//! frozen: a published vector never changes; a format change bumps the
//! version and adds a new file.
//!
//! `valid` holds the valid vectors and their check, `invalid` the invalid
//! ones; this module the JSON reading both share and the file itself.

mod invalid;
mod valid;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::{Codec, Compression, Error, Key, Keyring, SessionMap};

const VECTORS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1.json");

fn key_bytes(first: u8) -> Vec<u8> {
    (first..first + 32).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// The test value a vector describes.
enum TestValue {
    SessionMap(SessionMap),
    Text(String),
}

fn value_from_json(spec: &Value) -> TestValue {
    match spec["type"].as_str().unwrap() {
        "session" => {
            let mut session = SessionMap::new();
            // Each entry as its JSON value: a string as a string, 42 as an
            // integer, and so on (FORMAT.md section 8).
            for (k, v) in spec["entries"].as_object().unwrap() {
                session.insert(k, v).unwrap();
            }
            TestValue::SessionMap(session)
        }
        "string" => TestValue::Text(spec["value"].as_str().unwrap().to_owned()),
        other => panic!("unknown value type {other}"),
    }
}

fn codec_from_json(v: &Value) -> Codec {
    let ring: Keyring = v["keyring"].as_str().unwrap().parse().unwrap();
    let codec = match v["mode"].as_str().unwrap() {
        "signed" => Codec::signed(ring),
        "sealed" => Codec::sealed(ring),
        other => panic!("unknown mode {other}"),
    };
    let compression = match v["compression"].as_str().unwrap() {
        "auto" => Compression::Auto,
        "never" => Compression::Never,
        other => panic!("unknown compression {other}"),
    };
    let codec = codec
        .purpose(v["purpose"].as_str().unwrap())
        .compression(compression)
        .max_age(Duration::from_secs(v["max_age"].as_u64().unwrap()))
        .clock_skew(Duration::from_secs(v["clock_skew"].as_u64().unwrap()));
    match v["pad_to"].as_u64() {
        Some(bucket) => codec.pad_to(usize::try_from(bucket).unwrap()),
        None => codec,
    }
}

/// `Error` as written in the vectors file: variant name plus numeric argument.
fn error_name(error: &Error) -> String {
    match error {
        Error::UnsupportedVersion(v) => format!("UnsupportedVersion({v})"),
        Error::UnknownKey(id) => format!("UnknownKey({id})"),
        Error::Expired { .. } => "Expired".into(),
        Error::IssuedInFuture { .. } => "IssuedInFuture".into(),
        Error::TooLarge { .. } => "TooLarge".into(),
        other => format!("{other:?}"),
    }
}

fn ring_text(entries: &[(u32, u8)]) -> String {
    let mut ring: Option<Keyring> = None;
    for &(id, first) in entries {
        let key = Key::from_bytes(&key_bytes(first)).unwrap();
        match ring.as_mut() {
            None => ring = Some(Keyring::new(id, key)),
            Some(r) => r.add(id, key).unwrap(),
        }
    }
    ring.unwrap().export().to_string()
}

/// `basis` named `name`, without the `dropped` fields, with `changes` applied.
fn merged(basis: &Value, name: &str, dropped: &[&str], changes: &Value) -> Value {
    let mut v = basis.clone();
    v["name"] = json!(name);
    for key in dropped {
        v.as_object_mut().unwrap().remove(*key);
    }
    for (k, val) in changes.as_object().unwrap() {
        v[k] = val.clone();
    }
    v
}

/// The vector's clock.
fn now(v: &Value) -> SystemTime {
    at(v["now"].as_u64().unwrap())
}

/// The vector's per-call context.
fn decode_options(v: &Value) -> crate::DecodeOptions<'_> {
    crate::DecodeOptions::new().context(v["context"].as_str().unwrap().as_bytes())
}

/// Builds the vectors file from the descriptions in `valid` and `invalid`.
/// Only used to write the file once, and to check it still gives that file.
fn generate() -> Value {
    let valid = valid::generate();
    let invalid = invalid::generate(&valid);
    json!({
        "format": "cookie-seal token format v1 (see FORMAT.md)",
        "notes": "Keys are given as keyrings in the textual form of FORMAT.md section 9: key N's bytes are 32 consecutive byte values. purpose and context select the subkeys and the context block (sections 4 and 5). payload_hex is the postcard serialization of value (a session is postcard(Option<32-byte id> = None, map<string, bytes>) where each map value is the CBOR (RFC 8949) encoding of the entry's JSON value, section 8). nonce is the nonce the writer used (writers choose it, section 7); pad_to is the writer's padding bucket in characters (section 3), null for none. expiry is the session's own expiry field (section 2): null for none, 0 for a browser-session cookie, else the idle lifetime in seconds. Times are Unix seconds. Tokens are base64url without padding.",
        "valid": valid,
        "invalid": invalid,
    })
}

fn load() -> Value {
    if std::env::var_os("COOKIE_SEAL_WRITE_VECTORS").is_some()
        && !std::path::Path::new(VECTORS_PATH).exists()
    {
        let text = serde_json::to_string_pretty(&generate()).unwrap();
        std::fs::write(VECTORS_PATH, text + "\n").unwrap();
    }
    let text = std::fs::read_to_string(VECTORS_PATH).expect("tests/vectors/v1.json");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn generator_reproduces_the_published_file() {
    // Guards the generator itself: regenerating must give the same file, so
    // nobody can "fix" a vector by editing the JSON by hand. Deflated tokens
    // are the one part a compressor may spell differently (see `is_compressed`).
    let without_deflated_tokens = |mut file: Value| {
        for v in file["valid"].as_array_mut().unwrap() {
            if valid::is_compressed(v) {
                v["token"] = json!("(deflated: checked by header and round trip)");
            }
        }
        file
    };
    assert_eq!(
        without_deflated_tokens(generate()),
        without_deflated_tokens(load())
    );
}
