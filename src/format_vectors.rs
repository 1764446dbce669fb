//! Checks the published token vectors in `tests/vectors/v1.json`.
//!
//! Lives inside the crate because sealed vectors need the crate-private
//! fixed-nonce hook. The file is generated once by
//! `COOKIE_SEAL_WRITE_VECTORS=1 cargo test --lib format_vectors` and then
//! frozen: a published vector never changes; a format change bumps the
//! version and adds a new file.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::{Codec, Compression, EncodeOptions, Error, Key, Keyring, Session};

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
    Session(Session),
    Text(String),
}

fn value_from_json(spec: &Value) -> TestValue {
    match spec["type"].as_str().unwrap() {
        "session" => {
            let mut session = Session::new();
            for (k, v) in spec["entries"].as_object().unwrap() {
                session.insert(k, v.as_str().unwrap()).unwrap();
            }
            TestValue::Session(session)
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

/// Builds the vectors from their descriptions. Only used to write the file once.
fn generate() -> Value {
    let base = json!({
        "mode": "signed", "keyring": ring_text(&[(1, 0)]), "purpose": "session",
        "context": "", "compression": "auto", "max_age": 86400, "clock_skew": 60,
        "now": 1_700_000_000u64, "created_at": null, "generation": 0, "nonce": null,
        "pad_to": null,
    });
    let with = |name: &str, changes: Value| {
        let mut v = base.clone();
        v["name"] = json!(name);
        for (k, val) in changes.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let nonce = hex(&(0x40u8..0x58).collect::<Vec<_>>());
    let small = json!({"type": "session", "entries": {"user": "alice", "role": "admin", "csrf": "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b"}});
    let long = json!({"type": "session", "entries": {"note": "cookie ".repeat(40)}});
    let empty = json!({"type": "session", "entries": {}});
    let mut valid = vec![
        with("signed empty session", json!({"value": empty})),
        with("signed small session", json!({"value": small})),
        with("signed compressed session", json!({"value": long})),
        with(
            "signed never-compress",
            json!({"value": long, "compression": "never"}),
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
    ];
    for v in &mut valid {
        let (payload, token) = encode_vector(v);
        v["payload_hex"] = json!(hex(&payload));
        v["token"] = json!(token);
    }

    let signed = valid[1].clone();
    let sealed = valid[8].clone();
    let token = |v: &Value| v["token"].as_str().unwrap().to_owned();
    let flip_last = |t: &str| {
        let mut s = t.to_owned();
        let last = s.pop().unwrap();
        s.push(if last == 'A' { 'Q' } else { 'A' });
        s
    };
    let retime = |t: &str| {
        // Same tag, issue time changed by one second.
        let mut raw = crate::encoding::decode(t).unwrap();
        raw[3] ^= 1;
        crate::encoding::encode(&raw)
    };
    let reversion = |t: &str| {
        let mut raw = crate::encoding::decode(t).unwrap();
        raw[0] = 2;
        crate::encoding::encode(&raw)
    };
    // An authentic sealed token whose padding field holds a non-zero byte:
    // only a faulty writer with the key can make one.
    let bad_padding = {
        let ring: Keyring = sealed["keyring"].as_str().unwrap().parse().unwrap();
        let keys = crate::derived_keys::DerivedKeys::from_keyring(&ring, "session");
        let key = keys.primary().unwrap();
        let header = [0x01, 0x02, 0x01];
        let nonce: [u8; 24] = unhex(sealed["nonce"].as_str().unwrap()).try_into().unwrap();
        // flags PADDED, issued_at 1_700_000_000, padding field of 4 bytes
        // with a 1 in its last byte, then the empty session.
        let mut body = vec![
            0x20, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x04, 0x00, 0x00, 0x01, 0x00, 0x00,
        ];
        let tag = key.seal.seal(&nonce, &header, &mut body).unwrap();
        crate::encoding::encode(&[&header[..], &nonce, &body, &tag].concat())
    };
    let readable_flag = |t: &str| {
        // The COMPRESSED bit in a sealed header, where only the mode may be.
        let mut raw = crate::encoding::decode(t).unwrap();
        raw[1] |= 0x04;
        crate::encoding::encode(&raw)
    };
    let invalid_from = |name: &str, basis: &Value, changes: Value| {
        let mut v = basis.clone();
        v["name"] = json!(name);
        for key in ["value", "payload_hex", "created_at", "generation", "nonce"] {
            v.as_object_mut().unwrap().remove(key);
        }
        for (k, val) in changes.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let mut invalid = vec![
        invalid_from(
            "signed: last character changed",
            &signed,
            json!({"token": flip_last(&token(&signed))}),
        ),
        invalid_from(
            "sealed: last character changed",
            &sealed,
            json!({"token": flip_last(&token(&sealed))}),
        ),
        invalid_from("signed: wrong purpose", &signed, json!({"purpose": "csrf"})),
        invalid_from(
            "sealed: wrong context",
            &sealed,
            json!({"context": "curl/8"}),
        ),
        invalid_from(
            "signed: wrong key under the same id",
            &signed,
            json!({"keyring": ring_text(&[(1, 50)])}),
        ),
        invalid_from(
            "signed: unknown key id",
            &signed,
            json!({"keyring": ring_text(&[(2, 0)])}),
        ),
        invalid_from(
            "signed token to a sealed codec",
            &signed,
            json!({"mode": "sealed", "compression": "never"}),
        ),
        invalid_from(
            "sealed token to a signed codec",
            &sealed,
            json!({"mode": "signed"}),
        ),
        invalid_from(
            "signed: expired by one second",
            &signed,
            json!({"now": 1_700_086_401u64}),
        ),
        invalid_from(
            "signed: issued 61 s in the future",
            &signed,
            json!({"now": 1_699_999_939u64}),
        ),
        invalid_from(
            "sealed: expired by one second",
            &sealed,
            json!({"now": 1_700_086_401u64}),
        ),
        invalid_from(
            "signed: issue time changed",
            &signed,
            json!({"token": retime(&token(&signed))}),
        ),
        invalid_from(
            "signed: version byte 2",
            &signed,
            json!({"token": reversion(&token(&signed))}),
        ),
        invalid_from(
            "signed: padding appended",
            &signed,
            json!({"token": format!("{}=", token(&signed))}),
        ),
        invalid_from(
            "signed: truncated by one character",
            &signed,
            json!({"token": token(&signed)[..token(&signed).len() - 1].to_owned()}),
        ),
        invalid_from(
            "signed: truncated to the header",
            &signed,
            json!({"token": token(&signed)[..12].to_owned()}),
        ),
        invalid_from("empty token", &signed, json!({"token": ""})),
        invalid_from(
            "sealed: a flag other than the mode in the header",
            &sealed,
            json!({"token": readable_flag(&token(&sealed))}),
        ),
        invalid_from(
            "sealed: authentic, non-zero padding",
            &sealed,
            json!({"token": bad_padding}),
        ),
        invalid_from(
            "standard base64 alphabet",
            &signed,
            json!({"token": token(&signed).replace('-', "+").replace('_', "/") + "+/"}),
        ),
    ];
    for v in &mut invalid {
        let codec = codec_from_json(v);
        let err = codec
            .decode_with::<Session>(
                v["token"].as_str().unwrap(),
                &crate::DecodeOptions::new().context(v["context"].as_str().unwrap().as_bytes()),
                at(v["now"].as_u64().unwrap()),
            )
            .unwrap_err();
        v["error"] = json!(error_name(&err));
    }
    json!({
        "format": "cookie-seal token format v1 (see FORMAT.md)",
        "notes": "Keys are given as keyrings in the textual form of FORMAT.md section 9: key N's bytes are 32 consecutive byte values. purpose and context select the subkeys and the context block (sections 4 and 5). payload_hex is the postcard serialization of value (a session is postcard(Option<32-byte id> = None, map<string, bytes>) where each map value is itself the postcard serialization of the string). nonce is the nonce the writer used (writers choose it, section 7); pad_to is the writer's padding bucket in characters (section 3), null for none. Times are Unix seconds. Tokens are base64url without padding.",
        "valid": valid,
        "invalid": invalid,
    })
}

/// Encodes a valid vector with the codec; returns (postcard payload, token).
fn encode_vector(v: &Value) -> (Vec<u8>, String) {
    let codec = codec_from_json(v);
    let now = at(v["now"].as_u64().unwrap());
    let mut options = EncodeOptions::new()
        .context(v["context"].as_str().unwrap().as_bytes())
        .generation(u32::try_from(v["generation"].as_u64().unwrap()).unwrap());
    if let Some(created) = v["created_at"].as_u64() {
        options = options.created_at(at(created));
    }
    let nonce: Option<[u8; 24]> = v["nonce"].as_str().map(|n| unhex(n).try_into().unwrap());
    let encode = |value: &dyn erased::Encodable| match nonce {
        Some(nonce) => value.encode_with_nonce(&codec, &options, now, nonce),
        None => value.encode_with(&codec, &options, now),
    };
    match value_from_json(&v["value"]) {
        TestValue::Session(s) => (crate::serialize::to_bytes(&s).unwrap(), encode(&s)),
        TestValue::Text(t) => (crate::serialize::to_bytes(&t).unwrap(), encode(&t)),
    }
}

mod erased {
    use super::*;
    use serde::Serialize;

    /// Lets one closure encode either value type.
    pub(super) trait Encodable {
        fn encode_with(
            &self,
            codec: &Codec,
            options: &EncodeOptions<'_>,
            now: SystemTime,
        ) -> String;
        fn encode_with_nonce(
            &self,
            codec: &Codec,
            options: &EncodeOptions<'_>,
            now: SystemTime,
            nonce: [u8; 24],
        ) -> String;
    }

    impl<T: Serialize> Encodable for T {
        fn encode_with(
            &self,
            codec: &Codec,
            options: &EncodeOptions<'_>,
            now: SystemTime,
        ) -> String {
            codec.encode_with(self, options, now).unwrap()
        }
        fn encode_with_nonce(
            &self,
            codec: &Codec,
            options: &EncodeOptions<'_>,
            now: SystemTime,
            nonce: [u8; 24],
        ) -> String {
            codec.encode_with_nonce(self, options, now, nonce).unwrap()
        }
    }
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

/// Whether a published token carries a deflated body. The bytes of a deflate
/// stream are the compressor's choice, not the format's (any valid raw
/// deflate stream is a valid body, FORMAT.md section 7), so for these vectors
/// the encoder is held to the header and the round trip, and the published
/// token must still decode.
fn is_compressed(v: &Value) -> bool {
    metadata(v, v["token"].as_str().unwrap()).4
}

/// What the vector's codec reads from `token` besides the value: key ID,
/// issue and creation time, generation, compression (for sealed tokens all
/// but the key ID are inside the ciphertext).
fn metadata(v: &Value, token: &str) -> (u32, SystemTime, SystemTime, u32, bool) {
    let context = v["context"].as_str().unwrap().as_bytes();
    let d = codec_from_json(v)
        .verify(
            token,
            &crate::DecodeOptions::new().context(context),
            at(v["now"].as_u64().unwrap()),
        )
        .unwrap();
    (
        d.key_id,
        d.issued_at,
        d.created_at,
        d.generation,
        d.compressed,
    )
}

fn decode_vector(v: &Value, token: &str) {
    let name = v["name"].as_str().unwrap();
    let codec = codec_from_json(v);
    let context = v["context"].as_str().unwrap().as_bytes();
    let now = at(v["now"].as_u64().unwrap());
    match value_from_json(&v["value"]) {
        TestValue::Session(s) => {
            let decoded = codec
                .decode_with::<Session>(token, &crate::DecodeOptions::new().context(context), now)
                .unwrap();
            assert_eq!(decoded.value, s, "{name}");
        }
        TestValue::Text(t) => {
            let decoded = codec
                .decode_with::<String>(token, &crate::DecodeOptions::new().context(context), now)
                .unwrap();
            assert_eq!(decoded.value, t, "{name}");
        }
    }
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
    }
    assert_eq!(compressed, 2, "one signed and one sealed compressed vector");
}

#[test]
fn invalid_vectors_give_the_published_errors() {
    let vectors = load();
    let invalid = vectors["invalid"].as_array().unwrap();
    assert!(invalid.len() >= 20);
    let mut seen = BTreeMap::new();
    for v in invalid {
        let name = v["name"].as_str().unwrap();
        let codec = codec_from_json(v);
        let result = codec.decode_with::<Session>(
            v["token"].as_str().unwrap(),
            &crate::DecodeOptions::new().context(v["context"].as_str().unwrap().as_bytes()),
            at(v["now"].as_u64().unwrap()),
        );
        let err = result.expect_err(name);
        assert_eq!(error_name(&err), v["error"].as_str().unwrap(), "{name}");
        *seen.entry(error_name(&err)).or_insert(0) += 1;
    }
    // The file exercises every header-level and authentication-level class.
    for class in [
        "Invalid",
        "Malformed",
        "ModeMismatch",
        "UnknownKey(1)",
        "Expired",
        "IssuedInFuture",
        "UnsupportedVersion(2)",
    ] {
        assert!(seen.contains_key(class), "no vector for {class}: {seen:?}");
    }
}

#[test]
fn generator_reproduces_the_published_file() {
    // Guards the generator itself: regenerating must give the same file, so
    // nobody can "fix" a vector by editing the JSON by hand. Deflated tokens
    // are the one part a compressor may spell differently (see `is_compressed`).
    let without_deflated_tokens = |mut file: Value| {
        for v in file["valid"].as_array_mut().unwrap() {
            if is_compressed(v) {
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
