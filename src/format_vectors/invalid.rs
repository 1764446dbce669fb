//! The invalid vectors: each a valid token or codec changed in one way, and
//! the check that the codec gives the published error for each.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{codec_from_json, decode_options, error_name, load, merged, now, ring_text, unhex};
use crate::{Error, Keyring, SessionMap};

/// The invalid vectors derived from `valid`, each with its error.
pub(super) fn generate(valid: &[Value]) -> Vec<Value> {
    let signed = valid[1].clone();
    let sealed = valid[8].clone();
    let own_lifetime = valid
        .iter()
        .find(|v| v["name"] == "signed own idle lifetime of one hour")
        .unwrap()
        .clone();
    let token = |v: &Value| v["token"].as_str().unwrap().to_owned();
    let flip_last = |t: &str| {
        let mut s = t.to_owned();
        let last = s.pop().unwrap();
        s.push(if last == 'A' { 'Q' } else { 'A' });
        s
    };
    // Same tag, issue time changed by one second.
    let retime = |t: &str| edited(t, |raw| raw[3] ^= 1);
    let reversion = |t: &str| edited(t, |raw| raw[0] = 2);
    // An authentic sealed token whose padding field holds a non-zero byte:
    // only a faulty writer with the key can make one.
    let bad_padding = {
        let ring: Keyring = sealed["keyring"].as_str().unwrap().parse().unwrap();
        let keys = crate::derived_keys::DerivedKeys::from_keyring(&ring, "session", None);
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
    // The COMPRESSED bit in a sealed header, where only the mode may be.
    let readable_flag = |t: &str| edited(t, |raw| raw[1] |= 0x04);
    // An invalid vector keeps its basis's codec settings and token, not
    // the fields that only describe how the token was written.
    let invalid_from = |name: &str, basis: &Value, changes: Value| {
        let dropped = [
            "value",
            "payload_hex",
            "created_at",
            "generation",
            "expiry",
            "nonce",
        ];
        merged(basis, name, &dropped, &changes)
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
            "signed: expired by one second under its own idle lifetime",
            &own_lifetime,
            json!({"now": 1_700_003_601u64}),
        ),
        invalid_from(
            "standard base64 alphabet",
            &signed,
            json!({"token": token(&signed).replace('-', "+").replace('_', "/") + "+/"}),
        ),
    ];
    for v in &mut invalid {
        v["error"] = json!(error_name(&decode_error(v)));
    }
    invalid
}

/// `token` with its raw bytes changed by `edit` (the tag left as it was).
fn edited(token: &str, edit: impl FnOnce(&mut [u8])) -> String {
    let mut raw = crate::encoding::decode(token).unwrap();
    edit(&mut raw);
    crate::encoding::encode(&raw)
}

/// The error the vector's codec gives for its token, read as a session.
fn decode_error(v: &Value) -> Error {
    codec_from_json(v)
        .decode_with::<SessionMap>(v["token"].as_str().unwrap(), &decode_options(v), now(v))
        .expect_err(v["name"].as_str().unwrap())
}

#[test]
fn invalid_vectors_give_the_published_errors() {
    let vectors = load();
    let invalid = vectors["invalid"].as_array().unwrap();
    assert!(invalid.len() >= 20);
    let mut seen = BTreeMap::new();
    for v in invalid {
        let name = v["name"].as_str().unwrap();
        let err = decode_error(v);
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
