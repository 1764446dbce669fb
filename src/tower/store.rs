//! [`SessionLayer`] with a session store (features `tower` and `store`).

use std::sync::Arc;

use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderValue, Response, StatusCode};

use super::SessionLayer;
use crate::store::{SessionStore, Storage, StoreError};
#[cfg(doc)]
use crate::web_session::Session;
use crate::web_session::STORE_ERROR_BODY;

impl SessionLayer {
    /// Keeps sessions in `store` (DESIGN.md section 9): every session with
    /// [`Storage::Server`], where the cookie carries only an authenticated
    /// reference; with [`Storage::Hybrid`], the ones that outgrow the cookie.
    /// Handlers do not change. How the session is loaded and saved, with at
    /// most one store call each, is described in the crate's `store`
    /// module docs and in SECURITY.md ("Session stores").
    ///
    /// - The session is loaded when a handler first takes it, by the async
    ///   [`Session`] extractor of axum (or [`Session::from_http_async`]):
    ///   a reference cookie costs one [`SessionStore::load`]; a cookie that
    ///   fails verification costs no store call. `Typed` sessions and the
    ///   synchronous [`Session::from_http`] are for cookie-only layers.
    /// - [`Session::set_user`] binds a session to a user, and
    ///   [`SessionStore::revoke_user`] ends that user's sessions.
    /// - A store that fails answers with [`SessionLayer::on_store_error`]'s
    ///   response (a 503 by default), and no cookie changes.
    /// - [`SessionLayer::refresh_every_request`] re-issues (and restarts the
    ///   record's TTL) when a handler takes the session.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::future::{ready, Ready};
    /// use std::task::{Context, Poll};
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::store::{MemoryStore, Storage};
    /// use cookie_seal::tower::{Session, SessionLayer};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// use tower_layer::Layer;
    /// use tower_service::Service;
    ///
    /// /// Counts visits in the session (as an axum handler taking `Session` would).
    /// #[derive(Clone)]
    /// struct Counter;
    /// impl Service<http::Request<()>> for Counter {
    ///     type Response = http::Response<String>;
    ///     type Error = cookie_seal::Error;
    ///     type Future = std::pin::Pin<Box<dyn std::future::Future<
    ///         Output = Result<http::Response<String>, cookie_seal::Error>> + Send>>;
    ///     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
    ///         Poll::Ready(Ok(()))
    ///     }
    ///     fn call(&mut self, request: http::Request<()>) -> Self::Future {
    ///         let session = Session::from_http_async(&request);
    ///         Box::pin(async move {
    ///             let session = session.await.expect("behind SessionLayer");
    ///             let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
    ///             session.insert("n", &n)?;
    ///             Ok(http::Response::new(n.to_string()))
    ///         })
    ///     }
    /// }
    ///
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?;
    /// let store = MemoryStore::new();
    /// let mut app = SessionLayer::new(cookies)
    ///     .store(store.clone(), Storage::Server)
    ///     .layer(Counter);
    ///
    /// let first = pollster::block_on(app.call(http::Request::new(())))?;
    /// assert_eq!(store.len(), 1, "the session is in the store");
    /// let cookie = first.headers()["set-cookie"].to_str()?.split(';').next().unwrap_or_default();
    /// let request = http::Request::builder().header("cookie", cookie).body(())?;
    /// let second = pollster::block_on(app.call(request))?;
    /// assert_eq!(second.body(), "2");
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn store(mut self, store: impl SessionStore, storage: Storage) -> SessionLayer {
        self.hooks.store(Arc::new(store), storage);
        self
    }

    /// Builds the response sent instead of the handler's when the session
    /// store fails ([`StoreError`], while loading or saving the session).
    /// No cookie is set or deleted: the session stays as it was, and the
    /// next request finds it again once the store is back. Default: a
    /// plain-text 503 with `Retry-After: 1`. The place to log the error.
    #[must_use]
    pub fn on_store_error(
        mut self,
        hook: impl Fn(&StoreError) -> Response<String> + Send + Sync + 'static,
    ) -> SessionLayer {
        self.hooks.on_store_error(hook);
        self
    }
}

/// The default response for a store failure: a plain-text 503.
pub(super) fn default_store_error(_: &StoreError) -> Response<String> {
    let mut response = Response::new(STORE_ERROR_BODY.to_owned());
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}
