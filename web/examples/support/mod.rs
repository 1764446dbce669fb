//! Framework-free parts shared by the example apps (`axum_app`, `actix_app`,
//! `redis_sessions`): settings from the environment, the HTML pages, and
//! what the cookie-session apps log. The session handling itself is done by
//! cookie-seal's layer (axum) or middleware (actix-web).
//!
//! Environment:
//! - `PORT`: port on 127.0.0.1 (default 3000; `0` picks a free one). The app
//!   prints `listening on http://127.0.0.1:<port>` when it is ready.
//! - `SESSION_KEYS`: the keyring, e.g. `1:<base64 key>` or, while rotating,
//!   `2:<new>,1:<old>` (first entry writes). Unset: a random keyring for this
//!   run only, with a warning.
//! - `COOKIE_SEAL_INSECURE=1`: drop `Secure` (and with it the `__Host-` name
//!   prefix) for plain-http clients that refuse `Secure` cookies from
//!   `http://` origins. Chromium keeps `Secure` cookies from
//!   `http://127.0.0.1` and `http://localhost`, so it does not need this.

use std::error::Error;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Key, Keyring, SessionMap};

/// The session key holding the signed-in user's name.
pub const USER: &str = "user";
/// The session key holding the visit counter.
pub const COUNT: &str = "count";
/// Idle lifetime of a session: 8 hours since the last re-issue.
pub const IDLE_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Sessions older than this are re-issued on the next request (rolling).
pub const REISSUE_AFTER: Duration = Duration::from_secs(3600);

/// What the app needs from its environment.
pub struct Settings {
    /// The port to listen on, on 127.0.0.1.
    pub port: u16,
    /// The sealed session codec bound to the session cookie.
    pub cookies: SessionCookie,
}

impl Settings {
    /// Reads `PORT`, `SESSION_KEYS` and `COOKIE_SEAL_INSECURE`.
    pub fn from_env() -> Result<Settings, Box<dyn Error>> {
        let port = port_from_env()?;
        let keys = keyring_from_env()?;
        let insecure = insecure_from_env();
        Ok(Settings {
            port,
            cookies: session_cookie(keys, insecure)?,
        })
    }
}

/// `PORT` (default 3000).
pub fn port_from_env() -> Result<u16, Box<dyn Error>> {
    match std::env::var("PORT") {
        Ok(port) => Ok(port.parse().map_err(|_| "PORT must be a port number")?),
        Err(_) => Ok(3000),
    }
}

/// `SESSION_KEYS`, or a random keyring for this run only (with a warning).
pub fn keyring_from_env() -> Result<Keyring, Box<dyn Error>> {
    match std::env::var("SESSION_KEYS") {
        Ok(text) => Ok(text.parse::<Keyring>()?),
        Err(_) => {
            eprintln!(
                "warning: SESSION_KEYS is not set; using a random keyring for this run \
                 only, so sessions end when the server stops. Set for example \
                 SESSION_KEYS=\"1:$(openssl rand -base64 32)\""
            );
            Ok(Keyring::new(1, Key::try_generate()?))
        }
    }
}

/// Whether `COOKIE_SEAL_INSECURE=1` is set.
pub fn insecure_from_env() -> bool {
    std::env::var("COOKIE_SEAL_INSECURE").is_ok_and(|v| v == "1")
}

/// The app's session cookie: sealed, 8-hour idle lifetime, re-issued hourly,
/// named `__Host-session` (or `session` without `Secure` when `insecure`).
pub fn session_cookie(keys: Keyring, insecure: bool) -> Result<SessionCookie, cookie_seal::Error> {
    let codec = Codec::sealed(keys)
        .max_age(IDLE_LIFETIME)
        .reissue_after(REISSUE_AFTER);
    SessionCookie::new(codec, cookie_config("session", insecure)?)
}

/// The cookie `__Host-<name>` (`Secure`, host-only, path `/`), or `<name>`
/// without `Secure` when `insecure` (with a warning).
pub fn cookie_config(name: &str, insecure: bool) -> Result<CookieConfig, cookie_seal::Error> {
    if insecure {
        eprintln!("warning: COOKIE_SEAL_INSECURE=1: the session cookie is sent over plain http");
        Ok(CookieConfig::new(name)?.secure(false))
    } else {
        CookieConfig::new(&format!("__Host-{name}"))
    }
}

/// The exit status for the app's result, printing the error (its `Display`,
/// which never holds key material) if there is one.
pub fn exit_code(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the address the app listens on (the tests wait for this line).
pub fn announce(addr: SocketAddr) {
    println!("listening on http://{addr}");
}

/// The session layer's hook for rejected cookies (forged, expired, unknown
/// key): the app logs the reason, the layer deletes the cookie.
pub fn log_rejected(error: &cookie_seal::Error) {
    eprintln!("session cookie rejected: {error}");
}

/// The session layer's hook for a session that cannot be saved (it outgrew
/// the cookie): logs the reason and gives the page of the 500 response.
pub fn save_error_page(error: &cookie_seal::Error) -> String {
    eprintln!("session could not be saved: {error}");
    error_page("The session could not be saved.")
}

/// The message for a refused user name.
pub const BAD_USERNAME: &str = "User names are 1 to 32 letters, digits, '.', '_' or '-'.";

/// A user name if `name` is 1 to 32 ASCII letters, digits, `.`, `_` or `-`.
pub fn valid_username(name: &str) -> Option<&str> {
    let ok = (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

/// The visit count stored in the session (0 if none or unreadable).
pub fn count(session: &SessionMap) -> u64 {
    session.get::<u64>(COUNT).ok().flatten().unwrap_or(0)
}

/// The home page: who is signed in, the counter, and the login or logout form.
pub fn home_page(session: &SessionMap) -> String {
    let user = session.get::<String>(USER).ok().flatten();
    home_page_for(user.as_deref(), count(session))
}

/// The home page for `user` (`None`: not signed in) with `count` visits, for
/// apps that keep the session somewhere else than in a [`SessionMap`].
pub fn home_page_for(user: Option<&str>, count: u64) -> String {
    let body = match user {
        Some(user) => format!(
            "<p>Signed in as <b id=\"user\">{}</b>. Visits counted: <span id=\"count\">{}</span>.</p>\n\
             <p><a href=\"/counter\">Count a visit</a></p>\n\
             <form method=\"post\" action=\"/logout\"><button id=\"logout\" type=\"submit\">Log out</button></form>",
            escape(user),
            count
        ),
        None => format!(
            "<p id=\"anonymous\">Not signed in. Visits counted: <span id=\"count\">{}</span>.</p>\n\
             <p><a href=\"/counter\">Count a visit</a></p>\n\
             <form method=\"post\" action=\"/login\">\n\
             <label>User name <input name=\"username\" required maxlength=\"32\"></label>\n\
             <button id=\"login\" type=\"submit\">Log in</button></form>",
            count
        ),
    };
    page("cookie-seal demo", &body)
}

/// The counter page.
pub fn counter_page(count: u64) -> String {
    page(
        "Counter",
        &format!("<p>Visits: <span id=\"count\">{count}</span></p>\n<p><a href=\"/\">Home</a></p>"),
    )
}

/// A page for a refused request.
pub fn error_page(message: &str) -> String {
    page(
        "Error",
        &format!(
            "<p id=\"error\">{}</p><p><a href=\"/\">Home</a></p>",
            escape(message)
        ),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n{body}\n</body></html>\n"
    )
}

fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}
