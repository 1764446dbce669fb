//! Keys, purposes and contexts: unknown key IDs, mixed purposes or
//! contexts, bad keyring text.

use super::*;

#[test]
fn unknown_key_id_is_reported_and_no_other_key_is_tried() {
    for make in [Codec::signed, Codec::sealed] {
        // Token written by the same master key, but under ID 5.
        let token = make(Keyring::new(5, Key::from_bytes(&MASTER).unwrap()))
            .encode_at(&session(), at(T0))
            .unwrap();
        // The reader holds that key under ID 1: trying every key would accept it.
        assert_eq!(decode(&make(ring()), &token), Err(Error::UnknownKey(5)));
    }
}

#[test]
fn wrong_key_purpose_or_context_is_invalid() {
    for make in [Codec::signed, Codec::sealed] {
        let token = make(ring()).encode_at(&session(), at(T0)).unwrap();
        let other_key = make(Keyring::new(1, Key::from_bytes(&[0x22; 32]).unwrap()));
        assert_eq!(decode(&other_key, &token), Err(Error::Invalid));
        assert_eq!(
            decode(&make(ring()).purpose("remember"), &token),
            Err(Error::Invalid)
        );
        assert_eq!(
            make(ring())
                .decode_with::<SessionMap>(
                    &token,
                    &cookie_seal::DecodeOptions::new().context(b"ctx"),
                    at(T0)
                )
                .map(|d| d.value),
            Err(Error::Invalid)
        );
        // A purpose set and set back derives the original subkeys again.
        let round_trip = make(ring()).purpose("remember").purpose("session");
        assert_eq!(decode(&round_trip, &token), Ok(session()));
    }
}

#[test]
fn purposes_and_contexts_never_stand_in_for_each_other() {
    for make in [Codec::signed, Codec::sealed] {
        // (purpose, context) pairs whose bytes would run together unprefixed.
        let pairs: [(&str, &[u8]); 6] = [
            ("session", b""),
            ("session", b"x"),
            ("sessionx", b""),
            ("sessio", b"nx"),
            ("session", b"\0"),
            ("session", b"\0\x01\0\0\0\0\0\0\0x"),
        ];
        for (i, (purpose, context)) in pairs.iter().enumerate() {
            let token = make(ring())
                .purpose(purpose)
                .encode_with(&session(), &EncodeOptions::new().context(context), at(T0))
                .unwrap();
            for (j, (other_purpose, other_context)) in pairs.iter().enumerate() {
                let result = make(ring())
                    .purpose(other_purpose)
                    .decode_with::<SessionMap>(
                        &token,
                        &DecodeOptions::new().context(other_context),
                        at(T0),
                    );
                if i == j {
                    assert_eq!(result.map(|d| d.value), Ok(session()));
                } else {
                    assert_eq!(result.map(|_| ()), Err(Error::Invalid), "{i} read as {j}");
                }
            }
        }
    }
}

#[test]
fn bad_keyrings_are_clear_errors() {
    let k = URL_SAFE_NO_PAD.encode([9u8; 32]);
    assert_eq!("".parse::<Keyring>(), Err(Error::EmptyKeyring));
    assert_eq!(
        format!("1:{k},1:{k}").parse::<Keyring>(),
        Err(Error::DuplicateKeyId(1))
    );
    assert!(matches!(
        format!("1:{}", URL_SAFE_NO_PAD.encode([9u8; 31])).parse::<Keyring>(),
        Err(Error::KeyLength { len: 31, .. })
    ));
    assert!(matches!(
        "1:%%%".parse::<Keyring>(),
        Err(Error::KeyringSyntax { entry: 1, .. })
    ));
    assert!(matches!(
        format!("1:{k};2:{k}").parse::<Keyring>(),
        Err(Error::KeyringSyntax { .. })
    ));
    assert!(matches!(
        Key::from_bytes(b"short"),
        Err(Error::KeyLength { len: 5, .. })
    ));
}
