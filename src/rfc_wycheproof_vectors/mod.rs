//! Published test vectors for the primitives, run through the crate's own
//! stage code (`sign::SignKey`, `seal::SealKey`) where the stage can run them.
//!
//! | set | cases | run through |
//! |---|---|---|
//! | RFC 4231 HMAC-SHA256 | 7 | `SignKey` (case 5 is a truncated tag: checked as a prefix, and `verify` must refuse it) |
//! | RFC 8439 §2.8.2 ChaCha20-Poly1305 | 1 | `seal::seal_ietf` / `open_ietf`, the step `SealKey` runs after `HChaCha20` |
//! | draft-irtf-cfrg-xchacha A.3.1 | 1 | `SealKey` (in `seal/tests.rs`) |
//! | Wycheproof XChaCha20-Poly1305 | 315 | `SealKey` |
//! | Wycheproof ChaCha20-Poly1305 | 325 | `seal::seal_ietf` / `open_ietf` |
//! | Wycheproof HMAC-SHA256 | 174 | `SignKey`: 87 full-tag cases; 87 truncated-tag cases skipped as vectors, but `verify` must refuse each truncated tag |
//!
//! The seal stage is `XChaCha20` (24-byte nonce) and cannot take a 12-byte
//! `ChaCha20` nonce, so the ChaCha20-Poly1305 sets run through its second
//! step, the ChaCha20-Poly1305 it runs under the `HChaCha20` subkey.
//!
//! The Wycheproof files are vendored in `tests/data/wycheproof/` (see the
//! README there for source and licence).
//!
//! `rfc` holds the RFC 4231 and RFC 8439 cases, `wycheproof` the Wycheproof
//! files, `zeroize_on_drop` the compile-time check that key material wipes
//! itself, `composition` whole tokens recomputed from the primitives.

mod composition;
mod rfc;
mod wycheproof;
mod zeroize_on_drop;

/// Bytes from hex text; whitespace between digits is ignored.
pub(super) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
