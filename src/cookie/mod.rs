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
//! - [`SessionCookie`] binds a [`Codec`](crate::Codec) to a config: it sets the codec's
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
//! let loaded = cookies.load::<cookie_seal::SessionMap>([], now);
//! let mut session = loaded.session();
//! session.insert("user", "alice")?;
//! let set_cookie = cookies.save(&loaded, &session, now)?;
//! assert!(set_cookie[0].starts_with("__Host-session="));
//! assert!(set_cookie[0].contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"));
//!
//! // The next request sends it back.
//! let request_cookie = set_cookie[0].split(';').next().unwrap_or_default();
//! let loaded = cookies.load::<cookie_seal::SessionMap>([request_cookie], now);
//! assert_eq!(loaded.session().get::<String>("user")?.as_deref(), Some("alice"));
//! # Ok(()) }
//! ```
//!
//! # Cookie defaults
//!
//! | attribute | default | why |
//! |---|---|---|
//! | name | `session` ([`CookieConfig::default`]); use `__Host-session` | the `__Host-` prefix makes the browser refuse the cookie unless it is `Secure`, `Path=/` and has no `Domain`, so a sibling subdomain or a plain-http attacker cannot plant ("toss") one. `__Host-` and `__Secure-` rules are checked when the config is built |
//! | `Secure` | on | the cookie never travels over plain http |
//! | `HttpOnly` | on | page scripts cannot read it, so an XSS bug cannot steal the session |
//! | `SameSite` | `Lax` | not sent with cross-site form posts and subrequests (CSRF), still sent when a user follows a link from another site. `Strict` also drops those; `None` needs `Secure` (checked) |
//! | `Path` | `/` | the whole site; required by `__Host-` |
//! | `Domain` | none | host-only: the cookie is not sent to other subdomains |
//! | `Partitioned` | off ([`CookieConfig::partitioned`]) | CHIPS: for an app embedded in other sites, one cookie jar per embedding site; needs `Secure` (checked), and is also on every chunk and removal cookie |
//! | `Max-Age` | the codec's idle lifetime ([`Settings::max_age`](crate::Settings::max_age)) | the browser forgets the cookie when the token would be expired anyway; the token's own times are what is enforced |
//!
//! Size rules: name + value ≤ 4096 bytes ([`MAX_COOKIE_LEN`](crate::consts::MAX_COOKIE_LEN)):
//! [`SessionCookie::new`] sets the codec's token budget to 4096 minus the name's length (or
//! keeps the codec's own [`token_budget`](crate::Codec::token_budget) if that is smaller), so
//! `encode` refuses ([`Error::TooLarge`](crate::Error::TooLarge)) a session that would make a
//! bigger cookie, and [`SessionCookie::set_cookies`] refuses a bigger cookie outright. Browsers
//! do not report an oversized cookie, they drop it: the browser test measured Chromium 156
//! keeping a cookie of 4096 bytes (name + value) and silently dropping 4097, 4098 and 4099, and
//! it stored and sent back the largest session cookie the crate writes (4096 bytes) while the
//! crate refused the next session size up. Names must be RFC 6265 token characters, `Path` and
//! `Domain` values are checked, and attribute values over 1024 bytes
//! ([`MAX_ATTRIBUTE_LEN`](crate::consts::MAX_ATTRIBUTE_LEN)) are errors (browsers silently
//! ignore them).
//!
//! Every token is bound to its cookie name (the name is the codec's context), so a token copied
//! from one cookie into another does not verify. When a request carries the same name several
//! times (a stale cookie under another path, junk, or a cookie planted by a sibling subdomain),
//! every distinct one is verified, up to 16 ([`SessionCookie::load`]): exactly one authentic
//! cookie is the session; two different authentic ones are refused as
//! [`Error::AmbiguousCookie`](crate::Error::AmbiguousCookie), so a planted session never
//! silently replaces the user's own; and after an ambiguous request `save` deletes nothing.
//! With the `__Host-` prefix no other host can plant the cookie in the first place.
//!
//! # Chunking large sessions
//!
//! Opt-in: `CookieConfig::new("__Host-session")?.chunking(n)` ([`CookieConfig::chunking`]) lets
//! one token span up to `n` cookies (at most [`MAX_CHUNKS`](crate::consts::MAX_CHUNKS) = 8),
//! and raises the token budget to what `n` cookies hold within the `Cookie` header budget
//! ([`CookieConfig::header_budget`], default [`DEFAULT_COOKIE_HEADER_BUDGET`] = 7 KiB, so two
//! chunks by default), never past a smaller budget set on the codec, at most
//! [`MAX_TOKEN_LEN`](crate::consts::MAX_TOKEN_LEN) (24 KiB). A token that fits one cookie stays
//! in the single cookie `name`; a larger one is split over `name.0`, `name.1`, … where `name.0`
//! starts with the chunk count (`3.` + the first part). On the way back the chunks are
//! reassembled and the whole token is verified as one:
//!
//! - chunks that do not reassemble (one missing, a bad count marker) are
//!   [`Error::Malformed`](crate::Error::Malformed), found before any cryptography; a stray chunk
//!   beyond the count is ignored, a chunk sent with several values gives one candidate per
//!   combination, and chunks next to a single `name` cookie are candidates beside it, all
//!   under the rule above (one authentic token wins, two are ambiguous);
//! - a stale chunk from an earlier session, or chunks whose values were swapped, fail
//!   authentication ([`Error::Invalid`](crate::Error::Invalid));
//! - when a session shrinks (or moves between one cookie and chunks), `save`/`set_cookies` emit
//!   removal cookies for the ones it no longer uses, from the request's cookies
//!   ([`Loaded::present`]) or a remembered count (`PresentCookies::none().chunks(n)`,
//!   [`PresentCookies::chunks`]).
//!
//! Limits outside the crate: every chunk is a full cookie and is sent with every request to the
//! site. Browsers keep about 180 cookies per site (Chromium and Firefox; RFC 6265 only promises
//! 50) and evict the oldest beyond that. Servers and proxies cap request headers: nginx's
//! default `large_client_header_buffers 4 8k` and Apache's `LimitRequestFieldSize 8190` refuse
//! a `Cookie` header over about 8 KiB (that is two full chunks) with a 400 error, which is why
//! the default header budget is 7 KiB (`tests/cookie/nginx.rs` sends the largest default session
//! through a real nginx); hyper (axum) accepts a request head of about 400 KiB and actix-web
//! 128 KiB: raise the budget only as far as every proxy in front of the app allows. Every
//! request also uploads the whole session. If a session needs more than one cookie, consider
//! keeping it server-side and putting only a signed [`SessionId`](crate::SessionId) in the
//! cookie (next section).
//!
//! # Server-side sessions: a signed session ID
//!
//! A cookie session keeps the whole session in the cookie; a server-side session keeps it in a
//! store (Redis, as Flask-Session does) and puts only a random session ID in the cookie. For
//! the second, sign a [`SessionId`](crate::SessionId) (256 random bits) with a codec of its own
//! purpose and verify it **before** touching the store. The pattern, with a `HashMap` standing
//! in for Redis (the Redis example app and a comparison of both kinds of session are in the
//! repository's examples/README.md):
//!
//! ```
//! use std::collections::HashMap;
//! use std::time::SystemTime;
//! use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
//! use cookie_seal::{Codec, EncodeOptions, Key, Keyring, SessionId};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = Keyring::new(1, Key::generate()); // in production: SESSION_KEYS, parsed
//! let codec = Codec::signed(keys).purpose("sid");
//! let cookies = SessionCookie::new(codec, CookieConfig::new("__Host-sid")?)?;
//! let mut store: HashMap<String, String> = HashMap::new();
//! let now = SystemTime::now();
//!
//! // Login: a fresh random ID, the data under it on the server, the signed ID in the cookie.
//! let id = SessionId::generate()?;
//! store.insert(format!("app:session:{}", id.to_base64url()), r#"{"user":"alice"}"#.into());
//! let set_cookie = cookies.store(&id, &EncodeOptions::new(), &PresentCookies::none(), now)?;
//!
//! // Later requests: verify first; only a verified ID reaches the store.
//! let request = set_cookie[0].split(';').next().unwrap_or_default(); // "__Host-sid=<token>"
//! let loaded = cookies.load::<SessionId>([request], now);
//! let key = loaded.decoded().map(|d| format!("app:session:{}", d.value.to_base64url()));
//! assert_eq!(key.and_then(|k| store.get(&k)).map(String::as_str), Some(r#"{"user":"alice"}"#));
//!
//! let forged = cookies.load::<SessionId>(["__Host-sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"], now);
//! assert!(forged.decoded().is_none() && forged.error().is_some()); // no store lookup at all
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! Files: `config.rs` (name, attributes, rendering), `chunk/` (one token
//! across several cookies, and finding this config's cookies in a request),
//! `session_cookie.rs` (load, save, store, remove).

mod chunk;
mod config;
mod session_cookie;
#[cfg(all(feature = "store", any(feature = "tower", feature = "actix")))]
mod store_support;
mod validate;

pub use chunk::PresentCookies;
pub use config::{CookieConfig, SameSite, DEFAULT_COOKIE_HEADER_BUDGET, MIN_COOKIE_HEADER_BUDGET};
pub use session_cookie::{Loaded, SessionCookie};
