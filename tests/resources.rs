//! Resource bounds: memory for oversized and hostile input, the inflate cap
//! on authentic deflate bombs, and stack use for deeply nested values.
//!
//! Heap use is measured with a counting global allocator (`peak_alloc`):
//! every test in this binary takes `MEASURE` so that no other test allocates
//! while one is measuring.
//!
//! The deflate bombs must be *authentic* (inflate only runs after the tag
//! check) and `encode` refuses payloads over `MAX_PAYLOAD_LEN`, so this file
//! writes them the way a key holder could: with the primitive crates and the
//! published token layout (HKDF-SHA256 subkeys for the purpose "session",
//! header, HMAC-SHA256 or XChaCha20-Poly1305). The forger is first checked to
//! reproduce the codec's own tokens, so a bomb that fails to verify cannot
//! pass for a bomb that was refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use cookie_seal::consts::{MAX_PAYLOAD_LEN, MAX_TOKEN_LEN};
use cookie_seal::{Codec, Compression, Error, Key, Keyring, Mode, SessionMap};
use flate2::write::DeflateEncoder;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use peak_alloc::PeakAlloc;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

mod fixtures;
use fixtures::varint;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;
static MEASURE: Mutex<()> = Mutex::new(());

const MIB: usize = 1024 * 1024;
/// Allowance for allocations by the test harness's own thread (it prints
/// results while another test measures); rejecting garbage itself allocates
/// nothing.
const NOISE: usize = 4096;
const MASTER: [u8; 32] = [0x5E; 32];
const KEY_ID: u32 = 4;
const ISSUED_AT: u64 = 1_700_000_000;

fn measure_lock() -> MutexGuard<'static, ()> {
    MEASURE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` and returns its result with the peak heap growth (bytes above
/// what was allocated when it started) while it ran.
fn peak_heap_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    ALLOCATOR.reset_peak_usage();
    let before = ALLOCATOR.current_usage();
    let result = f();
    (result, ALLOCATOR.peak_usage().saturating_sub(before))
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(ISSUED_AT)
}

fn keyring() -> Keyring {
    Keyring::new(KEY_ID, Key::from_bytes(&MASTER).unwrap())
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

// ---- An independent token writer (what any key holder can do) ---------------

/// The subkey for `label` and the purpose "session" (FORMAT.md section 4).
fn subkey(label: &[u8]) -> [u8; 32] {
    let mut info = Vec::new();
    for part in [label, b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut out = [0; 32];
    Hkdf::<Sha256>::new(None, &MASTER)
        .expand(&info, &mut out)
        .unwrap();
    out
}

/// Flags (compressed or not) and issue time: in a signed header after the
/// key ID, in a sealed token at the start of the plaintext.
fn metadata(flags: u8) -> Vec<u8> {
    let mut out = vec![flags];
    varint(ISSUED_AT, &mut out);
    out
}

/// The readable header; a sealed one has only version, mode and key ID.
fn header(mode: Mode, compressed: bool) -> Vec<u8> {
    let compressed_flag = if compressed { 0b100 } else { 0 };
    match mode {
        Mode::Signed => {
            let meta = metadata(0b01 | compressed_flag);
            let mut out = vec![1, meta[0]];
            varint(u64::from(KEY_ID), &mut out);
            out.extend_from_slice(&meta[1..]);
            out
        }
        Mode::Sealed => {
            let mut out = vec![1, 0b10];
            varint(u64::from(KEY_ID), &mut out);
            out
        }
    }
}

/// An authentic token for `keyring()` carrying `body` as its payload bytes.
fn forge(mode: Mode, compressed: bool, body: &[u8]) -> String {
    let mut raw = header(mode, compressed);
    match mode {
        Mode::Signed => {
            raw.extend_from_slice(body);
            let subkey = subkey(b"cookie-seal/v1 hmac-sha256");
            let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&subkey).unwrap();
            mac.update(&raw);
            raw.extend_from_slice(&mac.finalize().into_bytes());
        }
        Mode::Sealed => {
            let mut plaintext = metadata(if compressed { 0b100 } else { 0 });
            plaintext.extend_from_slice(body);
            let nonce = [0x42; 24];
            let cipher =
                XChaCha20Poly1305::new_from_slice(&subkey(b"cookie-seal/v1 xchacha20poly1305"))
                    .unwrap();
            let sealed = cipher
                .encrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: &plaintext,
                        aad: &raw,
                    },
                )
                .unwrap();
            raw.extend_from_slice(&nonce);
            raw.extend_from_slice(&sealed);
        }
    }
    URL_SAFE_NO_PAD.encode(raw)
}

fn codec(mode: Mode) -> Codec {
    let codec = match mode {
        Mode::Signed => Codec::signed(keyring()),
        Mode::Sealed => Codec::sealed(keyring()),
    };
    // The largest budget, so the biggest bombs fit in one token.
    codec.token_budget(MAX_TOKEN_LEN)
}

#[test]
fn the_forger_writes_tokens_the_codec_accepts() {
    let _lock = measure_lock();
    let value = "x".repeat(500);
    let payload = postcard::to_allocvec(&value).unwrap();
    // Signed tokens are deterministic: the forger must match encode exactly.
    let never = Codec::signed(keyring()).compression(Compression::Never);
    assert_eq!(
        forge(Mode::Signed, false, &payload),
        never.encode_at(&value, now()).unwrap()
    );
    for mode in [Mode::Signed, Mode::Sealed] {
        for (compressed, body) in [(false, payload.clone()), (true, deflate(&payload))] {
            let token = forge(mode, compressed, &body);
            let decoded = codec(mode).decode_at::<String>(&token, now()).unwrap();
            assert_eq!(decoded.value, value);
        }
    }
}

// ---- Oversized and hostile input ---------------------------------------------

#[test]
fn one_mebibyte_of_garbage_is_rejected_without_proportional_allocation() {
    let _lock = measure_lock();
    let garbage_b64 = "A".repeat(MIB);
    let garbage_text: String = (0..MIB)
        .map(|i| char::from(b' ' + u8::try_from(i % 90).unwrap()))
        .collect();
    let wide = Codec::sealed(keyring()).token_budget(MAX_TOKEN_LEN);
    for codec in [codec(Mode::Signed), codec(Mode::Sealed), wide] {
        for garbage in [&garbage_b64, &garbage_text] {
            let (result, peak) = peak_heap_of(|| codec.decode_at::<SessionMap>(garbage, now()));
            assert!(
                matches!(result, Err(Error::TooLarge { len, .. }) if len == MIB),
                "{result:?}"
            );
            eprintln!("1 MiB garbage: peak heap {peak}");
            assert!(peak < NOISE, "{peak} bytes allocated to reject 1 MiB");
        }
    }
    let (result, peak) = peak_heap_of(|| cookie_seal::inspect(&garbage_b64));
    assert!(matches!(result, Err(Error::TooLarge { .. })));
    assert!(peak < NOISE, "inspect allocated {peak} bytes");
    let (result, peak) = peak_heap_of(|| garbage_b64.parse::<Keyring>());
    assert!(matches!(result, Err(Error::TooLarge { .. })));
    assert!(peak < NOISE, "keyring parse allocated {peak} bytes");
}

#[test]
fn garbage_within_the_budget_costs_memory_bounded_by_the_budget() {
    let _lock = measure_lock();
    for mode in [Mode::Signed, Mode::Sealed] {
        let codec = codec(mode);
        // A real header so the tag check runs, then MAX_TOKEN_LEN of noise.
        let mut raw = header(mode, true);
        raw.extend((0..MAX_TOKEN_LEN).map(|i| u8::try_from(i * 131 % 251).unwrap()));
        let mut token = URL_SAFE_NO_PAD.encode(&raw);
        token.truncate(MAX_TOKEN_LEN);
        let (result, peak) = peak_heap_of(|| codec.decode_at::<SessionMap>(&token, now()));
        assert!(
            matches!(result, Err(Error::Invalid | Error::Malformed)),
            "{result:?}"
        );
        eprintln!(
            "{mode:?} {}-char forged token: peak heap {peak}",
            token.len()
        );
        assert!(peak <= 2 * MAX_TOKEN_LEN, "{mode:?}: {peak} bytes");
    }
}

/// Inflate runs only on authentic bytes and stops at `MAX_PAYLOAD_LEN`: a
/// token that would expand to many MiB costs memory bounded by the cap (the
/// output buffer, the inflater's 32 KiB window and the token itself), not by
/// the expanded size.
#[test]
fn authentic_deflate_bomb_is_refused_with_memory_bounded_by_the_cap() {
    let _lock = measure_lock();
    let expanded = 16 * MIB;
    let bomb = deflate(&vec![0u8; expanded]);
    // Just under the cap the same construction decodes (this is no other error).
    let fits = postcard::to_allocvec(&vec![0u8; MAX_PAYLOAD_LEN - 2]).unwrap();
    assert_eq!(fits.len(), MAX_PAYLOAD_LEN);
    for mode in [Mode::Signed, Mode::Sealed] {
        let codec = codec(mode);
        let token = forge(mode, true, &bomb);
        assert!(
            token.len() <= MAX_TOKEN_LEN,
            "bomb token is {}",
            token.len()
        );
        let (result, peak) = peak_heap_of(|| codec.decode_at::<Vec<u8>>(&token, now()));
        assert_eq!(result, Err(Error::Inflate), "{mode:?}");
        eprintln!(
            "{mode:?} bomb of {expanded} bytes in a {}-char token: peak heap {peak}",
            token.len()
        );
        let bound = MAX_PAYLOAD_LEN + 64 * 1024 + 2 * token.len();
        assert!(
            peak <= bound,
            "{mode:?}: peak {peak} bytes over {bound}, for a bomb of {expanded}"
        );

        let token = forge(mode, true, &deflate(&fits));
        let decoded = codec.decode_at::<Vec<u8>>(&token, now()).unwrap();
        assert_eq!(decoded.value.len(), MAX_PAYLOAD_LEN - 2);
        // One byte more inflates past the cap.
        let over = postcard::to_allocvec(&vec![0u8; MAX_PAYLOAD_LEN - 1]).unwrap();
        let token = forge(mode, true, &deflate(&over));
        assert_eq!(
            codec.decode_at::<Vec<u8>>(&token, now()),
            Err(Error::Inflate)
        );
    }
}

// ---- Stack: deeply nested values ------------------------------------------------

/// A recursive type, one payload byte per level (postcard writes `Some` as
/// 1 and `None` as 0). Its `Drop` is iterative, as a careful app's recursive
/// type must be (dropping is the app's code): the test is about what decode
/// does with the depth.
#[derive(Debug, Serialize, Deserialize)]
struct Nested(Option<Box<Nested>>);

impl Drop for Nested {
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(mut node) = next {
            next = node.0.take();
        }
    }
}

fn depth(value: &Nested) -> usize {
    let mut levels = 0;
    let mut next = value.0.as_deref();
    while let Some(node) = next {
        levels += 1;
        next = node.0.as_deref();
    }
    levels
}

const SMALL_STACK: usize = 128 * 1024;

/// The deepest value a token can carry: `MAX_PAYLOAD_LEN` one-byte levels
/// (compressed to a few dozen bytes, so it fits any budget). Decoding it on a
/// 128 KiB thread stack must neither overflow nor fail; without
/// `serde_stacker` in the serialize stage this aborted the process even on a
/// 2 MiB stack.
#[test]
fn deepest_nested_value_decodes_on_a_small_stack() {
    let _lock = measure_lock();
    let mut payload = vec![1u8; MAX_PAYLOAD_LEN - 1];
    payload.push(0);
    for mode in [Mode::Signed, Mode::Sealed] {
        let token = forge(mode, true, &deflate(&payload));
        assert!(token.len() < 200, "{}", token.len());
        let codec = codec(mode);
        let levels = std::thread::Builder::new()
            .stack_size(SMALL_STACK)
            .spawn(move || {
                codec
                    .decode_at::<Nested>(&token, now())
                    .map(|d| depth(&d.value))
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(levels, Ok(MAX_PAYLOAD_LEN - 1), "{mode:?}");
    }
}

/// A deep value followed by one stray byte is refused as `Deserialize` on
/// the same small stack (the partly decoded value is dropped, not returned).
#[test]
fn deep_value_with_trailing_bytes_is_refused_on_a_small_stack() {
    let _lock = measure_lock();
    let mut payload = vec![1u8; MAX_PAYLOAD_LEN - 2];
    payload.extend([0, 0]);
    let token = forge(Mode::Signed, true, &deflate(&payload));
    let codec = Codec::signed(keyring());
    let result = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || codec.decode_at::<Nested>(&token, now()).map(|_| ()))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result, Err(Error::Deserialize));
}

/// The crate's own `SessionMap` is flat: a session of 500 entries (about 13 KB
/// of payload, near the cap) decodes on a small stack.
#[test]
fn large_session_decodes_on_a_small_stack() {
    let _lock = measure_lock();
    let codec = codec(Mode::Signed);
    let mut session = SessionMap::new();
    for i in 0..500u32 {
        session
            // Elements under 24: one byte each in CBOR, so 17 bytes a value.
            .insert(&format!("key{i:04}"), &[i.to_le_bytes()[0] % 24; 16])
            .unwrap();
    }
    let token = codec.encode_at(&session, now()).unwrap();
    let back = std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            codec
                .decode_at::<SessionMap>(&token, now())
                .map(|d| d.value)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(back, Ok(session));
}
