//! The codec: composes the stages into `encode` and `decode`.
//!
//! ```text
//! value -> postcard -> [deflate] -> header || body, then
//!   signed: || HMAC(K_sign, [context block] || header || body)
//!   sealed: || nonce || XChaCha20-Poly1305(K_seal, body, aad = [context block] || header)
//! -> base64url
//! ```
//! The subkeys are derived per purpose (`crate::derived_keys`); the context
//! block is present only for a non-empty context. Decoding reads only the fixed header before the tag is checked; inflate and
//! deserialize run on authentic bytes only.
//!
//! - `options.rs`: the codec's [`Settings`] and the per-call options;
//! - `encode.rs`: value to token;
//! - `decode.rs`: token to [`Decoded`] value, and the payload-agnostic
//!   [`Codec::verify`].

mod decode;
mod encode;
mod options;
mod payload_type;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::de::DeserializeOwned;

pub use decode::Decoded;
pub use options::{Compression, DecodeOptions, EncodeOptions, Expiry, Settings};
pub(crate) use payload_type::PayloadType;

use crate::consts::{MAX_COOKIE_LEN, MAX_PAYLOAD_LEN, MAX_TOKEN_LEN};
use crate::derived_keys::DerivedKeys;
use crate::envelope::{max_framing_len, Mode, UntrustedHeader};
use crate::error::Error;
use crate::keyring::Keyring;
use crate::nonce::NonceSource;
use crate::{encoding, seal, sign};

/// Encodes values into tokens and decodes tokens back, under one keyring,
/// mode and purpose.
///
/// Build it once at startup and share it: the subkeys are derived on first
/// use, once per codec and its clones, and cloning is cheap. Builder methods never fail: a setting out of range is reported
/// by [`Codec::validate`], and by every encode and decode, as
/// [`Error::InvalidOption`].
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use std::time::Duration;
/// use cookie_seal::{Codec, Key, Keyring, SessionMap};
///
/// let codec = Codec::sealed(Keyring::new(1, Key::generate()))
///     .max_age(Duration::from_secs(3600));
/// let mut session = SessionMap::new();
/// session.insert("user_id", &42u64)?;
/// let token = codec.encode(&session)?;
/// let decoded = codec.decode::<SessionMap>(&token)?;
/// assert_eq!(decoded.value.get::<u64>("user_id")?, Some(42));
/// assert_eq!(codec.settings().max_age(), Duration::from_secs(3600));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Codec {
    settings: Settings,
    /// The master keys, kept to derive the subkeys for the final purpose.
    ring: Arc<Keyring>,
    /// The subkeys for `settings.purpose`, derived on first use so that a
    /// codec built with [`Codec::purpose`] derives them once, not twice;
    /// shared by clones.
    keys: Arc<OnceLock<DerivedKeys>>,
}

impl Codec {
    /// A codec in `mode` with the defaults of that mode (see
    /// [`Codec::signed`] and [`Codec::sealed`]).
    #[must_use]
    pub fn new(mode: Mode, keys: Keyring) -> Codec {
        Codec {
            settings: Settings::new(mode),
            ring: Arc::new(keys),
            keys: Arc::default(),
        }
    }

    /// A codec whose tokens are signed with HMAC-SHA256: readable by anyone,
    /// unforgeable. Compression defaults to [`Compression::Auto`].
    #[must_use]
    pub fn signed(keys: Keyring) -> Codec {
        Codec::new(Mode::Signed, keys)
    }

    /// A codec whose tokens are encrypted with XChaCha20-Poly1305: neither
    /// readable nor forgeable. Compression defaults to [`Compression::Never`].
    #[must_use]
    pub fn sealed(keys: Keyring) -> Codec {
        Codec::new(Mode::Sealed, keys)
    }

    /// Sets the purpose (default `"session"`, 1 to 255 bytes). Tokens for one
    /// purpose never verify for another, so a CSRF token cannot pass as a
    /// session. The purpose is part of the subkey derivation (done once, on
    /// first use; never per call).
    #[must_use]
    pub fn purpose(mut self, purpose: &str) -> Codec {
        if purpose != self.settings.purpose {
            purpose.clone_into(&mut self.settings.purpose);
            // Clones made before keep their purpose and their subkeys.
            self.keys = Arc::default();
        }
        self
    }

    /// Binds the codec to the payload type `T`: a fingerprint of `T`'s
    /// serde shape (field names, types and order, enum variants, type
    /// names), traced once here, becomes part of the subkey derivation.
    /// A token written for one shape then fails authentication
    /// ([`Error::Invalid`]) under a codec bound to another, instead of
    /// decoding into it as different values: typed payloads are postcard,
    /// which is not self-describing, so after a deploy that changed `T` an
    /// old cookie could otherwise read back wrong. Bind the codec of every
    /// typed session or token (such as the one behind a
    /// `Typed<T>` request handle); a [`SessionMap`](crate::SessionMap) needs
    /// none (its values are self-describing).
    ///
    /// Encode and decode pay nothing for it, and tokens are as long as
    /// without. Changing `T`'s shape logs its users out once, like a key
    /// change; bind to a wrapper type to change the fingerprint on purpose.
    /// A type whose `Deserialize` cannot be traced without data (one that
    /// uses `deserialize_any`, or validates what it reads) makes the codec
    /// invalid ([`Codec::validate`] reports it).
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use serde::{Deserialize, Serialize};
    /// use cookie_seal::{Codec, Error, Key, Keyring};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Before { user_id: u64, name: String }
    /// #[derive(Serialize, Deserialize)]
    /// struct After { user_id: i64, name: String } // a deploy changed the type
    ///
    /// let text = Keyring::new(1, Key::generate()).export();
    /// let keys = || text.parse::<Keyring>();
    /// let old = Codec::signed(keys()?).payload_type::<Before>();
    /// let new = Codec::signed(keys()?).payload_type::<After>();
    /// let token = old.encode(&Before { user_id: 7, name: "ada".into() })?;
    /// assert_eq!(new.decode::<After>(&token).err(), Some(Error::Invalid));
    /// assert_eq!(old.decode::<Before>(&token)?.value.user_id, 7);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn payload_type<T: DeserializeOwned>(mut self) -> Codec {
        let bound = Some(PayloadType::of::<T>());
        if bound != self.settings.payload_type {
            self.settings.payload_type = bound;
            // As for `purpose`: the subkeys depend on it.
            self.keys = Arc::default();
        }
        self
    }

    /// The subkeys for this codec's purpose (and payload type), derived on
    /// the first call.
    fn keys(&self) -> &DerivedKeys {
        self.keys.get_or_init(|| {
            let payload_type = self
                .settings
                .payload_type
                .as_ref()
                .and_then(|bound| bound.fingerprint.as_ref().ok())
                .map(<[u8; 32]>::as_slice);
            DerivedKeys::from_keyring(&self.ring, &self.settings.purpose, payload_type)
        })
    }

    /// Sets the idle lifetime, counted from each token's issue time (default
    /// one day; at least one second, a fraction of a second rounded up).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Codec {
        self.settings.max_age = max_age;
        self
    }

    /// Sets an absolute lifetime, counted from the session's first issue and
    /// kept across re-issues (see [`Decoded::carry_over`]). Off by default.
    #[must_use]
    pub fn absolute_lifetime(mut self, lifetime: Duration) -> Codec {
        self.settings.absolute_lifetime = Some(lifetime);
        self
    }

    /// Makes [`Decoded::needs_reissue`] true for tokens at least this old, for
    /// rolling sessions: re-issuing keeps active users signed in under the
    /// idle lifetime. Off by default.
    #[must_use]
    pub fn reissue_after(mut self, age: Duration) -> Codec {
        self.settings.reissue_after = Some(age);
        self
    }

    /// Sets how far in the future an issue time may be (default 60 s).
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Codec {
        self.settings.clock_skew = skew;
        self
    }

    /// Sets the compression policy (see [`Compression`] for the security note).
    #[must_use]
    pub fn compression(mut self, compression: Compression) -> Codec {
        self.settings.compression = compression;
        self
    }

    /// Sets the token budget: the longest token written or read, at most
    /// [`MAX_TOKEN_LEN`](crate::consts::MAX_TOKEN_LEN) (budgets over one
    /// cookie only make sense with chunking across several cookies). The
    /// default fits a cookie named `session`.
    #[must_use]
    pub fn token_budget(mut self, len: usize) -> Codec {
        self.settings.token_budget = Some(len);
        self
    }

    /// Sets the token budget to what fits one cookie called `name`:
    /// [`MAX_COOKIE_LEN`](crate::consts::MAX_COOKIE_LEN) minus the name.
    /// This only sizes tokens; a
    /// [`SessionCookie`](crate::cookie::SessionCookie) also binds them to the
    /// cookie name.
    #[must_use]
    pub fn token_budget_for_cookie(self, name: &str) -> Codec {
        self.token_budget(MAX_COOKIE_LEN.saturating_sub(name.len()))
    }

    /// Lets a **sealed** codec also read signed tokens written with the same
    /// keyring and purpose (migrating from signed to sealed). Such tokens have
    /// [`Decoded::needs_reissue`] set so they are re-written sealed.
    ///
    /// # Security
    /// While this is on, any signed token of the same keyring and purpose
    /// passes as a session until it expires, and signed tokens are readable
    /// by the client. Turn it off once the idle lifetime has passed since the
    /// switch. On a signed codec it is an invalid setting.
    #[must_use]
    pub fn accept_signed(mut self, accept: bool) -> Codec {
        self.settings.accept_signed = accept;
        self
    }

    /// Pads **sealed** tokens so that their length is a multiple of `bucket`
    /// characters (a multiple of 4, e.g. 64 or 256): the length then tells
    /// an observer only which bucket a session falls in, not its exact
    /// size. Off by default. The padding is zero bytes inside the
    /// ciphertext, authenticated like the rest. It never makes a token
    /// fail: one that fits the budget unpadded but not padded is padded to
    /// the budget instead (to the longest base64url length within it).
    ///
    /// On a signed codec it is an invalid setting ([`Codec::validate`]).
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let codec = Codec::sealed(Keyring::new(1, Key::generate())).pad_to(128);
    /// assert_eq!(codec.encode(&"hi")?.len(), 128);
    /// assert_eq!(codec.encode(&"hello ".repeat(20))?.len(), 256);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn pad_to(mut self, bucket: usize) -> Codec {
        self.settings.pad_to = Some(bucket);
        self
    }

    /// Sets where a **sealed** codec gets each token's nonce: derived from
    /// the message with a per-thread salt ([`NonceSource::Synthetic`], the
    /// default: no system call per token, safe across fork and VM snapshot
    /// restores), or from the operating system per token
    /// ([`NonceSource::Os`]). Tokens read the same either way; a signed
    /// codec ignores it. See `SECURITY.md`, "Nonces".
    #[must_use]
    pub fn nonce_source(mut self, source: NonceSource) -> Codec {
        self.settings.nonce_source = source;
        self
    }

    /// The codec's settings, under the names of the methods that set them.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The codec's mode (also [`Settings::mode`]).
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.settings.mode
    }

    /// Checks every setting; see [`Settings::validate`]. Encode and decode
    /// run the same check and fail with the same error.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the first setting out of range.
    pub fn validate(&self) -> Result<(), Error> {
        self.settings.validate()
    }

    /// The largest serialized (postcard) payload, uncompressed, that always
    /// fits the token budget, whatever the time, key ID and options.
    /// Compressible payloads may be larger.
    #[must_use]
    pub fn max_payload_len(&self) -> usize {
        let raw = max_raw_len(self.settings.token_budget());
        let mode = self.settings.mode;
        raw.saturating_sub(max_framing_len(mode) + overhead(mode))
            .min(MAX_PAYLOAD_LEN)
    }
}

/// The bytes a mode adds besides the header, its metadata and the payload.
fn overhead(mode: Mode) -> usize {
    match mode {
        Mode::Signed => sign::TAG_LEN,
        Mode::Sealed => seal::NONCE_LEN + seal::TAG_LEN,
    }
}

/// The length of the tag that ends a token of `mode`.
fn tag_len(mode: Mode) -> usize {
    match mode {
        Mode::Signed => sign::TAG_LEN,
        Mode::Sealed => seal::TAG_LEN,
    }
}

/// Reads a token's header without any key: **nothing is verified**. For
/// diagnostics (which key, when issued); never act on the result.
///
/// # Errors
/// [`Error::TooLarge`] over [`MAX_TOKEN_LEN`](crate::consts::MAX_TOKEN_LEN),
/// [`Error::Malformed`], [`Error::UnsupportedVersion`].
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use cookie_seal::{inspect, Codec, Key, Keyring, Mode};
/// let token = Codec::sealed(Keyring::new(7, Key::generate())).encode(&"x")?;
/// let header = inspect(&token)?;
/// assert_eq!((header.mode(), header.key_id()), (Mode::Sealed, 7));
/// # Ok(()) }
/// ```
pub fn inspect(token: &str) -> Result<UntrustedHeader, Error> {
    check_token_len(token, MAX_TOKEN_LEN)?;
    let raw = encoding::decode(token).ok_or(Error::Malformed)?;
    UntrustedHeader::parse(&raw).map(|(header, _)| header)
}

/// Refuses input over `limit` before any work proportional to its length.
fn check_token_len(token: &str, limit: usize) -> Result<(), Error> {
    if token.len() > limit {
        return Err(Error::TooLarge {
            len: token.len(),
            limit,
        });
    }
    Ok(())
}

/// The most raw bytes whose base64url form fits in `token_len` characters.
fn max_raw_len(token_len: usize) -> usize {
    (token_len / 4) * 3 + [0, 0, 1, 2][token_len % 4]
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Codec")
            .field("settings", &self.settings)
            .field("key_ids", &self.keys().ids().collect::<Vec<_>>())
            .field("primary", &self.keys().primary_id())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    #[test]
    fn max_raw_len_is_the_inverse_of_encoded_len() {
        for token_len in 0..200 {
            let raw = max_raw_len(token_len);
            assert!(encoding::encoded_len(raw) <= token_len);
            assert!(encoding::encoded_len(raw + 1) > token_len);
        }
    }

    #[test]
    fn debug_shows_settings_but_no_key_material() {
        let codec = Codec::sealed(Keyring::new(3, Key::from_bytes(&[0x61; 32]).unwrap()));
        let shown = format!("{codec:?}");
        assert!(
            shown.contains("key_ids: [3]")
                && shown.contains("purpose: \"session\"")
                && !shown.contains("aaaa"),
            "{shown}"
        );
    }
}
