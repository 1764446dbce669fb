//! `Storage::Hybrid`: inline while the session fits, in the store past that,
//! back inline (and the record deleted) when it shrinks.

use cookie_seal::store::{SessionStore, Storage, WriteMode};

use crate::harness::{run, setups};

#[test]
fn a_small_session_rides_in_the_cookie_without_store_calls() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let cookie = setup.send("/set/a/1", None).await.cookie().unwrap();
            assert!(setup.is_inline(&cookie), "{setup:?}");
            assert_eq!(setup.send("/get/a", Some(&cookie)).await.body, "1");
            let changed = setup
                .send("/set/b/2", Some(&cookie))
                .await
                .cookie()
                .unwrap();
            assert!(setup.is_inline(&changed));
            assert_eq!(setup.calls().total(), 0, "{setup:?}");
        });
    }
}

#[test]
fn a_session_spills_to_the_store_and_comes_back_when_it_shrinks() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let small = setup.send("/set/a/1", None).await.cookie().unwrap();
            let spilled = setup.send("/big/6000", Some(&small)).await;
            assert_eq!(spilled.status, 200, "{setup:?}");
            let reference = spilled.cookie().unwrap();
            assert!(!setup.is_inline(&reference), "{setup:?}: spilled");
            assert!(reference.len() < 300, "{setup:?}: a short reference");
            let create = setup.store.writes().pop().unwrap();
            assert_eq!(create.mode, WriteMode::Create);
            assert_eq!(create.set, ["a", "big"]);

            // The handler sees no difference.
            assert_eq!(setup.send("/get/a", Some(&reference)).await.body, "1");
            assert_eq!(
                setup.send("/get/big", Some(&reference)).await.body.len(),
                6000
            );

            let back = setup.send("/drop/big", Some(&reference)).await;
            let inline = back.cookie().unwrap();
            assert!(setup.is_inline(&inline), "{setup:?}: back in the cookie");
            assert_eq!(setup.calls().delete, 1, "{setup:?}: the record is deleted");
            assert_eq!(setup.send("/get/a", Some(&inline)).await.body, "1");
            let replay = setup.send("/get/a", Some(&reference)).await;
            assert_eq!(replay.body, "-", "{setup:?}: the record is gone");
            assert!(replay.removed());
        });
    }
}

#[test]
fn an_inline_session_bound_to_a_user_ends_at_its_next_request_after_revocation() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let cookie = setup.send("/login/dave", None).await.cookie().unwrap();
            assert!(setup.is_inline(&cookie), "{setup:?}");
            assert_eq!(setup.calls().total(), 0);
            assert_eq!(setup.send("/user", Some(&cookie)).await.body, "dave");
            assert_eq!(setup.send("/keys", Some(&cookie)).await.body, "user");
            assert_eq!(
                setup.calls().revoked_at,
                2,
                "{setup:?}: one check per request"
            );
            assert_eq!(setup.calls().total(), 2);

            setup.store.revoke_user("dave").await.unwrap();
            let reply = setup.send("/user", Some(&cookie)).await;
            assert_eq!(reply.body, "-", "{setup:?}");
            assert!(reply.removed(), "{setup:?}");
            // An unbound inline session is never checked.
            let before = setup.calls().revoked_at;
            let plain = setup.send("/set/a/1", None).await.cookie().unwrap();
            setup.send("/get/a", Some(&plain)).await;
            assert_eq!(setup.calls().revoked_at, before);
        });
    }
}

#[test]
fn a_spilled_session_bound_to_a_user_ends_at_once() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let cookie = setup.send("/login/erin", None).await.cookie().unwrap();
            let reference = setup
                .send("/big/6000", Some(&cookie))
                .await
                .cookie()
                .unwrap();
            assert!(!setup.is_inline(&reference));
            assert_eq!(
                setup.store.writes().pop().unwrap().user.as_deref(),
                Some("erin")
            );
            assert_eq!(
                setup.store.revoke_user("erin").await.unwrap(),
                1,
                "{setup:?}"
            );
            let reply = setup.send("/user", Some(&reference)).await;
            assert_eq!(reply.body, "-", "{setup:?}");
            assert!(reply.removed());
        });
    }
}

#[test]
fn a_login_from_a_stored_session_moves_back_inline_and_deletes_the_old_record() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let reference = setup.send("/big/6000", None).await.cookie().unwrap();
            assert!(!setup.is_inline(&reference));
            let login = setup.send("/login/gina", Some(&reference)).await;
            let inline = login.cookie().unwrap();
            assert!(
                setup.is_inline(&inline),
                "{setup:?}: the clean session fits"
            );
            assert_eq!(
                setup.calls().delete,
                1,
                "{setup:?}: the old record is deleted"
            );
            assert_eq!(setup.send("/user", Some(&inline)).await.body, "gina");
            let replay = setup.send("/get/big", Some(&reference)).await;
            assert_eq!(replay.body, "-", "{setup:?}: the pre-login cookie is dead");
        });
    }
}

#[test]
fn an_inline_regenerate_needs_no_store_call() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let before = setup.send("/set/a/1", None).await.cookie().unwrap();
            let after = setup
                .send("/regenerate", Some(&before))
                .await
                .cookie()
                .unwrap();
            assert!(setup.is_inline(&after) && after != before, "{setup:?}");
            assert_eq!(setup.send("/get/a", Some(&after)).await.body, "1");
            assert_eq!(setup.calls().total(), 0, "{setup:?}");
        });
    }
}
