//! cookie-seal in actix-web: the same app as `axum_app` (sealed cookie
//! sessions with login, logout, a visit counter and key rotation, on
//! 127.0.0.1).
//!
//! ```sh
//! cargo run -p cookie-seal-web --example actix_app         # http://127.0.0.1:3000
//! PORT=8080 SESSION_KEYS="1:$(openssl rand -base64 32)" cargo run -p cookie-seal-web --example actix_app
//! COOKIE_SEAL_INSECURE=1 cargo run -p cookie-seal-web --example actix_app  # no Secure, for plain-http clients
//! ```
//!
//! Pages: `/`, `POST /login` (form field `username`), `POST /logout`,
//! `/counter`. Environment variables are described in
//! `examples/support/mod.rs`. `SessionMiddleware` loads the session when a
//! handler takes a `Session` argument and adds the `Set-Cookie` headers to
//! the response (new cookie, re-issue after key rotation, deletion of
//! rejected cookies and at logout); handlers contain no cookie code.

mod support;

use std::process::ExitCode;

use actix_web::http::header::{ContentType, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};
use cookie_seal::actix::{Session, SessionMiddleware};
use serde::Deserialize;

#[actix_web::main]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = support::Settings::from_env()?;
    let sessions = SessionMiddleware::new(settings.cookies)
        .on_rejected(support::log_rejected)
        .on_save_error(|error| {
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                support::save_error_page(error),
            )
        });
    let server = HttpServer::new(move || {
        App::new()
            .wrap(sessions.clone())
            .route("/", web::get().to(home))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/counter", web::get().to(counter))
    })
    .workers(2)
    .bind(("127.0.0.1", settings.port))?;
    for addr in server.addrs() {
        support::announce(addr);
    }
    server.run().await?;
    Ok(())
}

fn html(status: StatusCode, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(page)
}

fn to_home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, "/"))
        .finish()
}

async fn home(session: Session) -> HttpResponse {
    html(StatusCode::OK, support::home_page(&session.snapshot()))
}

async fn counter(session: Session) -> Result<HttpResponse, cookie_seal::Error> {
    let count = support::count(&session.snapshot()) + 1;
    session.insert(support::COUNT, &count)?;
    Ok(html(StatusCode::OK, support::counter_page(count)))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, cookie_seal::Error> {
    let Some(user) = support::valid_username(&form.username) else {
        let page = support::error_page(support::BAD_USERNAME);
        return Ok(html(StatusCode::BAD_REQUEST, page));
    };
    // Fixation defence: nothing from before login survives, the session gets
    // a new ID and a fresh creation time.
    session.clear_and_regenerate()?;
    session.insert(support::USER, user)?;
    Ok(to_home())
}

async fn logout(session: Session) -> HttpResponse {
    session.clear(); // an empty session: the middleware deletes the cookie
    to_home()
}
