//! Arbitrary bytes into the bounded inflater (`compress::inflate_bounded`,
//! exposed by the `fuzzing` feature): never panics, never returns or reserves
//! more than its cap, and agrees exactly with a one-shot reference inflate of
//! the same stream into a buffer of cap + 1 bytes (same verdict, same bytes),
//! which checks the inflater's incremental growth, truncation and
//! trailing-byte logic. The output then goes through the session
//! deserializer, as decode would.
//!
//! The first byte picks the cap: odd bytes pick a small cap (0 to 4699, to
//! reach the boundary with short inputs), even ones the real cap
//! `MAX_PAYLOAD_LEN`.
#![no_main]

use cookie_seal::__fuzz::{inflate_bounded, MAX_PAYLOAD_LEN};
use cookie_seal::SessionMap;
use flate2::{Decompress, FlushDecompress, Status};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (cap, stream) = match data.split_first() {
        Some((&selector, rest)) if selector & 1 == 1 => (usize::from(selector >> 1) * 37, rest),
        Some((_, rest)) => (MAX_PAYLOAD_LEN, rest),
        None => (MAX_PAYLOAD_LEN, data),
    };
    let out = inflate_bounded(stream, cap);
    assert_eq!(out, one_shot_reference(stream, cap));
    let Some(out) = out else {
        return;
    };
    assert!(out.len() <= cap, "{} bytes out, cap {cap}", out.len());
    assert!(
        out.capacity() <= cap,
        "reserved {}, cap {cap}",
        out.capacity()
    );
    let _ = postcard::from_bytes::<SessionMap>(&out);
});

/// The whole stream inflated in one call into room for `cap + 1` bytes:
/// accepted only if it ends, uses every input byte and fits in `cap`.
fn one_shot_reference(stream: &[u8], cap: usize) -> Option<Vec<u8>> {
    let mut inflater = Decompress::new(false);
    let mut out = Vec::with_capacity(cap + 1);
    let status = inflater.decompress_vec(stream, &mut out, FlushDecompress::None);
    let consumed_all = usize::try_from(inflater.total_in()).ok() == Some(stream.len());
    match status {
        Ok(Status::StreamEnd) if consumed_all && out.len() <= cap => Some(out),
        _ => None,
    }
}
