//! XChaCha20-Poly1305 for short messages: `RustCrypto`'s `chacha20` keystream
//! (SIMD, chosen at run time) with orion's portable Poly1305, composed as
//! RFC 8439 section 2.8 composes them (draft-irtf-cfrg-xchacha-03 for the
//! 24-byte nonce).
//!
//! Why not one crate's AEAD: `RustCrypto`'s AVX2 Poly1305 costs about 1.2 µs
//! per message whatever its length (its key and state set-up), and orion's
//! `ChaCha20` is scalar. Each half here is the faster one below 2 KB (module
//! docs of `crate::seal`).
//!
//! The SIMD backends compute four `ChaCha20` blocks per call; asked for fewer,
//! they still compute four and keep one. So the keystream is always applied
//! to whole four-block windows: the first window holds block 0 (the
//! Poly1305 key) and the first 192 message bytes, so a cookie-sized message
//! costs one call.

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::XChaCha20;
use orion::hazardous::mac::poly1305::{OneTimeKey, Poly1305};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::{NONCE_LEN, TAG_LEN};

/// One `ChaCha20` block.
const BLOCK_LEN: usize = 64;
/// Four blocks: what one call of the SIMD backends computes.
const WINDOW_LEN: usize = 4 * BLOCK_LEN;
/// The Poly1305 key: the first 32 bytes of block 0.
const POLY_KEY_LEN: usize = 32;
/// Message bytes that share the first window with block 0.
const FIRST_LEN: usize = WINDOW_LEN - BLOCK_LEN;

/// The cipher after block 0. The message's first `head` bytes have been
/// run through the keystream into `window[BLOCK_LEN..]`.
struct Keystream {
    cipher: XChaCha20,
    window: [u8; WINDOW_LEN],
    head: usize,
}

/// Runs block 0 and the message's first bytes through the keystream in
/// one window, and keys Poly1305 with block 0 (wiped from the window).
fn start(key: &[u8; 32], nonce: &[u8; NONCE_LEN], message: &[u8]) -> Option<(Keystream, Poly1305)> {
    let mut cipher = XChaCha20::new(key.into(), nonce.into());
    let mut window = [0u8; WINDOW_LEN];
    let head = message.len().min(FIRST_LEN);
    window[BLOCK_LEN..BLOCK_LEN + head].copy_from_slice(&message[..head]);
    cipher.try_apply_keystream(&mut window).ok()?;
    let poly_key = OneTimeKey::from_slice(&window[..POLY_KEY_LEN]);
    window[..POLY_KEY_LEN].zeroize();
    let mac = Poly1305::new(&poly_key.ok()?);
    Some((
        Keystream {
            cipher,
            window,
            head,
        },
        mac,
    ))
}

impl Keystream {
    /// Writes the message's first bytes, through the keystream, over
    /// `buf`'s, then applies the keystream to the rest of `buf`: whole
    /// windows in place, a last partial one through `self.window`.
    fn apply(mut self, buf: &mut [u8]) -> Option<()> {
        let (head, rest) = buf.split_at_mut(self.head);
        head.copy_from_slice(&self.window[BLOCK_LEN..BLOCK_LEN + self.head]);
        for chunk in rest.chunks_mut(WINDOW_LEN) {
            if chunk.len() == WINDOW_LEN {
                self.cipher.try_apply_keystream(chunk).ok()?;
            } else {
                let window = &mut self.window[..chunk.len()];
                window.copy_from_slice(chunk);
                self.cipher.try_apply_keystream(window).ok()?;
                chunk.copy_from_slice(window);
            }
        }
        Some(())
    }
}

/// The RFC 8439 tag: Poly1305 over `aad`, the ciphertext, each padded to 16
/// bytes, and their lengths. orion's Poly1305 copies a partial block byte by
/// byte, so a short `aad` with its padding, and the ciphertext's padding with
/// the lengths, each go in as one update of whole blocks.
fn tag(mut mac: Poly1305, aad: &[u8], ciphertext: &[u8]) -> Option<[u8; TAG_LEN]> {
    const PADDED_AAD_LEN: usize = 64;
    let aad_pad = aad.len().wrapping_neg() % 16;
    if aad.len() <= PADDED_AAD_LEN {
        let mut padded = [0u8; PADDED_AAD_LEN];
        padded[..aad.len()].copy_from_slice(aad);
        mac.update(&padded[..aad.len() + aad_pad]).ok()?;
    } else {
        mac.update(aad).ok()?;
        mac.update(&[0; 16][..aad_pad]).ok()?;
    }
    mac.update(ciphertext).ok()?;
    let pad = ciphertext.len().wrapping_neg() % 16;
    let mut tail = [0u8; 15 + 16];
    tail[pad..pad + 8].copy_from_slice(&u64::try_from(aad.len()).ok()?.to_le_bytes());
    tail[pad + 8..pad + 16].copy_from_slice(&u64::try_from(ciphertext.len()).ok()?.to_le_bytes());
    mac.update(&tail[..pad + 16]).ok()?;
    mac.finalize().ok()?.unprotected_as_bytes().try_into().ok()
}

/// Encrypts `buf` in place and returns the tag; `None` only past the
/// block counter's range.
pub(super) fn seal(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    let (keystream, mac) = start(key, nonce, buf)?;
    keystream.apply(buf)?;
    tag(mac, aad, buf)
}

/// Decrypts `buf` in place if `tag` authenticates it with `aad`, checked in
/// constant time before any plaintext is written; on failure `buf` keeps
/// the ciphertext.
pub(super) fn open(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
    expected: &[u8; TAG_LEN],
) -> bool {
    let Some((mut keystream, mac)) = start(key, nonce, buf) else {
        return false;
    };
    let authentic = tag(mac, aad, buf).is_some_and(|computed| bool::from(computed.ct_eq(expected)));
    if !authentic {
        // The window holds keystream applied to unauthenticated bytes.
        keystream.window.zeroize();
        return false;
    }
    keystream.apply(buf).is_some()
}
