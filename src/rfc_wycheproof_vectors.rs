//! Published test vectors for the primitives, run through the crate's own
//! stage code (`sign::SignKey`, `seal::SealKey`) where the stage can run them.
//!
//! | set | cases | run through |
//! |---|---|---|
//! | RFC 4231 HMAC-SHA256 | 7 | `SignKey` (case 5 is a truncated tag: checked as a prefix, and `verify` must refuse it) |
//! | RFC 8439 §2.8.2 ChaCha20-Poly1305 | 1 | `chacha20poly1305::ChaCha20Poly1305`, same `AeadInOut` calls as `SealKey` |
//! | draft-irtf-cfrg-xchacha A.3.1 | 1 | `SealKey` (in `seal.rs`) |
//! | Wycheproof XChaCha20-Poly1305 | 315 | `SealKey` |
//! | Wycheproof ChaCha20-Poly1305 | 325 | `chacha20poly1305::ChaCha20Poly1305` |
//! | Wycheproof HMAC-SHA256 | 174 | `SignKey`: 87 full-tag cases; 87 truncated-tag cases skipped as vectors, but `verify` must refuse each truncated tag |
//!
//! The seal stage is `XChaCha20` (24-byte nonce) and cannot take a 12-byte
//! `ChaCha20` nonce, so the ChaCha20-Poly1305 sets run through the same crate
//! and trait (`chacha20poly1305`, `AeadInOut` detached) that the stage
//! uses, not through the stage itself.
//!
//! The Wycheproof files are vendored in `tests/data/wycheproof/` (see the
//! README there for source and licence).

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce, Tag};
use serde::Deserialize;

use crate::seal::{self, SealKey};
use crate::sign::{self, SignKey};

const WYCHEPROOF_HMAC_SHA256: &str = include_str!("../tests/data/wycheproof/hmac_sha256_test.json");
const WYCHEPROOF_CHACHA20_POLY1305: &str =
    include_str!("../tests/data/wycheproof/chacha20_poly1305_test.json");
const WYCHEPROOF_XCHACHA20_POLY1305: &str =
    include_str!("../tests/data/wycheproof/xchacha20_poly1305_test.json");

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn from_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(hex(&s))
}

/// A Wycheproof file: the fields these tests read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestFile<G> {
    algorithm: String,
    number_of_tests: usize,
    test_groups: Vec<G>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacGroup {
    tag_size: usize,
    tests: Vec<MacCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacCase {
    tc_id: usize,
    #[serde(deserialize_with = "from_hex")]
    key: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    msg: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    tag: Vec<u8>,
    result: Verdict,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AeadGroup {
    tests: Vec<AeadCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AeadCase {
    tc_id: usize,
    #[serde(deserialize_with = "from_hex")]
    key: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    iv: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    aad: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    msg: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    ct: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    tag: Vec<u8>,
    result: Verdict,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Valid,
    Invalid,
    Acceptable,
}

fn load<G: serde::de::DeserializeOwned>(json: &str, algorithm: &str) -> TestFile<G> {
    let file: TestFile<G> = serde_json::from_str(json).unwrap();
    assert_eq!(file.algorithm, algorithm);
    file
}

// ---- RFC 4231 -------------------------------------------------------------

#[test]
fn rfc4231_hmac_sha256_all_seven_cases_through_sign_key() {
    let long_key = [0xAA; 131];
    let key4: Vec<u8> = (1..=25).collect();
    // (case, key, data, expected HMAC-SHA256; case 5 is published truncated to 128 bits)
    let cases: [(u8, &[u8], &[u8], &str); 7] = [
        (
            1,
            &[0x0B; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            2,
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            3,
            &[0xAA; 20],
            &[0xDD; 50],
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            4,
            &key4,
            &[0xCD; 50],
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            5,
            &[0x0C; 20],
            b"Test With Truncation",
            "a3b6167473100ee06e0c796c2955552b",
        ),
        (
            6,
            &long_key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            7,
            &long_key,
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (case, key, data, expected) in cases {
        let expected = hex(expected);
        let key = SignKey::new(key);
        let tag = key.tag(&[data]);
        assert_eq!(&tag[..expected.len()], expected.as_slice(), "case {case}");
        if expected.len() == sign::TAG_LEN {
            assert!(key.verify(&[data], &expected), "case {case}");
        } else {
            // The crate never accepts truncated tags, even correct ones.
            assert!(!key.verify(&[data], &expected), "case {case}");
            assert!(key.verify(&[data], &tag), "case {case}");
        }
    }
}

// ---- RFC 8439 ---------------------------------------------------------------

const SUNSCREEN: &[u8] = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";

/// RFC 8439 section 2.8.2. The seal stage is XChaCha20-Poly1305 and cannot
/// take a 12-byte nonce; this runs the same `chacha20poly1305` crate and
/// `AeadInOut` detached calls that `SealKey` makes.
#[test]
fn rfc8439_section_2_8_2_chacha20_poly1305() {
    let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    let nonce = hex("070000004041424344454647");
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let expected = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
         3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
         92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
         3ff4def08e4b7a9de576d26586cec64b6116",
    );
    let expected_tag = hex("1ae10b594f09e26a7e902ecbd0600691");
    let cipher = ChaCha20Poly1305::new_from_slice(&key).unwrap();
    let mut buf = SUNSCREEN.to_vec();
    let tag = cipher
        .encrypt_inout_detached(
            &Nonce::try_from(&nonce[..]).unwrap(),
            &aad,
            buf.as_mut_slice().into(),
        )
        .unwrap();
    assert_eq!(buf, expected);
    assert_eq!(tag.to_vec(), expected_tag);
    cipher
        .decrypt_inout_detached(
            &Nonce::try_from(&nonce[..]).unwrap(),
            &aad,
            buf.as_mut_slice().into(),
            &tag,
        )
        .unwrap();
    assert_eq!(buf, SUNSCREEN);
}

// ---- Wycheproof -------------------------------------------------------------

/// Counts of what a Wycheproof run did, checked against the file's total.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    valid: usize,
    invalid: usize,
    skipped: usize,
}

impl Tally {
    fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Valid => self.valid += 1,
            Verdict::Invalid => self.invalid += 1,
            Verdict::Acceptable => panic!("no 'acceptable' cases expected in these sets"),
        }
    }

    fn total(&self) -> usize {
        self.valid + self.invalid + self.skipped
    }
}

#[test]
fn wycheproof_hmac_sha256_full_tags_through_sign_key() {
    let file: TestFile<MacGroup> = load(WYCHEPROOF_HMAC_SHA256, "HMACSHA256");
    let mut tally = Tally::default();
    for group in &file.test_groups {
        for case in &group.tests {
            let key = SignKey::new(&case.key);
            let msg: [&[u8]; 1] = [&case.msg];
            let id = case.tc_id;
            if group.tag_size != 8 * sign::TAG_LEN {
                // Truncated tags are not a mode this crate has: not run as
                // vectors, but every one of them must be refused.
                assert_eq!(case.tag.len() * 8, group.tag_size, "tcId {id}");
                assert!(!key.verify(&msg, &case.tag), "tcId {id}: truncated tag");
                tally.skipped += 1;
                continue;
            }
            let tag = key.tag(&msg);
            match case.result {
                Verdict::Valid => {
                    assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}");
                    assert!(key.verify(&msg, &case.tag), "tcId {id}");
                }
                _ => {
                    assert_ne!(tag.as_slice(), case.tag.as_slice(), "tcId {id}");
                    assert!(!key.verify(&msg, &case.tag), "tcId {id}");
                }
            }
            tally.count(case.result);
        }
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 33,
            invalid: 54,
            skipped: 87
        }
    );
}

#[test]
fn wycheproof_xchacha20_poly1305_through_seal_key() {
    let file: TestFile<AeadGroup> = load(WYCHEPROOF_XCHACHA20_POLY1305, "XCHACHA20-POLY1305");
    let mut tally = Tally::default();
    let mut wrong_nonce_len = 0;
    for case in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = case.tc_id;
        let subkey: [u8; 32] = case.key.as_slice().try_into().unwrap();
        let key = SealKey::new(&subkey);
        let mut buf = case.ct.clone();
        let opened = key.open(&case.iv, &case.aad, &mut buf, &case.tag);
        match case.result {
            Verdict::Valid => {
                let nonce: [u8; seal::NONCE_LEN] = case.iv.as_slice().try_into().unwrap();
                assert!(opened, "tcId {id}: open");
                assert_eq!(buf, case.msg, "tcId {id}: plaintext");
                let mut sealed = case.msg.clone();
                let tag = key.seal(&nonce, &case.aad, &mut sealed).unwrap();
                assert_eq!(sealed, case.ct, "tcId {id}: ciphertext");
                assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}: tag");
            }
            _ => {
                assert!(!opened, "tcId {id}: forged input opened");
                assert_eq!(buf, case.ct, "tcId {id}: failed open changed the buffer");
                wrong_nonce_len += usize::from(case.iv.len() != seal::NONCE_LEN);
            }
        }
        tally.count(case.result);
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 246,
            invalid: 69,
            skipped: 0
        }
    );
    assert_eq!(wrong_nonce_len, 9, "nonce sizes other than 24 bytes");
}

/// Wycheproof ChaCha20-Poly1305 (12-byte nonce) through the `chacha20poly1305`
/// crate's `AeadInOut` detached API, the calls `SealKey` makes; cases with
/// another nonce size cannot be expressed with its fixed-size `Nonce` type
/// and count as refused.
#[test]
fn wycheproof_chacha20_poly1305_through_the_stage_crate_api() {
    let file: TestFile<AeadGroup> = load(WYCHEPROOF_CHACHA20_POLY1305, "CHACHA20-POLY1305");
    let mut tally = Tally::default();
    let mut wrong_nonce_len = 0;
    for case in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = case.tc_id;
        let cipher = ChaCha20Poly1305::new_from_slice(&case.key).unwrap();
        let opened = if case.iv.len() == 12 && case.tag.len() == 16 {
            let mut buf = case.ct.clone();
            let nonce = Nonce::try_from(&case.iv[..]).unwrap();
            let tag = Tag::try_from(&case.tag[..]).unwrap();
            let ok = cipher
                .decrypt_inout_detached(&nonce, &case.aad, buf.as_mut_slice().into(), &tag)
                .is_ok();
            if case.result == Verdict::Valid {
                assert!(ok, "tcId {id}: open");
                assert_eq!(buf, case.msg, "tcId {id}: plaintext");
                let mut sealed = case.msg.clone();
                let tag = cipher
                    .encrypt_inout_detached(&nonce, &case.aad, sealed.as_mut_slice().into())
                    .unwrap();
                assert_eq!(sealed, case.ct, "tcId {id}: ciphertext");
                assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}: tag");
            }
            ok
        } else {
            wrong_nonce_len += 1;
            false
        };
        assert_eq!(opened, case.result == Verdict::Valid, "tcId {id}");
        tally.count(case.result);
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 256,
            invalid: 69,
            skipped: 0
        }
    );
    assert_eq!(wrong_nonce_len, 9, "nonce sizes other than 12 bytes");
}

// ---- Zeroize on drop ----------------------------------------------------------

/// Compiles only if `T` wipes itself when dropped (`ZeroizeOnDrop` is the
/// `zeroize` crate's marker for a `Drop` that calls `zeroize`).
fn assert_zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}

/// Every type that holds key material wipes it on drop: the master `Key`
/// (derive(ZeroizeOnDrop), so it can never be `Copy`); inside `SignKey`, the
/// keyed HMAC state, which is two SHA-256 block cores (inner and outer pad;
/// `Hmac` itself carries no marker in hmac 0.13, but both cores wipe their
/// state with `sha2`'s `zeroize` feature); the cipher inside `SealKey`
/// (`chacha20poly1305` zeroizes its key in `Drop`); and HKDF outputs, which
/// are `Zeroizing`. `key.rs` shows that `zeroize` really clears the bytes.
#[test]
fn key_material_types_zeroize_on_drop() {
    assert_zeroize_on_drop::<crate::Key>();
    assert_zeroize_on_drop::<<sha2::Sha256 as hmac::EagerHash>::Core>();
    assert_zeroize_on_drop::<chacha20poly1305::XChaCha20Poly1305>();
    assert_zeroize_on_drop::<zeroize::Zeroizing<[u8; 32]>>();
    let subkey: zeroize::Zeroizing<[u8; 32]> = crate::Key::from_bytes(&[1; 32])
        .unwrap()
        .derive_subkey(b"x");
    assert_ne!(*subkey, [0; 32]);
}

// ---- The codec's composition, checked with the primitives directly ------------

/// Recomputes a codec token from its parts with the primitive crates alone
/// (HKDF-SHA256 subkeys with label and purpose in `info`, the context block,
/// HMAC-SHA256 or XChaCha20-Poly1305 with a fixed nonce), written from the
/// format description rather than from `codec.rs`, so a drift in labels,
/// context block or layout fails here.
mod composition {
    use std::time::{Duration, UNIX_EPOCH};

    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    use hkdf::Hkdf;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use crate::{Codec, EncodeOptions, Key, Keyring};

    const MASTER: [u8; 32] = [7; 32];

    /// HKDF-SHA256, no salt, `info = le64(len label) || label || le64(len
    /// purpose) || purpose`.
    fn subkey(label: &[u8], purpose: &str) -> [u8; 32] {
        let mut info = Vec::new();
        for part in [label, purpose.as_bytes()] {
            info.extend_from_slice(&(part.len() as u64).to_le_bytes());
            info.extend_from_slice(part);
        }
        let mut out = [0; 32];
        Hkdf::<Sha256>::new(None, &MASTER)
            .expand(&info, &mut out)
            .unwrap();
        out
    }

    /// `00 || le64(len) || context`, or nothing for an empty context.
    fn context_block(context: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if !context.is_empty() {
            out.push(0);
            out.extend_from_slice(&(context.len() as u64).to_le_bytes());
            out.extend_from_slice(context);
        }
        out
    }

    fn raw(token: &str) -> Vec<u8> {
        crate::encoding::decode(token).unwrap()
    }

    // version 1, flags, key id 9, issued_at 1_700_000_000 as LEB128
    const HEADER_SIGNED: [u8; 8] = [0x01, 0x01, 0x09, 0x80, 0xE2, 0xCF, 0xAA, 0x06];
    // version 1, flags = sealed only, key id 9: the rest is encrypted.
    const HEADER_SEALED: [u8; 3] = [0x01, 0x02, 0x09];
    // flags (none), issued_at: the start of the sealed plaintext.
    const SEALED_METADATA: [u8; 6] = [0x00, 0x80, 0xE2, 0xCF, 0xAA, 0x06];

    #[test]
    fn signed_token_is_hmac_sha256_of_context_block_header_and_body() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let codec =
            Codec::signed(Keyring::new(9, Key::from_bytes(&MASTER).unwrap())).purpose("csrf");
        let options = EncodeOptions::new().context(b"ua-hash");
        let raw = raw(&codec.encode_with(&"hello", &options, now).unwrap());
        let body = postcard::to_allocvec(&"hello").unwrap();
        assert_eq!(raw[..8], HEADER_SIGNED);
        assert_eq!(raw[8..raw.len() - 32], body[..]);
        let subkey = subkey(b"cookie-seal/v1 hmac-sha256", "csrf");
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&subkey).unwrap();
        mac.update(&context_block(b"ua-hash"));
        mac.update(&raw[..raw.len() - 32]);
        assert_eq!(raw[raw.len() - 32..], mac.finalize().into_bytes()[..]);
    }

    #[test]
    fn sealed_token_is_xchacha20_poly1305_with_the_header_as_aad() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let codec = Codec::sealed(Keyring::new(9, Key::from_bytes(&MASTER).unwrap()));
        let nonce = [0x24; 24];
        let token = codec
            .encode_with_nonce(&"hello", &EncodeOptions::new(), now, nonce)
            .unwrap();
        let raw = raw(&token);
        assert_eq!(raw[..3], HEADER_SEALED);
        assert_eq!(raw[3..27], nonce);
        let cipher = XChaCha20Poly1305::new_from_slice(&subkey(
            b"cookie-seal/v1 xchacha20poly1305",
            "session",
        ))
        .unwrap();
        let mut aad = context_block(b"");
        aad.extend_from_slice(&HEADER_SEALED);
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &raw[27..],
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(plain[..6], SEALED_METADATA);
        assert_eq!(plain[6..], postcard::to_allocvec(&"hello").unwrap());
        assert_eq!(
            codec.decode_at::<String>(&token, now).unwrap().value,
            "hello"
        );
    }
}
