//! Taking the session asynchronously: what the extractors return. A
//! cookie-only layer's session is ready at once (no allocation, no wait);
//! a store layer's may need one store call first.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{RequestExtension, Session, SessionRejection};

/// The future of a [`Session`] extractor (axum, actix-web) or of
/// `Session::from_http_async`: ready at once for a cookie-only layer; with a
/// store, it loads the session's record first (see `SessionLayer::store`).
#[must_use = "futures do nothing unless awaited"]
pub struct SessionFuture {
    inner: Inner,
}

enum Inner {
    Ready(Option<Result<Session, SessionRejection>>),
    #[cfg(feature = "store")]
    Loading(Pin<Box<dyn Future<Output = Result<Session, SessionRejection>> + Send>>),
}

impl SessionFuture {
    pub(crate) fn ready(result: Result<Session, SessionRejection>) -> SessionFuture {
        SessionFuture {
            inner: Inner::Ready(Some(result)),
        }
    }
}

impl Future for SessionFuture {
    type Output = Result<Session, SessionRejection>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _ = &cx;
        match &mut self.get_mut().inner {
            // Polled again after it returned: the rejection, not a panic.
            Inner::Ready(result) => {
                Poll::Ready(result.take().unwrap_or(Err(SessionRejection::POLLED_AGAIN)))
            }
            #[cfg(feature = "store")]
            Inner::Loading(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for SessionFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionFuture").finish_non_exhaustive()
    }
}

impl Session {
    /// The session of the request `extension` belongs to: at once for a
    /// cookie-only layer (as [`Session::load`]); with a store, after the
    /// store call the cookie asks for, on the first call of the request.
    pub(crate) fn load_async(
        extension: Option<&RequestExtension>,
        missing: SessionRejection,
        headers: &mut dyn Iterator<Item = &[u8]>,
    ) -> SessionFuture {
        #[cfg(feature = "store")]
        if let Some(RequestExtension(state)) = extension {
            if let Some(store) = &state.config.store {
                return load_stored(state, store, headers);
            }
        }
        SessionFuture::ready(Session::load(extension, missing, headers))
    }
}

/// A store layer's session: the one already loaded, or the cookie verified
/// now and the store asked (without a call for a cookie that fails
/// verification).
#[cfg(feature = "store")]
fn load_stored(
    state: &std::sync::Arc<super::RequestState>,
    store: &std::sync::Arc<super::store::StoreConfig>,
    headers: &mut dyn Iterator<Item = &[u8]>,
) -> SessionFuture {
    use super::store::{complete, open, Opened};
    use std::sync::Arc;

    if let Some(loaded) = state.loaded_dynamic() {
        return SessionFuture::ready(loaded.map(|cell| Session { cell }));
    }
    let cookies = &state.config.cookies;
    let opened = open(cookies, store, headers, std::time::SystemTime::now());
    if let Opened::Ready(ready) = opened {
        return SessionFuture::ready(state.fill_dynamic(ready).map(|cell| Session { cell }));
    }
    let state = Arc::clone(state);
    let store = Arc::clone(store);
    SessionFuture {
        inner: Inner::Loading(Box::pin(async move {
            match complete(&state.config.cookies, &store, opened).await {
                Ok(loaded) => state.fill_dynamic(loaded).map(|cell| Session { cell }),
                Err(error) => {
                    state.fail(error);
                    Err(SessionRejection::STORE_FAILED)
                }
            }
        })),
    }
}
