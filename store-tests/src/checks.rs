//! One store at a time: the contract of `cookie_seal::store`'s module docs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::store::{SessionStore, Write, Written};

use crate::{fresh_id, fresh_user, values};

const MINUTE: Duration = Duration::from_secs(60);

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// `load` of an ID never written is `None`.
pub async fn a_missing_record_loads_as_none(store: &dyn SessionStore) {
    assert_eq!(store.load(&fresh_id()).await.unwrap(), None);
}

/// Meta and values come back byte for byte, sorted by key; empty and binary
/// values and non-ASCII keys included; other IDs see nothing of it.
pub async fn a_created_record_round_trips_exactly(store: &dyn SessionStore) {
    let id = fresh_id();
    let meta: Vec<u8> = (0..=255u8).collect();
    let write = Write::create(meta.clone(), MINUTE)
        .set("zeta", b"\x00\xff\x00".to_vec())
        .set("alpha", Vec::new())
        .set("clé ünïcode", "välue".as_bytes().to_vec())
        .set("v:nested:key", b"x".to_vec());
    assert_eq!(store.write(&id, &write).await.unwrap(), Written::Stored);
    let record = store.load(&id).await.unwrap().expect("stored");
    assert_eq!(record.meta, meta);
    assert_eq!(
        values(&record),
        [
            ("alpha", &b""[..]),
            ("clé ünïcode", "välue".as_bytes()),
            ("v:nested:key", b"x"),
            ("zeta", b"\x00\xff\x00"),
        ]
    );
    assert_eq!(store.load(&fresh_id()).await.unwrap(), None);
}

/// An update applies its sets and removes key by key and replaces the meta;
/// on one key the later write wins.
pub async fn updates_merge_key_by_key_and_the_later_write_wins(store: &dyn SessionStore) {
    let id = fresh_id();
    let create = Write::create(vec![1], MINUTE)
        .set("a", [1u8])
        .set("c", [9u8]);
    store.write(&id, &create).await.unwrap();
    let b = Write::update(vec![2], MINUTE).set("b", [2u8]);
    assert_eq!(store.write(&id, &b).await.unwrap(), Written::Stored);
    let a = Write::update(vec![3], MINUTE).set("a", [3u8]).remove("c");
    assert_eq!(store.write(&id, &a).await.unwrap(), Written::Stored);
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("a", &[3u8][..]), ("b", &[2u8][..])]);
    assert_eq!(record.meta, [3]);
    // Removing a key that is not there is no error; meta-only updates keep values.
    let noop = Write::update(vec![4], MINUTE).remove("never-set");
    assert_eq!(store.write(&id, &noop).await.unwrap(), Written::Stored);
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(values(&record), [("a", &[3u8][..]), ("b", &[2u8][..])]);
    assert_eq!(record.meta, [4]);
}

/// An update of an ID that has no record reports `Gone` and creates nothing.
pub async fn an_update_of_a_missing_record_is_gone_and_writes_nothing(store: &dyn SessionStore) {
    let id = fresh_id();
    let user = fresh_user();
    let late = Write::update(vec![1], MINUTE).set("a", [1u8]).user(&user);
    assert_eq!(store.write(&id, &late).await.unwrap(), Written::Gone);
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert_eq!(store.revoke_user(&user).await.unwrap(), 0);
}

/// A record deleted (`clear`, `regenerate`) stays deleted: a slower
/// request's update is `Gone`.
pub async fn an_update_never_brings_back_a_deleted_record(store: &dyn SessionStore) {
    let id = fresh_id();
    store
        .write(&id, &Write::create(vec![], MINUTE).set("a", [1u8]))
        .await
        .unwrap();
    store.delete(&id).await.unwrap();
    let late = Write::update(vec![], MINUTE).set("b", [2u8]);
    assert_eq!(store.write(&id, &late).await.unwrap(), Written::Gone);
    assert_eq!(store.load(&id).await.unwrap(), None);
}

/// A create's values are exactly its sets, even over an existing record,
/// and the record it replaces (login) is deleted in the same write.
pub async fn a_create_replaces_an_existing_record_and_the_one_it_replaces(
    store: &dyn SessionStore,
) {
    let (old, new) = (fresh_id(), fresh_id());
    store
        .write(&old, &Write::create(vec![], MINUTE).set("cart", [1u8]))
        .await
        .unwrap();
    let over = Write::create(vec![7], MINUTE).set("x", [1u8]);
    store.write(&new, &over).await.unwrap();
    let again = Write::create(vec![8], MINUTE).set("cart", [2u8]);
    store.write(&new, &again).await.unwrap();
    let login = Write::create(vec![9], MINUTE)
        .set("cart", [3u8])
        .replacing(old.clone());
    assert_eq!(store.write(&new, &login).await.unwrap(), Written::Stored);
    assert_eq!(store.load(&old).await.unwrap(), None);
    let record = store.load(&new).await.unwrap().unwrap();
    assert_eq!(values(&record), [("cart", &[3u8][..])]);
    assert_eq!(record.meta, [9]);
    let late = Write::update(vec![], MINUTE).set("b", [2u8]);
    assert_eq!(store.write(&old, &late).await.unwrap(), Written::Gone);
}

/// Past its TTL a record is gone for `load` and for updates.
pub async fn a_record_is_gone_past_its_ttl(store: &dyn SessionStore) {
    let id = fresh_id();
    let short = Duration::from_millis(150);
    store
        .write(&id, &Write::create(vec![], short).set("a", [1u8]))
        .await
        .unwrap();
    assert!(store.load(&id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.load(&id).await.unwrap(), None);
    let late = Write::update(vec![], MINUTE);
    assert_eq!(store.write(&id, &late).await.unwrap(), Written::Gone);
    assert_eq!(store.load(&id).await.unwrap(), None);
}

/// An update's TTL counts from the update (the idle lifetime restarts), and
/// may shorten it too.
pub async fn an_update_restarts_the_ttl(store: &dyn SessionStore) {
    let id = fresh_id();
    let short = Duration::from_millis(400);
    store
        .write(&id, &Write::create(vec![], short))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let longer = Write::update(vec![], MINUTE);
    assert_eq!(store.write(&id, &longer).await.unwrap(), Written::Stored);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(store.load(&id).await.unwrap().is_some(), "extended");
    let shorter = Write::update(vec![], Duration::from_millis(100));
    store.write(&id, &shorter).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.load(&id).await.unwrap(), None, "shortened");
}

/// Deleting twice, or an ID never written, is no error; other records stay.
pub async fn delete_is_idempotent_and_leaves_other_records(store: &dyn SessionStore) {
    let (id, other) = (fresh_id(), fresh_id());
    for id in [&id, &other] {
        store
            .write(id, &Write::create(vec![], MINUTE).set("a", [1u8]))
            .await
            .unwrap();
    }
    store.delete(&id).await.unwrap();
    store.delete(&id).await.unwrap();
    store.delete(&fresh_id()).await.unwrap();
    assert_eq!(store.load(&id).await.unwrap(), None);
    assert!(store.load(&other).await.unwrap().is_some());
}

/// `revoke_user` deletes every record of that user and no other, returns
/// how many, and `revoked_at` then tells when (it said `None` before).
pub async fn revoke_user_ends_their_records_only_and_is_remembered(store: &dyn SessionStore) {
    let (user, other_user) = (fresh_user(), fresh_user());
    let (a, b, other, unbound) = (fresh_id(), fresh_id(), fresh_id(), fresh_id());
    for id in [&a, &b] {
        let write = Write::create(vec![], MINUTE).set("k", [1u8]).user(&user);
        store.write(id, &write).await.unwrap();
    }
    let write = Write::create(vec![], MINUTE).user(&other_user);
    store.write(&other, &write).await.unwrap();
    store
        .write(&unbound, &Write::create(vec![], MINUTE))
        .await
        .unwrap();
    assert_eq!(store.revoked_at(&user).await.unwrap(), None);
    let before = unix_now();
    assert_eq!(store.revoke_user(&user).await.unwrap(), 2);
    let at = store.revoked_at(&user).await.unwrap().expect("remembered");
    assert!((before..=unix_now()).contains(&at), "revoked at {at}");
    assert_eq!(store.load(&a).await.unwrap(), None);
    assert_eq!(store.load(&b).await.unwrap(), None);
    assert!(store.load(&other).await.unwrap().is_some());
    assert!(store.load(&unbound).await.unwrap().is_some());
    assert_eq!(store.revoked_at(&other_user).await.unwrap(), None);
    // Updates of the revoked sessions stay gone; a second revoke finds none.
    let late = Write::update(vec![], MINUTE).user(&user);
    assert_eq!(store.write(&a, &late).await.unwrap(), Written::Gone);
    assert_eq!(store.revoke_user(&user).await.unwrap(), 0);
    // A user never seen: nothing ended, but the revocation is remembered.
    let stranger = fresh_user();
    assert_eq!(store.revoke_user(&stranger).await.unwrap(), 0);
    assert!(store.revoked_at(&stranger).await.unwrap().is_some());
}

/// Expired and deleted records of the user are not counted as ended.
pub async fn revoke_user_counts_only_live_records(store: &dyn SessionStore) {
    let user = fresh_user();
    let (live, expiring, deleted) = (fresh_id(), fresh_id(), fresh_id());
    let write = Write::create(vec![], MINUTE).user(&user);
    store.write(&live, &write).await.unwrap();
    store.write(&deleted, &write).await.unwrap();
    let short = Write::create(vec![], Duration::from_millis(100)).user(&user);
    store.write(&expiring, &short).await.unwrap();
    store.delete(&deleted).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.revoke_user(&user).await.unwrap(), 1);
    assert_eq!(store.load(&live).await.unwrap(), None);
}

/// A record bound to one user and then another belongs to the second only.
pub async fn rebinding_a_record_moves_it_between_users(store: &dyn SessionStore) {
    let (first, second) = (fresh_user(), fresh_user());
    let id = fresh_id();
    let write = Write::create(vec![], MINUTE).user(&first);
    store.write(&id, &write).await.unwrap();
    let write = Write::update(vec![], MINUTE).user(&second);
    store.write(&id, &write).await.unwrap();
    assert_eq!(store.revoke_user(&first).await.unwrap(), 0);
    assert!(store.load(&id).await.unwrap().is_some());
    assert_eq!(store.revoke_user(&second).await.unwrap(), 1);
    assert_eq!(store.load(&id).await.unwrap(), None);
}

/// An update without a user unbinds the record (logout of the user, session kept).
pub async fn unbinding_a_record_takes_it_out_of_the_user_index(store: &dyn SessionStore) {
    let user = fresh_user();
    let id = fresh_id();
    let write = Write::create(vec![], MINUTE).set("a", [1u8]).user(&user);
    store.write(&id, &write).await.unwrap();
    let write = Write::update(vec![], MINUTE);
    store.write(&id, &write).await.unwrap();
    assert_eq!(store.revoke_user(&user).await.unwrap(), 0);
    assert!(store.load(&id).await.unwrap().is_some());
}

/// Thousands of keys in one write, then half of them removed in one write.
pub async fn a_record_with_many_keys_round_trips(store: &dyn SessionStore) {
    let id = fresh_id();
    let mut create = Write::create(vec![1], MINUTE);
    for i in 0..3000u32 {
        create = create.set(format!("key-{i:05}"), i.to_be_bytes().to_vec());
    }
    store.write(&id, &create).await.unwrap();
    let mut update = Write::update(vec![2], MINUTE);
    for i in (0..3000u32).filter(|i| i % 2 == 0) {
        update = update.remove(format!("key-{i:05}"));
    }
    store.write(&id, &update).await.unwrap();
    let record = store.load(&id).await.unwrap().unwrap();
    assert_eq!(record.values.len(), 1500);
    assert_eq!(
        record.values[0],
        ("key-00001".to_owned(), 1u32.to_be_bytes().to_vec())
    );
    assert_eq!(
        record.values[1499],
        ("key-02999".to_owned(), 2999u32.to_be_bytes().to_vec())
    );
}
