//! Every bad-input class of the core codec: each gets a typed error, never a
//! panic and never `Ok`.
//!
//! Authentic-but-hostile payloads (invalid deflate, trailing bytes, huge
//! length prefixes, extreme timestamps) are made by `forge_signed`, an
//! independent implementation of signed tokens written from FORMAT.md alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_PAYLOAD_LEN};
use cookie_seal::{Codec, DecodeOptions, EncodeOptions, Error, Key, Keyring, Session};
use hmac::{KeyInit, Mac};

mod fixtures;
use fixtures::{at, varint};

const T0: u64 = 1_750_000_000;
const MASTER: [u8; 32] = [0x11; 32];

fn ring() -> Keyring {
    Keyring::new(1, Key::from_bytes(&MASTER).unwrap())
}

fn codecs() -> [Codec; 2] {
    [Codec::signed(ring()), Codec::sealed(ring())]
}

fn session() -> Session {
    let mut s = Session::new();
    s.insert("user", "alice").unwrap();
    s.insert("csrf", "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b")
        .unwrap();
    s
}

fn decode(codec: &Codec, token: &str) -> Result<Session, Error> {
    codec.decode_at::<Session>(token, at(T0)).map(|d| d.value)
}

/// A v1 signed header: version, flags, key ID, issue time (FORMAT.md section 2).
fn header(flags: u8, key_id: u32, issued_at: u64) -> Vec<u8> {
    let mut h = vec![1, flags];
    varint(key_id.into(), &mut h);
    varint(issued_at, &mut h);
    h
}

/// Signs `header || body` as FORMAT.md specifies, with the default purpose
/// (in the subkey's HKDF `info`) and no context (so no context block).
fn forge_signed(header: &[u8], body: &[u8]) -> String {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(None, &MASTER);
    let mut info = Vec::new();
    for part in [&b"cookie-seal/v1 hmac-sha256"[..], b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut subkey = [0u8; 32];
    hk.expand(&info, &mut subkey).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&subkey).unwrap();
    mac.update(header);
    mac.update(body);
    let mut raw = [header, body].concat();
    raw.extend_from_slice(&mac.finalize().into_bytes());
    URL_SAFE_NO_PAD.encode(raw)
}

/// Seals `plaintext` (sealed metadata, then payload) as FORMAT.md specifies
/// under key ID 1 with `master`, default purpose, no context.
fn forge_sealed(master: &[u8], plaintext: &[u8]) -> String {
    use chacha20poly1305::aead::{Aead, KeyInit as _, Payload};
    let mut info = Vec::new();
    for part in [&b"cookie-seal/v1 xchacha20poly1305"[..], b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut subkey = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, master)
        .expand(&info, &mut subkey)
        .unwrap();
    let header = [1, 0b10, 1];
    let nonce = [0x33; 24];
    let sealed = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&subkey)
        .unwrap()
        .encrypt(
            &chacha20poly1305::XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &header,
            },
        )
        .unwrap();
    URL_SAFE_NO_PAD.encode([&header[..], &nonce, &sealed].concat())
}

/// Sealed metadata with the PADDED flag and `padding` as the padding field.
fn padded_plaintext(padding: &[u8]) -> Vec<u8> {
    let mut plaintext = vec![0x20];
    varint(T0, &mut plaintext);
    plaintext.extend_from_slice(padding);
    plaintext.extend_from_slice(&postcard::to_allocvec(&session()).unwrap());
    plaintext
}

#[test]
fn non_zero_padding_is_refused_after_authentication() {
    let sealed = Codec::sealed(ring());
    // The forger agrees with the codec on zero padding.
    let zero = forge_sealed(&MASTER, &padded_plaintext(&[4, 0, 0, 0]));
    assert_eq!(decode(&sealed, &zero), Ok(session()));
    for bad in [[4, 0, 0, 1], [4, 0x80, 0, 0], [0x7F, 0, 0, 0]] {
        let token = forge_sealed(&MASTER, &padded_plaintext(&bad));
        assert_eq!(decode(&sealed, &token), Err(Error::Malformed), "{bad:?}");
        // Without the key the same bytes are only ever Invalid.
        let forged = forge_sealed(&[0x22; 32], &padded_plaintext(&bad));
        assert_eq!(decode(&sealed, &forged), Err(Error::Invalid));
    }
}

#[test]
fn the_forger_agrees_with_the_codec() {
    // Otherwise the authentic-payload tests below would prove nothing.
    let body = postcard::to_allocvec(&session()).unwrap();
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(
        Codec::signed(ring()).encode_at(&session(), at(T0)).unwrap(),
        token
    );
    assert_eq!(decode(&Codec::signed(ring()), &token), Ok(session()));
}

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

#[test]
fn unknown_version_is_reported() {
    for codec in codecs() {
        let mut raw = URL_SAFE_NO_PAD
            .decode(codec.encode_at(&session(), at(T0)).unwrap())
            .unwrap();
        for version in [0u8, 2, 255] {
            raw[0] = version;
            assert_eq!(
                decode(&codec, &URL_SAFE_NO_PAD.encode(&raw)),
                Err(Error::UnsupportedVersion(version))
            );
        }
    }
}

#[test]
fn wrong_mode_is_mode_mismatch() {
    let [signed, sealed] = codecs();
    let s = signed.encode_at(&session(), at(T0)).unwrap();
    let x = sealed.encode_at(&session(), at(T0)).unwrap();
    assert_eq!(decode(&sealed, &s), Err(Error::ModeMismatch));
    assert_eq!(decode(&signed, &x), Err(Error::ModeMismatch));
}

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
                .decode_with::<Session>(
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
                let result = make(ring()).purpose(other_purpose).decode_with::<Session>(
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
fn tampered_timestamp_is_invalid_never_expired() {
    for codec in codecs() {
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        // Issue time is bytes 3..8 (key ID 1 is one byte): rewrite it to 1970.
        raw.splice(3..8, [0x80, 0x80, 0x80, 0x80, 0x00]);
        let at_zero = [&raw[..3], &[0u8], &raw[8..]].concat();
        for bad in [raw, at_zero] {
            let err = codec
                .decode_at::<Session>(&URL_SAFE_NO_PAD.encode(&bad), at(T0))
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
            .decode_at::<Session>(&token, at(T0 + 86_401))
            .unwrap_err();
        assert!(matches!(later, Error::Expired { .. }), "{later:?}");
        let earlier = codec.decode_at::<Session>(&token, at(T0 - 61)).unwrap_err();
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
        codec.decode_at::<Session>(&zero, end),
        Err(Error::Expired { .. })
    ));
    assert!(matches!(
        codec.decode_at::<Session>(&max, end),
        Err(Error::IssuedInFuture { .. })
    ));
    // Encoding at a far-future time works and reads back at that time.
    let token = codec.encode_at(&session(), end).unwrap();
    assert_eq!(
        codec.decode_at::<Session>(&token, end).unwrap().value,
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

#[test]
fn trailing_bytes_after_the_postcard_value_are_refused() {
    let codec = Codec::signed(ring());
    let mut body = postcard::to_allocvec(&session()).unwrap();
    body.push(0);
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(decode(&codec, &token), Err(Error::Deserialize));
}

#[test]
fn length_prefix_of_two_to_the_63_is_a_payload_error() {
    let codec = Codec::signed(ring());
    // Session = Option<id> (None) then a map whose length prefix is 2^63.
    let mut body = vec![0x00];
    varint(1 << 63, &mut body);
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(decode(&codec, &token), Err(Error::Deserialize));
    let as_bytes = forge_signed(&header(0x01, 1, T0), &body[1..]);
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&as_bytes, at(T0))
            .map(|d| d.value),
        Err(Error::Deserialize)
    );
}

#[test]
fn invalid_deflate_is_refused() {
    let codec = Codec::signed(ring());
    let compressed = 0x01 | 0x04;
    for body in [&[0xFFu8, 0xFF, 0xFF][..], &[], &[0x03]] {
        let token = forge_signed(&header(compressed, 1, T0), body);
        assert_eq!(decode(&codec, &token), Err(Error::Inflate), "{body:?}");
    }
}

#[test]
fn deflate_bomb_past_the_cap_is_refused() {
    use std::io::Write;
    let codec = Codec::signed(ring());
    // Authentic compressed payload that would inflate to 1 MiB.
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 2000);
    let token = forge_signed(&header(0x01 | 0x04, 1, T0), &bomb);
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&token, at(T0))
            .map(|d| d.value.len()),
        Err(Error::Inflate)
    );
    // Just under the cap still works (the cap is the documented MAX_PAYLOAD_LEN).
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let mut payload = Vec::new();
    varint((MAX_PAYLOAD_LEN - 2) as u64, &mut payload);
    payload.resize(MAX_PAYLOAD_LEN, 0);
    encoder.write_all(&payload).unwrap();
    let token = forge_signed(&header(0x01 | 0x04, 1, T0), &encoder.finish().unwrap());
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&token, at(T0))
            .map(|d| d.value.len()),
        Ok(MAX_PAYLOAD_LEN - 2)
    );
}

#[test]
fn non_canonical_headers_are_malformed_even_when_signed() {
    let codec = Codec::signed(ring());
    let body = postcard::to_allocvec(&session()).unwrap();
    // Key ID 1 written as a padded two-byte varint.
    let mut padded = vec![1, 0x01, 0x81, 0x00];
    varint(T0, &mut padded);
    // Reserved flag bit set.
    let reserved = header(0x01 | 0x80, 1, T0);
    for h in [padded, reserved] {
        assert_eq!(
            decode(&codec, &forge_signed(&h, &body)),
            Err(Error::Malformed)
        );
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
