//! The building blocks under the codec, measured one by one, to choose what
//! the codec uses: the nonce source, the AEAD and MAC costs per size, the
//! deflate backend (miniz_oxide, flate2's default, against zlib-rs) and level.
//!
//! `cargo bench -p cookie-seal-benches --bench primitives` (see BENCHMARKS.md, "Choices inside the
//! codec"). The payloads are the postcard bytes of the benchmark sessions.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a bench may panic on broken setup

use std::hint::black_box;
use std::time::Duration;

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use criterion::{Criterion, Throughput};
use hmac::{Hmac, Mac};
use rand::Rng as _;
use sha2::Sha256;

mod support;
use support::{short_aead, xchacha_ring, SessionsFile};

fn payloads(file: &SessionsFile) -> [(&'static str, Vec<u8>); 3] {
    let large = file.large_with(file.large_items);
    [
        (
            "small",
            postcard::to_allocvec(&file.small).expect("postcard"),
        ),
        (
            "medium",
            postcard::to_allocvec(&file.medium).expect("postcard"),
        ),
        ("large", postcard::to_allocvec(&large).expect("postcard")),
    ]
}

fn nonce_sources(c: &mut Criterion) {
    let mut group = c.benchmark_group("nonce24");
    group.bench_function("getrandom_os_call", |b| {
        b.iter(|| {
            let mut nonce = [0u8; 24];
            getrandom::fill(&mut nonce).expect("getrandom");
            black_box(nonce)
        })
    });
    // The cost of fork detection by PID, one system call per token.
    group.bench_function("getpid", |b| b.iter(|| black_box(std::process::id())));
    group.bench_function("rand_ThreadRng", |b| {
        b.iter(|| {
            let mut nonce = [0u8; 24];
            rand::rng().fill_bytes(&mut nonce);
            black_box(nonce)
        })
    });
    // The synthetic nonce: one keyed PRF over salt, header and plaintext.
    // Its cost grows with the plaintext while the OS call's is flat;
    // BENCHMARKS.md gives where they cross and why the default stays
    // synthetic above it. HMAC-SHA256 (what the crate uses) against the
    // keyed PRFs that could replace it (FORMAT.md section 7), each over the
    // crate's 29 bytes of salt and length prefix, a 7-byte header and the
    // plaintext, fed in the same three parts.
    let hmac = Hmac::<Sha256>::new_from_slice(&[5; 32]).expect("hmac key");
    let blake2b = <blake2::Blake2bMac512 as hmac::KeyInit>::new_from_slice(&[5; 32]).expect("key");
    let blake2s = <blake2::Blake2sMac256 as hmac::KeyInit>::new_from_slice(&[5; 32]).expect("key");
    let (salt, header) = ([6u8; 29], [7u8; 7]);
    for len in [64usize, 256, 512, 768, 1024, 1536, 2048, 4096] {
        let plaintext = vec![8u8; len];
        group.bench_function(format!("synthetic_hmac_{len}"), |b| {
            b.iter(|| {
                let mut mac = hmac.clone();
                for part in [&salt[..], &header, black_box(&plaintext)] {
                    mac.update(part);
                }
                black_box(mac.finalize())
            })
        });
        if matches!(len, 64 | 1024 | 4096) {
            group.bench_function(format!("synthetic_blake3_keyed_{len}"), |b| {
                b.iter(|| {
                    let mut hasher = blake3::Hasher::new_keyed(&[5; 32]);
                    for part in [&salt[..], &header, black_box(&plaintext)] {
                        hasher.update(part);
                    }
                    black_box(hasher.finalize())
                })
            });
            group.bench_function(format!("synthetic_blake2b_keyed_{len}"), |b| {
                b.iter(|| {
                    let mut mac = blake2b.clone();
                    for part in [&salt[..], &header, black_box(&plaintext)] {
                        Mac::update(&mut mac, part);
                    }
                    black_box(mac.finalize())
                })
            });
            group.bench_function(format!("synthetic_blake2s_keyed_{len}"), |b| {
                b.iter(|| {
                    let mut mac = blake2s.clone();
                    for part in [&salt[..], &header, black_box(&plaintext)] {
                        Mac::update(&mut mac, part);
                    }
                    black_box(mac.finalize())
                })
            });
        }
    }
    group.finish();
}

fn aead_and_mac(c: &mut Criterion, file: &SessionsFile) {
    let xchacha = XChaCha20Poly1305::new(&[1; 32].into());
    let mac = Hmac::<Sha256>::new_from_slice(&[2; 32]).expect("hmac key");
    let aad = [3u8; 53]; // preamble (label, purpose, empty context) + header
    for (name, payload) in payloads(file) {
        let mut group = c.benchmark_group(format!("crypto_{name}"));
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function("xchacha20poly1305_seal", |b| {
            let mut buf = payload.clone();
            b.iter(|| {
                xchacha
                    .encrypt_inout_detached(&XNonce::from([4; 24]), &aad, buf.as_mut_slice().into())
                    .expect("seal")
            })
        });
        group.bench_function("hchacha_ring_xchacha20poly1305_seal", |b| {
            let mut buf = payload.clone();
            b.iter(|| xchacha_ring::seal(&[1; 32], &[4; 24], &aad, black_box(&mut buf)))
        });
        group.bench_function("short_path_xchacha20poly1305_seal", |b| {
            let mut buf = payload.clone();
            b.iter(|| short_aead::seal(&[1; 32], &[4; 24], &aad, black_box(&mut buf)))
        });
        group.bench_function("orion_xchacha20poly1305_seal", |b| {
            use orion::hazardous::aead::xchacha20poly1305 as ox;
            let key = ox::SecretKey::from_slice(&[1; 32]).expect("key");
            let nonce = ox::Nonce::from_slice(&[4; 24]).expect("nonce");
            let mut out = vec![0u8; payload.len() + 16];
            b.iter(|| ox::seal(&key, &nonce, black_box(&payload), Some(&aad), &mut out))
        });
        group.bench_function("hmac_sha256", |b| {
            b.iter(|| {
                mac.clone()
                    .chain_update(aad)
                    .chain_update(black_box(&payload))
                    .finalize()
            })
        });
        group.bench_function("base64url_encode", |b| {
            use base64::Engine as _;
            b.iter(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(black_box(&payload)))
        });
        group.finish();
    }
}

/// The XChaCha20-Poly1305 implementations by message length: the crate's
/// (`hchacha_ring`: HChaCha20, then ring's ChaCha20-Poly1305), RustCrypto's
/// AEAD, the short-message composition the crate used before ring
/// (`short_path`: RustCrypto's keystream, orion's Poly1305) and orion's
/// whole AEAD.
fn aead_crossover(c: &mut Criterion) {
    use orion::hazardous::aead::xchacha20poly1305 as ox;
    let xchacha = XChaCha20Poly1305::new(&[1; 32].into());
    let key = ox::SecretKey::from_slice(&[1; 32]).expect("key");
    let nonce = ox::Nonce::from_slice(&[4; 24]).expect("nonce");
    let aad = [3u8; 7];
    let mut group = c.benchmark_group("aead_by_length");
    for len in [0usize, 64, 128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096] {
        let payload = vec![7u8; len];
        group.bench_function(format!("rustcrypto_{len}"), |b| {
            let mut buf = payload.clone();
            b.iter(|| {
                xchacha
                    .encrypt_inout_detached(&XNonce::from([4; 24]), &aad, buf.as_mut_slice().into())
                    .expect("seal")
            })
        });
        group.bench_function(format!("hchacha_ring_{len}"), |b| {
            let mut buf = payload.clone();
            b.iter(|| xchacha_ring::seal(&[1; 32], &[4; 24], &aad, black_box(&mut buf)))
        });
        group.bench_function(format!("short_path_{len}"), |b| {
            let mut buf = payload.clone();
            b.iter(|| short_aead::seal(&[1; 32], &[4; 24], &aad, black_box(&mut buf)))
        });
        group.bench_function(format!("orion_{len}"), |b| {
            let mut out = vec![0u8; len + 16];
            b.iter(|| ox::seal(&key, &nonce, black_box(&payload), Some(&aad), &mut out))
        });
    }
    group.finish();
}

fn zlib_rs_deflate(input: &[u8], level: i32) -> Vec<u8> {
    let config = zlib_rs::DeflateConfig {
        level,
        method: zlib_rs::Method::Deflated,
        window_bits: -15, // raw deflate, as in the token format
        mem_level: 8,
        strategy: zlib_rs::Strategy::Default,
    };
    let mut out = vec![0u8; zlib_rs::compress_bound(input.len())];
    let (written, code) = zlib_rs::compress_slice(&mut out, input, config);
    assert_eq!(code, zlib_rs::ReturnCode::Ok);
    let len = written.len();
    out.truncate(len);
    out
}

fn zlib_rs_inflate(input: &[u8], out: &mut [u8]) -> usize {
    let config = zlib_rs::InflateConfig { window_bits: -15 };
    let (written, code) = zlib_rs::decompress_slice(out, input, config);
    assert_eq!(code, zlib_rs::ReturnCode::Ok);
    written.len()
}

fn flate2_deflate(input: &[u8], level: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut out = Vec::with_capacity(input.len() + 64);
    let mut compressor = Compress::new(Compression::new(level), false);
    compressor
        .compress_vec(input, &mut out, FlushCompress::Finish)
        .expect("deflate");
    out
}

fn deflate(c: &mut Criterion, file: &SessionsFile) {
    println!("raw deflate sizes (postcard payload -> bytes):");
    for (name, payload) in payloads(file) {
        let mut sizes = format!("  {name:<6} {:>5}:", payload.len());
        for level in [1u8, 6, 9] {
            let m = miniz_oxide::deflate::compress_to_vec(&payload, level).len();
            let z = zlib_rs_deflate(&payload, i32::from(level)).len();
            sizes.push_str(&format!("  L{level} miniz {m:>5} zlib-rs {z:>5}"));
        }
        println!("{sizes}");

        let mut group = c.benchmark_group(format!("deflate_{name}"));
        group.throughput(Throughput::Bytes(payload.len() as u64));
        for level in [1u8, 6, 9] {
            group.bench_function(format!("miniz_oxide_L{level}"), |b| {
                b.iter(|| miniz_oxide::deflate::compress_to_vec(black_box(&payload), level))
            });
            group.bench_function(format!("zlib-rs_L{level}"), |b| {
                b.iter(|| zlib_rs_deflate(black_box(&payload), i32::from(level)))
            });
        }
        // flate2 as the crate builds it (miniz_oxide, level 6): a compressor
        // per call against one reused and reset, as src/compress.rs does.
        group.bench_function("flate2_as_built_L6", |b| {
            b.iter(|| flate2_deflate(black_box(&payload), 6))
        });
        group.bench_function("flate2_as_built_reused_L6", |b| {
            use flate2::{Compress, Compression, FlushCompress};
            let mut compressor = Compress::new(Compression::new(6), false);
            b.iter(|| {
                let mut out = Vec::with_capacity(payload.len() + 64);
                compressor
                    .compress_vec(black_box(&payload), &mut out, FlushCompress::Finish)
                    .expect("deflate");
                compressor.reset();
                out
            })
        });
        group.finish();

        let packed = miniz_oxide::deflate::compress_to_vec(&payload, 6);
        let mut group = c.benchmark_group(format!("inflate_{name}"));
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function("miniz_oxide", |b| {
            b.iter(|| miniz_oxide::inflate::decompress_to_vec_with_limit(black_box(&packed), 16384))
        });
        group.bench_function("zlib-rs", |b| {
            let mut out = vec![0u8; 16384];
            b.iter(|| zlib_rs_inflate(black_box(&packed), &mut out))
        });
        group.bench_function("flate2_as_built", |b| {
            b.iter(|| {
                let mut d = flate2::Decompress::new(false);
                let mut out = Vec::with_capacity(payload.len());
                d.decompress_vec(
                    black_box(&packed),
                    &mut out,
                    flate2::FlushDecompress::Finish,
                )
                .expect("inflate");
                out
            })
        });
        group.finish();
    }
}

/// Where deflate starts to shrink session-like payloads: prints, for the
/// session shapes cut to many lengths (typed and `SessionMap` map), the payload
/// length and whether raw deflate made it shorter.
fn break_even(file: &SessionsFile) {
    use support::AsSessionMap;
    let mut samples: Vec<(String, Vec<u8>)> = Vec::new();
    for n in 0..=15 {
        let mut medium = file.medium.clone();
        medium.cart.truncate(n);
        samples.push((
            format!("medium cart={n}"),
            postcard::to_allocvec(&medium).expect("pc"),
        ));
        let map = postcard::to_allocvec(&medium.to_map()).expect("pc");
        samples.push((format!("medium map cart={n}"), map));
    }
    for n in 0..=8 {
        let large = file.large_with(n);
        samples.push((
            format!("large items={n}"),
            postcard::to_allocvec(&large).expect("pc"),
        ));
        let map = postcard::to_allocvec(&large.to_map()).expect("pc");
        samples.push((format!("large map items={n}"), map));
    }
    samples.push((
        "small".into(),
        postcard::to_allocvec(&file.small).expect("pc"),
    ));
    samples.push((
        "small map".into(),
        postcard::to_allocvec(&file.small.to_map()).expect("pc"),
    ));
    samples.sort_by_key(|(_, p)| p.len());
    println!("deflate break-even (payload bytes -> deflated bytes, L6 miniz / zlib-rs):");
    for (name, payload) in &samples {
        let m = miniz_oxide::deflate::compress_to_vec(payload, 6).len();
        let z = zlib_rs_deflate(payload, 6).len();
        let mark = if m.min(z) < payload.len() {
            "shrinks"
        } else {
            ""
        };
        println!("  {:>5} -> {m:>5} / {z:>5} {mark:<8} {name}", payload.len());
    }
}

/// The bench's copies of the crate's AEAD (`xchacha_ring`) and of the
/// composition it used before (`short_aead`) write what RustCrypto's AEAD
/// writes (cookie-seal's own code is tested at every length in
/// `seal::tests`).
fn check_aead_copies() {
    let xchacha = XChaCha20Poly1305::new(&[1; 32].into());
    type Seal = fn(&[u8; 32], &[u8; 24], &[u8], &mut [u8]) -> [u8; 16];
    type Open = fn(&[u8; 32], &[u8; 24], &[u8], &mut [u8], &[u8]) -> bool;
    let copies: [(Seal, Open); 2] = [
        (xchacha_ring::seal, xchacha_ring::open),
        (short_aead::seal, short_aead::open),
    ];
    for (seal, open) in copies {
        for len in [0usize, 1, 63, 64, 191, 192, 193, 255, 256, 257, 1000, 2047] {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let (mut ours, mut theirs) = (plaintext.clone(), plaintext.clone());
            let tag = seal(&[1; 32], &[4; 24], b"aad", &mut ours);
            let expected = xchacha
                .encrypt_inout_detached(
                    &XNonce::from([4; 24]),
                    b"aad",
                    theirs.as_mut_slice().into(),
                )
                .expect("seal");
            assert_eq!((&ours, &tag[..]), (&theirs, &expected[..]), "{len}");
            assert!(open(&[1; 32], &[4; 24], b"aad", &mut ours, &tag));
            assert_eq!(ours, plaintext, "{len}");
        }
    }
}

fn main() {
    check_aead_copies();
    let file = SessionsFile::load();
    break_even(&file);
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args();
    nonce_sources(&mut c);
    aead_and_mac(&mut c, &file);
    aead_crossover(&mut c);
    deflate(&mut c, &file);
    c.final_summary();
}
