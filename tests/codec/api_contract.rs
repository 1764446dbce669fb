//! Promises of the public API beyond one mode: thread safety, no key
//! material in errors, payload-agnostic `verify`, both nonce sources.

use super::*;

#[test]
fn public_types_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Codec>();
    assert_send_sync::<Keyring>();
    assert_send_sync::<Key>();
    assert_send_sync::<SessionMap>();
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
        codec
            .decode_at::<SessionMap>("garbage!", at(T0))
            .unwrap_err(),
        codec
            .decode_at::<SessionMap>(&token, at(T0 + 10 * 86_400))
            .unwrap_err(),
        codec
            .decode_with::<SessionMap>(
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
fn verify_checks_everything_but_the_payload_type() {
    let codec = Codec::signed(ring()).max_age(Duration::from_secs(60));
    let token = codec.encode_at(&session(), at(T0)).unwrap();
    let verified = codec
        .verify(&token, &cookie_seal::DecodeOptions::new(), at(T0))
        .unwrap();
    let decoded = codec.decode_at::<SessionMap>(&token, at(T0)).unwrap();
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
    // Flip a character inside the tag (the last one could only make the
    // base64 non-canonical, which is `Malformed`, not a forgery).
    let mut forged = token.into_bytes();
    let inside_tag = forged.len() - 5;
    forged[inside_tag] = if forged[inside_tag] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(
        codec
            .verify(&forged, &cookie_seal::DecodeOptions::new(), at(T0))
            .unwrap_err(),
        Error::Invalid
    );
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
                reader.decode_at::<SessionMap>(&a, at(T0)).unwrap().value,
                session()
            );
        }
    }
}
