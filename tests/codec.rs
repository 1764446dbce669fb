//! Behaviour of the public codec API, run once per mode.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_PAYLOAD_LEN};
use cookie_seal::{
    Codec, Compression, EncodeOptions, Error, Key, Keyring, Lifetime, Mode, Session, SessionId,
};
use serde::{Deserialize, Serialize};

mod fixtures;
use fixtures::{at, key, noise};

const T0: u64 = 1_750_000_000;

fn ring() -> Keyring {
    fixtures::ring(&[(1, 1)])
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
    csrf: [u8; 16],
}

fn user() -> User {
    User {
        id: 42,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "dev".into()],
        csrf: [7; 16],
    }
}

fn session() -> Session {
    let mut s = Session::new();
    s.insert("user_id", &42u64).unwrap();
    s.insert("name", "Ada").unwrap();
    s
}

macro_rules! both_modes {
    ($($name:ident($make:ident) $body:block)*) => {
        mod signed {
            use super::*;
            $(#[test] fn $name() { let $make = Codec::signed; $body })*
        }
        mod sealed {
            use super::*;
            $(#[test] fn $name() { let $make = Codec::sealed; $body })*
        }
    };
}

both_modes! {
    session_round_trip_reports_header_fields(make) {
        let codec = make(ring());
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        let d = codec.decode_at::<Session>(&token, at(T0 + 10)).unwrap();
        assert_eq!(d.value, session());
        assert!(!d.value.is_modified(), "a decoded session starts unmodified");
        assert_eq!((d.issued_at, d.created_at, d.key_id, d.generation), (at(T0), at(T0), 1, 0));
        assert_eq!(d.mode, codec.mode());
        assert!(!d.needs_reissue());
    }

    typed_struct_round_trip(make) {
        let codec = make(ring());
        let token = codec.encode(&user()).unwrap();
        assert_eq!(codec.decode::<User>(&token).unwrap().value, user());
    }

    decoding_as_the_wrong_type_is_a_payload_error(make) {
        let codec = make(ring());
        let not_utf8 = codec.encode_at(&vec![0xFFu8, 0xFE], at(T0)).unwrap();
        assert_eq!(codec.decode_at::<String>(&not_utf8, at(T0)), Err(Error::Deserialize));
        let token = codec.encode_at(&(1u8, 2u8), at(T0)).unwrap();
        // A shorter type leaves trailing bytes, which are refused too.
        assert_eq!(codec.decode_at::<u8>(&token, at(T0)), Err(Error::Deserialize));
    }

    rotation_keeps_old_tokens_readable_and_flags_reissue(make) {
        let mut keys = ring();
        let old = make(keys.clone()).encode_at(&session(), at(T0)).unwrap();
        keys.add(2, key(2)).unwrap();
        let staged = make(keys.clone());
        assert!(!staged.decode_at::<Session>(&old, at(T0)).unwrap().needs_reissue(), "staging changes nothing");
        assert_eq!(staged.encode_at(&1u8, at(T0)).map(|t| cookie_seal::inspect(&t).unwrap().key_id()), Ok(1));
        keys.promote(2).unwrap();
        let promoted = make(keys.clone());
        let d = promoted.decode_at::<Session>(&old, at(T0)).unwrap();
        assert_eq!((d.key_id, d.needs_reissue()), (1, true));
        let fresh = promoted.encode_at(&d.value, at(T0)).unwrap();
        let d = promoted.decode_at::<Session>(&fresh, at(T0)).unwrap();
        assert_eq!((d.key_id, d.needs_reissue()), (2, false));
        keys.remove(1).unwrap();
        assert_eq!(make(keys).decode_at::<Session>(&old, at(T0)), Err(Error::UnknownKey(1)));
    }

    idle_lifetime_boundary(make) {
        let codec = make(ring()).max_age(Duration::from_secs(100));
        let token = codec.encode_at(&1u32, at(T0)).unwrap();
        assert!(codec.decode_at::<u32>(&token, at(T0 + 100)).is_ok());
        assert_eq!(
            codec.decode_at::<u32>(&token, at(T0 + 101)),
            Err(Error::Expired { expired_at: at(T0 + 100), now: at(T0 + 101), lifetime: Lifetime::Idle })
        );
    }

    default_idle_lifetime_is_one_day(make) {
        let codec = make(ring());
        let token = codec.encode_at(&1u32, at(T0)).unwrap();
        assert!(codec.decode_at::<u32>(&token, at(T0 + 86_400)).is_ok());
        assert!(matches!(codec.decode_at::<u32>(&token, at(T0 + 86_401)), Err(Error::Expired { .. })));
    }

    clock_skew_boundary(make) {
        let codec = make(ring()).clock_skew(Duration::from_secs(30));
        let token = codec.encode_at(&1u32, at(T0)).unwrap();
        assert!(codec.decode_at::<u32>(&token, at(T0 - 30)).is_ok());
        assert_eq!(
            codec.decode_at::<u32>(&token, at(T0 - 31)),
            Err(Error::IssuedInFuture { issued_at: at(T0), now: at(T0 - 31) })
        );
        let default = make(ring());
        assert!(default.decode_at::<u32>(&token, at(T0 - 60)).is_ok());
        assert!(default.decode_at::<u32>(&token, at(T0 - 61)).is_err());
    }

    absolute_lifetime_survives_reissue(make) {
        let codec = make(ring())
            .max_age(Duration::from_secs(100))
            .absolute_lifetime(Duration::from_secs(250));
        let mut token = codec.encode_at(&session(), at(T0)).unwrap();
        // Re-issue every 90 s, carrying the creation time over.
        for step in 1..=2 {
            let d = codec.decode_at::<Session>(&token, at(T0 + 90 * step)).unwrap();
            assert_eq!(d.created_at, at(T0));
            token = codec.encode_with(&d.value, &d.carry_over(), at(T0 + 90 * step)).unwrap();
        }
        assert_eq!(
            codec.decode_at::<Session>(&token, at(T0 + 251)),
            Err(Error::Expired { expired_at: at(T0 + 250), now: at(T0 + 251), lifetime: Lifetime::Absolute })
        );
        // A fresh encode (e.g. at login) starts a new absolute lifetime.
        let fresh = codec.encode_at(&session(), at(T0 + 200)).unwrap();
        assert!(codec.decode_at::<Session>(&fresh, at(T0 + 251)).is_ok());
    }

    rolling_reissue_threshold(make) {
        let codec = make(ring()).reissue_after(Duration::from_secs(600));
        let token = codec.encode_at(&1u8, at(T0)).unwrap();
        assert!(!codec.decode_at::<u8>(&token, at(T0 + 599)).unwrap().needs_reissue());
        assert!(codec.decode_at::<u8>(&token, at(T0 + 600)).unwrap().needs_reissue());
    }

    generation_check_revokes_older_sessions(make) {
        let codec = make(ring());
        let token = codec.encode_with(&session(), &EncodeOptions::new().generation(3), at(T0)).unwrap();
        let d = codec.decode_at::<Session>(&token, at(T0)).unwrap();
        assert_eq!(d.generation, 3);
        assert!(d.clone().check_generation(3).is_ok());
        assert_eq!(d.check_generation(4).map(|_| ()), Err(Error::Revoked { generation: 3, current: 4 }));
    }

    purposes_do_not_mix(make) {
        let session_codec = make(ring());
        let csrf_codec = make(ring()).purpose("csrf");
        let token = csrf_codec.encode_at(&"t", at(T0)).unwrap();
        assert!(csrf_codec.decode_at::<String>(&token, at(T0)).is_ok());
        assert_eq!(session_codec.decode_at::<String>(&token, at(T0)), Err(Error::Invalid));
        assert_eq!(make(ring()).purpose("csr").decode_at::<String>(&token, at(T0)), Err(Error::Invalid));
    }

    context_binds_the_token(make) {
        let codec = make(ring());
        let options = EncodeOptions::new().context(b"UA-hash-1");
        let token = codec.encode_with(&session(), &options, at(T0)).unwrap();
        assert!(codec.decode_with::<Session>(&token, &cookie_seal::DecodeOptions::new().context(b"UA-hash-1"), at(T0)).is_ok());
        assert_eq!(codec.decode_with::<Session>(&token, &cookie_seal::DecodeOptions::new().context(b"UA-hash-2"), at(T0)), Err(Error::Invalid));
        assert_eq!(codec.decode_at::<Session>(&token, at(T0)), Err(Error::Invalid));
        // Context and purpose are length-prefixed: no shifting bytes between them.
        let shifted = make(ring()).purpose("sessionUA");
        assert_eq!(shifted.decode_with::<Session>(&token, &cookie_seal::DecodeOptions::new().context(b"-hash-1"), at(T0)), Err(Error::Invalid));
    }

    oversized_payload_is_too_large_not_dropped(make) {
        let codec = make(ring()).compression(Compression::Never);
        let err = codec.encode_at(&noise(4000), at(T0)).unwrap_err();
        assert!(matches!(err, Error::TooLarge { len, limit: DEFAULT_MAX_TOKEN_LEN } if len > DEFAULT_MAX_TOKEN_LEN), "{err:?}");
    }

    max_payload_len_always_fits(make) {
        let codec = make(Keyring::new(u32::MAX, key(1))).compression(Compression::Never);
        let max = codec.max_payload_len();
        // A Vec<u8> of n bytes has a 2-byte length prefix for n >= 128.
        let payload = noise(max - 2);
        let worst = EncodeOptions::new().created_at(at(0)).generation(u32::MAX);
        let token = codec.encode_with(&payload, &worst, at(T0)).unwrap();
        assert!(token.len() <= DEFAULT_MAX_TOKEN_LEN);
        assert!(token.len() + 40 > DEFAULT_MAX_TOKEN_LEN, "bound is not loose: {}", token.len());
        assert!(matches!(codec.encode_at(&noise(max + 40), at(T0)), Err(Error::TooLarge { .. })));
    }

    cookie_name_sets_the_budget(make) {
        let codec = make(ring()).compression(Compression::Never).token_budget_for_cookie("a-much-longer-cookie-name");
        assert_eq!(codec.settings().token_budget(), 4096 - 25);
        let payload = noise(codec.max_payload_len() - 2);
        assert!(codec.encode_at(&payload, at(T0)).unwrap().len() <= 4096 - 25);
    }

    payload_over_the_inflate_cap_is_refused_at_encode(make) {
        let codec = make(ring()).compression(Compression::Auto);
        // Compresses to a few bytes, but would inflate past the decoder's cap.
        let zeros = vec![0u8; MAX_PAYLOAD_LEN];
        assert!(matches!(codec.encode_at(&zeros, at(T0)), Err(Error::TooLarge { limit: MAX_PAYLOAD_LEN, .. })));
        let just_fits = vec![0u8; MAX_PAYLOAD_LEN - 3];
        let token = codec.encode_at(&just_fits, at(T0)).unwrap();
        assert_eq!(codec.decode_at::<Vec<u8>>(&token, at(T0)).unwrap().value, just_fits);
    }

    compression_auto_only_when_shorter(make) {
        let auto = make(ring()).compression(Compression::Auto);
        let never = make(ring()).compression(Compression::Never);
        let text = "the same words again and again ".repeat(30);
        let (a, n) = (auto.encode_at(&text, at(T0)).unwrap(), never.encode_at(&text, at(T0)).unwrap());
        assert!(a.len() * 2 < n.len(), "{} vs {}", a.len(), n.len());
        // Readable in a signed header only; a sealed token encrypts the flag.
        assert_ne!(cookie_seal::inspect(&a).unwrap().compressed(), Some(false));
        let random = noise(500);
        let (a, n) = (auto.encode_at(&random, at(T0)).unwrap(), never.encode_at(&random, at(T0)).unwrap());
        assert_eq!(a.len(), n.len(), "incompressible payloads are stored as they are");
        assert_ne!(cookie_seal::inspect(&a).unwrap().compressed(), Some(true));
        assert_eq!(auto.decode_at::<Vec<u8>>(&a, at(T0)).unwrap().value, random);
    }

    times_before_1970_and_bad_options_are_errors(make) {
        let codec = make(ring());
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(codec.encode_at(&1u8, before), Err(Error::TimeOutOfRange));
        let token = codec.encode_at(&1u8, at(T0)).unwrap();
        assert_eq!(codec.decode_at::<u8>(&token, before), Err(Error::TimeOutOfRange));
        let future_creation = EncodeOptions::new().created_at(at(T0 + 1));
        assert!(matches!(codec.encode_with(&1u8, &future_creation, at(T0)), Err(Error::InvalidOption(_))));
    }

    session_id_signs_for_server_side_stores(make) {
        let codec = make(ring()).purpose("sid");
        let id = SessionId::generate().unwrap();
        let token = codec.encode_at(&id, at(T0)).unwrap();
        assert_eq!(codec.decode_at::<SessionId>(&token, at(T0)).unwrap().value, id);
        assert_ne!(SessionId::generate().unwrap(), id);
    }

    regenerated_session_id_round_trips(make) {
        let codec = make(ring());
        let mut s = session();
        s.regenerate().unwrap();
        let token = codec.encode_at(&s, at(T0)).unwrap();
        let back = codec.decode_at::<Session>(&token, at(T0)).unwrap().value;
        assert_eq!(back.id(), s.id());
        assert!(back.id().is_some());
    }
}

#[test]
fn empty_session_fits_the_overhead_budget() {
    let now = SystemTime::now();
    let signed = Codec::signed(ring())
        .encode_at(&Session::new(), now)
        .unwrap();
    let sealed = Codec::sealed(ring())
        .encode_at(&Session::new(), now)
        .unwrap();
    assert!(signed.len() <= 64, "signed empty session: {}", signed.len());
    assert!(sealed.len() <= 72, "sealed empty session: {}", sealed.len());
}

#[test]
fn signed_is_deterministic_and_sealed_is_not() {
    let (signed, sealed) = (Codec::signed(ring()), Codec::sealed(ring()));
    assert_eq!(
        signed.encode_at(&user(), at(T0)),
        signed.encode_at(&user(), at(T0))
    );
    assert_ne!(
        sealed.encode_at(&user(), at(T0)),
        sealed.encode_at(&user(), at(T0))
    );
}

#[test]
fn sealed_hides_the_payload_and_signed_does_not() {
    let secret = "correct horse battery staple";
    let find = |token: &str| {
        let raw = base64_url_decode(token);
        raw.windows(secret.len()).any(|w| w == secret.as_bytes())
    };
    let signed = Codec::signed(ring()).compression(Compression::Never);
    assert!(
        find(&signed.encode_at(&secret, at(T0)).unwrap()),
        "signed tokens are readable (by design)"
    );
    assert!(!find(
        &Codec::sealed(ring()).encode_at(&secret, at(T0)).unwrap()
    ));
}

#[test]
fn default_compression_differs_by_mode() {
    let text = "abcabcabcabcabcabc".repeat(20);
    let signed = Codec::signed(ring()).encode_at(&text, at(T0)).unwrap();
    let sealed = Codec::sealed(ring()).encode_at(&text, at(T0)).unwrap();
    assert_eq!(
        cookie_seal::inspect(&signed).unwrap().compressed(),
        Some(true),
        "signed compresses by default"
    );
    assert!(
        sealed.len() > text.len() * 4 / 3,
        "sealed never compresses by default"
    );
}

#[test]
fn sealed_header_shows_only_version_mode_and_key_id() {
    let codec = Codec::sealed(Keyring::new(5, key(1)));
    let plain = codec.encode_at(&session(), at(T0)).unwrap();
    let options = EncodeOptions::new().created_at(at(T0 - 1000)).generation(9);
    let carried = codec.encode_with(&session(), &options, at(T0 + 5)).unwrap();
    for token in [&plain, &carried] {
        let header = cookie_seal::inspect(token).unwrap();
        assert_eq!(
            (header.version(), header.mode(), header.key_id()),
            (1, Mode::Sealed, 5)
        );
        assert_eq!(header.issued_at(), None);
        assert_eq!(header.created_at(), None);
        assert_eq!(header.generation(), None);
        assert_eq!(header.compressed(), None);
        // version 1, flags = sealed only, key ID 5; then the nonce.
        assert_eq!(base64_url_decode(token)[..3], [0x01, 0x02, 0x05]);
    }
    // Authentic metadata comes back after opening.
    let d = codec.decode_at::<Session>(&carried, at(T0 + 5)).unwrap();
    assert_eq!(
        (d.issued_at, d.created_at, d.generation),
        (at(T0 + 5), at(T0 - 1000), 9)
    );
    // The signed header stays readable.
    let signed = Codec::signed(ring())
        .encode_with(&session(), &options, at(T0 + 5))
        .unwrap();
    let header = cookie_seal::inspect(&signed).unwrap();
    assert_eq!(
        (header.issued_at(), header.created_at(), header.generation()),
        (Some(at(T0 + 5)), Some(at(T0 - 1000)), Some(9))
    );
}

#[test]
fn sealed_codec_rejects_signed_tokens_unless_migrating() {
    let token = Codec::signed(ring()).encode_at(&session(), at(T0)).unwrap();
    assert_eq!(
        Codec::sealed(ring()).decode_at::<Session>(&token, at(T0)),
        Err(Error::ModeMismatch)
    );
    let migrating = Codec::sealed(ring()).accept_signed(true);
    let d = migrating.decode_at::<Session>(&token, at(T0)).unwrap();
    assert_eq!((d.mode, d.needs_reissue()), (Mode::Signed, true));
    let resealed = migrating.encode_at(&d.value, at(T0)).unwrap();
    assert_eq!(
        cookie_seal::inspect(&resealed).unwrap().mode(),
        Mode::Sealed
    );
    // The option is one-way: a signed codec never reads sealed tokens, and
    // asking one to "accept signed" is a setting error, not a silent no-op.
    assert_eq!(
        Codec::signed(ring()).decode_at::<Session>(&resealed, at(T0)),
        Err(Error::ModeMismatch)
    );
    let misconfigured = Codec::signed(ring()).accept_signed(true);
    assert!(matches!(
        misconfigured.validate(),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        misconfigured.decode_at::<Session>(&token, at(T0)),
        Err(Error::InvalidOption(_))
    ));
}

#[test]
fn signed_and_sealed_subkeys_are_independent() {
    // The same master key under both modes must not produce interchangeable
    // tags: flipping the mode bits of a signed token never verifies as sealed.
    let value = "long enough to fill a sealed token's nonce and tag".to_owned();
    let signed = Codec::signed(ring()).compression(Compression::Never);
    let token = signed.encode_at(&value, at(T0)).unwrap();
    let mut raw = base64_url_decode(&token);
    raw[1] = (raw[1] & !0b11) | 0b10;
    let forged = base64_url_encode(&raw);
    assert_eq!(
        Codec::sealed(ring()).decode_at::<String>(&forged, at(T0)),
        Err(Error::Invalid)
    );
}

fn base64_url_decode(token: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap()
}

fn base64_url_encode(raw: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[test]
fn public_types_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Codec>();
    assert_send_sync::<Keyring>();
    assert_send_sync::<Key>();
    assert_send_sync::<Session>();
    assert_send_sync::<Error>();
}

#[test]
fn decode_errors_never_include_key_material() {
    let secret = [0x5Cu8; 32];
    let codec = Codec::sealed(Keyring::new(9, Key::from_bytes(&secret).unwrap()));
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let b64 = base64_url_encode(&secret);
    let token = codec.encode_at(&session(), at(T0)).unwrap();
    let errors = [
        codec.decode_at::<Session>("garbage!", at(T0)).unwrap_err(),
        codec
            .decode_at::<Session>(&token, at(T0 + 10 * 86_400))
            .unwrap_err(),
        codec
            .decode_with::<Session>(
                &token,
                &cookie_seal::DecodeOptions::new().context(b"other"),
                at(T0),
            )
            .unwrap_err(),
    ];
    for error in errors {
        let shown = format!("{error} {error:?} {codec:?}");
        assert!(
            !shown.contains(&hex) && !shown.contains(&b64[..20]),
            "{shown}"
        );
    }
}

#[test]
fn auto_compression_tries_harder_before_refusing() {
    // A payload whose fast deflate does not fit but whose best deflate does:
    // text with long-distance repeats that level 1 only partly finds.
    let codec = Codec::signed(ring());
    let words: Vec<String> = (0..900)
        .map(|i| format!("item-{:04}:{}", i % 300, "x".repeat(i % 7)))
        .collect();
    let mut fits_only_when_trying_hard = None;
    for n in (100..900).step_by(20) {
        let value = words[..n].join(",");
        let fast = flate2_len(&value, 1);
        let best = flate2_len(&value, 9);
        let budget_body = 3 * DEFAULT_MAX_TOKEN_LEN / 4 - 80;
        if fast > budget_body && best < budget_body - 40 {
            fits_only_when_trying_hard = Some(value);
            break;
        }
    }
    let value = fits_only_when_trying_hard.expect("a payload between the two levels' capacities");
    let token = codec.encode_at(&value, at(T0)).unwrap();
    assert!(token.len() <= DEFAULT_MAX_TOKEN_LEN);
    assert_eq!(
        codec.decode_at::<String>(&token, at(T0)).unwrap().value,
        value
    );
}

/// Raw deflate length of the postcard form of a string at a given level.
fn flate2_len(value: &str, level: u32) -> usize {
    use std::io::Write;
    let payload = postcard::to_allocvec(value).unwrap();
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(&payload).unwrap();
    encoder.finish().unwrap().len()
}

#[test]
fn settings_out_of_range_fail_validate_and_every_call_alike() {
    let bad = [
        Codec::signed(ring()).max_age(Duration::ZERO),
        Codec::sealed(ring()).absolute_lifetime(Duration::ZERO),
        Codec::sealed(ring()).token_budget(cookie_seal::consts::MAX_TOKEN_LEN + 1),
        Codec::sealed(ring()).purpose(""),
        Codec::sealed(ring()).purpose(&"p".repeat(256)),
        Codec::signed(ring()).accept_signed(true),
    ];
    let token = Codec::sealed(ring()).encode_at(&1u8, at(T0)).unwrap();
    for codec in bad {
        let expected = codec.validate();
        assert!(
            matches!(expected, Err(Error::InvalidOption(_))),
            "{codec:?}"
        );
        assert_eq!(
            codec.encode_at(&1u8, at(T0)).map(drop),
            expected,
            "{codec:?}"
        );
        assert_eq!(
            codec.decode_at::<u8>(&token, at(T0)).map(drop),
            expected,
            "{codec:?}"
        );
    }
    let fine = Codec::sealed(ring())
        .token_budget(cookie_seal::consts::MAX_TOKEN_LEN)
        .purpose(&"p".repeat(255));
    assert_eq!(fine.validate(), Ok(()));
}

#[test]
fn sub_second_lifetimes_round_up_to_whole_seconds() {
    let codec = Codec::sealed(ring()).max_age(Duration::from_millis(500));
    assert_eq!(codec.settings().max_age(), Duration::from_millis(500));
    let token = codec.encode_at(&1u8, at(T0)).unwrap();
    assert!(codec.decode_at::<u8>(&token, at(T0 + 1)).is_ok());
    assert!(matches!(
        codec.decode_at::<u8>(&token, at(T0 + 2)),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn verify_checks_everything_but_the_payload_type() {
    let codec = Codec::signed(ring()).max_age(Duration::from_secs(60));
    let token = codec.encode_at(&session(), at(T0)).unwrap();
    let verified = codec
        .verify(&token, &cookie_seal::DecodeOptions::new(), at(T0))
        .unwrap();
    let decoded = codec.decode_at::<Session>(&token, at(T0)).unwrap();
    assert_eq!(
        postcard::to_allocvec(&decoded.value).unwrap(),
        verified.value
    );
    assert_eq!(
        (verified.key_id, verified.issued_at),
        (decoded.key_id, decoded.issued_at)
    );
    assert!(matches!(
        codec.verify(&token, &cookie_seal::DecodeOptions::new(), at(T0 + 61)),
        Err(Error::Expired { .. })
    ));
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    assert!(codec
        .verify(&forged, &cookie_seal::DecodeOptions::new(), at(T0))
        .is_err());
}

#[test]
fn settings_read_back_under_the_setter_names() {
    let codec = Codec::new(Mode::Sealed, ring())
        .purpose("csrf")
        .max_age(Duration::from_secs(10))
        .absolute_lifetime(Duration::from_secs(20))
        .reissue_after(Duration::from_secs(5))
        .clock_skew(Duration::from_secs(3))
        .compression(Compression::Auto)
        .token_budget(1000)
        .accept_signed(true);
    let s = codec.settings();
    assert_eq!(
        (
            s.mode(),
            s.purpose(),
            s.max_age(),
            s.absolute_lifetime(),
            s.reissue_after()
        ),
        (
            Mode::Sealed,
            "csrf",
            Duration::from_secs(10),
            Some(Duration::from_secs(20)),
            Some(Duration::from_secs(5))
        )
    );
    assert_eq!(
        (
            s.clock_skew(),
            s.compression(),
            s.token_budget(),
            s.accept_signed()
        ),
        (Duration::from_secs(3), Compression::Auto, 1000, true)
    );
    assert_eq!(
        Codec::new(Mode::Signed, ring()).settings().compression(),
        Compression::Auto
    );
    assert_eq!(
        Codec::new(Mode::Sealed, ring()).settings().compression(),
        Compression::Never
    );
}

#[test]
fn padded_sealed_tokens_fall_on_bucket_boundaries() {
    for bucket in [4, 64, 100, 256] {
        let codec = Codec::sealed(ring()).pad_to(bucket);
        let unpadded = Codec::sealed(ring());
        for len in (0..700).step_by(7) {
            let value = "x".repeat(len);
            let token = codec.encode_at(&value, at(T0)).unwrap();
            let plain = unpadded.encode_at(&value, at(T0)).unwrap();
            assert_eq!(
                token.len() % bucket,
                0,
                "bucket {bucket}, {len}: {}",
                token.len()
            );
            assert!(token.len() >= plain.len() && token.len() < plain.len() + bucket + 4);
            assert_eq!(
                codec.decode_at::<String>(&token, at(T0)).unwrap().value,
                value
            );
            // Padding is inside the ciphertext: any codec with the keys reads it.
            assert_eq!(
                unpadded.decode_at::<String>(&token, at(T0)).unwrap().value,
                value
            );
        }
    }
    // The empty session stays within the overhead budget unpadded, and
    // pads to exactly one bucket.
    let empty = Codec::sealed(ring())
        .pad_to(128)
        .encode_at(&Session::new(), at(T0))
        .unwrap();
    assert_eq!(empty.len(), 128);
}

#[test]
fn padding_never_pushes_a_token_over_the_budget() {
    for budget in [400, 401, 402, 403] {
        let codec = Codec::sealed(ring()).pad_to(256).token_budget(budget);
        let unpadded = Codec::sealed(ring()).token_budget(budget);
        for len in [150, 200, 240] {
            let value = "y".repeat(len);
            let plain = unpadded.encode_at(&value, at(T0)).unwrap();
            assert!(plain.len() > 256 && plain.len() <= budget);
            let token = codec.encode_at(&value, at(T0)).unwrap();
            // Padded to the budget, or one short where base64url cannot
            // end (a length of 4k + 1).
            let longest = if budget % 4 == 1 { budget - 1 } else { budget };
            assert_eq!(token.len(), longest, "budget {budget}, {len}");
            assert_eq!(
                codec.decode_at::<String>(&token, at(T0)).unwrap().value,
                value
            );
        }
        // What does not fit unpadded is still refused.
        let err = codec.encode_at(&"z".repeat(400), at(T0)).unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { limit, .. } if limit == budget),
            "{err:?}"
        );
    }
}

#[test]
fn pad_to_is_validated_under_the_one_policy() {
    for codec in [
        Codec::sealed(ring()).pad_to(0),
        Codec::sealed(ring()).pad_to(6),
        Codec::sealed(ring()).pad_to(cookie_seal::consts::MAX_TOKEN_LEN + 4),
        Codec::signed(ring()).pad_to(64),
    ] {
        assert!(
            matches!(codec.validate(), Err(Error::InvalidOption(_))),
            "{codec:?}"
        );
        assert!(matches!(
            codec.encode_at(&1u8, at(T0)),
            Err(Error::InvalidOption(_))
        ));
        let token = Codec::sealed(ring()).encode_at(&1u8, at(T0)).unwrap();
        assert!(matches!(
            codec.decode_at::<u8>(&token, at(T0)),
            Err(Error::InvalidOption(_))
        ));
    }
    let codec = Codec::sealed(ring()).pad_to(64);
    assert_eq!(
        (codec.validate(), codec.settings().pad_to()),
        (Ok(()), Some(64))
    );
    assert_eq!(Codec::sealed(ring()).settings().pad_to(), None);
}

#[test]
fn both_nonce_sources_write_tokens_any_codec_reads() {
    use cookie_seal::NonceSource;
    let synthetic = Codec::sealed(ring());
    let os = Codec::sealed(ring()).nonce_source(NonceSource::Os);
    assert_eq!(synthetic.settings().nonce_source(), NonceSource::Synthetic);
    assert_eq!(os.settings().nonce_source(), NonceSource::Os);
    for writer in [&synthetic, &os] {
        let (a, b) = (
            writer.encode_at(&session(), at(T0)).unwrap(),
            writer.encode_at(&session(), at(T0)).unwrap(),
        );
        assert_ne!(
            a, b,
            "a fresh nonce for every token, even of the same value"
        );
        for reader in [&synthetic, &os] {
            assert_eq!(
                reader.decode_at::<Session>(&a, at(T0)).unwrap().value,
                session()
            );
        }
    }
}
