//! Stage: the token header (format version, mode, flags, key ID, times) and
//! the context block that binds a per-call context into the MAC/AAD.
//!
//! The byte layout is specified in `FORMAT.md`; change nothing here without
//! bumping [`FORMAT_VERSION`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// The token format this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// The longest possible header: version, flags, and four maximal varints.
pub(crate) const MAX_HEADER_LEN: usize = 2 + 5 + 10 + 10 + 5;

const MODE_MASK: u8 = 0b0000_0011;
const MODE_SIGNED: u8 = 0b01;
const MODE_SEALED: u8 = 0b10;
const FLAG_COMPRESSED: u8 = 0b0000_0100;
const FLAG_CREATED: u8 = 0b0000_1000;
const FLAG_GENERATION: u8 = 0b0001_0000;
const RESERVED_MASK: u8 = 0b1110_0000;

/// How a token protects its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// HMAC-SHA256: anyone can read the payload, nobody can change it.
    Signed,
    /// XChaCha20-Poly1305: nobody without the key can read or change it.
    Sealed,
}

/// The header of a token as read **before** authentication.
///
/// Nothing in it is trusted: anyone can write any header. It is useful for
/// diagnostics (which key ID, when issued, how large) and is what
/// [`inspect`](crate::inspect) returns; use a [`Codec`](crate::Codec) to
/// verify a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UntrustedHeader {
    pub(crate) mode: Mode,
    pub(crate) compressed: bool,
    pub(crate) key_id: u32,
    pub(crate) issued_at: u64,
    /// Seconds since the Unix epoch of the session's first issue; equal to
    /// `issued_at` when not written.
    pub(crate) created_at: u64,
    pub(crate) generation: u32,
}

impl UntrustedHeader {
    /// The format version (always [`FORMAT_VERSION`] for a parsed header).
    pub fn version(&self) -> u8 {
        FORMAT_VERSION
    }
    /// Signed or sealed, as claimed by the token.
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// Whether the payload is claimed to be deflated.
    pub fn compressed(&self) -> bool {
        self.compressed
    }
    /// The key ID the token claims to be written with.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    /// The claimed issue time.
    pub fn issued_at(&self) -> SystemTime {
        to_system_time(self.issued_at)
    }
    /// The claimed first-issue time of the session (absolute lifetime start).
    pub fn created_at(&self) -> SystemTime {
        to_system_time(self.created_at)
    }
    /// The claimed session generation (0 when not written).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Appends the encoded header to `out`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let created_delta = self.issued_at - self.created_at.min(self.issued_at);
        let mut flags = match self.mode {
            Mode::Signed => MODE_SIGNED,
            Mode::Sealed => MODE_SEALED,
        };
        if self.compressed {
            flags |= FLAG_COMPRESSED;
        }
        if created_delta != 0 {
            flags |= FLAG_CREATED;
        }
        if self.generation != 0 {
            flags |= FLAG_GENERATION;
        }
        out.push(FORMAT_VERSION);
        out.push(flags);
        write_varint(out, u64::from(self.key_id));
        write_varint(out, self.issued_at);
        if created_delta != 0 {
            write_varint(out, created_delta);
        }
        if self.generation != 0 {
            write_varint(out, u64::from(self.generation));
        }
    }

    /// The encoded length of this header.
    pub(crate) fn len(&self) -> usize {
        let created_delta = self.issued_at - self.created_at.min(self.issued_at);
        2 + varint_len(u64::from(self.key_id))
            + varint_len(self.issued_at)
            + if created_delta != 0 {
                varint_len(created_delta)
            } else {
                0
            }
            + if self.generation != 0 {
                varint_len(u64::from(self.generation))
            } else {
                0
            }
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
        if flags & RESERVED_MASK != 0 {
            return Err(Error::Malformed);
        }
        let mode = match flags & MODE_MASK {
            MODE_SIGNED => Mode::Signed,
            MODE_SEALED => Mode::Sealed,
            _ => return Err(Error::Malformed),
        };
        let key_id = read_varint(&mut rest, 5)?;
        let key_id = u32::try_from(key_id).map_err(|_| Error::Malformed)?;
        let issued_at = read_varint(&mut rest, 10)?;
        let mut created_at = issued_at;
        if flags & FLAG_CREATED != 0 {
            let delta = read_varint(&mut rest, 10)?;
            // A zero delta is written as "no field": one spelling per header.
            if delta == 0 {
                return Err(Error::Malformed);
            }
            created_at = issued_at.checked_sub(delta).ok_or(Error::Malformed)?;
        }
        let mut generation = 0;
        if flags & FLAG_GENERATION != 0 {
            let value = read_varint(&mut rest, 5)?;
            generation = u32::try_from(value).map_err(|_| Error::Malformed)?;
            if generation == 0 {
                return Err(Error::Malformed);
            }
        }
        let header = UntrustedHeader {
            mode,
            compressed: flags & FLAG_COMPRESSED != 0,
            key_id,
            issued_at,
            created_at,
            generation,
        };
        Ok((header, bytes.len() - rest.len()))
    }
}

/// `u64` little-endian length of a length-prefixed field.
pub(crate) fn length_prefix(part: &[u8]) -> [u8; 8] {
    (part.len() as u64).to_le_bytes()
}

/// First byte of a context block. Every header starts with the version byte
/// (never 0), so an authenticated input with a context block never equals
/// one without, and the length prefix separates any two contexts.
const CONTEXT_MARK: u8 = 0x00;

/// The length of [`write_context_block`]'s output: 0 for no context.
pub(crate) fn context_block_len(context: &[u8]) -> usize {
    if context.is_empty() {
        0
    } else {
        1 + 8 + context.len()
    }
}

/// Appends the context block, `00 || le64(len) || context`, or nothing for
/// an empty context. It is authenticated ahead of the header, never sent.
pub(crate) fn write_context_block(context: &[u8], out: &mut Vec<u8>) {
    if !context.is_empty() {
        out.push(CONTEXT_MARK);
        out.extend_from_slice(&length_prefix(context));
        out.extend_from_slice(context);
    }
}

/// Seconds since the Unix epoch, or an error for times before it.
pub(crate) fn unix_seconds(time: SystemTime) -> Result<u64, Error> {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::TimeOutOfRange)
}

/// The `SystemTime` for Unix seconds, saturating at the platform's maximum.
pub(crate) fn to_system_time(seconds: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .unwrap_or_else(far_future)
}

fn far_future() -> SystemTime {
    // The largest time representable everywhere we run (i64 seconds).
    UNIX_EPOCH
        .checked_add(Duration::from_secs(i64::MAX as u64 / 2))
        .unwrap_or(UNIX_EPOCH)
}

fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a canonical unsigned LEB128 varint of at most `max_len` bytes.
fn read_varint(bytes: &mut &[u8], max_len: usize) -> Result<u64, Error> {
    let mut value: u64 = 0;
    for i in 0..max_len {
        let (&byte, rest) = bytes.split_first().ok_or(Error::Malformed)?;
        *bytes = rest;
        let low = u64::from(byte & 0x7F);
        let shift = 7 * i as u32;
        // Bits that would fall off the top of a u64.
        if shift == 63 && low > 1 {
            return Err(Error::Malformed);
        }
        value |= low << shift;
        if byte & 0x80 == 0 {
            // A final zero byte after others is a non-canonical (padded) form.
            if byte == 0 && i > 0 {
                return Err(Error::Malformed);
            }
            return Ok(value);
        }
    }
    Err(Error::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> UntrustedHeader {
        UntrustedHeader {
            mode: Mode::Sealed,
            compressed: true,
            key_id: 300,
            issued_at: 1_700_000_000,
            created_at: 1_699_990_000,
            generation: 7,
        }
    }

    #[test]
    fn header_round_trip_and_length() {
        for h in [
            header(),
            UntrustedHeader {
                created_at: 1_700_000_000,
                generation: 0,
                ..header()
            },
            UntrustedHeader {
                key_id: u32::MAX,
                issued_at: u64::MAX,
                created_at: 0,
                generation: u32::MAX,
                ..header()
            },
            UntrustedHeader {
                mode: Mode::Signed,
                compressed: false,
                key_id: 0,
                issued_at: 0,
                created_at: 0,
                generation: 0,
            },
        ] {
            let mut out = Vec::new();
            h.write(&mut out);
            assert_eq!(out.len(), h.len());
            assert!(out.len() <= MAX_HEADER_LEN);
            out.extend_from_slice(b"body");
            assert_eq!(UntrustedHeader::parse(&out), Ok((h, h.len())));
        }
    }

    #[test]
    fn header_bytes_are_as_specified() {
        let mut out = Vec::new();
        header().write(&mut out);
        // version, flags (sealed|compressed|created|generation), key 300, time, delta 10000, gen 7
        assert_eq!(
            out,
            [0x01, 0x1E, 0xAC, 0x02, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x90, 0x4E, 0x07]
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        let parse = |b: &[u8]| UntrustedHeader::parse(b).map(|_| ());
        assert_eq!(parse(&[]), Err(Error::Malformed));
        assert_eq!(parse(&[2, 1, 0, 0]), Err(Error::UnsupportedVersion(2)));
        assert_eq!(parse(&[0, 1, 0, 0]), Err(Error::UnsupportedVersion(0)));
        assert_eq!(parse(&[1]), Err(Error::Malformed));
        assert_eq!(parse(&[1, 0b00, 0, 0]), Err(Error::Malformed), "no mode");
        assert_eq!(parse(&[1, 0b11, 0, 0]), Err(Error::Malformed), "both modes");
        assert_eq!(
            parse(&[1, 0x21, 0, 0]),
            Err(Error::Malformed),
            "reserved bit"
        );
        assert_eq!(
            parse(&[1, 1, 0x80, 0x00, 0]),
            Err(Error::Malformed),
            "padded varint"
        );
        assert_eq!(
            parse(&[1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0]),
            Err(Error::Malformed),
            "key id > u32"
        );
        assert_eq!(
            parse(&[1, 1, 0, 0x80]),
            Err(Error::Malformed),
            "truncated varint"
        );
        let mut too_long = vec![1, 1, 0];
        too_long.extend([0xFF; 9]);
        too_long.push(0x02);
        assert_eq!(parse(&too_long), Err(Error::Malformed), "issued_at > u64");
        assert_eq!(
            parse(&[1, 1 | FLAG_CREATED, 0, 5, 0]),
            Err(Error::Malformed),
            "zero delta"
        );
        assert_eq!(
            parse(&[1, 1 | FLAG_CREATED, 0, 5, 6]),
            Err(Error::Malformed),
            "created before epoch"
        );
        assert_eq!(
            parse(&[1, 1 | FLAG_GENERATION, 0, 5, 0]),
            Err(Error::Malformed),
            "zero generation"
        );
    }

    #[test]
    fn varint_len_matches_writer() {
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write_varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
            assert_eq!(read_varint(&mut out.as_slice(), 10), Ok(v));
        }
    }

    #[test]
    fn context_blocks_are_distinct_from_headers_and_each_other() {
        let block = |c: &[u8]| {
            let mut out = Vec::new();
            write_context_block(c, &mut out);
            assert_eq!(out.len(), context_block_len(c));
            out
        };
        assert!(block(b"").is_empty());
        assert_eq!(block(b"ua"), b"\0\x02\0\0\0\0\0\0\0ua");
        assert_ne!(block(b"ab")[..], block(b"a")[..]);
        let mut header_bytes = Vec::new();
        header().write(&mut header_bytes);
        assert_ne!(block(b"x")[0], header_bytes[0]);
    }

    #[test]
    fn extreme_times_convert_without_panic() {
        let _ = to_system_time(u64::MAX);
        assert_eq!(unix_seconds(to_system_time(5)), Ok(5));
        assert_eq!(
            unix_seconds(UNIX_EPOCH - Duration::from_secs(1)),
            Err(Error::TimeOutOfRange)
        );
    }
}
