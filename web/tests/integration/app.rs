//! The test apps' setup, requests and replies, and what the scenarios check
//! in them.

use std::sync::{Arc, Mutex};

use cookie_seal::consts::MAX_COOKIE_LEN;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Keyring};

use crate::support::fixtures::ring;

pub const NAME: &str = "__Host-session";

pub fn keys_1() -> Keyring {
    ring(&[(1, 1)])
}

/// Key 2 primary, key 1 still accepted: the middle of a rotation.
pub fn keys_2_then_1() -> Keyring {
    ring(&[(2, 2), (1, 1)])
}

pub fn session_cookie(keys: Keyring, config: CookieConfig) -> SessionCookie {
    SessionCookie::new(Codec::sealed(keys), config).unwrap()
}

pub fn cookies() -> SessionCookie {
    session_cookie(keys_1(), CookieConfig::new(NAME).unwrap())
}

/// What a test app is built from.
#[derive(Clone)]
pub struct Setup {
    pub cookies: SessionCookie,
    pub layer: bool,
    /// What the `on_rejected` hook received.
    pub rejected: Arc<Mutex<Vec<String>>>,
    /// Whether an `on_save_error` hook answers 507 "session too large: <error>".
    pub save_error_hook: bool,
}

impl Setup {
    pub fn new(cookies: SessionCookie) -> Setup {
        Setup {
            cookies,
            layer: true,
            rejected: Arc::default(),
            save_error_hook: false,
        }
    }

    pub fn with_save_error_hook(mut self) -> Setup {
        self.save_error_hook = true;
        self
    }

    pub fn without_layer(mut self) -> Setup {
        self.layer = false;
        self
    }

    pub fn rejected(&self) -> Vec<String> {
        self.rejected.lock().unwrap().clone()
    }
}

/// A request: a GET of `path` with these `Cookie` header lines.
#[derive(Clone)]
pub struct Req {
    pub path: &'static str,
    pub cookie_lines: Vec<String>,
}

pub fn get(path: &'static str) -> Req {
    Req {
        path,
        cookie_lines: Vec::new(),
    }
}

impl Req {
    pub fn cookie(mut self, line: &str) -> Req {
        self.cookie_lines.push(line.to_owned());
        self
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Reply {
    /// A reply from the framework's status, `Set-Cookie` header values and
    /// body, as bytes (both frameworks' header types give them).
    pub fn new(status: u16, set_cookies: Vec<Vec<u8>>, body: &[u8]) -> Reply {
        Reply {
            status,
            set_cookies: set_cookies
                .into_iter()
                .map(|value| String::from_utf8(value).unwrap())
                .collect(),
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    /// The `name=value` pairs of the cookies set (not removed), as a
    /// browser would send them back on one `Cookie` line.
    pub fn cookie_line(&self) -> String {
        self.set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=; ")) && c.contains("Max-Age=0"))
    }
}

/// Whether every cookie set fits the browser limit: name + value at most
/// 4096 bytes (the `=` and the attributes do not count).
pub fn all_fit(set_cookies: &[String]) -> bool {
    set_cookies.iter().all(|c| {
        let (name, value) = c.split(';').next().unwrap().split_once('=').unwrap();
        name.len() + value.len() <= MAX_COOKIE_LEN
    })
}

/// The token in a `Set-Cookie` value.
pub fn token(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .unwrap()
        .1
}

pub fn alice(n: u64) -> cookie_seal::SessionMap {
    let mut session = cookie_seal::SessionMap::new();
    session.insert("user", "alice").unwrap();
    session.insert("n", &n).unwrap();
    session
}
