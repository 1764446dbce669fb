//! A tower layer that gives each request its cookie session (feature
//! `tower`); the handlers' side is the [`axum`](crate::axum) extractor.
//!
//! [`SessionLayer`] wraps any `Service<http::Request<_>>` whose response
//! body can be built from a `String` (axum's `Router` is one). Per request:
//!
//! - The session is loaded when a handler first asks for it (an extractor),
//!   once, from every `Cookie` header line, with chunks reassembled. A
//!   missing, forged, expired or undecodable cookie is an empty session.
//!   The lines are read as bytes: another cookie holding UTF-8, obs-text or
//!   invalid UTF-8 (set by a script, or by a sibling subdomain) is skipped
//!   and never hides the session beside it. Names match exactly (only space
//!   and tab around a pair are trimmed).
//! - The response gets exactly the `Set-Cookie` values that
//!   [`SessionCookie::save`] decides: nothing for an untouched or unchanged
//!   session; the new cookie for a changed one; a re-issue under the primary
//!   key after key rotation or past the codec's `reissue_after`, **also when
//!   the handler only read**; a removal after `clear()` and for a rejected
//!   cookie. A request whose handler never extracts the session gets no
//!   `Set-Cookie` at all, unless [`SessionLayer::refresh_every_request`] is
//!   set. The decision is made when the response leaves the handler, as
//!   late as the layer can.
//! - **Server errors.** On a 5xx response nothing is stored: no changed
//!   session, no re-issue, no refresh (as Django's `SessionMiddleware` and
//!   tower-sessions do), so a handler that fails half-way does not leave
//!   half its changes in the cookie. Deletions still go out: a logout
//!   (`clear()`) whose response is an error, and a rejected cookie. A
//!   deletion never grants anything, and a user who asked to log out must
//!   be logged out even if the page after it fails.
//! - **Caches.** A response whose handler read the session, or that sets
//!   its cookie, gets `Vary: Cookie` (unless a `Vary` already names
//!   `Cookie` or `*`), as Django's `SessionMiddleware` adds it whenever
//!   the session was accessed. A response that sets the session cookie is
//!   never left storable by a shared cache: unless its `Cache-Control`
//!   already says `private` or `no-store`, `public` and `s-maxage` are
//!   dropped and `private` is added (other directives, such as `max-age`,
//!   stay for the browser's own cache); without a `Cache-Control` it gets
//!   `Cache-Control: private`, what Rails sends by default. An optional
//!   re-issue (nothing changed, only rotation, `reissue_after` or
//!   [`SessionLayer::refresh_every_request`]) is not added to a response the
//!   handler marked for shared caches (`public` or `s-maxage`): it waits
//!   for the next private response. A changed session or a deletion is
//!   always sent, with `private`.
//! - A session that cannot be saved (it grew past the cookie's budget,
//!   [`Error::TooLarge`]) turns the response into a 500 without any cookie;
//!   [`SessionLayer::on_save_error`] chooses that response (and is the
//!   place to log it). [`SessionLayer::on_rejected`] reports rejected
//!   cookies.
//! - **Misconfiguration fails loudly.** Without the layer, the extractor
//!   answers a 500 naming it; in axum this also happens for a route added
//!   *after* `.layer(...)` (a layer applies only to the routes added before
//!   it), and the message says so. Two session layers (not clones of one
//!   layer) on one route (the handler would see only the inner one, and
//!   the outer one would never write) answer a 500 naming both cookies,
//!   without calling the handler. Each of these is also written once per
//!   process to standard error, the only thing the layer ever prints. The
//!   same layer applied twice is harmless.
//!
//! - **Server-side and hybrid sessions** (feature `store`):
//!   `SessionLayer::store` keeps sessions in a `SessionStore`, with the
//!   cookie carrying only an authenticated reference; the extractor then
//!   loads the record asynchronously. See the `store` module for the flow.
//!
//! Outside axum, a service behind the layer reads the session with
//! [`Session::from_http`] (or, with a store, [`Session::from_http_async`]). The layer has no runtime of its own: it works on
//! any executor. Here it wraps a hand-written service, driven without one:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::future::{ready, Future, Ready};
//! use std::sync::{Arc, Mutex};
//! use std::task::{Context, Poll, Waker};
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::tower::{Session, SessionLayer};
//! use cookie_seal::{Codec, Key, Keyring};
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! /// Counts visits in the session.
//! #[derive(Clone)]
//! struct Counter;
//! impl Service<http::Request<()>> for Counter {
//!     type Response = http::Response<String>;
//!     type Error = cookie_seal::Error;
//!     type Future = Ready<Result<http::Response<String>, cookie_seal::Error>>;
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
//!         Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, request: http::Request<()>) -> Self::Future {
//!         let session = Session::from_http(&request).expect("behind SessionLayer");
//!         ready((|| {
//!             let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
//!             session.insert("n", &n)?;
//!             Ok(http::Response::new(n.to_string()))
//!         })())
//!     }
//! }
//!
//! /// Polls once: the service above is ready at once.
//! fn now<F: Future>(future: F) -> F::Output {
//!     match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
//!         Poll::Ready(output) => output,
//!         Poll::Pending => unreachable!("nothing to wait for"),
//!     }
//! }
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! let rejected = Arc::new(Mutex::new(Vec::new()));
//! let log = Arc::clone(&rejected);
//! let mut app = SessionLayer::new(cookies)
//!     .on_rejected(move |error| log.lock().unwrap().push(error.to_string()))
//!     .layer(Counter);
//!
//! let first = now(app.call(http::Request::new(())))?;
//! let set_cookie = first.headers()["set-cookie"].to_str()?;
//! assert!(set_cookie.starts_with("__Host-session="));
//! let cookie = set_cookie.split(';').next().unwrap_or_default();
//! let second = now(app.call(http::Request::builder().header("cookie", cookie).body(())?))?;
//! assert_eq!(second.body(), "2");
//!
//! // A forged cookie: an empty session, reported to the hook, replaced.
//! let forged = http::Request::builder().header("cookie", "__Host-session=forged").body(())?;
//! let third = now(app.call(forged))?;
//! assert_eq!(third.body(), "1");
//! assert_eq!(*rejected.lock().unwrap(), ["malformed token"]);
//! # Ok(()) }
//! ```

use std::fmt;
use std::task::{Context, Poll};

use http::header::{CONTENT_TYPE, COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::cookie::SessionCookie;
use crate::error::Error;
use crate::web_session::{Hooks, RequestExtension, SAVE_ERROR_BODY};
pub use crate::web_session::{Session, SessionFuture, SessionRejection, Typed};
pub use response::ResponseFuture;
use response::Stage;

const MISSING_LAYER: SessionRejection = SessionRejection::missing(
    "cookie_seal::tower::SessionLayer is missing: add \
     `.layer(cookie_seal::tower::SessionLayer::new(cookies))` to the Router, \
     after the routes that take a session (in axum, `.layer()` applies only \
     to the routes added before it)",
);

/// The session handle from a request's extensions (put there by
/// [`SessionLayer`]) and its `Cookie` headers: what the axum extractors do,
/// for services that see the `http` parts directly (hyper, plain tower).
pub(crate) fn extract<T>(
    extensions: &http::Extensions,
    headers: &http::HeaderMap,
    load: impl for<'h> FnOnce(
        Option<&RequestExtension>,
        SessionRejection,
        &mut dyn Iterator<Item = &'h [u8]>,
    ) -> Result<T, SessionRejection>,
) -> Result<T, SessionRejection> {
    // As bytes: a line is never dropped for another cookie's non-ASCII byte.
    let mut cookie_headers = headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
    let extension = extensions.get();
    let missing = match extension {
        Some(_) => MISSING_LAYER,
        None => MISSING_LAYER.report_missing(),
    };
    load(extension, missing, &mut cookie_headers)
}

impl Session {
    /// This request's session, for a service behind [`SessionLayer`] that
    /// is not an axum handler (in axum, take a [`Session`] argument).
    /// Loads the session on the first call; later calls share it.
    ///
    /// # Errors
    /// [`SessionRejection`] if the request did not pass through
    /// [`SessionLayer`], or its session was already read as a [`Typed`].
    pub fn from_http<B>(request: &Request<B>) -> Result<Session, SessionRejection> {
        extract(request.extensions(), request.headers(), Session::load)
    }
}

impl Session {
    /// This request's session, for a service behind a [`SessionLayer`]
    /// with a store ([`SessionLayer::store`]) that is not an axum handler:
    /// the future loads the session's record on the first call of the
    /// request (later calls share it). Without a store it is ready at once,
    /// like [`Session::from_http`].
    ///
    /// The future does not borrow `request`. Take the session once per
    /// request (or clone the handle): two of these futures polled at the
    /// same time before either finished would each load the record, and
    /// the first to finish is the request's session.
    pub fn from_http_async<B>(request: &Request<B>) -> SessionFuture {
        extract(
            request.extensions(),
            request.headers(),
            |extension, missing, headers| Ok(Session::load_async(extension, missing, headers)),
        )
        .unwrap_or_else(|rejection| SessionFuture::ready(Err(rejection)))
    }
}

impl<T> Typed<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + 'static,
{
    /// This request's typed session, for a service behind [`SessionLayer`]
    /// that is not an axum handler; see [`Session::from_http`].
    ///
    /// # Errors
    /// [`SessionRejection`] if the request did not pass through
    /// [`SessionLayer`], or its session was already read as another type.
    pub fn from_http<B>(request: &Request<B>) -> Result<Typed<T>, SessionRejection> {
        extract(request.extensions(), request.headers(), Typed::load)
    }
}

/// The tower layer that loads and saves each request's cookie session; see
/// the [module docs](self). Cheap to clone.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use cookie_seal::cookie::{CookieConfig, SessionCookie};
/// use cookie_seal::tower::SessionLayer;
/// use cookie_seal::{Codec, Error, Key, Keyring};
///
/// let cookies = SessionCookie::new(
///     Codec::sealed(Keyring::new(1, Key::generate())),
///     CookieConfig::new("__Host-session")?,
/// )?;
/// let layer = SessionLayer::new(cookies)
///     .on_rejected(|error| eprintln!("session cookie rejected: {error}"))
///     .on_save_error(|error: &Error| {
///         eprintln!("session not saved: {error}");
///         let mut page = http::Response::new("<h1>Your session is too large</h1>".to_owned());
///         *page.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
///         page
///     });
/// # let _ = layer;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SessionLayer {
    hooks: Hooks<Response<String>>,
}

impl SessionLayer {
    /// A layer for the session cookie `cookies`: no hooks, a plain-text 500
    /// when a session cannot be saved.
    pub fn new(cookies: SessionCookie) -> SessionLayer {
        #[allow(unused_mut)] // Without the `store` feature there is nothing more to set.
        let mut hooks = Hooks::new(cookies, default_save_error);
        #[cfg(feature = "store")]
        hooks.on_store_error(store::default_store_error);
        SessionLayer { hooks }
    }

    /// Calls `hook` with the reason whenever a request's cookie is rejected
    /// (forged, tampered, expired, unknown key, undecodable), when the
    /// session is loaded. The request carries on with an empty session and
    /// the cookie is deleted either way; the error never holds key material.
    #[must_use]
    pub fn on_rejected(mut self, hook: impl Fn(&Error) + Send + Sync + 'static) -> SessionLayer {
        self.hooks.on_rejected(hook);
        self
    }

    /// Builds the response sent instead of the handler's when the session
    /// cannot be saved (typically [`Error::TooLarge`]: the session outgrew
    /// the cookie). The handler's response, with its headers, is dropped;
    /// no session cookie is sent. Default: a plain-text 500.
    #[must_use]
    pub fn on_save_error(
        mut self,
        hook: impl Fn(&Error) -> Response<String> + Send + Sync + 'static,
    ) -> SessionLayer {
        self.hooks.on_save_error(hook);
        self
    }

    /// With `true`, every response re-issues the request's valid session
    /// cookie with a fresh issue time (a rolling idle lifetime), also for
    /// routes whose handler never takes the session, as actix-session's
    /// `SessionLifecycle::OnEveryRequest` and tower-sessions'
    /// `with_always_save` do. Default: `false` (a cookie is written when
    /// the session changed, or a re-issue is due).
    ///
    /// The token is then verified when the request arrives, without
    /// deserializing it (it works with [`Session`] and [`Typed`] alike).
    /// No cookie is written when there is no valid session (none, a
    /// rejected one, or an empty [`SessionMap`](crate::SessionMap)), on a
    /// server error (5xx), or on a response a shared cache may store
    /// (`Cache-Control: public`); a handler's own decision (a change, a
    /// logout's deletion) comes first. The absolute lifetime and the
    /// generation carry over.
    ///
    /// With a store (`SessionLayer::store`), the re-issue happens when a
    /// handler takes the session (the cookie may be a reference, which only
    /// the store can refresh): an empty update restarts the record's TTL and
    /// a fresh reference cookie is sent.
    ///
    /// # Security
    /// Every response then carries the cookie, so a request that was under
    /// way when the user logged out can set it again after the deletion
    /// (SECURITY.md, "Logout undone by a slower request"). Without this
    /// option that happens only when a re-issue is due. With
    /// `Storage::Server` this cannot happen (nor to a hybrid session while it
    /// is in the store): the slower request's update finds the record gone
    /// and deletes the cookie.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::tower::SessionLayer;
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?;
    /// let layer = SessionLayer::new(cookies).refresh_every_request(true);
    /// assert!(format!("{layer:?}").contains("refresh_every_request: true"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn refresh_every_request(mut self, refresh: bool) -> SessionLayer {
        self.hooks.refresh_every_request(refresh);
        self
    }
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.hooks.debug("SessionLayer", f)
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> SessionService<S> {
        SessionService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around the app.
#[derive(Clone)]
pub struct SessionService<S> {
    inner: S,
    layer: SessionLayer,
}

impl<S> fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<String>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> ResponseFuture<S::Future, ResBody> {
        let started = self.layer.hooks.start(
            request.extensions().get(),
            request
                .headers()
                .get_all(COOKIE)
                .iter()
                .map(HeaderValue::as_bytes),
        );
        let hooks = self.layer.hooks.clone();
        match started {
            Ok((state, extension)) => {
                request.extensions_mut().insert(extension);
                let inner = self.inner.call(request);
                ResponseFuture::new(Some(inner), Stage::Call(state), hooks)
            }
            Err(message) => ResponseFuture::new(None, Stage::Refused(message), hooks),
        }
    }
}

fn plain_500(body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn default_save_error(_: &Error) -> Response<String> {
    plain_500(SAVE_ERROR_BODY.to_owned())
}

mod response;
#[cfg(feature = "store")]
mod store;
#[cfg(test)]
mod tests;
