//! Binding a typed payload's serde shape to the codec's subkeys
//! ([`Codec::payload_type`](super::Codec::payload_type)).
//!
//! postcard, the payload encoding, is not self-describing: after a deploy
//! that changes the payload type (a field `u64` becomes `i64`, two fields
//! swap), an old token would decode into the new type as different values
//! without any error. A codec bound to `T` mixes a fingerprint of `T`'s
//! serde shape into its subkey derivation, so a token written for one shape
//! fails authentication ([`Error::Invalid`](crate::Error::Invalid)) under
//! another. The shape is traced once, when the codec is built (with the
//! `serde-reflection` crate); encode and decode pay nothing for it, and the
//! token carries no extra byte.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_reflection::{Format, Samples, Tracer, TracerConfig};
use sha2::{Digest, Sha256};

/// How many times a type is traced, at most, to visit every variant of the
/// enums it holds (each trace takes the next unseen variant of each).
const MAX_TRACES: usize = 1024;

/// The payload type a codec is bound to.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PayloadType {
    /// `std::any::type_name`, for `Debug` and [`Settings`](super::Settings).
    pub(crate) name: &'static str,
    /// SHA-256 of the traced shape, or why it could not be traced.
    pub(crate) fingerprint: Result<[u8; 32], &'static str>,
}

impl PayloadType {
    pub(crate) fn of<T: DeserializeOwned>() -> PayloadType {
        PayloadType {
            name: std::any::type_name::<T>(),
            fingerprint: fingerprint::<T>(),
        }
    }
}

impl fmt::Debug for PayloadType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// SHA-256 over the postcard form of `T`'s traced format and the registry
/// of every container it names (field names, types and order; variant
/// names and contents; container names).
///
/// Each trace visits one more variant of every enum that is not yet fully
/// seen, but only of enums whose "incomplete" mark was read back (an enum
/// still marked is visited at its first variant). The names of nested enums
/// are learnt from the registry's error, and the tracing starts again.
fn fingerprint<T: DeserializeOwned>() -> Result<[u8; 32], &'static str> {
    let samples = Samples::new();
    let mut enums: Vec<String> = Vec::new();
    loop {
        let mut tracer = Tracer::new(TracerConfig::default());
        let mut format = None;
        // Reading an enum's mark clears it, so the registry can no longer
        // tell an unfinished enum: count the traces here instead.
        let mut complete = false;
        for _ in 0..MAX_TRACES {
            let (traced, _) = tracer
                .trace_type_once::<T>(&samples)
                .map_err(|_| NOT_TRACEABLE)?;
            format = Some(traced);
            if let Format::TypeName(name) = format.as_ref().unwrap_or(&Format::Unit) {
                if !enums.contains(name) {
                    enums.push(name.clone());
                }
            }
            let mut incomplete = false;
            for name in &enums {
                incomplete |= tracer.check_incomplete_enum(name).is_some();
            }
            if !incomplete {
                complete = true;
                break;
            }
        }
        if !complete {
            return Err(NOT_TRACEABLE);
        }
        match tracer.registry() {
            Ok(registry) => {
                let shape =
                    postcard::to_allocvec(&(format, registry)).map_err(|_| NOT_TRACEABLE)?;
                return Ok(Sha256::digest(&shape).into());
            }
            Err(serde_reflection::Error::MissingVariants(missing))
                if missing.iter().any(|name| !enums.contains(name)) =>
            {
                enums.extend(missing);
            }
            Err(_) => return Err(NOT_TRACEABLE),
        }
    }
}

const NOT_TRACEABLE: &str = "payload_type: the type's serde shape cannot be traced \
     (a Deserialize impl that needs real data, such as deserialize_any or validation)";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{Codec, Error, Key, Keyring};

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct A {
        id: u64,
        name: String,
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct B {
        id: i64,
        name: String,
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    enum Inner {
        X,
        Y(u8),
        Z { a: bool },
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    struct WithEnums {
        first: Inner,
        list: Vec<Option<Inner>>,
    }

    /// `Inner` but for the last variant's field type, under the same name.
    #[allow(dead_code)]
    #[derive(Deserialize)]
    #[serde(rename = "Inner")]
    enum InnerChanged {
        X,
        Y(u8),
        Z { a: u8 },
    }

    #[allow(dead_code)]
    #[derive(Deserialize)]
    #[serde(rename = "WithEnums")]
    struct WithEnumsChanged {
        first: InnerChanged,
        list: Vec<Option<InnerChanged>>,
    }

    #[test]
    fn every_variant_of_a_nested_enum_is_in_the_fingerprint() {
        // Same type names; only the last variant's field differs.
        assert_ne!(
            fingerprint::<WithEnums>().unwrap(),
            fingerprint::<WithEnumsChanged>().unwrap()
        );
    }

    #[test]
    fn the_fingerprint_follows_the_shape() {
        let a = fingerprint::<A>().unwrap();
        assert_eq!(a, fingerprint::<A>().unwrap(), "deterministic");
        assert_ne!(a, fingerprint::<B>().unwrap());
        assert_ne!(a, fingerprint::<(u64, String)>().unwrap());
        assert!(
            fingerprint::<WithEnums>().is_ok(),
            "nested enums are traced"
        );
        assert_ne!(
            fingerprint::<Inner>().unwrap(),
            fingerprint::<WithEnums>().unwrap()
        );
    }

    #[test]
    fn a_type_that_cannot_be_traced_is_an_error() {
        // serde_json::Value deserializes with deserialize_any.
        assert_eq!(fingerprint::<serde_json::Value>(), Err(NOT_TRACEABLE));
        let codec = crate::Codec::signed(ring()).payload_type::<serde_json::Value>();
        assert_eq!(codec.validate(), Err(Error::InvalidOption(NOT_TRACEABLE)));
        assert_eq!(codec.encode(&1u8), Err(Error::InvalidOption(NOT_TRACEABLE)));
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Session {
        user_id: u64,
        name: String,
    }

    /// The same fields after a deploy: postcard reads a u64 `7` as the i64 `-4`.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct SessionChanged {
        user_id: i64,
        name: String,
    }

    fn ring() -> Keyring {
        Keyring::new(1, Key::from_bytes(&[9; 32]).unwrap())
    }

    fn codecs() -> [Codec; 2] {
        [Codec::signed(ring()), Codec::sealed(ring())]
    }

    #[test]
    fn a_token_for_a_changed_type_fails_authentication_instead_of_misreading() {
        let old = Session {
            user_id: 7,
            name: "ada".into(),
        };
        for codec in codecs() {
            // Unbound, the misread this guards against.
            let token = codec.encode(&old).unwrap();
            let misread = codec.decode::<SessionChanged>(&token).unwrap().value;
            assert_eq!(misread.user_id, -4);

            let before = codec.clone().payload_type::<Session>();
            let after = codec.clone().payload_type::<SessionChanged>();
            let token = before.encode(&old).unwrap();
            assert_eq!(before.decode::<Session>(&token).unwrap().value, old);
            assert_eq!(after.decode::<SessionChanged>(&token), Err(Error::Invalid));
            assert_eq!(codec.decode::<Session>(&token), Err(Error::Invalid));
            assert_eq!(
                after.settings().payload_type(),
                Some(std::any::type_name::<SessionChanged>())
            );
            assert_eq!(codec.settings().payload_type(), None);
        }
    }

    #[test]
    fn binding_adds_no_bytes_to_a_token() {
        for codec in codecs() {
            let bound = codec.clone().payload_type::<Session>();
            let empty = crate::SessionMap::new();
            assert_eq!(
                bound.encode(&empty).unwrap().len(),
                codec.encode(&empty).unwrap().len()
            );
            let limit = match codec.mode() {
                crate::Mode::Signed => 64,
                crate::Mode::Sealed => 72,
            };
            assert!(bound.encode(&empty).unwrap().len() <= limit);
        }
    }

    #[test]
    fn binding_the_same_type_again_keeps_the_derived_subkeys() {
        let codec = Codec::signed(ring()).payload_type::<Session>();
        let token = codec.encode(&Session {
            user_id: 1,
            name: String::new(),
        });
        let again = codec.clone().payload_type::<Session>();
        assert!(Arc::ptr_eq(&codec.keys, &again.keys));
        assert!(again.decode::<Session>(&token.unwrap()).is_ok());
    }
}
