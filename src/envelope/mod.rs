//! Stage: the token header (format version, mode, flags, key ID, times) and
//! the context block that binds a per-call context into the MAC/AAD.
//!
//! The byte layout is specified in `FORMAT.md`; change nothing here without
//! bumping [`FORMAT_VERSION`].
//!
//! - `header`: the readable header every token starts with;
//! - `metadata`: the metadata fields (in a signed header, or sealed ahead
//!   of the payload) and the padding field;
//! - `context`: the context block authenticated ahead of the header;
//! - `time`: Unix seconds to and from `SystemTime`;
//! - `varint`: the canonical LEB128 codec the fields use.

mod context;
mod header;
mod metadata;
mod time;
mod varint;

#[cfg(test)]
mod tests;

pub(crate) use context::{
    context_block_len, length_prefix, write_context_block, write_context_block_to,
};
pub use header::UntrustedHeader;
pub(crate) use header::{max_framing_len, write_header};
pub(crate) use metadata::Metadata;
pub(crate) use time::{to_system_time, unix_seconds};

/// The token format this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// The longest metadata fields: issued-at, created-delta, generation and
/// expiry varints.
const MAX_FIELDS_LEN: usize = 10 + 10 + 5 + 10;
/// The longest key ID varint (a `u32`).
pub(crate) const MAX_KEY_ID_LEN: usize = 5;
/// The longest signed header: version, flags, key ID and the fields.
pub(crate) const MAX_HEADER_LEN: usize = 2 + 5 + MAX_FIELDS_LEN;

const MODE_MASK: u8 = 0b0000_0011;
const MODE_SIGNED: u8 = 0b01;
const MODE_SEALED: u8 = 0b10;
pub(crate) const FLAG_COMPRESSED: u8 = 0b0000_0100;
const FLAG_CREATED: u8 = 0b0000_1000;
const FLAG_GENERATION: u8 = 0b0001_0000;
/// An expiry field follows the generation: the session's own lifetime.
const FLAG_EXPIRY: u8 = 0b0100_0000;
/// Sealed plaintext only: a padding field follows the metadata fields.
pub(crate) const FLAG_PADDED: u8 = 0b0010_0000;
/// Bits a signed header's flags byte may have set.
const SIGNED_FLAGS: u8 = MODE_MASK | FLAG_COMPRESSED | FLAG_CREATED | FLAG_GENERATION | FLAG_EXPIRY;
/// Bits the flags byte inside a sealed token's plaintext may have set.
const SEALED_INNER_FLAGS: u8 =
    FLAG_COMPRESSED | FLAG_CREATED | FLAG_GENERATION | FLAG_EXPIRY | FLAG_PADDED;

/// How a token protects its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// HMAC-SHA256: anyone can read the payload, nobody can change it.
    Signed,
    /// XChaCha20-Poly1305: nobody without the key can read or change it.
    Sealed,
}
