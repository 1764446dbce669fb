//! Secrets never reach `Debug`, `Display` or error text.
//!
//! Extends the unit tests in `key.rs`, `keyring.rs` and `codec.rs` (which
//! check one form of one key each): here every type that holds or touches a
//! key is printed in every way (`{}`, `{:?}`, `{:#?}`), after every error
//! path that can be reached with the key, and the output is searched for any
//! 6-byte window of the master keys **and of the HKDF subkeys the codec
//! derives**, in hex (both cases), standard and URL-safe base64 (every
//! alignment), and as a decimal byte list.
//!
//! The second half searches freed memory: a global allocator
//! (`tests/support/scan-alloc`) looks through every block before it is freed
//! for the raw keys, their base64 text, the HKDF subkeys and the HMAC states
//! made from them, while a keyring of 1, 5 or 9 keys is parsed and exported
//! and codecs of both modes are built and encode and decode with every key.
//!
//! That keys wipe themselves on drop is checked at compile time in
//! `src/rfc_wycheproof_vectors/zeroize_on_drop.rs` (`key_material_types_zeroize_on_drop`); that
//! `zeroize` really clears a key in `key.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use cookie_seal::consts::MAX_KEY_LEN;
use cookie_seal::{Codec, Compression, EncodeOptions, Error, Key, Keyring, SessionId, SessionMap};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

mod freed_memory;
mod printed;

/// Pseudo-random key bytes (SHA-256 chains), so a match cannot be chance.
fn secret(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut block = Sha256::digest(label.as_bytes());
    while out.len() < len {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(len);
    out
}

/// The subkey for `label` and the default purpose (FORMAT.md section 4).
fn subkey(master: &[u8], label: &[u8]) -> Vec<u8> {
    let mut info = Vec::new();
    for part in [label, b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut out = [0; 32];
    Hkdf::<Sha256>::new(None, master)
        .expand(&info, &mut out)
        .unwrap();
    out.to_vec()
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

#[global_allocator]
static SCANNING: scan_alloc::Scanning = scan_alloc::Scanning;
