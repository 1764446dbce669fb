//! Behaviour of the public codec API, run once per mode.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_PAYLOAD_LEN};
use cookie_seal::{
    Codec, Compression, EncodeOptions, Error, Key, Keyring, Lifetime, Mode, SessionId, SessionMap,
};
use serde::{Deserialize, Serialize};

#[path = "../fixtures/mod.rs"]
mod fixtures;
use fixtures::{at, key, noise, T0};

mod api_contract;
mod both_modes;
mod compression;
mod expiry;
mod padding;
mod reissue_boundary;
mod settings;
mod signed_vs_sealed;

fn ring() -> Keyring {
    fixtures::ring(&[(1, 1)])
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
    csrf: [u8; 16],
}

fn user() -> User {
    User {
        id: 42,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "dev".into()],
        csrf: [7; 16],
    }
}

fn session() -> SessionMap {
    let mut s = SessionMap::new();
    s.insert("user_id", &42u64).unwrap();
    s.insert("name", "Ada").unwrap();
    s
}

fn base64_url_decode(token: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap()
}

fn base64_url_encode(raw: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}
