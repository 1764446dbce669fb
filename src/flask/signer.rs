//! itsdangerous's `TimestampSigner` as Flask configures it: key derivation
//! `"hmac"` and digest SHA-1.
//!
//! ```text
//! derived key = HMAC-SHA1(secret_key, salt)
//! token       = payload "." b64(timestamp) "." b64(HMAC-SHA1(derived key, payload "." b64(timestamp)))
//! ```
//! `b64` is base64url without padding; the timestamp is Unix seconds as a
//! big-endian integer with its leading zero bytes dropped. The payload itself
//! (`[.]base64url`) is opaque here.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::encoding;

/// Length of an HMAC-SHA1 signature in bytes.
const SIGNATURE_LEN: usize = 20;
/// The longest timestamp itsdangerous reads: 8 bytes (a `>Q` struct).
const MAX_TIMESTAMP_LEN: usize = 8;
/// The separator between payload, timestamp and signature.
pub(crate) const SEP: char = '.';

/// One secret key after key derivation: an HMAC-SHA1 state keyed with
/// `HMAC-SHA1(secret_key, salt)`, hashed once and cloned per token. The state
/// is wiped on drop (`hmac`'s `zeroize` feature).
#[derive(Clone)]
pub(crate) struct SigningKey(Hmac<Sha1>);

impl SigningKey {
    /// Derives the signing key for `secret_key` and `salt`
    /// (itsdangerous `Signer.derive_key` with `key_derivation="hmac"`).
    pub(crate) fn derive(secret_key: &[u8], salt: &[u8]) -> SigningKey {
        let mut derived = Zeroizing::new([0u8; SIGNATURE_LEN]);
        derived.copy_from_slice(
            &hmac_sha1(secret_key)
                .chain_update(salt)
                .finalize()
                .into_bytes(),
        );
        SigningKey(hmac_sha1(derived.as_ref()))
    }

    /// The raw signature over `signed_part` (`payload "." timestamp`).
    fn signature(&self, signed_part: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0
            .clone()
            .chain_update(signed_part)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Checks `signature` over `signed_part` in constant time.
    pub(crate) fn verify(&self, signed_part: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        self.0
            .clone()
            .chain_update(signed_part)
            .verify_slice(signature)
            .is_ok()
    }

    /// Appends the timestamp and signature to `payload` (the `[.]base64url`
    /// payload text), as `TimestampSigner.sign` does.
    pub(crate) fn sign(&self, payload: &str, timestamp: u64) -> String {
        let mut token = String::with_capacity(payload.len() + 40);
        token.push_str(payload);
        token.push(SEP);
        token.push_str(&encoding::encode(&timestamp_bytes(timestamp)));
        let signature = self.signature(token.as_bytes());
        token.push(SEP);
        token.push_str(&encoding::encode(&signature));
        token
    }
}

/// An HMAC-SHA1 state keyed with `key` (HMAC accepts keys of any length).
fn hmac_sha1(key: &[u8]) -> Hmac<Sha1> {
    // `new_from_slice` cannot fail for HMAC; the fallback keeps this total.
    Hmac::<Sha1>::new_from_slice(key).unwrap_or_else(|_| Hmac::<Sha1>::new(&Default::default()))
}

/// The length of the token [`SigningKey::sign`] makes from a payload of
/// `payload_len` characters.
pub(crate) fn token_len(payload_len: usize, timestamp: u64) -> usize {
    payload_len
        + 1
        + encoding::encoded_len(timestamp_bytes(timestamp).len())
        + 1
        + encoding::encoded_len(SIGNATURE_LEN)
}

/// itsdangerous `int_to_bytes`: big-endian, leading zero bytes removed
/// (so 0 is the empty string).
fn timestamp_bytes(timestamp: u64) -> Vec<u8> {
    let bytes = timestamp.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default().to_vec()
}

/// A token split into its parts, **not verified**. Every field comes from the
/// cookie as received; only [`SigningKey::verify`] on `signed_part` makes
/// `payload` and `timestamp` trustworthy.
#[derive(Debug)]
pub(crate) struct UntrustedToken<'a> {
    /// `payload "." timestamp` exactly as received: the bytes the signature covers.
    pub(crate) signed_part: &'a [u8],
    /// Whether the payload had the `.` prefix (zlib-compressed JSON).
    pub(crate) compressed: bool,
    /// The base64url-decoded payload: zlib data or JSON text.
    pub(crate) payload: Vec<u8>,
    /// The claimed issue time, Unix seconds.
    pub(crate) timestamp: u64,
    /// The claimed signature.
    pub(crate) signature: [u8; SIGNATURE_LEN],
}

impl<'a> UntrustedToken<'a> {
    /// Splits `[.]payload.timestamp.signature` and decodes each part with
    /// strict base64url. `None` for anything itsdangerous would not have
    /// written: a missing part, a stray separator, non-canonical base64, a
    /// signature that is not 20 bytes or a timestamp over 8 bytes.
    pub(crate) fn parse(token: &'a str) -> Option<UntrustedToken<'a>> {
        let (signed_part, signature) = token.rsplit_once(SEP)?;
        let (payload, timestamp) = signed_part.rsplit_once(SEP)?;
        let (compressed, payload) = match payload.strip_prefix(SEP) {
            Some(rest) => (true, rest),
            None => (false, payload),
        };
        // The strict decoder refuses `.` and every other non-alphabet byte, so
        // a token with extra separators fails here.
        let payload = encoding::decode(payload).filter(|p| !p.is_empty())?;
        let timestamp = encoding::decode(timestamp)?;
        if timestamp.len() > MAX_TIMESTAMP_LEN {
            return None;
        }
        let timestamp = timestamp
            .iter()
            .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte));
        let signature = encoding::decode(signature)?.try_into().ok()?;
        Some(UntrustedToken {
            signed_part: signed_part.as_bytes(),
            compressed,
            payload,
            timestamp,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Pinned with Python: itsdangerous 2.2.0 `Signer(key, salt,
    // key_derivation="hmac", digest_method=hashlib.sha1).derive_key()` and
    // `TimestampSigner(...).sign(b"eyJ1c2VyX2lkIjo0Mn0")` at 1_700_000_000.
    #[test]
    fn signs_like_itsdangerous() {
        let key = SigningKey::derive(b"flask-secret", b"cookie-session");
        let token = key.sign("eyJ1c2VyX2lkIjo0Mn0", 1_700_000_000);
        assert_eq!(
            token,
            "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.xBiiReDyCviLRFpewSeiovwvVC8"
        );
        assert_eq!(
            token.len(),
            token_len("eyJ1c2VyX2lkIjo0Mn0".len(), 1_700_000_000)
        );
        let parsed = UntrustedToken::parse(&token).unwrap();
        assert!(!parsed.compressed);
        assert_eq!(parsed.timestamp, 1_700_000_000);
        assert_eq!(parsed.payload, br#"{"user_id":42}"#);
        assert!(key.verify(parsed.signed_part, &parsed.signature));
        let other_salt = SigningKey::derive(b"flask-secret", b"other");
        assert!(!other_salt.verify(parsed.signed_part, &parsed.signature));
    }

    #[test]
    fn timestamps_drop_leading_zero_bytes() {
        assert_eq!(timestamp_bytes(0), Vec::<u8>::new());
        assert_eq!(timestamp_bytes(1), vec![1]);
        assert_eq!(timestamp_bytes(0x0100), vec![1, 0]);
        assert_eq!(timestamp_bytes(u64::MAX), vec![0xFF; 8]);
        let key = SigningKey::derive(b"k", b"s");
        for timestamp in [0, 1, 255, 256, 1_700_000_000, u64::MAX] {
            let token = key.sign("e30", timestamp);
            assert_eq!(token.len(), token_len(3, timestamp));
            assert_eq!(UntrustedToken::parse(&token).unwrap().timestamp, timestamp);
        }
    }

    #[test]
    fn parse_refuses_what_itsdangerous_never_writes() {
        let key = SigningKey::derive(b"k", b"s");
        let good = key.sign("e30", 5);
        assert!(UntrustedToken::parse(&good).is_some());
        let compressed = key.sign(".eJyrrgUAAXUA-Q", 5);
        assert!(UntrustedToken::parse(&compressed).unwrap().compressed);
        let signature = good.rsplit_once('.').unwrap().1;
        for bad in [
            String::new(),
            ".".to_owned(),
            "..".to_owned(),
            "e30".to_owned(),
            "e30.BQ".to_owned(),
            format!("..BQ.{signature}"),
            format!("e30..BQ.{signature}"),
            format!("..e30.BQ.{signature}"),
            format!("a.e30.BQ.{signature}"),
            format!("e30=.BQ.{signature}"),
            format!("e3+.BQ.{signature}"),
            format!("e30.AAAAAAAAAAAA.{signature}"),
            format!("e30.BQ.{signature}A"),
            format!("e30.BQ.{}", &signature[1..]),
            format!("e30.BQ.{signature}."),
            "e30.BQ.ééééééééééééééééééééééééééé".to_owned(),
        ] {
            assert!(UntrustedToken::parse(&bad).is_none(), "{bad:?}");
        }
    }
}
