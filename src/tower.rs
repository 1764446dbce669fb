//! A tower layer that gives each request its cookie session (feature
//! `tower`); the handlers' side is the [`axum`](crate::axum) extractor.
//!
//! [`SessionLayer`] wraps any `Service<http::Request<_>>` whose response
//! body can be built from a `String` (axum's `Router` is one). Per request:
//!
//! - The session is loaded when a handler first asks for it (an extractor),
//!   once, from every `Cookie` header line, with chunks reassembled. A
//!   missing, forged, expired or undecodable cookie is an empty session.
//! - The response gets exactly the `Set-Cookie` values that
//!   [`SessionCookie::save`] decides: nothing for an untouched or unchanged
//!   session; the new cookie for a changed one; a re-issue under the primary
//!   key after key rotation or past the codec's `reissue_after`, **also when
//!   the handler only read**; a removal after `clear()` and for a rejected
//!   cookie. A request whose handler never extracts the session gets no
//!   `Set-Cookie` at all.
//! - A session that cannot be saved (it grew past the cookie's budget,
//!   [`Error::TooLarge`]) turns the response into a 500 without any cookie;
//!   [`SessionLayer::on_save_error`] chooses that response (and is the
//!   place to log it). [`SessionLayer::on_rejected`] reports rejected
//!   cookies. The layer itself prints nothing.
//!
//! The layer has no runtime of its own: it works on any executor. Here it
//! wraps a hand-written service, driven without one:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::convert::Infallible;
//! use std::future::{ready, Future, Ready};
//! use std::task::{Context, Poll, Waker};
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::tower::SessionLayer;
//! use cookie_seal::{Codec, Key, Keyring};
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! /// A service that never reads the session.
//! #[derive(Clone)]
//! struct Hello;
//! impl Service<http::Request<()>> for Hello {
//!     type Response = http::Response<String>;
//!     type Error = Infallible;
//!     type Future = Ready<Result<http::Response<String>, Infallible>>;
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
//!         Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, _: http::Request<()>) -> Self::Future {
//!         ready(Ok(http::Response::new("hello".to_owned())))
//!     }
//! }
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! let mut service = SessionLayer::new(cookies)
//!     .on_rejected(|error| eprintln!("session cookie rejected: {error}"))
//!     .layer(Hello);
//! let request = http::Request::builder()
//!     .header("cookie", "__Host-session=forged")
//!     .body(())?;
//! let mut response = Box::pin(service.call(request));
//! let Poll::Ready(Ok(response)) = response.as_mut().poll(&mut Context::from_waker(Waker::noop()))
//! else { unreachable!("the inner service is ready at once") };
//! // The handler never asked for the session: no cookie is touched.
//! assert!(response.headers().get("set-cookie").is_none());
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::cookie::SessionCookie;
use crate::error::Error;
use crate::web_session::{Config, RequestExtension, RequestState};

type SaveErrorHook = Arc<dyn Fn(&Error) -> Response<String> + Send + Sync>;

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
    config: Arc<Config>,
    on_save_error: SaveErrorHook,
}

impl SessionLayer {
    /// A layer for the session cookie `cookies`: no hooks, a plain-text 500
    /// when a session cannot be saved.
    pub fn new(cookies: SessionCookie) -> SessionLayer {
        SessionLayer {
            config: Arc::new(Config::new(cookies)),
            on_save_error: Arc::new(default_save_error),
        }
    }

    /// Calls `hook` with the reason whenever a request's cookie is rejected
    /// (forged, tampered, expired, unknown key, undecodable), when the
    /// session is loaded. The request carries on with an empty session and
    /// the cookie is deleted either way; the error never holds key material.
    #[must_use]
    pub fn on_rejected(mut self, hook: impl Fn(&Error) + Send + Sync + 'static) -> SessionLayer {
        Arc::make_mut(&mut self.config).on_rejected(hook);
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
        self.on_save_error = Arc::new(hook);
        self
    }
}

impl fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("config", &self.config)
            .finish_non_exhaustive()
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
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> ResponseFuture<S::Future> {
        let state = Arc::new(RequestState::new(Arc::clone(&self.layer.config)));
        request
            .extensions_mut()
            .insert(RequestExtension(Arc::clone(&state)));
        ResponseFuture {
            // Boxed so that this future is Unpin without unsafe pin projection.
            inner: Box::pin(self.inner.call(request)),
            state,
            on_save_error: Arc::clone(&self.layer.on_save_error),
        }
    }
}

/// The response future of [`SessionService`]: the app's response with the
/// session's `Set-Cookie` headers.
pub struct ResponseFuture<F> {
    inner: Pin<Box<F>>,
    state: Arc<RequestState>,
    on_save_error: SaveErrorHook,
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: From<String>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut response = ready!(this.inner.as_mut().poll(cx))?;
        let set_cookies = this.state.finish::<HeaderValue>();
        Poll::Ready(Ok(match set_cookies {
            Ok(values) => {
                for value in values {
                    response.headers_mut().append(SET_COOKIE, value);
                }
                response
            }
            Err(error) => (this.on_save_error)(&error).map(B::from),
        }))
    }
}

fn default_save_error(_: &Error) -> Response<String> {
    let mut response =
        Response::new("500 Internal Server Error: the session could not be saved".to_owned());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
