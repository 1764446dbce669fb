//! cookie-seal in actix-web: the same app as `axum_app` (sealed cookie
//! sessions with login, logout, a visit counter and key rotation, on
//! 127.0.0.1).
//!
//! ```sh
//! cargo run --example actix_app                    # http://127.0.0.1:3000
//! PORT=8080 SESSION_KEYS="1:$(openssl rand -base64 32)" cargo run --example actix_app
//! COOKIE_SEAL_INSECURE=1 cargo run --example actix_app  # no Secure, for plain-http clients
//! ```
//!
//! Pages: `/`, `POST /login` (form field `username`), `POST /logout`,
//! `/counter`. Environment variables are described in
//! `examples/support/mod.rs`. Each handler loads the session from the
//! `Cookie` headers (a bad cookie is an empty session), changes it, and adds
//! the `Set-Cookie` headers from `SessionCookie::save` (which re-issues
//! old-key cookies and deletes rejected ones). Tokens are bound to the cookie
//! name as their context by `SessionCookie`.

mod support;

use std::process::ExitCode;
use std::time::SystemTime;

use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use cookie_seal::cookie::{Loaded, SessionCookie};
use cookie_seal::Session;
use serde::Deserialize;

#[actix_web::main]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = support::Settings::from_env()?;
    let cookies = web::Data::new(settings.cookies);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(cookies.clone())
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

type Cookies = web::Data<SessionCookie>;

/// Loads the session from the request's `Cookie` headers. Never fails.
fn load(cookies: &SessionCookie, request: &HttpRequest) -> Loaded<Session> {
    let values = request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok());
    let loaded = cookies.load(values, SystemTime::now());
    if let Some(error) = loaded.error() {
        eprintln!("session cookie rejected: {error}");
    }
    loaded
}

/// A response with `status`, the `Set-Cookie` headers that save `session`,
/// and `page` as HTML (or a redirect to `/` when `page` is `None`).
fn save(
    cookies: &SessionCookie,
    loaded: &Loaded<Session>,
    session: &Session,
    page: Option<String>,
) -> HttpResponse {
    let set_cookies = match cookies.save(loaded, session, SystemTime::now()) {
        Ok(set_cookies) => set_cookies,
        Err(error) => return server_error(&error),
    };
    let mut response = match page {
        Some(_) => HttpResponse::Ok(),
        None => HttpResponse::SeeOther(),
    };
    for value in set_cookies {
        response.append_header((header::SET_COOKIE, value));
    }
    match page {
        Some(page) => response.content_type(ContentType::html()).body(page),
        None => response.insert_header((header::LOCATION, "/")).finish(),
    }
}

fn server_error(error: &dyn std::fmt::Display) -> HttpResponse {
    eprintln!("session could not be saved: {error}");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        support::error_page("The session could not be saved."),
    )
}

fn html(status: StatusCode, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(page)
}

async fn home(cookies: Cookies, request: HttpRequest) -> HttpResponse {
    let loaded = load(&cookies, &request);
    let session = loaded.session();
    save(
        &cookies,
        &loaded,
        &session,
        Some(support::home_page(&session)),
    )
}

async fn counter(cookies: Cookies, request: HttpRequest) -> HttpResponse {
    let loaded = load(&cookies, &request);
    let mut session = loaded.session();
    let count = support::count(&session) + 1;
    if let Err(error) = session.insert(support::COUNT, &count) {
        return server_error(&error);
    }
    save(
        &cookies,
        &loaded,
        &session,
        Some(support::counter_page(count)),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(cookies: Cookies, request: HttpRequest, form: web::Form<LoginForm>) -> HttpResponse {
    let Some(user) = support::valid_username(&form.username) else {
        let page = support::error_page("User names are 1 to 32 letters, digits, '.', '_' or '-'.");
        return html(StatusCode::BAD_REQUEST, page);
    };
    let loaded = load(&cookies, &request);
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
    save(&cookies, &loaded, &session, None)
}

async fn logout(cookies: Cookies, request: HttpRequest) -> HttpResponse {
    let loaded = load(&cookies, &request);
    let mut session = loaded.session();
    session.clear(); // an empty, changed session: `save` deletes the cookie
    save(&cookies, &loaded, &session, None)
}
