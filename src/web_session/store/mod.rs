//! Server-side and hybrid sessions in the layers (feature `store`;
//! DESIGN.md section 9): how a request's session is found from its cookie
//! and a [`SessionStore`], and written back.
//!
//! # The cookie
//!
//! A stored session's cookie carries a **reference**: a token of the layer's
//! own codec (sealed or signed, key-rotated, expiring like any session
//! token) whose payload is a format version (1) and the 256-bit
//! [`SessionId`]. The reference codec has its own purpose, the session
//! codec's purpose followed by `/store-ref`, so it derives other subkeys: a
//! reference never verifies as an inline session and an inline session never
//! verifies as a reference, whatever their bytes. The cookie name, its
//! attributes and its binding to the name (the context) are the session
//! cookie's. The token's envelope keeps the session's creation time (the
//! absolute lifetime), expiry (`Max-Age`) and generation.
//!
//! # Loading (one store call at most, when a handler takes the session)
//!
//! The layer reads nothing when the request arrives. When a handler first
//! takes the session (the axum and actix extractors, which are async, or
//! `Session::from_http_async`), the cookie is verified as the cookie layer
//! does (every same-named cookie and chunk, at most one authentic). A cookie
//! that is missing, forged, tampered, expired or ambiguous reaches **no**
//! store call. Then:
//!
//! - a reference: one [`SessionStore::load`]. A missing record (cleared,
//!   regenerated, revoked, expired) or an unreadable one
//!   ([`StoreError::Corrupt`], an unknown record version) is a rejected
//!   cookie ([`Error::RecordGone`], [`Error::RecordUnreadable`] to the
//!   rejection hook): an empty session, and the cookie is deleted;
//! - an inline session (hybrid): no store call, unless the session is bound
//!   to a user; then one [`SessionStore::revoked_at`]: a session bound at or
//!   before the user's revocation (whole seconds) is rejected
//!   ([`Error::UserRevoked`]).
//!
//! A [`StoreError::Unavailable`] ends the request with the layer's
//! store-error response (a 503 by default) and changes no cookie.
//!
//! # Saving (one store call at most, when the response leaves)
//!
//! - Untouched (no change, no re-issue due): no store call, no cookie.
//! - Changed, same session: one [`WriteMode::Update`](crate::store::WriteMode::Update)
//!   with the per-key difference from what was loaded (changed and added keys
//!   set, missing keys removed), so concurrent requests that change
//!   different keys all persist, and a fresh reference cookie (a fresh issue
//!   time: the idle lifetime restarts in the cookie and in the store alike).
//!   A re-issue (key rotation, `reissue_after`, `refresh_every_request`) is
//!   an Update without changes: it restarts the record's TTL.
//! - The record was deleted meanwhile ([`Written::Gone`](crate::store::Written::Gone):
//!   a concurrent `clear`, `regenerate` or `revoke_user`): this request's
//!   changes are dropped and the cookie is deleted. A logout is never undone.
//! - A new session, or after `regenerate`: one `Create` under a fresh ID,
//!   deleting the old record in the same write, so the pre-login cookie is
//!   dead.
//! - `clear()`: one [`SessionStore::delete`] and the cookie is deleted.
//! - Hybrid: a session is written inline while it fits the cookie; one that
//!   does not ([`Error::TooLarge`]) is stored as above with a reference
//!   cookie; a stored session that fits again is written inline and its
//!   record deleted.
//! - TTL: the session's idle lifetime (the codec's `max_age`, or its own
//!   [`Expiry`](crate::Expiry)), capped by what is left of the absolute
//!   lifetime.
//!
//! # Where the user lives
//!
//! `Session::set_user` keeps the user and the bind time in the session map
//! under a reserved key (prefix U+0001 `cs:`, hidden from `keys()`, `len()` and
//! `get()`), so it travels inline and in the store alike; a stored session
//! also has it in its metadata and in [`Write::user`](crate::store::Write::user)
//! (the store's user index, which [`SessionStore::revoke_user`] empties).

mod save;

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::session::DynamicState;
use crate::cookie::{Loaded, PresentCookies, SessionCookie};
use crate::error::Error;
use crate::session::{SessionId, SessionMap};
use crate::store::meta::Meta;
use crate::store::{SessionStore, Storage, StoreError};

pub(crate) use save::{save, SaveFuture, Saved};

/// What the reference purpose adds to the session codec's purpose.
const REFERENCE_PURPOSE_SUFFIX: &str = "/store-ref";
/// The longest purpose a codec takes.
const MAX_PURPOSE_LEN: usize = 255;
/// The format version of a reference's payload.
const REFERENCE_VERSION: u8 = 1;

/// A layer's store: the store, the mode, and the reference cookie.
pub(crate) struct StoreConfig {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) storage: Storage,
    /// The session cookie with the reference codec.
    refs: SessionCookie,
}

impl StoreConfig {
    pub(crate) fn new(
        cookies: &SessionCookie,
        store: Arc<dyn SessionStore>,
        storage: Storage,
    ) -> StoreConfig {
        let purpose = reference_purpose(cookies.codec().settings().purpose());
        StoreConfig {
            store,
            storage,
            refs: cookies.with_purpose(&purpose),
        }
    }
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("store", &self.store)
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

/// The reference codec's purpose: the session's plus a suffix, or, for a
/// purpose too long to take it, a digest of both (still one per purpose).
fn reference_purpose(purpose: &str) -> String {
    let derived = format!("{purpose}{REFERENCE_PURPOSE_SUFFIX}");
    if derived.len() <= MAX_PURPOSE_LEN {
        return derived;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(derived.as_bytes());
    format!(
        "{}{REFERENCE_PURPOSE_SUFFIX}",
        crate::encoding::encode(&digest)
    )
}

/// A reference cookie's payload.
#[derive(Serialize, Deserialize)]
struct Reference {
    version: u8,
    id: SessionId,
}

/// What the request's verified token said about the session's lifetime.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenFacts {
    created_at: SystemTime,
    needs_reissue: bool,
}

/// Where a store layer's session came from.
pub(crate) enum Origin {
    /// No session: no cookie, a rejected one, or a record that is gone.
    Fresh,
    /// A session that rode in the cookie (hybrid), with the ID it was loaded with.
    Inline {
        token: TokenFacts,
        id: Option<SessionId>,
    },
    /// A stored session, with its values as loaded (to write only the
    /// difference).
    Stored {
        id: SessionId,
        meta: Meta,
        base: SessionMap,
        token: TokenFacts,
    },
}

/// A cookie verified, before any store call.
pub(crate) enum Opened {
    /// Nothing to ask the store.
    Ready(DynamicState),
    /// A reference: the record is loaded next.
    LoadRecord {
        id: SessionId,
        token: TokenFacts,
        present: PresentCookies,
    },
    /// An inline session bound to a user: the user's revocation is checked next.
    CheckUser {
        user: String,
        bound_at: u64,
        state: DynamicState,
    },
}

#[derive(Clone, Copy)]
enum Found {
    Inline,
    Reference,
}

/// A store layer's session without a value: `error` (if any) is reported
/// and the cookies in `present` are deleted when the response leaves.
fn fresh(error: Option<Error>, present: PresentCookies) -> DynamicState {
    DynamicState::stored(
        Loaded::without_token(error, present),
        SessionMap::new(),
        Origin::Fresh,
    )
}

/// Verifies the request's cookie: a reference, an inline session (hybrid
/// only) or nothing. No store call.
pub(crate) fn open<'h>(
    cookies: &SessionCookie,
    config: &StoreConfig,
    headers: impl Iterator<Item = &'h [u8]>,
    now: SystemTime,
) -> Opened {
    let hybrid = config.storage == Storage::Hybrid;
    let found = Cell::new(None);
    let loaded = cookies.load_with(headers, |token| {
        let refs = &config.refs;
        match refs.codec().verify(token, &refs.decode_options(), now) {
            Ok(decoded) => {
                found.set(Some(Found::Reference));
                Ok(decoded)
            }
            Err(reference_error) if hybrid => cookies
                .codec()
                .verify(token, &cookies.decode_options(), now)
                .inspect(|_| found.set(Some(Found::Inline)))
                // An authentic reference's error (expired, ...) says more.
                .map_err(|error| match reference_error {
                    Error::Invalid => error,
                    other => other,
                }),
            Err(error) => Err(error),
        }
    });
    let (decoded, error, present) = loaded.into_parts();
    let (Some(decoded), Some(found)) = (decoded, found.get()) else {
        return Opened::Ready(fresh(error, present));
    };
    let token = TokenFacts {
        created_at: decoded.created_at,
        needs_reissue: decoded.needs_reissue(),
    };
    match found {
        Found::Reference => match crate::serialize::from_bytes::<Reference>(&decoded.value) {
            Ok(reference) if reference.version == REFERENCE_VERSION => Opened::LoadRecord {
                id: reference.id,
                token,
                present,
            },
            Ok(reference) => Opened::Ready(fresh(
                Some(Error::UnsupportedVersion(reference.version)),
                present,
            )),
            Err(error) => Opened::Ready(fresh(Some(error), present)),
        },
        Found::Inline => {
            let mut session = match crate::serialize::from_bytes::<SessionMap>(&decoded.value) {
                Ok(session) => session,
                Err(error) => return Opened::Ready(fresh(Some(error), present)),
            };
            session.set_envelope(decoded.expiry, decoded.generation);
            if let Some(error) = cookies.revoked_generation(&session, decoded.generation) {
                return Opened::Ready(fresh(Some(error), present));
            }
            let binding = session.user_binding();
            let id = session.id().cloned();
            let state = DynamicState::stored(
                Loaded::without_token(None, present),
                session,
                Origin::Inline { token, id },
            );
            match binding {
                Some((user, bound_at)) => Opened::CheckUser {
                    user,
                    bound_at,
                    state,
                },
                None => Opened::Ready(state),
            }
        }
    }
}

/// The store call that [`open`] left to do (none for [`Opened::Ready`]).
///
/// # Errors
/// The store's [`StoreError::Unavailable`]; a corrupt record is a rejected
/// cookie instead.
pub(crate) async fn complete(
    cookies: &SessionCookie,
    config: &StoreConfig,
    opened: Opened,
) -> Result<DynamicState, StoreError> {
    match opened {
        Opened::Ready(state) => Ok(state),
        Opened::LoadRecord { id, token, present } => {
            let record = match config.store.load(&id).await {
                Ok(Some(record)) => record,
                Ok(None) => return Ok(fresh(Some(Error::RecordGone), present)),
                Err(StoreError::Corrupt(_)) => {
                    return Ok(fresh(Some(Error::RecordUnreadable), present))
                }
                Err(error) => return Err(error),
            };
            let Ok(meta) = Meta::from_bytes(&record.meta) else {
                return Ok(fresh(Some(Error::RecordUnreadable), present));
            };
            let mut session = SessionMap::from_entries(id.clone(), record.values);
            session.set_envelope(meta.expiry(), meta.generation);
            if let Some(error) = cookies.revoked_generation(&session, meta.generation) {
                return Ok(fresh(Some(error), present));
            }
            let base = session.clone();
            Ok(DynamicState::stored(
                Loaded::without_token(None, present),
                session,
                Origin::Stored {
                    id,
                    meta,
                    base,
                    token,
                },
            ))
        }
        Opened::CheckUser {
            user,
            bound_at,
            state,
        } => match config.store.revoked_at(&user).await? {
            Some(revoked_at) if bound_at <= revoked_at => {
                Ok(fresh(Some(Error::UserRevoked), *state.loaded.present()))
            }
            _ => Ok(state),
        },
    }
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests;
