//! The scenarios, each generic over the framework.

use std::time::{Duration, SystemTime};

use cookie_seal::SessionMap;

use crate::harness::{
    cookies, cookies_with, earlier, get, keys_1, keys_2_then_1, send, Framework, Profile, Setup,
    NAME,
};
use crate::support::mint;

/// Cookies another script or a sibling subdomain may set: obs-text
/// (Latin-1), UTF-8, and bytes that are not UTF-8 at all.
const FOREIGN: [&[u8]; 3] = [
    b"city=Z\xfcrich",
    "city=Zürich; note=naïve ✓".as_bytes(),
    b"junk=\xff\xfe\xc3(; x=\x80",
];

/// `foreign` and `own` on one `Cookie` line, the foreign pair first.
fn one_line(foreign: &[u8], own: &str) -> Vec<u8> {
    [foreign, b"; ", own.as_bytes()].concat()
}

pub fn foreign_bytes_beside_the_session_keep_it_through_login_and_logout<F: Framework>() {
    let setup = Setup::new(cookies());
    for foreign in FOREIGN {
        let label = String::from_utf8_lossy(foreign).into_owned();
        // A login beside a foreign cookie sets the session cookie ...
        let login = send::<F>(&setup, get("/login").line(foreign));
        assert_eq!(login.status, 200, "{label}");
        let own = login.cookie_line();
        assert!(own.starts_with(NAME), "{label}: {:?}", login.set_cookies);
        // ... which then reads back, on one line and across lines, with
        // the foreign cookie before or after it.
        for request in [
            get("/read").line(one_line(foreign, &own)),
            get("/read").line([own.as_bytes(), b"; ", foreign].concat()),
            get("/read").line(foreign).line(&own),
            get("/read").line(&own).line(foreign),
        ] {
            let read = send::<F>(&setup, request);
            assert_eq!((read.status, read.body.as_str()), (200, "alice"), "{label}");
            assert!(
                read.set_cookies.is_empty(),
                "{label}: {:?}",
                read.set_cookies
            );
        }
        // A login with the old session and a foreign cookie on one line
        // replaces the session (the new cookie is a new session).
        let again = send::<F>(&setup, get("/login").line(one_line(foreign, &own)));
        let renewed = again.cookie_line();
        assert_ne!(
            setup.decode(&renewed).value.id(),
            setup.decode(&own).value.id()
        );
        // A logout sends the deletion, on one line and across lines.
        for request in [
            get("/logout").line(one_line(foreign, &renewed)),
            get("/logout").line(foreign).line(&renewed),
        ] {
            let logout = send::<F>(&setup, request);
            assert!(logout.removes(NAME), "{label}: {:?}", logout.set_cookies);
        }
    }
}

pub fn a_session_cookie_holding_foreign_bytes_is_rejected_and_deleted<F: Framework>() {
    let setup = Setup::new(cookies());
    for value in [&b"\xfc\xfc"[..], "Zürich".as_bytes()] {
        let line = [NAME.as_bytes(), b"=", value].concat();
        let read = send::<F>(&setup, get("/read").line(line));
        assert_eq!((read.status, read.body.as_str()), (200, "-"));
        assert!(read.removes(NAME), "{:?}", read.set_cookies);
    }
}

pub fn a_name_padded_with_unicode_whitespace_is_not_the_session<F: Framework>() {
    let setup = Setup::new(cookies());
    let own = mint(&setup.cookies, &alice(), SystemTime::now());
    let token = own.split_once('=').unwrap().1;
    for padded in [
        format!("\u{a0}{NAME}={token}"),
        format!("{NAME}\u{3000}={token}"),
        format!("\u{2028}{NAME}\u{85}={token}"),
    ] {
        let read = send::<F>(&setup, get("/read").line(&padded));
        assert_eq!(read.body, "-", "{padded:?}");
        assert!(
            read.set_cookies.is_empty(),
            "not ours: {:?}",
            read.set_cookies
        );
    }
    // Space and tab around the pair and its `=` are HTTP's own whitespace.
    let spaced = format!(" \t{NAME} \t= {token}\t ; other=1");
    assert_eq!(send::<F>(&setup, get("/read").line(spaced)).body, "alice");
}

fn alice() -> SessionMap {
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    session
}

pub fn a_response_that_read_the_session_varies_on_cookie<F: Framework>() {
    let setup = Setup::new(cookies());
    let anonymous = send::<F>(&setup, get("/read"));
    assert!(anonymous.set_cookies.is_empty());
    assert!(anonymous.varies_on_cookie(), "{:?}", anonymous.vary);
    let own = mint(&setup.cookies, &alice(), SystemTime::now());
    let read = send::<F>(&setup, get("/read").line(&own));
    assert!(read.varies_on_cookie(), "{:?}", read.vary);
    assert_eq!(read.vary.len(), 1, "{:?}", read.vary);
    let login = send::<F>(&setup, get("/login"));
    assert!(login.varies_on_cookie(), "{:?}", login.vary);
    // A route that never takes the session does not depend on the cookie.
    let untouched = send::<F>(&setup, get("/untouched").line(&own));
    assert!(untouched.vary.is_empty(), "{:?}", untouched.vary);
}

pub fn a_response_that_sets_the_cookie_is_never_left_to_shared_caches<F: Framework>() {
    let setup = Setup::new(cookies());
    let login = send::<F>(&setup, get("/login"));
    assert_eq!(login.cache_control, ["private"], "{login:?}");
    let public = send::<F>(&setup, get("/public/login"));
    assert_eq!(public.set_cookies.len(), 1, "{public:?}");
    assert_eq!(public.cache_control, ["private, max-age=60"], "{public:?}");
    // A logout's deletion too.
    let logout = send::<F>(&setup, get("/logout").line(login.cookie_line()));
    assert!(logout.removes(NAME));
    assert_eq!(logout.cache_control, ["private"], "{logout:?}");
    // A response without a cookie keeps the handler's Cache-Control.
    let read = send::<F>(&setup, get("/public/read"));
    assert_eq!(read.cache_control, ["public, max-age=60"], "{read:?}");
}

pub fn a_public_response_gets_no_optional_reissue<F: Framework>() {
    let old = mint(&cookies(), &alice(), SystemTime::now());
    let rotated = Setup::new(cookies_with(keys_2_then_1(), NAME));
    let public = send::<F>(&rotated, get("/public/read").line(&old));
    assert_eq!(public.body, "alice");
    assert!(public.set_cookies.is_empty(), "{:?}", public.set_cookies);
    assert_eq!(public.cache_control, ["public, max-age=60"]);
    assert!(public.varies_on_cookie());
    // A private response carries the re-issue.
    let private = send::<F>(&rotated, get("/read").line(&old));
    assert_eq!(private.set_cookies.len(), 1, "{:?}", private.set_cookies);
    assert_eq!(private.cache_control, ["private"]);
}

pub fn a_server_error_stores_nothing_but_still_deletes<F: Framework>() {
    let setup = Setup::new(cookies());
    let failed_login = send::<F>(&setup, get("/login-then-500"));
    assert_eq!(failed_login.status, 500);
    assert!(
        failed_login.set_cookies.is_empty(),
        "{:?}",
        failed_login.set_cookies
    );
    let own = mint(&setup.cookies, &alice(), SystemTime::now());
    let failed_relogin = send::<F>(&setup, get("/login-then-500").line(&own));
    assert!(failed_relogin.set_cookies.is_empty());
    // A logout that fails afterwards still logs out.
    let failed_logout = send::<F>(&setup, get("/logout-then-503").line(&own));
    assert_eq!(failed_logout.status, 503);
    assert!(
        failed_logout.removes(NAME),
        "{:?}",
        failed_logout.set_cookies
    );
    // A rejected cookie is deleted whatever the status.
    let forged = format!("{NAME}=forged");
    let failed_read = send::<F>(&setup, get("/read-then-500").line(&forged));
    assert!(failed_read.removes(NAME), "{:?}", failed_read.set_cookies);
    // A due re-issue waits for a successful response.
    let rotated = Setup::new(cookies_with(keys_2_then_1(), NAME));
    let failed_reissue = send::<F>(&rotated, get("/read-then-500").line(&own));
    assert_eq!(failed_reissue.body, "alice");
    assert!(failed_reissue.set_cookies.is_empty());
}

pub fn refresh_every_request_reissues_on_a_route_that_never_takes_the_session<F: Framework>() {
    let setup = Setup::new(cookies()).refresh_every_request();
    let created = earlier();
    let own = mint(&setup.cookies, &alice(), created);
    let before = setup.decode(&own);
    let refreshed = send::<F>(&setup, get("/untouched").line(&own));
    assert_eq!(refreshed.body, "no session here");
    assert_eq!(
        refreshed.set_cookies.len(),
        1,
        "{:?}",
        refreshed.set_cookies
    );
    assert_eq!(refreshed.cache_control, ["private"]);
    let after = setup.decode(&refreshed.cookie_line());
    assert!(after.issued_at > before.issued_at + Duration::from_secs(300));
    assert_eq!(after.created_at, before.created_at);
    assert_eq!(
        after.value.get::<String>("user").unwrap().as_deref(),
        Some("alice")
    );
    // A read-only handler's response is refreshed too.
    let read = send::<F>(&setup, get("/read").line(&own));
    assert_eq!(read.body, "alice");
    assert!(setup.decode(&read.cookie_line()).issued_at > before.issued_at);
    // Without the option, nothing is written.
    let plain = Setup::new(cookies());
    assert!(send::<F>(&plain, get("/untouched").line(&own))
        .set_cookies
        .is_empty());
    assert!(send::<F>(&plain, get("/read").line(&own))
        .set_cookies
        .is_empty());
}

pub fn refresh_every_request_writes_nothing_without_a_valid_session<F: Framework>() {
    let setup = Setup::new(cookies()).refresh_every_request();
    for request in [
        get("/untouched"),
        get("/read"),
        get("/untouched").line(format!("{NAME}=forged")),
        get("/untouched").line("other=1"),
    ] {
        let reply = send::<F>(&setup, request);
        assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
    }
    // A cookie holding an empty session (the layer never writes one).
    let empty = mint(&setup.cookies, &SessionMap::new(), earlier());
    let reply = send::<F>(&setup, get("/untouched").line(&empty));
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
    let own = mint(&setup.cookies, &alice(), earlier());
    // A logout deletes, it does not refresh.
    let logout = send::<F>(&setup, get("/logout").line(&own));
    assert_eq!(logout.set_cookies.len(), 1);
    assert!(logout.removes(NAME));
    // No refresh on a server error, nor on a public response.
    assert!(send::<F>(&setup, get("/read-then-500").line(&own))
        .set_cookies
        .is_empty());
    assert!(send::<F>(&setup, get("/public/read").line(&own))
        .set_cookies
        .is_empty());
}

pub fn refresh_every_request_keeps_a_typed_session_as_it_is<F: Framework>() {
    let setup = Setup::new(cookies()).refresh_every_request();
    let bob = Profile { name: "bob".into() };
    let own = mint(&setup.cookies, &bob, earlier());
    let refreshed = send::<F>(&setup, get("/untouched").line(&own));
    assert_eq!(
        refreshed.set_cookies.len(),
        1,
        "{:?}",
        refreshed.set_cookies
    );
    let plain = Setup::new(cookies());
    let read = send::<F>(&plain, get("/typed/read").line(refreshed.cookie_line()));
    assert_eq!(read.body, "bob");
    let loaded = plain
        .cookies
        .load::<Profile>([refreshed.cookie_line().as_str()], SystemTime::now());
    assert!(loaded.decoded().unwrap().issued_at > earlier() + Duration::from_secs(300));
}

pub fn two_session_layers_with_different_cookies_fail_loudly<F: Framework>() {
    let mut setup = Setup::new(cookies());
    setup.outer = Some(cookies_with(keys_1(), "__Host-other"));
    let reply = send::<F>(&setup, get("/login"));
    assert_eq!(reply.status, 500);
    assert!(
        reply.body.contains("two cookie_seal session layers"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("__Host-other") && reply.body.contains(NAME));
    assert!(reply.set_cookies.is_empty());
    // The same layer twice is harmless: the inner one does the work.
    let mut twice = Setup::new(cookies());
    twice.twice = true;
    let login = send::<F>(&twice, get("/login"));
    assert_eq!((login.status, login.set_cookies.len()), (200, 1));
    let read = send::<F>(&twice, get("/read").line(login.cookie_line()));
    assert_eq!(read.body, "alice");
}
