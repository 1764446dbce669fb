//! `FlaskCodec::decode`: size, shape, then the signature against each key;
//! times, inflate and parsing only for authentic cookies.

use std::time::SystemTime;

use serde_json::Value;

use super::signer::UntrustedToken;
use super::{tag, FlaskCodec, MAX_INPUT_LEN, MAX_JSON_LEN};
use crate::compress;
use crate::envelope::{to_system_time, unix_seconds};
use crate::error::{Error, Lifetime};

impl FlaskCodec {
    /// Decodes and verifies a Flask session cookie value against the current
    /// time. See [`FlaskCodec::decode_at`].
    ///
    /// # Errors
    /// As [`FlaskCodec::decode_at`].
    pub fn decode(&self, cookie: &str) -> Result<Value, Error> {
        self.decode_at(cookie, SystemTime::now())
    }

    /// Decodes and verifies a Flask session cookie value as of `now`, into
    /// the shapes of the [module docs](super).
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
    /// [`Error::EmptySecretKey`] for an empty key.
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
        self.validate()?;
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
