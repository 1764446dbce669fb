#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod codec;
mod compress;
pub mod cookie;
mod encoding;
mod envelope;
mod error;
#[cfg(feature = "flask")]
pub mod flask;
mod key;
mod keyring;
mod seal;
mod serialize;
mod session;
mod sign;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
#[cfg(test)]
mod vector_tests;
#[cfg(any(feature = "tower", feature = "actix"))]
mod web_session;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz;
#[cfg(test)]
mod standard_vectors;

pub use codec::{
    inspect, Codec, Compression, Decoded, EncodeOptions, DEFAULT_CLOCK_SKEW, DEFAULT_COOKIE_NAME,
    DEFAULT_MAX_AGE, DEFAULT_MAX_TOKEN_LEN, DEFAULT_PURPOSE, MAX_COOKIE_LEN, MAX_PAYLOAD_LEN,
    MAX_TOKEN_LEN,
};
pub use envelope::{Mode, UntrustedHeader, FORMAT_VERSION};
pub use error::{Error, Lifetime};
pub use key::{Key, GENERATED_KEY_LEN, MAX_KEY_LEN, MIN_KEY_LEN};
pub use keyring::{Keyring, MAX_KEYRING_TEXT_LEN, MAX_KEYS};
pub use session::{Session, SessionId, SESSION_ID_LEN};
