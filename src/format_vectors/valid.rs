//! The valid vectors: what each describes (value, keys, settings, nonce),
//! how the codec writes it, and the check that the published tokens are
//! what the codec writes and reads back.

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::{
    at, codec_from_json, decode_options, hex, load, merged, now, ring_text, unhex, value_from_json,
    TestValue,
};
use crate::{Codec, EncodeOptions, Expiry};

/// The valid vectors, each with its payload and token.
pub(super) fn generate() -> Vec<Value> {
    let base = json!({
        "mode": "signed", "keyring": ring_text(&[(1, 0)]), "purpose": "session",
        "context": "", "compression": "auto", "max_age": 86400, "clock_skew": 60,
        "now": 1_700_000_000u64, "created_at": null, "generation": 0, "expiry": null,
        "nonce": null, "pad_to": null,
    });
    let with = |name: &str, changes: Value| merged(&base, name, &[], &changes);
    let nonce = hex(&(0x40u8..0x58).collect::<Vec<_>>());
    let small = json!({"type": "session", "entries": {"user": "alice", "role": "admin", "csrf": "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b"}});
    let long = json!({"type": "session", "entries": {"note": "cookie ".repeat(40)}});
    let empty = json!({"type": "session", "entries": {}});
    let typed = json!({"type": "session", "entries": {
        "user_id": 42, "balance": -300, "big": u64::MAX, "admin": true, "ratio": 0.5,
        "pi": std::f64::consts::PI, "tags": ["a", "b"], "prefs": {"theme": "dark", "size": 12},
        "nothing": null, "name": "Zoë",
    }});
    let mut valid = vec![
        with("signed empty session", json!({"value": empty})),
        with("signed small session", json!({"value": small})),
        with("signed compressed session", json!({"value": long})),
        with(
            "signed never-compress",
            json!({"value": long, "compression": "never"}),
        ),
        with(
            "signed session with values of every JSON type",
            json!({"value": typed, "compression": "never"}),
        ),
        with(
            "signed string, purpose csrf, context",
            json!({"value": {"type": "string", "value": "hello"}, "purpose": "csrf", "context": "Mozilla/5.0"}),
        ),
        with(
            "signed created_at and generation",
            json!({"value": small, "created_at": 1_699_000_000u64, "generation": 7}),
        ),
        with(
            "signed key id 300 of two",
            json!({"value": small, "keyring": ring_text(&[(300, 100), (1, 0)])}),
        ),
        with(
            "sealed empty session",
            json!({"value": empty, "mode": "sealed", "compression": "never", "nonce": nonce}),
        ),
        with(
            "sealed small session",
            json!({"value": small, "mode": "sealed", "compression": "never", "nonce": nonce}),
        ),
        with(
            "sealed compressed (opt-in)",
            json!({"value": long, "mode": "sealed", "compression": "auto", "nonce": nonce}),
        ),
        with(
            "sealed string, purpose csrf, context, key 300",
            json!({"value": {"type": "string", "value": "hello"}, "mode": "sealed", "compression": "never", "purpose": "csrf", "context": "Mozilla/5.0", "nonce": nonce, "keyring": ring_text(&[(300, 100)])}),
        ),
        with(
            "sealed created_at and generation",
            json!({"value": small, "mode": "sealed", "compression": "never", "created_at": 1_699_000_000u64, "generation": 7, "nonce": nonce}),
        ),
        with(
            "sealed small session padded to 256 characters",
            json!({"value": small, "mode": "sealed", "compression": "never", "pad_to": 256, "nonce": nonce}),
        ),
        with(
            "signed own idle lifetime of one hour",
            json!({"value": small, "expiry": 3600}),
        ),
        with(
            "sealed browser-session expiry, created_at and generation",
            json!({"value": small, "mode": "sealed", "compression": "never", "created_at": 1_699_000_000u64, "generation": 7, "expiry": 0, "nonce": nonce}),
        ),
    ];
    for v in &mut valid {
        let (payload, token) = encode_vector(v);
        v["payload_hex"] = json!(hex(&payload));
        v["token"] = json!(token);
    }
    valid
}

/// Encodes a valid vector with the codec; returns (postcard payload, token).
fn encode_vector(v: &Value) -> (Vec<u8>, String) {
    let codec = codec_from_json(v);
    let now = now(v);
    let mut options = EncodeOptions::new()
        .context(v["context"].as_str().unwrap().as_bytes())
        .generation(u32::try_from(v["generation"].as_u64().unwrap()).unwrap());
    if let Some(created) = v["created_at"].as_u64() {
        options = options.created_at(at(created));
    }
    options = options.expiry(expiry(v));
    let nonce: Option<[u8; 24]> = v["nonce"].as_str().map(|n| unhex(n).try_into().unwrap());
    match value_from_json(&v["value"]) {
        TestValue::SessionMap(s) => encoded(&s, &codec, &options, now, nonce),
        TestValue::Text(t) => encoded(&t, &codec, &options, now, nonce),
    }
}

/// `value`'s postcard payload and its token, with `nonce` when given.
fn encoded<T: Serialize>(
    value: &T,
    codec: &Codec,
    options: &EncodeOptions<'_>,
    now: SystemTime,
    nonce: Option<[u8; 24]>,
) -> (Vec<u8>, String) {
    let token = match nonce {
        Some(nonce) => codec.encode_with_nonce(value, options, now, nonce),
        None => codec.encode_with(value, options, now),
    };
    (crate::serialize::to_bytes(value).unwrap(), token.unwrap())
}

/// Whether a published token carries a deflated body. The bytes of a deflate
/// stream are the compressor's choice, not the format's (any valid raw
/// deflate stream is a valid body, FORMAT.md section 7), so for these vectors
/// the encoder is held to the header and the round trip, and the published
/// token must still decode.
pub(super) fn is_compressed(v: &Value) -> bool {
    metadata(v, v["token"].as_str().unwrap()).4
}

/// What the vector's codec reads from `token` besides the value: key ID,
/// issue and creation time, generation, compression (for sealed tokens all
/// but the key ID are inside the ciphertext).
fn metadata(v: &Value, token: &str) -> (u32, SystemTime, SystemTime, u32, bool) {
    let d = codec_from_json(v)
        .verify(token, &decode_options(v), now(v))
        .unwrap();
    assert_eq!(d.expiry, expiry(v), "{}: expiry", v["name"]);
    (
        d.key_id,
        d.issued_at,
        d.created_at,
        d.generation,
        d.compressed,
    )
}

/// The vector's expiry: `null` for the configured one, 0 for a
/// browser-session cookie, else an idle lifetime in seconds.
fn expiry(v: &Value) -> Expiry {
    match v["expiry"].as_u64() {
        None => Expiry::Configured,
        Some(0) => Expiry::OnSessionEnd,
        Some(seconds) => Expiry::OnInactivity(Duration::from_secs(seconds)),
    }
}

fn decode_vector(v: &Value, token: &str) {
    match value_from_json(&v["value"]) {
        TestValue::SessionMap(s) => assert_decodes_to(v, token, &s),
        TestValue::Text(t) => assert_decodes_to(v, token, &t),
    }
}

/// The vector's codec reads `token` back as `expected`.
fn assert_decodes_to<T: DeserializeOwned + PartialEq + Debug>(
    v: &Value,
    token: &str,
    expected: &T,
) {
    let decoded = codec_from_json(v)
        .decode_with::<T>(token, &decode_options(v), now(v))
        .unwrap();
    assert_eq!(&decoded.value, expected, "{}", v["name"].as_str().unwrap());
}

#[test]
fn valid_vectors_encode_to_the_published_tokens_and_decode_back() {
    let vectors = load();
    let valid = vectors["valid"].as_array().unwrap();
    assert!(valid.len() >= 13);
    let mut compressed = 0;
    for v in valid {
        let name = v["name"].as_str().unwrap();
        let published = v["token"].as_str().unwrap();
        let (payload, token) = encode_vector(v);
        assert_eq!(
            hex(&payload),
            v["payload_hex"].as_str().unwrap(),
            "{name}: payload"
        );
        if is_compressed(v) {
            compressed += 1;
            assert_eq!(
                crate::inspect(&token),
                crate::inspect(published),
                "{name}: header"
            );
            assert_eq!(
                metadata(v, &token),
                metadata(v, published),
                "{name}: metadata"
            );
        } else {
            assert_eq!(token, published, "{name}: token");
        }
        decode_vector(v, published);
        decode_vector(v, &token);
        metadata(v, published);
    }
    assert_eq!(compressed, 2, "one signed and one sealed compressed vector");
}
