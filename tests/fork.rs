//! A forked child never repeats its parent's nonces for a different message.
//!
//! `fork(2)` copies the calling thread with all its state, including the
//! per-thread salt (seed and counter) of the synthetic nonce source. What
//! keeps the child's nonces apart from the parent's is then the message
//! (the nonce is an HMAC of the salt, the clock **and the whole message**,
//! `src/nonce.rs`), and, less reliably, the wall clock. So these tests
//! **freeze the clock** on both sides at the same reading
//! (`cookie_seal::__freeze_nonce_clock`, a hidden test hook) and check:
//!
//! - different messages: parent and child seal different sessions at the
//!   same counters, and every nonce of both (and of the tokens before the
//!   fork) is distinct. A nonce that stopped depending on the message would
//!   repeat here;
//! - equal messages: the design's stated worst case (FORMAT.md section 7,
//!   SECURITY.md "Nonces"). Parent and child seal the same sessions; a
//!   nonce repeats, and then the whole token is identical (one message
//!   under one nonce: equality is all it reveals, no keystream reuse);
//! - the wall clock: equal messages almost never repeat a nonce, and one
//!   that does is the identical token (two processes in lockstep can read
//!   the same nanosecond); the OS source: all nonces distinct.
//!
//! Runs without libtest's harness (`harness = false` in Cargo.toml), so the
//! fork happens in a process with a single thread.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Key, Keyring, NonceSource, SessionMap};
use fork::Fork;

const TOKENS: usize = 2_000;
/// The frozen clock reading, in nanoseconds.
const FROZEN: u64 = 1_750_000_000_123_456_789;

/// `n` sealed tokens, the i-th holding `who`'s session number i, all issued
/// at one fixed time.
fn tokens(codec: &Codec, who: &str, n: usize) -> Vec<Vec<u8>> {
    let now = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    (0..n)
        .map(|i| {
            let mut session = SessionMap::new();
            session.insert("user", who).unwrap();
            session.insert("n", &(i as u64)).unwrap();
            URL_SAFE_NO_PAD
                .decode(codec.encode_at(&session, now).unwrap())
                .unwrap()
        })
        .collect()
}

/// The nonce of a raw token with a one-byte key ID (bytes 3..27, FORMAT.md).
fn nonce(token: &[u8]) -> [u8; 24] {
    token[3..27].try_into().unwrap()
}

/// Raw tokens.
type Tokens = Vec<Vec<u8>>;

/// Seals `TOKENS` tokens in a forked child and in the parent, after 10
/// before the fork; the child's sessions belong to `child_user`, the
/// parent's to `"parent"`. Returns (before, parent, child).
fn fork_and_seal(
    source: NonceSource,
    frozen: bool,
    child_user: &'static str,
) -> (Tokens, Tokens, Tokens) {
    let codec =
        Codec::sealed(Keyring::new(1, Key::from_bytes(&[0x42; 32]).unwrap())).nonce_source(source);
    cookie_seal::__freeze_nonce_clock(frozen.then_some(FROZEN));
    // Sealing before the fork sets up this thread's nonce state, which the
    // child then inherits.
    let before = tokens(&codec, "before", 10);
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
                let all = tokens(&codec, child_user, TOKENS);
                let lens: Vec<u8> = all
                    .iter()
                    .flat_map(|t| u32::try_from(t.len()).unwrap().to_le_bytes())
                    .collect();
                std::fs::write(&path, [lens, all.concat()].concat()).is_ok()
            });
            std::process::exit(if matches!(code, Ok(true)) { 0 } else { 1 });
        }
        Fork::Parent(pid) => {
            let parent = tokens(&codec, "parent", TOKENS);
            let status = fork::waitpid(pid).expect("waitpid");
            assert_eq!(status, 0, "the child failed");
            let bytes = std::fs::read(&path).expect("the child's tokens");
            std::fs::remove_file(&path).ok();
            let (lens, mut rest) = bytes.split_at(4 * TOKENS);
            let child: Vec<Vec<u8>> = lens
                .chunks_exact(4)
                .map(|len| {
                    let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
                    let (token, tail) = rest.split_at(len);
                    rest = tail;
                    token.to_vec()
                })
                .collect();
            assert!(rest.is_empty());
            cookie_seal::__freeze_nonce_clock(None);
            (before, parent, child)
        }
    }
}

fn distinct_nonces(tokens: &[&Vec<Vec<u8>>]) -> usize {
    tokens
        .iter()
        .flat_map(|t| t.iter())
        .map(|t| nonce(t))
        .collect::<HashSet<_>>()
        .len()
}

/// With the clock frozen, only the message separates parent from child.
fn frozen_clock_different_messages_never_share_a_nonce() {
    let (before, parent, child) = fork_and_seal(NonceSource::Synthetic, true, "child");
    assert_eq!(
        distinct_nonces(&[&before, &parent, &child]),
        before.len() + 2 * TOKENS,
        "a nonce repeated across the fork for different messages"
    );
}

/// How many tokens repeat an earlier token's nonce; fails if a repeat is
/// not the identical token (two messages under one nonce).
fn identical_repeats(sets: &[&Tokens]) -> usize {
    let mut by_nonce: HashMap<[u8; 24], &Vec<u8>> = HashMap::new();
    let mut repeats = 0;
    for token in sets.iter().flat_map(|set| set.iter()) {
        if let Some(earlier) = by_nonce.insert(nonce(token), token) {
            assert_eq!(earlier, token, "one nonce sealed two different messages");
            repeats += 1;
        }
    }
    repeats
}

/// With the clock frozen and the same messages, the salt is duplicated and
/// the nonces repeat: the documented worst case. Each repeat must come with
/// the identical token, never a second message under the same nonce.
fn frozen_clock_equal_messages_repeat_only_identical_tokens() {
    let (before, parent, child) = fork_and_seal(NonceSource::Synthetic, true, "parent");
    let repeats = identical_repeats(&[&before, &parent, &child]);
    // The duplicated salt does repeat: this is what the design accepts,
    // and what FORMAT.md and SECURITY.md say.
    assert_eq!(
        repeats, TOKENS,
        "each of the child's tokens is the parent's"
    );
}

/// The wall clock separates almost all equal messages, and a repeat it
/// lets through is the identical token; the OS source never repeats.
///
/// Parent and child run the same loop in lockstep on two cores, so now and
/// then both read the same nanosecond at the same counter (seen: 3 of 2,000
/// on a 2-core machine): the clock is the less reliable separator, as the
/// module docs say, and such a repeat is the design's stated worst case.
fn running_clocks_separate_equal_messages_and_the_os_never_repeats() {
    let (before, parent, child) = fork_and_seal(NonceSource::Synthetic, false, "parent");
    let repeats = identical_repeats(&[&before, &parent, &child]);
    assert!(
        repeats < TOKENS / 20,
        "the running clock let {repeats} of {TOKENS} equal messages repeat"
    );
    for frozen in [false, true] {
        // The OS source does not read the clock: frozen, it still never repeats.
        let (before, parent, child) = fork_and_seal(NonceSource::Os, frozen, "parent");
        assert_eq!(
            distinct_nonces(&[&before, &parent, &child]),
            before.len() + 2 * TOKENS,
            "the OS source repeated a nonce across the fork (clock frozen: {frozen})"
        );
    }
}

fn main() {
    let tests: [(&str, fn()); 3] = [
        (
            "frozen_clock_different_messages_never_share_a_nonce",
            frozen_clock_different_messages_never_share_a_nonce,
        ),
        (
            "frozen_clock_equal_messages_repeat_only_identical_tokens",
            frozen_clock_equal_messages_repeat_only_identical_tokens,
        ),
        (
            "running_clocks_separate_equal_messages_and_the_os_never_repeats",
            running_clocks_separate_equal_messages_and_the_os_never_repeats,
        ),
    ];
    for (name, test) in tests {
        test();
        println!("test {name} ... ok");
    }
}
