//! The codec behaviour every mode shares: each test runs as
//! `both_modes::signed::NAME` and `both_modes::sealed::NAME`.

use super::*;

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
        let d = codec.decode_at::<SessionMap>(&token, at(T0 + 10)).unwrap();
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
        assert!(!staged.decode_at::<SessionMap>(&old, at(T0)).unwrap().needs_reissue(), "staging changes nothing");
        assert_eq!(staged.encode_at(&1u8, at(T0)).map(|t| cookie_seal::inspect(&t).unwrap().key_id()), Ok(1));
        keys.promote(2).unwrap();
        let promoted = make(keys.clone());
        let d = promoted.decode_at::<SessionMap>(&old, at(T0)).unwrap();
        assert_eq!((d.key_id, d.needs_reissue()), (1, true));
        let fresh = promoted.encode_at(&d.value, at(T0)).unwrap();
        let d = promoted.decode_at::<SessionMap>(&fresh, at(T0)).unwrap();
        assert_eq!((d.key_id, d.needs_reissue()), (2, false));
        keys.remove(1).unwrap();
        assert_eq!(make(keys).decode_at::<SessionMap>(&old, at(T0)), Err(Error::UnknownKey(1)));
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

    a_bound_context_is_not_counted_in_the_token_budget(make) {
        // The longest key ID and a created-delta as long as the issue time:
        // nothing a re-issue could add is left to reserve, so the token
        // fills the budget to the byte.
        let ring = || fixtures::ring(&[(u32::MAX, 1)]);
        let options = EncodeOptions::new().context(b"__Host-session").created_at(at(1));
        let exact = make(ring()).encode_with(&session(), &options, at(T0)).unwrap().len();
        let fits = make(ring()).token_budget(exact).encode_with(&session(), &options, at(T0));
        assert_eq!(fits.map(|token| token.len()), Ok(exact));
        assert!(matches!(
            make(ring()).token_budget(exact - 1).encode_with(&session(), &options, at(T0)),
            Err(Error::TooLarge { .. })
        ));
    }

    a_new_token_is_budgeted_for_its_reissue(make) {
        // Key 1 and no created-delta: a re-issue may add 4 key ID bytes
        // and a 5-byte created-delta; those 9 bytes count now.
        let token = make(ring()).encode_at(&session(), at(T0)).unwrap();
        let raw = base64_url_decode(&token).len();
        let reserved = (4 * (raw + 9)).div_ceil(3);
        assert!(make(ring()).token_budget(reserved).encode_at(&session(), at(T0)).is_ok());
        assert_eq!(
            make(ring()).token_budget(reserved - 1).encode_at(&session(), at(T0)),
            Err(Error::TooLarge { len: reserved, limit: reserved - 1 })
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
            let d = codec.decode_at::<SessionMap>(&token, at(T0 + 90 * step)).unwrap();
            assert_eq!(d.created_at, at(T0));
            token = codec.encode_with(&d.value, &d.carry_over(), at(T0 + 90 * step)).unwrap();
        }
        assert!(codec.decode_at::<SessionMap>(&token, at(T0 + 250)).is_ok(), "the last second still counts");
        assert_eq!(
            codec.decode_at::<SessionMap>(&token, at(T0 + 251)),
            Err(Error::Expired { expired_at: at(T0 + 250), now: at(T0 + 251), lifetime: Lifetime::Absolute })
        );
        // A fresh encode (e.g. at login) starts a new absolute lifetime.
        let fresh = codec.encode_at(&session(), at(T0 + 200)).unwrap();
        assert!(codec.decode_at::<SessionMap>(&fresh, at(T0 + 251)).is_ok());
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
        let d = codec.decode_at::<SessionMap>(&token, at(T0)).unwrap();
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
        assert!(codec.decode_with::<SessionMap>(&token, &cookie_seal::DecodeOptions::new().context(b"UA-hash-1"), at(T0)).is_ok());
        assert_eq!(codec.decode_with::<SessionMap>(&token, &cookie_seal::DecodeOptions::new().context(b"UA-hash-2"), at(T0)), Err(Error::Invalid));
        assert_eq!(codec.decode_at::<SessionMap>(&token, at(T0)), Err(Error::Invalid));
        // Context and purpose are length-prefixed: no shifting bytes between them.
        let shifted = make(ring()).purpose("sessionUA");
        assert_eq!(shifted.decode_with::<SessionMap>(&token, &cookie_seal::DecodeOptions::new().context(b"-hash-1"), at(T0)), Err(Error::Invalid));
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
        let back = codec.decode_at::<SessionMap>(&token, at(T0)).unwrap().value;
        assert_eq!(back.id(), s.id());
        assert!(back.id().is_some());
    }
}
