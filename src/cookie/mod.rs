//! Session cookies: `Set-Cookie` values with secure defaults, tokens read
//! back from `Cookie` request headers, and opt-in chunking of tokens too big
//! for one cookie.
//!
//! This layer owns no HTTP types and does no I/O: it takes the request's
//! `Cookie` header values as strings and returns `Set-Cookie` header values as
//! strings, so any framework can use it in a few lines. Headers are rendered
//! and parsed by the [`cookie`](https://docs.rs/cookie) crate.
//!
//! - [`CookieConfig`] holds the cookie's name and attributes. The defaults are
//!   the safe ones: `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/`, name
//!   `session`, `Max-Age` from the codec's idle lifetime.
//! - [`SessionCookie`] binds a [`Codec`] to a config: it sets the codec's
//!   token budget to what the cookie can hold, binds every token to the
//!   cookie name (a token issued for one cookie never verifies in another),
//!   and loads, stores and removes sessions.
//!
//! ```
//! # fn main() -> Result<(), cookie_seal::Error> {
//! use std::time::SystemTime;
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::{Codec, Key, Keyring};
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! let now = SystemTime::now();
//!
//! // A request without a cookie: an empty session.
//! let loaded = cookies.load::<cookie_seal::Session>([], now);
//! let mut session = loaded.session();
//! session.insert("user", "alice")?;
//! let set_cookie = cookies.save(&loaded, &session, now)?;
//! assert!(set_cookie[0].starts_with("__Host-session="));
//! assert!(set_cookie[0].contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"));
//!
//! // The next request sends it back.
//! let request_cookie = set_cookie[0].split(';').next().unwrap_or_default();
//! let loaded = cookies.load::<cookie_seal::Session>([request_cookie], now);
//! assert_eq!(loaded.session().get::<String>("user")?.as_deref(), Some("alice"));
//! # Ok(()) }
//! ```
//!
//! Files: `config.rs` (name, attributes, rendering), `chunk.rs` (one token
//! across several cookies, and finding this config's cookies in a request),
//! `session_cookie.rs` (load, save, store, remove).

mod chunk;
mod config;
mod session_cookie;

pub use chunk::PresentCookies;
pub use config::{CookieConfig, SameSite, DEFAULT_COOKIE_HEADER_BUDGET, MIN_COOKIE_HEADER_BUDGET};
pub use session_cookie::{Loaded, SessionCookie};
