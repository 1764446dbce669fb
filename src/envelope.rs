//! Stage: the token header (format version, mode, flags, key ID, times) and
//! the context block that binds a per-call context into the MAC/AAD.
//!
//! The byte layout is specified in `FORMAT.md`; change nothing here without
//! bumping [`FORMAT_VERSION`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// The token format this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// The longest metadata fields: issued-at, created-delta, generation varints.
const MAX_FIELDS_LEN: usize = 10 + 10 + 5;
/// The longest signed header: version, flags, key ID and the fields.
pub(crate) const MAX_HEADER_LEN: usize = 2 + 5 + MAX_FIELDS_LEN;

const MODE_MASK: u8 = 0b0000_0011;
const MODE_SIGNED: u8 = 0b01;
const MODE_SEALED: u8 = 0b10;
pub(crate) const FLAG_COMPRESSED: u8 = 0b0000_0100;
const FLAG_CREATED: u8 = 0b0000_1000;
const FLAG_GENERATION: u8 = 0b0001_0000;
/// Sealed plaintext only: a padding field follows the metadata fields.
pub(crate) const FLAG_PADDED: u8 = 0b0010_0000;
/// Bits a signed header's flags byte may have set.
const SIGNED_FLAGS: u8 = MODE_MASK | FLAG_COMPRESSED | FLAG_CREATED | FLAG_GENERATION;
/// Bits the flags byte inside a sealed token's plaintext may have set.
const SEALED_INNER_FLAGS: u8 = FLAG_COMPRESSED | FLAG_CREATED | FLAG_GENERATION | FLAG_PADDED;

/// How a token protects its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// HMAC-SHA256: anyone can read the payload, nobody can change it.
    Signed,
    /// XChaCha20-Poly1305: nobody without the key can read or change it.
    Sealed,
}

/// What a token says about its payload besides the key: compression, issue
/// and creation time, generation. In the readable header of a signed
/// token; inside the ciphertext, ahead of the payload, of a sealed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub(crate) compressed: bool,
    /// Seconds since the Unix epoch.
    pub(crate) issued_at: u64,
    /// Seconds since the Unix epoch of the session's first issue; equal to
    /// `issued_at` when not written.
    pub(crate) created_at: u64,
    pub(crate) generation: u32,
}

impl Metadata {
    fn created_delta(&self) -> u64 {
        self.issued_at - self.created_at.min(self.issued_at)
    }

    /// The flag bits of the fields present.
    fn flags(&self) -> u8 {
        let mut flags = 0;
        if self.compressed {
            flags |= FLAG_COMPRESSED;
        }
        if self.created_delta() != 0 {
            flags |= FLAG_CREATED;
        }
        if self.generation != 0 {
            flags |= FLAG_GENERATION;
        }
        flags
    }

    /// Appends issued-at, then created-delta and generation when non-zero.
    fn write_fields(&self, out: &mut Vec<u8>) {
        write_varint(out, self.issued_at);
        let created_delta = self.created_delta();
        if created_delta != 0 {
            write_varint(out, created_delta);
        }
        if self.generation != 0 {
            write_varint(out, u64::from(self.generation));
        }
    }

    #[cfg(test)]
    fn fields_len(&self) -> usize {
        let created_delta = self.created_delta();
        varint_len(self.issued_at)
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

    /// Reads the fields that `flags` announces from the start of `rest`.
    fn read_fields(flags: u8, rest: &mut &[u8]) -> Result<Metadata, Error> {
        let issued_at = read_varint(rest, 10)?;
        let mut created_at = issued_at;
        if flags & FLAG_CREATED != 0 {
            let delta = read_varint(rest, 10)?;
            // A zero delta is written as "no field": one spelling per token.
            if delta == 0 {
                return Err(Error::Malformed);
            }
            created_at = issued_at.checked_sub(delta).ok_or(Error::Malformed)?;
        }
        let mut generation = 0;
        if flags & FLAG_GENERATION != 0 {
            let value = read_varint(rest, 5)?;
            generation = u32::try_from(value).map_err(|_| Error::Malformed)?;
            if generation == 0 {
                return Err(Error::Malformed);
            }
        }
        Ok(Metadata {
            compressed: flags & FLAG_COMPRESSED != 0,
            issued_at,
            created_at,
            generation,
        })
    }

    /// Appends the sealed form, `flags || fields`, the start of a sealed
    /// token's plaintext.
    pub(crate) fn write_sealed(&self, out: &mut Vec<u8>) {
        out.push(self.flags());
        self.write_fields(out);
    }

    /// The length of [`Metadata::write_sealed`]'s output.
    #[cfg(test)]
    pub(crate) fn sealed_len(&self) -> usize {
        1 + self.fields_len()
    }

    /// Parses the sealed form from the start of an opened plaintext,
    /// returning it and its length.
    ///
    /// # Errors
    /// [`Error::Malformed`] for anything that is not canonical. The bytes are
    /// authentic, so only a faulty writer with the key gets here.
    pub(crate) fn parse_sealed(plaintext: &[u8]) -> Result<(Metadata, usize), Error> {
        let (&flags, mut rest) = plaintext.split_first().ok_or(Error::Malformed)?;
        if flags & !SEALED_INNER_FLAGS != 0 {
            return Err(Error::Malformed);
        }
        let metadata = Metadata::read_fields(flags, &mut rest)?;
        if flags & FLAG_PADDED != 0 {
            // `varint(n)` counts the whole field, itself included; the
            // rest of it must be zero bytes.
            let before = rest.len();
            let field_len =
                usize::try_from(read_varint(&mut rest, 5)?).map_err(|_| Error::Malformed)?;
            let zeros = field_len
                .checked_sub(before - rest.len())
                .ok_or(Error::Malformed)?;
            let (padding, after) = rest.split_at_checked(zeros).ok_or(Error::Malformed)?;
            if padding.iter().any(|&b| b != 0) {
                return Err(Error::Malformed);
            }
            rest = after;
        }
        Ok((metadata, plaintext.len() - rest.len()))
    }

    /// The padding field of `len` bytes (at least 1): `varint(len)` then
    /// zero bytes up to `len`. Every length has exactly one such field.
    pub(crate) fn padding(len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        write_varint(&mut out, len as u64);
        out.resize(len.max(out.len()), 0);
        out
    }
}

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
pub(crate) fn header_len(mode: Mode, key_id: u32, metadata: &Metadata) -> usize {
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
        Mode::Sealed => 2 + 5 + 1 + MAX_FIELDS_LEN,
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
        let key_id = read_varint(&mut rest, 5)?;
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

#[cfg(test)]
fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    // The low byte of `value`: 7 payload bits, then the continuation bit.
    while value >= 0x80 {
        out.push(value.to_le_bytes()[0] | 0x80);
        value >>= 7;
    }
    out.push(value.to_le_bytes()[0]);
}

/// Reads a canonical unsigned LEB128 varint of at most `max_len` bytes.
fn read_varint(bytes: &mut &[u8], max_len: usize) -> Result<u64, Error> {
    let mut value: u64 = 0;
    for (i, shift) in (0..max_len).zip((0u32..).step_by(7)) {
        let (&byte, rest) = bytes.split_first().ok_or(Error::Malformed)?;
        *bytes = rest;
        let low = u64::from(byte & 0x7F);
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

    fn metadata() -> Metadata {
        Metadata {
            compressed: true,
            issued_at: 1_700_000_000,
            created_at: 1_699_990_000,
            generation: 7,
        }
    }

    fn written(mode: Mode, key_id: u32, m: &Metadata) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(mode, key_id, m, &mut out);
        assert_eq!(out.len(), header_len(mode, key_id, m));
        out
    }

    #[test]
    fn header_and_metadata_round_trip_with_their_lengths() {
        for (key_id, m) in [
            (300, metadata()),
            (
                1,
                Metadata {
                    created_at: 1_700_000_000,
                    generation: 0,
                    ..metadata()
                },
            ),
            (
                u32::MAX,
                Metadata {
                    issued_at: u64::MAX,
                    created_at: 0,
                    generation: u32::MAX,
                    ..metadata()
                },
            ),
            (
                0,
                Metadata {
                    compressed: false,
                    issued_at: 0,
                    created_at: 0,
                    generation: 0,
                },
            ),
        ] {
            for mode in [Mode::Signed, Mode::Sealed] {
                let mut out = written(mode, key_id, &m);
                let len = out.len();
                let mut inner = Vec::new();
                m.write_sealed(&mut inner);
                assert_eq!(inner.len(), m.sealed_len());
                let framing = len + if mode == Mode::Sealed { inner.len() } else { 0 };
                assert!(framing <= max_framing_len(mode));
                out.extend_from_slice(b"body");
                let expected = UntrustedHeader {
                    mode,
                    key_id,
                    metadata: (mode == Mode::Signed).then_some(m),
                };
                assert_eq!(UntrustedHeader::parse(&out), Ok((expected, len)));
                inner.extend_from_slice(b"payload");
                assert_eq!(Metadata::parse_sealed(&inner), Ok((m, m.sealed_len())));
            }
        }
    }

    #[test]
    fn header_bytes_are_as_specified() {
        // version, flags (signed|compressed|created|generation), key 300, time, delta 10000, gen 7
        assert_eq!(
            written(Mode::Signed, 300, &metadata()),
            [0x01, 0x1D, 0xAC, 0x02, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x90, 0x4E, 0x07]
        );
        // Sealed: version, flags (sealed only), key 300; the rest is encrypted.
        assert_eq!(
            written(Mode::Sealed, 300, &metadata()),
            [0x01, 0x02, 0xAC, 0x02]
        );
        let mut inner = Vec::new();
        metadata().write_sealed(&mut inner);
        assert_eq!(
            inner,
            [0x1C, 0x80, 0xE2, 0xCF, 0xAA, 0x06, 0x90, 0x4E, 0x07]
        );
    }

    #[test]
    fn padding_fields_of_every_length_read_back() {
        for len in (1..300).chain([16_383, 16_384, 16_385]) {
            let field = Metadata::padding(len);
            assert_eq!(field.len(), len);
            let mut plaintext = vec![FLAG_PADDED, 5];
            plaintext.extend_from_slice(&field);
            plaintext.extend_from_slice(b"payload");
            let (_, read) = Metadata::parse_sealed(&plaintext).unwrap();
            assert_eq!(&plaintext[read..], b"payload", "{len}");
        }
    }

    #[test]
    fn padding_must_be_zero_and_count_itself() {
        let parse = |b: &[u8]| Metadata::parse_sealed(b).map(|(_, len)| len);
        assert_eq!(parse(&[FLAG_PADDED, 5, 3, 0, 0]), Ok(5));
        assert_eq!(
            parse(&[FLAG_PADDED, 5, 3, 0, 1]),
            Err(Error::Malformed),
            "non-zero"
        );
        assert_eq!(
            parse(&[FLAG_PADDED, 5, 3, 0]),
            Err(Error::Malformed),
            "short"
        );
        assert_eq!(
            parse(&[FLAG_PADDED, 5, 0]),
            Err(Error::Malformed),
            "zero length"
        );
        assert_eq!(parse(&[FLAG_PADDED, 5]), Err(Error::Malformed), "no field");
    }

    #[test]
    fn sealed_metadata_refuses_what_a_faulty_writer_could_put_there() {
        let parse = |b: &[u8]| Metadata::parse_sealed(b).map(|_| ());
        assert_eq!(parse(&[]), Err(Error::Malformed));
        assert_eq!(parse(&[0x01, 5]), Err(Error::Malformed), "mode bit");
        assert_eq!(parse(&[0x80, 5]), Err(Error::Malformed), "reserved bit");
        assert_eq!(parse(&[FLAG_CREATED, 5, 0]), Err(Error::Malformed));
        assert_eq!(parse(&[FLAG_GENERATION, 5, 0]), Err(Error::Malformed));
        assert_eq!(parse(&[0, 0x80]), Err(Error::Malformed), "truncated");
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
            parse(&[1, 0x02 | FLAG_COMPRESSED, 0]),
            Err(Error::Malformed),
            "a sealed header with a readable flag"
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
        assert_ne!(block(b"x")[0], FORMAT_VERSION);
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
