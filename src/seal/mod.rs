//! Stage: XChaCha20-Poly1305 encryption in place (sealed mode).
//!
//! XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03) is two steps: `HChaCha20`
//! turns the key and the nonce's first 16 bytes into a per-message subkey,
//! and ChaCha20-Poly1305 (RFC 8439) seals under that subkey with the nonce's
//! last 8 bytes (after 4 zero bytes) as its 96-bit nonce. Here the first step
//! is `RustCrypto`'s `chacha20::hchacha` and the second is ring's
//! `CHACHA20_POLY1305` (assembly, SIMD picked at run time), at every length.
//!
//! Why ring for the second step, by measurement (`cargo bench -p
//! cookie-seal-benches --bench primitives`, group `aead_by_length`;
//! BENCHMARKS.md): `RustCrypto`'s AEAD pays a fixed ~1.2 µs per message for
//! its AVX2 Poly1305 when built without AVX2 enabled at compile time, orion's
//! runs a scalar `ChaCha20`, and the composition of `RustCrypto`'s keystream
//! with orion's Poly1305 used before was ~1.4× slower than this at 64 bytes
//! and ~1.8–3× from 220 bytes to 3 KB.
//!
//! The tests check this against the draft's vector and against `RustCrypto`'s
//! and orion's whole AEADs at every length from 0 to 4096 bytes.

use chacha20::hchacha;
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};
use zeroize::Zeroizing;

use crate::error::Error;

/// Length of the nonce stored in sealed tokens (made by `crate::nonce`).
pub(crate) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag appended to sealed tokens.
pub(crate) const TAG_LEN: usize = 16;
/// The longest message XChaCha20-Poly1305 seals: `ChaCha20`'s 32-bit block
/// counter covers `2^32 - 1` blocks of 64 bytes, block 0 being the Poly1305
/// key (the draft's and `RustCrypto`'s limit; ring's is one byte more). On
/// targets whose `usize` cannot count that far, no message can be longer.
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
/// Whether XChaCha20-Poly1305 can seal a message of `len` bytes (a function,
/// so the limit is tested without a 256 GiB buffer).
const fn fits(len: usize) -> bool {
    len <= MAX_MESSAGE_LEN
}

/// Bytes of the `XChaCha20` nonce that go into `HChaCha20`.
const HCHACHA_NONCE_LEN: usize = 16;

/// An XChaCha20-Poly1305 key, wiped on drop. Each message's subkey is wiped
/// after use too; ring keeps its copy of it on the stack, for that one call.
#[derive(Clone)]
pub(crate) struct SealKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl SealKey {
    pub(crate) fn new(subkey: &[u8; 32]) -> SealKey {
        SealKey {
            bytes: Zeroizing::new(*subkey),
        }
    }

    /// Encrypts `buf` in place and returns the tag.
    ///
    /// # Errors
    /// [`Error::TooLarge`] past [`MAX_MESSAGE_LEN`]. The codec never gets
    /// here with one: it refuses tokens over its budget (at most
    /// `MAX_TOKEN_LEN`) before sealing.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], Error> {
        let too_large = Error::TooLarge {
            len: buf.len(),
            limit: MAX_MESSAGE_LEN,
        };
        if !fits(buf.len()) {
            return Err(too_large);
        }
        let subkey = self.message_subkey(nonce);
        seal_ietf(&subkey, &ietf_nonce(nonce), aad, buf).ok_or(too_large)
    }

    /// Decrypts `buf` in place if `tag` authenticates it with `aad`.
    /// On failure `false` is returned and `buf` holds no plaintext (ring
    /// zeroes what it decrypted).
    pub(crate) fn open(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        let (Ok(nonce), Ok(tag)) = (
            <&[u8; NONCE_LEN]>::try_from(nonce),
            <[u8; TAG_LEN]>::try_from(tag),
        ) else {
            return false;
        };
        if !fits(buf.len()) {
            return false;
        }
        let subkey = self.message_subkey(nonce);
        open_ietf(&subkey, &ietf_nonce(nonce), aad, buf, tag)
    }

    /// `HChaCha20` of the key and the nonce's first 16 bytes: the message's
    /// ChaCha20-Poly1305 key, wiped on drop.
    fn message_subkey(&self, nonce: &[u8; NONCE_LEN]) -> Zeroizing<[u8; 32]> {
        let mut prefix = [0u8; HCHACHA_NONCE_LEN];
        prefix.copy_from_slice(&nonce[..HCHACHA_NONCE_LEN]);
        Zeroizing::new(hchacha::<chacha20::R20>((&*self.bytes).into(), (&prefix).into()).into())
    }
}

/// The ChaCha20-Poly1305 nonce of an `XChaCha20` `nonce`: four zero bytes,
/// then its last eight.
fn ietf_nonce(nonce: &[u8; NONCE_LEN]) -> [u8; 12] {
    let mut inner = [0u8; 12];
    inner[4..].copy_from_slice(&nonce[HCHACHA_NONCE_LEN..]);
    inner
}

/// ChaCha20-Poly1305 (RFC 8439) in place: the tag, or `None` past ring's
/// length limit. Crate-visible for the RFC 8439 and Wycheproof vectors.
pub(crate) fn seal_ietf(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<[u8; TAG_LEN]> {
    let key = ietf_key(key)?;
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), buf)
        .ok()?;
    tag.as_ref().try_into().ok()
}

/// ChaCha20-Poly1305 (RFC 8439) opened in place; on failure `buf` holds no
/// plaintext.
pub(crate) fn open_ietf(
    key: &[u8; 32],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
    tag: [u8; TAG_LEN],
) -> bool {
    ietf_key(key).is_some_and(|key| {
        key.open_in_place_separate_tag(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            Tag::from(tag),
            buf,
            0..,
        )
        .is_ok()
    })
}

/// ring's key for `key` (`None` never happens: it takes any 32 bytes).
fn ietf_key(key: &[u8; 32]) -> Option<LessSafeKey> {
    UnboundKey::new(&CHACHA20_POLY1305, key)
        .ok()
        .map(LessSafeKey::new)
}

#[cfg(test)]
mod tests;
