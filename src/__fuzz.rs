//! **Unstable, not public API.** Crate-private stages exposed for the fuzz
//! targets in `fuzz/`, only when built by `cargo fuzz` (`--cfg fuzzing`). Anything here
//! may change or vanish in any release; do not depend on it.
//!
//! Only the bounded inflater is exposed: every other decoder is fuzzed
//! through the public [`Codec`](crate::Codec) API, and the inflater cannot be
//! reached from there with unauthenticated input (it only runs after the tag
//! check), so without this hook a fuzzer would never feed it arbitrary bytes.

pub use crate::consts::MAX_PAYLOAD_LEN;

/// Inflates a complete raw deflate stream of at most `cap` output bytes;
/// `None` if it is corrupt, truncated, followed by extra bytes, or would
/// inflate past `cap`. See `compress::inflate_bounded`.
pub fn inflate_bounded(bytes: &[u8], cap: usize) -> Option<Vec<u8>> {
    crate::compress::inflate_bounded(bytes, cap)
}
