//! cookie-seal in axum: sealed cookie sessions with login, logout, a visit
//! counter and key rotation, on 127.0.0.1.
//!
//! ```sh
//! cargo run --example axum_app                     # http://127.0.0.1:3000
//! PORT=8080 SESSION_KEYS="1:$(openssl rand -base64 32)" cargo run --example axum_app
//! COOKIE_SEAL_INSECURE=1 cargo run --example axum_app  # no Secure, for plain-http clients
//! ```
//!
//! Pages: `/` (who is signed in, the login or logout form), `POST /login`
//! (form field `username`), `POST /logout`, `/counter` (counts a visit).
//! Environment variables are described in `examples/support/mod.rs`.
//!
//! Every handler does the same three steps: load the session from the
//! `Cookie` headers (a missing, forged or expired cookie is an empty
//! session), change it, and append the `Set-Cookie` headers from
//! `SessionCookie::save`, which also re-issues cookies written under an old
//! key and deletes rejected ones. `SessionCookie` binds every token to the
//! cookie name as its context (`EncodeOptions::context` / `Codec::decode_with`),
//! so a token moved into another cookie does not verify.

mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie_seal::cookie::{Loaded, SessionCookie};
use cookie_seal::Session;
use serde::Deserialize;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = support::Settings::from_env()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
    support::announce(listener.local_addr()?);
    axum::serve(listener, router(settings.cookies)).await?;
    Ok(())
}

/// The app's routes, sharing one `SessionCookie` (codec + cookie config).
fn router(cookies: SessionCookie) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/counter", get(counter))
        .with_state(Arc::new(cookies))
}

type Cookies = State<Arc<SessionCookie>>;

/// Loads the session from the request's `Cookie` headers. Never fails.
fn load(cookies: &SessionCookie, headers: &HeaderMap) -> Loaded<Session> {
    let values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok());
    let loaded = cookies.load(values, SystemTime::now());
    if let Some(error) = loaded.error() {
        eprintln!("session cookie rejected: {error}");
    }
    loaded
}

/// `response` with the `Set-Cookie` headers that save `session`.
fn save(
    cookies: &SessionCookie,
    loaded: &Loaded<Session>,
    session: &Session,
    response: impl IntoResponse,
) -> Response {
    let set_cookies = match cookies.save(loaded, session, SystemTime::now()) {
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

fn server_error(error: &dyn std::fmt::Display) -> Response {
    eprintln!("session could not be saved: {error}");
    let page = support::error_page("The session could not be saved.");
    (StatusCode::INTERNAL_SERVER_ERROR, Html(page)).into_response()
}

async fn home(State(cookies): Cookies, headers: HeaderMap) -> Response {
    let loaded = load(&cookies, &headers);
    let session = loaded.session();
    save(
        &cookies,
        &loaded,
        &session,
        Html(support::home_page(&session)),
    )
}

async fn counter(State(cookies): Cookies, headers: HeaderMap) -> Response {
    let loaded = load(&cookies, &headers);
    let mut session = loaded.session();
    let count = support::count(&session) + 1;
    if let Err(error) = session.insert(support::COUNT, &count) {
        return server_error(&error);
    }
    save(
        &cookies,
        &loaded,
        &session,
        Html(support::counter_page(count)),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(
    State(cookies): Cookies,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(user) = support::valid_username(&form.username) else {
        let page = support::error_page("User names are 1 to 32 letters, digits, '.', '_' or '-'.");
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    let loaded = load(&cookies, &headers);
    let mut session = loaded.session();
    // Fixation defence: nothing from before login survives, and the session
    // gets a new ID (so `save` issues it with a fresh creation time).
    session.clear();
    if let Err(error) = session.regenerate() {
        return server_error(&error);
    }
    if let Err(error) = session.insert(support::USER, user) {
        return server_error(&error);
    }
    save(&cookies, &loaded, &session, Redirect::to("/"))
}

async fn logout(State(cookies): Cookies, headers: HeaderMap) -> Response {
    let loaded = load(&cookies, &headers);
    let mut session = loaded.session();
    session.clear(); // an empty, changed session: `save` deletes the cookie
    save(&cookies, &loaded, &session, Redirect::to("/"))
}
