//! Signed or encrypted session cookies with key rotation, expiry and hard size limits.
//!
//! `cookie-seal` turns a session map ([`SessionMap`]) or any serde type into a short cookie value
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
//! use cookie_seal::{Codec, Keyring, SessionMap};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let keys = cookie_seal::Keyring::new(1, cookie_seal::Key::generate()).export();
//! # std::env::set_var("SESSION_KEYS", keys.as_str());
//! // SESSION_KEYS="1:<32 random bytes, base64>", e.g. from `cookie-seal keygen`.
//! let keys: Keyring = std::env::var("SESSION_KEYS")?.parse()?;
//! let codec = Codec::sealed(keys.clone()).max_age(Duration::from_secs(3600)); // or Codec::signed
//!
//! let mut session = SessionMap::new();
//! session.insert("user_id", &42u64)?;
//! let token = codec.encode(&session)?;                 // the cookie value, <= 4089 bytes
//!
//! let decoded = codec.decode::<SessionMap>(&token)?;      // Err(Invalid | Expired | ...) otherwise
//! assert_eq!(decoded.value.get::<u64>("user_id")?, Some(42));
//! if decoded.needs_reissue() {                         // written with an old key: write it again
//!     let fresh = codec.encode_with(&decoded.value, &decoded.carry_over(), SystemTime::now())?;
//! }
//! let csrf = Codec::signed(keys).purpose("csrf");      // readable by the client, unforgeable
//! # Ok(()) }
//! ```
//!
//! Any `Serialize + DeserializeOwned` type works in place of [`SessionMap`], and is smaller (no
//! keys stored). For cookies, [`cookie::SessionCookie`] binds a codec to a cookie name and
//! attributes, loads the session from the request's `Cookie` headers and decides which
//! `Set-Cookie` headers to send.
//!
//! In axum, add [`SessionLayer`][SessionLayer] to the router and take a
//! [`Session`][axum-Session] argument in a handler: the layer loads the session once per
//! request and writes exactly the `Set-Cookie` headers needed (the [`axum`][axum-module]
//! module shows a complete app; the [`actix`][actix-module] module does the same for
//! actix-web):
//!
//! ```ignore
//! async fn counter(session: cookie_seal::axum::Session) -> Result<String, cookie_seal::Error> {
//!     let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
//!     session.insert("n", &n)?;
//!     Ok(n.to_string())
//! }
//! let app = Router::new().route("/", get(counter)).layer(SessionLayer::new(cookies));
//! ```
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
//! | sealed tokens (XChaCha20-Poly1305; only version, mode and key ID readable) | [`Codec::sealed`] |
//! | synthetic nonces (no system call per token, safe across `fork`), or one from the OS per token | [`NonceSource`] |
//! | sealed length padded to buckets | [`Codec::pad_to`] |
//! | per-mode, per-purpose subkeys via HKDF-SHA256, derived once per codec | built in |
//! | keyring with key IDs, textual form for one env var | [`Keyring`], its `FromStr`, [`Keyring::export`] |
//! | rotation hint | [`Decoded::needs_reissue`] |
//! | idle lifetime, clock skew | [`Codec::max_age`], [`Codec::clock_skew`] |
//! | absolute lifetime across re-issues | [`Codec::absolute_lifetime`], [`Decoded::carry_over`] |
//! | rolling refresh | [`Codec::reissue_after`] |
//! | purpose and per-call context binding | [`Codec::purpose`], [`EncodeOptions::context`], [`DecodeOptions::context`] |
//! | generation counter ("log out everywhere") | [`EncodeOptions::generation`], [`Decoded::check_generation`] |
//! | dynamic session map, fixation defence | [`SessionMap`], [`SessionMap::clear_and_regenerate`], [`SessionMap::regenerate`] |
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
//! | a session layer for tower/axum with `Session` and `Typed<T>` extractors (features `tower`, `axum`) | [`tower::SessionLayer`][SessionLayer], [`axum::Session`][axum-Session] |
//! | actix-web middleware and extractors (feature `actix`) | [`actix::SessionMiddleware`][actix-mw] |
//! | Flask session cookies, read and write (feature `flask`) | [`flask::FlaskCodec`][FlaskCodec] |
//! | operator CLI: keygen, rotate, inspect, verify (feature `cli`) | the `cookie-seal` binary |
//!
//! Token sizes with default settings, in bytes:
//!
//! | payload | signed | sealed |
//! |---|---|---|
//! | empty [`SessionMap`] | 56 | 68 |
//! | ~110-byte session (5 entries, as in the quickstart example) | 186 | 198 |
//!
//! # Cargo features
//!
//! | feature | adds |
//! |---|---|
//! | `tower` | the [`tower`][tower-module] module: `SessionLayer` for any tower or hyper service (adds `http`, `tower-layer`, `tower-service`) |
//! | `axum` | the [`axum`][axum-module] module: `Session` and `Typed<T>` extractors for that layer (enables `tower`; adds `axum-core`) |
//! | `actix` | the [`actix`][actix-module] module: `SessionMiddleware` and the same extractors for actix-web 4 (adds `actix-web` without default features) |
//! | `flask` | the [`flask`][flask-module] module: read and write Flask's default session cookie |
//! | `cli` | the `cookie-seal` operator binary (keygen, rotate, inspect, verify); the library itself is unchanged |
//!
//! No feature is on by default, and none pulls in an async runtime.
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
//!
// Links to feature-gated items resolve when the feature is on (as on docs.rs) and point to
// the feature table otherwise, so no build of the docs has a broken link.
#![cfg_attr(feature = "flask", doc = "[FlaskCodec]: crate::flask::FlaskCodec")]
#![cfg_attr(feature = "flask", doc = "[flask-module]: crate::flask")]
#![cfg_attr(not(feature = "flask"), doc = "[FlaskCodec]: #cargo-features")]
#![cfg_attr(not(feature = "flask"), doc = "[flask-module]: #cargo-features")]
#![cfg_attr(feature = "tower", doc = "[tower-module]: crate::tower")]
#![cfg_attr(feature = "tower", doc = "[SessionLayer]: crate::tower::SessionLayer")]
#![cfg_attr(not(feature = "tower"), doc = "[tower-module]: #cargo-features")]
#![cfg_attr(not(feature = "tower"), doc = "[SessionLayer]: #cargo-features")]
#![cfg_attr(feature = "axum", doc = "[axum-module]: crate::axum")]
#![cfg_attr(feature = "axum", doc = "[axum-Session]: crate::axum::Session")]
#![cfg_attr(not(feature = "axum"), doc = "[axum-module]: #cargo-features")]
#![cfg_attr(not(feature = "axum"), doc = "[axum-Session]: #cargo-features")]
#![cfg_attr(feature = "actix", doc = "[actix-module]: crate::actix")]
#![cfg_attr(feature = "actix", doc = "[actix-mw]: crate::actix::SessionMiddleware")]
#![cfg_attr(not(feature = "actix"), doc = "[actix-module]: #cargo-features")]
#![cfg_attr(not(feature = "actix"), doc = "[actix-mw]: #cargo-features")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

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
#[cfg(test)]
mod format_vectors;
mod key;
mod keyring;
mod nonce;
mod seal;
mod serialize;
mod session;
mod sign;
#[cfg(feature = "store")]
#[cfg_attr(docsrs, doc(cfg(feature = "store")))]
pub mod store;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
#[cfg(any(feature = "tower", feature = "actix"))]
mod web_session;

// `cargo fuzz` builds with `--cfg fuzzing`; no feature can switch this on.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod __fuzz;
#[cfg(test)]
mod rfc_wycheproof_vectors;

pub use codec::{
    inspect, Codec, Compression, DecodeOptions, Decoded, EncodeOptions, Expiry, Settings,
};
pub use envelope::{Mode, UntrustedHeader};
pub use error::{Error, Lifetime};
pub use key::Key;
pub use keyring::Keyring;
#[doc(hidden)]
pub use nonce::__freeze_nonce_clock;
pub use nonce::NonceSource;
pub use session::{SessionId, SessionMap};
