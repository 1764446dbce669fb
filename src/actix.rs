//! Cookie sessions in actix-web (feature `actix`): wrap the `App` in
//! [`SessionMiddleware`] and take a [`Session`] (or a [`Typed<T>`])
//! argument in a handler. No glue: the middleware loads the session and
//! writes the `Set-Cookie` headers.
//!
//! Per request, exactly as with the [tower layer](crate::tower) (see there
//! for the rules in full): the session is loaded once, when a handler
//! first extracts it, from every `Cookie` header line read as bytes (other
//! cookies with non-ASCII bytes never hide it; chunks reassembled); a
//! missing, forged or expired cookie is an empty session. The response gets
//! exactly the `Set-Cookie` values [`SessionCookie::save`] decides: nothing
//! for an untouched or unchanged session, a re-issue after key rotation or
//! past the codec's `reissue_after` **also when the handler only read**, a
//! removal after `clear()` and for a rejected cookie; with
//! [`SessionMiddleware::refresh_every_request`], a re-issue on every
//! response. On a 5xx response only deletions are sent. A response that
//! read the session or sets its cookie gets `Vary: Cookie`; one that sets
//! it is made `Cache-Control: private`, and a response marked `public`
//! gets no optional re-issue. A session that cannot be saved
//! ([`Error::TooLarge`]) turns the response into a 500 without a cookie
//! ([`SessionMiddleware::on_save_error`] chooses it);
//! [`SessionMiddleware::on_rejected`] reports rejected cookies. A missing
//! middleware, or two (not clones of one) on one request, answer a 500
//! that names the problem, also written once to standard error (the only
//! thing the middleware prints).
//!
//! At login, [`Session::clear_and_regenerate`] starts a clean session (values dropped, new
//! ID, fresh creation time); [`Session::regenerate`] changes the ID but
//! keeps the values. Handlers may return `Result<_, cookie_seal::Error>`:
//! an error is a plain 500 that reveals nothing about the session. Without
//! the middleware, extracting a [`Session`] fails with a 500 whose message
//! names it.
//!
//! With the `store` feature, [`SessionMiddleware::store`] keeps sessions in a
//! `SessionStore` (server-side, or hybrid: in the cookie while they fit), as
//! the tower layer does (see the crate's `store` module); the [`Session`]
//! extractor then loads the record asynchronously, and
//! `Session::set_user` binds a session to a user for `revoke_user`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use actix_web::{test, web, App, HttpResponse};
//! use cookie_seal::actix::{Session, SessionMiddleware};
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::{Codec, Key, Keyring};
//!
//! async fn counter(session: Session) -> Result<String, cookie_seal::Error> {
//!     let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
//!     session.insert("n", &n)?;
//!     Ok(n.to_string())
//! }
//!
//! async fn login(session: Session) -> Result<HttpResponse, cookie_seal::Error> {
//!     session.clear_and_regenerate()?; // fixation defence: new ID, nothing from before login
//!     session.insert("user", "alice")?;
//!     Ok(HttpResponse::SeeOther().insert_header(("location", "/")).finish())
//! }
//!
//! async fn logout(session: Session) -> HttpResponse {
//!     session.clear(); // an empty session deletes the cookie
//!     HttpResponse::SeeOther().insert_header(("location", "/")).finish()
//! }
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! // In a server: HttpServer::new(move || App::new().wrap(middleware.clone())...)
//! let middleware = SessionMiddleware::new(cookies)
//!     .on_rejected(|error| eprintln!("session cookie rejected: {error}"));
//! actix_web::rt::System::new().block_on(async {
//!     let app = test::init_service(
//!         App::new()
//!             .wrap(middleware)
//!             .route("/", web::get().to(counter))
//!             .route("/login", web::post().to(login))
//!             .route("/logout", web::post().to(logout)),
//!     )
//!     .await;
//!     let first = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
//!     let set_cookie = first.headers().get("set-cookie").expect("a new session").to_str()?;
//!     assert!(set_cookie.contains("; HttpOnly; SameSite=Lax; Secure; Path=/"));
//!     let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
//!     let second = test::TestRequest::get().uri("/").insert_header(("cookie", cookie)).to_request();
//!     assert_eq!(test::call_and_read_body(&app, second).await, "2");
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderMap, HeaderValue, CACHE_CONTROL, COOKIE, SET_COOKIE, VARY};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cookie::SessionCookie;
use crate::error::Error;
#[cfg(feature = "store")]
use crate::store::{SessionStore, Storage, StoreError};
use crate::web_session::{
    apply, shared_cacheable, Hooks, RequestExtension, ResponseHeaders, ResponseKind, Step,
    SAVE_ERROR_BODY, SESSION_ERROR_BODY,
};
pub use crate::web_session::{Session, SessionFuture, SessionRejection, Typed};

const MISSING_MIDDLEWARE: SessionRejection = SessionRejection::missing(
    "cookie_seal::actix::SessionMiddleware is missing: add \
     `.wrap(cookie_seal::actix::SessionMiddleware::new(cookies))` to the App \
     (or to the scope that holds this route)",
);

/// The actix-web middleware that loads and saves each request's cookie
/// session; see the [module docs](self). Cheap to clone (once per worker).
#[derive(Clone)]
pub struct SessionMiddleware {
    hooks: Hooks<HttpResponse>,
}

impl SessionMiddleware {
    /// A middleware for the session cookie `cookies`, for `App::wrap`: no
    /// hooks, a plain-text 500 when a session cannot be saved.
    #[must_use]
    pub fn new(cookies: SessionCookie) -> SessionMiddleware {
        #[allow(unused_mut)] // Without the `store` feature there is nothing more to set.
        let mut hooks = Hooks::new(cookies, |_: &Error| plain_500(SAVE_ERROR_BODY.to_owned()));
        #[cfg(feature = "store")]
        hooks.on_store_error(default_store_error);
        SessionMiddleware { hooks }
    }

    /// Calls `hook` with the reason whenever a request's cookie is rejected
    /// (forged, tampered, expired, unknown key, undecodable), when the
    /// session is loaded. The request carries on with an empty session and
    /// the cookie is deleted either way; the error never holds key material.
    #[must_use]
    pub fn on_rejected(
        mut self,
        hook: impl Fn(&Error) + Send + Sync + 'static,
    ) -> SessionMiddleware {
        self.hooks.on_rejected(hook);
        self
    }

    /// Builds the response sent instead of the handler's when the session
    /// cannot be saved (typically [`Error::TooLarge`]); no session cookie is
    /// sent. Default: a plain-text 500.
    #[must_use]
    pub fn on_save_error(
        mut self,
        hook: impl Fn(&Error) -> HttpResponse + Send + Sync + 'static,
    ) -> SessionMiddleware {
        self.hooks.on_save_error(hook);
        self
    }

    /// With `true`, every response re-issues the request's valid session
    /// cookie with a fresh issue time, also for routes whose handler never
    /// takes the session, as actix-session's `SessionLifecycle::OnEveryRequest`
    /// does; exactly as
    /// [`SessionLayer::refresh_every_request`](crate::tower::SessionLayer::refresh_every_request)
    /// (see there for when no cookie is written, and the security note).
    /// Default: `false`.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::actix::SessionMiddleware;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?;
    /// let middleware = SessionMiddleware::new(cookies).refresh_every_request(true);
    /// assert!(format!("{middleware:?}").contains("refresh_every_request: true"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn refresh_every_request(mut self, refresh: bool) -> SessionMiddleware {
        self.hooks.refresh_every_request(refresh);
        self
    }
}

#[cfg(feature = "store")]
impl SessionMiddleware {
    /// Keeps sessions in `store`, with [`Storage::Server`] or
    /// [`Storage::Hybrid`]: exactly as
    /// [`SessionLayer::store`](crate::tower::SessionLayer::store) (see there,
    /// and the crate's `store` module). The [`Session`] extractor loads the
    /// session's record; `Typed` sessions are cookie-only.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::actix::SessionMiddleware;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::store::{MemoryStore, Storage};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?;
    /// let middleware = SessionMiddleware::new(cookies).store(MemoryStore::new(), Storage::Hybrid);
    /// assert!(format!("{middleware:?}").contains("store: true"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn store(mut self, store: impl SessionStore, storage: Storage) -> SessionMiddleware {
        self.hooks.store(std::sync::Arc::new(store), storage);
        self
    }

    /// Builds the response sent instead of the handler's when the session
    /// store fails, as
    /// [`SessionLayer::on_store_error`](crate::tower::SessionLayer::on_store_error):
    /// no cookie changes. Default: a plain-text 503 with `Retry-After: 1`.
    #[must_use]
    pub fn on_store_error(
        mut self,
        hook: impl Fn(&StoreError) -> HttpResponse + Send + Sync + 'static,
    ) -> SessionMiddleware {
        self.hooks.on_store_error(hook);
        self
    }
}

/// The default response for a store failure: a plain-text 503.
#[cfg(feature = "store")]
fn default_store_error(_: &StoreError) -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain; charset=utf-8")
        .insert_header((actix_web::http::header::RETRY_AFTER, "1"))
        .body(crate::web_session::STORE_ERROR_BODY)
}

impl fmt::Debug for SessionMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.hooks.debug("SessionMiddleware", f)
    }
}

impl<S, B> Transform<S, ServiceRequest> for SessionMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = SessionService<S>;
    type InitError = ();
    type Future = Ready<Result<SessionService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SessionService {
            service: Rc::new(service),
            middleware: self.clone(),
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the app.
pub struct SessionService<S> {
    service: Rc<S>,
    middleware: SessionMiddleware,
}

impl<S> fmt::Debug for SessionService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("middleware", &self.middleware)
            .finish_non_exhaustive()
    }
}

type ResponseFuture<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>>>>;

impl<S, B> Service<ServiceRequest> for SessionService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ResponseFuture<B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> ResponseFuture<B> {
        let started = self.middleware.hooks.start(
            request.extensions().get::<RequestExtension>(),
            cookie_headers(request.headers()),
        );
        let (state, extension) = match started {
            Ok(started) => started,
            Err(message) => {
                let page = request.into_response(plain_500(message));
                return Box::pin(ready(Ok(page.map_into_right_body())));
            }
        };
        request.extensions_mut().insert(extension);
        let response = self.service.call(request);
        let hooks = self.middleware.hooks.clone();
        Box::pin(async move {
            let mut response = response.await?;
            let kind = ResponseKind {
                server_error: response.status().is_server_error(),
                shared_cacheable: shared_cacheable(cache_control(response.headers())),
            };
            let finish = match hooks.finish_step(&state, kind) {
                Step::Ready(finish) => finish,
                #[cfg(feature = "store")]
                Step::Wait(waiting) => {
                    let took_session = waiting.took_session();
                    hooks.finish_waited(took_session, waiting.future.await)
                }
            };
            Ok(match finish {
                Ok(finish) => {
                    apply(response.headers_mut(), finish);
                    response.map_into_left_body()
                }
                Err(page) => response.into_response(page).map_into_right_body(),
            })
        })
    }
}

fn cache_control(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers.get_all(CACHE_CONTROL).map(HeaderValue::as_bytes)
}

impl ResponseHeaders for HeaderMap {
    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(VARY).map(HeaderValue::as_bytes)
    }

    fn cache_control(&self) -> impl Iterator<Item = &[u8]> {
        cache_control(self)
    }

    fn append_vary_cookie(&mut self) {
        self.append(VARY, HeaderValue::from_static("Cookie"));
    }

    fn set_cache_control(&mut self, value: Cow<'static, [u8]>) {
        let value = match value {
            // The one borrowed value is `private`.
            Cow::Borrowed(_) => HeaderValue::from_static("private"),
            Cow::Owned(value) => HeaderValue::from_bytes(&value)
                .unwrap_or(HeaderValue::from_static("private, no-store")),
        };
        self.insert(CACHE_CONTROL, value);
    }

    fn append_set_cookie(&mut self, value: String) {
        // Valid (`Finish::new`): never skipped.
        if let Ok(value) = HeaderValue::try_from(value) {
            self.append(SET_COOKIE, value);
        }
    }
}

/// The `Cookie` header lines as bytes: a line is never dropped for another
/// cookie's non-ASCII byte.
fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers.get_all(COOKIE).map(HeaderValue::as_bytes)
}

/// The extension the middleware put on the request, or the rejection
/// (reported once on standard error) if there is none.
fn extension(request: &HttpRequest) -> Result<RequestExtension, SessionRejection> {
    request
        .extensions()
        .get::<RequestExtension>()
        .cloned()
        .ok_or_else(|| MISSING_MIDDLEWARE.report_missing())
}

impl FromRequest for Session {
    type Error = SessionRejection;
    /// Ready at once without a store; with one, it loads the session's
    /// record (see [`SessionMiddleware::store`]).
    type Future = SessionFuture;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> SessionFuture {
        match extension(request) {
            Ok(extension) => Session::load_async(
                Some(&extension),
                MISSING_MIDDLEWARE,
                &mut cookie_headers(request.headers()),
            ),
            Err(rejection) => SessionFuture::ready(Err(rejection)),
        }
    }
}

impl<T> FromRequest for Typed<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    type Error = SessionRejection;
    type Future = Ready<Result<Typed<T>, SessionRejection>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(extension(request).and_then(|extension| {
            Typed::load(
                Some(&extension),
                MISSING_MIDDLEWARE,
                &mut cookie_headers(request.headers()),
            )
        }))
    }
}

impl ResponseError for SessionRejection {
    /// A 500 with the reason (a programming error, not a client's).
    fn error_response(&self) -> HttpResponse {
        plain_500(self.to_string())
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    /// A 500 that says nothing about the session: the error may describe
    /// its contents (a value of the wrong type) or the server's keys.
    fn error_response(&self) -> HttpResponse {
        plain_500(SESSION_ERROR_BODY.to_owned())
    }
}

fn plain_500(body: String) -> HttpResponse {
    HttpResponse::InternalServerError()
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::CookieConfig;
    use crate::{Codec, Key, Keyring};

    #[test]
    fn a_handler_error_is_a_plain_500_that_reveals_nothing() {
        let error = Error::Invalid;
        assert_eq!(
            ResponseError::status_code(&error),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let response = ResponseError::error_response(&error);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::rt::System::new()
            .block_on(actix_web::body::to_bytes(response.into_body()))
            .unwrap();
        assert_eq!(body, SESSION_ERROR_BODY.as_bytes());
    }

    #[test]
    fn debug_names_the_middleware_and_its_service() {
        let codec = Codec::sealed(Keyring::new(1, Key::from_bytes(&[3; 32]).unwrap()));
        let cookies = SessionCookie::new(codec, CookieConfig::new("s").unwrap()).unwrap();
        let middleware = SessionMiddleware::new(cookies).refresh_every_request(true);
        let text = format!("{middleware:?}");
        assert!(
            text.starts_with("SessionMiddleware { config: Config {"),
            "{text}"
        );
        assert!(text.contains("refresh_every_request: true"), "{text}");
        let service = SessionService {
            service: Rc::new(()),
            middleware,
        };
        let text = format!("{service:?}");
        assert!(
            text.starts_with("SessionService { middleware: SessionMiddleware {"),
            "{text}"
        );
    }
}
