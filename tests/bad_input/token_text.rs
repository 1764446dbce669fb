//! The token text: single-character changes, truncation, extension,
//! non-base64url characters, non-canonical bits, garbage of any size.

use super::*;

#[test]
fn every_single_character_change_is_rejected() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        for i in 0..token.len() {
            for &c in ALPHABET {
                if token.as_bytes()[i] == c {
                    continue;
                }
                let mut changed = token.clone().into_bytes();
                changed[i] = c;
                let changed = String::from_utf8(changed).unwrap();
                assert!(
                    decode(&codec, &changed).is_err(),
                    "accepted a change at {i}: {changed}"
                );
            }
        }
    }
}

#[test]
fn every_truncation_and_extension_is_rejected() {
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        for len in 0..token.len() {
            assert!(
                decode(&codec, &token[..len]).is_err(),
                "accepted truncation to {len}"
            );
        }
        for tail in ["A", "AA", "AAA", "AAAA", "_", "-w"] {
            assert!(
                decode(&codec, &format!("{token}{tail}")).is_err(),
                "accepted extension {tail}"
            );
            assert!(
                decode(&codec, &format!("{tail}{token}")).is_err(),
                "accepted prefix {tail}"
            );
        }
    }
}

#[test]
fn padding_standard_alphabet_whitespace_and_non_ascii_are_malformed() {
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        let mid = token.len() / 2;
        let mut variants = vec![
            format!("{token}="),
            format!("{token}=="),
            format!(" {token}"),
            format!("{token}\n"),
            format!("{token}\t"),
            format!("{}\r\n{}", &token[..mid], &token[mid..]),
            format!("{} {}", &token[..mid], &token[mid..]),
            format!("{}é{}", &token[..mid], &token[mid + 1..]),
            format!("{}\u{0}{}", &token[..mid], &token[mid + 1..]),
            format!("{}+{}", &token[..mid], &token[mid + 1..]),
            format!("{}/{}", &token[..mid], &token[mid + 1..]),
        ];
        variants.push(token.replace('-', "+").replace('_', "/"));
        for bad in variants {
            if bad == token {
                continue;
            }
            assert_eq!(decode(&codec, &bad), Err(Error::Malformed), "{bad:?}");
        }
    }
}

#[test]
fn non_canonical_trailing_bits_are_malformed() {
    for codec in codecs() {
        // Find a token whose length leaves spare bits in its last character.
        let (mut value, mut token) = (String::new(), String::new());
        for n in 0..3 {
            value = "x".repeat(n);
            token = codec.encode_at(&value, at(T0)).unwrap();
            if token.len() % 4 != 0 {
                break;
            }
        }
        assert_ne!(token.len() % 4, 0);
        assert_eq!(
            codec.decode_at::<String>(&token, at(T0)).unwrap().value,
            value
        );
        const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = token.chars().last().unwrap();
        let index = ALPHABET.find(last).unwrap();
        let spare_bits = if token.len() % 4 == 2 { 0b1111 } else { 0b11 };
        // Same data bits, spare bits set: decodes to the same bytes in a lax decoder.
        let sibling = ALPHABET.as_bytes()[index | 1 | (spare_bits & 1)] as char;
        assert_ne!(sibling, last);
        let bad = format!("{}{sibling}", &token[..token.len() - 1]);
        assert_eq!(
            codec.decode_at::<String>(&bad, at(T0)).map(|d| d.value),
            Err(Error::Malformed)
        );
    }
}

#[test]
fn one_mebibyte_of_garbage_is_too_large_before_decoding() {
    let garbage = "A".repeat(1 << 20);
    for codec in codecs() {
        assert_eq!(
            decode(&codec, &garbage),
            Err(Error::TooLarge {
                len: 1 << 20,
                limit: DEFAULT_MAX_TOKEN_LEN
            })
        );
    }
    assert!(matches!(
        cookie_seal::inspect(&garbage),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn garbage_of_every_small_length_is_rejected() {
    for codec in codecs() {
        for len in 0..200 {
            let text: String = (0..len)
                .map(|i| ['Q', 'w', '-', '9', 'A'][(i * 7 + len) % 5])
                .collect();
            assert!(decode(&codec, &text).is_err(), "{text}");
        }
    }
}
