//! Server-side sessions: the store interface and an in-process store
//! (feature `store`; DESIGN.md section 9).
//!
//! The core still does no I/O and needs no runtime: a [`SessionStore`] hands
//! back boxed `Send` futures, which any executor can drive, and each real
//! backend (`cookie-seal-redis`, `cookie-seal-sql`) is its own crate.
//! [`MemoryStore`] keeps records in this process, honours their TTLs and is
//! the store for development and tests.
//!
//! A store never sees a cookie. It keeps, per [`SessionId`]:
//! - the session's values, one entry per key, each the self-describing bytes
//!   the session map holds ([`SessionMap::get_raw`](crate::SessionMap::get_raw)),
//!   so that concurrent requests that change different keys of one session
//!   all persist ([`Write`] carries per-key changes, never the whole map);
//! - an opaque, versioned metadata blob that the core writes and reads
//!   (creation time, expiry, generation, user);
//! - a TTL, and optionally the user the session is bound to, so that
//!   [`SessionStore::revoke_user`] ends every session of that user.
//!
//! What a backend must guarantee is what the shared behaviour suite
//! (`store-tests/`) checks against every store, [`MemoryStore`] included:
//! - [`SessionStore::load`] is one round trip and returns `None` for a
//!   missing, deleted or expired record;
//! - [`SessionStore::write`] is one atomic round trip. A [`WriteMode::Update`]
//!   changes only an existing record and reports [`Written::Gone`] otherwise,
//!   so a request that finishes after a `clear` or `regenerate` deleted the
//!   record never brings it back; a [`WriteMode::Create`] writes a record
//!   under a fresh ID (and deletes the one it [`replaces`](Write::replacing));
//! - on one key, the later write wins; on different keys, both persist.
//!
//! # In the layers
//!
//! `SessionLayer::store(store, Storage::Server)` (features `tower` and
//! `store`) and actix-web's `SessionMiddleware::store` keep sessions here;
//! handlers do not change. Per request:
//!
//! - **The cookie.** A stored session's cookie is a *reference*: the
//!   256-bit [`SessionId`] and a format version (1), sealed or signed by the
//!   layer's own codec, so it rotates keys and expires like any session
//!   token, under a purpose derived from the codec's (`<purpose>/store-ref`):
//!   it never verifies as an inline session, nor an inline session as a
//!   reference. Its envelope keeps the session's creation time (the absolute
//!   lifetime), expiry and generation.
//! - **Loading**, when a handler first takes the session (the extractors
//!   are async): a missing, forged, tampered or expired cookie reaches no
//!   store call; a reference is one [`SessionStore::load`]. A missing record
//!   (cleared, regenerated, revoked, expired) or one this crate cannot read
//!   ([`StoreError::Corrupt`], an unknown record version) is a rejected
//!   cookie: the rejection hook hears [`Error::RecordGone`](crate::Error::RecordGone)
//!   or [`Error::RecordUnreadable`](crate::Error::RecordUnreadable), the
//!   handler sees an empty session and the cookie is deleted. A hybrid
//!   session riding in the cookie costs no call, unless it is bound to a
//!   user: then one [`SessionStore::revoked_at`].
//! - **Saving**, when the response leaves: nothing for an untouched session;
//!   otherwise at most one call. A change is an [`WriteMode::Update`] with the
//!   per-key difference from what was loaded, and a fresh reference cookie
//!   (the idle lifetime restarts in the cookie and in the store together); a
//!   due re-issue (key rotation, `reissue_after`, `refresh_every_request`)
//!   is an Update without changes, which restarts the TTL. [`Written::Gone`]
//!   (a concurrent `clear`, `regenerate` or `revoke_user` deleted the
//!   record) drops this request's changes and deletes the cookie. A new
//!   session, and one after `regenerate`, is a [`WriteMode::Create`] under a
//!   fresh ID that [replaces](Write::replacing) the old record, so the
//!   pre-login cookie is dead. `clear()` is a [`SessionStore::delete`] and
//!   the cookie's deletion. A 5xx response stores nothing (a `clear()` is
//!   still carried out).
//! - **Hybrid.** The session is written inline while it fits the cookie; one
//!   that does not (`Error::TooLarge`) is created in the store and the cookie
//!   gets a reference; a stored session that fits again goes back into the
//!   cookie and its record is deleted.
//! - **TTL**: the session's idle lifetime (the codec's `max_age`, or the
//!   session's own [`Expiry`](crate::Expiry)), capped by what is left of the
//!   absolute lifetime.
//! - **Users.** `Session::set_user` binds the session to a user: the user and
//!   the bind time (Unix seconds) live in the session map under a reserved
//!   key (prefix U+0001 `cs:`, hidden from `keys()`, `len()` and `get()`), so they
//!   travel inline and in the store alike; a stored session also carries the
//!   user in its metadata and in [`Write::user`]. `revoke_user` then ends a
//!   stored session at once (its record is deleted) and an inline one at its
//!   next request (bound at or before the revocation's second).
//! - **Faults.** A [`StoreError`] while loading or saving answers the
//!   layer's store-error response (a 503 with `Retry-After: 1` by default;
//!   `on_store_error` chooses it) and sets or deletes no cookie; the next
//!   request works as soon as the store does.
//!
//! The record's metadata blob ([`Write::meta`]) is versioned: its first byte
//! is the record format version (1), then postcard: creation time, expiry,
//! generation and user. The values are the session map's own CBOR bytes.

mod memory;
// The layers' record metadata (only they read or write it).
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) mod meta;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use memory::MemoryStore;

use crate::session::SessionId;

/// The future every [`SessionStore`] method returns: boxed, so that the trait
/// is object-safe (the layers keep an `Arc<dyn SessionStore>`) and needs no
/// runtime; `Send`, so that it runs on a multi-threaded executor.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where a layer keeps sessions once a store is configured
/// (`SessionLayer::store`, actix `SessionMiddleware::store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Storage {
    /// Every session lives in the store; the cookie carries only an
    /// authenticated reference (the session ID and a version).
    Server,
    /// A session rides in the cookie while it fits; past that it moves to
    /// the store and the cookie carries a reference; when it shrinks it moves
    /// back and the store's entry is deleted.
    Hybrid,
}

/// A store that could not do what was asked. The layers answer a request
/// that meets one with a 503 by default and change no cookie.
///
/// Its text never holds a session's values, a session ID or a credential
/// from the store's URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached, timed out or refused the command
    /// (connection refused, cluster down, authentication failed, ...).
    #[error("session store unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store answered with something that is not a record this crate
    /// wrote (a foreign value under the key, an unknown record version).
    #[error("session store record unreadable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A [`StoreError::Unavailable`] from any error of the backend's client.
    pub fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Unavailable(Box::new(error))
    }
}

/// What a store keeps of one session.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The core's metadata blob, exactly as last written ([`Write::meta`]).
    pub meta: Vec<u8>,
    /// The session's values: key and self-describing value bytes, sorted by
    /// key, keys unique.
    pub values: Vec<(String, Vec<u8>)>,
}

impl fmt::Debug for Record {
    /// Keys and sizes only: values may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("meta_len", &self.meta.len())
            .field(
                "values",
                &self
                    .values
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.len()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Whether a [`Write`] makes a new record or changes an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WriteMode {
    /// A new record under a fresh ID: its values are exactly [`Write::set`].
    /// (An ID is 256 random bits, so a record under it cannot exist; a
    /// backend may overwrite one that does.)
    Create,
    /// Apply [`Write::set`] and [`Write::remove`] key by key to an existing
    /// record, replace its metadata and restart its TTL. A record that is
    /// missing (deleted, expired or revoked) stays missing: the write reports
    /// [`Written::Gone`] and changes nothing.
    Update,
}

/// One atomic change to a session's record: what [`SessionStore::write`] applies.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Write {
    /// Create or update.
    pub mode: WriteMode,
    /// The core's metadata blob, stored as is.
    pub meta: Vec<u8>,
    /// Keys to set, with their value bytes.
    pub set: Vec<(String, Vec<u8>)>,
    /// Keys to remove ([`WriteMode::Update`] only).
    pub remove: Vec<String>,
    /// How long the record lives from this write: the idle lifetime, capped
    /// by what is left of the absolute lifetime. At least a millisecond.
    pub ttl: Duration,
    /// The user the session is bound to: the record joins that user's index
    /// (for [`SessionStore::revoke_user`]), whose TTL is kept at least `ttl`.
    pub user: Option<String>,
    /// The record this one replaces ([`WriteMode::Create`] only, at
    /// `regenerate`): deleted in the same round trip.
    pub replaces: Option<SessionId>,
}

impl Write {
    /// A [`WriteMode::Create`] of a record with `meta`, living `ttl`.
    #[must_use]
    pub fn create(meta: Vec<u8>, ttl: Duration) -> Write {
        Write::new(WriteMode::Create, meta, ttl)
    }

    /// A [`WriteMode::Update`] of a record with `meta`, living `ttl` from now.
    #[must_use]
    pub fn update(meta: Vec<u8>, ttl: Duration) -> Write {
        Write::new(WriteMode::Update, meta, ttl)
    }

    fn new(mode: WriteMode, meta: Vec<u8>, ttl: Duration) -> Write {
        Write {
            mode,
            meta,
            set: Vec::new(),
            remove: Vec::new(),
            ttl: ttl.max(Duration::from_millis(1)),
            user: None,
            replaces: None,
        }
    }

    /// Also sets `key` to `value`.
    #[must_use]
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Write {
        self.set.push((key.into(), value.into()));
        self
    }

    /// Also removes `key`.
    #[must_use]
    pub fn remove(mut self, key: impl Into<String>) -> Write {
        self.remove.push(key.into());
        self
    }

    /// Binds the record to `user`.
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Write {
        self.user = Some(user.into());
        self
    }

    /// Deletes `old` in the same round trip (a [`WriteMode::Create`] at `regenerate`).
    #[must_use]
    pub fn replacing(mut self, old: SessionId) -> Write {
        self.replaces = Some(old);
        self
    }
}

impl fmt::Debug for Write {
    /// Keys and sizes only: values and IDs are secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("mode", &self.mode)
            .field("meta_len", &self.meta.len())
            .field(
                "set",
                &self
                    .set
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.len()))
                    .collect::<Vec<_>>(),
            )
            .field("remove", &self.remove)
            .field("ttl", &self.ttl)
            .field("user", &self.user.is_some())
            .field("replaces", &self.replaces.is_some())
            .finish()
    }
}

/// What a [`SessionStore::write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Written {
    /// The record was created or updated.
    Stored,
    /// A [`WriteMode::Update`] found no record (deleted by `clear`,
    /// `regenerate` or `revoke_user`, or expired): nothing was written.
    Gone,
}

/// A server-side session store. Async and runtime-free: each method returns a
/// boxed `Send` future ([`StoreFuture`]).
///
/// Implement it for a backend; the layers use it through `Arc<dyn SessionStore>`.
/// The contract, checked by the shared suite in `store-tests/`, is in the
/// [module docs](self).
pub trait SessionStore: fmt::Debug + Send + Sync + 'static {
    /// The record of `id`, or `None` if it is missing, deleted or expired.
    /// One round trip.
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>>;

    /// Applies `write` to the record of `id` atomically, in one round trip.
    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written>;

    /// Deletes the record of `id` (and its entry in its user's index); no
    /// error if there is none.
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()>;

    /// "Log out everywhere": deletes every record bound to `user` and marks
    /// the user revoked now (for sessions that ride in the cookie, see
    /// [`SessionStore::revoked_at`]). Returns how many records it deleted.
    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64>;

    /// When `user` was last revoked, in seconds since the Unix epoch, if
    /// within the store's revocation window: a session bound to `user` and
    /// issued at or before that moment is dead.
    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>>;
}

impl<S: SessionStore + ?Sized> SessionStore for std::sync::Arc<S> {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        (**self).load(id)
    }
    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        (**self).write(id, write)
    }
    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        (**self).delete(id)
    }
    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        (**self).revoke_user(user)
    }
    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        (**self).revoked_at(user)
    }
}
