//! Settings from the environment, and the session-ID cookie.

use std::time::Duration;

use cookie_seal::cookie::SessionCookie;
use cookie_seal::{Codec, Keyring};

use crate::support;

/// The codec purpose of the session-ID cookie: a token signed for another
/// purpose (e.g. a cookie session, `"session"`) never verifies as an ID.
const SID_PURPOSE: &str = "sid";
/// The default idle lifetime: 8 hours.
const DEFAULT_IDLE_SECONDS: u64 = 8 * 3600;
/// The longest idle lifetime accepted from `SESSION_IDLE_SECONDS`: 30 days.
const MAX_IDLE_SECONDS: u64 = 30 * 86_400;
/// The longest accepted `REDIS_KEY_PREFIX`.
const MAX_PREFIX_LEN: usize = 64;

/// The session-ID cookie: a signed codec with purpose `sid`, a token lifetime
/// of twice the idle lifetime, re-signed after 1/8 of it; named `__Host-sid`,
/// or `sid` without `Secure` when `insecure`.
pub fn sid_cookie(
    keys: Keyring,
    idle: Duration,
    insecure: bool,
) -> Result<SessionCookie, cookie_seal::Error> {
    let codec = Codec::signed(keys)
        .purpose(SID_PURPOSE)
        .max_age(idle.saturating_mul(2))
        .reissue_after((idle / 8).max(Duration::from_secs(1)));
    SessionCookie::new(codec, support::cookie_config("sid", insecure)?)
}

pub fn redis_url_from_env() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

pub fn idle_lifetime_from_env() -> Result<Duration, Box<dyn std::error::Error>> {
    let seconds = match std::env::var("SESSION_IDLE_SECONDS") {
        Ok(text) => text
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=MAX_IDLE_SECONDS).contains(s))
            .ok_or("SESSION_IDLE_SECONDS must be a number of seconds from 1 to 2592000")?,
        Err(_) => DEFAULT_IDLE_SECONDS,
    };
    Ok(Duration::from_secs(seconds))
}

pub fn key_prefix_from_env() -> Result<String, Box<dyn std::error::Error>> {
    let prefix = std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| "cookie-seal-demo".into());
    let valid = (1..=MAX_PREFIX_LEN).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if !valid {
        return Err(
            "REDIS_KEY_PREFIX must be 1 to 64 letters, digits, '-', '_', '.' or ':'".into(),
        );
    }
    Ok(prefix)
}
