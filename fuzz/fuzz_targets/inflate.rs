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
    // A session that parses has its values typed as an app would: the CBOR
    // reader and its exactness checks must refuse, never panic.
    if let Ok(session) = postcard::from_bytes::<SessionMap>(&out) {
        for key in session.keys() {
            let _ = session.get::<u64>(key);
            let _ = session.get::<Option<f32>>(key);
            let _ = session.get::<String>(key);
            let _ = session.get::<Vec<(i8, String)>>(key);
            let _ = session.get::<std::collections::BTreeMap<String, Shape>>(key);
            let _ = session.get::<serde::de::IgnoredAny>(key);
        }
    }
});

/// A value of the shapes apps store: struct, enum, nested options.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
enum Shape {
    Unit,
    Newtype(f64),
    Tuple(u8, Vec<u8>),
    Struct { name: String, tags: Option<Vec<char>> },
}

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
