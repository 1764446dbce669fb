//! Signed or encrypted session cookies with key rotation, expiry and hard size limits.
//!
//! `cookie-seal` turns a session map ([`Session`]) or any serde type into a short cookie value
//! that is **signed** (HMAC-SHA256: readable, unforgeable) or **sealed** (XChaCha20-Poly1305:
//! unreadable, unforgeable), with a timestamp, a key ID for rotation and a hard size limit, and
//! reads it back only if it is authentic, fresh and meant for this purpose. The core does no I/O
//! and has no HTTP or async dependency: it works with axum, actix-web, hyper, rocket or anything
//! that can read a `Cookie` header and write `Set-Cookie`.
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use cookie_seal::{Codec, Keyring, Session};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let keys = cookie_seal::Keyring::new(1, cookie_seal::Key::generate()).export();
//! # std::env::set_var("SESSION_KEYS", keys.as_str());
//! // SESSION_KEYS="1:<32 random bytes, base64>", e.g. from `cookie-seal keygen`.
//! let keys: Keyring = std::env::var("SESSION_KEYS")?.parse()?;
//! let codec = Codec::sealed(keys.clone()).max_age(Duration::from_secs(3600)); // or Codec::signed
//!
//! let mut session = Session::new();
//! session.insert("user_id", &42u64)?;
//! let token = codec.encode(&session)?;                 // the cookie value, <= 4089 bytes
//!
//! let decoded = codec.decode::<Session>(&token)?;      // Err(Invalid | Expired | ...) otherwise
//! assert_eq!(decoded.value.get::<u64>("user_id")?, Some(42));
//! if decoded.needs_reissue() {                         // written with an old key: write it again
//!     let fresh = codec.encode_with(&decoded.value, &decoded.carry_over(), SystemTime::now())?;
//! }
//! let csrf = Codec::signed(keys).purpose("csrf");      // readable by the client, unforgeable
//! # Ok(()) }
//! ```
//!
//! Any `Serialize + DeserializeOwned` type works in place of [`Session`], and is smaller (no
//! keys stored). For cookies, [`cookie::SessionCookie`] binds a codec to a cookie name and
//! attributes, loads the session from the request's `Cookie` headers and decides which
//! `Set-Cookie` headers to send.
//!
//! # Errors
//!
//! Every failure is one [`Error`] variant, one per failure class:
//!
//! | error | meaning |
//! |---|---|
//! | [`Malformed`](Error::Malformed), [`UnsupportedVersion`](Error::UnsupportedVersion) | not a token (bad base64, bad header), or a format this version does not read |
//! | [`ModeMismatch`](Error::ModeMismatch), [`UnknownKey`](Error::UnknownKey) | signed token to a sealed codec (or back); key ID not in the keyring (no other key is tried) |
//! | [`Invalid`](Error::Invalid) | the MAC/AEAD check failed: forged, modified, wrong key, purpose or context. Opaque by design |
//! | [`Expired`](Error::Expired), [`IssuedInFuture`](Error::IssuedInFuture) | authentic but too old (idle or absolute lifetime), or issued beyond the clock skew |
//! | [`TooLarge`](Error::TooLarge) | token over its budget (at encode time), or input over the budget (at decode time, before decoding) |
//! | [`Revoked`](Error::Revoked), [`Deserialize`](Error::Deserialize), [`Inflate`](Error::Inflate), key and keyring errors | see [`Error`] |
//!
//! # What it offers
//!
//! | capability | API |
//! |---|---|
//! | signed tokens (HMAC-SHA256, full 32-byte tag) | [`Codec::signed`], or [`Codec::new`] with a [`Mode`] |
//! | sealed tokens (XChaCha20-Poly1305, OS-random nonce) | [`Codec::sealed`] |
//! | per-mode subkeys via HKDF-SHA256, derived once per codec | built in |
//! | keyring with key IDs, textual form for one env var | [`Keyring`], its `FromStr`, [`Keyring::export`] |
//! | rotation hint | [`Decoded::needs_reissue`] |
//! | idle lifetime, clock skew | [`Codec::max_age`], [`Codec::clock_skew`] |
//! | absolute lifetime across re-issues | [`Codec::absolute_lifetime`], [`Decoded::carry_over`] |
//! | rolling refresh | [`Codec::reissue_after`] |
//! | purpose and per-call context binding | [`Codec::purpose`], [`EncodeOptions::context`], [`DecodeOptions::context`] |
//! | generation counter ("log out everywhere") | [`EncodeOptions::generation`], [`Decoded::check_generation`] |
//! | dynamic session map, fixation defence | [`Session`], [`Session::regenerate`] |
//! | signed random session IDs for server-side stores | [`SessionId`] |
//! | deflate only when shorter (signed default) | [`Compression::Auto`] |
//! | size budget and largest-payload query | [`Codec::token_budget`], [`Codec::token_budget_for_cookie`], [`Codec::max_payload_len`] |
//! | signed → sealed migration | [`Codec::accept_signed`] |
//! | verification without deserializing, for tools | [`Codec::verify`] |
//! | keyless header inspection (untrusted) | [`inspect`] |
//! | every setting, read back | [`Codec::settings`] |
//! | every limit and default | [`consts`] |
//! | `Set-Cookie` with secure defaults, `__Host-` checks, removal | [`cookie::CookieConfig`], [`cookie::SessionCookie`] |
//! | one session across several cookies (opt-in) | [`cookie::CookieConfig::chunking`] |
//! | Flask session cookies, read and write (feature `flask`) | `flask::FlaskCodec` |
//! | operator CLI: keygen, rotate, inspect, verify (feature `cli`) | the `cookie-seal` binary |
//!
//! Token sizes with default settings, in bytes:
//!
//! | payload | signed | sealed |
//! |---|---|---|
//! | empty [`Session`] | 56 | 67 |
//! | ~110-byte session (5 entries, as in the quickstart example) | 186 | 196 |
//!
//! # Cargo features
//!
//! | feature | adds |
//! |---|---|
//! | `flask` | the `flask` module: read and write Flask's default session cookie |
//! | `cli` | the `cookie-seal` operator binary (keygen, rotate, inspect, verify); the library itself is unchanged |
//!
//! No feature is on by default.
//!
//! # More documentation
//!
//! These files ship with the crate (and open in docs.rs's source view):
//!
//! - [docs/operations.md](https://docs.rs/crate/cookie-seal/latest/source/docs/operations.md):
//!   keys, the `cookie-seal` CLI, and the runbook for rotating keys on a fleet.
//! - [SECURITY.md](https://docs.rs/crate/cookie-seal/latest/source/SECURITY.md): threat model,
//!   safe use, the rules the crate enforces with the test for each, fuzzing results, reporting.
//! - [FORMAT.md](https://docs.rs/crate/cookie-seal/latest/source/FORMAT.md): the token format v1
//!   byte by byte; its test vectors are in the repository's `tests/vectors/`.
//!
//! The repository also holds BENCHMARKS.md (criterion benchmarks against the primitives, the
//! peer crates and Flask), examples/README.md (axum, actix-web and Redis example apps),
//! fuzz/README.md and CONTRIBUTING.md.
#![cfg_attr(docsrs, feature(doc_cfg))]
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
mod key;
mod keyring;
mod seal;
mod serialize;
mod session;
mod sign;
#[cfg(test)]
mod vector_tests;

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
