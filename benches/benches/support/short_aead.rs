//! XChaCha20-Poly1305 the way cookie-seal sealed messages under 2 KB before
//! it moved to ring (issue 23): `RustCrypto`'s `chacha20` keystream with
//! block 0 (the Poly1305 key) and the first 192 message bytes in one
//! four-block window, and orion's Poly1305. Kept as a contender in the
//! primitives bench's `aead_by_length` group.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;
use orion::hazardous::mac::poly1305::{OneTimeKey, Poly1305};

/// Block 0 and `buf`'s first 192 bytes through the keystream, in one window.
fn start(key: &[u8; 32], nonce: &[u8; 24], buf: &[u8]) -> (XChaCha20, [u8; 256], usize) {
    let mut cipher = XChaCha20::new(key.into(), nonce.into());
    let mut window = [0u8; 256];
    let head = buf.len().min(192);
    window[64..64 + head].copy_from_slice(&buf[..head]);
    cipher.apply_keystream(&mut window);
    (cipher, window, head)
}

/// Writes the first window's message bytes over `buf`'s and runs the rest
/// of `buf` through the keystream.
fn finish(mut cipher: XChaCha20, mut window: [u8; 256], head: usize, buf: &mut [u8]) {
    buf[..head].copy_from_slice(&window[64..64 + head]);
    for chunk in buf[head..].chunks_mut(256) {
        let window = &mut window[..chunk.len()];
        window.copy_from_slice(chunk);
        cipher.apply_keystream(window);
        chunk.copy_from_slice(window);
    }
}

fn poly_key(window: &[u8; 256]) -> [u8; 32] {
    window[..32].try_into().expect("32 bytes")
}

fn tag(poly_key: &[u8; 32], aad: &[u8], ciphertext: &[u8]) -> [u8; 16] {
    let mut mac = Poly1305::new(&OneTimeKey::from_slice(poly_key).expect("key"));
    let pad = [0u8; 16];
    let mut lengths = [0u8; 16];
    lengths[..8].copy_from_slice(&(aad.len() as u64).to_le_bytes());
    lengths[8..].copy_from_slice(&(ciphertext.len() as u64).to_le_bytes());
    for part in [
        aad,
        &pad[..aad.len().wrapping_neg() % 16],
        ciphertext,
        &pad[..ciphertext.len().wrapping_neg() % 16],
        &lengths,
    ] {
        mac.update(part).expect("poly1305");
    }
    let tag = mac.finalize().expect("poly1305");
    tag.unprotected_as_bytes().try_into().expect("16 bytes")
}

/// Encrypts `buf` in place; returns the tag.
pub fn seal(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
    let (cipher, window, head) = start(key, nonce, buf);
    finish(cipher, window, head, buf);
    tag(&poly_key(&window), aad, buf)
}

/// Decrypts `buf` in place if `expected` authenticates it.
pub fn open(key: &[u8; 32], nonce: &[u8; 24], aad: &[u8], buf: &mut [u8], expected: &[u8]) -> bool {
    let (cipher, window, head) = start(key, nonce, buf);
    if tag(&poly_key(&window), aad, buf)[..] != *expected {
        return false;
    }
    finish(cipher, window, head, buf);
    true
}
