//! Bad input: changed characters, oversize and hostile payloads, deep nesting on small stacks (these also guard the fuzz entry point `FlaskCodec::decode_at`).

use super::*;

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
