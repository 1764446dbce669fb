//! What a codec is configured with ([`Settings`], [`Compression`]) and what
//! each call adds ([`EncodeOptions`], [`DecodeOptions`]).

use std::time::{Duration, SystemTime};

use crate::consts::{
    DEFAULT_CLOCK_SKEW, DEFAULT_MAX_AGE, DEFAULT_MAX_TOKEN_LEN, DEFAULT_PURPOSE, MAX_PURPOSE_LEN,
    MAX_TOKEN_LEN,
};
use crate::envelope::Mode;
use crate::error::Error;
use crate::nonce::NonceSource;

/// Whether payloads are deflated before signing or sealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Deflate when it makes the token shorter. The default for signed codecs.
    ///
    /// Payloads under 256 bytes are never tried: on session-shaped data
    /// deflate saves them at most about 10%, a token that is a tenth of a
    /// cookie, and every attempt costs a few microseconds (about half of a
    /// request through the session layer).
    ///
    /// # Security
    /// For **sealed** codecs this is an explicit opt-in: when an attacker can
    /// put chosen text into a session next to a secret, the compressed length
    /// reveals whether the two share substrings (the CRIME/BREACH attacks),
    /// and token length is visible to anyone who sees the cookie.
    Auto,
    /// Never deflate. The default for sealed codecs.
    Never,
}

/// A codec's settings, read back under the names of the builder methods that
/// set them ([`Codec::settings`](crate::Codec::settings)).
///
/// Setters never fail. [`Settings::validate`] reports the first setting out
/// of range, and every encode and decode of a codec with such a setting fails
/// with the same [`Error::InvalidOption`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub(crate) mode: Mode,
    pub(crate) purpose: String,
    pub(crate) max_age: Duration,
    pub(crate) absolute_lifetime: Option<Duration>,
    pub(crate) reissue_after: Option<Duration>,
    pub(crate) clock_skew: Duration,
    pub(crate) compression: Compression,
    /// `None` until set explicitly, so that a cookie layer knows whether the
    /// app chose a budget.
    pub(crate) token_budget: Option<usize>,
    pub(crate) accept_signed: bool,
    /// Sealed tokens' length bucket in characters, if padding is on.
    pub(crate) pad_to: Option<usize>,
    pub(crate) nonce_source: NonceSource,
    /// The payload type whose shape is bound into the subkeys, if any.
    pub(crate) payload_type: Option<super::PayloadType>,
}

impl Settings {
    /// The defaults for `mode`: compression [`Compression::Auto`] when signed,
    /// [`Compression::Never`] when sealed.
    pub(crate) fn new(mode: Mode) -> Settings {
        Settings {
            mode,
            purpose: DEFAULT_PURPOSE.to_owned(),
            max_age: DEFAULT_MAX_AGE,
            absolute_lifetime: None,
            reissue_after: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
            compression: match mode {
                Mode::Signed => Compression::Auto,
                Mode::Sealed => Compression::Never,
            },
            token_budget: None,
            accept_signed: false,
            pad_to: None,
            nonce_source: NonceSource::Synthetic,
            payload_type: None,
        }
    }

    /// Signed or sealed.
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The purpose tokens are bound to (default `"session"`).
    #[must_use]
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The idle lifetime, counted from each token's issue time (default one
    /// day). Checked in whole seconds, a fraction rounded up.
    #[must_use]
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The absolute lifetime, counted from the session's creation, if set.
    #[must_use]
    pub fn absolute_lifetime(&self) -> Option<Duration> {
        self.absolute_lifetime
    }

    /// The age from which decoded tokens ask to be re-issued, if set.
    #[must_use]
    pub fn reissue_after(&self) -> Option<Duration> {
        self.reissue_after
    }

    /// How far in the future an issue time may be (default 60 s).
    #[must_use]
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The compression policy.
    #[must_use]
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The longest token the codec writes or reads, in bytes (default
    /// [`DEFAULT_MAX_TOKEN_LEN`], what fits a cookie named `session`).
    #[must_use]
    pub fn token_budget(&self) -> usize {
        self.token_budget.unwrap_or(DEFAULT_MAX_TOKEN_LEN)
    }

    /// Whether a sealed codec also reads signed tokens (migration).
    #[must_use]
    pub fn accept_signed(&self) -> bool {
        self.accept_signed
    }

    /// The length bucket sealed tokens are padded to, in characters, if set.
    #[must_use]
    pub fn pad_to(&self) -> Option<usize> {
        self.pad_to
    }

    /// Where a sealed codec gets each token's nonce (default
    /// [`NonceSource::Synthetic`]).
    #[must_use]
    pub fn nonce_source(&self) -> NonceSource {
        self.nonce_source
    }

    /// The payload type the codec is bound to
    /// ([`Codec::payload_type`](crate::Codec::payload_type)), by its Rust
    /// name, if any.
    #[must_use]
    pub fn payload_type(&self) -> Option<&'static str> {
        self.payload_type.as_ref().map(|bound| bound.name)
    }

    /// Checks every setting.
    ///
    /// # Errors
    /// [`Error::InvalidOption`], with the reason, for: a purpose that is empty
    /// or longer than [`MAX_PURPOSE_LEN`] bytes; a zero idle or absolute
    /// lifetime (a browser would delete the cookie at once); a token budget
    /// over [`MAX_TOKEN_LEN`]; `accept_signed` on a signed codec (it only
    /// means something for a sealed one); `pad_to` on a signed codec (its
    /// payload is readable anyway), or a bucket that is not a multiple of 4
    /// from 4 to [`MAX_TOKEN_LEN`] (base64url gives whole 4-character groups
    /// for whole 3-byte groups, so only those lengths are reachable exactly);
    /// a payload type whose serde shape cannot be traced.
    pub fn validate(&self) -> Result<(), Error> {
        if self.purpose.is_empty() || self.purpose.len() > MAX_PURPOSE_LEN {
            return Err(Error::InvalidOption("purpose must be 1 to 255 bytes"));
        }
        if self.max_age.is_zero() {
            return Err(Error::InvalidOption("max_age must be at least 1 second"));
        }
        if self.absolute_lifetime.is_some_and(|d| d.is_zero()) {
            return Err(Error::InvalidOption(
                "absolute_lifetime must be at least 1 second",
            ));
        }
        if self.token_budget() > MAX_TOKEN_LEN {
            return Err(Error::InvalidOption(
                "token_budget is over MAX_TOKEN_LEN (24 KiB)",
            ));
        }
        if self.accept_signed && self.mode == Mode::Signed {
            return Err(Error::InvalidOption(
                "accept_signed is for sealed codecs; a signed codec reads signed tokens already",
            ));
        }
        if let Some(Err(reason)) = self.payload_type.as_ref().map(|bound| bound.fingerprint) {
            return Err(Error::InvalidOption(reason));
        }
        if let Some(bucket) = self.pad_to {
            if self.mode == Mode::Signed {
                return Err(Error::InvalidOption(
                    "pad_to is for sealed codecs; a signed token's payload is readable anyway",
                ));
            }
            if bucket == 0 || bucket % 4 != 0 || bucket > MAX_TOKEN_LEN {
                return Err(Error::InvalidOption(
                    "pad_to must be a multiple of 4 characters from 4 to MAX_TOKEN_LEN",
                ));
            }
        }
        Ok(())
    }
}

/// Whole seconds, a fraction rounded up: a lifetime of 1.5 s lasts 2 s, and
/// one of 500 ms lasts 1 s rather than nothing.
pub(crate) fn whole_seconds(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}

/// How long one session lasts and what its cookie says about it: the
/// codec's and cookie config's lifetime, a lifetime of its own ("remember
/// me"), or a browser-session cookie. Kept in the token, so the idle
/// lifetime checked on decode is the session's own and a re-issue keeps it
/// ([`Decoded::carry_over`](crate::Decoded::carry_over)). Set it with
/// [`SessionMap::set_expiry`](crate::SessionMap::set_expiry) or the web
/// handle's `set_expiry`; [`EncodeOptions::expiry`] for a [`Codec`](crate::Codec).
///
/// Compare tower-sessions' `Expiry::{OnInactivity, OnSessionEnd}`; an
/// absolute end is the codec's
/// [`absolute_lifetime`](crate::Codec::absolute_lifetime).
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use std::time::{Duration, SystemTime};
/// use cookie_seal::{Codec, EncodeOptions, Error, Expiry, Key, Keyring};
/// let codec = Codec::sealed(Keyring::new(1, Key::generate()))
///     .max_age(Duration::from_secs(30 * 86_400));
/// let now = SystemTime::now();
/// // This session may idle for one hour only, not the codec's 30 days.
/// let hour = Expiry::OnInactivity(Duration::from_secs(3600));
/// let token = codec.encode_with(&1u8, &EncodeOptions::new().expiry(hour), now)?;
/// assert_eq!(codec.decode_at::<u8>(&token, now)?.expiry, hour);
/// let later = now + Duration::from_secs(3601);
/// assert!(matches!(codec.decode_at::<u8>(&token, later), Err(Error::Expired { .. })));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Expiry {
    /// The codec's idle lifetime ([`Settings::max_age`]), and the cookie
    /// config's `Max-Age` or browser-session setting. The default.
    #[default]
    Configured,
    /// A persistent cookie with this idle lifetime ("remember me"), in
    /// whole seconds (a fraction rounded up), at most the codec's
    /// [`Settings::max_age`]: the token expires after this much inactivity
    /// and the cookie gets this `Max-Age`, whatever the cookie config says.
    OnInactivity(Duration),
    /// A browser-session cookie: no `Max-Age` or `Expires`, so the browser
    /// drops it when it closes. The token still expires by the codec's idle
    /// lifetime.
    OnSessionEnd,
}

impl Expiry {
    /// The token field: `None` for [`Expiry::Configured`], `Some(0)` for a
    /// browser-session cookie, `Some(seconds)` for an idle lifetime.
    pub(crate) fn field(self) -> Option<u64> {
        match self {
            Expiry::Configured => None,
            Expiry::OnSessionEnd => Some(0),
            Expiry::OnInactivity(lifetime) => Some(whole_seconds(lifetime)),
        }
    }

    /// The inverse of [`Expiry::field`].
    pub(crate) fn from_field(field: Option<u64>) -> Expiry {
        match field {
            None => Expiry::Configured,
            Some(0) => Expiry::OnSessionEnd,
            Some(seconds) => Expiry::OnInactivity(Duration::from_secs(seconds)),
        }
    }

    /// This expiry with an idle lifetime over `max_age` shortened to it.
    #[must_use]
    pub(crate) fn capped(self, max_age: Duration) -> Expiry {
        match self {
            Expiry::OnInactivity(lifetime) if whole_seconds(lifetime) > whole_seconds(max_age) => {
                Expiry::OnInactivity(Duration::from_secs(whole_seconds(max_age)))
            }
            other => other,
        }
    }
}

/// Per-call settings for [`Codec::encode_with`](crate::Codec::encode_with).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use cookie_seal::EncodeOptions;
///
/// let first_login = SystemTime::now() - Duration::from_secs(3600);
/// let options = EncodeOptions::new()
///     .context(b"user-agent hash")
///     .created_at(first_login)
///     .generation(3);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeOptions<'a> {
    pub(crate) context: &'a [u8],
    pub(crate) created_at: Option<SystemTime>,
    pub(crate) generation: u32,
    pub(crate) expiry: Expiry,
}

impl<'a> EncodeOptions<'a> {
    /// No context, a session created now, generation 0, the configured
    /// expiry.
    #[must_use]
    pub fn new() -> EncodeOptions<'a> {
        EncodeOptions::default()
    }

    /// Binds the token to `context` (e.g. a hash of the User-Agent): it
    /// decodes only with the same [`DecodeOptions::context`]. The context is
    /// authenticated but not stored in the token.
    #[must_use]
    pub fn context(self, context: &'a [u8]) -> EncodeOptions<'a> {
        EncodeOptions { context, ..self }
    }

    /// The session's first issue time, from which the codec's absolute
    /// lifetime counts. Defaults to the encode time (a new session).
    #[must_use]
    pub fn created_at(self, created_at: SystemTime) -> EncodeOptions<'a> {
        EncodeOptions {
            created_at: Some(created_at),
            ..self
        }
    }

    /// The session generation written into the token, checked on decode with
    /// [`Decoded::check_generation`](crate::Decoded::check_generation).
    #[must_use]
    pub fn generation(self, generation: u32) -> EncodeOptions<'a> {
        EncodeOptions { generation, ..self }
    }

    /// The session's own expiry, written into the token (default
    /// [`Expiry::Configured`]). An [`Expiry::OnInactivity`] lifetime must be
    /// 1 second to the codec's [`Settings::max_age`]; encoding refuses
    /// others with [`Error::InvalidOption`].
    #[must_use]
    pub fn expiry(self, expiry: Expiry) -> EncodeOptions<'a> {
        EncodeOptions { expiry, ..self }
    }
}

/// Per-call settings for [`Codec::decode_with`](crate::Codec::decode_with)
/// and [`Codec::verify`](crate::Codec::verify), mirroring [`EncodeOptions`].
///
/// ```
/// use cookie_seal::DecodeOptions;
/// let options = DecodeOptions::new().context(b"user-agent hash");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions<'a> {
    pub(crate) context: &'a [u8],
}

impl<'a> DecodeOptions<'a> {
    /// No context.
    #[must_use]
    pub fn new() -> DecodeOptions<'a> {
        DecodeOptions::default()
    }

    /// The context the token must have been bound to with
    /// [`EncodeOptions::context`] (empty for none).
    #[must_use]
    pub fn context(self, context: &'a [u8]) -> DecodeOptions<'a> {
        DecodeOptions { context }
    }
}
