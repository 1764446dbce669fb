//! Stage: XChaCha20-Poly1305 encryption in place (sealed mode).

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};

use crate::error::Error;

/// Length of the random nonce stored in sealed tokens.
pub(crate) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag appended to sealed tokens.
pub(crate) const TAG_LEN: usize = 16;

/// An XChaCha20-Poly1305 key; the cipher wipes its key on drop.
#[derive(Clone)]
pub(crate) struct SealKey(XChaCha20Poly1305);

impl SealKey {
    pub(crate) fn new(subkey: &[u8; 32]) -> SealKey {
        SealKey(XChaCha20Poly1305::new(subkey.into()))
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], Error> {
        self.0
            .encrypt_in_place_detached(XNonce::from_slice(nonce), aad, buf)
            .map(Into::into)
            // Only fails for messages over 256 GiB, far past every cap here.
            .map_err(|_| Error::TooLarge {
                len: buf.len(),
                limit: usize::MAX,
            })
    }

    /// Decrypts `buf` in place if `tag` authenticates it with `aad`.
    /// On failure `buf` is left as ciphertext and `false` is returned.
    pub(crate) fn open(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        if nonce.len() != NONCE_LEN || tag.len() != TAG_LEN {
            return false;
        }
        self.0
            .decrypt_in_place_detached(XNonce::from_slice(nonce), aad, buf, Tag::from_slice(tag))
            .is_ok()
    }
}

/// A fresh nonce from the operating system's CSPRNG.
pub(crate) fn random_nonce() -> Result<[u8; NONCE_LEN], Error> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| Error::Rng)?;
    Ok(nonce)
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
    }

    #[test]
    fn open_rejects_any_change() {
        let key = SealKey::new(&[3; 32]);
        let nonce = random_nonce().unwrap();
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

    #[test]
    fn nonces_differ() {
        assert_ne!(random_nonce().unwrap(), random_nonce().unwrap());
    }
}
