//! Unit tests of `Keyring`: rotation, the text form, limits and what errors and `Debug` show.

use super::*;

fn key(byte: u8) -> Key {
    Key::from_bytes(&[byte; 32]).unwrap()
}

#[test]
fn rotation_cycle_add_promote_remove() {
    let mut ring = Keyring::new(1, key(1));
    ring.add(2, key(2)).unwrap();
    assert_eq!(ring.primary_id(), 1);
    ring.promote(2).unwrap();
    assert_eq!(ring.primary_id(), 2);
    ring.remove(1).unwrap();
    assert_eq!(ring.ids().collect::<Vec<_>>(), vec![2]);
}

#[test]
fn keyring_operations_report_their_errors() {
    let mut ring = Keyring::new(1, key(1));
    assert_eq!(ring.add(1, key(9)), Err(Error::DuplicateKeyId(1)));
    assert_eq!(ring.promote(7), Err(Error::UnknownKey(7)));
    assert_eq!(ring.remove(1), Err(Error::RemovePrimary(1)));
    assert_eq!(ring.remove(7), Err(Error::UnknownKey(7)));
    for id in 2..=u32::try_from(MAX_KEYS).unwrap() {
        ring.add(id, key(1)).unwrap();
    }
    assert_eq!(
        ring.add(1000, key(1)),
        Err(Error::TooManyKeys {
            count: MAX_KEYS + 1,
            limit: MAX_KEYS
        })
    );
}

#[test]
fn text_round_trip_keeps_primary_and_keys() {
    let mut ring = Keyring::new(5, key(5));
    ring.add(3, key(3)).unwrap();
    ring.add(9, key(9)).unwrap();
    let text = ring.export();
    assert!(text.starts_with("5:"), "primary comes first");
    let parsed: Keyring = text.parse().unwrap();
    assert_eq!(parsed, ring);
}

#[test]
fn text_accepts_standard_base64_and_whitespace() {
    let text = " 1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= ,\n 2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8\n";
    let ring: Keyring = text.parse().unwrap();
    assert_eq!(ring.primary_id(), 1);
    let first: Vec<u8> = (0..32).collect();
    assert_eq!(ring.get(1), Some(&Key::from_bytes(&first).unwrap()));
}

#[test]
fn bad_keyring_text_is_a_clear_error() {
    let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
    let short = URL_SAFE_NO_PAD.encode([1u8; 16]);
    let cases: Vec<(String, Error)> = vec![
        ("".into(), Error::EmptyKeyring),
        ("  \n".into(), Error::EmptyKeyring),
        (format!("1:{k},1:{k}"), Error::DuplicateKeyId(1)),
        (
            format!("1:{short}"),
            Error::KeyLength {
                len: 16,
                min: 32,
                max: 512,
                entry: Some(1),
            },
        ),
        (
            "1:!!!notbase64!!!".into(),
            Error::KeyringSyntax {
                entry: 1,
                reason: "key is not valid base64",
            },
        ),
        (
            k.clone(),
            Error::KeyringSyntax {
                entry: 1,
                reason: "expected ID:KEY",
            },
        ),
        (
            format!("x:{k}"),
            Error::KeyringSyntax {
                entry: 1,
                reason: "key ID is not a decimal number",
            },
        ),
        (
            format!("-1:{k}"),
            Error::KeyringSyntax {
                entry: 1,
                reason: "key ID is not a decimal number",
            },
        ),
        (
            format!("4294967296:{k}"),
            Error::KeyringSyntax {
                entry: 1,
                reason: "key ID exceeds u32",
            },
        ),
        (
            format!("1:{k},"),
            Error::KeyringSyntax {
                entry: 2,
                reason: "empty entry",
            },
        ),
        (
            format!("1:{k}=="),
            Error::KeyringSyntax {
                entry: 1,
                reason: "key is not valid base64",
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<Keyring>(), Err(expected), "input {text:?}");
    }
    let huge = "1".repeat(MAX_KEYRING_TEXT_LEN + 1);
    assert!(matches!(
        huge.parse::<Keyring>(),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn errors_and_debug_never_echo_key_text() {
    let secret = URL_SAFE_NO_PAD.encode([0x42u8; 20]);
    let err = format!("1:{secret}").parse::<Keyring>().unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&secret));
    let ring: Keyring = format!("1:{}", URL_SAFE_NO_PAD.encode([0x42u8; 32]))
        .parse()
        .unwrap();
    let shown = format!("{ring:?}");
    assert_eq!(shown, "Keyring { primary: 1, ids: [1] }");
}

#[test]
fn key_ids_with_leading_zeros_are_refused() {
    let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
    for id in ["01", "0001", "00"] {
        assert_eq!(
            format!("2:{k},{id}:{k}").parse::<Keyring>(),
            Err(Error::KeyringSyntax {
                entry: 2,
                reason: "key ID has a leading zero",
            }),
            "id {id}"
        );
    }
    let ring: Keyring = format!("0:{k},10:{k}").parse().unwrap();
    assert_eq!(ring.ids().collect::<Vec<_>>(), vec![0, 10]);
}

#[test]
fn the_key_count_has_its_own_error_in_text_too() {
    let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
    let entries = |n: usize| {
        (1..=n)
            .map(|id| format!("{id}:{k}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(
        entries(MAX_KEYS).parse::<Keyring>().unwrap().ids().count(),
        MAX_KEYS
    );
    let error = entries(MAX_KEYS + 1).parse::<Keyring>().unwrap_err();
    assert_eq!(
        error,
        Error::TooManyKeys {
            count: MAX_KEYS + 1,
            limit: MAX_KEYS
        }
    );
    assert_eq!(error.to_string(), "too many keys: 65, limit 64");
}

#[test]
fn key_length_errors_name_the_entry() {
    let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
    let short = URL_SAFE_NO_PAD.encode([1u8; 31]);
    let error = format!("1:{k}, 2:{k},3:{short}")
        .parse::<Keyring>()
        .unwrap_err();
    assert_eq!(
        error,
        Error::KeyLength {
            len: 31,
            min: 32,
            max: 512,
            entry: Some(3)
        }
    );
    assert_eq!(
        error.to_string(),
        "keyring entry 3: key length 31 not allowed: 32 to 512 bytes"
    );
    let bytes_error = Key::from_bytes(&[1; 31]).unwrap_err();
    assert_eq!(
        bytes_error.to_string(),
        "key length 31 not allowed: 32 to 512 bytes"
    );
}

#[test]
fn base64_length_boundary_is_the_longest_key_in_padded_base64() {
    let longest: Vec<u8> = (0..=255u8).cycle().take(MAX_KEY_LEN).collect();
    // 512 bytes in padded standard base64: exactly 684 characters.
    let padded = STANDARD.encode(&longest);
    assert_eq!(padded.len(), 684);
    let ring: Keyring = format!("1:{padded}").parse().unwrap();
    assert_eq!(ring.get(1), Some(&Key::from_bytes(&longest).unwrap()));
    let unpadded = URL_SAFE_NO_PAD.encode(&longest);
    assert_eq!(unpadded.len(), 683);
    assert!(format!("1:{unpadded}").parse::<Keyring>().is_ok());
    // One character more is refused before decoding, as too long.
    assert_eq!(
        format!("1:{padded}A").parse::<Keyring>(),
        Err(Error::KeyringSyntax {
            entry: 1,
            reason: "key is too long",
        })
    );
    // 513 bytes decode but are over the key limit.
    let over = URL_SAFE_NO_PAD.encode([7u8; MAX_KEY_LEN + 1]);
    assert_eq!(over.len(), 684);
    assert!(matches!(
        format!("1:{over}").parse::<Keyring>(),
        Err(Error::KeyLength {
            len: 513,
            entry: Some(1),
            ..
        })
    ));
}

#[test]
fn text_of_exactly_the_length_limit_is_read() {
    // Whitespace around entries is ignored, so padding reaches the limit.
    let entry = format!("1:{}", URL_SAFE_NO_PAD.encode([1u8; 32]));
    let at_limit = format!("{entry}{}", " ".repeat(MAX_KEYRING_TEXT_LEN - entry.len()));
    assert_eq!(at_limit.len(), MAX_KEYRING_TEXT_LEN);
    assert_eq!(at_limit.parse::<Keyring>().map(|r| r.primary_id()), Ok(1));
    let over = format!("{at_limit} ");
    assert_eq!(
        over.parse::<Keyring>(),
        Err(Error::TooLarge {
            len: MAX_KEYRING_TEXT_LEN + 1,
            limit: MAX_KEYRING_TEXT_LEN
        })
    );
}

#[test]
fn export_is_exactly_the_entries_joined() {
    let mut ring = Keyring::new(7, key(7));
    for id in [0, 9, 10, 99, 100, u32::MAX] {
        ring.add(id, Key::from_bytes(&[id.to_le_bytes()[0]; 45]).unwrap())
            .unwrap();
    }
    let text = ring.export();
    let mut expected = vec![format!("7:{}", URL_SAFE_NO_PAD.encode([7u8; 32]))];
    for id in [0u32, 9, 10, 99, 100, u32::MAX] {
        expected.push(format!(
            "{id}:{}",
            URL_SAFE_NO_PAD.encode([id.to_le_bytes()[0]; 45])
        ));
    }
    assert_eq!(*text, expected.join(","));
    assert_eq!(text.capacity(), text.len(), "sized once, never grown");
    assert_eq!(text.parse::<Keyring>().unwrap(), ring);
    assert_eq!(decimal_len(0), 1);
    assert_eq!(decimal_len(9), 1);
    assert_eq!(decimal_len(10), 2);
    assert_eq!(decimal_len(u32::MAX), 10);
}

#[test]
fn next_free_id_follows_the_highest() {
    let mut ring = Keyring::new(4, key(1));
    ring.add(2, key(2)).unwrap();
    assert_eq!(ring.next_free_id(), Some(5));
    assert_eq!(Keyring::new(u32::MAX, key(1)).next_free_id(), None);
}

/// `openssl rand -hex 32` is 64 hex digits, which are also valid base64 (48
/// bytes): without this rule it was silently taken as a 48-byte key.
#[test]
fn hex_keys_are_refused_with_a_hint_to_use_base64() {
    let hex_of = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let random_like: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(97).wrapping_add(13))
        .collect();
    let lower = hex_of(&random_like);
    let upper = lower.to_uppercase();
    let digits_only = "0123456789".repeat(7); // 70 digits: even, all hex
    let expected = Error::KeyringSyntax {
        entry: 2,
        reason: HEX_KEY_REASON,
    };
    let k = URL_SAFE_NO_PAD.encode([1u8; 32]);
    for hex in [&lower, &upper, &digits_only, &hex_of(&[0x5a; 48])] {
        let error = format!("1:{k},2:{hex}").parse::<Keyring>().unwrap_err();
        assert_eq!(error, expected, "{hex}");
        let shown = format!("{error} {error:?}");
        assert!(shown.contains("looks like hex"), "{shown}");
        assert!(shown.contains("openssl rand -base64 32"), "{shown}");
        assert!(
            !shown.contains(&hex[..16]),
            "the key is not echoed: {shown}"
        );
    }
    // Padded standard base64 whose unpadded text is hex-only: the same rule,
    // so that whatever parses also parses again after `export`.
    // (62 characters and `==`: valid padded base64 of 46 bytes; `A` keeps
    // the trailing bits zero.)
    let padded = format!("1:{}A==", &lower[..61]);
    assert_eq!(STANDARD.decode(&padded[2..]).unwrap().len(), 46);
    assert!(matches!(
        padded.parse::<Keyring>(),
        Err(Error::KeyringSyntax {
            reason: HEX_KEY_REASON,
            ..
        })
    ));
}

#[test]
fn base64_keys_that_only_look_a_little_like_hex_are_kept() {
    // Odd length: 32 bytes are 43 unpadded characters, so no `keygen` key
    // and no `openssl rand -base64 32` key (44 characters with `=`) can
    // ever be taken for hex.
    let odd = format!("{}0", "a".repeat(42)); // all hex; `0` keeps the trailing bits zero
    assert!(format!("1:{odd}").parse::<Keyring>().is_ok());
    // Hex letters without a single decimal digit: base64 of zero bytes.
    for zeros in [33usize, 45, 48] {
        let text = URL_SAFE_NO_PAD.encode(vec![0u8; zeros]);
        assert!(text.bytes().all(|b| b == b'A'));
        let ring: Keyring = format!("1:{text}").parse().unwrap();
        assert_eq!(ring.export().parse::<Keyring>().unwrap(), ring);
    }
    // One character outside the hex digits makes it base64.
    let mut almost = "0123456789abcdef".repeat(4);
    almost.replace_range(0..1, "g");
    assert!(format!("1:{almost}").parse::<Keyring>().is_ok());
}
