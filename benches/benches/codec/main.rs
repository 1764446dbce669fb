//! cookie-seal against the floor and its peers, side by side in one run.
//!
//! `cargo bench -p cookie-seal-benches --bench codec` (see BENCHMARKS.md). The sessions come from
//! `benches/sessions.json`, shared with `benches/flask_baseline.py`:
//! **small** (~150 B of JSON), **medium** (~1 KB), **large** (~3 KB).
//!
//! For each session, encode and decode with:
//! - cookie-seal: signed (default `Compression::Auto`, and `Never`), sealed
//!   (default `Never`, and `Auto`), each with the typed struct; signed and
//!   sealed with the dynamic `SessionMap` map;
//! - the **floor**: the same postcard bytes through only the primitives the
//!   crate uses (postcard, HMAC-SHA256 or XChaCha20-Poly1305 with a fresh OS
//!   nonce, base64url; the same AEAD implementation as the crate for each
//!   length), no header, no preamble, no checks, plainly written;
//! - the peers, each fed the session as JSON the way its users would: the
//!   `cookie` crate's `SignedJar` and `PrivateJar`, `branca`, `fernet`
//!   (pure-Rust backend) and `pasetors` (v4.local with claims). No peer was
//!   skipped: all build here.
//!
//! Before the timings, it prints the token-size table and the largest session
//! of the `large` shape that fits one 4096-byte cookie named `session` with
//! each approach, and writes both to `target/criterion/token_sizes.json` for
//! `benches/report.py`.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a bench may panic on broken setup

use std::cell::RefCell;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use cookie_seal::{Codec, Compression, Key, Keyring, NonceSource, SessionMap};
use criterion::{BenchmarkGroup, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

/// Browsers keep a cookie while name + value is at most this many bytes.
const COOKIE_LIMIT: usize = 4096;
const COOKIE_NAME: &str = "session";
/// Idle lifetime given to every approach that checks one.
const TTL_SECS: u64 = 86_400;

#[path = "../support/mod.rs"]
mod support;
use support::{AsSessionMap, SessionsFile};

mod approaches;
mod floor;
mod sizes;

use approaches::{Approach, Approach::*, Fixture, ALL};
use floor::Floor;
use sizes::{json_len, size_report};

// ---------------------------------------------------------------------------
// Timings.

fn check_round_trip<T>(fx: &Fixture, value: &T)
where
    T: Serialize + DeserializeOwned + AsSessionMap + PartialEq + std::fmt::Debug,
{
    for a in ALL {
        let token = fx
            .encode(a, value)
            .unwrap_or_else(|| panic!("{a:?} encode"));
        match a {
            SealSignedMap | SealSealedMap => {
                let map = fx
                    .map_codec(a)
                    .decode::<SessionMap>(&token)
                    .expect("decode map");
                assert_eq!(map.value.len(), value.to_map().len(), "{a:?}");
            }
            _ => assert_eq!(fx.decode::<T>(a, &token).as_ref(), Some(value), "{a:?}"),
        }
    }
}

fn bench_session<T>(c: &mut Criterion, fx: &Fixture, name: &str, value: &T)
where
    T: Serialize + DeserializeOwned + AsSessionMap + PartialEq + std::fmt::Debug,
{
    check_round_trip(fx, value);
    let bytes = json_len(value) as u64;
    let map = value.to_map();

    let mut group = c.benchmark_group(format!("encode_{name}"));
    group.throughput(Throughput::Bytes(bytes));
    for a in ALL {
        match a {
            SealSignedMap | SealSealedMap => {
                let codec = fx.map_codec(a);
                group.bench_function(a.id(), |b| b.iter(|| codec.encode(black_box(&map))));
            }
            _ => {
                group.bench_function(a.id(), |b| b.iter(|| fx.encode(a, black_box(value))));
            }
        }
    }
    group.finish();

    let mut group: BenchmarkGroup<'_, _> = c.benchmark_group(format!("decode_{name}"));
    group.throughput(Throughput::Bytes(bytes));
    for a in ALL {
        let token = fx.encode(a, value).expect("encode");
        match a {
            SealSignedMap | SealSealedMap => {
                let codec = fx.map_codec(a);
                group.bench_function(a.id(), |b| {
                    b.iter(|| codec.decode::<SessionMap>(black_box(&token)))
                });
            }
            _ => {
                group.bench_function(a.id(), |b| b.iter(|| fx.decode::<T>(a, black_box(&token))));
            }
        }
    }
    group.finish();
}

fn main() {
    let file = SessionsFile::load();
    let fx = Fixture::new();
    size_report(&fx, &file);

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    let large = file.large_with(file.large_items);
    bench_session(&mut c, &fx, "small", &file.small);
    bench_session(&mut c, &fx, "medium", &file.medium);
    bench_session(&mut c, &fx, "large", &large);
    c.final_summary();
}
