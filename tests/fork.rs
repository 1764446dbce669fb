//! A forked child never repeats its parent's nonces.
//!
//! `fork(2)` copies the calling thread with all its state, including the
//! per-thread salt of the synthetic nonce source. Parent and child then seal
//! the **same** values at the same encode time after the fork, and every
//! nonce of both (and of the tokens before the fork) must be distinct.
//!
//! Runs without libtest's harness (`harness = false` in Cargo.toml), so the
//! fork happens in a process with a single thread.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Key, Keyring, NonceSource, SessionMap};
use fork::Fork;

const NONCES: usize = 2_000;

/// The nonces of `n` sealed tokens of one and the same session, issued at one
/// fixed time (bytes 3..27 of a token with a one-byte key ID: FORMAT.md).
fn nonces(codec: &Codec, n: usize) -> Vec<[u8; 24]> {
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    (0..n)
        .map(|_| {
            let raw = URL_SAFE_NO_PAD
                .decode(codec.encode_at(&session, now).unwrap())
                .unwrap();
            raw[3..27].try_into().unwrap()
        })
        .collect()
}

fn check(source: NonceSource) {
    let codec =
        Codec::sealed(Keyring::new(1, Key::from_bytes(&[0x42; 32]).unwrap())).nonce_source(source);
    // Sealing before the fork sets up this thread's nonce state, which the
    // child then inherits.
    let before = nonces(&codec, 10);
    let path = std::env::temp_dir().join(format!(
        "cookie-seal-fork-{}-{:?}-{}",
        std::process::id(),
        source,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    match fork::fork().expect("fork") {
        Fork::Child => {
            let code = std::panic::catch_unwind(|| {
                let bytes: Vec<u8> = nonces(&codec, NONCES).concat();
                std::fs::write(&path, bytes).is_ok()
            });
            std::process::exit(if matches!(code, Ok(true)) { 0 } else { 1 });
        }
        Fork::Parent(pid) => {
            let parent = nonces(&codec, NONCES);
            let status = fork::waitpid(pid).expect("waitpid");
            assert_eq!(status, 0, "the child failed");
            let child_bytes = std::fs::read(&path).expect("the child's nonces");
            std::fs::remove_file(&path).ok();
            let child: Vec<[u8; 24]> = child_bytes
                .chunks_exact(24)
                .map(|c| c.try_into().unwrap())
                .collect();
            assert_eq!(child.len(), NONCES);
            let all: HashSet<_> = before.iter().chain(&parent).chain(&child).collect();
            assert_eq!(
                all.len(),
                before.len() + 2 * NONCES,
                "{source:?}: a nonce repeated across the fork"
            );
        }
    }
}

fn main() {
    for source in [NonceSource::Synthetic, NonceSource::Os] {
        check(source);
        println!("test a_forked_child_never_repeats_its_parents_nonces ({source:?}) ... ok");
    }
}
