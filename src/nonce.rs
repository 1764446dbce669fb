//! Stage: the 24-byte nonce of a sealed token.
//!
//! XChaCha20-Poly1305 fails badly if one nonce ever seals two different
//! messages under one key (keystream reuse and Poly1305 forgeries), so the
//! nonce source must stay unique when a process forks, when a VM or
//! container snapshot is restored twice, and across threads and servers
//! that share the key. Two sources ([`NonceSource`]):
//!
//! - **Synthetic** (the default): `HMAC-SHA256(K_nonce, salt ||
//!   leb128(len aad) || aad || plaintext)`, first 24 bytes, where `K_nonce`
//!   is the codec's own HKDF subkey and the salt is a per-thread random seed
//!   (16 bytes from the OS, drawn once per thread), a per-thread counter and
//!   the low 32 bits of the wall clock in nanoseconds (FORMAT.md section 7).
//!   No system call per token; `Codec::encode` lends its own clock reading. The nonce is a
//!   function of the whole message, as in SIV constructions: if the salt is
//!   ever duplicated (a fork copies the thread's seed and counter, a
//!   restored snapshot copies them again), two tokens can share a nonce only
//!   when their associated data and plaintext are identical too, and then
//!   the tokens are identical, which reveals only that they are equal. The
//!   clock makes even that unlikely after a fork. The cost is one HMAC over
//!   the message (~0.55 ns per byte with SHA extensions, ~45 ns per 64-byte
//!   block; BENCHMARKS.md). HMAC-SHA256 is the cheapest keyed PRF measured on
//!   the reference machine at 64 B, 1 KB and 4 KB (keyed `BLAKE3`, `BLAKE2s` and
//!   `BLAKE2b` are slower there: `cargo bench -p cookie-seal-benches --bench
//!   primitives`, group `nonce24`), so the salt and length prefix were made
//!   short instead: 29 bytes before the message rather than 40, which
//!   saves one SHA-256 block for 11 of every 64 message lengths (the
//!   benchmarks' small session among them), and `Codec::encode` lends its
//!   reading of the current time rather than the clock being read twice
//!   (~20 ns in a VM).
//! - **Os**: 24 bytes from the operating system for every token (a system
//!   call, ~0.4 µs in a VM): unique as long as the OS generator is, which on
//!   Linux 5.18+ includes restored VM snapshots (vmgenid reseeding).
//!
//! Userspace RNGs re-seeded on a PID change (libsodium's `randombytes`) were
//! measured too: `getpid` alone costs ~40 % of the OS call here, and a
//! restored VM snapshot keeps the PID, so they repeat nonces for different
//! messages; `rand`'s `ThreadRng` does not detect forks at all.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::seal::NONCE_LEN;
use crate::sign::SignKey;

/// Where a sealed codec gets each token's nonce
/// ([`Codec::nonce_source`](crate::Codec::nonce_source)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NonceSource {
    /// Derived from the whole message with the codec's nonce subkey and a
    /// per-thread random salt: no system call per token, and safe when a
    /// process forks or a VM snapshot is restored (the worst case is that
    /// two identical messages give two identical tokens). The default.
    #[default]
    Synthetic,
    /// 24 fresh bytes from the operating system per token: one system call
    /// per token; as unique as the OS generator.
    Os,
}

/// A thread's salt: random seed and counter.
#[derive(Clone, Copy)]
struct Salt {
    seed: [u8; 16],
    counter: u64,
}

thread_local! {
    static SALT: Cell<Option<Salt>> = const { Cell::new(None) };
    /// A clock reading that replaces the wall clock on this thread, set
    /// only by [`__freeze_nonce_clock`] (tests).
    static FROZEN_CLOCK: Cell<Option<u64>> = const { Cell::new(None) };
}

/// **Testing only, not part of the API:** makes this thread's synthetic
/// nonces read `nanos` instead of the wall clock (`None`: the wall clock
/// again). `tests/fork.rs` freezes the clock across a `fork(2)` to show that
/// what keeps a child's nonces apart from its parent's is the message, not
/// the clock: with the seed, counter and clock all equal, two different
/// messages still get different nonces, and an identical message gets the
/// identical token. Never call it in an application.
#[doc(hidden)]
pub fn __freeze_nonce_clock(nanos: Option<u64>) {
    FROZEN_CLOCK.with(|clock| clock.set(nanos));
}

/// This thread's next salt: the seed drawn from the OS on first use, the
/// counter one higher than last time.
fn next_salt() -> Result<Salt, Error> {
    SALT.with(|cell| {
        let salt = match cell.get() {
            Some(salt) => Salt {
                counter: salt.counter.wrapping_add(1),
                ..salt
            },
            None => {
                let mut seed = [0u8; 16];
                getrandom::fill(&mut seed).map_err(|_| Error::Rng)?;
                Salt { seed, counter: 0 }
            }
        };
        cell.set(Some(salt));
        Ok(salt)
    })
}

/// The longest salt and length prefix: seed, counter, clock, and a LEB128
/// length of at most 10 bytes.
const MAX_PREFIX_LEN: usize = 16 + 8 + 4 + 10;

/// The synthetic nonce for a token with associated data `aad` (context block
/// and header) and `plaintext` (metadata, padding, payload), under the
/// codec's nonce subkey. `clock` is a wall-clock reading the caller has
/// just taken (`Codec::encode`'s current time), so that the clock is not
/// read twice; `None` reads it here.
pub(crate) fn synthetic(
    key: &SignKey,
    clock: Option<SystemTime>,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<[u8; NONCE_LEN], Error> {
    let salt = next_salt()?;
    synthetic_with(key, &salt, clock_nanos(clock), aad, plaintext)
}

fn synthetic_with(
    key: &SignKey,
    salt: &Salt,
    clock: u64,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<[u8; NONCE_LEN], Error> {
    // seed16 || le64(counter) || le32(clock mod 2^32) || leb128(len aad)
    let mut prefix = [0u8; MAX_PREFIX_LEN];
    prefix[..16].copy_from_slice(&salt.seed);
    prefix[16..24].copy_from_slice(&salt.counter.to_le_bytes());
    prefix[24..28].copy_from_slice(&clock.to_le_bytes()[..4]);
    let prefix_len = 28 + write_leb128(&mut prefix[28..], aad.len());
    let tag = key.tag(&[&prefix[..prefix_len], aad, plaintext]);
    tag.get(..NONCE_LEN)
        .and_then(|n| n.try_into().ok())
        .ok_or(Error::Rng)
}

/// Writes `value` as an unsigned LEB128 varint (the encoding of the header
/// fields, FORMAT.md section 2) to the start of `out`, which holds 10 bytes;
/// returns its length.
fn write_leb128(out: &mut [u8], mut value: usize) -> usize {
    let mut len = 0;
    for byte in out.iter_mut() {
        let low = value.to_le_bytes()[0] & 0x7F;
        value >>= 7;
        len += 1;
        if value == 0 {
            *byte = low;
            break;
        }
        *byte = low | 0x80;
    }
    len
}

/// Nanoseconds of the wall clock since the epoch, read now unless `reading`
/// was just taken (only the low 32 bits are used); 0 before 1970.
/// [`__freeze_nonce_clock`] replaces it (tests).
fn clock_nanos(reading: Option<SystemTime>) -> u64 {
    if let Some(frozen) = FROZEN_CLOCK.with(Cell::get) {
        return frozen;
    }
    reading
        .unwrap_or_else(SystemTime::now)
        .duration_since(UNIX_EPOCH)
        // Nanoseconds since the epoch, wrapping: only the bits that change matter.
        .map_or(0, |d| {
            d.as_secs()
                .wrapping_mul(1_000_000_000)
                .wrapping_add(u64::from(d.subsec_nanos()))
        })
}

/// A fresh nonce from the operating system's CSPRNG.
pub(crate) fn os() -> Result<[u8; NONCE_LEN], Error> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| Error::Rng)?;
    Ok(nonce)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn key() -> SignKey {
        SignKey::new(&[7; 32])
    }

    #[test]
    fn the_salt_keeps_its_seed_and_counts_up() {
        let first = next_salt().unwrap();
        let second = next_salt().unwrap();
        assert_eq!(second.seed, first.seed);
        assert_eq!(second.counter, first.counter + 1);
        // The counter alone separates two draws at the same clock reading.
        let same_clock = |salt: &Salt| synthetic_with(&key(), salt, 7, b"h", b"p").unwrap();
        assert_ne!(same_clock(&first), same_clock(&second));
    }

    #[test]
    fn a_thread_never_repeats_a_nonce_for_the_same_message() {
        let nonces: HashSet<_> = (0..10_000)
            .map(|_| synthetic(&key(), None, b"header", b"same plaintext").unwrap())
            .collect();
        assert_eq!(nonces.len(), 10_000);
    }

    #[test]
    fn threads_never_repeat_each_others_nonces() {
        let per_thread: Vec<Vec<[u8; NONCE_LEN]>> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    (0..2_000)
                        .map(|_| synthetic(&key(), None, b"header", b"same plaintext").unwrap())
                        .collect()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        let all: HashSet<_> = per_thread.iter().flatten().collect();
        assert_eq!(all.len(), 8_000);
    }

    /// What a fork or a restored snapshot does to the state: the same salt
    /// and the same clock reading twice. Different messages still get
    /// different nonces; only an identical message gets the same one.
    #[test]
    fn a_duplicated_salt_repeats_a_nonce_only_for_the_identical_message() {
        let salt = Salt {
            seed: [9; 16],
            counter: 41,
        };
        let at = |aad: &[u8], plaintext: &[u8]| {
            synthetic_with(&key(), &salt, 1_700_000_000_000_000_000, aad, plaintext).unwrap()
        };
        let parent = at(b"header", b"alice's session");
        assert_ne!(parent, at(b"header", b"bob's session"));
        assert_ne!(parent, at(b"header2", b"alice's session"));
        // The length prefix keeps the aad/plaintext boundary in the input.
        assert_ne!(at(b"ab", b"c"), at(b"a", b"bc"));
        assert_eq!(parent, at(b"header", b"alice's session"));
        // A salt or clock that moved on gives another nonce.
        let later = Salt {
            counter: 42,
            ..salt
        };
        let next = synthetic_with(
            &key(),
            &later,
            1_700_000_000_000_000_000,
            b"header",
            b"alice's session",
        );
        assert_ne!(Ok(parent), next);
    }

    /// The derivation of FORMAT.md section 7, byte for byte.
    #[test]
    fn the_nonce_is_the_documented_hmac() {
        let salt = Salt {
            seed: [0xAB; 16],
            counter: 0x0102_0304_0506_0708,
        };
        let aad = [0x11; 200];
        let clock = 0x1122_3344_5566_7788;
        let nonce = synthetic_with(&key(), &salt, clock, &aad, b"plaintext").unwrap();
        let mut input = vec![0xAB; 16];
        input.extend_from_slice(&[8, 7, 6, 5, 4, 3, 2, 1]);
        input.extend_from_slice(&[0x88, 0x77, 0x66, 0x55]);
        input.extend_from_slice(&[0xC8, 0x01]); // 200 as LEB128
        input.extend_from_slice(&aad);
        input.extend_from_slice(b"plaintext");
        assert_eq!(nonce[..], key().tag(&[&input])[..NONCE_LEN]);
    }

    #[test]
    fn leb128_lengths() {
        let written = |value: usize| {
            let mut out = [0u8; 10];
            let len = write_leb128(&mut out, value);
            out[..len].to_vec()
        };
        assert_eq!(written(0), [0]);
        assert_eq!(written(127), [0x7F]);
        assert_eq!(written(128), [0x80, 0x01]);
        assert_eq!(written(300), [0xAC, 0x02]);
        assert_eq!(written(usize::MAX).len(), usize::BITS.div_ceil(7) as usize);
    }

    #[test]
    fn os_nonces_differ() {
        assert_ne!(os().unwrap(), os().unwrap());
    }
}
