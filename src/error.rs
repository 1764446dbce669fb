//! The one error type of the crate.
//!
//! Every failure class has its own variant so callers can tell a forged
//! cookie from an expired one. Variants that describe untrusted input carry no
//! detail beyond what an attacker already knows, and no variant ever carries
//! key material.

use std::time::SystemTime;

/// Which lifetime a token outlived (see [`Error::Expired`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lifetime {
    /// The idle lifetime (`Codec::max_age`), counted from the last issue.
    Idle,
    /// The absolute lifetime (`Codec::absolute_lifetime`), counted from the
    /// session's first issue and kept across re-issues.
    Absolute,
}

impl std::fmt::Display for Lifetime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Lifetime::Idle => "idle",
            Lifetime::Absolute => "absolute",
        })
    }
}

/// Everything that can go wrong when building keys or codecs, or when encoding
/// and decoding tokens.
///
/// `Malformed`, `UnsupportedVersion`, `ModeMismatch`, `UnknownKey` and
/// `TooLarge` are reported from the unauthenticated header and length alone;
/// `Invalid` is the single opaque answer to every failed MAC or AEAD check.
/// Time errors are reported only for authentic tokens.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not a token: bad base64, wrong length or bad header structure.
    #[error("malformed token")]
    Malformed,
    /// The token's format version byte is not one this crate reads.
    #[error("unsupported token format version {0}")]
    UnsupportedVersion(u8),
    /// A signed token was given to a sealed codec or the other way round.
    #[error("token mode does not match the codec (signed vs sealed)")]
    ModeMismatch,
    /// The token names a key ID that is not in the keyring. No other key is tried.
    #[error("unknown key id {0}")]
    UnknownKey(u32),
    /// The MAC or AEAD tag did not verify: wrong key, purpose or context, or a
    /// modified token. Deliberately carries no detail.
    #[error("invalid token")]
    Invalid,
    /// The authentic token is older than the codec allows.
    #[error("token expired ({lifetime} lifetime)")]
    Expired {
        /// The moment the token stopped being valid.
        expired_at: SystemTime,
        /// The time the token was checked at.
        now: SystemTime,
        /// Which lifetime ran out.
        lifetime: Lifetime,
    },
    /// The authentic token's issue time is further in the future than the
    /// allowed clock skew.
    #[error("token issued in the future")]
    IssuedInFuture {
        /// The issue time written in the token.
        issued_at: SystemTime,
        /// The time the token was checked at.
        now: SystemTime,
    },
    /// A token, cookie or payload is longer than its limit.
    #[error("too large: {len} bytes, limit {limit}")]
    TooLarge {
        /// The length that was refused.
        len: usize,
        /// The limit it exceeds.
        limit: usize,
    },
    /// The token is authentic but was revoked by a newer session generation
    /// (see `Decoded::check_generation`).
    #[error("session generation {generation} revoked (current is {current})")]
    Revoked {
        /// The generation written in the token.
        generation: u32,
        /// The lowest generation the caller still accepts.
        current: u32,
    },
    /// The value could not be serialized (postcard rejected it, or a Flask
    /// session value has a shape Flask cannot represent).
    #[error("value could not be serialized")]
    Serialize,
    /// The authentic payload is not a valid encoding of the requested type
    /// (or has trailing bytes).
    #[error("payload does not decode as the requested type")]
    Deserialize,
    /// The authentic payload's deflate stream is corrupt or inflates past the cap.
    #[error("compressed payload is corrupt or too large")]
    Inflate,
    /// A key is shorter than the minimum or longer than the maximum.
    #[error("{}key length {len} not allowed: {min} to {max} bytes", EntryPrefix(*.entry))]
    KeyLength {
        /// The length given.
        len: usize,
        /// The minimum length.
        min: usize,
        /// The maximum length.
        max: usize,
        /// The textual keyring entry the key came from, counted from 1
        /// (`None` for a key given as bytes).
        entry: Option<usize>,
    },
    /// A keyring would hold more keys than [`MAX_KEYS`](crate::consts::MAX_KEYS).
    #[error("too many keys: {count}, limit {limit}")]
    TooManyKeys {
        /// The number of keys the keyring would hold.
        count: usize,
        /// The most keys a keyring may hold.
        limit: usize,
    },
    /// A key ID is already in the keyring.
    #[error("duplicate key id {0}")]
    DuplicateKeyId(u32),
    /// The primary key cannot be removed; promote another key first.
    #[error("key id {0} is the primary key and cannot be removed")]
    RemovePrimary(u32),
    /// The textual keyring is empty.
    #[error("empty keyring")]
    EmptyKeyring,
    /// There is no key to sign with: the keyring has no primary key, or a
    /// Flask codec has no current `SECRET_KEY`.
    #[error("no signing key")]
    NoSigningKey,
    /// A Flask secret key is empty. Flask refuses to sign sessions without a
    /// secret key, and an empty fallback would let anyone forge a cookie.
    #[error("{}", EmptySecretKeyText(*.fallback))]
    EmptySecretKey {
        /// `None` for `SECRET_KEY`, `Some(n)` for the n-th entry of
        /// `SECRET_KEY_FALLBACKS`, counted from 1.
        fallback: Option<usize>,
    },
    /// The textual keyring has a syntax error in the given entry (counted from 1).
    /// The text of the entry is not echoed, because it may hold key material.
    #[error("keyring entry {entry}: {reason}")]
    KeyringSyntax {
        /// Which comma-separated entry is wrong, counted from 1.
        entry: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A time is before the Unix epoch or too far in the future to encode.
    #[error("time out of range")]
    TimeOutOfRange,
    /// The operating system's random number generator failed.
    #[error("OS random number generator failed")]
    Rng,
    /// A request carried several different session cookies of this name
    /// that all verify (for example one planted by a sibling subdomain, which
    /// can set cookies for the parent domain unless the name has the
    /// `__Host-` prefix). None is used and none is deleted.
    #[error("{authentic} different authentic cookies named like the session cookie: none is used")]
    AmbiguousCookie {
        /// How many distinct cookies verified.
        authentic: usize,
    },
    /// A request carried more same-named session cookies (or chunk
    /// combinations) than are checked. None is used and none is deleted, so
    /// junk cookies cannot push a valid one out and get it deleted.
    #[error("too many session cookies of one name: {count}, limit {limit}")]
    TooManyCookies {
        /// How many were found.
        count: usize,
        /// The most that are checked.
        limit: usize,
    },
    /// An encode option is inconsistent (for example a creation time after `now`).
    #[error("invalid option: {0}")]
    InvalidOption(&'static str),
    /// A session cookie referred to a server-side record that is not in the
    /// store any more: it was cleared, regenerated (login), revoked or it
    /// expired (feature `store`). The request carries on with an empty
    /// session and the cookie is deleted.
    #[error("session record not found in the store")]
    RecordGone,
    /// The session was bound to a user (`Session::set_user` of the web
    /// layers) who was revoked at or after the moment it was bound (feature
    /// `store`).
    #[error("the session's user was revoked")]
    UserRevoked,
    /// The store's record for this session is not one this crate reads (an
    /// unknown record format version, or bytes it did not write; feature
    /// `store`). Handled like a missing record.
    #[error("session store record unreadable")]
    RecordUnreadable,
}

/// `"keyring entry N: "` before a message about one entry, nothing otherwise.
struct EntryPrefix(Option<usize>);

impl std::fmt::Display for EntryPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(entry) => write!(f, "keyring entry {entry}: "),
            None => Ok(()),
        }
    }
}

/// Names the empty Flask key: the current one or a fallback.
struct EmptySecretKeyText(Option<usize>);

impl std::fmt::Display for EmptySecretKeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("Flask SECRET_KEY is empty"),
            Some(n) => write!(f, "Flask SECRET_KEY_FALLBACKS entry {n} is empty"),
        }
    }
}
