//! The framework-neutral half of the integrations ([`tower`](crate::tower) /
//! [`axum`](crate::axum) and [`actix`](crate::actix)): one request's session
//! state, loaded at most once (on the first extraction, from every `Cookie`
//! header line), shared by every handle, and turned into `Set-Cookie` values
//! by [`SessionCookie::save`] when the response leaves.
//!
//! The framework modules only move headers and responses in and out; every
//! decision about cookies is made here or in [`SessionCookie`].

use std::any::Any;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::EncodeOptions;
use crate::cookie::{Loaded, SessionCookie};
use crate::error::Error;
use crate::session::{Session as SessionMap, SessionId};

type RejectHook = Arc<dyn Fn(&Error) + Send + Sync>;

/// What a layer or middleware shares with each of its requests.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) cookies: SessionCookie,
    on_rejected: Option<RejectHook>,
}

impl Config {
    pub(crate) fn new(cookies: SessionCookie) -> Config {
        Config {
            cookies,
            on_rejected: None,
        }
    }

    pub(crate) fn on_rejected(&mut self, hook: impl Fn(&Error) + Send + Sync + 'static) {
        self.on_rejected = Some(Arc::new(hook));
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("cookies", &self.cookies)
            .field("on_rejected", &self.on_rejected.is_some())
            .finish()
    }
}

/// Locks `mutex`, also after a handler panicked while holding it: the
/// state stays consistent because every update is a single assignment.
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A loaded session of some shape, as the response side sees it.
trait Saver: Send + Sync {
    fn set_cookies(&self, cookies: &SessionCookie, now: SystemTime) -> Result<Vec<String>, Error>;
}

/// A session shape the request can be loaded as.
trait Load: Sized + Send + 'static {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h str>,
        now: SystemTime,
    ) -> Self;
    fn rejection(&self) -> Option<&Error>;
}

/// The request's session once loaded: the same allocation seen as a
/// [`Saver`] (for the response) and as `Any` (to hand out typed handles).
struct Slot {
    saver: Arc<dyn Saver>,
    any: Arc<dyn Any + Send + Sync>,
}

/// One request's session. The layer or middleware puts it into the request
/// extensions (as [`RequestExtension`]) and reads it back for the response.
pub(crate) struct RequestState {
    config: Arc<Config>,
    slot: Mutex<Option<Slot>>,
}

impl RequestState {
    pub(crate) fn new(config: Arc<Config>) -> RequestState {
        RequestState {
            config,
            slot: Mutex::new(None),
        }
    }

    /// The session loaded as `L`, loading it on the first call. A request
    /// holds one session, so asking for another shape fails.
    fn get_or_load<'h, L: Load>(
        &self,
        headers: impl Iterator<Item = &'h str>,
    ) -> Result<Arc<Mutex<L>>, SessionRejection>
    where
        Mutex<L>: Saver,
    {
        let mut slot = lock(&self.slot);
        if let Some(slot) = &*slot {
            return Arc::clone(&slot.any)
                .downcast::<Mutex<L>>()
                .map_err(|_| SessionRejection::OTHER_SHAPE);
        }
        let state = L::load(&self.config.cookies, headers, SystemTime::now());
        if let (Some(error), Some(hook)) = (state.rejection(), &self.config.on_rejected) {
            hook(error);
        }
        let cell = Arc::new(Mutex::new(state));
        *slot = Some(Slot {
            saver: Arc::clone(&cell) as Arc<dyn Saver>,
            any: Arc::clone(&cell) as Arc<dyn Any + Send + Sync>,
        });
        Ok(cell)
    }

    /// The `Set-Cookie` header values for the response, as the framework's
    /// header type `H`: none if no handler asked for the session, otherwise
    /// what [`SessionCookie`] decides.
    pub(crate) fn finish<H: TryFrom<String>>(&self) -> Result<Vec<H>, Error> {
        let saver = lock(&self.slot)
            .as_ref()
            .map(|slot| Arc::clone(&slot.saver));
        let Some(saver) = saver else {
            return Ok(Vec::new());
        };
        saver
            .set_cookies(&self.config.cookies, SystemTime::now())?
            .into_iter()
            // Cannot fail: the cookie layer renders only visible ASCII.
            .map(|value| H::try_from(value).map_err(|_| Error::Malformed))
            .collect()
    }
}

/// The request extension that carries a request's session state from the
/// layer or middleware to the extractors.
#[derive(Clone)]
pub(crate) struct RequestExtension(pub(crate) Arc<RequestState>);

/// Why a session extractor failed: the layer or middleware is missing, or
/// the request's session was already read as another type. Both are
/// programming errors; the response is a 500 with this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRejection {
    message: &'static str,
}

impl SessionRejection {
    const OTHER_SHAPE: SessionRejection = SessionRejection {
        message: "the session was already read as another type in this request \
                  (use one session type, Session or Typed<T>, per app)",
    };

    pub(crate) const fn missing(message: &'static str) -> SessionRejection {
        SessionRejection { message }
    }
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for SessionRejection {}

/// The dynamic session of one request.
struct DynamicState {
    loaded: Loaded<SessionMap>,
    session: SessionMap,
}

impl Load for DynamicState {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h str>,
        now: SystemTime,
    ) -> DynamicState {
        let loaded = cookies.load::<SessionMap>(headers, now);
        let session = loaded.session();
        DynamicState { loaded, session }
    }

    fn rejection(&self) -> Option<&Error> {
        self.loaded.error()
    }
}

impl Saver for Mutex<DynamicState> {
    fn set_cookies(&self, cookies: &SessionCookie, now: SystemTime) -> Result<Vec<String>, Error> {
        let state = lock(self);
        cookies.save(&state.loaded, &state.session, now)
    }
}

/// A handle to this request's session: `cookie_seal::axum::Session` and
/// `cookie_seal::actix::Session`. Every clone sees the same session; the
/// layer or middleware writes it to the response.
///
/// The methods mirror [`cookie_seal::Session`](crate::Session) but take
/// `&self`. Changes made after the response has left (e.g. from a spawned
/// task) are not saved.
#[derive(Clone)]
pub struct Session {
    cell: Arc<Mutex<DynamicState>>,
}

impl Session {
    pub(crate) fn load(
        extension: Option<&RequestExtension>,
        missing: SessionRejection,
        headers: &mut dyn Iterator<Item = &str>,
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

    /// Stores `value` under `key`; the response carries the new cookie.
    ///
    /// # Errors
    /// [`Error::Serialize`] if the value cannot be serialized.
    pub fn insert<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Error> {
        self.with(|session| session.insert(key, value))
    }

    /// Removes `key`; `true` if it was present.
    pub fn remove(&self, key: &str) -> bool {
        self.with(|session| session.remove(key))
    }

    /// Removes every value: an empty session deletes the cookie (logout).
    pub fn clear(&self) {
        self.with(SessionMap::clear);
    }

    /// Gives the session a new random ID and **keeps its values** (see
    /// [`cookie_seal::Session::regenerate`](crate::Session::regenerate)).
    /// Because the ID changes, the cookie is written as a new session: a
    /// fresh creation time (the absolute lifetime starts again) and
    /// generation 0. To drop the values from before login as well, use
    /// [`Session::renew`].
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
    pub fn renew(&self) -> Result<(), Error> {
        self.with(SessionMap::renew)
    }

    /// Whether `key` holds a value.
    pub fn contains_key(&self, key: &str) -> bool {
        self.with(|session| session.contains_key(key))
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.with(|session| session.len())
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.with(|session| session.is_empty())
    }

    /// The keys, in sorted order.
    pub fn keys(&self) -> Vec<String> {
        self.with(|session| session.keys().map(str::to_owned).collect())
    }

    /// The session's ID, if it has one (after [`Session::regenerate`] or
    /// [`Session::renew`], in this request or an earlier one).
    pub fn id(&self) -> Option<SessionId> {
        self.with(|session| session.id().cloned())
    }

    /// A copy of the whole session as it is now.
    pub fn snapshot(&self) -> SessionMap {
        self.with(|session| session.clone())
    }

    /// Why the request's cookie was rejected, if it carried one that did not
    /// verify (the session then started empty and the cookie is deleted).
    pub fn rejection(&self) -> Option<Error> {
        lock(&self.cell).loaded.error().cloned()
    }
}

impl fmt::Debug for Session {
    /// Keys and value sizes only, like [`cookie_seal::Session`](crate::Session).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with(|session| fmt::Debug::fmt(session, f))
    }
}

/// A typed session of one request: the value as loaded, and what the
/// handler made of it.
struct TypedState<T> {
    loaded: Loaded<T>,
    /// `None`: unchanged; `Some(None)`: cleared; `Some(Some(v))`: set to `v`.
    current: Option<Option<T>>,
    /// [`Typed::renew`]: store as a new session (fresh creation time).
    fresh: bool,
}

impl<T: DeserializeOwned + Send + 'static> Load for TypedState<T> {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h str>,
        now: SystemTime,
    ) -> TypedState<T> {
        TypedState {
            loaded: cookies.load::<T>(headers, now),
            current: None,
            fresh: false,
        }
    }

    fn rejection(&self) -> Option<&Error> {
        self.loaded.error()
    }
}

impl<T> TypedState<T> {
    fn value(&self) -> Option<&T> {
        match &self.current {
            None => self.loaded.decoded().map(|decoded| &decoded.value),
            Some(current) => current.as_ref(),
        }
    }
}

impl<T: Serialize + Send> Saver for Mutex<TypedState<T>> {
    /// The typed counterpart of [`SessionCookie::save`]: the same decisions,
    /// with "changed" meaning "serializes differently from what was loaded".
    fn set_cookies(&self, cookies: &SessionCookie, now: SystemTime) -> Result<Vec<String>, Error> {
        let state = lock(self);
        let original = state.loaded.decoded();
        let changed = match (&state.current, original) {
            (None, _) | (Some(None), None) => false,
            (Some(None), Some(_)) | (Some(Some(_)), None) => true,
            (Some(Some(new)), Some(old)) => {
                state.fresh
                    || crate::serialize::to_bytes(new)? != crate::serialize::to_bytes(&old.value)?
            }
        };
        // Not after an ambiguous request: junk or planted siblings must
        // never get the user's cookie deleted (`Loaded::rejected`).
        let rejected = state.loaded.rejected();
        let present = state.loaded.present();
        let Some(value) = state.value() else {
            return Ok(if (changed || rejected) && !present.is_empty() {
                cookies.removal_cookies(present)
            } else {
                Vec::new()
            });
        };
        if !changed && !rejected && !state.loaded.needs_reissue() {
            return Ok(Vec::new());
        }
        let options = match original {
            Some(decoded) if !state.fresh => decoded.carry_over(),
            _ => EncodeOptions::new(),
        };
        cookies.store(value, &options, present, now)
    }
}

/// A handle to this request's session as one serde type `T` (a struct of
/// the app's session fields): `cookie_seal::axum::Typed<T>` and
/// `cookie_seal::actix::Typed<T>`. Every clone sees the same value.
///
/// The same flow as [`Session`]: a missing or rejected cookie is no value
/// (`get` gives `None`), a value is written only when it serializes
/// differently from the one loaded (so a request that reads, or sets the
/// same value again, writes nothing), re-issues after key rotation happen
/// also for read-only requests, and [`Typed::clear`] deletes the cookie.
/// Use one session type per app: a cookie written as `T` does not decode
/// as another type, and is then rejected and deleted like a forged one.
pub struct Typed<T> {
    cell: Arc<Mutex<TypedState<T>>>,
}

impl<T> Clone for Typed<T> {
    fn clone(&self) -> Typed<T> {
        Typed {
            cell: Arc::clone(&self.cell),
        }
    }
}

impl<T> Typed<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    pub(crate) fn load(
        extension: Option<&RequestExtension>,
        missing: SessionRejection,
        headers: &mut dyn Iterator<Item = &str>,
    ) -> Result<Typed<T>, SessionRejection> {
        let state = extension.ok_or(missing)?;
        Ok(Typed {
            cell: state.0.get_or_load(headers)?,
        })
    }

    /// A copy of the session value; `None` if there is none (no cookie, a
    /// rejected cookie, or after [`Typed::clear`]).
    pub fn get(&self) -> Option<T> {
        lock(&self.cell).value().cloned()
    }

    /// Replaces the session value. It is written only if it serializes
    /// differently from the value loaded.
    pub fn set(&self, value: T) {
        lock(&self.cell).current = Some(Some(value));
    }

    /// Removes the value: the cookie is deleted (logout).
    pub fn clear(&self) {
        lock(&self.cell).current = Some(None);
    }

    /// Replaces the value with `value` as a new session, as at login: it is
    /// always written, with a fresh creation time (the absolute lifetime
    /// starts again) instead of the loaded session's.
    pub fn renew(&self, value: T) {
        let mut state = lock(&self.cell);
        state.current = Some(Some(value));
        state.fresh = true;
    }

    /// Why the request's cookie was rejected, if it carried one that did not
    /// verify or decode as `T`.
    pub fn rejection(&self) -> Option<Error> {
        lock(&self.cell).loaded.error().cloned()
    }
}

impl<T> fmt::Debug for Typed<T> {
    /// Whether there is a value, never the value (it may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.cell);
        f.debug_struct("Typed")
            .field("has_value", &state.value().is_some())
            .field("changed", &state.current.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::{CookieConfig, PresentCookies};
    use crate::{Codec, Key, Keyring};
    use serde::Deserialize;
    use std::time::Duration;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Profile {
        name: String,
    }

    fn state() -> Arc<RequestState> {
        let cookies = SessionCookie::new(
            Codec::sealed(Keyring::new(1, Key::from_bytes(&[3; 32]).unwrap())),
            CookieConfig::new("s").unwrap(),
        )
        .unwrap();
        Arc::new(RequestState::new(Arc::new(Config::new(cookies))))
    }

    fn cookie<T: Serialize>(state: &RequestState, value: &T, at: SystemTime) -> String {
        let set = state
            .config
            .cookies
            .store(value, &EncodeOptions::new(), &PresentCookies::none(), at)
            .unwrap();
        set[0].split(';').next().unwrap().to_owned()
    }

    fn typed(state: &Arc<RequestState>, headers: &[&str]) -> Typed<Profile> {
        Typed::load(
            Some(&RequestExtension(Arc::clone(state))),
            SessionRejection::missing("no layer"),
            &mut headers.iter().copied(),
        )
        .unwrap()
    }

    #[test]
    fn typed_clear_removes_a_loaded_value_and_writes_nothing_without_one() {
        let state = state();
        let alice = Profile {
            name: "alice".into(),
        };
        let line = cookie(&state, &alice, SystemTime::now());
        let handle = typed(&state, &[&line]);
        assert_eq!(handle.get(), Some(alice));
        handle.clear();
        let set: Vec<String> = state.finish().unwrap();
        assert!(set.len() == 1 && set[0].starts_with("s=; "), "{set:?}");

        let empty = self::state();
        typed(&empty, &[]).clear();
        assert!(empty.finish::<String>().unwrap().is_empty());
    }

    #[test]
    fn typed_renew_writes_an_equal_value_with_a_fresh_creation_time() {
        let state = state();
        let alice = Profile {
            name: "alice".into(),
        };
        let created = SystemTime::now() - Duration::from_secs(600);
        let line = cookie(&state, &alice, created);
        typed(&state, &[&line]).renew(alice.clone());
        let set: Vec<String> = state.finish().unwrap();
        assert_eq!(set.len(), 1, "renew writes even an equal value");
        let pair = set[0].split(';').next().unwrap();
        let loaded = state
            .config
            .cookies
            .load::<Profile>([pair], SystemTime::now());
        let decoded = loaded.decoded().unwrap();
        assert_eq!(decoded.value, alice);
        assert!(decoded.created_at > created);
    }

    #[test]
    fn a_cookie_of_another_shape_is_rejected_and_removed() {
        let state = state();
        let mut session = SessionMap::new();
        session.insert("user", "alice").unwrap();
        let line = cookie(&state, &session, SystemTime::now());
        let handle = typed(&state, &[&line]);
        assert_eq!(handle.get(), None);
        assert!(handle.rejection().is_some());
        let set: Vec<String> = state.finish().unwrap();
        assert!(set.len() == 1 && set[0].contains("Max-Age=0"), "{set:?}");
    }

    #[test]
    fn one_request_holds_one_session_shape() {
        let state = state();
        let extension = RequestExtension(Arc::clone(&state));
        let missing = SessionRejection::missing("no layer");
        let first = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
        let again = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
        again.insert("n", &1u8).unwrap();
        assert_eq!(first.get::<u8>("n").unwrap(), Some(1), "one shared session");
        let other = Typed::<Profile>::load(Some(&extension), missing, &mut std::iter::empty());
        assert_eq!(other.unwrap_err(), SessionRejection::OTHER_SHAPE);
        assert_eq!(
            Session::load(None, missing, &mut std::iter::empty()).unwrap_err(),
            missing
        );
    }
}
