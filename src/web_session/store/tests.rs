//! Unit tests of the store flow's cookie side: references and inline
//! sessions never read as each other, and what `open` asks the store.

use std::sync::Arc;
use std::time::SystemTime;

use super::{open, reference_purpose, Opened, Origin, Reference, StoreConfig, REFERENCE_VERSION};
use crate::cookie::{CookieConfig, PresentCookies, SessionCookie};
use crate::error::Error;
use crate::session::{SessionId, SessionMap};
use crate::store::{MemoryStore, Storage};
use crate::{Codec, EncodeOptions, Key, Keyring};

fn cookies() -> SessionCookie {
    SessionCookie::new(
        Codec::sealed(Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap())),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap()
}

fn config(cookies: &SessionCookie, storage: Storage) -> StoreConfig {
    StoreConfig::new(cookies, Arc::new(MemoryStore::new()), storage)
}

fn pair(set: &[String]) -> String {
    set[0].split(';').next().unwrap().to_owned()
}

fn inline_cookie(cookies: &SessionCookie) -> String {
    let mut session = SessionMap::new();
    session.insert("a", &1u8).unwrap();
    pair(
        &cookies
            .store(
                &session,
                &EncodeOptions::new(),
                &PresentCookies::none(),
                SystemTime::now(),
            )
            .unwrap(),
    )
}

fn reference_cookie(config: &StoreConfig, id: &SessionId) -> String {
    let reference = Reference {
        version: REFERENCE_VERSION,
        id: id.clone(),
    };
    pair(
        &config
            .refs
            .store(
                &reference,
                &EncodeOptions::new(),
                &PresentCookies::none(),
                SystemTime::now(),
            )
            .unwrap(),
    )
}

#[test]
fn the_reference_purpose_is_derived_and_always_valid() {
    assert_eq!(reference_purpose("session"), "session/store-ref");
    let long = "p".repeat(255);
    let derived = reference_purpose(&long);
    assert!(derived.len() <= 255 && derived.ends_with("/store-ref"));
    assert_ne!(derived, reference_purpose(&"q".repeat(255)));
}

#[test]
fn a_reference_is_never_an_inline_session_and_the_other_way_round() {
    let cookies = cookies();
    let server = config(&cookies, Storage::Server);
    let hybrid = config(&cookies, Storage::Hybrid);
    let id = SessionId::generate().unwrap();
    let reference = reference_cookie(&server, &id);
    let inline = inline_cookie(&cookies);
    let now = SystemTime::now();

    // The cookie layer's own load refuses the reference.
    let loaded = cookies.load_session([reference.as_bytes()], now);
    assert_eq!(loaded.error(), Some(&Error::Invalid));

    for config in [&server, &hybrid] {
        match open(&cookies, config, [reference.as_bytes()].into_iter(), now) {
            Opened::LoadRecord { id: found, .. } => assert_eq!(found, id),
            _ => panic!("a reference asks for its record"),
        }
    }
    // Server mode: an inline session is a rejected cookie, with no store call.
    match open(&cookies, &server, [inline.as_bytes()].into_iter(), now) {
        Opened::Ready(state) => {
            assert_eq!(state.loaded.error(), Some(&Error::Invalid));
            assert!(matches!(state.origin.as_deref(), Some(Origin::Fresh)));
        }
        _ => panic!("no store call for an inline cookie in server mode"),
    }
    // Hybrid: the inline session, no store call (not bound to a user).
    match open(&cookies, &hybrid, [inline.as_bytes()].into_iter(), now) {
        Opened::Ready(state) => {
            assert_eq!(state.session.get::<u8>("a").unwrap(), Some(1));
            assert!(matches!(
                state.origin.as_deref(),
                Some(Origin::Inline { .. })
            ));
        }
        _ => panic!("an unbound inline session needs no store call"),
    }
}

#[test]
fn a_bound_inline_session_asks_for_its_users_revocation() {
    let cookies = cookies();
    let hybrid = config(&cookies, Storage::Hybrid);
    let mut session = SessionMap::new();
    session.set_user_binding("42", 1_000).unwrap();
    let set = cookies
        .store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )
        .unwrap();
    let cookie = pair(&set);
    match open(
        &cookies,
        &hybrid,
        [cookie.as_bytes()].into_iter(),
        SystemTime::now(),
    ) {
        Opened::CheckUser { user, bound_at, .. } => {
            assert_eq!((user.as_str(), bound_at), ("42", 1_000));
        }
        _ => panic!("a bound session is checked"),
    }
}

#[test]
fn a_reference_of_an_unknown_version_is_rejected_without_a_store_call() {
    let cookies = cookies();
    let server = config(&cookies, Storage::Server);
    let id = SessionId::generate().unwrap();
    let set = server
        .refs
        .store(
            &(2u8, &id),
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )
        .unwrap();
    let cookie = pair(&set);
    match open(
        &cookies,
        &server,
        [cookie.as_bytes()].into_iter(),
        SystemTime::now(),
    ) {
        Opened::Ready(state) => {
            assert_eq!(state.loaded.error(), Some(&Error::UnsupportedVersion(2)));
        }
        _ => panic!("no store call"),
    }
}

#[test]
fn set_user_needs_a_store_and_typed_sessions_are_cookie_only() {
    use crate::web_session::{
        Config, RequestExtension, RequestState, Session, SessionRejection, Typed,
    };
    let cookies = cookies();
    let missing = SessionRejection::missing("no layer");

    let plain = Arc::new(RequestState::new(Arc::new(Config::new(cookies.clone()))));
    let extension = RequestExtension(Arc::clone(&plain));
    let session = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    assert!(matches!(
        session.set_user("42"),
        Err(Error::InvalidOption(_))
    ));
    assert_eq!(session.user(), None);

    let mut config = Config::new(cookies.clone());
    config.store = Some(Arc::new(super::StoreConfig::new(
        &cookies,
        Arc::new(MemoryStore::new()),
        Storage::Server,
    )));
    let stored = Arc::new(RequestState::new(Arc::new(config)));
    let extension = RequestExtension(Arc::clone(&stored));
    assert_eq!(
        Typed::<u8>::load(Some(&extension), missing, &mut std::iter::empty()).unwrap_err(),
        SessionRejection::NEEDS_ASYNC
    );
    assert_eq!(
        Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap_err(),
        SessionRejection::NEEDS_ASYNC,
        "the synchronous path before the session is loaded"
    );
    let session = pollster::block_on(Session::load_async(
        Some(&extension),
        missing,
        &mut std::iter::empty(),
    ))
    .unwrap();
    session.set_user("42").unwrap();
    assert_eq!(session.user().as_deref(), Some("42"));
    assert_eq!((session.len(), session.keys()), (0, Vec::<String>::new()));
    // Now loaded: the synchronous path hands out the same session.
    let again = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    assert_eq!(again.user().as_deref(), Some("42"));
    session.clear();
    assert_eq!(again.user(), None, "clear unbinds");
}
