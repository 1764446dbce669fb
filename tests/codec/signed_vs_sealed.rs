//! Where the signed and sealed modes differ: determinism, what the token
//! shows, the readable header, migration, independent subkeys.

use super::*;

#[test]
fn empty_session_fits_the_overhead_budget() {
    let now = SystemTime::now();
    let signed = Codec::signed(ring())
        .encode_at(&SessionMap::new(), now)
        .unwrap();
    let sealed = Codec::sealed(ring())
        .encode_at(&SessionMap::new(), now)
        .unwrap();
    assert!(signed.len() <= 64, "signed empty session: {}", signed.len());
    assert!(sealed.len() <= 72, "sealed empty session: {}", sealed.len());
    // Exactly (FORMAT.md section 11): the room kept for a re-issue and the
    // optional expiry field add no bytes to a token that does not use them.
    assert_eq!((signed.len(), sealed.len()), (56, 68));
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
    let d = codec.decode_at::<SessionMap>(&carried, at(T0 + 5)).unwrap();
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
        Codec::sealed(ring()).decode_at::<SessionMap>(&token, at(T0)),
        Err(Error::ModeMismatch)
    );
    let migrating = Codec::sealed(ring()).accept_signed(true);
    let d = migrating.decode_at::<SessionMap>(&token, at(T0)).unwrap();
    assert_eq!((d.mode, d.needs_reissue()), (Mode::Signed, true));
    let resealed = migrating.encode_at(&d.value, at(T0)).unwrap();
    assert_eq!(
        cookie_seal::inspect(&resealed).unwrap().mode(),
        Mode::Sealed
    );
    // The option is one-way: a signed codec never reads sealed tokens, and
    // asking one to "accept signed" is a setting error, not a silent no-op.
    assert_eq!(
        Codec::signed(ring()).decode_at::<SessionMap>(&resealed, at(T0)),
        Err(Error::ModeMismatch)
    );
    let misconfigured = Codec::signed(ring()).accept_signed(true);
    assert!(matches!(
        misconfigured.validate(),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        misconfigured.decode_at::<SessionMap>(&token, at(T0)),
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
