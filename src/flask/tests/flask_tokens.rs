//! Tokens Flask wrote and writes: the JSON text, pinned tokens, compression and every session shape.

use super::*;

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
