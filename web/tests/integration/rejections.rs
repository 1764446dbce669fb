//! Cookies the app did not write as they are: rotated keys, forged,
//! expired or foreign cookies, and a typed session read as loaded.

use std::time::{Duration, SystemTime};

use cookie_seal::cookie::CookieConfig;
use cookie_seal::inspect;

use crate::app::{alice, cookies, get, keys_2_then_1, session_cookie, token, Setup, NAME};
use crate::frameworks::{send, Framework};
use crate::handlers::Profile;
use crate::support::fixtures::ring;
use crate::support::mint;

pub fn after_rotation_a_read_only_request_reissues_under_the_new_key<F: Framework>() {
    let old = mint(&cookies(), &alice(7), SystemTime::now());
    assert_eq!(inspect(token(&old)).unwrap().key_id(), 1);
    let rotated = Setup::new(session_cookie(
        keys_2_then_1(),
        CookieConfig::new(NAME).unwrap(),
    ));
    let reply = send::<F>(&rotated, get("/read").cookie(&old));
    assert_eq!(reply.body, "alice:7:0", "the old-key cookie still verifies");
    assert_eq!(reply.set_cookies.len(), 1, "{:?}", reply.set_cookies);
    let header = inspect(token(&reply.set_cookies[0])).unwrap();
    assert_eq!(header.key_id(), 2);
    assert_eq!(
        header.created_at(),
        inspect(token(&old)).unwrap().created_at(),
        "the creation time carries over"
    );
    let again = send::<F>(&rotated, get("/read").cookie(&reply.cookie_line()));
    assert_eq!(again.body, "alice:7:0");
    assert!(
        again.set_cookies.is_empty(),
        "a primary-key cookie is not re-issued"
    );
}

pub fn a_forged_or_expired_cookie_gives_an_empty_session_and_is_deleted<F: Framework>() {
    let setup = Setup::new(cookies());
    let good = mint(&setup.cookies, &alice(1), SystemTime::now());
    let (name, value) = good.split_once('=').unwrap();
    let middle = value.len() / 2;
    let flipped = if &value[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    let forged = format!(
        "{name}={}{flipped}{}",
        &value[..middle],
        &value[middle + 1..]
    );
    let expired = mint(
        &setup.cookies,
        &alice(1),
        SystemTime::now() - Duration::from_secs(2 * 86_400),
    );
    let foreign = mint(
        &session_cookie(ring(&[(9, 9)]), CookieConfig::new(NAME).unwrap()),
        &alice(1),
        SystemTime::now(),
    );
    for cookie in [&forged, &expired, &foreign, &format!("{NAME}=garbage")] {
        let reply = send::<F>(&setup, get("/read").cookie(cookie));
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, "-:0:0"),
            "{cookie:.30}"
        );
        assert!(reply.removes(NAME), "{:?}", reply.set_cookies);
        assert_eq!(reply.set_cookies.len(), 1);
    }
    let rejected = setup.rejected();
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert!(rejected[0].contains("invalid token"), "{rejected:?}");
    assert!(rejected[1].contains("expired"), "{rejected:?}");
    assert!(rejected[2].contains("unknown key id 9"), "{rejected:?}");
    // The hook runs only when a handler loads the session.
    send::<F>(&setup, get("/untouched").cookie(&forged));
    assert_eq!(setup.rejected().len(), 4);
}

pub fn a_typed_session_read_but_unchanged_writes_nothing<F: Framework>() {
    let setup = Setup::new(cookies());
    let alice = Profile {
        name: "alice".into(),
        visits: 3,
    };
    let cookie = mint(&setup.cookies, &alice, SystemTime::now());
    let read = send::<F>(&setup, get("/typed/read").cookie(&cookie));
    assert_eq!(read.body, "alice");
    assert!(read.set_cookies.is_empty(), "{:?}", read.set_cookies);
    let same = send::<F>(&setup, get("/typed/same").cookie(&cookie));
    assert!(
        same.set_cookies.is_empty(),
        "setting an equal value writes nothing"
    );
    let renamed = send::<F>(&setup, get("/typed/rename").cookie(&cookie));
    assert_eq!(renamed.set_cookies.len(), 1);
    let back = send::<F>(&setup, get("/typed/read").cookie(&renamed.cookie_line()));
    assert_eq!(back.body, "bob");
    // After rotation, a typed read re-issues too.
    let rotated = Setup::new(session_cookie(
        keys_2_then_1(),
        CookieConfig::new(NAME).unwrap(),
    ));
    let reissued = send::<F>(&rotated, get("/typed/read").cookie(&cookie));
    assert_eq!(reissued.set_cookies.len(), 1);
    assert_eq!(
        inspect(token(&reissued.set_cookies[0])).unwrap().key_id(),
        2
    );
}
