//! Cookie sessions in axum (feature `axum`): add
//! [`SessionLayer`](crate::tower::SessionLayer) to the `Router` and take a
//! [`Session`] (or a [`Typed<T>`]) argument in a handler. No glue: the layer
//! loads the session and writes the `Set-Cookie` headers (see
//! [`tower`](crate::tower) for exactly when).
//!
//! ```ignore
//! use axum::{routing::{get, post}, Router};
//! use cookie_seal::axum::Session;
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::tower::SessionLayer;
//! use cookie_seal::Codec;
//!
//! let keys = std::env::var("SESSION_KEYS")?.parse()?;
//! let cookies = SessionCookie::new(Codec::sealed(keys), CookieConfig::new("__Host-session")?)?;
//! let app = Router::new()
//!     .route("/", get(counter))
//!     .route("/login", post(login))
//!     .route("/logout", post(logout))
//!     .layer(SessionLayer::new(cookies));
//!
//! async fn counter(session: Session) -> Result<String, cookie_seal::Error> {
//!     let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
//!     session.insert("n", &n)?;
//!     Ok(n.to_string())
//! }
//!
//! async fn login(session: Session) -> Result<&'static str, cookie_seal::Error> {
//!     session.clear_and_regenerate()?; // fixation defence: new ID, nothing from before login
//!     session.insert("user", "alice")?;
//!     Ok("signed in")
//! }
//!
//! async fn logout(session: Session) -> &'static str {
//!     session.clear(); // an empty session deletes the cookie
//!     "signed out"
//! }
//! ```
//! (This crate does not depend on axum itself, only on `axum-core`, so the
//! app above is compiled and tested as `web/examples/axum_app.rs` instead of
//! here.) Handlers may return `Result<_, cookie_seal::Error>`: an error is
//! a plain 500 that reveals nothing about the session.
//!
//! At login, [`Session::clear_and_regenerate`] starts a clean session (values dropped, new
//! ID, fresh creation time); [`Session::regenerate`] changes the ID but
//! keeps the values. Without the layer, extracting a [`Session`] fails with
//! a 500 whose message names the layer; nothing panics.
//!
//! The extractor works on any executor; here it runs inside the layer
//! without axum's `Router` or a runtime:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::convert::Infallible;
//! use std::future::Future;
//! use std::pin::Pin;
//! use std::task::{Context, Poll, Waker};
//! use axum_core::extract::FromRequestParts;
//! use cookie_seal::axum::Session;
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::tower::SessionLayer;
//! use cookie_seal::{Codec, Key, Keyring};
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! /// Counts visits in the session, like the handler above.
//! #[derive(Clone)]
//! struct Counter;
//! impl Service<http::Request<()>> for Counter {
//!     type Response = http::Response<String>;
//!     type Error = Infallible;
//!     type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>>>>;
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
//!         Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, request: http::Request<()>) -> Self::Future {
//!         Box::pin(async move {
//!             let (mut parts, _) = request.into_parts();
//!             let session = Session::from_request_parts(&mut parts, &()).await.expect("layer");
//!             let n = session.get::<u64>("n").expect("a u64").unwrap_or(0) + 1;
//!             session.insert("n", &n).expect("serializable");
//!             Ok(http::Response::new(n.to_string()))
//!         })
//!     }
//! }
//!
//! fn run<F: Future>(future: F) -> F::Output {
//!     let mut future = std::pin::pin!(future);
//!     loop {
//!         if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
//!             return output;
//!         }
//!     }
//! }
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! let mut app = SessionLayer::new(cookies).layer(Counter);
//! let first = run(app.call(http::Request::new(())))?;
//! assert_eq!(first.body(), "1");
//! let set_cookie = first.headers()["set-cookie"].to_str()?;
//! assert!(set_cookie.contains("; HttpOnly; SameSite=Lax; Secure; Path=/"));
//! let cookie = set_cookie.split(';').next().unwrap_or_default();
//! let second = run(app.call(http::Request::builder().header("cookie", cookie).body(())?))?;
//! assert_eq!(second.body(), "2");
//! # Ok(()) }
//! ```

use std::future::{ready, Future};

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;
use crate::tower::extract;
use crate::web_session::SESSION_ERROR_BODY;
pub use crate::web_session::{Session, SessionFuture, SessionRejection, Typed};

// No bound on `S`: the extractor needs no state, and its future holds none.
// With a store, the future loads the session's record (it does not borrow
// `parts`); without one it is ready at once.
impl<S> FromRequestParts<S> for Session {
    type Rejection = SessionRejection;

    fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> impl Future<Output = Result<Session, SessionRejection>> + Send {
        extract(
            &parts.extensions,
            &parts.headers,
            |extension, missing, headers| Ok(Session::load_async(extension, missing, headers)),
        )
        .unwrap_or_else(|rejection| SessionFuture::ready(Err(rejection)))
    }
}

impl<S, T> FromRequestParts<S> for Typed<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    type Rejection = SessionRejection;

    fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> impl Future<Output = Result<Typed<T>, SessionRejection>> + Send {
        ready(extract(&parts.extensions, &parts.headers, Typed::load))
    }
}

impl IntoResponse for SessionRejection {
    /// A 500 with the reason (a programming error, not a client's).
    fn into_response(self) -> Response {
        plain_500(self.to_string())
    }
}

impl IntoResponse for Error {
    /// A 500 that says nothing about the session: the error may describe
    /// its contents (a value of the wrong type) or the server's keys.
    fn into_response(self) -> Response {
        plain_500(SESSION_ERROR_BODY.to_owned())
    }
}

fn plain_500(body: String) -> Response {
    let mut response = body.into_response();
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handler_error_is_a_plain_text_500() {
        let response = Error::Invalid.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
    }
}
