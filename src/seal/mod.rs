//! Stage: XChaCha20-Poly1305 encryption in place (sealed mode).
//!
//! Two implementations of the same AEAD (draft-irtf-cfrg-xchacha-03), chosen
//! by message length from measurements (`cargo bench -p cookie-seal-benches
//! --bench primitives`, group `aead_by_length`; BENCHMARKS.md):
//!
//! - **short messages** ([`short`]): `RustCrypto`'s `chacha20` keystream
//!   (SIMD, picked at run time) with orion's portable Poly1305.
//!   `RustCrypto`'s own AEAD pays a fixed ~1.2 µs per message for its AVX2
//!   Poly1305 when the crate is built without AVX2 enabled at compile time
//!   (its SIMD helpers are not inlined into the AVX2 code), and orion's AEAD
//!   runs a scalar `ChaCha20`: at 128 bytes this path takes ~0.39 µs against
//!   orion's ~0.54 and `RustCrypto`'s ~1.7; at 1 KB ~1.5 µs against 2.5
//!   and 2.2.
//! - **long messages**: `RustCrypto`'s `chacha20poly1305` (0.11), faster
//!   from about 2 KB, whose AVX2 Poly1305 then pays off. Built with AVX2
//!   enabled (e.g. `-C target-cpu=x86-64-v3`) it is faster from about
//!   256 bytes, and the switch moves there.
//!
//! All three produce the same bytes: the tests check each against the
//! draft's vector and against each other (orion's AEAD too, as a third
//! reference) at every length from 0 to 4096 bytes.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::error::Error;

mod short;

/// Length of the nonce stored in sealed tokens (made by `crate::nonce`).
pub(crate) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag appended to sealed tokens.
pub(crate) const TAG_LEN: usize = 16;
/// The longest message XChaCha20-Poly1305 seals: `ChaCha20`'s 32-bit block
/// counter covers `2^32 - 1` blocks of 64 bytes (`RustCrypto` refuses from
/// there on). On targets whose `usize` cannot count that far, no message can
/// be longer.
const MAX_MESSAGE_LEN: usize = {
    let limit = (u32::MAX as u64 - 1) * 64 + 63;
    // `usize::try_from` is not const yet; the cast is checked by hand.
    #[allow(clippy::cast_possible_truncation)]
    if limit > usize::MAX as u64 {
        usize::MAX
    } else {
        limit as usize
    }
};
/// Messages shorter than this take the [`short`] path (measured crossovers:
/// about 2 KB, or 256 bytes in builds with AVX2 enabled at compile time).
const SHORT_MESSAGE_LEN: usize = if cfg!(target_feature = "avx2") {
    256
} else {
    2048
};

/// Whether a message of `len` bytes takes the [`short`] path.
const fn is_short(len: usize) -> bool {
    len < SHORT_MESSAGE_LEN
}

/// An XChaCha20-Poly1305 key. The `RustCrypto` cipher wipes its key on drop;
/// the copy kept for the short path is wiped by `Zeroizing`.
#[derive(Clone)]
pub(crate) struct SealKey {
    cipher: XChaCha20Poly1305,
    bytes: Zeroizing<[u8; 32]>,
}

impl SealKey {
    pub(crate) fn new(subkey: &[u8; 32]) -> SealKey {
        SealKey {
            cipher: XChaCha20Poly1305::new(subkey.into()),
            bytes: Zeroizing::new(*subkey),
        }
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], Error> {
        let tag = if is_short(buf.len()) {
            short::seal(&self.bytes, nonce, aad, buf)
        } else {
            self.seal_rustcrypto(nonce, aad, buf)
        };
        // Both refuse only messages over the block counter's range, so this
        // error means exactly "longer than MAX_MESSAGE_LEN". The codec never
        // gets here with one: it refuses tokens over its budget (at most
        // `MAX_TOKEN_LEN`) before sealing.
        tag.ok_or(Error::TooLarge {
            len: buf.len(),
            limit: MAX_MESSAGE_LEN,
        })
    }

    /// Decrypts `buf` in place if `tag` authenticates it with `aad`.
    /// On failure `buf` is left as ciphertext and `false` is returned.
    pub(crate) fn open(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        let (Ok(nonce), Ok(tag)) = (
            <&[u8; NONCE_LEN]>::try_from(nonce),
            <&[u8; TAG_LEN]>::try_from(tag),
        ) else {
            return false;
        };
        if is_short(buf.len()) {
            short::open(&self.bytes, nonce, aad, buf, tag)
        } else {
            self.open_rustcrypto(nonce, aad, buf, tag)
        }
    }

    fn seal_rustcrypto(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        self.cipher
            .encrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into())
            .ok()
            .map(Into::into)
    }

    fn open_rustcrypto(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        self.cipher
            .decrypt_inout_detached(&XNonce::from(*nonce), aad, buf.into(), &Tag::from(*tag))
            .is_ok()
    }
}

#[cfg(test)]
mod tests;
