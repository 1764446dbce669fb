//! `FlaskCodec::encode`: the session as tagged JSON, compressed when that is
//! shorter, signed with the current key.

use std::time::SystemTime;

use serde_json::Value;

use super::{signer, tag, FlaskCodec, MAX_ENCODED_LEN, MAX_JSON_LEN};
use crate::envelope::unix_seconds;
use crate::error::Error;
use crate::{compress, encoding};

/// zlib level Python's `zlib.compress` uses by default.
pub(super) const ZLIB_LEVEL: u32 = 6;
/// The other zlib levels, tried when the default level's cookie is too long.
const RETRY_LEVELS: [u32; 8] = [9, 8, 7, 5, 4, 3, 2, 1];

/// The cookie payload for `json` as itsdangerous writes it: the JSON
/// zlib-compressed at `level` with a leading `.` when that saves more than
/// the one byte of the marker, the JSON itself otherwise.
pub(super) fn payload(json: &[u8], level: u32) -> String {
    match compress::zlib_shorter_than(json, json.len().saturating_sub(1), level) {
        Some(zlib) => format!("{}{}", signer::SEP, encoding::encode(&zlib)),
        None => encoding::encode(json),
    }
}

impl FlaskCodec {
    /// Encodes `session` signed now. See [`FlaskCodec::encode_at`].
    ///
    /// # Errors
    /// As [`FlaskCodec::encode_at`].
    pub fn encode(&self, session: &Value) -> Result<String, Error> {
        self.encode_at(session, SystemTime::now())
    }

    /// Encodes `session` (a JSON object in the shapes of the
    /// [module docs](super)) as Flask's session cookie value, signed with the
    /// current key at `now`.
    ///
    /// # Errors
    /// [`Error::Serialize`] if `session` is not a dict, has a tag shape with
    /// the wrong content or nests deeper than [`MAX_NESTING`](super::MAX_NESTING);
    /// [`Error::TooLarge`] if its JSON exceeds [`MAX_JSON_LEN`] or the token
    /// [`MAX_ENCODED_LEN`]; [`Error::TimeOutOfRange`] for a `now` before
    /// 1970; [`Error::EmptySecretKey`] for an empty key.
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
        self.validate()?;
        let timestamp = unix_seconds(now)?;
        let json = tag::to_json(session)?;
        if json.len() > MAX_JSON_LEN {
            return Err(Error::TooLarge {
                len: json.len(),
                limit: MAX_JSON_LEN,
            });
        }
        let mut payload = payload(&json, ZLIB_LEVEL);
        let mut token_len = signer::token_len(payload.len(), timestamp);
        if token_len > MAX_ENCODED_LEN {
            // Python's zlib sometimes compresses a little better than
            // zlib-rs at the same level, and zlib-rs's higher levels are not
            // always shorter than its level 6. Before giving up, keep the
            // shortest of every other level, so a session Flask fits in a
            // cookie fits here too.
            for level in RETRY_LEVELS {
                let shorter = self::payload(&json, level);
                if shorter.len() < payload.len() {
                    payload = shorter;
                }
            }
            token_len = signer::token_len(payload.len(), timestamp);
        }
        if token_len > MAX_ENCODED_LEN {
            return Err(Error::TooLarge {
                len: token_len,
                limit: MAX_ENCODED_LEN,
            });
        }
        let current = self.keys.signing.first().ok_or(Error::NoSigningKey)?;
        Ok(current.sign(&payload, timestamp))
    }
}
