//! Many writes in flight at once on one store (issue 20, item 4).

use std::time::Duration;

use cookie_seal::store::{SessionStore, Write, Written};
use futures_util::future::join_all;

use crate::{fresh_id, fresh_user};

const MINUTE: Duration = Duration::from_secs(60);

/// 50 requests of one session, each setting its own key, all in flight at
/// once: all 50 keys persist (no request overwrites another's change).
pub async fn fifty_concurrent_updates_of_different_keys_all_persist(store: &dyn SessionStore) {
    let id = fresh_id();
    store
        .write(&id, &Write::create(vec![0], MINUTE).set("base", [0u8]))
        .await
        .unwrap();
    let writes: Vec<Write> = (0..50u8)
        .map(|i| Write::update(vec![i], MINUTE).set(format!("key-{i:02}"), vec![i]))
        .collect();
    let results = join_all(writes.iter().map(|write| store.write(&id, write))).await;
    for result in results {
        assert_eq!(result.unwrap(), Written::Stored);
    }
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.values.len(), 51, "{record:?}");
    for i in 0..50u8 {
        let key = format!("key-{i:02}");
        assert!(
            record.values.contains(&(key.clone(), vec![i])),
            "{key} missing"
        );
    }
}

/// Once a record is deleted (`clear`), no update in flight brings it back.
pub async fn concurrent_updates_after_a_delete_are_all_gone(store: &dyn SessionStore) {
    let id = fresh_id();
    store
        .write(&id, &Write::create(vec![], MINUTE).set("a", [1u8]))
        .await
        .unwrap();
    store.delete(&id).await.unwrap();
    let writes: Vec<Write> = (0..20u8)
        .map(|i| Write::update(vec![i], MINUTE).set(format!("k{i}"), vec![i]))
        .collect();
    let results = join_all(writes.iter().map(|write| store.write(&id, write))).await;
    for result in results {
        assert_eq!(result.unwrap(), Written::Gone);
    }
    assert_eq!(store.load(&id).await.unwrap(), None);
}

/// 30 sessions of one user made at once (30 devices logging in) are all
/// in the user's index: `revoke_user` ends all 30.
pub async fn concurrent_sessions_of_one_user_are_all_revoked(store: &dyn SessionStore) {
    let user = fresh_user();
    let ids: Vec<_> = (0..30).map(|_| fresh_id()).collect();
    let write = Write::create(vec![], MINUTE).set("k", [1u8]).user(&user);
    let results = join_all(ids.iter().map(|id| store.write(id, &write))).await;
    for result in results {
        assert_eq!(result.unwrap(), Written::Stored);
    }
    assert_eq!(store.revoke_user(&user).await.unwrap(), 30);
    for id in &ids {
        assert_eq!(store.load(id).await.unwrap(), None);
    }
}
