//! The cookies in docs/operations.md's transcripts (which
//! `tests/docs_operations.rs` runs with trycmd) are [`demo_session`] stored by
//! `SessionCookie` at [`DEMO_ISSUED_AT`] under [`DEMO_KEYS`].
//! [`documented_cookies_hold_the_demo_session`] checks that, and when a change
//! of the token format breaks them it prints fresh cookies to paste into the
//! document.

use super::*;

use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::EncodeOptions;
use demo_keys::DEMO_KEYS;

/// 2026-11-21T23:51:49Z, when the documented cookies were issued.
const DEMO_ISSUED_AT: u64 = 1_795_305_109;
const OPERATIONS_MD: &str = "docs/operations.md";

fn demo_session() -> SessionMap {
    let mut session = SessionMap::new();
    session.insert("user_id", &48_213u64).unwrap();
    session.insert("roles", &["admin", "billing"]).unwrap();
    session
        .insert("csrf", "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b")
        .unwrap();
    session
}

fn demo_cookies(mode: Mode, name: &str) -> SessionCookie {
    SessionCookie::new(codec(mode, DEMO_KEYS), CookieConfig::new(name).unwrap()).unwrap()
}

/// A fresh `Set-Cookie` value of the demo session, to paste into the document.
fn fresh_set_cookie(mode: Mode, name: &str) -> String {
    demo_cookies(mode, name)
        .store(
            &demo_session(),
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::UNIX_EPOCH + Duration::from_secs(DEMO_ISSUED_AT),
        )
        .unwrap()
        .remove(0)
}

/// The `NAME=value` cookies in the transcripts, in order (the token is what
/// follows `__Host-session=` up to `;`, `"` or the end of the word).
fn documented_cookies() -> Vec<String> {
    let text = std::fs::read_to_string(OPERATIONS_MD).unwrap();
    text.match_indices("__Host-session=")
        .map(|(at, name)| {
            let value = &text[at + name.len()..];
            let end = value
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(value.len());
            value[..end].to_owned()
        })
        .filter(|value| !value.is_empty())
        .collect()
}

/// Every cookie the document shows is the demo session, stored by
/// `SessionCookie` as `__Host-session` at [`DEMO_ISSUED_AT`] under
/// [`DEMO_KEYS`]: so the transcripts show what a real app writes, and a
/// change of the token format that breaks them says what to paste instead.
#[test]
fn documented_cookies_hold_the_demo_session() {
    let cookies = documented_cookies();
    assert!(cookies.len() >= 4, "{cookies:?}");
    let issued = SystemTime::UNIX_EPOCH + Duration::from_secs(DEMO_ISSUED_AT);
    let mut modes = std::collections::BTreeSet::new();
    for token in cookies {
        let header = cookie_seal::inspect(&token).unwrap();
        let mode = header.mode();
        modes.insert(format!("{mode:?}"));
        let decoded = demo_cookies(mode, "__Host-session")
            .codec()
            .decode_with::<SessionMap>(
                &token,
                &cookie_seal::DecodeOptions::new().context(b"__Host-session"),
                issued,
            );
        let fresh = fresh_set_cookie(mode, "__Host-session");
        let decoded = decoded.unwrap_or_else(|error| {
            panic!(
                "a {mode:?} cookie in {OPERATIONS_MD} no longer reads ({error}); replace it \
                 and the transcripts' outputs with a fresh one:\n{fresh}"
            )
        });
        assert_eq!(decoded.issued_at, issued);
        let session = &decoded.value;
        let read = (
            session.keys().collect::<Vec<_>>(),
            session.get::<u64>("user_id").ok().flatten(),
            session.get::<[String; 2]>("roles").ok().flatten(),
            session.get::<String>("csrf").ok().flatten(),
        );
        assert_eq!(
            read,
            (
                vec!["csrf", "roles", "user_id"],
                Some(48_213),
                Some(["admin".to_owned(), "billing".to_owned()]),
                Some("3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b".to_owned()),
            ),
            "replace the {mode:?} cookie with:\n{fresh}"
        );
    }
    assert_eq!(modes.len(), 2, "a sealed and a signed cookie: {modes:?}");
}
