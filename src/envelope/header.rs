//! The readable header: `version || flags || key ID`, then the metadata
//! fields for a signed token.

use std::time::SystemTime;

#[cfg(test)]
use super::varint::varint_len;
use super::varint::{read_varint, write_varint};
use super::{
    to_system_time, Metadata, Mode, FORMAT_VERSION, MAX_FIELDS_LEN, MAX_HEADER_LEN, MAX_KEY_ID_LEN,
    MODE_MASK, MODE_SEALED, MODE_SIGNED, SIGNED_FLAGS,
};
use crate::codec::Expiry;
use crate::error::Error;

/// Appends the readable header: for a signed token `version || flags ||
/// key ID || fields`; for a sealed one only `version || flags || key ID`,
/// with the mode alone in the flags byte.
pub(crate) fn write_header(mode: Mode, key_id: u32, metadata: &Metadata, out: &mut Vec<u8>) {
    out.push(FORMAT_VERSION);
    match mode {
        Mode::Signed => {
            out.push(MODE_SIGNED | metadata.flags());
            write_varint(out, u64::from(key_id));
            metadata.write_fields(out);
        }
        Mode::Sealed => {
            out.push(MODE_SEALED);
            write_varint(out, u64::from(key_id));
        }
    }
}

/// The length of [`write_header`]'s output.
#[cfg(test)]
pub(super) fn header_len(mode: Mode, key_id: u32, metadata: &Metadata) -> usize {
    let fixed = 2 + varint_len(u64::from(key_id));
    match mode {
        Mode::Signed => fixed + metadata.fields_len(),
        Mode::Sealed => fixed,
    }
}

/// The most bytes of header and sealed metadata a token of `mode` has.
pub(crate) const fn max_framing_len(mode: Mode) -> usize {
    match mode {
        Mode::Signed => MAX_HEADER_LEN,
        Mode::Sealed => 2 + MAX_KEY_ID_LEN + 1 + MAX_FIELDS_LEN,
    }
}

/// The readable header of a token, as read **before** authentication.
///
/// Nothing in it is trusted: anyone can write any header. It is useful for
/// diagnostics (which key ID, when issued, how large) and is what
/// [`inspect`](crate::inspect) returns; use a [`Codec`](crate::Codec) to
/// verify a token. A sealed token shows only its version, mode and key ID:
/// its times, generation and compression are encrypted, so those getters
/// return `None` for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntrustedHeader {
    pub(crate) mode: Mode,
    pub(crate) key_id: u32,
    /// `Some` for signed tokens only.
    pub(crate) metadata: Option<Metadata>,
}

impl UntrustedHeader {
    /// The format version (always [`FORMAT_VERSION`] for a parsed header).
    #[must_use]
    pub fn version(&self) -> u8 {
        FORMAT_VERSION
    }
    /// Signed or sealed, as claimed by the token.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// The key ID the token claims to be written with.
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    /// Whether the payload is claimed to be deflated; `None` when sealed.
    #[must_use]
    pub fn compressed(&self) -> Option<bool> {
        self.metadata.map(|m| m.compressed)
    }
    /// The claimed issue time; `None` when sealed.
    #[must_use]
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.metadata.map(|m| to_system_time(m.issued_at))
    }
    /// The claimed first-issue time of the session (absolute lifetime
    /// start); `None` when sealed.
    #[must_use]
    pub fn created_at(&self) -> Option<SystemTime> {
        self.metadata.map(|m| to_system_time(m.created_at))
    }
    /// The claimed session generation (0 when not written); `None` when
    /// sealed.
    #[must_use]
    pub fn generation(&self) -> Option<u32> {
        self.metadata.map(|m| m.generation)
    }

    /// The claimed per-session expiry ([`Expiry::Configured`] when the
    /// token has none); `None` when sealed.
    #[must_use]
    pub fn expiry(&self) -> Option<Expiry> {
        self.metadata.map(|m| Expiry::from_field(m.expiry))
    }

    /// Parses a header from the start of `bytes`, returning it and its length.
    ///
    /// # Errors
    /// [`Error::UnsupportedVersion`] for another version byte, otherwise
    /// [`Error::Malformed`] for anything that is not a canonical v1 header.
    pub(crate) fn parse(bytes: &[u8]) -> Result<(UntrustedHeader, usize), Error> {
        let (&version, rest) = bytes.split_first().ok_or(Error::Malformed)?;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let (&flags, mut rest) = rest.split_first().ok_or(Error::Malformed)?;
        let mode = match flags & MODE_MASK {
            MODE_SIGNED if flags & !SIGNED_FLAGS == 0 => Mode::Signed,
            // A sealed header carries the mode and nothing else.
            MODE_SEALED if flags == MODE_SEALED => Mode::Sealed,
            _ => return Err(Error::Malformed),
        };
        let key_id = read_varint(&mut rest, MAX_KEY_ID_LEN)?;
        let key_id = u32::try_from(key_id).map_err(|_| Error::Malformed)?;
        let metadata = match mode {
            Mode::Signed => Some(Metadata::read_fields(flags, &mut rest)?),
            Mode::Sealed => None,
        };
        let header = UntrustedHeader {
            mode,
            key_id,
            metadata,
        };
        Ok((header, bytes.len() - rest.len()))
    }
}
