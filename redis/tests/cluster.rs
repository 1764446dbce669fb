//! Redis Cluster: sessions spread over every master, redirections (`ASK`
//! during a slot migration, `MOVED` after it) followed, and a master killed:
//! its replica takes over and what was replicated survives.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "support/servers.rs"]
mod servers;

use std::time::{Duration, Instant};

use cookie_seal::store::{SessionStore, StoreError, Write, Written};
use cookie_seal::SessionId;
use cookie_seal_redis::RedisStore;
use servers::{admin, key_slot, PrivateCluster};

const MINUTE: Duration = Duration::from_secs(60);

fn open(urls: &[String], prefix: &str) -> RedisStore {
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    RedisStore::open_cluster(&urls).unwrap().key_prefix(prefix)
}

fn record_key(prefix: &str, id: &SessionId) -> String {
    format!("{prefix}s:{}", id.to_base64url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_spread_over_every_master_and_all_come_back() {
    let Some(urls) = servers::cluster_urls() else {
        return;
    };
    let prefix = servers::test_prefix("spread");
    let store = open(&urls, &prefix);
    store.connect().await.unwrap();
    let ids: Vec<SessionId> = (0..120).map(|_| SessionId::generate().unwrap()).collect();
    for (i, id) in ids.iter().enumerate() {
        let write = Write::create(vec![], MINUTE).set("i", i.to_be_bytes().to_vec());
        store.write(id, &write).await.unwrap();
    }
    for (i, id) in ids.iter().enumerate() {
        let record = store.load(id).await.unwrap().unwrap();
        assert_eq!(record.values[0].1, i.to_be_bytes());
    }
    // Each master holds some of them (120 random slots over 3 masters).
    let mut masters_holding = 0;
    for url in &urls {
        let mut node = admin(url);
        let role: Vec<redis::Value> = redis::cmd("ROLE").query(&mut node).unwrap();
        let is_master = matches!(&role[0], redis::Value::BulkString(r) if r == b"master");
        if !is_master {
            continue;
        }
        let held = ids
            .iter()
            .filter(|id| {
                let slot = key_slot(url, &record_key(&prefix, id));
                let count: u64 = redis::cmd("CLUSTER")
                    .arg("COUNTKEYSINSLOT")
                    .arg(slot)
                    .query(&mut node)
                    .unwrap_or(0);
                count > 0
            })
            .count();
        masters_holding += usize::from(held > 0);
    }
    assert_eq!(masters_holding, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_during_a_slot_migration_and_moved_after_it_are_followed() {
    let Some(cluster) = PrivateCluster::start() else {
        return;
    };
    let prefix = "cs:";
    let store = open(&cluster.urls(), prefix);
    store.connect().await.unwrap();
    // A session written before its slot starts migrating.
    let old = SessionId::generate().unwrap();
    let slot = key_slot(&cluster.urls()[0], &record_key(prefix, &old));
    store
        .write(&old, &Write::create(vec![1], MINUTE).set("a", [1u8]))
        .await
        .unwrap();

    let source = cluster.master_of_slot(slot);
    let target = (0..cluster.nodes.len())
        .find(|&i| i != source && is_master(&cluster.nodes[i].url()))
        .unwrap();
    let (source_url, target_url) = (cluster.nodes[source].url(), cluster.nodes[target].url());
    let (source_id, target_id) = (node_id(&source_url), node_id(&target_url));
    let mut source_admin = admin(&source_url);
    let mut target_admin = admin(&target_url);
    setslot(&mut target_admin, slot, "IMPORTING", &source_id);
    setslot(&mut source_admin, slot, "MIGRATING", &target_id);

    // Still on the source: served there.
    assert!(store.load(&old).await.unwrap().is_some());
    // Moved to the target, the slot still migrating: the source answers ASK.
    let _: () = redis::cmd("MIGRATE")
        .arg("127.0.0.1")
        .arg(cluster.nodes[target].port)
        .arg("")
        .arg(0)
        .arg(5000)
        .arg("AUTH")
        .arg(&cluster.nodes[target].password)
        .arg("KEYS")
        .arg(record_key(prefix, &old))
        .query(&mut source_admin)
        .unwrap();
    let record = store.load(&old).await.unwrap().expect("followed ASK");
    assert_eq!(record.values, [("a".to_owned(), vec![1u8])]);
    let update = Write::update(vec![2], MINUTE).set("b", [2u8]);
    assert_eq!(store.write(&old, &update).await.unwrap(), Written::Stored);
    let held: u64 = redis::cmd("CLUSTER")
        .arg("COUNTKEYSINSLOT")
        .arg(slot)
        .query(&mut target_admin)
        .unwrap();
    assert_eq!(held, 1, "the update went to the importing node");

    // The migration ends: every master learns the new owner; the store's
    // slot map is stale and the source answers MOVED.
    for node in &cluster.nodes {
        if is_master(&node.url()) {
            setslot(&mut admin(&node.url()), slot, "NODE", &target_id);
        }
    }
    let record = store.load(&old).await.unwrap().expect("followed MOVED");
    assert_eq!(record.values.len(), 2);
    let update = Write::update(vec![3], MINUTE).remove("a");
    assert_eq!(store.write(&old, &update).await.unwrap(), Written::Stored);
    assert_eq!(store.load(&old).await.unwrap().unwrap().values.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_master_is_replaced_by_its_replica_and_replicated_sessions_survive() {
    let Some(mut cluster) = PrivateCluster::start() else {
        return;
    };
    let prefix = "cs:";
    let store = open(&cluster.urls(), prefix);
    store.connect().await.unwrap();
    let ids: Vec<SessionId> = (0..60).map(|_| SessionId::generate().unwrap()).collect();
    for (i, id) in ids.iter().enumerate() {
        let write = Write::create(vec![], MINUTE).set("i", vec![u8::try_from(i).unwrap()]);
        store.write(id, &write).await.unwrap();
    }
    // Replication is asynchronous: wait until every replica has caught up
    // (what an app gets for one write with `WAIT 1 <ms>`), then crash a master.
    wait_replicated(&cluster);
    let victim = cluster.master_of_slot(key_slot(&cluster.urls()[0], &record_key(prefix, &ids[0])));
    cluster.nodes[victim].kill();
    let killed_at = Instant::now();

    // The store reports Unavailable (never panics) until the replica is
    // promoted (node timeout 1 s), then serves every session again.
    let mut unavailable = 0;
    let record = loop {
        match store.load(&ids[0]).await {
            Ok(record) => break record,
            Err(StoreError::Unavailable(_)) => unavailable += 1,
            Err(other) => panic!("{other}"),
        }
        assert!(killed_at.elapsed() < Duration::from_secs(30), "no failover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "failover: served again after {:?} ({unavailable} requests unavailable)",
        killed_at.elapsed()
    );
    assert!(record.is_some());
    cluster.wait_until_ok();
    for (i, id) in ids.iter().enumerate() {
        let record = store
            .load(id)
            .await
            .unwrap()
            .expect("replicated before the crash");
        assert_eq!(record.values[0].1, [u8::try_from(i).unwrap()]);
        let update = Write::update(vec![], MINUTE).set("after", [1u8]);
        assert_eq!(store.write(id, &update).await.unwrap(), Written::Stored);
    }
}

fn is_master(url: &str) -> bool {
    let role: Vec<redis::Value> = redis::cmd("ROLE").query(&mut admin(url)).unwrap();
    matches!(&role[0], redis::Value::BulkString(r) if r == b"master")
}

fn node_id(url: &str) -> String {
    redis::cmd("CLUSTER")
        .arg("MYID")
        .query(&mut admin(url))
        .unwrap()
}

fn setslot(node: &mut redis::Connection, slot: u16, how: &str, id: &str) {
    let _: () = redis::cmd("CLUSTER")
        .arg("SETSLOT")
        .arg(slot)
        .arg(how)
        .arg(id)
        .query(node)
        .unwrap();
}

/// Waits until each master's replica has acknowledged its whole stream.
fn wait_replicated(cluster: &PrivateCluster) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for node in &cluster.nodes {
        if !is_master(&node.url()) {
            continue;
        }
        loop {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query(&mut admin(&node.url()))
                .unwrap();
            let offset = field(&info, "master_repl_offset");
            let acked = info
                .lines()
                .find(|line| line.starts_with("slave0:"))
                .and_then(|line| line.split(',').find_map(|kv| kv.strip_prefix("offset=")))
                .and_then(|v| v.trim().parse::<u64>().ok());
            if acked == Some(offset) {
                break;
            }
            assert!(Instant::now() < deadline, "replica behind: {info}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn field(info: &str, name: &str) -> u64 {
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}
