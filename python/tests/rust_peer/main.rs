//! The Rust side of the cross-language test (`tests/test_cross_language.py`):
//! an axum service with the `cookie-seal` session layer, configured from the
//! environment like the Python app it shares sessions with.
//!
//! - `SESSION_KEYS`: the keyring text (the Python app's);
//! - `COOKIE_NAME`: the cookie name (default `session`);
//! - `COOKIE_SEAL_MODE`: `sealed` (default) or `signed`.
//!
//! It listens on a free port of 127.0.0.1, prints `listening on ADDR`, and
//! stops by itself after `PEER_LIFETIME_SECS` (default 300) so that a test
//! run that dies leaves nothing behind.
//!
//! Routes: `GET /user` reads `Session::get::<u64>("user_id")` (`none` if
//! absent); `POST /user` adds one to it and stores some Rust values for
//! Python to read; `GET /values` reads the other values Python stored, typed.

use std::io::Write;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use cookie_seal::axum::Session;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::tower::SessionLayer;
use cookie_seal::{Codec, Keyring};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let keys: Keyring = std::env::var("SESSION_KEYS")?.parse()?;
    let name = std::env::var("COOKIE_NAME").unwrap_or_else(|_| "session".to_owned());
    let codec = match std::env::var("COOKIE_SEAL_MODE").as_deref() {
        Ok("signed") => Codec::signed(keys),
        _ => Codec::sealed(keys),
    }
    .max_age(Duration::from_secs(31 * 86_400));
    // Plain http on loopback: no `Secure`, so nothing depends on the scheme.
    let cookies = SessionCookie::new(codec, CookieConfig::new(&name)?.secure(false))?;
    let lifetime: u64 = std::env::var("PEER_LIFETIME_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(300);

    let app = Router::new()
        .route("/user", get(read_user).post(bump_user))
        .route("/values", get(read_values))
        .layer(SessionLayer::new(cookies));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let serve = axum::serve(listener, app);
    match tokio::time::timeout(Duration::from_secs(lifetime), serve).await {
        Ok(result) => result?,
        Err(_elapsed) => eprintln!("rust_peer: {lifetime} s are up, stopping"),
    }
    Ok(())
}

async fn read_user(session: Session) -> Result<String, cookie_seal::Error> {
    Ok(session
        .get::<u64>("user_id")?
        .map_or_else(|| "none".to_owned(), |id| id.to_string()))
}

async fn bump_user(session: Session) -> Result<(StatusCode, String), cookie_seal::Error> {
    let Some(id) = session.get::<u64>("user_id")? else {
        return Ok((StatusCode::UNAUTHORIZED, "not logged in".to_owned()));
    };
    session.insert("user_id", &(id + 1))?;
    session.insert("changed_by", "rust")?;
    session.insert("rust_big", &(u128::from(u64::MAX) + 2))?;
    session.insert("rust_list", &vec![1u8, 2, 3])?;
    session.insert("rust_float", &0.25f64)?;
    Ok((StatusCode::OK, (id + 1).to_string()))
}

/// The values the Python side stored, read as Rust types, one per line.
async fn read_values(session: Session) -> Result<String, cookie_seal::Error> {
    let name = session.get::<String>("name")?;
    let roles = session.get::<Vec<String>>("roles")?;
    let blob = session.get::<Vec<u8>>("blob")?;
    let big = session.get::<i128>("big")?;
    let ratio = session.get::<f64>("ratio")?;
    let flag = session.get::<bool>("flag")?;
    let nothing = session.get::<Option<u8>>("nothing")?;
    Ok(format!(
        "name={name:?}\nroles={roles:?}\nblob={blob:?}\nbig={big:?}\nratio={ratio:?}\nflag={flag:?}\nnothing={nothing:?}\n"
    ))
}
