//! The cookie layer: rendering, validation, size limits, loading, saving and
//! chunking, through the public API only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::time::{Duration, SystemTime};

use cookie_seal::consts::{MAX_ATTRIBUTE_LEN, MAX_CHUNKS, MAX_COOKIE_NAME_LEN};
use cookie_seal::consts::{MAX_COOKIE_LEN, MAX_TOKEN_LEN};
use cookie_seal::cookie::{CookieConfig, PresentCookies, SameSite, SessionCookie};
use cookie_seal::{inspect, Codec, EncodeOptions, Error, Key, Keyring, Lifetime, SessionMap};

#[path = "../fixtures/mod.rs"]
mod fixtures;
use fixtures::{noise, ByteString};

mod attributes;
mod chunking;
mod duplicates;
mod header_budget;
mod header_bytes;
mod load_save;
mod nginx;

fn keyring(id: u32, byte: u8) -> Keyring {
    fixtures::ring(&[(id, byte)])
}

fn sealed() -> Codec {
    Codec::sealed(keyring(1, 0x11))
}

fn cookies(config: CookieConfig) -> SessionCookie {
    SessionCookie::new(sealed(), config).unwrap()
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The `Cookie` request header a browser would send back after these
/// `Set-Cookie` values: name=value of every cookie that is not a removal.
fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter(|c| !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn name_value(set_cookie: &str) -> (&str, &str) {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
}

/// The `Set-Cookie` values that store `value` for a request that carried
/// no session cookie.
fn store_fresh<T: serde::Serialize + ?Sized>(cookies: &SessionCookie, value: &T) -> Vec<String> {
    cookies
        .store(value, &EncodeOptions::new(), &PresentCookies::none(), now())
        .unwrap()
}

/// Loads the session that `header` carries, applies `edit` and saves it:
/// the `Set-Cookie` values and the edited session.
fn edit_and_save(
    cookies: &SessionCookie,
    header: &str,
    now: SystemTime,
    edit: impl FnOnce(&mut SessionMap),
) -> (Vec<String>, SessionMap) {
    let loaded = cookies.load::<SessionMap>([header], now);
    let mut session = loaded.session();
    edit(&mut session);
    (cookies.save(&loaded, &session, now).unwrap(), session)
}

/// The cookie names of these `Set-Cookie` values, in order.
fn cookie_names(set_cookies: &[String]) -> Vec<&str> {
    set_cookies.iter().map(|c| name_value(c).0).collect()
}

fn session_with(key: &str, bytes: usize) -> SessionMap {
    let mut session = SessionMap::new();
    session.insert(key, &ByteString(&noise(bytes))).unwrap();
    session
}

/// A header budget that never binds, so the chunk mechanics can be tested
/// with many chunks (the default budget allows two).
const ROOMY_HEADER: usize = 64 * 1024;

/// Chunking up to `max_chunks` cookies, behind a proxy with room for them.
fn chunked(max_chunks: usize) -> SessionCookie {
    cookies(
        CookieConfig::default()
            .chunking(max_chunks)
            .header_budget(ROOMY_HEADER),
    )
}

/// A chunked session as the `(name, value)` cookies a browser would send.
fn chunked_cookies(cookies: &SessionCookie, bytes: usize) -> Vec<(String, String)> {
    let session = session_with("pad", bytes);
    let set = cookies
        .save(&cookies.load([], now()), &session, now())
        .unwrap();
    set.iter()
        .map(|c| {
            let (n, v) = name_value(c);
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

fn header_of(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}
