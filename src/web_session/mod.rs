//! The framework-neutral half of the integrations ([`tower`](crate::tower) /
//! [`axum`](crate::axum) and [`actix`](crate::actix)): one request's session
//! state, loaded at most once (on the first extraction, from every `Cookie`
//! header line), shared by every handle, and turned into `Set-Cookie` values
//! by [`SessionCookie::save`] when the response leaves.
//!
//! The framework modules only move headers and responses in and out; every
//! decision about cookies is made here or in [`SessionCookie`].

mod cache;
mod future;
mod hooks;
mod session;
mod state;
#[cfg(feature = "store")]
pub(crate) mod store;
#[cfg(test)]
mod tests;
mod typed;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::cookie::SessionCookie;
use crate::error::Error;

pub(crate) use cache::{apply, shared_cacheable, ResponseHeaders};
pub use future::SessionFuture;
#[cfg(all(feature = "store", feature = "tower"))]
pub(crate) use hooks::Waiting;
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) use hooks::SESSION_ERROR_BODY;
#[cfg(feature = "store")]
pub(crate) use hooks::STORE_ERROR_BODY;
pub(crate) use hooks::{Hooks, Step, SAVE_ERROR_BODY};
pub use session::Session;
pub(crate) use state::{Finish, RequestExtension, RequestState, ResponseKind};
pub use typed::Typed;

type RejectHook = Arc<dyn Fn(&Error) + Send + Sync>;

/// What a layer or middleware shares with each of its requests.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) cookies: SessionCookie,
    on_rejected: Option<RejectHook>,
    /// Re-issue the request's cookie on every response, also where no
    /// handler takes the session (`refresh_every_request`).
    pub(crate) refresh_every_request: bool,
    /// The session store (`SessionLayer::store`), if sessions are kept on
    /// the server.
    #[cfg(feature = "store")]
    pub(crate) store: Option<Arc<store::StoreConfig>>,
}

impl Config {
    pub(crate) fn new(cookies: SessionCookie) -> Config {
        Config {
            cookies,
            on_rejected: None,
            refresh_every_request: false,
            #[cfg(feature = "store")]
            store: None,
        }
    }

    pub(crate) fn on_rejected(&mut self, hook: impl Fn(&Error) + Send + Sync + 'static) {
        self.on_rejected = Some(Arc::new(hook));
    }

    /// Reports a rejected cookie to the hook, if one is set.
    pub(crate) fn report_rejected(&self, error: &Error) {
        if let Some(hook) = &self.on_rejected {
            hook(error);
        }
    }

    /// Whether sessions are kept in a store.
    #[cfg(feature = "store")]
    pub(crate) fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// Whether sessions are kept in a store: never without the feature.
    #[cfg(not(feature = "store"))]
    pub(crate) fn has_store(&self) -> bool {
        false
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("cookies", &self.cookies)
            .field("on_rejected", &self.on_rejected.is_some())
            .field("refresh_every_request", &self.refresh_every_request)
            .field("store", &self.has_store())
            .finish()
    }
}

/// Locks `mutex`, also after a handler panicked while holding it: the
/// state stays consistent because every update is a single assignment.
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

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

    /// A store layer's session taken by a synchronous path before it was loaded.
    const NEEDS_ASYNC: SessionRejection = SessionRejection {
        message: "with a session store, the session is loaded asynchronously: take it \
                  with the axum or actix-web `Session` extractor, or \
                  `Session::from_http_async`; `Typed` sessions are cookie-only",
    };

    /// A [`SessionFuture`] polled after it completed.
    const POLLED_AGAIN: SessionRejection = SessionRejection {
        message: "a session future was polled after it completed",
    };

    #[cfg(feature = "store")]
    /// The store failed while loading; the layer answers with its
    /// store-error response instead of the handler's.
    const STORE_FAILED: SessionRejection = SessionRejection {
        message: "the session store is unavailable",
    };

    pub(crate) const fn missing(message: &'static str) -> SessionRejection {
        SessionRejection { message }
    }

    /// The rejection for a request without the layer or middleware: also
    /// written to standard error, once per process, since the 500 it causes
    /// may never be read by the developer (it is a misconfiguration, not a
    /// client's fault, and the same for every request of that route).
    pub(crate) fn report_missing(self) -> SessionRejection {
        let _ = log_once(&MISSING_LOGGED, self.message);
        self
    }
}

static MISSING_LOGGED: AtomicBool = AtomicBool::new(false);
pub(crate) static TWO_LAYERS_LOGGED: AtomicBool = AtomicBool::new(false);

/// Writes `message` to standard error the first time `flag` is raised. The
/// crate has no logging dependency; these are configuration errors that
/// must not pass silently, and once per process keeps them from flooding
/// the log.
/// Returns whether it wrote.
pub(crate) fn log_once(flag: &AtomicBool, message: &str) -> bool {
    let first = !flag.swap(true, Ordering::Relaxed);
    if first {
        eprintln!("cookie-seal: {message}");
    }
    first
}

/// The error for two session layers (not clones of one layer) on one request.
pub(crate) fn two_layers_message(outer: &str, inner: &str) -> String {
    format!(
        "two cookie_seal session layers handle this request (outer cookie `{outer}`, \
         inner cookie `{inner}`): the handler sees only the inner one and the outer one \
         would never write its cookie. Use one session layer per route"
    )
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for SessionRejection {}
