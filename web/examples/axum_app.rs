//! cookie-seal in axum: sealed cookie sessions with login, logout, a visit
//! counter and key rotation, on 127.0.0.1.
//!
//! ```sh
//! cargo run -p cookie-seal-web --example axum_app          # http://127.0.0.1:3000
//! PORT=8080 SESSION_KEYS="1:$(openssl rand -base64 32)" cargo run -p cookie-seal-web --example axum_app
//! COOKIE_SEAL_INSECURE=1 cargo run -p cookie-seal-web --example axum_app  # no Secure, for plain-http clients
//! ```
//!
//! Pages: `/` (who is signed in, the login or logout form), `POST /login`
//! (form field `username`), `POST /logout`, `/counter` (counts a visit).
//! Environment variables are described in `examples/support/mod.rs`.
//!
//! `SessionLayer` loads the session when a handler takes a `Session`
//! argument (a missing, forged or expired cookie is an empty session) and
//! adds the `Set-Cookie` headers to the response: the new cookie after a
//! change, a re-issue of cookies written under an old key (also when the
//! handler only read), the deletion of rejected ones and of the session
//! after logout. Handlers contain no cookie code.

mod support;

use std::process::ExitCode;

use axum::extract::Form;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie_seal::axum::Session;
use cookie_seal::cookie::SessionCookie;
use cookie_seal::tower::SessionLayer;
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

/// The app's routes behind the session layer.
fn router(cookies: SessionCookie) -> Router {
    let sessions = SessionLayer::new(cookies)
        .on_rejected(support::log_rejected)
        .on_save_error(|error| {
            let mut page = axum::http::Response::new(support::save_error_page(error));
            *page.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            let html = HeaderValue::from_static("text/html; charset=utf-8");
            page.headers_mut().insert(header::CONTENT_TYPE, html);
            page
        });
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/counter", get(counter))
        .layer(sessions)
}

async fn home(session: Session) -> Html<String> {
    Html(support::home_page(&session.snapshot()))
}

async fn counter(session: Session) -> Result<Html<String>, cookie_seal::Error> {
    let count = support::count(&session.snapshot()) + 1;
    session.insert(support::COUNT, &count)?;
    Ok(Html(support::counter_page(count)))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, cookie_seal::Error> {
    let Some(user) = support::valid_username(&form.username) else {
        let page = Html(support::error_page(support::BAD_USERNAME));
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    };
    // Fixation defence: nothing from before login survives, the session gets
    // a new ID and a fresh creation time.
    session.clear_and_regenerate()?;
    session.insert(support::USER, user)?;
    Ok(Redirect::to("/").into_response())
}

async fn logout(session: Session) -> Redirect {
    session.clear(); // an empty session: the layer deletes the cookie
    Redirect::to("/")
}
