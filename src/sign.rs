//! Stage: HMAC-SHA256 over the preamble, header and body (signed mode).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Length of the HMAC-SHA256 tag appended to signed tokens (never truncated).
pub(crate) const TAG_LEN: usize = 32;

/// An HMAC-SHA256 key, keyed once: the inner and outer pads are hashed at
/// construction and the state is cloned per token. The state is wiped on drop
/// (`hmac`'s `zeroize` feature).
#[derive(Clone)]
pub(crate) struct SignKey(Hmac<Sha256>);

impl SignKey {
    pub(crate) fn new(subkey: &[u8]) -> SignKey {
        // HMAC accepts keys of any length, so this never fails; an empty
        // key is the total fallback and is unreachable with 32-byte subkeys.
        let mac = Hmac::<Sha256>::new_from_slice(subkey)
            .unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
        SignKey(mac)
    }

    fn mac_over(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// The tag over the concatenation of `parts`.
    pub(crate) fn tag(&self, parts: &[&[u8]]) -> [u8; TAG_LEN] {
        self.mac_over(parts).finalize().into_bytes().into()
    }

    /// Checks `tag` against the concatenation of `parts` in constant time.
    pub(crate) fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        tag.len() == TAG_LEN && self.mac_over(parts).verify_slice(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // RFC 4231 test case 2, split across parts to check the concatenation.
    #[test]
    fn rfc4231_case_2_through_parts() {
        let key = SignKey::new(b"Jefe");
        let expected = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let parts: [&[u8]; 3] = [b"what do ya want ", b"", b"for nothing?"];
        assert_eq!(key.tag(&parts).to_vec(), expected);
        assert!(key.verify(&parts, &expected));
    }

    #[test]
    fn verify_rejects_changed_or_short_tags() {
        let key = SignKey::new(&[9; 32]);
        let mut tag = key.tag(&[b"data"]);
        assert!(!key.verify(&[b"data"], &tag[..31]));
        tag[0] ^= 1;
        assert!(!key.verify(&[b"data"], &tag));
        assert!(!key.verify(&[b"dat"], &key.tag(&[b"data"])));
    }
}
