//! Key rotation with either side writing.

use super::*;

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
