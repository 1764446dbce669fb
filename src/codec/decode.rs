//! Token to value: check the length, base64url, the header, the tag; then,
//! on authentic bytes only, the times, inflate and deserialize.

use std::time::SystemTime;

use serde::de::DeserializeOwned;

use super::options::{whole_seconds, DecodeOptions, EncodeOptions, Expiry};
use super::{check_token_len, overhead, Codec};
use crate::consts::MAX_PAYLOAD_LEN;
use crate::envelope::{
    context_block_len, to_system_time, unix_seconds, write_context_block, write_context_block_to,
    Metadata, Mode, UntrustedHeader,
};
use crate::error::{Error, Lifetime};
use crate::{compress, encoding, seal, serialize, sign};

/// Tokens whose raw bytes and context block fit this many bytes are decoded
/// into a stack buffer (a small session's token is ~120 bytes); others into
/// a heap buffer.
const STACK_TOKEN_LEN: usize = 512;

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
    /// The session's own expiry written in the token
    /// ([`Expiry::Configured`] if none).
    pub expiry: Expiry,
    reissue: bool,
    /// Whether the payload was deflated (for the vector tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) compressed: bool,
}

impl<T> Decoded<T> {
    /// Whether the app should send a fresh token: the token was written with a
    /// key that is no longer primary, in another mode (migration), or is older
    /// than the codec's [`reissue_after`](Codec::reissue_after) threshold.
    #[must_use]
    pub fn needs_reissue(&self) -> bool {
        self.reissue
    }

    /// Options that keep this session's creation time, generation and
    /// expiry when it is re-issued, so the absolute lifetime is not reset.
    /// Add the context again with [`EncodeOptions::context`].
    #[must_use]
    pub fn carry_over(&self) -> EncodeOptions<'static> {
        EncodeOptions::new()
            .created_at(self.created_at)
            .generation(self.generation)
            .expiry(self.expiry)
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

impl Codec {
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
        self.decode_with(token, &DecodeOptions::new(), now)
    }

    /// Decodes and verifies `token` as of `now` with per-call options (the
    /// context given to [`EncodeOptions::context`]).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a codec setting out of range
    /// ([`Codec::validate`]); then, in the order checked:
    /// [`Error::TooLarge`] (longer than the budget, before base64 decoding),
    /// [`Error::Malformed`], [`Error::UnsupportedVersion`],
    /// [`Error::ModeMismatch`], [`Error::UnknownKey`], [`Error::Invalid`] (tag
    /// check failed: nothing past the header was read); then, for authentic
    /// tokens only, [`Error::IssuedInFuture`], [`Error::Expired`],
    /// [`Error::Inflate`], [`Error::Deserialize`].
    /// [`Error::TimeOutOfRange`] if `now` is before 1970.
    ///
    /// # Security
    /// The key ID selects exactly one key; no other key is tried.
    pub fn decode_with<T: DeserializeOwned>(
        &self,
        token: &str,
        options: &DecodeOptions<'_>,
        now: SystemTime,
    ) -> Result<Decoded<T>, Error> {
        self.open(token, options, now, serialize::from_bytes)
    }

    /// Verifies `token` as [`Codec::decode_with`] does (header, tag, times)
    /// without deserializing it: the value is the authentic payload's
    /// postcard bytes, inflated. For tools that judge tokens of any type,
    /// such as the `cookie-seal verify` command.
    ///
    /// # Errors
    /// Those of [`Codec::decode_with`] but [`Error::Deserialize`].
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::{Codec, DecodeOptions, Key, Keyring};
    /// let codec = Codec::sealed(Keyring::new(1, Key::generate()));
    /// let now = SystemTime::now();
    /// let token = codec.encode_at(&7u8, now)?;
    /// let verified = codec.verify(&token, &DecodeOptions::new(), now)?;
    /// assert_eq!((verified.key_id, verified.value), (1, vec![7]));
    /// # Ok(()) }
    /// ```
    pub fn verify(
        &self,
        token: &str,
        options: &DecodeOptions<'_>,
        now: SystemTime,
    ) -> Result<Decoded<Vec<u8>>, Error> {
        self.open(token, options, now, |payload| Ok(payload.to_vec()))
    }

    /// The one decoding path: authenticates `token`, checks its times, then
    /// hands the authentic (inflated) payload to `read`.
    fn open<T>(
        &self,
        token: &str,
        options: &DecodeOptions<'_>,
        now: SystemTime,
        read: impl FnOnce(&[u8]) -> Result<T, Error>,
    ) -> Result<Decoded<T>, Error> {
        self.validate()?;
        let now_secs = unix_seconds(now)?;
        check_token_len(token, self.settings.token_budget())?;
        // As in encode: the context block, then the decoded token, in one buffer,
        // so the MAC input and the AEAD associated data are contiguous. A
        // short token (most sessions) is decoded on the stack: no heap
        // allocation for it.
        let context = options.context;
        let prefix_len = context_block_len(context);
        let raw_capacity = token.len() / 4 * 3 + 3;
        let mut on_stack = [0u8; STACK_TOKEN_LEN];
        let mut on_heap = Vec::new();
        let buf: &mut [u8] = if prefix_len + raw_capacity <= STACK_TOKEN_LEN {
            write_context_block_to(context, &mut on_stack).ok_or(Error::Malformed)?;
            let len = encoding::decode_into(token, &mut on_stack[prefix_len..])
                .ok_or(Error::Malformed)?;
            &mut on_stack[..prefix_len + len]
        } else {
            on_heap.reserve_exact(prefix_len + raw_capacity);
            write_context_block(context, &mut on_heap);
            if !encoding::decode_append(token, &mut on_heap) {
                return Err(Error::Malformed);
            }
            &mut on_heap
        };
        let raw = &buf[prefix_len..];
        let (header, header_len) = UntrustedHeader::parse(raw)?;
        let mode = self.settings.mode;
        let mode_allowed = header.mode == mode
            || (self.settings.accept_signed && mode == Mode::Sealed && header.mode == Mode::Signed);
        if !mode_allowed {
            return Err(Error::ModeMismatch);
        }
        let keys = self.keys();
        let key = keys
            .get(header.key_id)
            .ok_or(Error::UnknownKey(header.key_id))?;
        if raw.len() < header_len + overhead(header.mode) {
            return Err(Error::Malformed);
        }

        let body_start = prefix_len + header_len;
        let (metadata, body): (Metadata, &[u8]) = match header.mode {
            Mode::Signed => {
                let (signed, tag) = buf.split_at(buf.len() - sign::TAG_LEN);
                if !key.sign.verify(&[signed], tag) {
                    return Err(Error::Invalid);
                }
                (
                    header.metadata.ok_or(Error::Malformed)?,
                    &signed[body_start..],
                )
            }
            Mode::Sealed => {
                let (aad, rest) = buf.split_at_mut(body_start);
                let (nonce, rest) = rest.split_at_mut(seal::NONCE_LEN);
                let (plaintext, tag) = rest.split_at_mut(rest.len() - seal::TAG_LEN);
                if !key.seal.open(nonce, aad, plaintext, tag) {
                    return Err(Error::Invalid);
                }
                // Authentic from here on: the metadata was encrypted.
                let (metadata, len) = Metadata::parse_sealed(plaintext)?;
                (metadata, &plaintext[len..])
            }
        };

        // Authentic from here on.
        let reissue_due = self.check_times(&metadata, now_secs, now)?;
        let value = if metadata.compressed {
            read(&compress::inflate_bounded(body, MAX_PAYLOAD_LEN).ok_or(Error::Inflate)?)?
        } else {
            read(body)?
        };
        Ok(Decoded {
            value,
            issued_at: to_system_time(metadata.issued_at),
            key_id: header.key_id,
            created_at: to_system_time(metadata.created_at),
            generation: metadata.generation,
            mode: header.mode,
            expiry: Expiry::from_field(metadata.expiry),
            reissue: reissue_due || header.mode != mode || header.key_id != keys.primary_id(),
            compressed: metadata.compressed,
        })
    }

    /// Checks issue time, idle and absolute lifetimes of an authentic header.
    /// Returns whether the rolling re-issue threshold has passed.
    fn check_times(
        &self,
        header: &Metadata,
        now_secs: u64,
        now: SystemTime,
    ) -> Result<bool, Error> {
        let settings = &self.settings;
        if header.issued_at > now_secs.saturating_add(whole_seconds(settings.clock_skew)) {
            return Err(Error::IssuedInFuture {
                issued_at: to_system_time(header.issued_at),
                now,
            });
        }
        let age = now_secs.saturating_sub(header.issued_at);
        // The session's own idle lifetime, never longer than the codec's.
        let max_age = match header.expiry {
            Some(own) if own > 0 => own.min(whole_seconds(settings.max_age)),
            _ => whole_seconds(settings.max_age),
        };
        if age > max_age {
            return Err(Error::Expired {
                expired_at: to_system_time(header.issued_at.saturating_add(max_age)),
                now,
                lifetime: Lifetime::Idle,
            });
        }
        if let Some(lifetime) = settings.absolute_lifetime.map(whole_seconds) {
            if now_secs.saturating_sub(header.created_at) > lifetime {
                return Err(Error::Expired {
                    expired_at: to_system_time(header.created_at.saturating_add(lifetime)),
                    now,
                    lifetime: Lifetime::Absolute,
                });
            }
        }
        Ok(settings
            .reissue_after
            .is_some_and(|threshold| age >= whole_seconds(threshold)))
    }
}
