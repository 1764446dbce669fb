//! The metadata fields (compression, issue and creation time,
//! generation, expiry) and, in a sealed token, the padding field after them.

use super::varint::{read_varint, varint_len, write_varint};
use super::{
    FLAG_COMPRESSED, FLAG_CREATED, FLAG_EXPIRY, FLAG_GENERATION, FLAG_PADDED, MAX_KEY_ID_LEN,
    SEALED_INNER_FLAGS,
};
use crate::error::Error;

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
    /// The session's own expiry, when it is not the codec's: `Some(0)` for a
    /// browser-session cookie, `Some(n)` for an idle lifetime of `n`
    /// seconds; `None` for the codec's lifetime and the cookie's `Max-Age`.
    pub(crate) expiry: Option<u64>,
}

impl Metadata {
    fn created_delta(&self) -> u64 {
        self.issued_at - self.created_at.min(self.issued_at)
    }

    /// The flag bits of the fields present.
    pub(super) fn flags(&self) -> u8 {
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
        if self.expiry.is_some() {
            flags |= FLAG_EXPIRY;
        }
        flags
    }

    /// Appends issued-at, then created-delta and generation when non-zero.
    pub(super) fn write_fields(&self, out: &mut Vec<u8>) {
        write_varint(out, self.issued_at);
        let created_delta = self.created_delta();
        if created_delta != 0 {
            write_varint(out, created_delta);
        }
        if self.generation != 0 {
            write_varint(out, u64::from(self.generation));
        }
        if let Some(expiry) = self.expiry {
            write_varint(out, expiry);
        }
    }

    /// The length of [`Metadata::write_fields`]'s output.
    #[cfg(test)]
    pub(super) fn fields_len(&self) -> usize {
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
            + self.expiry.map_or(0, varint_len)
    }

    /// The most bytes a re-issue of this token (same payload, generation
    /// and expiry; [`Decoded::carry_over`](crate::Decoded::carry_over)) can
    /// add to it, whenever and under whichever key it happens: the key ID
    /// varint may grow to its longest (a rotation to a larger ID), and the
    /// created-delta field may appear or grow up to the length of the
    /// issued-at varint (the delta never exceeds the issue time). Writers
    /// count these bytes against the budget, so a token that fits once
    /// fits every re-issue: `len + reissue_reserve` is the same for all of
    /// them. (The issued-at varint itself grows by a byte in the year 3058.)
    pub(crate) fn reissue_reserve(&self, key_id: u32) -> usize {
        let key = MAX_KEY_ID_LEN.saturating_sub(varint_len(u64::from(key_id)));
        let created_delta = self.created_delta();
        let delta_now = if created_delta == 0 {
            0
        } else {
            varint_len(created_delta)
        };
        key + varint_len(self.issued_at).saturating_sub(delta_now)
    }

    /// Reads the fields that `flags` announces from the start of `rest`.
    pub(super) fn read_fields(flags: u8, rest: &mut &[u8]) -> Result<Metadata, Error> {
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
        let expiry = if flags & FLAG_EXPIRY != 0 {
            Some(read_varint(rest, 10)?)
        } else {
            None
        };
        Ok(Metadata {
            compressed: flags & FLAG_COMPRESSED != 0,
            issued_at,
            created_at,
            generation,
            expiry,
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
