//! **Unstable, not public API.** Crate-private stages exposed for the fuzz
//! targets in `fuzz/`, only when built by `cargo fuzz` (`--cfg fuzzing`). Anything here
//! may change or vanish in any release; do not depend on it.
//!
//! Only what the public API cannot feed arbitrary bytes is exposed: the
//! bounded inflater (it only runs after the tag check) and a store record as
//! the layers read it (it comes from the store, behind an authenticated
//! cookie). Every other decoder is fuzzed through the public
//! [`Codec`](crate::Codec) API.

pub use crate::consts::MAX_PAYLOAD_LEN;

/// Inflates a complete raw deflate stream of at most `cap` output bytes;
/// `None` if it is corrupt, truncated, followed by extra bytes, or would
/// inflate past `cap`. See `compress::inflate_bounded`.
pub fn inflate_bounded(bytes: &[u8], cap: usize) -> Option<Vec<u8>> {
    crate::compress::inflate_bounded(bytes, cap)
}

/// A store record as the store layers read it (`web_session::store`): the
/// metadata blob (version byte, then postcard), then the values into a
/// session. `None` where the layer answers `Error::RecordUnreadable`. A blob
/// that parses writes back to the same fields.
#[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
pub fn store_record(meta: &[u8], values: Vec<(String, Vec<u8>)>) -> Option<crate::SessionMap> {
    use crate::store::meta::Meta;
    let meta = Meta::from_bytes(meta).ok()?;
    assert_eq!(
        Meta::from_bytes(&meta.to_bytes()).ok().as_ref(),
        Some(&meta)
    );
    let id = crate::SessionId::generate().ok()?;
    let mut session = crate::SessionMap::from_entries(id, values);
    session.set_envelope(meta.expiry(), meta.generation);
    Some(session)
}
