//! Every bad-input class of the core codec: each gets a typed error, never a
//! panic and never `Ok`.
//!
//! Authentic-but-hostile payloads (invalid deflate, trailing bytes, huge
//! length prefixes, extreme timestamps) are made by `forge_signed`, an
//! independent implementation of signed tokens written from FORMAT.md alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_PAYLOAD_LEN};
use cookie_seal::{Codec, DecodeOptions, EncodeOptions, Error, Key, Keyring, SessionMap};
use hmac::{KeyInit, Mac};

#[path = "../fixtures/mod.rs"]
mod fixtures;
use fixtures::{at, varint, T0};

mod forge;
mod headers;
mod keys;
mod payload;
mod times;
mod token_text;

use forge::{forge_sealed, forge_signed, header, padded_plaintext};

const MASTER: [u8; 32] = [0x11; 32];

fn ring() -> Keyring {
    Keyring::new(1, Key::from_bytes(&MASTER).unwrap())
}

fn codecs() -> [Codec; 2] {
    [Codec::signed(ring()), Codec::sealed(ring())]
}

fn session() -> SessionMap {
    let mut s = SessionMap::new();
    s.insert("user", "alice").unwrap();
    s.insert("csrf", "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b")
        .unwrap();
    s
}

fn decode(codec: &Codec, token: &str) -> Result<SessionMap, Error> {
    codec
        .decode_at::<SessionMap>(token, at(T0))
        .map(|d| d.value)
}
