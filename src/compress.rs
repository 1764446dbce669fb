//! Stage: raw deflate (RFC 1951), with a hard cap on the inflated size.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

thread_local! {
    /// One compressor per thread, with its (level, zlib wrapper), reused
    /// across tokens. Creating one allocates and zeroes ~260 KB, which the
    /// kernel maps afresh on most calls (page faults): measured at about a
    /// fifth of the cost of compressing a 1.5 KB payload. It is reset after
    /// every finished stream, shorter than the limit or not (an
    /// incompressible session must not cost a new compressor per token), so
    /// no state carries from one token to the next. It is dropped after a
    /// stream that did not finish: zlib-rs 0.6 panics ("buf.len() must fit
    /// in remaining()") on a later stream of a compressor reset mid-stream
    /// (see the regression tests below).
    static COMPRESSOR: RefCell<Option<((u32, bool), Compress)>> = const { RefCell::new(None) };
}

/// Deflates `bytes`. Returns `None` when the result would not be strictly
/// shorter than `limit` bytes, so callers keep the smaller form without
/// finishing a hopeless compression.
pub(crate) fn deflate_shorter_than(bytes: &[u8], limit: usize, level: u32) -> Option<Vec<u8>> {
    compress_shorter_than(false, bytes, limit, level)
}

/// Like [`deflate_shorter_than`], in the zlib format (RFC 1950: header and
/// Adler-32 trailer), as Python's `zlib.compress` writes it.
#[cfg(feature = "flask")]
pub(crate) fn zlib_shorter_than(bytes: &[u8], limit: usize, level: u32) -> Option<Vec<u8>> {
    compress_shorter_than(true, bytes, limit, level)
}

fn compress_shorter_than(zlib: bool, bytes: &[u8], limit: usize, level: u32) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let compressor = match &mut *slot {
                Some((kept, compressor)) if *kept == (level, zlib) => compressor,
                other => &mut other.insert(((level, zlib), new_compressor(level, zlib))).1,
            };
            match compress_with(compressor, bytes) {
                Some(packed) => {
                    compressor.reset();
                    (packed.len() < limit).then_some(packed)
                }
                None => {
                    *slot = None;
                    None
                }
            }
        }
        // Unreachable (nothing here re-enters), but never worth a panic.
        Err(_) => compress_with(&mut new_compressor(level, zlib), bytes)
            .filter(|packed| packed.len() < limit),
    })
}

fn new_compressor(level: u32, zlib: bool) -> Compress {
    Compress::new(Compression::new(level), zlib)
}

/// The whole stream of `bytes`, or `None` if it did not finish.
fn compress_with(compressor: &mut Compress, bytes: &[u8]) -> Option<Vec<u8>> {
    // Room for the whole stream, however incompressible: zlib-rs 0.6.8's
    // fast level (deflate_quick) panics ("buf.len() must fit in
    // remaining()") when its output buffer runs out mid-block on a reused
    // compressor, which a buffer of `limit` bytes allowed (regression test
    // `a_reused_compressor_with_little_room_does_not_panic`).
    let mut out = Vec::with_capacity(deflate_bound(bytes.len()));
    match compressor.compress_vec(bytes, &mut out, FlushCompress::Finish) {
        Ok(Status::StreamEnd) => Some(out),
        _ => None,
    }
}

/// An upper bound on the deflate (or zlib) stream of `len` input bytes at
/// any level: zlib-ng's `deflateBound` for its quick strategy (9-bit
/// literals, so len / 8 more) plus block, wrapper and flush overhead.
fn deflate_bound(len: usize) -> usize {
    len.saturating_add(len / 8).saturating_add(64)
}

/// Inflates a complete raw deflate stream of at most `cap` output bytes.
/// `None` if the stream is corrupt, truncated, followed by extra bytes, or
/// would inflate past `cap`. Memory use is bounded by `cap`.
pub(crate) fn inflate_bounded(bytes: &[u8], cap: usize) -> Option<Vec<u8>> {
    inflate_stream_bounded(Decompress::new(false), bytes, cap)
}

/// Like [`inflate_bounded`], for a zlib stream (RFC 1950); the Adler-32
/// trailer is checked.
#[cfg(feature = "flask")]
pub(crate) fn inflate_zlib_bounded(bytes: &[u8], cap: usize) -> Option<Vec<u8>> {
    inflate_stream_bounded(Decompress::new(true), bytes, cap)
}

fn inflate_stream_bounded(
    mut decompressor: Decompress,
    bytes: &[u8],
    cap: usize,
) -> Option<Vec<u8>> {
    // At least 64 bytes to start with, but never more than the cap (`clamp`
    // would panic for caps under 64).
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).max(64).min(cap));
    loop {
        let (in_before, out_before) = (decompressor.total_in(), out.len());
        let input = bytes.get(usize::try_from(in_before).ok()?..)?;
        let status = decompressor
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .ok()?;
        if status == Status::StreamEnd {
            let consumed = usize::try_from(decompressor.total_in()).ok()?;
            // Bytes after the final block would give one payload two spellings.
            return (consumed == bytes.len()).then_some(out);
        }
        if out.len() == out.capacity() {
            // Output buffer full: grow it, but never past the cap.
            if out.len() >= cap {
                return None;
            }
            let grown = out.capacity().saturating_mul(2).min(cap);
            out.reserve_exact(grown - out.len());
        } else if decompressor.total_in() == in_before && out.len() == out_before {
            // Room to write, yet no progress: the stream is truncated.
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    /// zlib-rs's fast level panicked on a reused compressor whose output
    /// buffer was only `limit` bytes: found with the benches' small session
    /// (CBOR values, a 128-byte payload) on the first few hundred encodes.
    #[test]
    fn a_reused_compressor_with_little_room_does_not_panic() {
        let mut session = crate::SessionMap::new();
        session.insert("user_id", &4_829_137u64).unwrap();
        session
            .insert("name", "Ada King, Countess of Lovelace")
            .unwrap();
        session
            .insert("csrf_token", "1469208d68679c285c26ea10cdc85a5b")
            .unwrap();
        session.insert("role", "editor").unwrap();
        session.insert("login_at", &1_717_407_062u64).unwrap();
        let payload = crate::serialize::to_bytes(&session).unwrap();
        for _ in 0..2000 {
            assert_eq!(deflate_shorter_than(&payload, payload.len(), 1), None);
        }
        let text = b"cookie ".repeat(40);
        for limit in 0..text.len() {
            let packed = deflate_shorter_than(&text, limit, 1);
            assert!(packed.is_none_or(|p| p.len() < limit));
        }
    }

    use super::*;

    /// `len` incompressible bytes (xorshift64 from `seed`).
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed.to_le_bytes()[0]
            })
            .collect()
    }

    /// zlib-rs 0.6.8 panicked in the 6th round here when the thread's
    /// compressor was reset and reused after streams stopped at the limit
    /// (incompressible sessions near the budget, encoded one after another).
    #[test]
    fn incompressible_payloads_one_after_another_never_panic() {
        let noise = noise(3100, 0x9E37_79B9_7F4A_7C15);
        for _ in 0..20 {
            for len in [3017, 3000, 2500, 3017] {
                assert_eq!(deflate_shorter_than(&noise[..len], len, 1), None);
            }
        }
        let text = b"hello hello hello hello".repeat(10);
        assert!(deflate_shorter_than(&text, text.len(), 1).is_some());
    }

    #[test]
    fn round_trip_when_compressible() {
        let text = b"hello hello hello hello hello hello hello hello".repeat(10);
        let packed = deflate_shorter_than(&text, text.len(), 6).unwrap();
        assert!(packed.len() < text.len());
        assert_eq!(inflate_bounded(&packed, 10_000).unwrap(), text);
    }

    #[test]
    fn reused_compressor_gives_the_same_bytes_as_a_fresh_one() {
        let text = b"the same session, the same bytes, every time ".repeat(8);
        let fresh = compress_with(&mut new_compressor(6, false), &text).unwrap();
        let noise = noise(300, 0x9E37_79B9_7F4A_7C15);
        for _ in 0..3 {
            assert_eq!(
                deflate_shorter_than(&text, text.len(), 6).as_ref(),
                Some(&fresh)
            );
            // A hopeless attempt in between leaves no state behind.
            assert_eq!(deflate_shorter_than(&noise, noise.len(), 6), None);
        }
        // Another level replaces the kept compressor and still round-trips.
        let level1 = deflate_shorter_than(&text, text.len(), 1).unwrap();
        assert_eq!(inflate_bounded(&level1, 10_000).unwrap(), text);
        let fresh1 = compress_with(&mut new_compressor(1, false), &text).unwrap();
        assert_ne!(fresh1, fresh, "the two levels must differ for this test");
        assert_eq!(
            level1, fresh1,
            "level 1 must not reuse the level-6 compressor"
        );
        assert_eq!(deflate_shorter_than(&text, text.len(), 6), Some(fresh));
        // Same level, other wrapper: a zlib call must not reuse the raw compressor.
        #[cfg(feature = "flask")]
        assert_eq!(
            zlib_shorter_than(&text, text.len(), 6).unwrap()[..2],
            [0x78, 0x9c]
        );
    }

    /// An incompressible session (a random CSRF token is enough) must not
    /// cost a fresh 260 KB compressor on every token.
    #[test]
    fn a_hopeless_attempt_keeps_the_threads_compressor() {
        let noise = noise(200, 0x2545_F491_4F6C_DD1D);
        assert_eq!(deflate_shorter_than(&noise, noise.len(), 1), None);
        let kept = COMPRESSOR.with(|slot| slot.borrow().as_ref().map(|(kept, _)| *kept));
        assert_eq!(kept, Some((1, false)));
        let text = b"compressible compressible compressible ".repeat(8);
        let packed = deflate_shorter_than(&text, text.len(), 1).unwrap();
        assert_eq!(inflate_bounded(&packed, 10_000).unwrap(), text);
    }

    #[test]
    fn output_exactly_at_the_limit_is_not_shorter() {
        let text = b"abcabcabc abcabcabc abcabcabc ".repeat(6);
        let packed = deflate_shorter_than(&text, text.len(), 6).unwrap();
        assert_eq!(deflate_shorter_than(&text, packed.len(), 6), None);
        assert_eq!(
            deflate_shorter_than(&text, packed.len() + 1, 6),
            Some(packed)
        );
    }

    #[test]
    fn incompressible_input_gives_none() {
        let noise: Vec<u8> = (0..200u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
            .collect();
        assert_eq!(deflate_shorter_than(&noise, noise.len(), 6), None);
    }

    #[test]
    fn inflate_respects_the_cap_exactly() {
        let zeros = vec![0u8; 5000];
        let packed = deflate_shorter_than(&zeros, zeros.len(), 6).unwrap();
        assert_eq!(inflate_bounded(&packed, 5000).map(|v| v.len()), Some(5000));
        assert_eq!(inflate_bounded(&packed, 4999), None);
    }

    #[cfg(feature = "flask")]
    #[test]
    fn zlib_round_trip_cap_and_corruption() {
        let text = b"flask session flask session flask session".repeat(20);
        let packed = zlib_shorter_than(&text, text.len(), 6).unwrap();
        // zlib header for the default window and level 6, as Python writes.
        assert_eq!(packed[..2], [0x78, 0x9c]);
        assert_eq!(inflate_zlib_bounded(&packed, text.len()).unwrap(), text);
        assert_eq!(inflate_zlib_bounded(&packed, text.len() - 1), None);
        // A raw deflate stream is not a zlib stream and the other way round.
        assert_eq!(inflate_bounded(&packed, 10_000), None);
        let mut bad_checksum = packed.clone();
        *bad_checksum.last_mut().unwrap() ^= 1;
        assert_eq!(inflate_zlib_bounded(&bad_checksum, 10_000), None);
        assert_eq!(
            inflate_zlib_bounded(&packed[..packed.len() - 1], 10_000),
            None
        );
    }

    #[test]
    fn caps_below_the_initial_buffer_size_are_respected_without_panic() {
        // A cap under 64 made `clamp(64, cap)` panic (seen while writing the
        // `inflate` fuzz target, which tries small caps).
        let packed = deflate_shorter_than(&[7u8; 100], 100, 6).unwrap();
        for cap in 0..100 {
            assert_eq!(inflate_bounded(&packed, cap), None, "cap {cap}");
        }
        assert_eq!(inflate_bounded(&packed, 100).map(|v| v.len()), Some(100));
        // The empty final block inflates to nothing, which fits even cap 0.
        assert_eq!(inflate_bounded(&[0x03, 0x00], 0), Some(Vec::new()));
    }

    #[test]
    fn corrupt_truncated_or_extended_streams_are_refused() {
        let text = b"abcabcabcabcabcabcabcabcabcabcabcabc".repeat(4);
        let packed = deflate_shorter_than(&text, text.len(), 6).unwrap();
        assert_eq!(inflate_bounded(&packed[..packed.len() - 1], 10_000), None);
        let mut extended = packed.clone();
        extended.push(0);
        assert_eq!(inflate_bounded(&extended, 10_000), None);
        assert_eq!(inflate_bounded(&[0xFF, 0xFF, 0xFF], 10_000), None);
        assert_eq!(inflate_bounded(&[], 10_000), None);
    }
}
