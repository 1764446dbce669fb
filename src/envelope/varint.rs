//! The canonical unsigned LEB128 varint the header fields use.

use crate::error::Error;

/// The length of `value` as a varint: 1 to 10 bytes.
pub(super) fn varint_len(value: u64) -> usize {
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    // The low byte of `value`: 7 payload bits, then the continuation bit.
    while value >= 0x80 {
        out.push(value.to_le_bytes()[0] | 0x80);
        value >>= 7;
    }
    out.push(value.to_le_bytes()[0]);
}

/// Reads a canonical unsigned LEB128 varint of at most `max_len` bytes.
pub(super) fn read_varint(bytes: &mut &[u8], max_len: usize) -> Result<u64, Error> {
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
