//! The stores the HTTP behaviour suite runs against. A backend adds itself
//! here with one line (its crate as a dev-dependency of `cookie-seal-web`);
//! each call returns fresh, empty stores.

use std::sync::Arc;

use cookie_seal::store::{MemoryStore, SessionStore};
use cookie_seal_redis::RedisStore;

/// The shared Redis servers of `.ci/steps/50-redis.sh` (skipped with a
/// message when not configured; a failure with `COOKIE_SEAL_REQUIRE_REDIS=1`).
#[path = "../../../redis/tests/support/servers.rs"]
mod redis_servers;

/// Every store under test, by name, each new and empty.
pub fn stores() -> Vec<(&'static str, Arc<dyn SessionStore>)> {
    let mut stores: Vec<(&'static str, Arc<dyn SessionStore>)> =
        vec![("memory", Arc::new(MemoryStore::new()))];
    // Fresh and empty: a key prefix of its own; connected on first use,
    // inside the test's runtime.
    if let Some(url) = redis_servers::standalone_url() {
        let store = RedisStore::open(&url).unwrap();
        let prefix = redis_servers::test_prefix("http");
        stores.push(("redis", Arc::new(store.key_prefix(prefix))));
    }
    if let Some(urls) = redis_servers::cluster_urls() {
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        let store = RedisStore::open_cluster(&urls).unwrap();
        let prefix = redis_servers::test_prefix("http");
        stores.push(("redis-cluster", Arc::new(store.key_prefix(prefix))));
    }
    stores.extend(crate::sql_stores::sqlite());
    stores.extend(crate::sql_stores::postgres());
    stores
}
