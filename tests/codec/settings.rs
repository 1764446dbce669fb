//! Codec settings: one validation policy, rounding, getters named like
//! the setters.

use super::*;

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
    assert!(
        !Codec::sealed(ring()).settings().accept_signed(),
        "a sealed codec reads only sealed tokens unless told"
    );
}
