//! Recomputes a codec token from its parts with the primitive crates alone
//! (HKDF-SHA256 subkeys with label and purpose in `info`, the context block,
//! HMAC-SHA256 or XChaCha20-Poly1305 with a fixed nonce), written from the
//! format description rather than from `codec.rs`, so a drift in labels,
//! context block or layout fails here.

use std::time::{Duration, UNIX_EPOCH};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Codec, EncodeOptions, Key, Keyring};

const MASTER: [u8; 32] = [7; 32];

/// HKDF-SHA256, no salt, `info = le64(len label) || label || le64(len
/// purpose) || purpose`.
fn subkey(label: &[u8], purpose: &str) -> [u8; 32] {
    let mut info = Vec::new();
    for part in [label, purpose.as_bytes()] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut out = [0; 32];
    Hkdf::<Sha256>::new(None, &MASTER)
        .expand(&info, &mut out)
        .unwrap();
    out
}

/// `00 || le64(len) || context`, or nothing for an empty context.
fn context_block(context: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if !context.is_empty() {
        out.push(0);
        out.extend_from_slice(&(context.len() as u64).to_le_bytes());
        out.extend_from_slice(context);
    }
    out
}

fn raw(token: &str) -> Vec<u8> {
    crate::encoding::decode(token).unwrap()
}

// version 1, flags, key id 9, issued_at 1_700_000_000 as LEB128
const HEADER_SIGNED: [u8; 8] = [0x01, 0x01, 0x09, 0x80, 0xE2, 0xCF, 0xAA, 0x06];
// version 1, flags = sealed only, key id 9: the rest is encrypted.
const HEADER_SEALED: [u8; 3] = [0x01, 0x02, 0x09];
// flags (none), issued_at: the start of the sealed plaintext.
const SEALED_METADATA: [u8; 6] = [0x00, 0x80, 0xE2, 0xCF, 0xAA, 0x06];

#[test]
fn signed_token_is_hmac_sha256_of_context_block_header_and_body() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let codec = Codec::signed(Keyring::new(9, Key::from_bytes(&MASTER).unwrap())).purpose("csrf");
    let options = EncodeOptions::new().context(b"ua-hash");
    let raw = raw(&codec.encode_with(&"hello", &options, now).unwrap());
    let body = postcard::to_allocvec(&"hello").unwrap();
    assert_eq!(raw[..8], HEADER_SIGNED);
    assert_eq!(raw[8..raw.len() - 32], body[..]);
    let subkey = subkey(b"cookie-seal/v1 hmac-sha256", "csrf");
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&subkey).unwrap();
    mac.update(&context_block(b"ua-hash"));
    mac.update(&raw[..raw.len() - 32]);
    assert_eq!(raw[raw.len() - 32..], mac.finalize().into_bytes()[..]);
}

#[test]
fn sealed_token_is_xchacha20_poly1305_with_the_header_as_aad() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let codec = Codec::sealed(Keyring::new(9, Key::from_bytes(&MASTER).unwrap()));
    let nonce = [0x24; 24];
    let token = codec
        .encode_with_nonce(&"hello", &EncodeOptions::new(), now, nonce)
        .unwrap();
    let raw = raw(&token);
    assert_eq!(raw[..3], HEADER_SEALED);
    assert_eq!(raw[3..27], nonce);
    let cipher =
        XChaCha20Poly1305::new_from_slice(&subkey(b"cookie-seal/v1 xchacha20poly1305", "session"))
            .unwrap();
    let mut aad = context_block(b"");
    aad.extend_from_slice(&HEADER_SEALED);
    let plain = cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &raw[27..],
                aad: &aad,
            },
        )
        .unwrap();
    assert_eq!(plain[..6], SEALED_METADATA);
    assert_eq!(plain[6..], postcard::to_allocvec(&"hello").unwrap());
    assert_eq!(
        codec.decode_at::<String>(&token, now).unwrap().value,
        "hello"
    );
}
