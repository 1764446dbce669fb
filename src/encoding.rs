//! Stage: base64url without padding, strict in both directions.
//!
//! Decoding refuses padding, the standard alphabet (`+`, `/`), whitespace,
//! non-ASCII and non-canonical trailing bits, so every accepted token has
//! exactly one spelling.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Number of base64url characters (no padding) for `len` bytes.
pub(crate) const fn encoded_len(len: usize) -> usize {
    (len / 3) * 4 + [0, 2, 3][len % 3]
}

/// Appends the base64url form of `bytes` to a new string.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes strict base64url. `None` for anything that is not the canonical
/// encoding of some byte string.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Decodes strict base64url, appending the bytes to `out` (which may already
/// hold a prefix). `false`, with `out` in an unspecified state past its
/// original length, for anything `decode` refuses.
pub(crate) fn decode_append(text: &str, out: &mut Vec<u8>) -> bool {
    URL_SAFE_NO_PAD.decode_vec(text, out).is_ok()
}

/// Decodes strict base64url into the start of `out`, returning the number of
/// bytes written. `None` for anything `decode` refuses, and when `out` is
/// shorter than `text.len() / 4 * 3 + 3` bytes (too short for some inputs).
pub(crate) fn decode_into(text: &str, out: &mut [u8]) -> Option<usize> {
    URL_SAFE_NO_PAD.decode_slice(text, out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_len_matches_the_encoder() {
        for len in 0..100 {
            assert_eq!(encoded_len(len), encode(&vec![0xFF; len]).len());
        }
    }

    #[test]
    fn decode_rejects_every_non_canonical_spelling() {
        assert_eq!(decode("AQID"), Some(vec![1, 2, 3]));
        for bad in [
            "AQI=", "AQ==", "A+/B", "AQ I", " AQI", "AQI\n", "AQé", "AQJ", "AR", "A",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(decode("AQI"), Some(vec![1, 2]));
        for bad in ["AQI=", "AQJ", "A", "A+/B"] {
            assert!(!decode_append(bad, &mut vec![7]), "{bad:?}");
        }
        let mut slice = [0u8; 16];
        for bad in ["AQI=", "AQJ", "A", "A+/B"] {
            assert_eq!(decode_into(bad, &mut slice), None, "{bad:?}");
        }
        assert_eq!(decode_into("-_-_AQI", &mut slice), Some(5));
        assert_eq!(slice[..5], [0xFB, 0xFF, 0xBF, 1, 2]);
        let mut out = vec![7];
        assert!(decode_append("-_-_", &mut out));
        assert_eq!(out, [7, 0xFB, 0xFF, 0xBF]);
        assert_eq!(decode("-_-_"), Some(vec![0xFB, 0xFF, 0xBF]));
    }
}
