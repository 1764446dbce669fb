//! Timestamps: tampered, expired, from the future, at the extremes.

use super::*;

#[test]
fn tampered_timestamp_is_invalid_never_expired() {
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        // Issue time is bytes 3..8 (key ID 1 is one byte): rewrite it to 1970.
        raw.splice(3..8, [0x80, 0x80, 0x80, 0x80, 0x00]);
        let at_zero = [&raw[..3], &[0u8], &raw[8..]].concat();
        for bad in [raw, at_zero] {
            let err = codec
                .decode_at::<SessionMap>(&URL_SAFE_NO_PAD.encode(&bad), at(T0))
                .unwrap_err();
            assert!(matches!(err, Error::Invalid | Error::Malformed), "{err:?}");
        }
        let mut future = URL_SAFE_NO_PAD.decode(&token).unwrap();
        future[7] += 1; // + 2^28 s
        assert_eq!(
            decode(&codec, &URL_SAFE_NO_PAD.encode(&future)),
            Err(Error::Invalid)
        );
    }
}

#[test]
fn expired_and_future_tokens_are_reported() {
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        let later = codec
            .decode_at::<SessionMap>(&token, at(T0 + 86_401))
            .unwrap_err();
        assert!(matches!(later, Error::Expired { .. }), "{later:?}");
        let earlier = codec
            .decode_at::<SessionMap>(&token, at(T0 - 61))
            .unwrap_err();
        assert!(
            matches!(earlier, Error::IssuedInFuture { .. }),
            "{earlier:?}"
        );
    }
}

#[test]
fn timestamps_zero_and_u64_max() {
    let codec = Codec::signed(ring());
    let body = postcard::to_allocvec(&session()).unwrap();
    // Authentic, issued at the epoch: long expired.
    let zero = forge_signed(&header(0x01, 1, 0), &body);
    assert!(matches!(decode(&codec, &zero), Err(Error::Expired { .. })));
    // Authentic, issued at u64::MAX: in the future, with no overflow anywhere.
    let max = forge_signed(&header(0x01, 1, u64::MAX), &body);
    assert!(matches!(
        decode(&codec, &max),
        Err(Error::IssuedInFuture { .. })
    ));
    assert!(cookie_seal::inspect(&max).is_ok());
    // Checked at the end of representable time, both are expired, not a panic.
    let end = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 4);
    assert!(matches!(
        codec.decode_at::<SessionMap>(&zero, end),
        Err(Error::Expired { .. })
    ));
    assert!(matches!(
        codec.decode_at::<SessionMap>(&max, end),
        Err(Error::IssuedInFuture { .. })
    ));
    // Encoding at a far-future time works and reads back at that time.
    let token = codec.encode_at(&session(), end).unwrap();
    assert_eq!(
        codec.decode_at::<SessionMap>(&token, end).unwrap().value,
        session()
    );
    // Forged (unauthentic) u64::MAX time is Invalid, never a time error.
    let mut raw = URL_SAFE_NO_PAD.decode(&max).unwrap();
    raw[20] ^= 1;
    assert_eq!(
        decode(&codec, &URL_SAFE_NO_PAD.encode(&raw)),
        Err(Error::Invalid)
    );
}
