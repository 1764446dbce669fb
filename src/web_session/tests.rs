//! The typed handle's save decisions and the one-shape rule.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{
    Config, RequestExtension, RequestState, ResponseKind, Session, SessionRejection, Typed,
};
use crate::codec::EncodeOptions;
use crate::cookie::{CookieConfig, PresentCookies, SessionCookie};
use crate::session::SessionMap;
use crate::{Codec, Key, Keyring};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
}

fn state() -> Arc<RequestState> {
    let cookies = SessionCookie::new(
        Codec::sealed(Keyring::new(1, Key::from_bytes(&[3; 32]).unwrap())),
        CookieConfig::new("s").unwrap(),
    )
    .unwrap();
    Arc::new(RequestState::new(Arc::new(Config::new(cookies))))
}

fn cookie<T: Serialize>(state: &RequestState, value: &T, at: SystemTime) -> String {
    let set = state
        .config
        .cookies
        .store(value, &EncodeOptions::new(), &PresentCookies::none(), at)
        .unwrap();
    set[0].split(';').next().unwrap().to_owned()
}

fn typed(state: &Arc<RequestState>, headers: &[&str]) -> Typed<Profile> {
    Typed::load(
        Some(&RequestExtension(Arc::clone(state))),
        SessionRejection::missing("no layer"),
        &mut headers.iter().map(|line| line.as_bytes()),
    )
    .unwrap()
}

#[test]
fn typed_clear_removes_a_loaded_value_and_writes_nothing_without_one() {
    let state = state();
    let alice = Profile {
        name: "alice".into(),
    };
    let line = cookie(&state, &alice, SystemTime::now());
    let handle = typed(&state, &[&line]);
    assert_eq!(handle.get(), Some(alice));
    handle.clear();
    let set: Vec<String> = state.finish(ResponseKind::default()).unwrap().set_cookies;
    assert!(set.len() == 1 && set[0].starts_with("s=; "), "{set:?}");

    let empty = self::state();
    typed(&empty, &[]).clear();
    assert!(empty
        .finish(ResponseKind::default())
        .unwrap()
        .set_cookies
        .is_empty());
}

#[test]
fn typed_replace_and_regenerate_writes_an_equal_value_with_a_fresh_creation_time() {
    let state = state();
    let alice = Profile {
        name: "alice".into(),
    };
    let created = SystemTime::now() - Duration::from_secs(600);
    let line = cookie(&state, &alice, created);
    typed(&state, &[&line]).replace_and_regenerate(alice.clone());
    let set: Vec<String> = state.finish(ResponseKind::default()).unwrap().set_cookies;
    assert_eq!(
        set.len(),
        1,
        "replace_and_regenerate writes even an equal value"
    );
    let pair = set[0].split(';').next().unwrap();
    let loaded = state
        .config
        .cookies
        .load::<Profile>([pair], SystemTime::now());
    let decoded = loaded.decoded().unwrap();
    assert_eq!(decoded.value, alice);
    assert!(decoded.created_at > created);
}

#[test]
fn a_cookie_of_another_shape_is_rejected_and_removed() {
    let state = state();
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    let line = cookie(&state, &session, SystemTime::now());
    let handle = typed(&state, &[&line]);
    assert_eq!(handle.get(), None);
    assert!(handle.rejection().is_some());
    let set: Vec<String> = state.finish(ResponseKind::default()).unwrap().set_cookies;
    assert!(set.len() == 1 && set[0].contains("Max-Age=0"), "{set:?}");
}

#[test]
fn one_request_holds_one_session_shape() {
    let state = state();
    let extension = RequestExtension(Arc::clone(&state));
    let missing = SessionRejection::missing("no layer");
    let first = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    let again = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    again.insert("n", &1u8).unwrap();
    assert_eq!(first.get::<u8>("n").unwrap(), Some(1), "one shared session");
    let other = Typed::<Profile>::load(Some(&extension), missing, &mut std::iter::empty());
    assert_eq!(other.unwrap_err(), SessionRejection::OTHER_SHAPE);
    assert_eq!(
        Session::load(None, missing, &mut std::iter::empty()).unwrap_err(),
        missing
    );
}

#[test]
fn a_configuration_error_is_logged_once_per_process() {
    let flag = std::sync::atomic::AtomicBool::new(false);
    assert!(super::log_once(&flag, "test: first"));
    assert!(!super::log_once(&flag, "test: second"));
    assert!(!super::log_once(&flag, "test: third"));
}

#[test]
fn the_two_layers_message_names_both_cookies() {
    let message = super::two_layers_message("outer-name", "inner-name");
    assert!(message.contains("`outer-name`") && message.contains("`inner-name`"));
}

#[test]
fn config_debug_shows_the_settings() {
    let mut config = Config::new(state().config.cookies.clone());
    config.on_rejected(|_| {});
    let text = format!("{config:?}");
    assert!(
        text.starts_with("Config { cookies: SessionCookie"),
        "{text}"
    );
    assert!(text.contains("on_rejected: true"), "{text}");
    assert!(text.contains("refresh_every_request: false"), "{text}");
}

/// Every method of the request handle acts on the one shared session, as
/// the same method of `SessionMap` does.
#[test]
fn the_handle_reads_and_changes_the_shared_session() {
    let state = state();
    let extension = RequestExtension(Arc::clone(&state));
    let missing = SessionRejection::missing("no layer");
    let handle = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    let other = Session::load(Some(&extension), missing, &mut std::iter::empty()).unwrap();
    assert!(handle.is_empty() && handle.id().is_none());
    assert_eq!(handle.rejection(), None);

    handle.insert("b", &2u8).unwrap();
    other.insert("a", "one").unwrap();
    assert!(handle.contains_key("a") && !handle.contains_key("c"));
    assert_eq!((handle.len(), handle.is_empty()), (2, false));
    assert_eq!(handle.keys(), ["a", "b"]);
    assert!(handle.remove("b"), "a present key is removed");
    assert!(!handle.remove("b"), "an absent key is not");
    assert_eq!(other.keys(), ["a"]);

    handle.regenerate().unwrap();
    let id = handle.id().expect("regenerate gives an ID");
    assert_eq!(other.get::<String>("a").unwrap().as_deref(), Some("one"));
    handle.regenerate().unwrap();
    assert_ne!(other.id(), Some(id), "each regenerate draws a new ID");
    assert_eq!(
        handle.snapshot().get::<String>("a").unwrap().as_deref(),
        Some("one")
    );

    handle.set_generation(7);
    handle.set_expiry(crate::Expiry::OnSessionEnd);
    assert_eq!(other.generation(), 7);
    assert_eq!(other.expiry(), crate::Expiry::OnSessionEnd);

    let before = other.id();
    handle.clear_and_regenerate().unwrap();
    assert!(other.is_empty(), "values dropped");
    assert!(other.id().is_some() && other.id() != before, "a new ID");
    assert_eq!(
        (other.expiry(), other.generation()),
        (crate::Expiry::Configured, 0)
    );
    handle.insert("a", &1u8).unwrap();
    handle.clear();
    assert!(other.is_empty() && !other.contains_key("a"));
}

/// The handle prints what `SessionMap` prints (keys and sizes, no values)
/// and reports why the request's cookie was rejected.
#[test]
fn the_handle_prints_like_the_map_and_reports_a_rejected_cookie() {
    let state = state();
    let extension = RequestExtension(Arc::clone(&state));
    let missing = SessionRejection::missing("no layer");
    let line: &[u8] = b"s=forged";
    let handle = Session::load(Some(&extension), missing, &mut std::iter::once(line)).unwrap();
    assert_eq!(handle.rejection(), Some(crate::Error::Malformed));
    handle.insert("secret", "hunter2").unwrap();
    let text = format!("{handle:?}");
    assert_eq!(text, format!("{:?}", handle.snapshot()));
    assert!(
        text.starts_with("SessionMap {") && text.contains("secret"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

/// Two valid cookies of one name: which is the user's cannot be told, so
/// the typed session starts empty and neither cookie is deleted, even when
/// the handler clears or sets nothing.
#[test]
fn typed_ambiguous_cookies_are_never_deleted() {
    for clear in [false, true] {
        let state = state();
        let now = SystemTime::now();
        let alice = cookie(
            &state,
            &Profile {
                name: "alice".into(),
            },
            now,
        );
        let bob = cookie(&state, &Profile { name: "bob".into() }, now);
        let handle = typed(&state, &[&format!("{alice}; {bob}")]);
        assert_eq!(handle.get(), None);
        assert!(
            matches!(
                handle.rejection(),
                Some(crate::Error::AmbiguousCookie { .. })
            ),
            "{:?}",
            handle.rejection()
        );
        if clear {
            handle.clear();
        }
        let set: Vec<String> = state.finish(ResponseKind::default()).unwrap().set_cookies;
        assert!(set.is_empty(), "clear: {clear}, {set:?}");
    }
}

/// The layer's rejection hook hears about a typed session's rejected
/// cookie too.
#[test]
fn typed_rejections_reach_the_hook() {
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&heard);
    let mut config = Config::new(state().config.cookies.clone());
    config.on_rejected(move |error| log.lock().unwrap().push(error.clone()));
    let state = Arc::new(RequestState::new(Arc::new(config)));
    assert_eq!(typed(&state, &["s=forged"]).get(), None);
    assert_eq!(*heard.lock().unwrap(), [crate::Error::Malformed]);
}

/// On a 5xx a typed session stores nothing, but a logout (clear of a
/// loaded value) and a rejected cookie are still deleted; an untouched or
/// ambiguous cookie is left alone.
#[test]
fn typed_on_a_server_error_only_deletes() {
    let server_error = ResponseKind {
        server_error: true,
        shared_cacheable: false,
    };
    let alice = Profile {
        name: "alice".into(),
    };
    let run = |lines: &[&str], act: &dyn Fn(&Typed<Profile>)| {
        let state = state();
        let lines: Vec<String> = lines
            .iter()
            .map(|line| {
                let bob = Profile { name: "bob".into() };
                line.replace("VALID", &cookie(&state, &alice, SystemTime::now()))
                    .replace("OTHER", &cookie(&state, &bob, SystemTime::now()))
            })
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        act(&typed(&state, &lines));
        state.finish(server_error).unwrap().set_cookies
    };
    let deleted = |set: &[String]| set.len() == 1 && set[0].contains("Max-Age=0");

    assert!(deleted(&run(&["VALID"], &|t| t.clear())), "a logout");
    assert!(deleted(&run(&["s=forged"], &|_| {})), "a rejected cookie");
    let other = Profile { name: "bob".into() };
    assert_eq!(
        run(&["VALID"], &|t| t.set(other.clone())),
        Vec::<String>::new()
    );
    assert_eq!(run(&["VALID"], &|_| {}), Vec::<String>::new(), "untouched");
    assert_eq!(
        run(&[], &|t| t.clear()),
        Vec::<String>::new(),
        "nothing to delete"
    );
    let ambiguous = ["VALID; OTHER"];
    assert_eq!(
        run(&ambiguous, &|t| t.clear()),
        Vec::<String>::new(),
        "ambiguous"
    );
}

/// A changed typed value keeps the loaded session's creation time (the
/// absolute lifetime runs on); only `replace_and_regenerate` restarts it.
#[test]
fn typed_set_keeps_the_creation_time() {
    let state = state();
    let now_secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let created = SystemTime::UNIX_EPOCH + Duration::from_secs(now_secs - 600);
    let line = cookie(
        &state,
        &Profile {
            name: "alice".into(),
        },
        created,
    );
    let handle = typed(&state, &[&line]);
    handle.set(Profile { name: "bob".into() });
    assert_eq!(
        format!("{handle:?}"),
        "Typed { has_value: true, changed: true }"
    );
    let set: Vec<String> = state.finish(ResponseKind::default()).unwrap().set_cookies;
    let pair = set[0].split(';').next().unwrap();
    let loaded = state
        .config
        .cookies
        .load::<Profile>([pair], SystemTime::now());
    let decoded = loaded.decoded().unwrap();
    assert_eq!(decoded.value.name, "bob");
    assert_eq!(decoded.created_at, created);
}
