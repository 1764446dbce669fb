//! Sessions at and over the cookie size limit, cookies split across
//! header lines, and concurrent requests.

use std::time::SystemTime;

use cookie_seal::cookie::CookieConfig;

use crate::app::{alice, all_fit, cookies, get, keys_1, session_cookie, Req, Setup, NAME};
use crate::frameworks::{run, send, Framework};
use crate::support::mint;

pub fn a_session_too_large_gives_a_500_and_no_oversized_cookie<F: Framework>() {
    let setup: Setup = Setup::new(cookies());
    let reply = send::<F>(&setup, get("/big"));
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
    assert!(all_fit(&reply.set_cookies));
    // An existing session is left as it was.
    let cookie = mint(&setup.cookies, &alice(2), SystemTime::now());
    let reply = send::<F>(&setup, get("/big").cookie(&cookie));
    assert_eq!((reply.status, reply.set_cookies.len()), (500, 0));
    // A hook chooses the response instead.
    let hooked = send::<F>(&setup.with_save_error_hook(), get("/big"));
    assert_eq!(hooked.status, 507);
    assert!(
        hooked.body.starts_with("session too large: too large: "),
        "{}",
        hooked.body
    );
    assert!(hooked.set_cookies.is_empty());
}

pub fn the_cookie_is_found_across_two_cookie_header_lines<F: Framework>() {
    let setup = Setup::new(cookies());
    let cookie = mint(&setup.cookies, &alice(4), SystemTime::now());
    let reply = send::<F>(
        &setup,
        get("/read")
            .cookie("theme=dark; lang=en")
            .cookie(&format!("a=1; {cookie}; b=2")),
    );
    assert_eq!(reply.body, "alice:4:0");
    assert!(reply.set_cookies.is_empty());
}

pub fn a_chunked_session_works<F: Framework>() {
    let setup = Setup::new(session_cookie(
        keys_1(),
        CookieConfig::new(NAME).unwrap().chunking(3),
    ));
    let reply = send::<F>(&setup, get("/big"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let names: Vec<&str> = reply
        .set_cookies
        .iter()
        .map(|c| c.split('=').next().unwrap())
        .collect();
    assert_eq!(names, ["__Host-session.0", "__Host-session.1"]);
    assert!(all_fit(&reply.set_cookies));
    // Sent back on two header lines, in reverse order.
    let mut pairs = reply.cookie_line();
    let (first, second) = pairs.split_once("; ").unwrap();
    let read = send::<F>(&setup, get("/read").cookie(second).cookie(first));
    assert_eq!(read.body, "-:0:4500");
    assert!(read.set_cookies.is_empty());
    // Logout deletes both chunks.
    pairs = reply.cookie_line();
    let logout = send::<F>(&setup, get("/logout").cookie(&pairs));
    assert!(logout.removes("__Host-session.0") && logout.removes("__Host-session.1"));
}

pub fn sixteen_concurrent_requests_share_no_state<F: Framework>() {
    let setup = Setup::new(cookies());
    let requests: Vec<Req> = (0..16u64)
        .map(|i| {
            let mut session = cookie_seal::SessionMap::new();
            session.insert("user", &format!("user{i}")).unwrap();
            session.insert("n", &(i * 100)).unwrap();
            get("/slow").cookie(&mint(&setup.cookies, &session, SystemTime::now()))
        })
        .collect();
    let replies = run(F::send_all(&setup, requests));
    for (i, reply) in (0u64..).zip(&replies) {
        assert_eq!(reply.body, format!("user{i}:{}", i * 100 + 1));
        let loaded = setup
            .cookies
            .load::<cookie_seal::SessionMap>([reply.cookie_line().as_str()], SystemTime::now());
        let session = loaded.session();
        assert_eq!(
            session.get::<String>("user").unwrap(),
            Some(format!("user{i}"))
        );
        assert_eq!(session.get::<u64>("n").unwrap(), Some(i * 100 + 1));
    }
}
