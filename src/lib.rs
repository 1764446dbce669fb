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
pub mod consts;
pub mod cookie;
mod derived_keys;
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

// `cargo fuzz` builds with `--cfg fuzzing`; no feature can switch this on.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz;
#[cfg(test)]
mod standard_vectors;

pub use codec::{inspect, Codec, Compression, DecodeOptions, Decoded, EncodeOptions, Settings};
pub use envelope::{Mode, UntrustedHeader};
pub use error::{Error, Lifetime};
pub use key::Key;
pub use keyring::Keyring;
pub use session::{Session, SessionId};
