//! Concurrent requests of one session (both modes store these sessions:
//! a stored session in hybrid mode is one that outgrew the cookie).

use cookie_seal::store::Storage;
use futures_util::future::join_all;

use crate::harness::{run, setups, Setup};

/// A stored session's cookie: in hybrid mode, made to outgrow the cookie.
async fn stored_session(setup: &Setup) -> String {
    let path = match setup.storage {
        Storage::Server => "/set/a/1",
        Storage::Hybrid => "/big/6000",
    };
    let cookie = setup.send(path, None).await.cookie().unwrap();
    assert!(!setup.is_inline(&cookie), "{setup:?}");
    cookie
}

fn both_modes() -> Vec<Setup> {
    let mut all = setups(Storage::Server);
    all.extend(setups(Storage::Hybrid));
    all
}

#[test]
fn fifty_concurrent_requests_setting_their_own_keys_all_persist() {
    for setup in both_modes() {
        run(async {
            let cookie = stored_session(&setup).await;
            // Each handler yields after the session is loaded, so all 50
            // load the same record before any of them saves.
            let replies = join_all((0..50).map(|i| {
                let path = format!("/slowset/k{i}/{i}");
                let setup = &setup;
                let cookie = cookie.clone();
                async move { setup.send(&path, Some(&cookie)).await }
            }))
            .await;
            assert!(replies.iter().all(|reply| reply.status == 200));
            for i in 0..50 {
                let reply = setup.send(&format!("/get/k{i}"), Some(&cookie)).await;
                assert_eq!(reply.body, i.to_string(), "{setup:?}: key k{i}");
            }
        });
    }
}

#[test]
fn on_one_key_the_later_write_wins() {
    for setup in both_modes() {
        run(async {
            let cookie = stored_session(&setup).await;
            let slow = setup.send("/hold/k/first", Some(&cookie));
            let fast = async {
                setup.gate.held.notified().await;
                let reply = setup.send("/set/k/second", Some(&cookie)).await;
                assert_eq!(setup.send("/get/k", Some(&cookie)).await.body, "second");
                setup.gate.release.notify_one();
                reply
            };
            let (slow, fast) = tokio::join!(slow, fast);
            assert_eq!((slow.status, fast.status), (200, 200));
            assert_eq!(
                setup.send("/get/k", Some(&cookie)).await.body,
                "first",
                "{setup:?}"
            );
        });
    }
}

#[test]
fn a_logout_is_never_undone_by_a_slower_request() {
    for setup in both_modes() {
        run(async {
            let cookie = stored_session(&setup).await;
            let slow = setup.send("/hold/k/v", Some(&cookie));
            let logout = async {
                setup.gate.held.notified().await;
                let reply = setup.send("/clear", Some(&cookie)).await;
                setup.gate.release.notify_one();
                reply
            };
            let (slow, logout) = tokio::join!(slow, logout);
            assert!(logout.removed(), "{setup:?}");
            assert!(
                slow.removed(),
                "{setup:?}: the slow request deletes the cookie too"
            );
            assert!(slow.cookie().is_none(), "{setup:?}: and sets none");
            let replay = setup.send("/get/k", Some(&cookie)).await;
            assert_eq!(replay.body, "-", "{setup:?}: the record stays deleted");
        });
    }
}

#[test]
fn a_regenerate_is_never_undone_by_a_slower_request() {
    for setup in both_modes() {
        run(async {
            let cookie = stored_session(&setup).await;
            let slow = setup.send("/hold/k/v", Some(&cookie));
            let login = async {
                setup.gate.held.notified().await;
                let reply = setup.send("/login/carol", Some(&cookie)).await;
                setup.gate.release.notify_one();
                reply
            };
            let (slow, login) = tokio::join!(slow, login);
            assert!(slow.removed() && slow.cookie().is_none(), "{setup:?}");
            let fresh = login.cookie().unwrap();
            assert_eq!(setup.send("/get/user", Some(&fresh)).await.body, "carol");
            assert_eq!(
                setup.send("/get/k", Some(&fresh)).await.body,
                "-",
                "{setup:?}"
            );
            assert_eq!(
                setup.send("/get/k", Some(&cookie)).await.body,
                "-",
                "{setup:?}"
            );
        });
    }
}
