#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

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
#[cfg(test)]
mod format_vectors;
mod key;
mod keyring;
mod nonce;
mod seal;
mod serialize;
mod session;
mod sign;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz;
#[cfg(test)]
mod rfc_wycheproof_vectors;

pub use codec::{inspect, Codec, Compression, DecodeOptions, Decoded, EncodeOptions, Settings};
pub use envelope::{Mode, UntrustedHeader};
pub use error::{Error, Lifetime};
pub use key::Key;
pub use keyring::Keyring;
pub use nonce::NonceSource;
pub use session::{Session, SessionId};
