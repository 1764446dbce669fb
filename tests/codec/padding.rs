//! Sealed-token padding: bucket boundaries, the budget, validation.

use super::*;

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
        .encode_at(&SessionMap::new(), at(T0))
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
    let largest = Codec::sealed(ring()).pad_to(cookie_seal::consts::MAX_TOKEN_LEN);
    assert_eq!(
        largest.validate(),
        Ok(()),
        "a bucket of MAX_TOKEN_LEN is allowed"
    );
    assert_eq!(Codec::sealed(ring()).settings().pad_to(), None);
}
