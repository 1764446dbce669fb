//! The `cookie-seal` binary, run as an operator would: keygen, the rotation
//! runbook of docs/operations.md, inspect and verify with their outputs and
//! exit codes.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Keyring, Mode, SessionMap};
use predicates::prelude::*;

#[path = "../docs/demo_keys.rs"]
mod demo_keys;
mod docs;
mod examples;
mod inspect;
mod keygen_rotate;
mod usage_errors;
mod verify;

const EXIT_VALID: i32 = 0;
const EXIT_INVALID: i32 = 1;
const EXIT_USAGE: i32 = 2;
const DAY: Duration = Duration::from_secs(86_400);

/// The binary with a clean environment for keys: no inherited `SESSION_KEYS`.
fn cli() -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("cookie-seal");
    command.env_remove("SESSION_KEYS");
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The stdout of a run that must have exited 1 (`INVALID`).
fn invalid(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(EXIT_INVALID),
        "{}",
        stdout(output)
    );
    stdout(output)
}

fn keygen() -> String {
    let output = cli().arg("keygen").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    stdout(&output).trim().to_owned()
}

fn codec(mode: Mode, keys: &str) -> Codec {
    let ring: Keyring = keys.parse().unwrap();
    match mode {
        Mode::Signed => Codec::signed(ring),
        Mode::Sealed => Codec::sealed(ring),
    }
}

fn session() -> SessionMap {
    let mut session = SessionMap::new();
    // 7: one byte of CBOR (from 24 up an integer takes two).
    session.insert("user_id", &7u64).unwrap();
    session.insert("name", "Ada Lovelace").unwrap();
    session
}

/// A session token written with `keys` at `now - ago`.
fn token(mode: Mode, keys: &str, ago: Duration) -> String {
    codec(mode, keys)
        .encode_at(&session(), SystemTime::now() - ago)
        .unwrap()
}

/// Runs `verify TOKEN` with `keys` in `SESSION_KEYS` and extra arguments.
fn verify(keys: &str, token: &str, args: &[&str]) -> Output {
    cli()
        .env("SESSION_KEYS", keys)
        .arg("verify")
        .args(args)
        .arg(token)
        .output()
        .unwrap()
}

/// The token with one bit of its last byte (inside the tag) flipped.
fn tampered(token: &str) -> String {
    let mut raw = URL_SAFE_NO_PAD.decode(token).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x01;
    URL_SAFE_NO_PAD.encode(raw)
}

/// Every key's base64 text in a keyring, to check that outputs never hold one.
fn key_texts(keys: &str) -> Vec<String> {
    keys.split(',')
        .map(|entry| entry.split_once(':').unwrap().1.trim().to_owned())
        .collect()
}

fn assert_no_key_material(output: &Output, keys: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for key in key_texts(keys) {
        assert!(!all.contains(&key), "key material printed: {all}");
    }
}

fn assert_valid(output: &Output, key_line: &str, reissue: &str) {
    let text = stdout(output);
    assert_eq!(output.status.code(), Some(EXIT_VALID), "{text}");
    assert!(text.starts_with("VALID"), "{text}");
    assert!(text.contains(key_line), "{text}");
    assert!(text.contains(reissue), "{text}");
}
