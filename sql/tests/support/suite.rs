//! What the SQL stores add to the shared suite (`store-tests/`, run by
//! `tests/store_suite.rs`): binary and Unicode values, NUL in keys and users,
//! a record without values, a write that removes and sets one key, the
//! revocation window, updates racing a delete, and redacted `Debug`; as
//! async checks over any store; tests/behaviour.rs runs each one against
//! both SQL drivers.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::store::{Record, SessionStore, Write, Written};
use cookie_seal::SessionId;

use super::REVOCATION_WINDOW;

pub type Store = Arc<dyn SessionStore>;

const MINUTE: Duration = Duration::from_secs(60);

fn id() -> SessionId {
    SessionId::generate().unwrap()
}

fn values(record: &Record) -> Vec<(&str, &[u8])> {
    record
        .values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect()
}

pub async fn a_created_record_loads_as_written(store: Store) {
    let id = id();
    let binary: Vec<u8> = (0..=255).collect();
    let write = Write::create(b"meta-1".to_vec(), MINUTE)
        .set("zeta", [1u8])
        .set("alpha", binary.clone())
        .set("émoji 🍪", Vec::<u8>::new());
    assert_eq!(store.write(&id, &write).await.unwrap(), Written::Stored);
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.meta, b"meta-1");
    assert_eq!(
        values(&record),
        [
            ("alpha", binary.as_slice()),
            ("zeta", &[1u8][..]),
            ("émoji 🍪", &[][..])
        ]
    );
    assert_eq!(store.load(&self::id()).await.unwrap(), None);
}

pub async fn a_record_without_values_still_exists(store: Store) {
    let id = id();
    store
        .write(&id, &Write::create(vec![7], MINUTE))
        .await
        .unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.meta, [7]);
    assert!(record.values.is_empty());
    let update = Write::update(vec![8], MINUTE).set("a", [1u8]);
    assert_eq!(store.write(&id, &update).await.unwrap(), Written::Stored);
}

pub async fn updates_merge_key_by_key_and_the_later_write_wins(store: Store) {
    let id = id();
    store
        .write(&id, &Write::create(vec![1], MINUTE).set("a", [1u8]))
        .await
        .unwrap();
    store
        .write(&id, &Write::update(vec![2], MINUTE).set("b", [2u8]))
        .await
        .unwrap();
    store
        .write(&id, &Write::update(vec![3], MINUTE).set("a", [3u8]))
        .await
        .unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("a", &[3u8][..]), ("b", &[2u8][..])]);
    assert_eq!(record.meta, [3]);
    let remove = Write::update(vec![4], MINUTE)
        .remove("a")
        .remove("never-set");
    store.write(&id, &remove).await.unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("b", &[2u8][..])]);
    // In one write: removals first, then sets; a key set twice keeps the later value.
    let mixed = Write::update(vec![5], MINUTE)
        .remove("b")
        .set("b", [5u8])
        .set("c", [6u8])
        .set("c", [7u8]);
    store.write(&id, &mixed).await.unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("b", &[5u8][..]), ("c", &[7u8][..])]);
}

pub async fn a_create_under_an_existing_id_overwrites_it(store: Store) {
    let id = id();
    store
        .write(&id, &Write::create(vec![1], MINUTE).set("a", [1u8]))
        .await
        .unwrap();
    store
        .write(&id, &Write::create(vec![2], MINUTE).set("b", [2u8]))
        .await
        .unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.meta, [2]);
    assert_eq!(values(&record), [("b", &[2u8][..])]);
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub async fn a_revocation_is_forgotten_after_its_window(store: Store) {
    store.revoke_user("42").await.unwrap();
    assert!(store.revoked_at("42").await.unwrap().is_some());
    tokio::time::sleep(REVOCATION_WINDOW + Duration::from_millis(200)).await;
    assert_eq!(store.revoked_at("42").await.unwrap(), None);
}

/// Updates racing a delete: whatever the order, the record ends deleted.
pub async fn a_delete_racing_updates_stays_deleted(store: Store) {
    for _ in 0..5 {
        let id = id();
        store
            .write(&id, &Write::create(vec![], MINUTE).set("a", [1u8]))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for n in 0..20u8 {
            let (task_store, task_id) = (store.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let write = Write::update(vec![n], MINUTE).set(format!("k{n}"), [n]);
                task_store.write(&task_id, &write).await.unwrap();
            }));
            if n == 10 {
                store.delete(&id).await.unwrap();
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(store.load(&id).await.unwrap(), None);
    }
}

/// Sequential writes to one key from many tasks in turn: the last one wins.
pub async fn on_one_key_the_later_write_wins(store: Store) {
    let id = id();
    store
        .write(&id, &Write::create(vec![], MINUTE).set("k", [0u8]))
        .await
        .unwrap();
    for n in 1..=10u8 {
        let write = Write::update(vec![n], MINUTE).set("k", [n]);
        store.write(&id, &write).await.unwrap();
    }
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("k", &[10u8][..])]);
    assert_eq!(record.meta, [10]);
}

pub async fn debug_shows_no_values(store: Store) {
    let id = id();
    let write = Write::create(b"secret-meta".to_vec(), MINUTE).set("k", *b"secret-value");
    store.write(&id, &write).await.unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    let text = format!("{record:?}{store:?}");
    assert!(!text.contains("secret"), "{text}");
}

/// The core's own keys start with NUL (its reserved namespace), and users are
/// any string: PostgreSQL's `text` refuses NUL, so both are stored as bytes.
pub async fn keys_and_users_may_hold_nul(store: Store) {
    let id = id();
    let write = Write::create(vec![], MINUTE)
        .set("\0user", *b"42")
        .set("a\0b", [1u8])
        .user("user\0with nul");
    store.write(&id, &write).await.unwrap();
    let update = Write::update(vec![], MINUTE)
        .remove("a\0b")
        .set("\0gen", [2u8])
        .user("user\0with nul");
    assert_eq!(store.write(&id, &update).await.unwrap(), Written::Stored);
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(
        values(&record),
        [("\0gen", &[2u8][..]), ("\0user", &b"42"[..])]
    );
    assert_eq!(store.revoke_user("user\0with nul").await.unwrap(), 1);
    assert!(store.revoked_at("user\0with nul").await.unwrap().is_some());
    assert_eq!(store.revoked_at("user").await.unwrap(), None);
}
