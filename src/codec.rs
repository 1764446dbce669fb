//! The codec: composes the stages into `encode` and `decode`.
//!
//! ```text
//! value -> postcard -> [deflate] -> header || body, then
//!   signed: || HMAC(preamble || header || body)
//!   sealed: || nonce || XChaCha20-Poly1305(body, aad = preamble || header)
//! -> base64url
//! ```
//! Decoding reads only the fixed header before the tag is checked; inflate and
//! deserialize run on authentic bytes only.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::envelope::{
    length_prefix, preamble_prefix, to_system_time, unix_seconds, Mode, UntrustedHeader,
    MAX_HEADER_LEN,
};
use crate::error::{Error, Lifetime};
use crate::keyring::Keyring;
use crate::seal::{self, SealKey};
use crate::sign::{self, SignKey};
use crate::{compress, encoding, serialize};

/// The most bytes a browser keeps for one cookie, name and value together.
pub const MAX_COOKIE_LEN: usize = 4096;
/// The cookie name the default token budget assumes.
pub const DEFAULT_COOKIE_NAME: &str = "session";
/// The default token budget: [`MAX_COOKIE_LEN`] minus the default cookie name.
pub const DEFAULT_MAX_TOKEN_LEN: usize = MAX_COOKIE_LEN - DEFAULT_COOKIE_NAME.len();
/// The largest token budget a codec accepts ([`Codec::max_token_len`]), for
/// tokens chunked across several cookies.
pub const MAX_TOKEN_LEN: usize = 24 * 1024;
/// The largest serialized (postcard) payload, before compression; also the
/// inflate cap on decode. Encode refuses more, so every token decodes.
pub const MAX_PAYLOAD_LEN: usize = 16 * 1024;
/// The default idle lifetime: one day.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(86_400);
/// The default tolerance for issue times ahead of the verifier's clock.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);
/// The default purpose.
pub const DEFAULT_PURPOSE: &str = "session";

/// Payloads shorter than this are never deflated. Measured on session-shaped
/// payloads (typed structs and `Session` maps, `cargo bench --bench
/// primitives`, "deflate break-even"): none under 130 bytes shrank, and
/// attempting costs far more than encoding (setting up a deflate stream is
/// ~15-30 µs against ~1 µs for a whole small token), so `Compression::Auto`
/// costs nothing on small sessions.
const MIN_COMPRESS_LEN: usize = 128;
/// Room reserved for the payload in the token buffer before it grows.
const INITIAL_PAYLOAD_CAPACITY: usize = 256;
/// Deflate level used by `Compression::Auto`, with flate2's zlib-rs backend.
/// Chosen by measurement (`cargo bench --bench primitives`, BENCHMARKS.md):
/// level 1 of zlib-rs is about 4x faster than miniz_oxide's level 6 on
/// 1-3 KB sessions, for tokens a few percent longer. The deflate bytes are
/// not part of the format: any valid raw deflate stream decodes.
const DEFLATE_LEVEL: u32 = 1;
/// Deflate level for payloads whose fast-level token would not fit the
/// budget: slower (about 3x on 3 KB) but fits more session in one cookie.
const DEFLATE_LEVEL_BEST: u32 = 9;

const SIGN_SUBKEY_INFO: &[u8] = b"cookie-seal/v1 hmac-sha256";
const SEAL_SUBKEY_INFO: &[u8] = b"cookie-seal/v1 xchacha20poly1305";

/// Whether payloads are deflated before signing or sealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Deflate when it makes the token shorter. The default for signed codecs.
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

/// Per-call settings for [`Codec::encode_with`].
///
/// ```
/// # use std::time::{Duration, SystemTime};
/// use cookie_seal::EncodeOptions;
/// let first_login = SystemTime::now() - Duration::from_secs(3600);
/// let options = EncodeOptions::new()
///     .context(b"user-agent hash")
///     .created_at(first_login)
///     .generation(3);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeOptions<'a> {
    context: &'a [u8],
    created_at: Option<SystemTime>,
    generation: u32,
}

impl<'a> EncodeOptions<'a> {
    /// No context, a session created now, generation 0.
    pub fn new() -> EncodeOptions<'a> {
        EncodeOptions::default()
    }

    /// Binds the token to `context` (e.g. a hash of the User-Agent, or the
    /// cookie name): it decodes only with the same context. The context is
    /// authenticated but not stored in the token.
    pub fn context(self, context: &'a [u8]) -> EncodeOptions<'a> {
        EncodeOptions { context, ..self }
    }

    /// The session's first issue time, from which the codec's absolute
    /// lifetime counts. Defaults to the encode time (a new session).
    pub fn created_at(self, created_at: SystemTime) -> EncodeOptions<'a> {
        EncodeOptions {
            created_at: Some(created_at),
            ..self
        }
    }

    /// The session generation written into the token, checked on decode with
    /// [`Decoded::check_generation`].
    pub fn generation(self, generation: u32) -> EncodeOptions<'a> {
        EncodeOptions { generation, ..self }
    }
}

/// A verified token: the value and what the header said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decoded<T> {
    /// The decoded value.
    pub value: T,
    /// When this token was issued.
    pub issued_at: SystemTime,
    /// The ID of the key that verified it.
    pub key_id: u32,
    /// When the session was first issued (start of the absolute lifetime).
    pub created_at: SystemTime,
    /// The session generation written in the token (0 if none).
    pub generation: u32,
    /// The mode the token was written in.
    pub mode: Mode,
    reissue: bool,
}

impl<T> Decoded<T> {
    /// Whether the app should send a fresh token: the token was written with a
    /// key that is no longer primary, in another mode (migration), or is older
    /// than the codec's [`reissue_after`](Codec::reissue_after) threshold.
    pub fn needs_reissue(&self) -> bool {
        self.reissue
    }

    /// Options that keep this session's creation time and generation when it
    /// is re-issued, so the absolute lifetime is not reset. Add the context
    /// again with [`EncodeOptions::context`].
    pub fn carry_over(&self) -> EncodeOptions<'static> {
        EncodeOptions::new()
            .created_at(self.created_at)
            .generation(self.generation)
    }

    /// Rejects the token if its generation is older than `current`, the
    /// lowest generation the app still accepts for this user ("log out
    /// everywhere" = increase the user's current generation).
    ///
    /// # Errors
    /// [`Error::Revoked`] if `self.generation < current`.
    pub fn check_generation(self, current: u32) -> Result<Decoded<T>, Error> {
        if self.generation < current {
            return Err(Error::Revoked {
                generation: self.generation,
                current,
            });
        }
        Ok(self)
    }
}

/// One key of the ring with both mode subkeys derived once.
#[derive(Clone)]
struct DerivedKey {
    id: u32,
    sign: SignKey,
    seal: SealKey,
}

/// The keyring after HKDF, sorted by ID.
struct DerivedKeys {
    primary: usize,
    keys: Vec<DerivedKey>,
}

impl DerivedKeys {
    fn from_keyring(ring: &Keyring) -> DerivedKeys {
        let keys: Vec<DerivedKey> = ring
            .ids()
            .filter_map(|id| ring.get(id).map(|key| (id, key)))
            .map(|(id, key)| DerivedKey {
                id,
                sign: SignKey::new(key.derive_subkey(SIGN_SUBKEY_INFO).as_ref()),
                seal: SealKey::new(&key.derive_subkey(SEAL_SUBKEY_INFO)),
            })
            .collect();
        let primary = keys
            .iter()
            .position(|k| k.id == ring.primary_id())
            .unwrap_or_default();
        DerivedKeys { primary, keys }
    }

    fn primary(&self) -> Option<&DerivedKey> {
        self.keys.get(self.primary)
    }

    fn get(&self, id: u32) -> Option<&DerivedKey> {
        self.keys
            .binary_search_by_key(&id, |k| k.id)
            .ok()
            .and_then(|i| self.keys.get(i))
    }
}

/// Encodes values into tokens and decodes tokens back, under one keyring,
/// mode and purpose.
///
/// Build it once at startup (subkeys are derived here) and share it; cloning
/// is cheap.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use std::time::Duration;
/// use cookie_seal::{Codec, Key, Keyring, Session};
///
/// let codec = Codec::sealed(Keyring::new(1, Key::generate()))
///     .max_age(Duration::from_secs(3600));
/// let mut session = Session::new();
/// session.insert("user_id", &42u64)?;
/// let token = codec.encode(&session)?;
/// let decoded = codec.decode::<Session>(&token)?;
/// assert_eq!(decoded.value.get::<u64>("user_id")?, Some(42));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Codec {
    mode: Mode,
    keys: Arc<DerivedKeys>,
    purpose: String,
    preamble_prefix: Vec<u8>,
    max_age: u64,
    absolute_lifetime: Option<u64>,
    reissue_after: Option<u64>,
    clock_skew: u64,
    compression: Compression,
    max_token_len: usize,
    accept_signed: bool,
}

impl Codec {
    /// A codec whose tokens are signed with HMAC-SHA256: readable by anyone,
    /// unforgeable. Compression defaults to [`Compression::Auto`].
    pub fn signed(keys: Keyring) -> Codec {
        Codec::new(Mode::Signed, &keys, Compression::Auto)
    }

    /// A codec whose tokens are encrypted with XChaCha20-Poly1305: neither
    /// readable nor forgeable. Compression defaults to [`Compression::Never`].
    pub fn sealed(keys: Keyring) -> Codec {
        Codec::new(Mode::Sealed, &keys, Compression::Never)
    }

    fn new(mode: Mode, keys: &Keyring, compression: Compression) -> Codec {
        Codec {
            mode,
            keys: Arc::new(DerivedKeys::from_keyring(keys)),
            purpose: DEFAULT_PURPOSE.to_owned(),
            preamble_prefix: preamble_prefix(DEFAULT_PURPOSE),
            max_age: DEFAULT_MAX_AGE.as_secs(),
            absolute_lifetime: None,
            reissue_after: None,
            clock_skew: DEFAULT_CLOCK_SKEW.as_secs(),
            compression,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            accept_signed: false,
        }
    }

    /// Sets the purpose (default `"session"`). Tokens for one purpose never
    /// verify for another, so a CSRF token cannot pass as a session.
    pub fn purpose(mut self, purpose: &str) -> Codec {
        purpose.clone_into(&mut self.purpose);
        self.preamble_prefix = preamble_prefix(purpose);
        self
    }

    /// Sets the idle lifetime, counted from each token's issue time
    /// (default one day, whole seconds).
    pub fn max_age(mut self, max_age: Duration) -> Codec {
        self.max_age = max_age.as_secs();
        self
    }

    /// Sets an absolute lifetime, counted from the session's first issue and
    /// kept across re-issues (see [`Decoded::carry_over`]). Off by default.
    pub fn absolute_lifetime(mut self, lifetime: Duration) -> Codec {
        self.absolute_lifetime = Some(lifetime.as_secs());
        self
    }

    /// Makes [`Decoded::needs_reissue`] true for tokens at least this old, for
    /// rolling sessions: re-issuing keeps active users signed in under the
    /// idle lifetime. Off by default.
    pub fn reissue_after(mut self, age: Duration) -> Codec {
        self.reissue_after = Some(age.as_secs());
        self
    }

    /// Sets how far in the future an issue time may be (default 60 s).
    pub fn clock_skew(mut self, skew: Duration) -> Codec {
        self.clock_skew = skew.as_secs();
        self
    }

    /// Sets the compression policy (see [`Compression`] for the security note).
    pub fn compression(mut self, compression: Compression) -> Codec {
        self.compression = compression;
        self
    }

    /// Sets the token budget for a cookie called `name`: tokens are at most
    /// [`MAX_COOKIE_LEN`] minus the name's length.
    pub fn cookie_name(self, name: &str) -> Codec {
        self.max_token_len(MAX_COOKIE_LEN.saturating_sub(name.len()))
    }

    /// Sets the token budget directly, at most [`MAX_TOKEN_LEN`] (larger
    /// budgets only make sense with chunking across several cookies).
    pub fn max_token_len(mut self, len: usize) -> Codec {
        self.max_token_len = len.min(MAX_TOKEN_LEN);
        self
    }

    /// Lets a sealed codec also read signed tokens written with the same
    /// keyring and purpose (migrating from signed to sealed). Such tokens have
    /// [`Decoded::needs_reissue`] set so they are re-written sealed.
    pub fn accept_signed(mut self, accept: bool) -> Codec {
        self.accept_signed = accept;
        self
    }

    /// The codec's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The idle lifetime (for a cookie's `Max-Age`).
    pub fn idle_lifetime(&self) -> Duration {
        Duration::from_secs(self.max_age)
    }

    /// The token budget in bytes.
    pub fn token_budget(&self) -> usize {
        self.max_token_len
    }

    /// The largest serialized (postcard) payload, uncompressed, that always
    /// fits the token budget, whatever the time, key ID and options.
    /// Compressible payloads may be larger.
    pub fn max_payload_len(&self) -> usize {
        let raw = max_raw_len(self.max_token_len);
        raw.saturating_sub(MAX_HEADER_LEN + self.overhead(self.mode))
            .min(MAX_PAYLOAD_LEN)
    }

    fn overhead(&self, mode: Mode) -> usize {
        match mode {
            Mode::Signed => sign::TAG_LEN,
            Mode::Sealed => seal::NONCE_LEN + seal::TAG_LEN,
        }
    }

    /// Encodes `value` issued now, as a new session.
    ///
    /// # Errors
    /// See [`Codec::encode_with`].
    pub fn encode<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
        self.encode_at(value, SystemTime::now())
    }

    /// Encodes `value` issued at `now`, as a new session.
    ///
    /// # Errors
    /// See [`Codec::encode_with`].
    pub fn encode_at<T: Serialize + ?Sized>(
        &self,
        value: &T,
        now: SystemTime,
    ) -> Result<String, Error> {
        self.encode_with(value, &EncodeOptions::new(), now)
    }

    /// Encodes `value` issued at `now` with per-call options (context,
    /// creation time, generation).
    ///
    /// # Errors
    /// [`Error::TooLarge`] if the token would exceed the budget or the
    /// payload [`MAX_PAYLOAD_LEN`]; [`Error::Serialize`]; [`Error::TimeOutOfRange`]
    /// for times before 1970; [`Error::InvalidOption`] for a creation time
    /// after `now`; [`Error::Rng`] if a sealed codec cannot get a nonce.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::{Codec, EncodeOptions, Error, Key, Keyring};
    /// let codec = Codec::signed(Keyring::new(1, Key::generate()));
    /// let now = SystemTime::now();
    /// let token = codec.encode_with(&"hi", &EncodeOptions::new().context(b"Firefox"), now)?;
    /// assert_eq!(codec.decode_with::<String>(&token, b"Firefox", now)?.value, "hi");
    /// assert_eq!(codec.decode_with::<String>(&token, b"curl", now), Err(Error::Invalid));
    /// # Ok(()) }
    /// ```
    pub fn encode_with<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        now: SystemTime,
    ) -> Result<String, Error> {
        self.encode_inner(value, options, now, None)
    }

    /// Crate-private hook: a fixed nonce, for published test vectors only.
    #[cfg(test)]
    pub(crate) fn encode_with_nonce<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        now: SystemTime,
        nonce: [u8; seal::NONCE_LEN],
    ) -> Result<String, Error> {
        self.encode_inner(value, options, now, Some(nonce))
    }

    fn encode_inner<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        now: SystemTime,
        fixed_nonce: Option<[u8; seal::NONCE_LEN]>,
    ) -> Result<String, Error> {
        let issued_at = unix_seconds(now)?;
        let created_at = options.created_at.map(unix_seconds).transpose()?;
        let created_at = created_at.unwrap_or(issued_at);
        if created_at > issued_at {
            return Err(Error::InvalidOption("created_at is after the encode time"));
        }
        let key = self.keys.primary().ok_or(Error::EmptyKeyring)?;
        let context = options.context;
        let mut header = UntrustedHeader {
            mode: self.mode,
            compressed: false,
            key_id: key.id,
            issued_at,
            created_at,
            generation: options.generation,
        };

        // One buffer for the whole token: the preamble (authenticated, not
        // sent), the header, the nonce in sealed mode, then the payload
        // serialized in place; the tag is appended last. The MAC input and
        // the AEAD associated data are then contiguous slices of it, and only
        // `buf[preamble_len..]` is base64-encoded.
        let preamble_len = self.preamble_prefix.len() + 8 + context.len();
        let header_len = header.len();
        let overhead = self.overhead(self.mode);
        let mut buf =
            Vec::with_capacity(preamble_len + header_len + overhead + INITIAL_PAYLOAD_CAPACITY);
        self.write_preamble(context, &mut buf);
        header.write(&mut buf);
        if self.mode == Mode::Sealed {
            buf.resize(buf.len() + seal::NONCE_LEN, 0);
        }
        let body_start = buf.len();
        let mut buf = serialize::append_to(value, buf)?;
        let payload_len = buf.len() - body_start;
        if payload_len > MAX_PAYLOAD_LEN {
            return Err(Error::TooLarge {
                len: payload_len,
                limit: MAX_PAYLOAD_LEN,
            });
        }
        if self.compression == Compression::Auto && payload_len >= MIN_COMPRESS_LEN {
            let payload = &buf[body_start..];
            let mut packed = compress::deflate_shorter_than(payload, payload_len, DEFLATE_LEVEL);
            // The fast level is a few percent longer than the best one: when its
            // result does not fit the budget, compress hard before refusing.
            let body_budget = max_raw_len(self.max_token_len).saturating_sub(header_len + overhead);
            if packed.as_ref().map_or(payload_len, Vec::len) > body_budget {
                let limit = payload_len.min(body_budget + 1);
                packed =
                    compress::deflate_shorter_than(payload, limit, DEFLATE_LEVEL_BEST).or(packed);
            }
            if let Some(packed) = packed {
                buf.truncate(body_start);
                buf.extend_from_slice(&packed);
                // Same header length: only the COMPRESSED flag changes.
                header.compressed = true;
                let mut head = Vec::with_capacity(header_len);
                header.write(&mut head);
                buf[preamble_len..preamble_len + header_len].copy_from_slice(&head);
            }
        }
        let body_len = buf.len() - body_start;

        // Refuse before any crypto work if the token cannot fit.
        let raw_len = header_len + overhead + body_len;
        let token_len = encoding::encoded_len(raw_len);
        if token_len > self.max_token_len {
            return Err(Error::TooLarge {
                len: token_len,
                limit: self.max_token_len,
            });
        }

        match self.mode {
            Mode::Signed => {
                let tag = key.sign.tag(&[&buf]);
                buf.extend_from_slice(&tag);
            }
            Mode::Sealed => {
                let nonce = match fixed_nonce {
                    Some(nonce) => nonce,
                    None => seal::random_nonce()?,
                };
                let nonce_start = body_start - seal::NONCE_LEN;
                buf[nonce_start..body_start].copy_from_slice(&nonce);
                let (aad, body) = buf.split_at_mut(body_start);
                let tag = key.seal.seal(&nonce, &aad[..nonce_start], body)?;
                buf.extend_from_slice(&tag);
            }
        }
        Ok(encoding::encode(&buf[preamble_len..]))
    }

    /// Appends the preamble: label and purpose (fixed per codec), then the
    /// length-prefixed context.
    fn write_preamble(&self, context: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(&self.preamble_prefix);
        out.extend_from_slice(&length_prefix(context));
        out.extend_from_slice(context);
    }

    /// Decodes and verifies `token` against the current time.
    ///
    /// # Errors
    /// See [`Codec::decode_with`].
    pub fn decode<T: DeserializeOwned>(&self, token: &str) -> Result<Decoded<T>, Error> {
        self.decode_at(token, SystemTime::now())
    }

    /// Decodes and verifies `token` as of `now`, without context.
    ///
    /// # Errors
    /// See [`Codec::decode_with`].
    pub fn decode_at<T: DeserializeOwned>(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Decoded<T>, Error> {
        self.decode_with(token, &[], now)
    }

    /// Decodes and verifies `token` as of `now`, bound to `context` (the same
    /// bytes given to [`EncodeOptions::context`]; empty for none).
    ///
    /// # Errors
    /// In the order checked: [`Error::TooLarge`] (longer than the budget,
    /// before base64 decoding), [`Error::Malformed`],
    /// [`Error::UnsupportedVersion`], [`Error::ModeMismatch`],
    /// [`Error::UnknownKey`], [`Error::Invalid`] (tag check failed: nothing
    /// past the header was read); then, for authentic tokens only,
    /// [`Error::IssuedInFuture`], [`Error::Expired`], [`Error::Inflate`],
    /// [`Error::Deserialize`]. [`Error::TimeOutOfRange`] if `now` is before 1970.
    ///
    /// # Security
    /// The key ID selects exactly one key; no other key is tried.
    pub fn decode_with<T: DeserializeOwned>(
        &self,
        token: &str,
        context: &[u8],
        now: SystemTime,
    ) -> Result<Decoded<T>, Error> {
        let now_secs = unix_seconds(now)?;
        if token.len() > self.max_token_len {
            return Err(Error::TooLarge {
                len: token.len(),
                limit: self.max_token_len,
            });
        }
        // As in encode: the preamble, then the decoded token, in one buffer,
        // so the MAC input and the AEAD associated data are contiguous.
        let preamble_len = self.preamble_prefix.len() + 8 + context.len();
        let mut buf = Vec::with_capacity(preamble_len + token.len() / 4 * 3 + 3);
        self.write_preamble(context, &mut buf);
        if !encoding::decode_append(token, &mut buf) {
            return Err(Error::Malformed);
        }
        let raw = &buf[preamble_len..];
        let (header, header_len) = UntrustedHeader::parse(raw)?;
        let mode_allowed = header.mode == self.mode
            || (self.accept_signed && self.mode == Mode::Sealed && header.mode == Mode::Signed);
        if !mode_allowed {
            return Err(Error::ModeMismatch);
        }
        let key = self
            .keys
            .get(header.key_id)
            .ok_or(Error::UnknownKey(header.key_id))?;
        if raw.len() < header_len + self.overhead(header.mode) {
            return Err(Error::Malformed);
        }

        let body_start = preamble_len + header_len;
        let body: &[u8] = match header.mode {
            Mode::Signed => {
                let (signed, tag) = buf.split_at(buf.len() - sign::TAG_LEN);
                if !key.sign.verify(&[signed], tag) {
                    return Err(Error::Invalid);
                }
                &signed[body_start..]
            }
            Mode::Sealed => {
                let (aad, rest) = buf.split_at_mut(body_start);
                let (nonce, rest) = rest.split_at_mut(seal::NONCE_LEN);
                let (ciphertext, tag) = rest.split_at_mut(rest.len() - seal::TAG_LEN);
                if !key.seal.open(nonce, aad, ciphertext, tag) {
                    return Err(Error::Invalid);
                }
                ciphertext
            }
        };

        // Authentic from here on.
        let reissue_due = self.check_times(&header, now_secs, now)?;
        let payload = if header.compressed {
            Cow::Owned(compress::inflate_bounded(body, MAX_PAYLOAD_LEN).ok_or(Error::Inflate)?)
        } else {
            Cow::Borrowed(body)
        };
        let value = serialize::from_bytes(&payload)?;
        Ok(Decoded {
            value,
            issued_at: to_system_time(header.issued_at),
            key_id: header.key_id,
            created_at: to_system_time(header.created_at),
            generation: header.generation,
            mode: header.mode,
            reissue: reissue_due
                || header.mode != self.mode
                || header.key_id != self.keys.primary().map_or(header.key_id, |k| k.id),
        })
    }

    /// Checks issue time, idle and absolute lifetimes of an authentic header.
    /// Returns whether the rolling re-issue threshold has passed.
    fn check_times(
        &self,
        header: &UntrustedHeader,
        now_secs: u64,
        now: SystemTime,
    ) -> Result<bool, Error> {
        if header.issued_at > now_secs.saturating_add(self.clock_skew) {
            return Err(Error::IssuedInFuture {
                issued_at: to_system_time(header.issued_at),
                now,
            });
        }
        let age = now_secs.saturating_sub(header.issued_at);
        if age > self.max_age {
            return Err(Error::Expired {
                expired_at: to_system_time(header.issued_at.saturating_add(self.max_age)),
                now,
                lifetime: Lifetime::Idle,
            });
        }
        if let Some(lifetime) = self.absolute_lifetime {
            if now_secs.saturating_sub(header.created_at) > lifetime {
                return Err(Error::Expired {
                    expired_at: to_system_time(header.created_at.saturating_add(lifetime)),
                    now,
                    lifetime: Lifetime::Absolute,
                });
            }
        }
        Ok(self.reissue_after.is_some_and(|threshold| age >= threshold))
    }
}

/// Reads a token's header without any key: **nothing is verified**. For
/// diagnostics (which key, when issued); never act on the result.
///
/// # Errors
/// [`Error::TooLarge`] over [`MAX_TOKEN_LEN`], [`Error::Malformed`],
/// [`Error::UnsupportedVersion`].
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
    let raw = decode_base64(token, MAX_TOKEN_LEN)?;
    UntrustedHeader::parse(&raw).map(|(header, _)| header)
}

/// Length check first (no work proportional to oversized input), then strict base64url.
fn decode_base64(token: &str, limit: usize) -> Result<Vec<u8>, Error> {
    if token.len() > limit {
        return Err(Error::TooLarge {
            len: token.len(),
            limit,
        });
    }
    encoding::decode(token).ok_or(Error::Malformed)
}

/// The most raw bytes whose base64url form fits in `token_len` characters.
fn max_raw_len(token_len: usize) -> usize {
    (token_len / 4) * 3 + [0, 0, 1, 2][token_len % 4]
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Codec")
            .field("mode", &self.mode)
            .field("purpose", &self.purpose)
            .field(
                "key_ids",
                &self.keys.keys.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .field("primary", &self.keys.primary().map(|k| k.id))
            .field("max_age_secs", &self.max_age)
            .field("absolute_lifetime_secs", &self.absolute_lifetime)
            .field("reissue_after_secs", &self.reissue_after)
            .field("clock_skew_secs", &self.clock_skew)
            .field("compression", &self.compression)
            .field("max_token_len", &self.max_token_len)
            .field("accept_signed", &self.accept_signed)
            .finish()
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
            shown.contains("key_ids: [3]") && !shown.contains("aaaa"),
            "{shown}"
        );
    }
}
