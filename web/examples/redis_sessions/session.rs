//! The request's session: the verified session-ID cookie, the data it
//! points to, and the `Set-Cookie` headers that end the request.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use cookie_seal::cookie::{Loaded, SessionCookie};
use cookie_seal::{EncodeOptions, SessionId};

use crate::store::{RedisStore, SessionData, StoreError};
use crate::support;

/// Shared by all requests.
pub struct App {
    /// The signed session-ID cookie.
    pub cookies: SessionCookie,
    pub store: RedisStore,
}

pub type AppState = State<Arc<App>>;

/// A request's session: the verified cookie and, if its ID is still in the
/// store, the ID and its data.
pub struct Current {
    pub loaded: Loaded<SessionId>,
    pub live: Option<(SessionId, SessionData)>,
}

impl App {
    /// Verifies the request's session-ID cookie. No Redis command: a cookie
    /// that does not verify ends here.
    pub fn verify(&self, headers: &HeaderMap) -> Loaded<SessionId> {
        // As bytes: another cookie with a non-ASCII byte must not hide ours.
        let values = headers
            .get_all(header::COOKIE)
            .iter()
            .map(HeaderValue::as_bytes);
        let loaded = self
            .cookies
            .load_bytes::<SessionId>(values, SystemTime::now());
        if let Some(error) = loaded.error() {
            eprintln!("session cookie rejected: {error}");
        }
        loaded
    }

    /// Verifies the cookie, then reads a verified ID's data from Redis
    /// (refreshing its TTL).
    pub async fn current(&self, headers: &HeaderMap) -> Result<Current, StoreError> {
        let loaded = self.verify(headers);
        let live = match loaded.decoded() {
            Some(decoded) => {
                let id = decoded.value.clone();
                self.store.load(&id).await?.map(|data| (id, data))
            }
            None => None,
        };
        Ok(Current { loaded, live })
    }

    /// `response` with the `Set-Cookie` headers for ending the request with
    /// session ID `id` (`None`: no session):
    /// - the loaded ID again: re-signed only if the token needs re-issue (an
    ///   old key, or older than the re-issue threshold), keeping its
    ///   creation time;
    /// - a new ID: a fresh cookie;
    /// - no session: the request's cookie, if it sent one, is deleted.
    pub fn respond(
        &self,
        loaded: &Loaded<SessionId>,
        id: Option<&SessionId>,
        response: impl IntoResponse,
    ) -> Response {
        let now = SystemTime::now();
        let present = loaded.present();
        let set_cookies = match (id, loaded.decoded()) {
            (Some(id), Some(decoded)) if decoded.value == *id => {
                if !decoded.needs_reissue() {
                    Ok(Vec::new())
                } else {
                    self.cookies.store(id, &decoded.carry_over(), present, now)
                }
            }
            (Some(id), _) => self.cookies.store(id, &EncodeOptions::new(), present, now),
            (None, _) if present.is_empty() => Ok(Vec::new()),
            (None, _) => Ok(self.cookies.removal_cookies(present)),
        };
        let set_cookies = match set_cookies {
            Ok(set_cookies) => set_cookies,
            Err(error) => return server_error(&error),
        };
        let mut response = response.into_response();
        for value in set_cookies {
            match HeaderValue::try_from(value) {
                Ok(value) => response.headers_mut().append(header::SET_COOKIE, value),
                Err(error) => return server_error(&error),
            };
        }
        response
    }
}

pub fn server_error(error: &dyn std::fmt::Display) -> Response {
    eprintln!("session could not be saved: {error}");
    let page = support::error_page("The session could not be saved.");
    (StatusCode::INTERNAL_SERVER_ERROR, Html(page)).into_response()
}

/// `503 Service Unavailable` for a store that did not answer (`500` for the
/// one failure that is not the store's).
pub fn store_unavailable(error: &StoreError) -> Response {
    if let StoreError::Encode(error) = error {
        return server_error(error);
    }
    eprintln!("session store unavailable: {error}");
    let page = support::error_page("The session store is unavailable. Try again in a few seconds.");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        Html(page),
    )
        .into_response()
}
