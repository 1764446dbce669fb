//! Unit tests of `verify`: verdicts, re-issue, bindings and what the report shows.

use std::time::UNIX_EPOCH;

use super::*;
use cookie_seal::{Key, SessionMap};

use crate::{EXIT_INVALID, EXIT_USAGE};

const NOW: u64 = 1_750_000_000;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn ring() -> Keyring {
    let mut ring = Keyring::new(1, Key::from_bytes(&[1; 32]).unwrap());
    ring.add(2, Key::from_bytes(&[2; 32]).unwrap()).unwrap();
    ring
}

fn settings() -> VerifySettings {
    VerifySettings {
        mode: None,
        purpose: "session".into(),
        binding: Binding::Unbound,
        max_age: Duration::from_secs(86_400),
        absolute_lifetime: None,
        reissue_after: None,
        clock_skew: Duration::from_secs(60),
    }
}

fn session_token(ring: Keyring, issued: u64) -> String {
    let mut session = SessionMap::new();
    // 7: one byte of CBOR (from 24 up an integer takes two).
    session.insert("user_id", &7u64).unwrap();
    session.insert("name", "Ada").unwrap();
    Codec::sealed(ring).encode_at(&session, at(issued)).unwrap()
}

#[test]
fn verify_lists_session_keys_and_value_sizes_not_values() {
    let token = session_token(ring(), NOW - 60);
    let outcome = verify(&token, ring(), &settings(), at(NOW)).unwrap();
    assert_eq!(outcome.code, EXIT_OK);
    let text = outcome.text;
    assert!(text.starts_with("VALID"), "{text}");
    for line in [
        "key ID:         1 (primary)",
        "re-issue due:   no",
        "\"name\": 4 bytes",
        "\"user_id\": 1 byte\n",
    ] {
        assert!(text.contains(line), "{text}");
    }
    assert!(!text.contains("Ada"), "{text}");
}

#[test]
fn verify_reports_reissue_for_old_keys_and_rolling_threshold() {
    let token = session_token(ring(), NOW - 600);
    let mut promoted = ring();
    promoted.promote(2).unwrap();
    let text = verify(&token, promoted, &settings(), at(NOW)).unwrap().text;
    assert!(
        text.contains("re-issue due:   yes: written with key 1, and key 2 is primary now"),
        "{text}"
    );
    let rolling = VerifySettings {
        reissue_after: Some(Duration::from_secs(300)),
        ..settings()
    };
    let text = verify(&token, ring(), &rolling, at(NOW)).unwrap().text;
    assert!(
        text.contains("re-issue due:   yes: older than --reissue-after 5m"),
        "{text}"
    );
}

#[test]
fn verify_of_a_non_session_payload_is_authentic_but_not_shown() {
    let token = Codec::signed(ring())
        .purpose("csrf")
        .encode_at(&"secret csrf value", at(NOW))
        .unwrap();
    let csrf = VerifySettings {
        purpose: "csrf".into(),
        ..settings()
    };
    let outcome = verify(&token, ring(), &csrf, at(NOW)).unwrap();
    assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
    assert!(
        outcome.text.contains("authentic, but not a SessionMap"),
        "{}",
        outcome.text
    );
    assert!(!outcome.text.contains("secret csrf value"));
    // With the wrong purpose it is not authentic at all.
    let outcome = verify(&token, ring(), &settings(), at(NOW)).unwrap();
    assert_eq!(outcome.code, EXIT_INVALID);
    assert!(outcome.text.starts_with("INVALID: the tag does not verify"));
}

#[test]
fn the_verdict_and_reissue_come_from_the_library_for_any_payload() {
    // A SessionId-like payload (not a SessionMap) written with key 1, read
    // with key 2 primary: authentic, and due for re-issue.
    let token = Codec::signed(ring())
        .encode_at(&[7u8; 32], at(NOW))
        .unwrap();
    let mut promoted = ring();
    promoted.promote(2).unwrap();
    let outcome = verify(&token, promoted, &settings(), at(NOW)).unwrap();
    assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
    assert!(
        outcome
            .text
            .contains("re-issue due:   yes: written with key 1"),
        "{}",
        outcome.text
    );
    assert!(
        outcome.text.contains("not a SessionMap"),
        "{}",
        outcome.text
    );
}

#[test]
fn a_cookie_name_binding_is_the_context_the_cookie_layer_uses() {
    let token = Codec::sealed(ring())
        .encode_with(
            &SessionMap::new(),
            &cookie_seal::EncodeOptions::new().context(b"__Host-s"),
            at(NOW),
        )
        .unwrap();
    let bound = VerifySettings {
        binding: Binding::CookieName("__Host-s".into()),
        ..settings()
    };
    let outcome = verify(&token, ring(), &bound, at(NOW)).unwrap();
    assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
    assert!(outcome.text.contains("bound to cookie \"__Host-s\""));
    assert!(outcome.text.contains("cookie \"__Host-s\" uses"));
    let unbound = verify(&token, ring(), &settings(), at(NOW)).unwrap();
    assert_eq!(unbound.code, EXIT_INVALID);
    assert!(unbound.text.contains("pass --cookie-name NAME"));
    let invalid_setting = VerifySettings {
        max_age: Duration::ZERO,
        ..bound
    };
    let failure = verify(&token, ring(), &invalid_setting, at(NOW)).unwrap_err();
    assert_eq!(failure.code, EXIT_USAGE);
    assert!(failure.message.contains("max_age"), "{}", failure.message);
}

#[test]
fn verify_reasons_for_each_failure() {
    let token = session_token(ring(), NOW);
    let cases: Vec<(String, Keyring, VerifySettings, u64, &str)> = vec![
        (
            token.clone(),
            ring(),
            settings(),
            NOW + 86_401,
            "INVALID: authentic, but expired at",
        ),
        (
            token.clone(),
            ring(),
            settings(),
            NOW - 61,
            "INVALID: authentic, but issued at",
        ),
        (
            token.clone(),
            ring(),
            VerifySettings {
                mode: Some(Mode::Signed),
                ..settings()
            },
            NOW,
            "INVALID: the token is sealed, but --mode signed was required",
        ),
        (
            token.clone(),
            Keyring::new(7, Key::from_bytes(&[7; 32]).unwrap()),
            settings(),
            NOW,
            "INVALID: the token names key ID 1, which is not in the keyring (keys: 7)",
        ),
        (
            "A".repeat(5000),
            ring(),
            VerifySettings {
                mode: Some(Mode::Sealed),
                ..settings()
            },
            NOW,
            "INVALID: the token is 5000 bytes, over the 4089-byte budget",
        ),
        ("%%%".into(), ring(), settings(), NOW, "INVALID: malformed"),
    ];
    for (token, keys, settings, now, expected) in cases {
        let outcome = verify(&token, keys, &settings, at(now)).unwrap();
        assert_eq!(outcome.code, EXIT_INVALID, "{}", outcome.text);
        assert!(outcome.text.starts_with(expected), "{}", outcome.text);
    }
}
