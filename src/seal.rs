//! Stage: XChaCha20-Poly1305 encryption in place (sealed mode).
//!
//! Two implementations of the same AEAD (draft-irtf-cfrg-xchacha-03), chosen by
//! measurement (`cargo bench -p cookie-seal-benches --bench primitives`,
//! group `aead_by_length`):
//! `RustCrypto`'s `chacha20poly1305` (0.11), and orion's for short messages when
//! the crate is built without AVX2 enabled at compile time. `RustCrypto`'s
//! Poly1305 picks its AVX2 backend at run time, and in such a build that
//! backend pays a fixed ~2 µs per message (its SIMD helpers are not inlined
//! into the AVX2 code), which dominates cookie-sized messages: orion's
//! portable code is 2-4x as fast below a few hundred bytes (64 B: 0.72 against
//! 2.87 µs; 256 B: 1.27 against 2.55 µs), `RustCrypto` faster from ~700 bytes.
//! Built with AVX2 enabled (e.g. `-C target-cpu=x86-64-v3`), `RustCrypto` is the
//! faster at every length and is always used. Both produce the same bytes:
//! tests below check each against the draft's vector and against each other
//! at every length around the switch.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use orion::hazardous::aead::xchacha20poly1305 as orion_aead;
use zeroize::Zeroizing;

use crate::error::Error;

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
/// Messages shorter than this use orion's implementation in builds without
/// compile-time AVX2 (measured crossover: about 700 bytes).
const SHORT_MESSAGE_LEN: usize = 704;

/// Whether a message of `len` bytes goes through orion (see the module docs).
const fn use_orion(len: usize) -> bool {
    !cfg!(target_feature = "avx2") && len < SHORT_MESSAGE_LEN
}

/// An XChaCha20-Poly1305 key. The `RustCrypto` cipher wipes its key on drop;
/// the copy kept for orion is wiped by `Zeroizing`.
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
        if use_orion(buf.len()) {
            // orion refuses nothing at these lengths; if it ever did, the
            // other implementation writes the same bytes.
            if let Some(tag) = self.seal_orion(nonce, aad, buf) {
                return Ok(tag);
            }
        }
        // RustCrypto refuses only messages over its block counter's range,
        // so this error means exactly "longer than MAX_MESSAGE_LEN". The
        // codec never gets here with one: it refuses tokens over its budget
        // (at most `MAX_TOKEN_LEN`) before sealing.
        self.seal_rustcrypto(nonce, aad, buf)
            .ok_or(Error::TooLarge {
                len: buf.len(),
                limit: MAX_MESSAGE_LEN,
            })
    }

    /// Decrypts `buf` in place if `tag` authenticates it with `aad`.
    /// On failure `buf` is left as ciphertext and `false` is returned.
    pub(crate) fn open(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        if nonce.len() != NONCE_LEN || tag.len() != TAG_LEN {
            return false;
        }
        if use_orion(buf.len()) {
            self.open_orion(nonce, aad, buf, tag)
        } else {
            self.open_rustcrypto(nonce, aad, buf, tag)
        }
    }

    fn seal_rustcrypto(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let nonce = XNonce::try_from(nonce).ok()?;
        self.cipher
            .encrypt_inout_detached(&nonce, aad, buf.into())
            .ok()
            .map(Into::into)
    }

    fn open_rustcrypto(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        let (Ok(nonce), Ok(tag)) = (XNonce::try_from(nonce), Tag::try_from(tag)) else {
            return false;
        };
        self.cipher
            .decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
            .is_ok()
    }

    /// orion writes `ciphertext || tag` to a separate buffer: a stack buffer
    /// that only ever holds ciphertext, copied back over the plaintext.
    fn seal_orion(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let key = orion_aead::SecretKey::from_slice(self.bytes.as_ref()).ok()?;
        let nonce = orion_aead::Nonce::from_slice(nonce).ok()?;
        let mut sealed = [0u8; SHORT_MESSAGE_LEN + TAG_LEN];
        let sealed = sealed.get_mut(..buf.len() + TAG_LEN)?;
        orion_aead::seal(&key, &nonce, buf, Some(aad), sealed).ok()?;
        let (ciphertext, tag) = sealed.split_at(buf.len());
        buf.copy_from_slice(ciphertext);
        tag.try_into().ok()
    }

    /// orion reads `ciphertext || tag` from one slice, checks the tag, and
    /// only then writes the plaintext to `buf`.
    fn open_orion(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        let (Ok(key), Ok(nonce)) = (
            orion_aead::SecretKey::from_slice(self.bytes.as_ref()),
            orion_aead::Nonce::from_slice(nonce),
        ) else {
            return false;
        };
        let mut sealed = [0u8; SHORT_MESSAGE_LEN + TAG_LEN];
        let Some(sealed) = sealed.get_mut(..buf.len() + TAG_LEN) else {
            return false;
        };
        let (ciphertext, sealed_tag) = sealed.split_at_mut(buf.len());
        ciphertext.copy_from_slice(buf);
        sealed_tag.copy_from_slice(tag);
        orion_aead::open(&key, &nonce, sealed, Some(aad), buf).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
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
        let key = SealKey::new(&key);
        let mut buf = plaintext.to_vec();
        let tag = key.seal(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(buf, expected);
        assert_eq!(tag.to_vec(), expected_tag);
        assert!(key.open(&nonce, &aad, &mut buf, &tag));
        assert_eq!(buf, plaintext);
        // The same vector through each implementation explicitly.
        let mut by_orion = plaintext.to_vec();
        let tag = key.seal_orion(&nonce, &aad, &mut by_orion).unwrap();
        assert_eq!(
            (by_orion, tag.to_vec()),
            (expected.clone(), expected_tag.clone())
        );
        let mut by_rustcrypto = plaintext.to_vec();
        let tag = key
            .seal_rustcrypto(&nonce, &aad, &mut by_rustcrypto)
            .unwrap();
        assert_eq!((by_rustcrypto, tag.to_vec()), (expected, expected_tag));
    }

    /// `RustCrypto` refuses a message when `len / 64 >= u32::MAX`: the limit
    /// is the last length it accepts.
    #[test]
    fn max_message_len_is_the_aead_limit() {
        if usize::BITS >= 64 {
            assert!(MAX_MESSAGE_LEN / 64 < u32::MAX as usize);
            assert!((MAX_MESSAGE_LEN + 1) / 64 >= u32::MAX as usize);
        }
    }

    #[test]
    fn open_rejects_any_change() {
        let key = SealKey::new(&[3; 32]);
        let nonce = crate::nonce::os().unwrap();
        let mut buf = b"secret".to_vec();
        let tag = key.seal(&nonce, b"aad", &mut buf).unwrap();
        let sealed = buf.clone();
        assert!(!key.open(&nonce, b"aaX", &mut buf.clone(), &tag));
        let mut other_nonce = nonce;
        other_nonce[0] ^= 1;
        assert!(!key.open(&other_nonce, b"aad", &mut buf.clone(), &tag));
        let mut bad_tag = tag;
        bad_tag[15] ^= 0x80;
        assert!(!key.open(&nonce, b"aad", &mut buf, &bad_tag));
        assert_eq!(buf, sealed, "failed open leaves the ciphertext");
        assert!(!key.open(&nonce[..23], b"aad", &mut buf, &tag));
    }

    /// Both implementations give the same bytes, and each opens what the
    /// other sealed, at every length around the switch and beyond.
    #[test]
    fn orion_and_rustcrypto_agree_at_every_length() {
        let key = SealKey::new(&[0x5A; 32]);
        let nonce = [0xA5; NONCE_LEN];
        let aad = b"preamble and header";
        for len in (0..=1100usize).chain([1536, 4096]) {
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 7 + len).to_le_bytes()[0]).collect();
            let mut by_orion = plaintext.clone();
            let mut by_rustcrypto = plaintext.clone();
            let tag = key.seal_orion(&nonce, aad, &mut by_orion);
            assert_eq!(
                tag.is_some(),
                len <= SHORT_MESSAGE_LEN,
                "{len}: stack buffer size"
            );
            if let Some(tag) = tag {
                let mut opened = by_orion.clone();
                assert!(key.open_orion(&nonce, aad, &mut opened, &tag), "{len}");
                assert_eq!(opened, plaintext, "{len}");
                let mut bad_tag = tag;
                bad_tag[0] ^= 1;
                let mut unchanged = by_orion.clone();
                assert!(!key.open_orion(&nonce, aad, &mut unchanged, &bad_tag));
                assert_eq!(unchanged, by_orion, "failed open leaves the ciphertext");
            }
            let rc_tag = key
                .seal_rustcrypto(&nonce, aad, &mut by_rustcrypto)
                .unwrap();
            if let Some(tag) = tag {
                assert_eq!((by_orion, tag), (by_rustcrypto.clone(), rc_tag), "{len}");
            }
            // Whatever sealed it, the dispatching `open` reads it.
            assert!(key.open(&nonce, aad, &mut by_rustcrypto, &rc_tag), "{len}");
            assert_eq!(by_rustcrypto, plaintext, "{len}");
        }
    }
}
