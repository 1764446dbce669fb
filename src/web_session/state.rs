//! One request's session state: loaded at most once, in one shape, shared
//! by every handle, and saved when the response leaves.

use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use serde::ser::{SerializeTuple, Serializer};
use serde::Serialize;

use super::{lock, Config, SessionRejection};
use crate::codec::Decoded;
use crate::cookie::{Loaded, SessionCookie};
use crate::error::Error;
use crate::session::SessionMap;

/// A loaded session of some shape, as the response side sees it.
pub(super) trait Saver: Send + Sync {
    /// The `Set-Cookie` values for a response that may store the session.
    /// With `reissue` false (a response a shared cache may store), an
    /// unchanged session is not re-issued: a re-issue is optional, and a
    /// shared cache must never keep one user's cookie for another.
    fn set_cookies(
        &self,
        cookies: &SessionCookie,
        now: SystemTime,
        reissue: bool,
    ) -> Result<Vec<String>, Error>;

    /// The `Set-Cookie` values for a server error (5xx): only deletions.
    /// Nothing is stored, but a logout (an emptied session) and a rejected
    /// cookie are still deleted: a deletion never grants anything.
    fn removals(&self, cookies: &SessionCookie) -> Vec<String>;
}

/// A session shape the request can be loaded as.
pub(super) trait Load: Sized + Send + 'static {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h [u8]>,
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

/// What the response looks like, as far as saving the session goes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResponseKind {
    /// A 5xx status: nothing is stored, deletions still go out.
    pub(crate) server_error: bool,
    /// `Cache-Control: public` or `s-maxage`: a shared cache may store it,
    /// so no optional re-issue is added.
    pub(crate) shared_cacheable: bool,
}

/// What ends a request: the `Set-Cookie` values, and whether the response
/// depends on the `Cookie` header (`Vary: Cookie`).
pub(crate) struct Finish {
    /// Each a valid header value ([`Finish::new`] checks), turned into the
    /// framework's header type one by one as [`apply`](super::apply) adds
    /// it: no second vector.
    pub(crate) set_cookies: Vec<String>,
    pub(crate) vary_cookie: bool,
}

impl Finish {
    /// `set_cookies` with `vary_cookie`; a value that is not a valid header
    /// value is [`Error::Malformed`] (it cannot happen: the cookie layer
    /// renders only visible ASCII).
    pub(crate) fn new(set_cookies: Vec<String>, vary_cookie: bool) -> Result<Finish, Error> {
        // What `http` and actix-web accept: tab, visible ASCII, obs-text.
        // Branch-free, without early exit: valid is the only case that
        // happens, and a branchy `all` was ~4% of a write (perf).
        let valid = |value: &String| {
            value.bytes().fold(true, |ok, b| {
                ok & ((b == b'\t') | ((b >= b' ') & (b != 0x7f)))
            })
        };
        if !set_cookies.iter().all(valid) {
            return Err(Error::Malformed);
        }
        Ok(Finish {
            set_cookies,
            vary_cookie,
        })
    }
}

/// One request's session. The layer or middleware puts it into the request
/// extensions (as [`RequestExtension`]) and reads it back for the response.
pub(crate) struct RequestState {
    pub(crate) config: Arc<Config>,
    slot: Mutex<Option<Slot>>,
    /// With [`Config::refresh_every_request`]: the request's token, verified
    /// but not deserialized (any session shape), loaded when the request
    /// arrived; re-issued when the response leaves unless the handler's
    /// session decided otherwise.
    refresh: Option<Loaded<Vec<u8>>>,
    /// A store layer's load that failed: the response becomes the layer's
    /// store-error response.
    #[cfg(feature = "store")]
    store_failure: Mutex<Option<Box<crate::store::StoreError>>>,
}

impl RequestState {
    #[cfg(test)]
    pub(crate) fn new(config: Arc<Config>) -> RequestState {
        RequestState {
            config,
            slot: Mutex::new(None),
            refresh: None,
            #[cfg(feature = "store")]
            store_failure: Mutex::new(None),
        }
    }

    /// A new request's state; with [`Config::refresh_every_request`], the
    /// token in `headers` is verified now, whatever the handler does.
    pub(crate) fn start<'h>(
        config: Arc<Config>,
        headers: impl Iterator<Item = &'h [u8]>,
    ) -> RequestState {
        // A store layer re-issues when a handler takes the session (the
        // cookie may hold a reference, which only the store can refresh).
        let refresh = (config.refresh_every_request && !config.has_store()).then(|| {
            let cookies = &config.cookies;
            let now = SystemTime::now();
            cookies.load_with(headers, |token| {
                cookies
                    .codec()
                    .verify(token, &cookies.decode_options(), now)
            })
        });
        RequestState {
            config,
            slot: Mutex::new(None),
            refresh,
            #[cfg(feature = "store")]
            store_failure: Mutex::new(None),
        }
    }

    /// The session loaded as `L`, loading it on the first call. A request
    /// holds one session, so asking for another shape fails.
    pub(super) fn get_or_load<'h, L: Load>(
        &self,
        headers: impl Iterator<Item = &'h [u8]>,
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
        if self.config.has_store() {
            return Err(SessionRejection::NEEDS_ASYNC);
        }
        let state = L::load(&self.config.cookies, headers, SystemTime::now());
        Ok(fill(&mut slot, &self.config, state))
    }

    /// A store layer's session, once loaded (`None` before).
    #[cfg(feature = "store")]
    pub(super) fn loaded_dynamic(
        &self,
    ) -> Option<Result<Arc<Mutex<super::session::DynamicState>>, SessionRejection>> {
        lock(&self.slot).as_ref().map(|slot| {
            Arc::clone(&slot.any)
                .downcast()
                .map_err(|_| SessionRejection::OTHER_SHAPE)
        })
    }

    /// Makes `state` the request's session (a store layer's, loaded
    /// asynchronously), unless another handle got there first: then that
    /// one is kept and returned.
    #[cfg(feature = "store")]
    pub(super) fn fill_dynamic(
        &self,
        state: super::session::DynamicState,
    ) -> Result<Arc<Mutex<super::session::DynamicState>>, SessionRejection> {
        let mut slot = lock(&self.slot);
        if let Some(slot) = &*slot {
            return Arc::clone(&slot.any)
                .downcast()
                .map_err(|_| SessionRejection::OTHER_SHAPE);
        }
        Ok(fill(&mut slot, &self.config, state))
    }

    /// Records a store failure while loading.
    #[cfg(feature = "store")]
    pub(super) fn fail(&self, error: crate::store::StoreError) {
        *lock(&self.store_failure) = Some(Box::new(error));
    }

    /// The store failure recorded while loading, if any.
    #[cfg(feature = "store")]
    pub(super) fn take_failure(&self) -> Option<crate::store::StoreError> {
        lock(&self.store_failure).take().map(|error| *error)
    }

    /// A store layer's save for a response of `kind`, and whether a
    /// handler took the session.
    #[cfg(feature = "store")]
    pub(super) fn save_stored(
        &self,
        store: &Arc<super::store::StoreConfig>,
        kind: ResponseKind,
    ) -> (super::store::Saved, bool) {
        let cell = lock(&self.slot).as_ref().map(|slot| Arc::clone(&slot.any));
        let Some(Ok(cell)) = cell.map(Arc::downcast::<Mutex<super::session::DynamicState>>) else {
            return (super::store::Saved::Now(Ok(Vec::new())), false);
        };
        let state = lock(&cell);
        let saved = super::store::save(
            &self.config.cookies,
            store,
            &state,
            kind,
            self.config.refresh_every_request,
            SystemTime::now(),
        );
        (saved, true)
    }

    /// The `Set-Cookie` header values for a response of `kind` (as the
    /// framework's header type `H`), decided now, as late as possible:
    ///
    /// - no handler asked for the session: nothing, or with
    ///   [`Config::refresh_every_request`] the request's token re-issued;
    /// - a server error: only the deletions (see [`Saver::removals`]);
    /// - otherwise what [`SessionCookie::save`] decides, without an
    ///   optional re-issue on a response a shared cache may store; with
    ///   [`Config::refresh_every_request`], an unchanged session is
    ///   re-issued (fresh issue time).
    ///
    /// `Vary: Cookie` is due when a handler read the session or a cookie is
    /// set.
    pub(crate) fn finish(&self, kind: ResponseKind) -> Result<Finish, Error> {
        let saver = lock(&self.slot)
            .as_ref()
            .map(|slot| Arc::clone(&slot.saver));
        let cookies = &self.config.cookies;
        let now = SystemTime::now();
        let reissue = !kind.shared_cacheable;
        let mut values = match &saver {
            None => Vec::new(),
            Some(saver) if kind.server_error => saver.removals(cookies),
            Some(saver) => saver.set_cookies(cookies, now, reissue)?,
        };
        if values.is_empty() && reissue && !kind.server_error {
            let refreshable = self
                .refresh
                .as_ref()
                .and_then(Loaded::decoded)
                .filter(|decoded| !is_empty_session(&decoded.value));
            if let Some(decoded) = refreshable {
                let present = self.refresh.as_ref().map(Loaded::present);
                // Optional, like a re-issue: a token that cannot be written
                // again (it cannot grow, but keys or budgets may have
                // changed) keeps the cookie the browser has.
                values = cookies
                    .store(
                        &RawPayload(&decoded.value),
                        &Decoded::carry_over(decoded),
                        present.unwrap_or(&crate::cookie::PresentCookies::none()),
                        now,
                    )
                    .unwrap_or_default();
            }
        }
        let vary_cookie = saver.is_some() || !values.is_empty();
        Finish::new(values, vary_cookie)
    }
}

/// Puts `state` into the empty `slot`, reporting its rejection to the hook.
fn fill<L: Load>(slot: &mut Option<Slot>, config: &Config, state: L) -> Arc<Mutex<L>>
where
    Mutex<L>: Saver,
{
    if let Some(error) = state.rejection() {
        config.report_rejected(error);
    }
    let cell = Arc::new(Mutex::new(state));
    *slot = Some(Slot {
        saver: Arc::clone(&cell) as Arc<dyn Saver>,
        any: Arc::clone(&cell) as Arc<dyn Any + Send + Sync>,
    });
    cell
}

/// Whether `payload` is an empty [`SessionMap`]: refreshed by nobody, as
/// the layer never writes one (an emptied session deletes the cookie). Any
/// other payload, of any type, is refreshed; a typed payload that happens
/// to have these bytes is merely not refreshed.
fn is_empty_session(payload: &[u8]) -> bool {
    static EMPTY: OnceLock<Vec<u8>> = OnceLock::new();
    let empty =
        EMPTY.get_or_init(|| crate::serialize::to_bytes(&SessionMap::new()).unwrap_or_default());
    !empty.is_empty() && payload == empty.as_slice()
}

/// A verified payload written back byte for byte: serialized as a tuple of
/// bytes, which the payload format (postcard) writes with no length prefix,
/// so the re-issued token holds exactly the payload it was loaded with,
/// whatever type the app reads it as.
struct RawPayload<'a>(&'a [u8]);

impl Serialize for RawPayload<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for byte in self.0 {
            tuple.serialize_element(byte)?;
        }
        tuple.end()
    }
}

/// The request extension that carries a request's session state from the
/// layer or middleware to the extractors.
#[derive(Clone)]
pub(crate) struct RequestExtension(pub(crate) Arc<RequestState>);

#[cfg(test)]
mod tests {
    use super::{is_empty_session, RawPayload};
    use crate::session::SessionMap;

    #[test]
    fn a_raw_payload_serializes_to_exactly_its_bytes() {
        for payload in [&b""[..], b"\x00", b"\x03abc\xff\x80", &[0x80; 300]] {
            let bytes = crate::serialize::to_bytes(&RawPayload(payload)).unwrap();
            assert_eq!(bytes, payload);
        }
    }

    #[test]
    fn only_the_empty_session_map_is_empty() {
        let empty = crate::serialize::to_bytes(&SessionMap::new()).unwrap();
        assert!(is_empty_session(&empty));
        let mut one = SessionMap::new();
        one.insert("a", &1u8).unwrap();
        assert!(!is_empty_session(
            &crate::serialize::to_bytes(&one).unwrap()
        ));
        assert!(!is_empty_session(b""));
    }
}
