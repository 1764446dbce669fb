//! XChaCha20-Poly1305 the way cookie-seal seals (`src/seal/mod.rs`,
//! crate-private): HChaCha20 from `RustCrypto`'s `chacha20`, then ring's
//! ChaCha20-Poly1305 under the subkey. Written out plainly here for the
//! floor and for the primitives bench; cookie-seal's tests check the crate's
//! copy against `RustCrypto`'s and orion's AEADs at every length.

use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};

/// ring's key and nonce for one XChaCha20 `nonce`.
fn message_key(key: &[u8; 32], nonce: &[u8; 24]) -> (LessSafeKey, Nonce) {
    let mut prefix = [0u8; 16];
    prefix.copy_from_slice(&nonce[..16]);
    let subkey = chacha20::hchacha::<chacha20::R20>(key.into(), (&prefix).into());
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, subkey.as_slice()).expect("32-byte key");
    let mut inner = [0u8; 12];
    inner[4..].copy_from_slice(&nonce[16..]);
    (
        LessSafeKey::new(unbound),
        Nonce::assume_unique_for_key(inner),
    )
}

/// Encrypts `buf` in place; returns the tag.
pub fn seal(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    let (key, nonce) = message_key(key, nonce);
    let tag = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), buf)
        .expect("seal");
    tag.as_ref().try_into().expect("16 bytes")
}

/// Decrypts `buf` in place if `expected` authenticates it.
pub fn open(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8], expected: &[u8]) -> bool {
    let Ok(tag) = <[u8; 16]>::try_from(expected) else {
        return false;
    };
    let (key, nonce) = message_key(key, nonce);
    key.open_in_place_separate_tag(nonce, Aad::from(aad), Tag::from(tag), buf, 0..)
        .is_ok()
}
