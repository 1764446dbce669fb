//! cookie-seal against the floor and its peers, side by side in one run.
//!
//! `cargo bench -p cookie-seal-benches --bench codec` (see BENCHMARKS.md). The sessions come from
//! `benches/sessions.json`, shared with `benches/flask_baseline.py`:
//! **small** (~150 B of JSON), **medium** (~1 KB), **large** (~3 KB).
//!
//! For each session, encode and decode with:
//! - cookie-seal: signed (default `Compression::Auto`, and `Never`), sealed
//!   (default `Never`, and `Auto`), each with the typed struct; signed and
//!   sealed with the dynamic `Session` map;
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
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use cookie_seal::{Codec, Compression, Key, Keyring, NonceSource, Session};
use criterion::{BenchmarkGroup, Criterion, Throughput};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

/// Browsers keep a cookie while name + value is at most this many bytes.
const COOKIE_LIMIT: usize = 4096;
const COOKIE_NAME: &str = "session";
/// Idle lifetime given to every approach that checks one.
const TTL_SECS: u64 = 86_400;

mod support;
use support::{AsSessionMap, SessionsFile};

// ---------------------------------------------------------------------------
// The floor: cookie-seal's primitives with nothing around them.

type HmacSha256 = Hmac<Sha256>;

struct Floor {
    mac: HmacSha256,
    aead: XChaCha20Poly1305,
    orion_key: orion::hazardous::aead::xchacha20poly1305::SecretKey,
}

/// The AEAD the crate uses for a message of `len` bytes: orion's below 704
/// bytes unless built with AVX2 enabled, RustCrypto's otherwise (src/seal.rs).
fn crate_uses_orion(len: usize) -> bool {
    !cfg!(target_feature = "avx2") && len < 704
}

impl Floor {
    fn new() -> Floor {
        Floor {
            mac: HmacSha256::new_from_slice(&[0x11; 32]).expect("hmac key"),
            aead: XChaCha20Poly1305::new(&[0x22; 32].into()),
            orion_key: orion::hazardous::aead::xchacha20poly1305::SecretKey::from_slice(
                &[0x22; 32],
            )
            .expect("orion key"),
        }
    }

    /// postcard || HMAC-SHA256 tag, base64url.
    fn sign<T: Serialize>(&self, value: &T) -> String {
        let mut raw = postcard::to_allocvec(value).expect("postcard");
        let tag = self.mac.clone().chain_update(&raw).finalize().into_bytes();
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&raw)
    }

    fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        let (body, tag) = raw.split_at(raw.len().checked_sub(32)?);
        self.mac.clone().chain_update(body).verify_slice(tag).ok()?;
        postcard::from_bytes(body).ok()
    }

    /// nonce || XChaCha20-Poly1305(postcard) || tag, base64url; nonce from the OS.
    fn seal<T: Serialize>(&self, value: &T) -> String {
        let mut raw = Vec::with_capacity(256);
        raw.resize(24, 0);
        getrandom::fill(&mut raw[..24]).expect("getrandom");
        let mut raw = postcard::to_extend(value, raw).expect("postcard");
        if crate_uses_orion(raw.len() - 24) {
            use orion::hazardous::aead::xchacha20poly1305 as ox;
            let nonce = ox::Nonce::from_slice(&raw[..24]).expect("nonce");
            let mut sealed = raw[..24].to_vec();
            sealed.resize(raw.len() + 16, 0);
            ox::seal(&self.orion_key, &nonce, &raw[24..], None, &mut sealed[24..])
                .expect("encrypt");
            return URL_SAFE_NO_PAD.encode(&sealed);
        }
        let (nonce, body) = raw.split_at_mut(24);
        let tag = self
            .aead
            .encrypt_inout_detached(
                &XNonce::try_from(&nonce[..]).expect("nonce"),
                b"",
                body.into(),
            )
            .expect("encrypt");
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&raw)
    }

    fn open<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        let body_len = raw.len().checked_sub(24 + 16)?;
        if crate_uses_orion(body_len) {
            use orion::hazardous::aead::xchacha20poly1305 as ox;
            let nonce = ox::Nonce::from_slice(&raw[..24]).ok()?;
            let mut body = vec![0u8; body_len];
            ox::open(&self.orion_key, &nonce, &raw[24..], None, &mut body).ok()?;
            return postcard::from_bytes(&body).ok();
        }
        let tag_at = raw.len().checked_sub(16)?;
        let (rest, tag) = raw.split_at_mut(tag_at);
        let (nonce, body) = rest.split_at_mut(24.min(rest.len()));
        self.aead
            .decrypt_inout_detached(
                &XNonce::try_from(&nonce[..]).ok()?,
                b"",
                body.into(),
                &Tag::try_from(&tag[..]).ok()?,
            )
            .ok()?;
        postcard::from_bytes(body).ok()
    }
}

// ---------------------------------------------------------------------------
// Every approach behind one interface, for the timings and the size table.

struct Peers {
    cookie_key: cookie::Key,
    branca: RefCell<branca::Branca>,
    fernet: fernet::Fernet,
    paseto_key: pasetors::keys::SymmetricKey<pasetors::version4::V4>,
}

impl Peers {
    fn new() -> Peers {
        Peers {
            cookie_key: cookie::Key::from(&[0x33; 64]),
            branca: RefCell::new(branca::Branca::new(&[0x44; 32]).expect("branca key")),
            fernet: fernet::Fernet::new(&URL_SAFE.encode([0x55; 32])).expect("fernet key"),
            paseto_key: pasetors::keys::SymmetricKey::from(&[0x66; 32]).expect("paseto key"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Approach {
    SealSigned,
    SealSignedNever,
    SealSealed,
    SealSealedAuto,
    SealSealedOsNonce,
    SealSignedMap,
    SealSealedMap,
    FloorSigned,
    FloorSealed,
    SignedJar,
    PrivateJar,
    Branca,
    Fernet,
    Pasetors,
}

use Approach::*;

const ALL: [Approach; 14] = [
    SealSigned,
    SealSignedNever,
    SealSealed,
    SealSealedAuto,
    SealSealedOsNonce,
    SealSignedMap,
    SealSealedMap,
    FloorSigned,
    FloorSealed,
    SignedJar,
    PrivateJar,
    Branca,
    Fernet,
    Pasetors,
];

impl Approach {
    /// The benchmark ID (also the directory under target/criterion/<group>/).
    fn id(self) -> &'static str {
        match self {
            SealSigned => "cookie-seal_signed",
            SealSignedNever => "cookie-seal_signed_never",
            SealSealed => "cookie-seal_sealed",
            SealSealedAuto => "cookie-seal_sealed_auto",
            SealSealedOsNonce => "cookie-seal_sealed_os_nonce",
            SealSignedMap => "cookie-seal_signed_map",
            SealSealedMap => "cookie-seal_sealed_map",
            FloorSigned => "floor_signed",
            FloorSealed => "floor_sealed",
            SignedJar => "cookie_SignedJar",
            PrivateJar => "cookie_PrivateJar",
            Branca => "branca",
            Fernet => "fernet",
            Pasetors => "pasetors_v4_local",
        }
    }
}

struct Fixture {
    signed: Codec,
    signed_never: Codec,
    sealed: Codec,
    sealed_auto: Codec,
    /// The sealed default but with `NonceSource::Os`: the nonce's cost.
    sealed_os_nonce: Codec,
    floor: Floor,
    peers: Peers,
}

impl Fixture {
    fn new() -> Fixture {
        let ring = || Keyring::new(1, Key::from_bytes(&[0x77; 32]).expect("key"));
        let max_age = Duration::from_secs(TTL_SECS);
        Fixture {
            signed: Codec::signed(ring()).max_age(max_age),
            signed_never: Codec::signed(ring())
                .max_age(max_age)
                .compression(Compression::Never),
            sealed: Codec::sealed(ring()).max_age(max_age),
            sealed_auto: Codec::sealed(ring())
                .max_age(max_age)
                .compression(Compression::Auto),
            sealed_os_nonce: Codec::sealed(ring())
                .max_age(max_age)
                .nonce_source(NonceSource::Os),
            floor: Floor::new(),
            peers: Peers::new(),
        }
    }

    /// The cookie value for `value` (`None` if the approach refuses it).
    fn encode<T: Serialize + AsSessionMap>(&self, a: Approach, value: &T) -> Option<String> {
        match a {
            SealSigned => self.signed.encode(value).ok(),
            SealSignedNever => self.signed_never.encode(value).ok(),
            SealSealed => self.sealed.encode(value).ok(),
            SealSealedAuto => self.sealed_auto.encode(value).ok(),
            SealSealedOsNonce => self.sealed_os_nonce.encode(value).ok(),
            // The map is built outside the timed loop; see `encode_map`.
            SealSignedMap => self.signed.encode(&value.to_map()).ok(),
            SealSealedMap => self.sealed.encode(&value.to_map()).ok(),
            FloorSigned => Some(self.floor.sign(value)),
            FloorSealed => Some(self.floor.seal(value)),
            SignedJar | PrivateJar => {
                let json = serde_json::to_string(value).ok()?;
                let mut jar = cookie::CookieJar::new();
                let cookie = cookie::Cookie::new(COOKIE_NAME, json);
                if a == SignedJar {
                    jar.signed_mut(&self.peers.cookie_key).add(cookie);
                } else {
                    jar.private_mut(&self.peers.cookie_key).add(cookie);
                }
                jar.get(COOKIE_NAME).map(|c| c.value().to_owned())
            }
            Branca => {
                let json = serde_json::to_vec(value).ok()?;
                self.peers.branca.borrow_mut().encode(&json).ok()
            }
            Fernet => {
                let json = serde_json::to_vec(value).ok()?;
                Some(self.peers.fernet.encrypt(&json))
            }
            Pasetors => {
                let mut claims =
                    pasetors::claims::Claims::new_expires_in(&Duration::from_secs(TTL_SECS))
                        .ok()?;
                claims
                    .add_additional("session", serde_json::to_value(value).ok()?)
                    .ok()?;
                pasetors::local::encrypt(&self.peers.paseto_key, &claims, None, None).ok()
            }
        }
    }

    /// Reads `token` back into the typed session (the map forms into a `Session`).
    fn decode<T: DeserializeOwned>(&self, a: Approach, token: &str) -> Option<T> {
        match a {
            SealSigned => self.signed.decode(token).ok().map(|d| d.value),
            SealSignedNever => self.signed_never.decode(token).ok().map(|d| d.value),
            SealSealed => self.sealed.decode(token).ok().map(|d| d.value),
            SealSealedAuto => self.sealed_auto.decode(token).ok().map(|d| d.value),
            SealSealedOsNonce => self.sealed_os_nonce.decode(token).ok().map(|d| d.value),
            SealSignedMap | SealSealedMap => None, // see `decode_map`
            FloorSigned => self.floor.verify(token),
            FloorSealed => self.floor.open(token),
            SignedJar | PrivateJar => {
                let mut jar = cookie::CookieJar::new();
                jar.add_original(cookie::Cookie::new(COOKIE_NAME, token.to_owned()));
                let cookie = if a == SignedJar {
                    jar.signed(&self.peers.cookie_key).get(COOKIE_NAME)
                } else {
                    jar.private(&self.peers.cookie_key).get(COOKIE_NAME)
                }?;
                serde_json::from_str(cookie.value()).ok()
            }
            Branca => {
                let json = self
                    .peers
                    .branca
                    .borrow()
                    .decode(token, TTL_SECS as u32)
                    .ok()?;
                serde_json::from_slice(&json).ok()
            }
            Fernet => {
                let json = self.peers.fernet.decrypt_with_ttl(token, TTL_SECS).ok()?;
                serde_json::from_slice(&json).ok()
            }
            Pasetors => {
                let untrusted = pasetors::token::UntrustedToken::<
                    pasetors::Local,
                    pasetors::version4::V4,
                >::try_from(token)
                .ok()?;
                let rules = pasetors::claims::ClaimsValidationRules::new();
                let trusted = pasetors::local::decrypt(
                    &self.peers.paseto_key,
                    &untrusted,
                    &rules,
                    None,
                    None,
                )
                .ok()?;
                let session = trusted.payload_claims()?.get_claim("session")?;
                serde_json::from_value(session.clone()).ok()
            }
        }
    }

    fn map_codec(&self, a: Approach) -> &Codec {
        if a == SealSealedMap {
            &self.sealed
        } else {
            &self.signed
        }
    }
}

// ---------------------------------------------------------------------------
// Token sizes and the largest session that fits one cookie.

fn fits(token: &str) -> bool {
    COOKIE_NAME.len() + token.len() <= COOKIE_LIMIT
}

/// Bytes a token takes once the characters that RFC 6265 does not allow in a
/// cookie value (quote, comma, backslash, semicolon, whitespace) are
/// percent-encoded; only `SignedJar`, which appends the raw JSON, has any.
fn cookie_safe_len(token: &str) -> usize {
    token
        .bytes()
        .map(|b| match b {
            b'"' | b',' | b'\\' | b';' | b' ' | 0..=0x20 | 0x7F.. => 3,
            _ => 1,
        })
        .sum()
}

/// The largest `n` such that the large shape with `n` items fits (binary
/// search: the token length grows with `n`).
fn max_fit(fx: &Fixture, file: &SessionsFile, a: Approach) -> usize {
    let ok = |n: usize| {
        fx.encode(a, &file.large_with(n))
            .is_some_and(|t| fits(&t) && (a != SignedJar || fits_cookie_safe(&t)))
    };
    let (mut lo, mut hi) = (0, file.item_pool.len());
    if !ok(lo) {
        return 0;
    }
    if ok(hi) {
        return hi;
    }
    // Invariant: ok(lo), !ok(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn fits_cookie_safe(token: &str) -> bool {
    COOKIE_NAME.len() + cookie_safe_len(token) <= COOKIE_LIMIT
}

fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_string(value).map_or(0, |s| s.len())
}

fn size_report(fx: &Fixture, file: &SessionsFile) {
    let large = file.large_with(file.large_items);
    println!("token bytes (cookie value), and the largest `large`-shape session in one cookie:");
    println!(
        "{:<26} {:>6} {:>6} {:>6}   {:>6} {:>9}",
        "approach", "small", "medium", "large", "items", "json_fit"
    );
    let mut approaches = Vec::new();
    for a in ALL {
        let tokens = [
            fx.encode(a, &file.small).unwrap_or_default(),
            fx.encode(a, &file.medium).unwrap_or_default(),
            fx.encode(a, &large).unwrap_or_default(),
        ];
        let n = max_fit(fx, file, a);
        let fit_json = json_len(&file.large_with(n));
        println!(
            "{:<26} {:>6} {:>6} {:>6}   {:>6} {:>9}",
            a.id(),
            tokens[0].len(),
            tokens[1].len(),
            tokens[2].len(),
            n,
            fit_json
        );
        approaches.push(serde_json::json!({
            "id": a.id(),
            "small": tokens[0].len(),
            "medium": tokens[1].len(),
            "large": tokens[2].len(),
            "small_cookie_safe": cookie_safe_len(&tokens[0]),
            "medium_cookie_safe": cookie_safe_len(&tokens[1]),
            "large_cookie_safe": cookie_safe_len(&tokens[2]),
            "max_items": n,
            "max_json": fit_json,
        }));
    }
    let report = serde_json::json!({
        "sessions": {
            "small": json_len(&file.small),
            "medium": json_len(&file.medium),
            "large": json_len(&large),
        },
        "approaches": approaches,
    });
    // The workspace's target directory, where criterion writes too.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::write(
            dir.join("token_sizes.json"),
            serde_json::to_string_pretty(&report).unwrap_or_default(),
        )
    });
    if let Err(e) = written {
        eprintln!("could not write target/criterion/token_sizes.json: {e}");
    }
}

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
                    .decode::<Session>(&token)
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
                    b.iter(|| codec.decode::<Session>(black_box(&token)))
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
