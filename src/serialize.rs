//! Stage: postcard serialization, with no trailing bytes allowed on decode.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// Serializes `value` to postcard bytes.
pub(crate) fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    postcard::to_allocvec(value).map_err(|_| Error::Serialize)
}

/// Serializes `value` to postcard bytes appended to `out`, so the codec can
/// write the payload straight into the token buffer (no second allocation
/// and copy).
pub(crate) fn append_to<T: Serialize + ?Sized>(value: &T, out: Vec<u8>) -> Result<Vec<u8>, Error> {
    postcard::to_extend(value, out).map_err(|_| Error::Serialize)
}

/// Deserializes exactly one value from `bytes`; trailing bytes are an error,
/// so every payload has one meaning.
///
/// postcard has no nesting limit, and a recursive type costs a few hundred
/// bytes of stack per level: a payload of [`MAX_PAYLOAD_LEN`] one-byte levels
/// overflowed a 2 MiB thread stack (debug build). `serde_stacker` moves deep
/// recursion onto heap-allocated stack segments, so decoding any payload under
/// the cap works on small thread stacks; the extra memory is bounded by the
/// payload cap.
///
/// [`MAX_PAYLOAD_LEN`]: crate::consts::MAX_PAYLOAD_LEN
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut deserializer = postcard::Deserializer::from_bytes(bytes);
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut deserializer));
    match (value, deserializer.finalize()) {
        (Ok(value), Ok([])) => Ok(value),
        _ => Err(Error::Deserialize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_trailing_bytes() {
        let bytes = to_bytes(&(7u32, "hi")).unwrap();
        assert_eq!(append_to(&(7u32, "hi"), vec![9]).unwrap()[1..], bytes[..]);
        assert_eq!(from_bytes::<(u32, String)>(&bytes), Ok((7, "hi".into())));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            from_bytes::<(u32, String)>(&longer),
            Err(Error::Deserialize)
        );
    }

    #[test]
    fn huge_length_prefix_is_an_error_not_an_allocation() {
        // varint 2^63 as a sequence length, followed by nothing.
        let mut bytes = vec![0x80; 9];
        bytes.push(0x01);
        assert_eq!(from_bytes::<Vec<u64>>(&bytes), Err(Error::Deserialize));
        assert_eq!(from_bytes::<String>(&bytes), Err(Error::Deserialize));
    }
}
