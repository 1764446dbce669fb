//! One request's session state: loaded at most once, in one shape, shared
//! by every handle, and saved when the response leaves.

use std::any::Any;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::{lock, Config, SessionRejection};
use crate::cookie::SessionCookie;
use crate::error::Error;

/// A loaded session of some shape, as the response side sees it.
pub(super) trait Saver: Send + Sync {
    fn set_cookies(&self, cookies: &SessionCookie, now: SystemTime) -> Result<Vec<String>, Error>;
}

/// A session shape the request can be loaded as.
pub(super) trait Load: Sized + Send + 'static {
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
    pub(super) config: Arc<Config>,
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
    pub(super) fn get_or_load<'h, L: Load>(
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
