//! Read and write Flask's default session cookie (feature `flask`).
//!
//! [`FlaskCodec`] implements Flask's `SecureCookieSessionInterface` exactly,
//! so a Rust service and a Flask app can share one session cookie (for
//! example while an app is moved to Rust):
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
//! Flask's cookie is **signed, not encrypted**: anyone holding it can read the
//! session. The signature uses HMAC-SHA1, which is still sound as a MAC, but
//! the format has no key IDs, no purpose binding and no size limits of its
//! own. Use it to share sessions with Flask, then move to [`crate::Codec`]
//! (see the README's Flask section for the migration path).
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
//! Refused (with [`Error::Deserialize`] when decoding, [`Error::Serialize`]
//! when encoding): integers outside the 64-bit range (serde_json would round
//! them), `NaN` and `Infinity`, strings with lone surrogates, nesting deeper
//! than [`MAX_NESTING`], datetimes before the year 100 (Flask itself misreads
//! them), tags whose content is not the shape above, and a top level that is
//! not a dict.
//!
//! ```
//! # fn main() -> Result<(), cookie_seal::Error> {
//! use std::time::Duration;
//! use cookie_seal::flask::FlaskCodec;
//! use serde_json::json;
//!
//! // SECRET_KEY, SECRET_KEY_FALLBACKS and PERMANENT_SESSION_LIFETIME of the Flask app.
//! let codec = FlaskCodec::new(b"the Flask SECRET_KEY")
//!     .fallbacks(["the previous SECRET_KEY"])
//!     .max_age(Duration::from_secs(3600));
//! let cookie = codec.encode(&json!({
//!     "user_id": 42,
//!     "_flashes": [{" t": ["message", "Welcome back"]}],
//! }))?;
//! let session = codec.decode(&cookie)?;
//! assert_eq!(session["user_id"], 42);
//! # Ok(()) }
//! ```

mod signer;
mod tag;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use zeroize::Zeroizing;

use self::signer::{SigningKey, UntrustedToken};
use crate::consts::{DEFAULT_MAX_TOKEN_LEN, MAX_COOKIE_LEN};
use crate::envelope::{to_system_time, unix_seconds};
use crate::error::{Error, Lifetime};
use crate::{compress, encoding};

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

/// zlib level Python's `zlib.compress` uses by default.
const ZLIB_LEVEL: u32 = 6;

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
        match self.secrets.iter().find(|secret| secret.is_empty()) {
            Some(_) => Err(Error::KeyLength {
                len: 0,
                min: 1,
                max: usize::MAX,
            }),
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
    /// [`Error::KeyLength`], as Flask refuses sessions without a secret key.
    ///
    /// ```
    /// let codec = cookie_seal::flask::FlaskCodec::new("dev".as_bytes());
    /// ```
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
    /// [`Error::KeyLength`].
    ///
    /// ```
    /// use cookie_seal::flask::FlaskCodec;
    /// let codec = FlaskCodec::new(b"new key").fallbacks(["old key", "older"]);
    /// ```
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

    /// Sets `PERMANENT_SESSION_LIFETIME` (default 31 days, whole seconds).
    /// Like Flask, the lifetime applies to every session cookie read, counted
    /// from the time it was signed.
    pub fn max_age(mut self, max_age: Duration) -> FlaskCodec {
        self.max_age = max_age.as_secs();
        self
    }

    /// Sets the salt (default `cookie-session`), for an app that subclassed
    /// `SecureCookieSessionInterface` with another `salt`.
    pub fn salt(self, salt: &str) -> FlaskCodec {
        let secrets = self.keys.secrets.clone();
        FlaskCodec {
            keys: Arc::new(FlaskKeys::new(secrets, salt)),
            salt: salt.to_owned(),
            ..self
        }
    }

    /// Tolerates cookies signed up to `skew` in the future (whole seconds).
    /// Default 0, as itsdangerous: a cookie from a host whose clock runs
    /// ahead is refused until the reader's clock catches up.
    pub fn clock_skew(mut self, skew: Duration) -> FlaskCodec {
        self.clock_skew = skew.as_secs();
        self
    }

    /// Encodes `session` signed now. See [`FlaskCodec::encode_at`].
    ///
    /// # Errors
    /// As [`FlaskCodec::encode_at`].
    pub fn encode(&self, session: &Value) -> Result<String, Error> {
        self.encode_at(session, SystemTime::now())
    }

    /// Encodes `session` (a JSON object in the shapes of the
    /// [module docs](self)) as Flask's session cookie value, signed with the
    /// current key at `now`.
    ///
    /// # Errors
    /// [`Error::Serialize`] if `session` is not a dict, has a tag shape with
    /// the wrong content or nests deeper than [`MAX_NESTING`];
    /// [`Error::TooLarge`] if its JSON exceeds [`MAX_JSON_LEN`] or the token
    /// [`MAX_ENCODED_LEN`]; [`Error::TimeOutOfRange`] for a `now` before
    /// 1970; [`Error::KeyLength`] for an empty key.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use cookie_seal::flask::FlaskCodec;
    /// use serde_json::json;
    ///
    /// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let cookie = FlaskCodec::new(b"flask-secret").encode_at(&json!({"user_id": 42}), now)?;
    /// // What Flask 3.1.3 writes for `session["user_id"] = 42` at that time.
    /// assert_eq!(cookie, "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.xBiiReDyCviLRFpewSeiovwvVC8");
    /// # Ok(()) }
    /// ```
    pub fn encode_at(&self, session: &Value, now: SystemTime) -> Result<String, Error> {
        self.keys.check()?;
        let timestamp = unix_seconds(now)?;
        let json = tag::to_json(session)?;
        if json.len() > MAX_JSON_LEN {
            return Err(Error::TooLarge {
                len: json.len(),
                limit: MAX_JSON_LEN,
            });
        }
        // itsdangerous keeps the compressed form only if it saves more than
        // the one byte of its `.` marker.
        let payload =
            match compress::zlib_shorter_than(&json, json.len().saturating_sub(1), ZLIB_LEVEL) {
                Some(zlib) => format!("{}{}", signer::SEP, encoding::encode(&zlib)),
                None => encoding::encode(&json),
            };
        let token_len = signer::token_len(payload.len(), timestamp);
        if token_len > MAX_ENCODED_LEN {
            return Err(Error::TooLarge {
                len: token_len,
                limit: MAX_ENCODED_LEN,
            });
        }
        let current = self.keys.signing.first().ok_or(Error::EmptyKeyring)?;
        Ok(current.sign(&payload, timestamp))
    }

    /// Decodes and verifies a Flask session cookie value against the current
    /// time. See [`FlaskCodec::decode_at`].
    ///
    /// # Errors
    /// As [`FlaskCodec::decode_at`].
    pub fn decode(&self, cookie: &str) -> Result<Value, Error> {
        self.decode_at(cookie, SystemTime::now())
    }

    /// Decodes and verifies a Flask session cookie value as of `now`, into
    /// the shapes of the [module docs](self).
    ///
    /// # Errors
    /// In the order checked: [`Error::TooLarge`] over [`MAX_INPUT_LEN`]
    /// (before any decoding); [`Error::Malformed`] if it is not
    /// `[.]payload.timestamp.signature` in strict base64url; [`Error::Invalid`]
    /// if no key verifies the signature (nothing else was read); then, for
    /// authentic cookies only, [`Error::IssuedInFuture`], [`Error::Expired`],
    /// [`Error::Inflate`] (corrupt zlib or more than [`MAX_JSON_LEN`] bytes)
    /// and [`Error::Deserialize`] (JSON or tag content the module docs
    /// refuse). [`Error::TimeOutOfRange`] for a `now` before 1970,
    /// [`Error::KeyLength`] for an empty key.
    ///
    /// # Security
    /// The signature is compared in constant time, against each key in turn
    /// (the format has no key ID). Only authentic cookies are inflated and
    /// parsed.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use cookie_seal::flask::FlaskCodec;
    /// use cookie_seal::Error;
    /// use serde_json::json;
    ///
    /// // Written by Flask 3.1.3 with SECRET_KEY = "flask-secret".
    /// let cookie = "eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.xBiiReDyCviLRFpewSeiovwvVC8";
    /// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_100);
    /// let codec = FlaskCodec::new(b"flask-secret");
    /// assert_eq!(codec.decode_at(cookie, now)?, json!({"user_id": 42}));
    /// assert_eq!(FlaskCodec::new(b"other").decode_at(cookie, now), Err(Error::Invalid));
    /// # Ok(()) }
    /// ```
    pub fn decode_at(&self, cookie: &str, now: SystemTime) -> Result<Value, Error> {
        self.keys.check()?;
        let now_secs = unix_seconds(now)?;
        if cookie.len() > MAX_INPUT_LEN {
            return Err(Error::TooLarge {
                len: cookie.len(),
                limit: MAX_INPUT_LEN,
            });
        }
        let token = UntrustedToken::parse(cookie).ok_or(Error::Malformed)?;
        let authentic = self
            .keys
            .signing
            .iter()
            .any(|key| key.verify(token.signed_part, &token.signature));
        if !authentic {
            return Err(Error::Invalid);
        }

        // Authentic from here on.
        if token.timestamp > now_secs.saturating_add(self.clock_skew) {
            return Err(Error::IssuedInFuture {
                issued_at: to_system_time(token.timestamp),
                now,
            });
        }
        if now_secs.saturating_sub(token.timestamp) > self.max_age {
            return Err(Error::Expired {
                expired_at: to_system_time(token.timestamp.saturating_add(self.max_age)),
                now,
                lifetime: Lifetime::Idle,
            });
        }
        if token.compressed {
            let json = compress::inflate_zlib_bounded(&token.payload, MAX_JSON_LEN)
                .ok_or(Error::Inflate)?;
            tag::from_json(&json)
        } else {
            tag::from_json(&token.payload)
        }
    }
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
