//! Heap allocations the session layer adds to one request, counted with
//! `allocation-counter` (this thread only; a reallocation counts as a new
//! allocation; its own test binary, since it installs a global allocator).
//!
//! Each count is one request through the layer, whose handler takes the
//! session, minus the same request through the same framework without the
//! layer, whose handler does the same work by hand with `SessionCookie`
//! (load, get, insert, save, `Set-Cookie`). The difference is the glue:
//! what the layer costs beyond the session work itself. Cookie-only, a
//! five-key session, a valid cookie on every request, sealed and signed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::time::SystemTime;

use allocation_counter::measure;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Key, Keyring, SessionMap};

#[path = "../support/mod.rs"]
mod support;

fn codecs() -> [(&'static str, Codec); 2] {
    let keys = || Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    [
        ("sealed", Codec::sealed(keys())),
        ("signed", Codec::signed(keys())),
    ]
}

fn cookies(codec: Codec) -> SessionCookie {
    SessionCookie::new(codec, CookieConfig::new("__Host-session").unwrap()).unwrap()
}

/// The request's `Cookie` header: the five-key session of the layer bench.
fn request_cookie(cookies: &SessionCookie) -> String {
    let mut session = SessionMap::new();
    session.regenerate().unwrap();
    session.insert("user", "alice.example").unwrap();
    session.insert("count", &41u64).unwrap();
    session
        .insert("roles", &["reader", "writer", "admin"])
        .unwrap();
    session.insert("theme", "dark").unwrap();
    session.insert("csrf", &[0x5au8; 32]).unwrap();
    support::mint(cookies, &session, SystemTime::now())
}

/// Allocations of `request` after a first call (which may set up
/// thread-local state and caches).
fn allocations(mut request: impl FnMut() -> usize, set_cookies: usize) -> u64 {
    assert_eq!(request(), set_cookies);
    let mut count = 0;
    let info = measure(|| count = request());
    assert_eq!(count, set_cookies);
    info.count_total
}

/// Layer minus by hand, for read and for write.
#[derive(Debug, PartialEq, Eq)]
struct Glue {
    read: i64,
    write: i64,
}

fn glue(mut layer: impl FnMut(&str) -> usize, mut by_hand: impl FnMut(&str) -> usize) -> Glue {
    let mut difference = |path: &str, set_cookies| {
        let through_layer = allocations(|| layer(path), set_cookies);
        let without = allocations(|| by_hand(path), set_cookies);
        eprintln!("{path}: layer {through_layer}, by hand {without}");
        through_layer as i64 - without as i64
    };
    Glue {
        read: difference("/read", 0),
        write: difference("/write", 1),
    }
}

mod actix;
mod axum;
