//! RFC 4231 (HMAC-SHA256, through `SignKey`) and RFC 8439 section 2.8.2
//! (ChaCha20-Poly1305, through the seal stage's second step).

use super::hex;
use crate::seal;
use crate::sign::{self, SignKey};

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

/// RFC 8439 section 2.8.2, through `seal::seal_ietf` and `seal::open_ietf`:
/// the ChaCha20-Poly1305 that `SealKey` runs after `HChaCha20` (the stage's
/// `XChaCha20` nonce cannot carry a 12-byte one).
#[test]
fn rfc8439_section_2_8_2_chacha20_poly1305() {
    let key: [u8; 32] = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        .try_into()
        .unwrap();
    let nonce: [u8; 12] = hex("070000004041424344454647").try_into().unwrap();
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let expected = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
         3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
         92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
         3ff4def08e4b7a9de576d26586cec64b6116",
    );
    let expected_tag = hex("1ae10b594f09e26a7e902ecbd0600691");
    let mut buf = SUNSCREEN.to_vec();
    let tag = seal::seal_ietf(&key, &nonce, &aad, &mut buf).unwrap();
    assert_eq!(buf, expected);
    assert_eq!(tag.to_vec(), expected_tag);
    assert!(seal::open_ietf(&key, &nonce, &aad, &mut buf, tag));
    assert_eq!(buf, SUNSCREEN);
}
