//! Behaviour of `FlaskCodec` without Python: pinned Flask tokens, rotation,
//! time rules, and the bad-input rules (these also guard the fuzz entry
//! point `FlaskCodec::decode_at`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::write::ZlibEncoder;
use serde_json::{json, Value};

use super::signer::SigningKey;
use super::*;

const T: u64 = 1_700_000_000;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// An authentic token around any payload text, as a key holder could make.
fn forge_authentic(secret: &[u8], payload: &str, timestamp: u64) -> String {
    SigningKey::derive(secret, DEFAULT_SALT.as_bytes()).sign(payload, timestamp)
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn compressed_payload(bytes: &[u8]) -> String {
    format!(".{}", URL_SAFE_NO_PAD.encode(zlib(bytes)))
}

// Tokens written by Flask 3.1.3 / itsdangerous 2.2.0 with SECRET_KEY =
// "flask-secret" at timestamp 1_700_000_000.
const FLASK_SMALL: &str = "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.xBiiReDyCviLRFpewSeiovwvVC8";
const FLASK_TAGS: &str = ".eJx1jLEKwjAURX8l3DlgkjZtEmrBRSfBoZuVYmxAEbcGhJJ_9yWdXc7lHQ5vhYdbwYg4XMweiWMuhojhGTlTlh2DZ0qomqnKaeu0YafzkNP3lr7KLNMEJxPpT7mJ6Hz_7Xa-z_GyVXBXyXHHjVQsigipqlo3rfm3-cEYhQiW4jE2Omhiqx5IP7pqMLQ.ZVPxAA.Jy6CslhL-Rptmu2AcxAASBw6wJc";
const FLASK_REPEAT: &str =
    ".eJyrVqpQslIqSi1ITSxRGKVoQinVAgCIy4Wl.ZVPxAA.YCmmxzzug6rtJKFaVkcsKesPp7A";

fn flask_tags_session() -> Value {
    json!({
        "t": {" t": [1, "a"]},
        "b": {" b": [0, 255]},
        "m": {" m": "<b>x</b>"},
        "u": {" u": "12345678-1234-5678-1234-567812345678"},
        "d": {" d": "2024-02-29T23:59:58Z"},
        "k": {" di": {" t": 1}},
        "é": "日本",
    })
}

#[test]
fn json_text_matches_flask_byte_for_byte() {
    // The exact text Flask 3.1.3 wrote for the same session (sorted keys,
    // ASCII escapes, tags, escaped tag-like dict).
    let flask = r#"{"b":{" b":"AP8="},"d":{" d":"Thu, 29 Feb 2024 23:59:58 GMT"},"k":{" di":{" t__":1}},"m":{" m":"<b>x</b>"},"t":{" t":[1,"a"]},"u":{" u":"12345678123456781234567812345678"},"\u00e9":"\u65e5\u672c"}"#;
    let text = super::tag::to_json(&flask_tags_session()).unwrap();
    assert_eq!(String::from_utf8(text).unwrap(), flask);
    assert_eq!(
        super::tag::from_json(flask.as_bytes()).unwrap(),
        flask_tags_session()
    );
}

#[test]
fn reads_tokens_flask_wrote() {
    let codec = FlaskCodec::new(b"flask-secret");
    assert_eq!(
        codec.decode_at(FLASK_SMALL, at(T)).unwrap(),
        json!({"user_id": 42})
    );
    assert_eq!(
        codec.decode_at(FLASK_TAGS, at(T)).unwrap(),
        flask_tags_session()
    );
    assert_eq!(
        codec.decode_at(FLASK_REPEAT, at(T)).unwrap(),
        json!({"x": "repeat ".repeat(50)})
    );
}

#[test]
fn writes_what_flask_writes_when_uncompressed() {
    let codec = FlaskCodec::new(b"flask-secret");
    assert_eq!(
        codec.encode_at(&json!({"user_id": 42}), at(T)).unwrap(),
        FLASK_SMALL
    );
    // Compressed output may differ in zlib bytes; it must read back.
    let token = codec.encode_at(&flask_tags_session(), at(T)).unwrap();
    assert!(token.starts_with('.'));
    assert_eq!(
        codec.decode_at(&token, at(T)).unwrap(),
        flask_tags_session()
    );
}

#[test]
fn compresses_only_when_it_saves_more_than_one_byte() {
    let codec = FlaskCodec::new(b"k");
    let small = codec.encode_at(&json!({"a": 1}), at(T)).unwrap();
    assert!(!small.starts_with('.'), "{small}");
    let large = codec
        .encode_at(&json!({"a": "z".repeat(500)}), at(T))
        .unwrap();
    assert!(large.starts_with('.'), "{large}");
    assert!(large.len() < 200);
}

#[test]
fn fallback_keys_verify_but_never_sign() {
    let old = FlaskCodec::new(b"old key");
    let old_token = old.encode_at(&json!({"u": 1}), at(T)).unwrap();
    let rotated = FlaskCodec::new(b"new key").fallbacks([b"older key".as_slice(), b"old key"]);
    assert_eq!(
        rotated.decode_at(&old_token, at(T)).unwrap(),
        json!({"u": 1})
    );
    let new_token = rotated.encode_at(&json!({"u": 1}), at(T)).unwrap();
    assert_eq!(old.decode_at(&new_token, at(T)), Err(Error::Invalid));
    assert_eq!(
        FlaskCodec::new(b"new key")
            .decode_at(&new_token, at(T))
            .unwrap(),
        json!({"u": 1})
    );
    // `fallbacks` replaces the list; the current key stays.
    let dropped = rotated.clone().fallbacks(Vec::<Vec<u8>>::new());
    assert_eq!(dropped.decode_at(&old_token, at(T)), Err(Error::Invalid));
    assert!(dropped.decode_at(&new_token, at(T)).is_ok());
}

#[test]
fn salt_separates_cookies_and_rederives_every_key() {
    let plain = FlaskCodec::new(b"k").fallbacks(["f"]);
    let salted = FlaskCodec::new(b"k").fallbacks(["f"]).salt("other");
    let token = salted.encode_at(&json!({"a": 1}), at(T)).unwrap();
    assert_eq!(plain.decode_at(&token, at(T)), Err(Error::Invalid));
    assert!(salted.decode_at(&token, at(T)).is_ok());
    // The fallback is derived with the new salt too, whatever the call order.
    let old = FlaskCodec::new(b"f").salt("other");
    let old_token = old.encode_at(&json!({"a": 2}), at(T)).unwrap();
    let reordered = FlaskCodec::new(b"k").salt("other").fallbacks(["f"]);
    assert_eq!(
        salted.decode_at(&old_token, at(T)).unwrap(),
        json!({"a": 2})
    );
    assert_eq!(
        reordered.decode_at(&old_token, at(T)).unwrap(),
        json!({"a": 2})
    );
}

#[test]
fn lifetime_boundaries_follow_itsdangerous() {
    let codec = FlaskCodec::new(b"k").max_age(Duration::from_secs(100));
    let token = codec.encode_at(&json!({"a": 1}), at(T)).unwrap();
    // age == max_age is still valid; age > max_age is expired.
    assert!(codec.decode_at(&token, at(T + 100)).is_ok());
    assert_eq!(
        codec.decode_at(&token, at(T + 101)),
        Err(Error::Expired {
            expired_at: at(T + 100),
            now: at(T + 101),
            lifetime: Lifetime::Idle,
        })
    );
    // Any future timestamp is refused by default (itsdangerous: age < 0).
    assert_eq!(
        codec.decode_at(&token, at(T - 1)),
        Err(Error::IssuedInFuture {
            issued_at: at(T),
            now: at(T - 1),
        })
    );
    let tolerant = codec.clone().clock_skew(Duration::from_secs(5));
    assert!(tolerant.decode_at(&token, at(T - 5)).is_ok());
    assert!(tolerant.decode_at(&token, at(T - 6)).is_err());
    // The default lifetime is Flask's 31 days.
    let default = FlaskCodec::new(b"k");
    assert!(default.decode_at(&token, at(T + 31 * 86_400)).is_ok());
    assert!(default.decode_at(&token, at(T + 31 * 86_400 + 1)).is_err());
}

#[test]
fn time_errors_only_for_authentic_cookies() {
    let codec = FlaskCodec::new(b"k").max_age(Duration::from_secs(1));
    let forged = forge_authentic(b"not k", "e30", 0);
    assert_eq!(codec.decode_at(&forged, at(T)), Err(Error::Invalid));
    let authentic_but_old = forge_authentic(b"k", "e30", 0);
    assert!(matches!(
        codec.decode_at(&authentic_but_old, at(T)),
        Err(Error::Expired { .. })
    ));
    let far_future = forge_authentic(b"k", "e30", u64::MAX);
    assert!(matches!(
        codec.decode_at(&far_future, at(T)),
        Err(Error::IssuedInFuture { .. })
    ));
    assert_eq!(
        codec.decode_at(FLASK_SMALL, UNIX_EPOCH - Duration::from_secs(1)),
        Err(Error::TimeOutOfRange)
    );
    assert_eq!(
        codec.encode_at(&json!({}), UNIX_EPOCH - Duration::from_secs(1)),
        Err(Error::TimeOutOfRange)
    );
}

#[test]
fn every_changed_character_is_refused() {
    let codec = FlaskCodec::new(b"flask-secret");
    for original in [FLASK_SMALL, FLASK_TAGS] {
        for index in 0..original.len() {
            for replacement in ['A', '_', '.', '='] {
                let mut chars: Vec<char> = original.chars().collect();
                if chars[index] == replacement {
                    continue;
                }
                chars[index] = replacement;
                let tampered: String = chars.into_iter().collect();
                let result = codec.decode_at(&tampered, at(T));
                assert!(
                    matches!(result, Err(Error::Invalid | Error::Malformed)),
                    "{tampered}: {result:?}"
                );
            }
        }
    }
}

#[test]
fn empty_keys_are_refused_like_flask() {
    let empty_key = Error::EmptySecretKey { fallback: None };
    let codec = FlaskCodec::new(b"");
    assert_eq!(codec.encode_at(&json!({}), at(T)), Err(empty_key.clone()));
    assert_eq!(codec.decode_at(FLASK_SMALL, at(T)), Err(empty_key));
    // An empty fallback would accept cookies signed with the empty key.
    let with_empty_fallback = FlaskCodec::new(b"k").fallbacks([b""]);
    let signed_with_empty = forge_authentic(b"", "e30", T);
    let empty_fallback = Error::EmptySecretKey { fallback: Some(1) };
    assert_eq!(
        with_empty_fallback.decode_at(&signed_with_empty, at(T)),
        Err(empty_fallback.clone())
    );
    assert_eq!(
        with_empty_fallback.encode_at(&json!({}), at(T)),
        Err(empty_fallback)
    );
    assert_eq!(
        Error::EmptySecretKey { fallback: Some(2) }.to_string(),
        "Flask SECRET_KEY_FALLBACKS entry 2 is empty"
    );
}

#[test]
fn debug_shows_settings_but_no_key_material() {
    let codec = FlaskCodec::new(b"super-secret-current")
        .fallbacks([b"super-secret-old"])
        .salt("pepper");
    let shown = format!("{codec:?} {codec:#?}");
    assert!(
        shown.contains("fallback_keys: 1") && shown.contains("pepper"),
        "{shown}"
    );
    assert!(!shown.contains("super-secret"), "{shown}");
    assert!(!shown.contains("115, 117, 112"), "{shown}"); // "sup" as bytes
}

#[test]
fn encode_refuses_what_decode_could_not_read() {
    let codec = FlaskCodec::new(b"k");
    // Incompressible-ish text too long for a cookie.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: String = (0..6000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 75) as u8)
        })
        .filter(|&c| c != '\\')
        .collect();
    assert!(matches!(
        codec.encode_at(&json!({ "n": noise }), at(T)),
        Err(Error::TooLarge {
            limit: MAX_ENCODED_LEN,
            ..
        })
    ));
    // Compressible JSON over the inflate cap.
    let big = json!({ "z": "z".repeat(MAX_JSON_LEN) });
    assert_eq!(
        codec.encode_at(&big, at(T)),
        Err(Error::TooLarge {
            len: MAX_JSON_LEN + 8,
            limit: MAX_JSON_LEN
        })
    );
    // Just under the cap: compresses to a small cookie and reads back.
    let fits = json!({ "z": "z".repeat(MAX_JSON_LEN - 8) });
    let token = codec.encode_at(&fits, at(T)).unwrap();
    assert_eq!(codec.decode_at(&token, at(T)).unwrap(), fits);
}

#[test]
fn nasty_inputs_get_typed_errors_without_panicking() {
    let codec = FlaskCodec::new(b"k");
    let now = at(T);
    let cases: Vec<(String, Error)> = vec![
        // Length cap before anything else, even for a valid-looking token.
        (
            "A".repeat(MAX_INPUT_LEN + 1),
            Error::TooLarge {
                len: MAX_INPUT_LEN + 1,
                limit: MAX_INPUT_LEN,
            },
        ),
        (
            format!("{}.BQ.{}", "A".repeat(1_000_000), "A".repeat(27)),
            Error::TooLarge {
                len: 1_000_031,
                limit: MAX_INPUT_LEN,
            },
        ),
        // Structure.
        (String::new(), Error::Malformed),
        ("....".into(), Error::Malformed),
        ("\u{0}.\u{0}.\u{0}".into(), Error::Malformed),
        ("é.é.é".into(), Error::Malformed),
        (
            format!("{}.BQ.{}", "A".repeat(4000), "A".repeat(27)),
            Error::Invalid,
        ),
        // Authentic, bad payloads.
        (forge_authentic(b"k", ".AAAA", T), Error::Inflate),
        (
            forge_authentic(
                b"k",
                &format!(".{}", URL_SAFE_NO_PAD.encode(b"\x78\x9c\xff\xff\xff")),
                T,
            ),
            Error::Inflate,
        ),
        (
            forge_authentic(b"k", &compressed_payload(&vec![b' '; MAX_JSON_LEN + 1]), T),
            Error::Inflate,
        ),
        (
            forge_authentic(b"k", &compressed_payload(&vec![0; 2_000_000]), T),
            Error::Inflate,
        ),
        (
            forge_authentic(b"k", &compressed_payload(b"{}trailing"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"{\"a\":"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"\xff\xfe"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"{\"a\":NaN}"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"{\"a\":\"\\ud800\"}"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(
                b"k",
                &URL_SAFE_NO_PAD.encode(b"{\"a\":123456789012345678901234567890}"),
                T,
            ),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"[]"), T),
            Error::Deserialize,
        ),
        (
            forge_authentic(b"k", &URL_SAFE_NO_PAD.encode(b"{\"x\":{\" b\":\"!!\"}}"), T),
            Error::Deserialize,
        ),
    ];
    for (input, expected) in cases {
        let shown: String = input.chars().take(60).collect();
        assert_eq!(codec.decode_at(&input, now), Err(expected), "{shown}");
    }
}

#[test]
fn deep_nesting_is_refused_at_every_depth_without_overflow() {
    let codec = FlaskCodec::new(b"k");
    // Deeper than serde_json's own limit: compressed so it fits in a cookie.
    for depth in [MAX_NESTING, 127, 128, 129, 1000, 30_000] {
        let wrapped = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        let token = forge_authentic(b"k", &compressed_payload(wrapped.as_bytes()), T);
        assert!(token.len() <= MAX_INPUT_LEN, "{depth}: {}", token.len());
        assert_eq!(
            codec.decode_at(&token, at(T)),
            Err(Error::Deserialize),
            "{depth}"
        );
    }
    let objects = format!("{}1{}", "{\"b\":".repeat(5000), "}".repeat(5000));
    let token = forge_authentic(b"k", &compressed_payload(objects.as_bytes()), T);
    assert_eq!(codec.decode_at(&token, at(T)), Err(Error::Deserialize));
    // Encoding a value nested far deeper than the cap is refused, not a stack overflow.
    // (Built without `json!`, which would re-serialize it recursively.)
    let deep = (0..50_000).fold(json!(1), |inner, _| Value::Array(vec![inner]));
    let mut session = serde_json::Map::new();
    session.insert("a".to_owned(), deep);
    let session = Value::Object(session);
    assert_eq!(codec.encode_at(&session, at(T)), Err(Error::Serialize));
    // Dropping a value this deep recurses in serde_json; take it apart in a loop.
    let Value::Object(mut session) = session else {
        unreachable!()
    };
    let mut next = session.remove("a");
    while let Some(Value::Array(mut items)) = next {
        next = items.pop();
    }
}

#[test]
fn sessions_round_trip_through_every_shape() {
    let codec = FlaskCodec::new(b"k").fallbacks(["old"]);
    let sessions = [
        json!({}),
        flask_tags_session(),
        json!({"_flashes": [{" t": ["message", "Hi"]}, {" t": ["error", "Oops"]}]}),
        json!({"n": {" t": [{" t": []}, [{" b": []}], {" di": {" di": {" m": "x"}}}]}}),
        json!({"f": [1.5, -0.0, 1e300, 1e-7, u64::MAX, i64::MIN, null, true, false]}),
        json!({" di": {" u": "deadbeef-0000-4000-8000-000000000000"}}),
        json!({"unicode": "ключ 😀 \u{7f} \u{0} \" \\ \u{2028}", "ключ": "значение"}),
    ];
    for session in sessions {
        let token = codec.encode_at(&session, at(T)).unwrap();
        assert_eq!(codec.decode_at(&token, at(T)).unwrap(), session, "{token}");
    }
}

#[test]
fn codec_is_send_sync_and_cheap_to_share() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<FlaskCodec>();
}

/// A 127-deep authentic session once overflowed a 128 KiB thread stack
/// inside `serde_json`; the nesting is now checked before parsing, so the
/// deepest session read is [`MAX_NESTING`] levels. Measured need at that
/// depth: 64 to 96 KiB in release builds, 160 to 256 KiB unoptimized (the
/// figures in SECURITY.md).
#[test]
fn deep_sessions_are_safe_on_a_small_thread_stack() {
    let stack = if cfg!(debug_assertions) { 320 } else { 128 } * 1024;
    let outcome = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(|| {
            let codec = FlaskCodec::new(b"k");
            let nested = |levels: usize| {
                format!(
                    "{}{}{}",
                    r#"{"a":"#.repeat(levels - 1),
                    "{}",
                    "}".repeat(levels - 1)
                )
            };
            let mut results = Vec::new();
            for levels in [MAX_NESTING, MAX_NESTING + 1, 127, 128, 129, 10_000] {
                let json = nested(levels);
                let token = forge_authentic(b"k", &compressed_payload(json.as_bytes()), T);
                results.push((levels, codec.decode_at(&token, at(T)).map(|_| ())));
            }
            results
        })
        .unwrap()
        .join()
        .unwrap();
    for (levels, result) in outcome {
        let expected = if levels <= MAX_NESTING {
            Ok(())
        } else {
            Err(Error::Deserialize)
        };
        assert_eq!(result, expected, "{levels} levels");
    }
}

/// Session text that compresses about 3:1 (words from a small vocabulary in
/// a fixed pseudo-random order), `words` long.
fn wordy_session(seed: u64, words: usize) -> Value {
    const VOCABULARY: [&str; 16] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett", "kilo", "lima", "mike", "november", "oscar", "papa",
    ];
    let mut state = seed | 1;
    let text: Vec<String> = (0..words)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let word = VOCABULARY[(state % 16) as usize];
            format!("{word}{}", state % 97)
        })
        .collect();
    json!({ "notes": text.join(" ") })
}

#[test]
fn a_session_just_past_the_default_level_budget_still_fits() {
    let codec = FlaskCodec::new(b"k");
    let session = wordy_session(1, 1297);
    let json = tag::to_json(&session).unwrap();
    let at_default = signer::token_len(payload(&json, ZLIB_LEVEL).len(), T);
    // The premise: zlib level 6 misses the budget by a few bytes.
    assert!(
        (MAX_ENCODED_LEN + 1..MAX_ENCODED_LEN + 8).contains(&at_default),
        "{at_default}"
    );
    let token = codec.encode_at(&session, at(T)).unwrap();
    assert!(token.len() <= MAX_ENCODED_LEN, "{}", token.len());
    assert!(token.starts_with('.'), "compressed");
    assert_eq!(codec.decode_at(&token, at(T)).unwrap(), session);
    // Twice the words fit at no level.
    assert!(matches!(
        codec.encode_at(&wordy_session(1, 2 * 1297), at(T)),
        Err(Error::TooLarge {
            limit: MAX_ENCODED_LEN,
            ..
        })
    ));
}

#[test]
fn settings_never_fail_but_every_call_reports_the_same_error() {
    let session = json!({"a": 1});
    let token = FlaskCodec::new(b"k").encode_at(&session, at(T)).unwrap();
    let no_lifetime = FlaskCodec::new(b"k").max_age(Duration::ZERO);
    let expected = Err(Error::InvalidOption("max_age must be at least 1 second"));
    assert_eq!(no_lifetime.validate(), expected.clone());
    assert_eq!(
        no_lifetime.encode_at(&session, at(T)).map(drop),
        expected.clone()
    );
    assert_eq!(no_lifetime.decode_at(&token, at(T)).map(drop), expected);
    // A sub-second lifetime is rounded up to 1 s, not truncated to nothing.
    let half_second = FlaskCodec::new(b"k").max_age(Duration::from_millis(500));
    assert_eq!(half_second.validate(), Ok(()));
    assert_eq!(half_second.decode_at(&token, at(T + 1)).unwrap(), session);
    assert!(matches!(
        half_second.decode_at(&token, at(T + 2)),
        Err(Error::Expired { .. })
    ));
    let skew = FlaskCodec::new(b"k").clock_skew(Duration::from_millis(1));
    assert_eq!(skew.decode_at(&token, at(T - 1)).unwrap(), session);
}
