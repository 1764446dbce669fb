//! The shared store suite (`store-tests/`) against real Redis: the shared
//! standalone server and the shared 3-master, 3-replica Cluster that
//! `.ci/steps/50-redis.sh` starts. Each test has a key prefix of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "support/servers.rs"]
mod servers;

use cookie_seal_redis::RedisStore;

fn standalone(test: &str) -> Option<RedisStore> {
    let url = servers::standalone_url()?;
    Some(
        RedisStore::open(&url)
            .unwrap()
            .key_prefix(servers::test_prefix(test)),
    )
}

fn cluster(test: &str) -> Option<RedisStore> {
    let urls = servers::cluster_urls()?;
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    Some(
        RedisStore::open_cluster(&urls)
            .unwrap()
            .key_prefix(servers::test_prefix(test)),
    )
}

mod on_standalone {
    cookie_seal_store_tests::store_suite!(super::standalone("suite"));
}

mod on_cluster {
    cookie_seal_store_tests::store_suite!(super::cluster("suite"));
}
