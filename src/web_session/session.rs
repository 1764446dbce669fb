//! The dynamic session handle: a key-value [`Session`](crate::SessionMap)
//! behind `&self` methods.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::state::{Load, Saver};
use super::{lock, RequestExtension, SessionRejection};
use crate::codec::Expiry;
use crate::cookie::{Loaded, SessionCookie};
use crate::error::Error;
use crate::session::SessionId;
use crate::session::SessionMap;

/// The dynamic session of one request.
pub(crate) struct DynamicState {
    pub(crate) loaded: Loaded<SessionMap>,
    pub(crate) session: SessionMap,
    /// With a store (`SessionLayer::store`): where the session came from.
    /// `None` for the cookie-only layers (boxed, so that their state stays
    /// as small as without the feature).
    #[cfg(feature = "store")]
    pub(crate) origin: Option<Box<super::store::Origin>>,
}

#[cfg(feature = "store")]
impl DynamicState {
    /// A store layer's session.
    pub(crate) fn stored(
        loaded: Loaded<SessionMap>,
        session: SessionMap,
        origin: super::store::Origin,
    ) -> DynamicState {
        DynamicState {
            loaded,
            session,
            origin: Some(Box::new(origin)),
        }
    }
}

impl Load for DynamicState {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h [u8]>,
        now: SystemTime,
    ) -> DynamicState {
        let loaded = cookies.load_session(headers, now);
        let session = loaded.session();
        DynamicState {
            loaded,
            session,
            #[cfg(feature = "store")]
            origin: None,
        }
    }

    fn rejection(&self) -> Option<&Error> {
        self.loaded.error()
    }
}

impl Saver for Mutex<DynamicState> {
    fn set_cookies(
        &self,
        cookies: &SessionCookie,
        now: SystemTime,
        reissue: bool,
    ) -> Result<Vec<String>, Error> {
        let state = lock(self);
        let optional = !state.session.is_modified()
            && state.loaded.error().is_none()
            && !state.session.is_blank();
        if optional && !reissue {
            return Ok(Vec::new());
        }
        cookies.save(&state.loaded, &state.session, now)
    }

    fn removals(&self, cookies: &SessionCookie) -> Vec<String> {
        let state = lock(self);
        let present = state.loaded.present();
        let cleared = state.session.is_blank() && state.session.is_modified();
        if (cleared || state.loaded.rejected()) && !present.is_empty() {
            cookies.removal_cookies(present)
        } else {
            Vec::new()
        }
    }
}

/// A handle to this request's session: `cookie_seal::axum::Session` and
/// `cookie_seal::actix::Session`. Every clone sees the same session; the
/// layer or middleware writes it to the response.
///
/// The methods mirror [`cookie_seal::SessionMap`](crate::SessionMap) but take
/// `&self`. Changes made after the response has left (e.g. from a spawned
/// task) are not saved.
#[derive(Clone)]
pub struct Session {
    pub(super) cell: Arc<Mutex<DynamicState>>,
}

impl Session {
    pub(crate) fn load(
        extension: Option<&RequestExtension>,
        missing: SessionRejection,
        headers: &mut dyn Iterator<Item = &[u8]>,
    ) -> Result<Session, SessionRejection> {
        let state = extension.ok_or(missing)?;
        Ok(Session {
            cell: state.0.get_or_load(headers)?,
        })
    }

    fn with<R>(&self, f: impl FnOnce(&mut SessionMap) -> R) -> R {
        f(&mut lock(&self.cell).session)
    }

    /// The value under `key`, typed as `T`; `Ok(None)` if there is none.
    ///
    /// # Errors
    /// [`Error::Deserialize`] if the stored value is not a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        self.with(|session| session.get(key))
    }

    /// Stores `value` under `key`; the response carries the new cookie,
    /// unless the value is equal to the stored one (then nothing changed).
    ///
    /// # Errors
    /// [`Error::Serialize`] if the value cannot be serialized.
    pub fn insert<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Error> {
        self.with(|session| session.insert(key, value))
    }

    /// Removes `key`; `true` if it was present.
    #[must_use]
    pub fn remove(&self, key: &str) -> bool {
        self.with(|session| session.remove(key))
    }

    /// Removes every value: an empty session deletes the cookie (logout).
    pub fn clear(&self) {
        self.with(SessionMap::clear);
    }

    /// Gives the session a new random ID and **keeps its values** (see
    /// [`cookie_seal::SessionMap::regenerate`](crate::SessionMap::regenerate)).
    /// Because the ID changes, the cookie is written as a new session: a
    /// fresh creation time (the absolute lifetime starts again) and
    /// generation 0. To drop the values from before login as well, use
    /// [`Session::clear_and_regenerate`].
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    pub fn regenerate(&self) -> Result<(), Error> {
        self.with(SessionMap::regenerate)
    }

    /// Starts a clean session, as at login: every value from before is
    /// dropped, the session gets a new random ID, and the cookie is written
    /// with a fresh creation time. Insert the signed-in user afterwards (an
    /// empty session deletes the cookie).
    ///
    /// # Errors
    /// [`Error::Rng`] if the operating system's random number generator fails.
    pub fn clear_and_regenerate(&self) -> Result<(), Error> {
        self.with(SessionMap::clear_and_regenerate)
    }

    /// This session's expiry (see
    /// [`cookie_seal::SessionMap::set_expiry`](crate::SessionMap::set_expiry)):
    /// the token's, or what this request set.
    #[must_use]
    pub fn expiry(&self) -> Expiry {
        self.with(|session| session.expiry())
    }

    /// Makes this session persistent for a lifetime of its own ("remember
    /// me"), a browser-session cookie, or the configured default again; kept
    /// in the token, so later requests and re-issues keep it. See
    /// [`cookie_seal::SessionMap::set_expiry`](crate::SessionMap::set_expiry).
    ///
    /// ```
    /// # #[cfg(feature = "axum")]
    /// # async fn login(session: cookie_seal::axum::Session, remember: bool)
    /// #     -> Result<(), cookie_seal::Error> {
    /// use std::time::Duration;
    /// use cookie_seal::Expiry;
    /// session.clear_and_regenerate()?;
    /// session.insert("user_id", &7u64)?;
    /// session.set_expiry(if remember {
    ///     Expiry::OnInactivity(Duration::from_secs(30 * 86_400))
    /// } else {
    ///     Expiry::OnSessionEnd
    /// });
    /// # Ok(()) }
    /// ```
    pub fn set_expiry(&self, expiry: Expiry) {
        self.with(|session| session.set_expiry(expiry));
    }

    /// The session generation the token carries (0 if none).
    #[must_use]
    pub fn generation(&self) -> u32 {
        self.with(|session| session.generation())
    }

    /// Sets the generation written into the token: at login, the user's
    /// current generation from the app's database, so that raising it
    /// there logs the user out everywhere (with
    /// [`SessionCookie::generation_check`](crate::cookie::SessionCookie::generation_check)
    /// on the cookies the layer or middleware was built with). See
    /// [`cookie_seal::SessionMap::set_generation`](crate::SessionMap::set_generation).
    ///
    /// ```
    /// # #[cfg(feature = "axum")]
    /// # async fn login(session: cookie_seal::axum::Session) -> Result<(), cookie_seal::Error> {
    /// # let user_generation_from_db = 4;
    /// session.clear_and_regenerate()?;
    /// session.insert("user_id", &7u64)?;
    /// session.set_generation(user_generation_from_db);
    /// # Ok(()) }
    /// ```
    pub fn set_generation(&self, generation: u32) {
        self.with(|session| session.set_generation(generation));
    }

    /// Whether `key` holds a value.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.with(|session| session.contains_key(key))
    }

    /// The number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.with(|session| session.len())
    }

    /// Whether there are no values.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.with(|session| session.is_empty())
    }

    /// The keys, in sorted order.
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        self.with(|session| session.keys().map(str::to_owned).collect())
    }

    /// The session's ID, if it has one (after [`Session::regenerate`] or
    /// [`Session::clear_and_regenerate`], in this request or an earlier one).
    #[must_use]
    pub fn id(&self) -> Option<SessionId> {
        self.with(|session| session.id().cloned())
    }

    /// A copy of the whole session as it is now.
    #[must_use]
    pub fn snapshot(&self) -> SessionMap {
        self.with(|session| session.clone())
    }

    /// Binds this session to `user` (at login, after
    /// [`Session::clear_and_regenerate`]), so that the store's
    /// [`revoke_user`](crate::store::SessionStore::revoke_user) ends it: a
    /// server-side session at once (its record is deleted), a hybrid session
    /// that rides in the cookie at its next request (the layer asks the
    /// store's [`revoked_at`](crate::store::SessionStore::revoked_at) for
    /// every request of a bound inline session). The user and the moment it
    /// was bound are kept under a reserved key (hidden from
    /// [`Session::keys`] and [`Session::len`]); [`Session::clear`] drops
    /// them. Binding to the user it is bound to already changes nothing.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the layer or middleware has no store
    /// (`SessionLayer::store`): a cookie-only session cannot be revoked this
    /// way (see [`Session::set_generation`]); [`Error::Serialize`] never in
    /// practice.
    ///
    /// ```
    /// # #[cfg(feature = "axum")]
    /// # async fn login(session: cookie_seal::axum::Session) -> Result<(), cookie_seal::Error> {
    /// session.clear_and_regenerate()?;
    /// session.set_user("42")?;
    /// assert_eq!(session.user().as_deref(), Some("42"));
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "store")]
    pub fn set_user(&self, user: &str) -> Result<(), Error> {
        let mut state = lock(&self.cell);
        if state.origin.is_none() {
            return Err(Error::InvalidOption(
                "Session::set_user needs a layer with a store (SessionLayer::store)",
            ));
        }
        let now = super::store::unix_seconds(SystemTime::now());
        state.session.set_user_binding(user, now)
    }

    /// The user this session is bound to ([`Session::set_user`]), if any.
    #[cfg(feature = "store")]
    #[must_use]
    pub fn user(&self) -> Option<String> {
        self.with(|session| session.user_binding().map(|(user, _)| user))
    }

    /// Why the request's cookie was rejected, if it carried one that did not
    /// verify (the session then started empty and the cookie is deleted).
    #[must_use]
    pub fn rejection(&self) -> Option<Error> {
        lock(&self.cell).loaded.error().cloned()
    }
}

impl fmt::Debug for Session {
    /// Keys and value sizes only, like [`cookie_seal::SessionMap`](crate::SessionMap).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with(|session| fmt::Debug::fmt(session, f))
    }
}
