//! `Storage::Server`: the cookie is only a reference; the store holds the
//! session.

use std::time::{Duration, SystemTime};

use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::store::{SessionStore, Storage, WriteMode};
use cookie_seal::{Codec, EncodeOptions, SessionId};

use crate::harness::{run, setups, Setup, NAME};
use crate::support::fixtures::ring;

/// A reference cookie minted by hand with the layer's keys (the format the
/// layer writes: version 1 and the ID, under the purpose `session/store-ref`).
fn reference(id: &SessionId, at: SystemTime) -> String {
    let refs = SessionCookie::new(
        Codec::sealed(ring(&[(1, 1)])).purpose("session/store-ref"),
        CookieConfig::new(NAME).unwrap(),
    )
    .unwrap();
    let set = refs
        .store(
            &(1u8, id),
            &EncodeOptions::new(),
            &PresentCookies::none(),
            at,
        )
        .unwrap();
    set[0].split(';').next().unwrap().to_owned()
}

/// A session with `a=1`: its cookie.
async fn start(setup: &Setup) -> String {
    let reply = setup.send("/set/a/1", None).await;
    assert_eq!(reply.status, 200, "{setup:?}");
    reply.cookie().expect("a cookie")
}

#[test]
fn a_session_round_trips_through_the_store_with_one_write_and_one_load() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            assert!(!setup.is_inline(&cookie), "{setup:?}: only a reference");
            assert!(!cookie.contains("a=1"));
            let calls = setup.calls();
            assert_eq!(
                (calls.write, calls.total()),
                (1, 1),
                "{setup:?}: one Create"
            );
            assert_eq!(setup.store.writes()[0].mode, WriteMode::Create);

            let reply = setup.send("/get/a", Some(&cookie)).await;
            assert_eq!(reply.body, "1", "{setup:?}");
            assert!(
                reply.set_cookies.is_empty(),
                "{setup:?}: a read sets nothing"
            );
            let calls = setup.calls();
            assert_eq!(
                (calls.load, calls.total()),
                (1, 2),
                "{setup:?}: a read is one load"
            );
        });
    }
}

#[test]
fn a_forged_tampered_inline_or_expired_cookie_reaches_no_store() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            let before = setup.calls().total();
            let mut tampered = cookie.clone().into_bytes();
            let last = tampered.len() - 2;
            tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(tampered).unwrap();
            let inline = crate::support::mint(
                &setup.cookies,
                &cookie_seal::SessionMap::new(),
                SystemTime::now(),
            );
            let id = SessionId::generate().unwrap();
            let expired = reference(&id, SystemTime::now() - Duration::from_secs(2 * 86_400));
            for bad in [format!("{NAME}=forged"), tampered, inline, expired] {
                let reply = setup.send("/get/a", Some(&bad)).await;
                assert_eq!(reply.body, "-", "{setup:?}: {bad}");
                assert!(reply.removed(), "{setup:?}: the bad cookie is deleted");
            }
            assert_eq!(setup.calls().total(), before, "{setup:?}: no store call");
            // A route that never takes the session makes no call either.
            setup.send("/none", Some(&cookie)).await;
            assert_eq!(setup.calls().total(), before, "{setup:?}");
        });
    }
}

#[test]
fn an_authentic_reference_to_a_missing_record_is_one_load_and_is_deleted() {
    for setup in setups(Storage::Server) {
        run(async {
            let id = SessionId::generate().unwrap();
            let reply = setup
                .send("/get/a", Some(&reference(&id, SystemTime::now())))
                .await;
            assert_eq!(reply.body, "-", "{setup:?}");
            assert!(reply.removed(), "{setup:?}");
            assert_eq!((setup.calls().load, setup.calls().total()), (1, 1));
        });
    }
}

#[test]
fn an_untouched_session_writes_nothing_and_a_change_writes_only_its_keys() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            let reply = setup.send("/touch", Some(&cookie)).await;
            assert_eq!(reply.body, "1 keys");
            assert!(reply.set_cookies.is_empty(), "{setup:?}");
            let calls = setup.calls();
            assert_eq!(
                (calls.load, calls.write, calls.delete),
                (1, 1, 0),
                "{setup:?}"
            );

            let reply = setup.send("/set/b/2", Some(&cookie)).await;
            assert!(
                reply.cookie().is_some(),
                "{setup:?}: the reference is re-issued"
            );
            let last = setup.store.writes().pop().unwrap();
            assert_eq!(last.mode, WriteMode::Update);
            assert_eq!((last.set, last.remove), (vec!["b".to_owned()], vec![]));
            assert_eq!(setup.calls().write, 2, "{setup:?}: one write per change");

            setup.send("/drop/a", Some(&cookie)).await;
            let last = setup.store.writes().pop().unwrap();
            assert_eq!((last.set, last.remove), (vec![], vec!["a".to_owned()]));
            assert_eq!(setup.send("/get/b", Some(&cookie)).await.body, "2");
            assert_eq!(setup.send("/get/a", Some(&cookie)).await.body, "-");
            // Setting the value it has is no change.
            let writes = setup.calls().write;
            let reply = setup.send("/set/b/2", Some(&cookie)).await;
            assert!(reply.set_cookies.is_empty());
            assert_eq!(setup.calls().write, writes, "{setup:?}");
        });
    }
}

#[test]
fn clear_deletes_the_record_and_the_cookie() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            let reply = setup.send("/clear", Some(&cookie)).await;
            assert!(reply.removed(), "{setup:?}");
            assert_eq!(setup.calls().delete, 1, "{setup:?}");
            // The old cookie, replayed: no session, deleted again.
            let replay = setup.send("/get/a", Some(&cookie)).await;
            assert_eq!(replay.body, "-");
            assert!(replay.removed(), "{setup:?}");
        });
    }
}

#[test]
fn regenerate_kills_the_pre_login_cookie() {
    for setup in setups(Storage::Server) {
        run(async {
            let before = start(&setup).await;
            let login = setup.send("/login/alice", Some(&before)).await;
            let after = login.cookie().expect("a new cookie");
            assert_ne!(after, before);
            let create = setup.store.writes().pop().unwrap();
            assert_eq!(create.mode, WriteMode::Create);
            assert!(
                create.replaces,
                "{setup:?}: the old record is deleted in the same write"
            );
            assert_eq!(create.user.as_deref(), Some("alice"));

            let replay = setup.send("/get/user", Some(&before)).await;
            assert_eq!(replay.body, "-", "{setup:?}: the pre-login cookie is dead");
            assert!(replay.removed());
            assert_eq!(setup.send("/get/user", Some(&after)).await.body, "alice");
            assert_eq!(
                setup.send("/get/a", Some(&after)).await.body,
                "-",
                "values dropped"
            );
            // `regenerate` alone keeps the values, under a new ID.
            let again = setup
                .send("/regenerate", Some(&after))
                .await
                .cookie()
                .unwrap();
            assert_eq!(setup.send("/get/user", Some(&again)).await.body, "alice");
            assert_eq!(setup.send("/get/user", Some(&after)).await.body, "-");
        });
    }
}

#[test]
fn revoke_user_ends_a_server_session_at_once() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = setup.send("/login/alice", None).await.cookie().unwrap();
            let other = setup.send("/login/bob", None).await.cookie().unwrap();
            assert_eq!(setup.send("/user", Some(&cookie)).await.body, "alice");
            assert_eq!(
                setup.send("/keys", Some(&cookie)).await.body,
                "user",
                "binding hidden"
            );
            let ended = setup.store.revoke_user("alice").await.unwrap();
            assert_eq!(ended, 1, "{setup:?}");
            let reply = setup.send("/get/user", Some(&cookie)).await;
            assert_eq!(reply.body, "-", "{setup:?}");
            assert!(reply.removed());
            assert_eq!(setup.send("/user", Some(&other)).await.body, "bob");
            assert_eq!(
                setup.calls().revoked_at,
                0,
                "server mode needs no revocation check"
            );
        });
    }
}

#[test]
fn an_unreadable_record_is_a_rejected_cookie() {
    use cookie_seal::store::Write;
    for setup in setups(Storage::Server) {
        run(async {
            let id = SessionId::generate().unwrap();
            // A record of a future format version (first byte 9).
            let write = Write::create(vec![9, 0, 0], Duration::from_secs(60)).set("a", vec![0x61]);
            setup.store.write(&id, &write).await.unwrap();
            let reply = setup
                .send("/get/a", Some(&reference(&id, SystemTime::now())))
                .await;
            assert_eq!(reply.body, "-", "{setup:?}");
            assert!(reply.removed(), "{setup:?}");
            assert_eq!(setup.rejections(), ["session store record unreadable"]);
        });
    }
}

#[test]
fn the_ttl_is_the_idle_lifetime_capped_by_the_absolute_one() {
    let hour = Duration::from_secs(3600);
    let make = || {
        SessionCookie::new(
            Codec::sealed(ring(&[(1, 1)]))
                .max_age(hour)
                .absolute_lifetime(Duration::from_secs(1800)),
            CookieConfig::new(NAME).unwrap(),
        )
        .unwrap()
    };
    for setup in crate::harness::setups_with(Storage::Server, make) {
        run(async {
            start(&setup).await;
            let ttl = setup.store.writes()[0].ttl;
            assert!(
                ttl <= Duration::from_secs(1800) && ttl > Duration::from_secs(1790),
                "{ttl:?}"
            );
        });
    }
    for setup in setups(Storage::Server) {
        run(async {
            start(&setup).await;
            assert_eq!(
                setup.store.writes()[0].ttl,
                Duration::from_secs(86_400),
                "the default day"
            );
        });
    }
}

#[test]
fn a_re_issue_after_key_rotation_refreshes_the_record_with_an_empty_update() {
    let rotated = || {
        SessionCookie::new(
            Codec::sealed(ring(&[(2, 2), (1, 1)])),
            CookieConfig::new(NAME).unwrap(),
        )
        .unwrap()
    };
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            let after = setup.with_cookies(rotated());
            let reply = after.send("/get/a", Some(&cookie)).await;
            assert_eq!(reply.body, "1", "{setup:?}");
            let reissued = reply.cookie().expect("a re-issue under the new key");
            assert_ne!(reissued, cookie);
            let update = setup.store.writes().pop().unwrap();
            assert_eq!(update.mode, WriteMode::Update);
            assert!(
                update.set.is_empty() && update.remove.is_empty(),
                "{update:?}"
            );
            assert_eq!(after.send("/get/a", Some(&reissued)).await.body, "1");
            assert_eq!(setup.rejections(), Vec::<String>::new());
        });
    }
}

#[test]
fn a_rejected_reference_is_reported_to_the_hook() {
    for setup in setups(Storage::Server) {
        run(async {
            let id = SessionId::generate().unwrap();
            setup
                .send("/get/a", Some(&reference(&id, SystemTime::now())))
                .await;
            setup.send("/get/a", Some(&format!("{NAME}=forged"))).await;
            assert_eq!(
                setup.rejections(),
                ["session record not found in the store", "malformed token"],
                "{setup:?}"
            );
        });
    }
}

#[test]
fn a_server_error_stores_nothing_but_a_logout_still_deletes() {
    for setup in setups(Storage::Server) {
        run(async {
            let cookie = start(&setup).await;
            let reply = setup.send("/failset/b/2", Some(&cookie)).await;
            assert_eq!(reply.status, 500, "{setup:?}");
            assert!(reply.set_cookies.is_empty(), "{setup:?}");
            assert_eq!(setup.calls().write, 1, "{setup:?}: only the first Create");
            assert_eq!(setup.send("/get/b", Some(&cookie)).await.body, "-");

            let reply = setup.send("/failclear", Some(&cookie)).await;
            assert_eq!(reply.status, 500);
            assert!(reply.removed(), "{setup:?}");
            assert_eq!(setup.calls().delete, 1, "{setup:?}");
            assert_eq!(setup.send("/get/a", Some(&cookie)).await.body, "-");
        });
    }
}

#[test]
fn a_sessions_own_expiry_is_kept_in_the_record_and_sets_the_ttl() {
    for setup in setups(Storage::Server) {
        run(async {
            let reply = setup.send("/remember/a/1", None).await;
            assert!(
                reply.set_cookies[0].contains("Max-Age=3600"),
                "{:?}",
                reply.set_cookies
            );
            let cookie = reply.cookie().unwrap();
            assert_eq!(setup.store.writes()[0].ttl, Duration::from_secs(3600));
            // A later change keeps it: it came back from the record's metadata.
            let reply = setup.send("/set/b/2", Some(&cookie)).await;
            assert!(reply.set_cookies[0].contains("Max-Age=3600"), "{setup:?}");
            assert_eq!(setup.store.writes()[1].ttl, Duration::from_secs(3600));
        });
    }
}

#[test]
fn store_responses_follow_the_cache_rules() {
    for setup in setups(Storage::Server) {
        run(async {
            let write = setup.send("/set/a/1", None).await;
            assert_eq!(
                write.cache_control, "private",
                "{setup:?}: a response that sets the cookie"
            );
            assert_eq!(write.vary, "Cookie");
            let cookie = write.cookie().unwrap();
            let read = setup.send("/get/a", Some(&cookie)).await;
            assert_eq!(
                read.vary, "Cookie",
                "{setup:?}: the response depends on the session"
            );
            assert_eq!(
                setup.send("/none", Some(&cookie)).await.vary,
                "",
                "{setup:?}"
            );
        });
    }
}

#[test]
fn refresh_every_request_re_issues_with_an_empty_update_when_the_session_is_taken() {
    for setup in setups(Storage::Server) {
        let setup = setup.with_refresh();
        run(async {
            let cookie = start(&setup).await;
            let reply = setup.send("/touch", Some(&cookie)).await;
            assert!(reply.cookie().is_some(), "{setup:?}: re-issued");
            let update = setup.store.writes().pop().unwrap();
            assert_eq!(update.mode, WriteMode::Update);
            assert!(update.set.is_empty() && update.remove.is_empty());
            // A route that never takes the session: nothing (no store call).
            let before = setup.calls().total();
            assert!(setup
                .send("/none", Some(&cookie))
                .await
                .set_cookies
                .is_empty());
            assert_eq!(setup.calls().total(), before);
        });
    }
}
