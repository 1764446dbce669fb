//! Round trips and refusals of the tagged JSON, both directions.

use super::decode::check_literals;
use super::*;
use serde_json::json;

#[test]
fn ascii_escapes_follow_python() {
    let session = json!({"s": "\u{7f}\u{1f}\n\t\"\\/😀ÿ"});
    assert_eq!(
        String::from_utf8(to_json(&session).unwrap()).unwrap(),
        r#"{"s":"\u007f\u001f\n\t\"\\/\ud83d\ude00\u00ff"}"#
    );
}

#[test]
fn tag_like_dicts_round_trip_at_any_level() {
    for session in [
        json!({" di": {" t": 1}}),
        json!({" di": {" di": {" b": [1]}}}),
        json!({"x": {" di": {" u": "not a uuid"}}}),
        json!({" t": 1, "y": 2}),
        json!({"z": {" t__": 3}}),
    ] {
        let text = to_json(&session).unwrap();
        assert_eq!(from_json(&text).unwrap(), session, "{session}");
    }
}

#[test]
fn datetimes_are_normalised_to_utc_seconds() {
    let session = json!({"d": {" d": "2024-03-01T00:59:58.987+01:00"}});
    let text = String::from_utf8(to_json(&session).unwrap()).unwrap();
    assert_eq!(text, r#"{"d":{" d":"Thu, 29 Feb 2024 23:59:58 GMT"}}"#);
    assert_eq!(
        from_json(text.as_bytes()).unwrap(),
        json!({"d": {" d": "2024-02-29T23:59:58Z"}})
    );
}

#[test]
fn years_python_would_misread_are_refused_both_ways() {
    assert_eq!(
        to_json(&json!({"d": {" d": "0050-01-01T00:00:00Z"}})),
        Err(Error::Serialize)
    );
    assert_eq!(
        from_json(br#"{"d":{" d":"Sat, 01 Jan 0050 00:00:00 GMT"}}"#),
        Err(Error::Deserialize)
    );
    assert!(to_json(&json!({"d": {" d": "0100-01-01T00:00:00Z"}})).is_ok());
}

#[test]
fn wrong_tag_contents_are_refused_both_ways() {
    for bad in [
        json!({"x": {" t": "abc"}}),
        json!({"x": {" b": [256]}}),
        json!({"x": {" b": "AAEC"}}),
        json!({"x": {" m": 5}}),
        json!({"x": {" u": "xyz"}}),
        json!({"x": {" d": "yesterday"}}),
        json!({"x": {" di": {"a": 1}}}),
        json!({"x": {" di": {" t": 1, "b": 2}}}),
        json!([1]),
        json!({" t": [1]}),
        json!("text"),
    ] {
        assert_eq!(to_json(&bad), Err(Error::Serialize), "{bad}");
    }
    for bad in [
        r#"{"x":{" t":"abc"}}"#,
        r#"{"x":{" b":"AAE"}}"#,
        r#"{"x":{" b":5}}"#,
        r#"{"x":{" m":[]}}"#,
        r#"{"x":{" u":"1234"}}"#,
        r#"{"x":{" d":"Thu, 29 Feb 2024 23:59:58"}}"#,
        r#"{"x":{" d":"Xyz, 29 Feb 2024 23:59:58 GMT"}}"#,
        r#"{"x":{" di":{" t":1}}}"#,
        r#"{"x":{" di":{"a__":1}}}"#,
        r#"{"x":{" di":{}}}"#,
        r#"{"x":{" zz":1}}"#,
        r#"[1]"#,
        r#"{" t":[1]}"#,
        r#""text""#,
    ] {
        let result = from_json(bad.as_bytes());
        if bad == r#"{"x":{" zz":1}}"# {
            // Not a tag: kept as a plain dict.
            assert_eq!(result, Ok(json!({"x": {" zz": 1}})));
        } else {
            assert_eq!(result, Err(Error::Deserialize), "{bad}");
        }
    }
}

#[test]
fn integers_outside_64_bits_are_refused_not_rounded() {
    assert_eq!(
        from_json(br#"{"n":18446744073709551615,"m":-9223372036854775808}"#).unwrap(),
        json!({"n": u64::MAX, "m": i64::MIN})
    );
    for bad in [
        r#"{"n":18446744073709551616}"#,
        r#"{"n":-9223372036854775809}"#,
        r#"{"n":[1180591620717411303424]}"#,
    ] {
        assert_eq!(from_json(bad.as_bytes()), Err(Error::Deserialize), "{bad}");
    }
    // Digits inside strings and floats with exponents are fine.
    assert_eq!(
        from_json(br#"{"s":"18446744073709551616\"1e999","f":1e300}"#).unwrap(),
        json!({"s": "18446744073709551616\"1e999", "f": 1e300})
    );
}

#[test]
fn nesting_is_capped_the_same_way_both_ways() {
    fn nested(levels: usize) -> Value {
        (1..levels).fold(json!({}), |inner, _| json!({ "a": inner }))
    }
    let deepest = nested(MAX_NESTING);
    let text = to_json(&deepest).unwrap();
    assert_eq!(from_json(&text).unwrap(), deepest);
    assert_eq!(to_json(&nested(MAX_NESTING + 1)), Err(Error::Serialize));
    let too_deep = format!(
        "{}{{}}{}",
        r#"{"a":"#.repeat(MAX_NESTING),
        "}".repeat(MAX_NESTING)
    );
    assert_eq!(from_json(too_deep.as_bytes()), Err(Error::Deserialize));
    // Tags count: a tuple is two levels.
    let tuple_at_edge = (2..MAX_NESTING).fold(json!({" t": []}), |inner, _| json!({ "a": inner }));
    assert!(to_json(&tuple_at_edge).is_ok());
    let tuple_over = json!({ "a": tuple_at_edge });
    assert_eq!(to_json(&tuple_over), Err(Error::Serialize));
}

#[test]
fn negative_zero_integer_reads_as_int_zero_like_python() {
    let session = from_json(br#"{"a":-0,"b":[-0,1],"c":-0.0,"d":-0e0,"s":"-0"}"#).unwrap();
    // Python's json reads `-0` as the int 0: an integer, not the float -0.0.
    assert_eq!(session["a"], json!(0));
    assert!(session["a"].is_u64(), "{}", session["a"]);
    assert_eq!(session["b"], json!([0, 1]));
    // With a fraction or exponent it stays the float -0.0, as in Python.
    for float in ["c", "d"] {
        let value = session[float].as_f64().unwrap();
        assert!(session[float].is_f64() && value == 0.0 && value.is_sign_negative());
    }
    assert_eq!(session["s"], json!("-0"));
}

#[test]
fn nesting_is_checked_before_parsing() {
    let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
    // Brackets inside strings do not count.
    let quoted = format!(r#"{{"s":"{}"}}"#, "[".repeat(500));
    assert!(from_json(quoted.as_bytes()).is_ok());
    let at_cap = format!(r#"{{"a":{}}}"#, deep(MAX_NESTING - 1));
    assert!(from_json(at_cap.as_bytes()).is_ok());
    assert_eq!(
        check_literals(at_cap.as_bytes()).map(|c| c.len()),
        Ok(at_cap.len())
    );
    let over = format!(r#"{{"a":{}}}"#, deep(MAX_NESTING));
    assert_eq!(check_literals(over.as_bytes()), Err(Error::Deserialize));
}
