//! Keys, salt, lifetimes and settings: rotation, time rules, empty keys, `Debug`, the one validation policy.

use super::*;

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
fn codec_is_send_sync_and_cheap_to_share() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<FlaskCodec>();
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
