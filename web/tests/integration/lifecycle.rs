//! A session's life: created, read, written back, renewed at login,
//! deleted at logout; and a missing layer.

use std::time::{Duration, SystemTime};

use crate::app::{alice, cookies, get, Setup, NAME};
use crate::frameworks::{send, Framework};
use crate::support::mint;

pub fn no_cookie_gets_a_new_cookie_with_secure_attributes<F: Framework>() {
    let reply = send::<F>(&Setup::new(cookies()), get("/inc"));
    assert_eq!((reply.status, reply.body.as_str()), (200, "1"));
    assert_eq!(reply.set_cookies.len(), 1, "{:?}", reply.set_cookies);
    let set_cookie = &reply.set_cookies[0];
    assert!(set_cookie.starts_with("__Host-session="), "{set_cookie}");
    assert!(
        set_cookie.ends_with("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"),
        "{set_cookie}"
    );
}

pub fn a_session_round_trips<F: Framework>() {
    let setup = Setup::new(cookies());
    let first = send::<F>(&setup, get("/inc"));
    let second = send::<F>(&setup, get("/inc").cookie(&first.cookie_line()));
    assert_eq!(second.body, "2");
    let read = send::<F>(&setup, get("/read").cookie(&second.cookie_line()));
    assert_eq!(read.body, "-:2:0");
    // Decoded with the app's keys, the cookie holds what the handler wrote.
    let loaded = setup
        .cookies
        .load::<cookie_seal::SessionMap>([second.cookie_line().as_str()], SystemTime::now());
    assert_eq!(loaded.session().get::<u64>("n").unwrap(), Some(2));
}

pub fn a_read_only_request_sends_no_set_cookie<F: Framework>() {
    let setup = Setup::new(cookies());
    let cookie = mint(&setup.cookies, &alice(5), SystemTime::now());
    let read = send::<F>(&setup, get("/read").cookie(&cookie));
    assert_eq!((read.status, read.body.as_str()), (200, "alice:5:0"));
    assert!(read.set_cookies.is_empty(), "{:?}", read.set_cookies);
    let untouched = send::<F>(&setup, get("/untouched").cookie(&cookie));
    assert!(untouched.set_cookies.is_empty());
    let anonymous = send::<F>(&setup, get("/read"));
    assert!(
        anonymous.set_cookies.is_empty(),
        "an empty session sets nothing"
    );
}

pub fn logout_deletes_the_cookie<F: Framework>() {
    let setup = Setup::new(cookies());
    let login = send::<F>(&setup, get("/login"));
    let logout = send::<F>(&setup, get("/logout").cookie(&login.cookie_line()));
    assert_eq!(logout.set_cookies.len(), 1, "{:?}", logout.set_cookies);
    assert!(logout.removes(NAME));
    let after = send::<F>(&setup, get("/read"));
    assert_eq!(after.body, "-:0:0");
}

pub fn login_renews_the_session<F: Framework>() {
    let setup = Setup::new(cookies());
    let created = SystemTime::now() - Duration::from_secs(3600);
    let anonymous = mint(&setup.cookies, &alice(3), created);
    let reply = send::<F>(&setup, get("/login").cookie(&anonymous));
    let loaded = setup
        .cookies
        .load::<cookie_seal::SessionMap>([reply.cookie_line().as_str()], SystemTime::now())
        .into_decoded()
        .unwrap();
    assert_eq!(
        loaded.value.get::<u64>("n").unwrap(),
        None,
        "pre-login values dropped"
    );
    assert!(loaded.value.id().is_some(), "a new session ID");
    assert!(loaded.created_at > created, "a fresh creation time");
}

pub fn a_missing_layer_gives_a_500_naming_it<F: Framework>() {
    let setup = Setup::new(cookies()).without_layer();
    for path in ["/read", "/typed/read"] {
        let reply = send::<F>(&setup, get(path));
        assert_eq!(reply.status, 500, "{path}");
        assert!(reply.body.contains(F::LAYER), "{}", reply.body);
        assert!(reply.set_cookies.is_empty());
    }
}
