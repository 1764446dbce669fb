//! A store that fails: a 503 (or the hook's response), no panic, no cookie
//! set or deleted, and the next request after the store is back works.

use cookie_seal::store::Storage;

use crate::harness::{run, setups};

#[test]
fn a_failing_store_gives_a_503_without_cookies_and_recovers() {
    let mut all = setups(Storage::Server);
    all.extend(setups(Storage::Hybrid));
    for setup in all {
        run(async {
            let path = match setup.storage {
                Storage::Server => "/set/a/1",
                Storage::Hybrid => "/big/6000",
            };
            let cookie = setup.send(path, None).await.cookie().unwrap();
            setup.switch.fail(true);
            // Loading fails.
            let reply = setup.send("/touch", Some(&cookie)).await;
            assert_eq!(reply.status, 503, "{setup:?}");
            assert!(reply.set_cookies.is_empty(), "{setup:?}: no cookie deleted");
            assert!(
                reply.body.contains("session store"),
                "{setup:?}: {}",
                reply.body
            );
            // Saving a new session fails.
            let reply = setup.send(path, None).await;
            assert_eq!(reply.status, 503, "{setup:?}");
            assert!(reply.set_cookies.is_empty(), "{setup:?}");
            // A route without the session does not notice.
            assert_eq!(setup.send("/none", Some(&cookie)).await.status, 200);

            setup.switch.fail(false);
            let reply = setup.send("/touch", Some(&cookie)).await;
            assert_eq!(
                (reply.status, reply.body.as_str()),
                (200, "1 keys"),
                "{setup:?}"
            );
        });
    }
}

#[test]
fn a_failing_revocation_check_gives_a_503_and_keeps_the_cookie() {
    for setup in setups(Storage::Hybrid) {
        run(async {
            let cookie = setup.send("/login/frank", None).await.cookie().unwrap();
            setup.switch.fail(true);
            let reply = setup.send("/user", Some(&cookie)).await;
            assert_eq!(reply.status, 503, "{setup:?}");
            assert!(reply.set_cookies.is_empty());
            setup.switch.fail(false);
            assert_eq!(setup.send("/user", Some(&cookie)).await.body, "frank");
        });
    }
}

#[test]
fn the_store_error_hook_chooses_the_response() {
    for setup in setups(Storage::Server) {
        let setup = setup.with_custom_store_error();
        run(async {
            let cookie = setup.send("/set/a/1", None).await.cookie().unwrap();
            setup.switch.fail(true);
            for (path, cookie) in [("/get/a", Some(cookie.as_str())), ("/set/b/2", None)] {
                let reply = setup.send(path, cookie).await;
                assert_eq!(reply.status, 500, "{setup:?}");
                assert!(
                    reply.body.starts_with("custom: session store unavailable"),
                    "{}",
                    reply.body
                );
                assert!(!reply.body.contains("a=1"));
                assert!(reply.set_cookies.is_empty(), "{setup:?}");
            }
            setup.switch.fail(false);
            assert_eq!(setup.send("/get/a", Some(&cookie)).await.body, "1");
        });
    }
}
