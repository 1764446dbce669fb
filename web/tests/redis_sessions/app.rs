//! Starting the example app on a Redis, in one framework and storage mode.

use crate::support::{RunningApp, KEYS_1};

pub const APP: &str = "redis_sessions";
pub const COOKIE: &str = "__Host-session";
pub const FRAMEWORKS: [&str; 2] = ["axum", "actix"];
pub const STORAGES: [&str; 2] = ["server", "hybrid"];

/// Where the app keeps its sessions.
pub enum Redis<'a> {
    Standalone(&'a str),
    Cluster(&'a [String]),
}

/// The app in `framework` (`axum`, `actix`) and `storage` (`server`,
/// `hybrid`) mode on `redis`, under key prefix `prefix`, with `KEYS_1`.
pub fn start_app(framework: &str, storage: &str, redis: &Redis, prefix: &str) -> RunningApp {
    let cluster_urls;
    let (url, cluster) = match redis {
        Redis::Standalone(url) => (Some(*url), None),
        Redis::Cluster(urls) => {
            cluster_urls = urls.join(",");
            (None, Some(cluster_urls.as_str()))
        }
    };
    RunningApp::start(
        APP,
        &[
            ("FRAMEWORK", Some(framework)),
            ("SESSION_STORAGE", Some(storage)),
            ("REDIS_URL", url),
            ("REDIS_CLUSTER_URLS", cluster),
            ("REDIS_KEY_PREFIX", Some(prefix)),
            ("SESSION_KEYS", Some(KEYS_1)),
        ],
    )
}
