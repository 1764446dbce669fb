//! Stage: serialization. Payloads (the envelope's body, typed values and
//! the `SessionMap` frame) are postcard; the values inside a `SessionMap`
//! are CBOR (RFC 8949), which is self-describing, so a value read as the
//! wrong type is an error or the same value, never another one. Neither
//! allows trailing bytes on decode.

mod exact;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;
use exact::Exact;

/// How deep a `SessionMap` value may nest (arrays, maps, options and enum
/// variants): deeper values are refused on read, before any stack is at
/// risk. Far beyond any session value; JSON parsers commonly stop at 128.
pub(crate) const MAX_VALUE_DEPTH: usize = 128;

/// Serializes `value` to postcard bytes.
#[cfg(any(test, feature = "tower", feature = "actix"))]
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

/// Serializes one `SessionMap` value to CBOR (RFC 8949): integers in
/// their shortest form, floats in the shortest width that holds them
/// exactly, text as text, `serialize_bytes` as a byte string, structs as
/// maps keyed by field name (FORMAT.md section 8).
pub(crate) fn value_to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(|_| Error::Serialize)?;
    Ok(out)
}

/// Deserializes exactly one CBOR value as `T`: a value of another type is
/// [`Error::Deserialize`] unless it converts without loss (an integer that
/// fits `T`'s width, a float that an `f32` holds exactly). Nesting deeper
/// than [`MAX_VALUE_DEPTH`] and trailing bytes are errors.
pub(crate) fn value_from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut rest = bytes;
    let value: Checked<T> =
        ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_VALUE_DEPTH)
            .map_err(|_| Error::Deserialize)?;
    if !rest.is_empty() {
        return Err(Error::Deserialize);
    }
    Ok(value.0)
}

/// `T`, read through [`Exact`] (no float rounding, no dropped elements)
/// and `serde_stacker` (the nesting the depth cap allows is ~1 KiB of stack
/// a level in a debug build, more than a small thread has; deep levels move
/// to heap-allocated stack segments, as for payloads in [`from_bytes`]).
struct Checked<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Checked<T>, D::Error> {
        T::deserialize(serde_stacker::Deserializer::new(Exact(deserializer))).map(Checked)
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

#[cfg(test)]
mod value_tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn values_are_cbor() {
        assert_eq!(value_to_bytes(&7u64).unwrap(), [0x07]);
        assert_eq!(value_to_bytes(&-4i64).unwrap(), [0x23]);
        assert_eq!(value_to_bytes(&300u32).unwrap(), [0x19, 0x01, 0x2C]);
        assert_eq!(value_to_bytes("hi").unwrap(), [0x62, b'h', b'i']);
        assert_eq!(value_to_bytes(&true).unwrap(), [0xF5]);
        assert_eq!(value_to_bytes(&()).unwrap(), [0xF6]);
        assert_eq!(value_to_bytes(&None::<u8>).unwrap(), [0xF6]);
        assert_eq!(value_to_bytes(&0.5f64).unwrap(), [0xF9, 0x38, 0x00]);
        assert_eq!(value_to_bytes(&vec![1u8, 2]).unwrap(), [0x82, 0x01, 0x02]);
        let map = BTreeMap::from([("a", 1u8)]);
        assert_eq!(value_to_bytes(&map).unwrap(), [0xA1, 0x61, b'a', 0x01]);
    }

    #[test]
    fn a_value_read_as_another_type_is_an_error_or_the_same_value() {
        let seven = value_to_bytes(&7u64).unwrap();
        assert_eq!(value_from_bytes::<i64>(&seven), Ok(7));
        assert_eq!(value_from_bytes::<u8>(&seven), Ok(7));
        let minus_four = value_to_bytes(&-4i64).unwrap();
        assert_eq!(
            value_from_bytes::<u64>(&minus_four),
            Err(Error::Deserialize)
        );
        let text = value_to_bytes("text").unwrap();
        assert_eq!(value_from_bytes::<Vec<u8>>(&text), Err(Error::Deserialize));
        let big = value_to_bytes(&300u32).unwrap();
        assert_eq!(value_from_bytes::<u8>(&big), Err(Error::Deserialize));
        assert_eq!(value_from_bytes::<f64>(&big), Err(Error::Deserialize));
    }

    #[test]
    fn maps_structs_options_and_enums_read_back() {
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct User {
            id: u32,
            ratio: f32,
            tags: Option<Vec<String>>,
            role: Role,
        }
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        enum Role {
            Guest,
            Admin { level: f32 },
            Pair(u8, f32),
        }
        for role in [Role::Guest, Role::Admin { level: 0.5 }, Role::Pair(1, 2.5)] {
            let user = User {
                id: 7,
                ratio: 0.25,
                tags: Some(vec!["a".into()]),
                role,
            };
            let bytes = value_to_bytes(&user).unwrap();
            assert_eq!(value_from_bytes::<User>(&bytes), Ok(user));
        }
        let map = BTreeMap::from([("a".to_owned(), 1u8), ("b".to_owned(), 2)]);
        let bytes = value_to_bytes(&map).unwrap();
        assert_eq!(value_from_bytes::<BTreeMap<String, u8>>(&bytes), Ok(map));
        // An f32 nested in a map, an option and an enum is checked too.
        let inexact = value_to_bytes(&BTreeMap::from([("x", Some(0.1f64))])).unwrap();
        assert_eq!(
            value_from_bytes::<BTreeMap<String, Option<f32>>>(&inexact),
            Err(Error::Deserialize)
        );
        let variant = value_to_bytes(&BTreeMap::from([(
            "Admin",
            BTreeMap::from([("level", 0.1f64)]),
        )]));
        assert_eq!(
            value_from_bytes::<Role>(&variant.unwrap()),
            Err(Error::Deserialize)
        );
    }

    /// A visitor that stops before the end of a map would drop entries.
    #[test]
    fn a_map_read_only_in_part_is_an_error() {
        struct FirstEntry(String);
        impl<'de> serde::Deserialize<'de> for FirstEntry {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FirstEntry, D::Error> {
                struct Visit;
                impl<'de> serde::de::Visitor<'de> for Visit {
                    type Value = FirstEntry;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a map")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<FirstEntry, A::Error> {
                        let first = map.next_entry::<String, u8>()?;
                        Ok(FirstEntry(first.map(|(k, _)| k).unwrap_or_default()))
                    }
                }
                d.deserialize_map(Visit)
            }
        }
        let one = value_to_bytes(&BTreeMap::from([("a", 1u8)])).unwrap();
        assert_eq!(
            value_from_bytes::<FirstEntry>(&one).map(|e| e.0),
            Ok("a".into())
        );
        let two = value_to_bytes(&BTreeMap::from([("a", 1u8), ("b", 2)])).unwrap();
        assert!(value_from_bytes::<FirstEntry>(&two).is_err());
    }

    /// Types that serialize differently for human-readable formats (an IP
    /// address is text in JSON, bytes in CBOR) read back what they wrote.
    #[test]
    fn compact_forms_read_back() {
        let ip = std::net::Ipv4Addr::new(192, 0, 2, 1);
        let bytes = value_to_bytes(&ip).unwrap();
        assert_eq!(value_from_bytes::<std::net::Ipv4Addr>(&bytes), Ok(ip));
        let addr = std::net::SocketAddr::from((ip, 443));
        let bytes = value_to_bytes(&addr).unwrap();
        assert_eq!(value_from_bytes::<std::net::SocketAddr>(&bytes), Ok(addr));
    }

    #[test]
    fn a_tuple_shorter_than_the_stored_sequence_is_an_error() {
        let three = value_to_bytes(&[0u64, 0, 0]).unwrap();
        assert_eq!(
            value_from_bytes::<(u64, u64)>(&three),
            Err(Error::Deserialize)
        );
        assert_eq!(value_from_bytes::<(u64, u64, u64)>(&three), Ok((0, 0, 0)));
        // A byte string reads as a sequence of its bytes, whole or not at all.
        let bytes = [0x43, 1, 2, 3];
        assert_eq!(
            value_from_bytes::<(u8, u8)>(&bytes),
            Err(Error::Deserialize)
        );
        assert_eq!(value_from_bytes::<Vec<u8>>(&bytes), Ok(vec![1, 2, 3]));
        // Nested, inside an indefinite-length array (`9F … FF`).
        let nested = [0x9F, 0x82, 0x01, 0x02, 0x83, 0x01, 0x02, 0x03, 0xFF];
        assert_eq!(
            value_from_bytes::<Vec<(u8, u8)>>(&nested),
            Err(Error::Deserialize)
        );
        let whole = [0x9F, 0x82, 0x01, 0x02, 0x82, 0x03, 0x04, 0xFF];
        assert_eq!(
            value_from_bytes::<Vec<(u8, u8)>>(&whole),
            Ok(vec![(1, 2), (3, 4)])
        );
    }

    #[test]
    fn an_f32_is_read_only_from_a_number_it_holds_exactly() {
        let tenth = value_to_bytes(&0.1f64).unwrap();
        assert_eq!(value_from_bytes::<f32>(&tenth), Err(Error::Deserialize));
        assert_eq!(
            value_from_bytes::<Vec<Option<f32>>>(&value_to_bytes(&[Some(0.1f64)]).unwrap()),
            Err(Error::Deserialize),
            "also when nested"
        );
        let half = value_to_bytes(&0.5f64).unwrap();
        assert_eq!(value_from_bytes::<f32>(&half), Ok(0.5));
        let tenth_f32 = value_to_bytes(&0.1f32).unwrap();
        assert_eq!(value_from_bytes::<f32>(&tenth_f32), Ok(0.1));
        assert_eq!(value_from_bytes::<f64>(&tenth_f32), Ok(f64::from(0.1f32)));
        let nan = value_from_bytes::<f32>(&value_to_bytes(&f64::NAN).unwrap());
        assert!(nan.unwrap().is_nan());
    }

    #[test]
    fn trailing_bytes_and_deep_nesting_are_errors() {
        let mut bytes = value_to_bytes(&7u8).unwrap();
        bytes.push(0);
        assert_eq!(value_from_bytes::<u8>(&bytes), Err(Error::Deserialize));
        assert_eq!(value_from_bytes::<u8>(&[]), Err(Error::Deserialize));
        // Arrays nested one level deeper than allowed, then deep enough.
        let deep = |levels: usize| {
            let mut bytes = vec![0x81; levels];
            bytes.push(0x01);
            bytes
        };
        struct Nested;
        impl<'de> serde::Deserialize<'de> for Nested {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
                serde::de::IgnoredAny::deserialize(d).map(|_| Nested)
            }
        }
        assert!(value_from_bytes::<Nested>(&deep(MAX_VALUE_DEPTH - 1)).is_ok());
        assert!(value_from_bytes::<Nested>(&deep(MAX_VALUE_DEPTH + 1)).is_err());
        assert!(value_from_bytes::<Nested>(&deep(100_000)).is_err());
    }

    /// A recursive type read to the depth cap fits a small thread stack
    /// (128 KiB, as `tests/resources.rs` uses) in a debug build.
    #[test]
    fn the_deepest_value_reads_on_a_small_stack() {
        #[derive(serde::Deserialize)]
        struct Tree(#[allow(dead_code)] Vec<Option<Tree>>);
        let mut bytes = vec![0x81; MAX_VALUE_DEPTH - 1];
        bytes.push(0x80);
        let (ok, too_deep) = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || {
                let too_deep = [vec![0x81; 100_000], vec![0x80]].concat();
                (
                    value_from_bytes::<Tree>(&bytes).is_ok(),
                    value_from_bytes::<Tree>(&too_deep),
                )
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(ok);
        assert_eq!(too_deep.err(), Some(Error::Deserialize));
    }
}
