//! Read and write Flask's default session cookie (feature `flask`).
//!
//! [`FlaskCodec`] reads the cookies of Flask's `SecureCookieSessionInterface`
//! and writes cookies Flask reads as the same session, so a Rust service and
//! a Flask app can share one session cookie (for example while an app is
//! moved to Rust). What is byte-identical: an **uncompressed** cookie is the
//! one Flask writes for the same session, key and second (same JSON text,
//! timestamp and signature). A compressed cookie holds the same JSON, but
//! its zlib bytes come from zlib-rs, not Python's zlib, so they usually
//! differ, and near itsdangerous's "shorter by more than one byte" threshold
//! one side may compress where the other does not. Both sides read either
//! form. When the default level's cookie is over the limit, every other zlib
//! level is tried before [`Error::TooLarge`], so a session Flask fits in a
//! cookie fits here too.
//!
//! Tested against Flask 3.1.3 and itsdangerous 2.2.0 (`tests/flask_interop.py`
//! drives a real Flask app).
//!
//! ```toml
//! cookie-seal = { version = "0.1", features = ["flask"] }
//! ```
//!
//! The format:
//!
//! - itsdangerous `URLSafeTimedSerializer`, salt `cookie-session`, key
//!   derivation `"hmac"` with SHA-1: the signing key is
//!   `HMAC-SHA1(SECRET_KEY, salt)` and the signature
//!   `HMAC-SHA1(signing key, payload "." timestamp)`;
//! - the token `[.]payload.timestamp.signature`, every part base64url without
//!   padding; the payload is the JSON text, zlib-compressed with a leading
//!   `.` when that is shorter (by more than one byte, as itsdangerous decides);
//! - `PERMANENT_SESSION_LIFETIME` (default 31 days) checked against the
//!   timestamp, and `SECRET_KEY_FALLBACKS` (Flask 3.1): the current key
//!   signs, every key verifies;
//! - Flask's tagged JSON for the Python types JSON lacks.
//!
//! | Flask config | `FlaskCodec` |
//! |---|---|
//! | `SECRET_KEY` (a `str` key is its UTF-8 bytes) | [`FlaskCodec::new`] |
//! | `SECRET_KEY_FALLBACKS` (Flask 3.1+) | [`.fallbacks([old_key, ...])`](FlaskCodec::fallbacks) |
//! | `PERMANENT_SESSION_LIFETIME` (default 31 days) | [`.max_age(duration)`](FlaskCodec::max_age) |
//! | a custom `session_interface.salt` | [`.salt("...")`](FlaskCodec::salt) |
//! | `SESSION_COOKIE_NAME` (default `session`) | the name of the cookie you read and write |
//!
//! ```
//! # fn main() -> Result<(), cookie_seal::Error> {
//! use std::time::Duration;
//! use cookie_seal::flask::FlaskCodec;
//! use serde_json::json;
//!
//! // SECRET_KEY, SECRET_KEY_FALLBACKS and PERMANENT_SESSION_LIFETIME of the Flask app.
//! let flask = FlaskCodec::new(b"the Flask SECRET_KEY")
//!     .fallbacks(["the previous SECRET_KEY"])
//!     .max_age(Duration::from_secs(31 * 86_400));
//! // Log a user in for the Flask app, with a flash message it will show.
//! let cookie = flask.encode(&json!({
//!     "_user_id": "42",
//!     "_fresh": true,
//!     "_flashes": [{" t": ["message", "Welcome back"]}],
//! }))?;
//! // Read the session Flask wrote (Err(Invalid | Expired | ...) if it is not authentic and fresh).
//! let session = flask.decode(&cookie)?;
//! assert_eq!(session["_user_id"], "42");
//! # Ok(()) }
//! ```
//!
//! # Things to know
//!
//! - Flask's cookie is **signed, not encrypted**: anyone holding it can read
//!   every value in it. HMAC-SHA1 is still sound as a MAC, but the format has
//!   no key IDs, no purpose binding and no size limits of its own.
//!   `FlaskCodec` adds the limits: input over [`MAX_INPUT_LEN`] (4096 bytes)
//!   is refused before decoding, inflate stops at [`MAX_JSON_LEN`] (64 KiB),
//!   and only authentic cookies are inflated and parsed. Use it to share
//!   sessions with Flask, then move to [`crate::Codec`] (see
//!   [below](#moving-to-cookie-seals-own-sealed-format)).
//! - itsdangerous refuses any cookie signed in the future, so keep the clocks
//!   of Flask and Rust hosts in sync (NTP), or allow a little skew on the Rust
//!   side with [`FlaskCodec::clock_skew`].
//! - Write the cookie with the attributes Flask uses for it (name, `Path`,
//!   `Domain`, `Secure`, `HttpOnly`, `SameSite`), so the browser keeps one
//!   cookie, not two.
//!
//! # Session values
//!
//! A session is a JSON object ([`serde_json::Value::Object`]). JSON types
//! map to themselves; the types Flask tags map to these shapes, in both
//! directions (decoding produces them, encoding accepts them):
//!
//! | Python value | `serde_json::Value` shape | in the cookie |
//! |---|---|---|
//! | `tuple` | `{" t": [items]}` | `{" t": [items]}` |
//! | `bytes` | `{" b": [0, 255, ...]}` (numbers 0–255) | `{" b": "AP8="}` (base64) |
//! | `markupsafe.Markup` | `{" m": "<b>html</b>"}` | the same |
//! | `uuid.UUID` | `{" u": "12345678-1234-5678-1234-567812345678"}` | 32 hex digits |
//! | `datetime` (UTC) | `{" d": "2024-02-29T23:59:58Z"}` (RFC 3339) | `{" d": "Thu, 29 Feb 2024 23:59:58 GMT"}` |
//! | a one-entry `dict` whose key is one of the tags above or `" di"` | `{" di": {" t": value}}` | `{" di": {" t__": value}}` |
//!
//! The tag keys start with a space, as Flask's do: any one-entry object whose
//! key is [`TAG_TUPLE`], [`TAG_BYTES`], [`TAG_MARKUP`], [`TAG_UUID`],
//! [`TAG_DATETIME`] or [`TAG_DICT`] is read as that tag, so write such a
//! dict wrapped in `{" di": ...}`. Objects with more entries are never tags.
//!
//! When encoding, a datetime may carry any offset and fraction: it is
//! converted to UTC and cut to whole seconds, as Flask does. Flask's
//! `flash()` messages are a list of tuples:
//! `{"_flashes": [{" t": ["message", "Welcome"]}]}`.
//!
//! Python's `json` reads the integer `-0` as `0` and so does this codec
//! (`serde_json` alone would read the float `-0.0`); `-0.0` stays a float.
//!
//! Refused (with [`Error::Deserialize`] when decoding, [`Error::Serialize`]
//! when encoding): integers outside the 64-bit range, from −2⁶³ to 2⁶⁴−1
//! (Python keeps them exact, `serde_json` would round them to a float, so a
//! Flask session holding one is refused rather than altered; store such
//! numbers as strings in a shared session), `NaN` and `Infinity`, strings
//! with lone surrogates, nesting deeper than [`MAX_NESTING`], datetimes
//! before the year 100 (Flask itself misreads them), tags whose content is
//! not the shape above, and a top level that is not a dict.
//!
//! # Rotating Flask's secret key from either side
//!
//! Flask 3.1 verifies with `SECRET_KEY` and every key in
//! `SECRET_KEY_FALLBACKS`, and signs with `SECRET_KEY`; `FlaskCodec` does the
//! same. Rotate in three steps, so no reader ever meets a cookie signed with a
//! key it does not know:
//!
//! 1. **Stage**: add the new key as a fallback everywhere: Flask
//!    `SECRET_KEY_FALLBACKS = [new]`, Rust `FlaskCodec::new(old).fallbacks([new])`.
//!    Deploy both.
//! 2. **Switch**: make the new key current, the old one a fallback: Flask
//!    `SECRET_KEY = new`, `SECRET_KEY_FALLBACKS = [old]`; Rust
//!    `FlaskCodec::new(new).fallbacks([old])`. Either side can go first (Flask
//!    or Rust): after step 1 both read both keys.
//! 3. **Retire**: after `PERMANENT_SESSION_LIFETIME` every cookie under the old
//!    key has expired; remove it from the fallbacks on both sides.
//!
//! Skipping step 1 works too, but the side that switches first writes cookies
//! the other side cannot read yet: those users look logged out there (Flask
//! silently starts an empty session; `FlaskCodec` returns [`Error::Invalid`]).
//! With Flask older than 3.1 there are no fallbacks on the Flask side: switch
//! both sides at once and accept that existing sessions end.
//!
//! # Moving to cookie-seal's own sealed format
//!
//! Flask and Rust share the Flask cookie as long as Flask serves any route
//! that uses the session. Once it does not:
//!
//! 1. **Dual read**: keep the cookie name, write [`Codec::sealed`](crate::Codec::sealed)
//!    tokens, and accept both formats. A Flask cookie always contains `.`; a
//!    cookie-seal token never does (base64url only), so the format is known
//!    before any key is tried. Convert a valid Flask session into your session
//!    type and re-issue it sealed (this also moves it off HMAC-SHA1 and makes
//!    it unreadable to the client).
//! 2. **Retire**: after `PERMANENT_SESSION_LIFETIME` (31 days by default)
//!    every Flask cookie has expired or been re-issued; drop `FlaskCodec` and
//!    the `flask` feature.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cookie_seal::{flask::FlaskCodec, Codec, Key, Keyring, SessionMap};
//!
//! /// The session from the `session` cookie, and whether it must be re-issued.
//! fn load(cookie: &str, sealed: &Codec, flask: &FlaskCodec) -> Option<(SessionMap, bool)> {
//!     if !cookie.contains('.') {
//!         let decoded = sealed.decode::<SessionMap>(cookie).ok()?;
//!         let reissue = decoded.needs_reissue();
//!         return Some((decoded.value, reissue));
//!     }
//!     // A Flask cookie: carry over the entries the Rust side uses, then write it sealed.
//!     let old = flask.decode(cookie).ok()?;
//!     let mut session = SessionMap::new();
//!     if let Some(user_id) = old.get("_user_id").and_then(|v| v.as_str()) {
//!         session.insert("user_id", user_id).ok()?;
//!     }
//!     Some((session, true))
//! }
//!
//! let sealed = Codec::sealed(Keyring::new(1, Key::generate()));
//! let flask = FlaskCodec::new(b"the Flask SECRET_KEY");
//! let from_flask = flask.encode(&serde_json::json!({"_user_id": "42"}))?;
//! let (session, reissue) = load(&from_flask, &sealed, &flask).ok_or("no session")?;
//! assert!(reissue);
//! let new_cookie = sealed.encode(&session)?;                     // Set-Cookie: session=<this>
//! let (again, reissue) = load(&new_cookie, &sealed, &flask).ok_or("no session")?;
//! assert_eq!((again.get::<String>("user_id")?, reissue), (Some("42".to_owned()), false));
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, doc(cfg(feature = "flask")))]

mod decode;
mod encode;
mod signer;
mod tag;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use self::signer::SigningKey;
use crate::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_COOKIE_LEN};
use crate::error::Error;

/// Flask's session salt (`SecureCookieSessionInterface.salt`).
pub const DEFAULT_SALT: &str = "cookie-session";
/// Flask's default `PERMANENT_SESSION_LIFETIME`: 31 days.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(31 * 24 * 3600);
/// The longest cookie value [`FlaskCodec::decode_at`] reads; longer input is
/// refused before any decoding. A browser keeps at most 4096 bytes of name
/// and value together.
pub const MAX_INPUT_LEN: usize = MAX_COOKIE_LEN;
/// The longest token [`FlaskCodec::encode_at`] writes: 4096 bytes minus the
/// name of Flask's default cookie, `session`.
pub const MAX_ENCODED_LEN: usize = DEFAULT_MAX_TOKEN_LEN;
/// The largest session JSON text, in bytes: the inflate cap when decoding,
/// and the limit when encoding (so every encoded token decodes).
pub const MAX_JSON_LEN: usize = 64 * 1024;
/// The deepest nesting of arrays and objects in the session JSON as Flask
/// writes it, counting the session dict as 1 (a tuple is two levels: its tag
/// object and the array).
pub const MAX_NESTING: usize = tag::MAX_NESTING;

/// Tag key of a Python `tuple`: `{" t": [items]}`.
pub const TAG_TUPLE: &str = " t";
/// Tag key of Python `bytes`: `{" b": [numbers 0-255]}`.
pub const TAG_BYTES: &str = " b";
/// Tag key of `markupsafe.Markup`: `{" m": "html"}`.
pub const TAG_MARKUP: &str = " m";
/// Tag key of `uuid.UUID`: `{" u": "hyphenated lowercase UUID"}`.
pub const TAG_UUID: &str = " u";
/// Tag key of a `datetime`: `{" d": "RFC 3339 time"}`.
pub const TAG_DATETIME: &str = " d";
/// Tag key of a one-entry dict whose key is itself a tag key:
/// `{" di": {" t": value}}` is the Python dict `{" t": value}`.
pub const TAG_DICT: &str = " di";

/// Reads and writes Flask's default session cookie.
///
/// Build it once (the signing keys are derived here) and share it.
/// `Debug` shows the settings, never the keys.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use std::time::{Duration, SystemTime};
/// use cookie_seal::flask::FlaskCodec;
/// use cookie_seal::Error;
/// use serde_json::json;
///
/// let codec = FlaskCodec::new(b"dev");
/// let now = SystemTime::now();
/// let cookie = codec.encode_at(&json!({"user_id": 7}), now)?;
/// assert_eq!(codec.decode_at(&cookie, now)?, json!({"user_id": 7}));
///
/// let a_month_later = now + Duration::from_secs(32 * 24 * 3600);
/// assert!(matches!(codec.decode_at(&cookie, a_month_later), Err(Error::Expired { .. })));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FlaskCodec {
    keys: Arc<FlaskKeys>,
    salt: String,
    max_age: u64,
    clock_skew: u64,
}

/// The secret keys and their derived signing keys, the current key first.
struct FlaskKeys {
    secrets: Vec<Zeroizing<Vec<u8>>>,
    signing: Vec<SigningKey>,
}

impl FlaskKeys {
    fn new(secrets: Vec<Zeroizing<Vec<u8>>>, salt: &str) -> FlaskKeys {
        let signing = secrets
            .iter()
            .map(|secret| SigningKey::derive(secret, salt.as_bytes()))
            .collect();
        FlaskKeys { secrets, signing }
    }

    /// Flask refuses to sign sessions without a secret key; an empty
    /// fallback would let anyone forge a cookie.
    fn check(&self) -> Result<(), Error> {
        match self.secrets.iter().position(|secret| secret.is_empty()) {
            Some(0) => Err(Error::EmptySecretKey { fallback: None }),
            Some(n) => Err(Error::EmptySecretKey { fallback: Some(n) }),
            None => Ok(()),
        }
    }
}

impl FlaskCodec {
    /// A codec for a Flask app whose `SECRET_KEY` is `secret_key` (a Python
    /// `str` key is its UTF-8 bytes), with Flask's defaults: salt
    /// `cookie-session`, 31-day lifetime, no fallback keys.
    ///
    /// An empty key makes every encode and decode fail with
    /// [`Error::EmptySecretKey`], as Flask refuses sessions without a secret key.
    ///
    /// ```
    /// let codec = cookie_seal::flask::FlaskCodec::new("dev".as_bytes());
    /// ```
    #[must_use]
    pub fn new(secret_key: &[u8]) -> FlaskCodec {
        let secrets = vec![Zeroizing::new(secret_key.to_vec())];
        FlaskCodec {
            keys: Arc::new(FlaskKeys::new(secrets, DEFAULT_SALT)),
            salt: DEFAULT_SALT.to_owned(),
            max_age: DEFAULT_MAX_AGE.as_secs(),
            clock_skew: 0,
        }
    }

    /// Sets Flask 3.1's `SECRET_KEY_FALLBACKS`: old keys that still verify
    /// cookies but never sign. Replaces any fallbacks set before. The current
    /// key is tried first, then each fallback.
    ///
    /// An empty fallback key makes every encode and decode fail with
    /// [`Error::EmptySecretKey`].
    ///
    /// ```
    /// use cookie_seal::flask::FlaskCodec;
    /// let codec = FlaskCodec::new(b"new key").fallbacks(["old key", "older"]);
    /// ```
    #[must_use]
    pub fn fallbacks<I, K>(self, keys: I) -> FlaskCodec
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        let current = self.keys.secrets.first().cloned().into_iter();
        let fallbacks = keys
            .into_iter()
            .map(|key| Zeroizing::new(key.as_ref().to_vec()));
        let secrets = current.chain(fallbacks).collect();
        FlaskCodec {
            keys: Arc::new(FlaskKeys::new(secrets, &self.salt)),
            ..self
        }
    }

    /// Sets `PERMANENT_SESSION_LIFETIME` (default 31 days). Like Flask, the
    /// lifetime applies to every session cookie read, counted from the time
    /// it was signed. A fraction of a second is rounded up (500 ms lasts
    /// 1 s, not nothing); zero is an invalid setting, reported by
    /// [`FlaskCodec::validate`] and by every encode and decode.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> FlaskCodec {
        self.max_age = whole_seconds(max_age);
        self
    }

    /// Sets the salt (default `cookie-session`), for an app that subclassed
    /// `SecureCookieSessionInterface` with another `salt`.
    #[must_use]
    pub fn salt(self, salt: &str) -> FlaskCodec {
        let secrets = self.keys.secrets.clone();
        FlaskCodec {
            keys: Arc::new(FlaskKeys::new(secrets, salt)),
            salt: salt.to_owned(),
            ..self
        }
    }

    /// Tolerates cookies signed up to `skew` in the future (a fraction of a
    /// second is rounded up). Default 0, as itsdangerous: a cookie from a
    /// host whose clock runs ahead is refused until the reader's clock
    /// catches up.
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> FlaskCodec {
        self.clock_skew = whole_seconds(skew);
        self
    }

    /// Checks every setting. Like [`crate::Codec`], the builder methods never
    /// fail; [`FlaskCodec::encode_at`] and [`FlaskCodec::decode_at`] run this
    /// same check first and fail with the same error.
    ///
    /// # Errors
    /// [`Error::EmptySecretKey`] naming the empty key (`SECRET_KEY` or a
    /// fallback); [`Error::InvalidOption`] for a zero `max_age`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cookie_seal::flask::FlaskCodec;
    /// use cookie_seal::Error;
    ///
    /// assert_eq!(FlaskCodec::new(b"k").validate(), Ok(()));
    /// let empty_fallback = FlaskCodec::new(b"k").fallbacks([""]);
    /// assert_eq!(empty_fallback.validate(), Err(Error::EmptySecretKey { fallback: Some(1) }));
    /// let no_lifetime = FlaskCodec::new(b"k").max_age(Duration::ZERO);
    /// assert!(matches!(no_lifetime.validate(), Err(Error::InvalidOption(_))));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.keys.check()?;
        if self.max_age == 0 {
            return Err(Error::InvalidOption("max_age must be at least 1 second"));
        }
        Ok(())
    }
}

/// Whole seconds, a fraction rounded up.
fn whole_seconds(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}

impl fmt::Debug for FlaskCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlaskCodec")
            .field("salt", &self.salt)
            .field("fallback_keys", &self.keys.secrets.len().saturating_sub(1))
            .field("max_age_secs", &self.max_age)
            .field("clock_skew_secs", &self.clock_skew)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
