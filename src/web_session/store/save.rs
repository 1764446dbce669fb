//! Writing a store layer's session when the response leaves: the cookies to
//! send and at most one store call (see the [module docs](super)).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{unix_seconds, Origin, Reference, StoreConfig, REFERENCE_VERSION};
use crate::codec::{EncodeOptions, Expiry, Settings};
use crate::cookie::SessionCookie;
use crate::error::Error;
use crate::session::{SessionId, SessionMap};
use crate::store::meta::Meta;
use crate::store::{Storage, StoreError, Write, Written};
use crate::web_session::session::DynamicState;
use crate::web_session::ResponseKind;

/// The store call of a save, and the `Set-Cookie` values it ends with.
pub(crate) type SaveFuture = Pin<Box<dyn Future<Output = Result<Vec<String>, StoreError>> + Send>>;

/// A save: decided at once (no store call), or a store call to await.
pub(crate) enum Saved {
    Now(Result<Vec<String>, Error>),
    Later(SaveFuture),
}

/// What a save does.
enum Plan {
    /// Send these cookies (possibly none); no store call.
    Cookies(Vec<String>),
    /// Delete the record, then send these cookies.
    Delete { id: SessionId, then: Vec<String> },
    /// Write the record; send `stored` if it was written, `gone` if an
    /// update found no record.
    Write {
        id: SessionId,
        write: Write,
        stored: Vec<String>,
        gone: Vec<String>,
    },
}

/// Decides and starts the save of `state` for a response of `kind`;
/// `refresh` re-issues an unchanged session ([`refresh_every_request`]).
///
/// [`refresh_every_request`]: crate::tower::SessionLayer::refresh_every_request
pub(crate) fn save(
    cookies: &SessionCookie,
    config: &Arc<StoreConfig>,
    state: &DynamicState,
    kind: ResponseKind,
    refresh: bool,
    now: SystemTime,
) -> Saved {
    let plan = match plan(cookies, config, state, kind, refresh, now) {
        Ok(plan) => plan,
        Err(error) => return Saved::Now(Err(error)),
    };
    let config = Arc::clone(config);
    match plan {
        Plan::Cookies(values) => Saved::Now(Ok(values)),
        Plan::Delete { id, then } => Saved::Later(Box::pin(async move {
            config.store.delete(&id).await?;
            Ok(then)
        })),
        Plan::Write {
            id,
            write,
            stored,
            gone,
        } => Saved::Later(Box::pin(async move {
            Ok(match config.store.write(&id, &write).await? {
                Written::Stored => stored,
                Written::Gone => gone,
            })
        })),
    }
}

fn plan(
    cookies: &SessionCookie,
    config: &StoreConfig,
    state: &DynamicState,
    kind: ResponseKind,
    refresh: bool,
    now: SystemTime,
) -> Result<Plan, Error> {
    let session = &state.session;
    let loaded = &state.loaded;
    let present = *loaded.present();
    let removal = || {
        if present.is_empty() {
            Vec::new()
        } else {
            cookies.removal_cookies(&present)
        }
    };
    let origin = state.origin.as_deref().unwrap_or(&Origin::Fresh);
    let stored_id = match origin {
        Origin::Stored { id, .. } => Some(id),
        _ => None,
    };
    let cleared = session.is_blank() && session.is_modified();
    if kind.server_error || session.is_blank() {
        // A 5xx stores nothing; deletions (a logout, a rejected cookie)
        // still go out, as in the cookie layer.
        return Ok(match stored_id {
            Some(id) if cleared || !kind.server_error => Plan::Delete {
                id: id.clone(),
                then: removal(),
            },
            _ if cleared || loaded.rejected() => Plan::Cookies(removal()),
            _ => Plan::Cookies(Vec::new()),
        });
    }
    let (same_session, token) = match origin {
        Origin::Stored { id, token, .. } => (session.id() == Some(id), Some(token)),
        Origin::Inline { token, .. } => (true, Some(token)),
        Origin::Fresh => (false, None),
    };
    let reissue_due = same_session && (refresh || token.is_some_and(|token| token.needs_reissue));
    let changed = session.is_modified() || !same_session;
    // An optional re-issue is not added to a response a shared cache may store.
    let reissue = reissue_due && !kind.shared_cacheable;
    if !(changed || reissue) {
        return Ok(Plan::Cookies(Vec::new()));
    }
    let created_at = match origin {
        Origin::Stored { meta, .. } if same_session => meta.created_at,
        // An inline session keeps its creation time unless `regenerate`
        // gave it another ID in this request.
        Origin::Inline { token, id } if session.id() == id.as_ref() => {
            unix_seconds(token.created_at)
        }
        _ => unix_seconds(now),
    };
    let options = options(session, created_at);
    if config.storage == Storage::Hybrid {
        match cookies.store(session, &options, &present, now) {
            Ok(inline) => {
                return Ok(match stored_id {
                    // Back in the cookie: the record goes.
                    Some(id) => Plan::Delete {
                        id: id.clone(),
                        then: inline,
                    },
                    None => Plan::Cookies(inline),
                });
            }
            // A re-issue alone that does not fit (see `SessionCookie::save`):
            // the cookie the request carried stays valid.
            Err(Error::TooLarge { .. }) if !changed && matches!(origin, Origin::Inline { .. }) => {
                return Ok(Plan::Cookies(Vec::new()))
            }
            Err(Error::TooLarge { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    let meta = Meta {
        created_at,
        expiry: session.expiry().field(),
        generation: session.generation(),
        user: session.user_binding().map(|(user, _)| user),
    };
    let ttl = ttl(
        cookies.codec().settings(),
        session.expiry(),
        created_at,
        now,
    );
    let (id, mut write) = match origin {
        Origin::Stored { id, base, .. } if same_session => (
            id.clone(),
            diff(Write::update(meta.to_bytes(), ttl), base, session),
        ),
        _ => {
            // Always a fresh ID: nothing from a cookie names a record.
            let mut write = Write::create(meta.to_bytes(), ttl);
            for (key, value) in session.raw_entries() {
                write = write.set(key, value);
            }
            if let Some(old) = stored_id {
                write = write.replacing(old.clone());
            }
            (SessionId::generate()?, write)
        }
    };
    write.user = meta.user;
    let reference = Reference {
        version: REFERENCE_VERSION,
        id: id.clone(),
    };
    let stored = config.refs.store(&reference, &options, &present, now)?;
    Ok(Plan::Write {
        id,
        write,
        stored,
        gone: removal(),
    })
}

/// The encode options of a session created at `created_at` (Unix seconds),
/// with its expiry and generation.
fn options(session: &SessionMap, created_at: u64) -> EncodeOptions<'static> {
    EncodeOptions::new()
        .created_at(SystemTime::UNIX_EPOCH + Duration::from_secs(created_at))
        .expiry(session.expiry())
        .generation(session.generation())
}

/// `write` with the per-key changes from `base` (as loaded) to `session`.
fn diff(mut write: Write, base: &SessionMap, session: &SessionMap) -> Write {
    for (key, value) in session.raw_entries() {
        if base.raw_get(key) != Some(value) {
            write = write.set(key, value);
        }
    }
    for (key, _) in base.raw_entries() {
        if session.raw_get(key).is_none() {
            write = write.remove(key);
        }
    }
    write
}

/// A record's TTL: the session's idle lifetime, capped by what is left of
/// the absolute lifetime.
fn ttl(settings: &Settings, expiry: Expiry, created_at: u64, now: SystemTime) -> Duration {
    let idle = match expiry {
        Expiry::OnInactivity(lifetime) => lifetime.min(settings.max_age()),
        Expiry::Configured | Expiry::OnSessionEnd => settings.max_age(),
    };
    match settings.absolute_lifetime() {
        Some(lifetime) => {
            let end = Duration::from_secs(created_at).saturating_add(lifetime);
            let elapsed = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            idle.min(end.saturating_sub(elapsed))
        }
        None => idle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Codec, Key, Keyring};

    #[test]
    fn the_ttl_is_the_idle_lifetime_capped_by_the_absolute_one() {
        let codec = Codec::signed(Keyring::new(1, Key::generate()))
            .max_age(Duration::from_secs(3600))
            .absolute_lifetime(Duration::from_secs(7200));
        let settings = codec.settings();
        let created = 1_000_000;
        let at = |secs: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(created + secs);
        let hour = Duration::from_secs(3600);
        assert_eq!(ttl(settings, Expiry::Configured, created, at(0)), hour);
        assert_eq!(
            ttl(settings, Expiry::Configured, created, at(6000)),
            Duration::from_secs(1200)
        );
        assert_eq!(
            ttl(
                settings,
                Expiry::OnInactivity(Duration::from_secs(60)),
                created,
                at(0)
            ),
            Duration::from_secs(60)
        );
        assert_eq!(
            ttl(settings, Expiry::OnSessionEnd, created, at(9000)),
            Duration::ZERO
        );
    }

    #[test]
    fn the_diff_sets_changed_and_added_keys_and_removes_missing_ones() {
        let id = SessionId::generate().unwrap();
        let base = SessionMap::from_entries(
            id,
            [
                ("keep".to_owned(), vec![1]),
                ("change".to_owned(), vec![2]),
                ("drop".to_owned(), vec![3]),
            ],
        );
        let mut session = base.clone();
        session.insert("change", &9u8).unwrap();
        session.insert("add", &5u8).unwrap();
        assert!(session.remove("drop"));
        let write = diff(
            Write::update(Vec::new(), Duration::from_secs(1)),
            &base,
            &session,
        );
        let keys: Vec<&str> = write.set.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["add", "change"]);
        assert_eq!(write.remove, ["drop"]);
        let none = diff(
            Write::update(Vec::new(), Duration::from_secs(1)),
            &base,
            &base,
        );
        assert!(none.set.is_empty() && none.remove.is_empty());
    }
}
