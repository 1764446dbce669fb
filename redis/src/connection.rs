//! The connection: made once, on first use or by [`RedisStore::connect`](crate::RedisStore::connect),
//! inside the app's tokio runtime; then shared by every clone of the store.

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Client, Cmd, Pipeline, RedisFuture, Value};
use tokio::sync::OnceCell;

/// How long a command may wait for its answer, and a connection attempt for
/// the server, before the store reports it unavailable (by default).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Where the store connects: validated by `open`, connected lazily.
#[derive(Clone)]
pub(crate) enum Target {
    Standalone(Box<Client>),
    Cluster(Box<ClusterClient>),
}

/// A live connection: the reconnecting manager (standalone) or the Cluster
/// client, which follows `MOVED`/`ASK` and refreshes its slot map.
#[derive(Clone)]
pub(crate) enum Connection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, Connection::Cluster(_))
    }
}

/// The connection of one store (and its clones), made once.
pub(crate) struct Lazy {
    target: Target,
    cell: OnceCell<Connection>,
}

impl Lazy {
    pub(crate) fn new(target: Target) -> Lazy {
        Lazy {
            target,
            cell: OnceCell::new(),
        }
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    /// The connection, made now if this is the first use. A failed attempt
    /// is not remembered: the next call tries again.
    pub(crate) async fn get(&self, timeout: Duration) -> redis::RedisResult<Connection> {
        let connection = self
            .cell
            .get_or_try_init(|| connect(&self.target, timeout))
            .await?;
        Ok(connection.clone())
    }
}

async fn connect(target: &Target, timeout: Duration) -> redis::RedisResult<Connection> {
    match target {
        Target::Standalone(client) => {
            // Few quick reconnection attempts: a request meeting a dead server
            // fails within about a timeout (a 503), and the next request
            // starts reconnecting again.
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout))
                .set_number_of_retries(1)
                .set_min_delay(Duration::from_millis(50))
                .set_max_delay(Duration::from_millis(200));
            let manager = ConnectionManager::new_with_config((**client).clone(), config).await?;
            Ok(Connection::Standalone(manager))
        }
        Target::Cluster(client) => Ok(Connection::Cluster(client.get_async_connection().await?)),
    }
}

/// Builds the Cluster client with the store's timeouts and retries.
pub(crate) fn cluster_client(
    nodes: &[&str],
    timeout: Duration,
) -> redis::RedisResult<ClusterClient> {
    ClusterClient::builder(nodes.iter().copied())
        .connection_timeout(timeout)
        .response_timeout(timeout)
        // Redirections and a failover in progress are retried, with waits
        // of 10 ms up to 500 ms.
        .retries(5)
        .min_retry_wait(10)
        .max_retry_wait(500)
        .build()
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Standalone(manager) => manager.req_packed_command(cmd),
            Connection::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Standalone(manager) => manager.req_packed_commands(cmd, offset, count),
            Connection::Cluster(cluster) => cluster.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Standalone(manager) => manager.get_db(),
            Connection::Cluster(cluster) => cluster.get_db(),
        }
    }
}

impl fmt::Debug for Target {
    /// Addresses only: a URL may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Standalone(client) => f
                .debug_tuple("Standalone")
                .field(&client.get_connection_info().addr().to_string())
                .finish(),
            Target::Cluster(_) => f.write_str("Cluster"),
        }
    }
}
