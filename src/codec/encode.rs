//! Value to token: serialize, maybe deflate, sign or seal, base64url.

use std::time::SystemTime;

use serde::Serialize;

use super::options::{whole_seconds, Compression, EncodeOptions, Expiry};
use super::{max_raw_len, overhead, tag_len, Codec};
use crate::consts::MAX_PAYLOAD_LEN;
use crate::envelope::{
    context_block_len, max_framing_len, unix_seconds, write_context_block, write_header, Metadata,
    Mode, FLAG_COMPRESSED, FLAG_PADDED,
};
use crate::error::Error;
use crate::nonce::{self, NonceSource};
use crate::{compress, encoding, seal, serialize};

/// Payloads shorter than this are never deflated. Measured on session-shaped
/// payloads (the "deflate break-even" list of `cargo bench -p
/// cookie-seal-benches --bench primitives`): none under 128 bytes shrank, and
/// from 128 to 255 bytes deflate saved at most 19 bytes (under 10%) of a
/// token that is a tenth of the cookie budget. An attempt costs ~3 µs
/// whatever it saves (zlib-rs clears its 128 KB hash table for every
/// stream), about half of a whole request through the layer, and a
/// compressed token costs an inflate on every later read.
const MIN_COMPRESS_LEN: usize = 256;
/// Room reserved for the payload in the token buffer before it grows.
const INITIAL_PAYLOAD_CAPACITY: usize = 256;
/// Deflate level used by `Compression::Auto`, with flate2's zlib-rs backend.
/// Chosen by measurement (`cargo bench -p cookie-seal-benches --bench
/// primitives`, BENCHMARKS.md):
/// level 1 of zlib-rs is about 4x faster than `miniz_oxide`'s level 6 on
/// 1-3 KB sessions, for tokens a few percent longer. The deflate bytes are
/// not part of the format: any valid raw deflate stream decodes.
const DEFLATE_LEVEL: u32 = 1;
/// Deflate levels tried, shortest result kept, for payloads whose fast-level
/// token would not fit the budget: slower (about 3x on 3 KB) but fits more
/// session in one cookie. Both, because zlib-rs's level 9 is not always
/// shorter than its level 6 (seen on session-shaped JSON: 4,188 against
/// 4,090 characters).
const DEFLATE_LEVELS_BEST: [u32; 2] = [6, 9];

/// How a sealed token's nonce is made, as [`Codec::encode_inner`] is told.
#[derive(Clone, Copy)]
enum Nonce {
    /// From the codec's [`NonceSource`]; for the synthetic source, a clock
    /// reading taken just now to reuse, or `None` to read the clock.
    Synthetic(Option<SystemTime>),
    /// A fixed nonce, for published test vectors only.
    #[cfg(test)]
    Fixed([u8; seal::NONCE_LEN]),
}

impl Codec {
    /// Encodes `value` issued now, as a new session.
    ///
    /// # Errors
    /// See [`Codec::encode_with`].
    pub fn encode<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
        // The one clock reading serves as the issue time and as the
        // synthetic nonce's clock (no second read).
        let now = SystemTime::now();
        self.encode_inner(
            value,
            &EncodeOptions::new(),
            now,
            Nonce::Synthetic(Some(now)),
        )
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
    /// [`Error::InvalidOption`] for a codec setting out of range
    /// ([`Codec::validate`]) or a creation time after `now`;
    /// [`Error::TooLarge`] if the token would exceed the budget or the
    /// payload [`MAX_PAYLOAD_LEN`](crate::consts::MAX_PAYLOAD_LEN);
    /// [`Error::Serialize`]; [`Error::TimeOutOfRange`] for times before 1970;
    /// [`Error::Rng`] if a sealed codec cannot get a nonce.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::{Codec, DecodeOptions, EncodeOptions, Error, Key, Keyring};
    /// let codec = Codec::signed(Keyring::new(1, Key::generate()));
    /// let now = SystemTime::now();
    /// let token = codec.encode_with(&"hi", &EncodeOptions::new().context(b"Firefox"), now)?;
    /// let firefox = DecodeOptions::new().context(b"Firefox");
    /// assert_eq!(codec.decode_with::<String>(&token, &firefox, now)?.value, "hi");
    /// let curl = DecodeOptions::new().context(b"curl");
    /// assert_eq!(codec.decode_with::<String>(&token, &curl, now), Err(Error::Invalid));
    /// # Ok(()) }
    /// ```
    pub fn encode_with<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        now: SystemTime,
    ) -> Result<String, Error> {
        self.encode_inner(value, options, now, Nonce::Synthetic(None))
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
        self.encode_inner(value, options, now, Nonce::Fixed(nonce))
    }

    fn encode_inner<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        now: SystemTime,
        nonce: Nonce,
    ) -> Result<String, Error> {
        self.validate()?;
        let mode = self.settings.mode;
        let budget = self.settings.token_budget();
        let issued_at = unix_seconds(now)?;
        let created_at = options.created_at.map(unix_seconds).transpose()?;
        let created_at = created_at.unwrap_or(issued_at);
        if created_at > issued_at {
            return Err(Error::InvalidOption("created_at is after the encode time"));
        }
        if let Expiry::OnInactivity(lifetime) = options.expiry {
            if lifetime.is_zero() || whole_seconds(lifetime) > whole_seconds(self.settings.max_age)
            {
                return Err(Error::InvalidOption(
                    "an OnInactivity expiry must be 1 second to the codec's max_age",
                ));
            }
        }
        let keys = self.keys();
        let key = keys.primary().ok_or(Error::UnknownKey(keys.primary_id()))?;
        let context = options.context;
        let metadata = Metadata {
            compressed: false,
            issued_at,
            created_at,
            generation: options.generation,
            expiry: options.expiry.field(),
        };
        // Bytes a later re-issue of this token may add (a longer key ID
        // after a rotation, a created-delta field): counted against the
        // budget now, so a session that is accepted once always re-issues.
        let reserve = metadata.reissue_reserve(key.id);

        // One buffer for the whole token: the context block (authenticated,
        // not sent; empty without a context), the header, in sealed mode the
        // nonce and the metadata that gets encrypted, then the payload
        // serialized in place; the tag is appended last. The MAC input, the
        // AEAD associated data and the plaintext are then contiguous slices
        // of it, and only `buf[prefix_len..]` is base64-encoded.
        let prefix_len = context_block_len(context);
        let tag_len = tag_len(mode);
        let mut buf = Vec::with_capacity(
            prefix_len + max_framing_len(mode) + overhead(mode) + INITIAL_PAYLOAD_CAPACITY,
        );
        write_context_block(context, &mut buf);
        write_header(mode, key.id, &metadata, &mut buf);
        // Where the flags byte that carries COMPRESSED is, and where the
        // nonce and plaintext start when sealed.
        let (flags_at, nonce_start, plaintext_start) = match mode {
            Mode::Signed => (prefix_len + 1, buf.len(), buf.len()),
            Mode::Sealed => {
                let nonce_start = buf.len();
                buf.resize(nonce_start + seal::NONCE_LEN, 0);
                let plaintext_start = buf.len();
                metadata.write_sealed(&mut buf);
                (plaintext_start, nonce_start, plaintext_start)
            }
        };
        let payload_start = buf.len();
        let mut buf = serialize::append_to(value, buf)?;
        let payload_len = buf.len() - payload_start;
        if payload_len > MAX_PAYLOAD_LEN {
            return Err(Error::TooLarge {
                len: payload_len,
                limit: MAX_PAYLOAD_LEN,
            });
        }
        if self.settings.compression == Compression::Auto && payload_len >= MIN_COMPRESS_LEN {
            let payload = &buf[payload_start..];
            let mut packed = compress::deflate_shorter_than(payload, payload_len, DEFLATE_LEVEL);
            // The fast level is a few percent longer than the best one: when its
            // result does not fit the budget, compress hard before refusing.
            let framing = payload_start - prefix_len + reserve;
            let body_budget = max_raw_len(budget).saturating_sub(framing + tag_len);
            if packed.as_ref().map_or(payload_len, Vec::len) > body_budget {
                for level in DEFLATE_LEVELS_BEST {
                    let limit = packed
                        .as_ref()
                        .map_or(payload_len, Vec::len)
                        .min(body_budget + 1);
                    packed = compress::deflate_shorter_than(payload, limit, level).or(packed);
                }
            }
            if let Some(packed) = packed {
                buf.truncate(payload_start);
                buf.extend_from_slice(&packed);
                // Same lengths before the payload: only one flag bit changes.
                buf[flags_at] |= FLAG_COMPRESSED;
            }
        }

        // Refuse before any crypto work if the token, or any re-issue of
        // it, cannot fit.
        let raw_len = buf.len() - prefix_len + tag_len;
        let token_len = encoding::encoded_len(raw_len);
        let reserved_len = encoding::encoded_len(raw_len + reserve);
        if reserved_len > budget {
            return Err(Error::TooLarge {
                len: reserved_len,
                limit: budget,
            });
        }

        if let (Mode::Sealed, Some(bucket)) = (mode, self.settings.pad_to) {
            // Up to the next bucket boundary, or to the budget if that is
            // nearer: padding never makes a token that fits fail.
            let target = token_len
                .div_ceil(bucket)
                .saturating_mul(bucket)
                .min(budget);
            let padding = max_raw_len(target).saturating_sub(raw_len);
            if padding > 0 {
                buf.splice(payload_start..payload_start, Metadata::padding(padding));
                buf[plaintext_start] |= FLAG_PADDED;
            }
        }

        match mode {
            Mode::Signed => {
                let tag = key.sign.tag(&[&buf]);
                buf.extend_from_slice(&tag);
            }
            Mode::Sealed => {
                let nonce = match (nonce, self.settings.nonce_source) {
                    #[cfg(test)]
                    (Nonce::Fixed(nonce), _) => nonce,
                    (Nonce::Synthetic(clock), NonceSource::Synthetic) => {
                        let (aad, plaintext) = (&buf[..nonce_start], &buf[plaintext_start..]);
                        nonce::synthetic(&key.nonce, clock, aad, plaintext)?
                    }
                    (Nonce::Synthetic(_), NonceSource::Os) => nonce::os()?,
                };
                buf[nonce_start..plaintext_start].copy_from_slice(&nonce);
                let (aad, plaintext) = buf.split_at_mut(plaintext_start);
                let tag = key.seal.seal(&nonce, &aad[..nonce_start], plaintext)?;
                buf.extend_from_slice(&tag);
            }
        }
        Ok(encoding::encode(&buf[prefix_len..]))
    }
}
