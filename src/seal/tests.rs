use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use orion::hazardous::aead::xchacha20poly1305 as orion_aead;

use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `RustCrypto`'s whole AEAD: an independent implementation, for the
/// cross-checks only.
fn seal_rustcrypto(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> [u8; 16] {
    XChaCha20Poly1305::new(key.into())
        .encrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into())
        .unwrap()
        .into()
}

fn open_rustcrypto(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> bool {
    XChaCha20Poly1305::new(key.into())
        .decrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into(), &Tag::from(*tag))
        .is_ok()
}

/// orion's whole AEAD: a third implementation, for the cross-checks only.
fn seal_orion(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    let key = orion_aead::SecretKey::from_slice(key).unwrap();
    let nonce = orion_aead::Nonce::from_slice(nonce).unwrap();
    let mut sealed = vec![0; buf.len() + TAG_LEN];
    orion_aead::seal(&key, &nonce, buf, Some(aad), &mut sealed).unwrap();
    let (ciphertext, tag) = sealed.split_at(buf.len());
    buf.copy_from_slice(ciphertext);
    tag.try_into().unwrap()
}

fn open_orion(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut [u8], tag: &[u8]) {
    let key = orion_aead::SecretKey::from_slice(key).unwrap();
    let nonce = orion_aead::Nonce::from_slice(nonce).unwrap();
    let sealed = [&buf[..], tag].concat();
    orion_aead::open(&key, &nonce, &sealed, Some(aad), buf).unwrap();
}

// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305).
#[test]
fn xchacha_draft_vector() {
    let key: [u8; 32] = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        .try_into()
        .unwrap();
    let nonce: [u8; 24] = hex("404142434445464748494a4b4c4d4e4f5051525354555657")
        .try_into()
        .unwrap();
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let expected = hex(
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
         731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
         2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
         21f9664c97637da9768812f615c68b13b52e",
    );
    let expected_tag = hex("c0875924c1c7987947deafd8780acf49");
    let seal_key = SealKey::new(&key);
    let mut buf = plaintext.to_vec();
    let tag = seal_key.seal(&nonce, &aad, &mut buf).unwrap();
    assert_eq!(buf, expected);
    assert_eq!(tag.to_vec(), expected_tag);
    assert!(seal_key.open(&nonce, &aad, &mut buf, &tag));
    assert_eq!(buf, plaintext);
    // The same vector through the two reference implementations.
    let mut by_rustcrypto = plaintext.to_vec();
    let tag = seal_rustcrypto(&key, &nonce, &aad, &mut by_rustcrypto);
    assert_eq!(
        (by_rustcrypto, tag.to_vec()),
        (expected.clone(), expected_tag.clone())
    );
    let mut by_orion = plaintext.to_vec();
    let tag = seal_orion(&key, &nonce, &aad, &mut by_orion);
    assert_eq!((by_orion, tag.to_vec()), (expected, expected_tag));
}

/// `RustCrypto` refuses a message when `len / 64 >= u32::MAX`: the limit
/// is the last length it accepts.
#[test]
fn fits_up_to_the_limit() {
    assert!(fits(0));
    assert!(fits(MAX_MESSAGE_LEN));
    if let Some(over) = MAX_MESSAGE_LEN.checked_add(1) {
        assert!(!fits(over));
    }
}

#[test]
fn max_message_len_is_the_aead_limit() {
    if usize::BITS >= 64 {
        assert!(MAX_MESSAGE_LEN / 64 < u32::MAX as usize);
        assert!((MAX_MESSAGE_LEN + 1) / 64 >= u32::MAX as usize);
    }
}

#[test]
fn open_rejects_any_change() {
    for len in [0, 6, 300, 3000] {
        let key = SealKey::new(&[3; 32]);
        let nonce = crate::nonce::os().unwrap();
        let mut buf = vec![b's'; len];
        let tag = key.seal(&nonce, b"aad", &mut buf).unwrap();
        let sealed = buf.clone();
        let no_plaintext = |buf: &[u8]| buf == sealed || buf.iter().all(|&b| b == 0);
        let mut attempt = sealed.clone();
        assert!(!key.open(&nonce, b"aaX", &mut attempt, &tag));
        assert!(no_plaintext(&attempt), "{len}: failed open left plaintext");
        let mut other_nonce = nonce;
        other_nonce[0] ^= 1;
        let mut attempt = sealed.clone();
        assert!(!key.open(&other_nonce, b"aad", &mut attempt, &tag));
        assert!(no_plaintext(&attempt), "{len}: failed open left plaintext");
        let mut other_nonce = nonce;
        other_nonce[23] ^= 1;
        assert!(!key.open(&other_nonce, b"aad", &mut sealed.clone(), &tag));
        let mut bad_tag = tag;
        bad_tag[15] ^= 0x80;
        let mut attempt = sealed.clone();
        assert!(!key.open(&nonce, b"aad", &mut attempt, &bad_tag));
        assert!(no_plaintext(&attempt), "{len}: failed open left plaintext");
        if len > 0 {
            let mut flipped = sealed.clone();
            flipped[len - 1] ^= 1;
            assert!(!key.open(&nonce, b"aad", &mut flipped, &tag));
        }
        assert!(!key.open(&nonce[..23], b"aad", &mut buf, &tag));
        assert!(!key.open(&nonce, b"aad", &mut buf, &tag[..15]));
        assert_eq!(buf, sealed, "a refused nonce or tag length touches nothing");
        assert!(key.open(&nonce, b"aad", &mut buf, &tag));
        assert_eq!(buf, vec![b's'; len]);
    }
}

/// `SealKey`, `RustCrypto`'s AEAD and orion's AEAD give the same bytes at
/// every length from 0 to 4096, each opens what the others sealed, and a
/// wrong tag opens nothing and leaves no plaintext.
#[test]
fn all_implementations_agree_at_every_length() {
    let bytes = [0x5A; 32];
    let key = SealKey::new(&bytes);
    let nonce = [0xA5; NONCE_LEN];
    let aad = b"preamble and header";
    for len in 0..=4096usize {
        let plaintext: Vec<u8> = (0..len).map(|i| (i * 7 + len).to_le_bytes()[0]).collect();
        let aad = &aad[..len % (aad.len() + 1)];
        let mut ours = plaintext.clone();
        let tag = key.seal(&nonce, aad, &mut ours).unwrap();
        let mut by_rustcrypto = plaintext.clone();
        let rc_tag = seal_rustcrypto(&bytes, &nonce, aad, &mut by_rustcrypto);
        let mut by_orion = plaintext.clone();
        let orion_tag = seal_orion(&bytes, &nonce, aad, &mut by_orion);
        assert_eq!((&ours, tag), (&by_rustcrypto, rc_tag), "{len}");
        assert_eq!((&ours, tag), (&by_orion, orion_tag), "{len}");

        let mut opened = by_rustcrypto.clone();
        assert!(key.open(&nonce, aad, &mut opened, &tag), "{len}");
        assert_eq!(opened, plaintext, "{len}");
        let mut opened = ours.clone();
        assert!(
            open_rustcrypto(&bytes, &nonce, aad, &mut opened, &tag),
            "{len}"
        );
        assert_eq!(opened, plaintext, "{len}");
        let mut opened = ours.clone();
        open_orion(&bytes, &nonce, aad, &mut opened, &tag);
        assert_eq!(opened, plaintext, "{len}");

        let mut bad_tag = tag;
        bad_tag[len % TAG_LEN] ^= 1;
        let mut refused = ours.clone();
        assert!(!key.open(&nonce, aad, &mut refused, &bad_tag), "{len}");
        assert!(
            refused == ours || refused.iter().all(|&b| b == 0),
            "{len}: failed open left plaintext"
        );
    }
}
