//! Cookies Flask wrote, read by Rust: versions, the documented shapes, what both refuse, old keys, salts and edges.

use super::*;

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
