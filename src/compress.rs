//! Stage: raw deflate (RFC 1951), with a hard cap on the inflated size.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

thread_local! {
    /// One compressor per thread, with its level, reused across tokens.
    /// Creating one allocates and zeroes ~260 KB, which the kernel maps
    /// afresh on most calls (page faults): measured at about a fifth of the
    /// cost of compressing a 1.5 KB payload. It is reset after every use, which
    /// also wipes the payload from its dictionary.
    static COMPRESSOR: RefCell<Option<(u32, Compress)>> = const { RefCell::new(None) };
}

/// Deflates `bytes`. Returns `None` when the result would not be strictly
/// shorter than `limit` bytes, so callers keep the smaller form without
/// finishing a hopeless compression.
pub(crate) fn deflate_shorter_than(bytes: &[u8], limit: usize, level: u32) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let compressor = match &mut *slot {
                Some((kept_level, compressor)) if *kept_level == level => compressor,
                other => &mut other.insert((level, new_compressor(level))).1,
            };
            let packed = deflate_with(compressor, bytes, limit);
            compressor.reset();
            packed
        }
        // Unreachable (nothing here re-enters), but never worth a panic.
        Err(_) => deflate_with(&mut new_compressor(level), bytes, limit),
    })
}

fn new_compressor(level: u32) -> Compress {
    Compress::new(Compression::new(level), false)
}

fn deflate_with(compressor: &mut Compress, bytes: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(limit);
    // With capacity `limit`, a stream that does not end within it did not shrink.
    match compressor.compress_vec(bytes, &mut out, FlushCompress::Finish) {
        Ok(Status::StreamEnd) if out.len() < limit => Some(out),
        _ => None,
    }
}

/// Inflates a complete raw deflate stream of at most `cap` output bytes.
/// `None` if the stream is corrupt, truncated, followed by extra bytes, or
/// would inflate past `cap`. Memory use is bounded by `cap`.
pub(crate) fn inflate_bounded(bytes: &[u8], cap: usize) -> Option<Vec<u8>> {
    let mut decompressor = Decompress::new(false);
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).clamp(64, cap.max(1)));
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
    use super::*;

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
        let fresh = deflate_with(&mut new_compressor(6), &text, text.len()).unwrap();
        let noise: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
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
        assert_eq!(deflate_shorter_than(&text, text.len(), 6), Some(fresh));
    }

    #[test]
    fn incompressible_input_gives_none() {
        let noise: Vec<u8> = (0..200u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
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
