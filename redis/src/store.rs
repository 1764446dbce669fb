//! [`RedisStore`]: the [`SessionStore`] on Redis, standalone or Cluster.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::store::{
    Record, SessionStore, StoreError, StoreFuture, Write, WriteMode, Written,
};
use cookie_seal::SessionId;
use futures_util::future::{join_all, try_join3};
use redis::{
    AsyncCommands, Cmd, ErrorKind, FromRedisValue, IntoConnectionInfo, RedisError, Script,
    ServerErrorKind, SetExpiry, SetOptions,
};

use crate::connection::{cluster_client, Connection, Lazy, Target, DEFAULT_TIMEOUT};
use crate::record::{
    decode, index_key, record_key, record_key_of_member, revoked_key, FORMAT_VERSION, META_FIELD,
    USER_FIELD, VALUE_PREFIX, VERSION_FIELD,
};
use crate::scripts::Scripts;
use crate::Error;

/// The key prefix by default: every key the store writes starts with it.
pub const DEFAULT_KEY_PREFIX: &str = "cookie-seal:";
/// How long a revocation is remembered by default (30 days): keep it at
/// least the layer's idle lifetime.
pub const DEFAULT_REVOCATION_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// A [`SessionStore`] on Redis: one hash per session, written by one Lua
/// script, read by one `HGETALL`. Cloning shares the connection.
///
/// [`open`](RedisStore::open) and [`open_cluster`](RedisStore::open_cluster)
/// only check the URLs; the store connects on first use, inside the app's
/// tokio runtime. Await [`connect`](RedisStore::connect) at start-up to fail
/// early with a clear error when Redis is down.
///
/// ```no_run
/// # async fn run() -> Result<(), cookie_seal_redis::Error> {
/// use std::time::Duration;
/// use cookie_seal_redis::RedisStore;
///
/// let store = RedisStore::open("redis://:PASSWORD@127.0.0.1:6379/")?
///     .key_prefix("shop:session:")
///     .revocation_window(Duration::from_secs(7 * 24 * 3600));
/// store.connect().await?; // "Redis down at start" is an error here, not at the first request
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    settings: Arc<Settings>,
    connection: Arc<Lazy>,
}

#[derive(Clone)]
struct Settings {
    prefix: String,
    revocation_window: Duration,
    timeout: Duration,
    /// Addresses only, for `Debug`.
    nodes: Vec<String>,
}

impl RedisStore {
    /// A store on the standalone Redis at `url`
    /// (`redis://[USER:PASSWORD@]HOST:PORT[/DB]`). Does not connect yet.
    /// This version has no TLS backend: a `rediss://` URL is refused.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] if `url` does not parse as a Redis URL, or asks
    /// for TLS (`rediss://`).
    pub fn open(url: &str) -> Result<RedisStore, Error> {
        let client = redis::Client::open(url).map_err(Error::invalid_url)?;
        let node = client.get_connection_info().addr().to_string();
        Ok(RedisStore::new(
            Target::Standalone(Box::new(client)),
            vec![node],
        ))
    }

    /// A store on the Redis Cluster reached through any of `nodes` (URLs as
    /// for [`open`](RedisStore::open), all with the same credentials). The
    /// client learns the slot map from them, follows `MOVED` and `ASK`, and
    /// refreshes the map after a failover. Does not connect yet.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] if a URL does not parse, `nodes` is empty, or
    /// the nodes' credentials differ.
    pub fn open_cluster(nodes: &[&str]) -> Result<RedisStore, Error> {
        let addresses = nodes
            .iter()
            .map(|url| {
                url.into_connection_info()
                    .map(|info| info.addr().to_string())
                    .map_err(Error::invalid_url)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client = cluster_client(nodes, DEFAULT_TIMEOUT).map_err(Error::invalid_url)?;
        Ok(RedisStore::new(
            Target::Cluster(Box::new(client)),
            addresses,
        ))
    }

    fn new(target: Target, nodes: Vec<String>) -> RedisStore {
        RedisStore {
            settings: Arc::new(Settings {
                prefix: DEFAULT_KEY_PREFIX.to_owned(),
                revocation_window: DEFAULT_REVOCATION_WINDOW,
                timeout: DEFAULT_TIMEOUT,
                nodes,
            }),
            connection: Arc::new(Lazy::new(target)),
        }
    }

    /// Starts every key with `prefix` instead of [`DEFAULT_KEY_PREFIX`], so
    /// that apps sharing a Redis keep apart. (In a Cluster, a `{hash tag}`
    /// in the prefix would put every session on one node.)
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> RedisStore {
        Arc::make_mut(&mut self.settings).prefix = prefix.into();
        self
    }

    /// How long [`SessionStore::revoked_at`] remembers a revocation
    /// ([`DEFAULT_REVOCATION_WINDOW`] by default). At least a second.
    #[must_use]
    pub fn revocation_window(mut self, window: Duration) -> RedisStore {
        Arc::make_mut(&mut self.settings).revocation_window = window.max(Duration::from_secs(1));
        self
    }

    /// How long a command may wait for Redis before the store reports it
    /// unavailable (2 s by default): a stalled Redis costs each request at
    /// most about this. Standalone only; set it before the first use.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> RedisStore {
        Arc::make_mut(&mut self.settings).timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The key prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.settings.prefix
    }

    /// Whether this store talks to a Redis Cluster.
    #[must_use]
    pub fn is_cluster(&self) -> bool {
        matches!(self.connection.target(), Target::Cluster(_))
    }

    /// Connects now (if not yet connected) and checks that Redis answers a
    /// `PING`. Await it at start-up: without it, a Redis that is down only
    /// shows at the first request, as a 503.
    ///
    /// # Errors
    /// [`Error::Unreachable`] if Redis cannot be reached, refuses the
    /// credentials, or does not answer in time.
    pub async fn connect(&self) -> Result<(), Error> {
        let mut connection = self.connection().await.map_err(Error::Unreachable)?;
        let _: String = redis::cmd("PING")
            .query_async(&mut connection)
            .await
            .map_err(Error::Unreachable)?;
        Ok(())
    }

    /// "Log out everywhere": ends every session bound to `user` (Server
    /// mode: at once) and remembers the revocation for the revocation window
    /// (sessions riding in cookies, Hybrid mode). Returns how many live
    /// sessions it ended. The same as [`SessionStore::revoke_user`], without
    /// importing the trait.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] if Redis cannot be reached.
    pub async fn revoke_user(&self, user: &str) -> Result<u64, StoreError> {
        self.revoke(user).await
    }

    async fn connection(&self) -> redis::RedisResult<Connection> {
        self.connection.get(self.settings.timeout).await
    }

    async fn load_record(&self, id: &SessionId) -> Result<Option<Record>, StoreError> {
        let mut connection = self.connection().await.map_err(unavailable)?;
        let fields: Vec<(Vec<u8>, Vec<u8>)> = connection
            .hgetall(record_key(&self.settings.prefix, id))
            .await
            .map_err(classify)?;
        decode(fields)
    }

    async fn write_record(&self, id: &SessionId, write: &Write) -> Result<Written, StoreError> {
        let mut connection = self.connection().await.map_err(unavailable)?;
        let prefix = &self.settings.prefix;
        let member = id.to_base64url();
        let ttl_ms = u64::try_from(write.ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let index = write.user.as_deref().map(|user| index_key(prefix, user));
        let replaced = match (write.mode, &write.replaces) {
            (WriteMode::Create, Some(old)) if old != id => Some(record_key(prefix, old)),
            _ => None,
        };
        let cluster = connection.is_cluster();
        let (mut index_at, mut replaced_at) = (0, 0);
        if !cluster {
            // Standalone: every key in the one script, so the write is one
            // atomic round trip.
            if index.is_some() {
                index_at = 2;
            }
            if replaced.is_some() {
                replaced_at = index_at.max(1) + 1;
            }
        }
        let create = write.mode == WriteMode::Create;

        // The EVALSHA built in one buffer, arguments laid out as the script's
        // hash commands take them (see `scripts::WRITE_BODY`).
        let scripts = self.scripts();
        let record = record_key_of_member(prefix, &member);
        let hset_args =
            2 * (1 + usize::from(create) + usize::from(write.user.is_some())) + 2 * write.set.len();
        let size = record.len()
            + write.meta.len()
            + write.user.as_ref().map_or(0, String::len)
            + write
                .set
                .iter()
                .map(|(key, value)| key.len() + 2 + value.len())
                .sum::<usize>()
            + write.remove.iter().map(|key| key.len() + 2).sum::<usize>()
            + 160;
        let mut invocation = Cmd::with_capacity(
            13 + hset_args + write.remove.len(),
            size + index.as_ref().map_or(0, String::len) + replaced.as_ref().map_or(0, String::len),
        );
        invocation
            .arg("EVALSHA")
            .arg(scripts.write.get_hash())
            .arg(1 + usize::from(index_at > 0) + usize::from(replaced_at > 0))
            .arg(&record);
        if index_at > 0 {
            invocation.arg(index.as_deref());
        }
        if replaced_at > 0 {
            invocation.arg(replaced.as_deref());
        }
        invocation
            .arg(if create { "c" } else { "u" })
            .arg(ttl_ms)
            .arg(if index_at > 0 { member.as_str() } else { "" })
            .arg(index_at)
            .arg(replaced_at)
            .arg(hset_args)
            .arg(if write.user.is_some() { "1" } else { "0" });
        if create {
            invocation.arg(VERSION_FIELD).arg(FORMAT_VERSION);
        }
        invocation.arg(META_FIELD).arg(write.meta.as_slice());
        if let Some(user) = &write.user {
            invocation.arg(USER_FIELD).arg(user.as_str());
        }
        // `v:<key>`, written through one buffer.
        let mut field = VALUE_PREFIX.to_vec();
        for (key, value) in &write.set {
            field.truncate(VALUE_PREFIX.len());
            field.extend_from_slice(key.as_bytes());
            invocation.arg(field.as_slice()).arg(value.as_slice());
        }
        for key in &write.remove {
            field.truncate(VALUE_PREFIX.len());
            field.extend_from_slice(key.as_bytes());
            invocation.arg(field.as_slice());
        }

        let stored: i64 = if cluster {
            // Cluster: the index and the replaced record live in other slots,
            // so on other nodes. Their commands go out at the same time as
            // the record's script: one round trip of latency, but only the
            // record's own change is atomic (docs/operations.md).
            let mut record_connection = connection.clone();
            let mut index_connection = connection.clone();
            let record = async {
                eval::<i64>(&scripts.write, &invocation, &mut record_connection)
                    .await
                    .map_err(classify)
            };
            let index = async {
                if let Some(index) = &index {
                    let _: i64 = scripts
                        .index
                        .key(index)
                        .arg(&member)
                        .arg(ttl_ms)
                        .invoke_async(&mut index_connection)
                        .await
                        .map_err(classify)?;
                }
                Ok(())
            };
            let replaced = async {
                if let Some(replaced) = &replaced {
                    let _: i64 = connection.del(replaced).await.map_err(classify)?;
                }
                Ok(())
            };
            try_join3(record, index, replaced).await?.0
        } else {
            eval(&scripts.write, &invocation, &mut connection)
                .await
                .map_err(classify)?
        };
        Ok(if stored == 1 {
            Written::Stored
        } else {
            Written::Gone
        })
    }

    async fn delete_record(&self, id: &SessionId) -> Result<(), StoreError> {
        let mut connection = self.connection().await.map_err(unavailable)?;
        // The user index keeps the ID until it expires there or the user is
        // revoked; revoke_user checks each record's user before deleting.
        let _: i64 = connection
            .del(record_key(&self.settings.prefix, id))
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn revoke(&self, user: &str) -> Result<u64, StoreError> {
        let connection = self.connection().await.map_err(unavailable)?;
        let prefix = &self.settings.prefix;
        let index = index_key(prefix, user);
        // First the marker, so that sessions riding in cookies are dead at
        // once; then the records the index lists.
        let window_ms =
            u64::try_from(self.settings.revocation_window.as_millis()).unwrap_or(u64::MAX);
        let marker = SetOptions::default().with_expiration(SetExpiry::PX(window_ms));
        let _: () = connection
            .clone()
            .set_options(revoked_key(prefix, user), unix_now(), marker)
            .await
            .map_err(classify)?;
        let members: Vec<String> = connection
            .clone()
            .zrange(&index, 0, -1)
            .await
            .map_err(classify)?;
        let scripts = self.scripts();
        let deleted = join_all(members.iter().map(|member| {
            let mut connection = connection.clone();
            async move {
                scripts
                    .revoke
                    .key(record_key_of_member(prefix, member))
                    .arg(user)
                    .invoke_async::<u64>(&mut connection)
                    .await
            }
        }))
        .await;
        let mut ended = 0;
        for result in deleted {
            ended += result.map_err(classify)?;
        }
        if !members.is_empty() {
            let _: i64 = connection
                .clone()
                .zrem(&index, &members)
                .await
                .map_err(classify)?;
        }
        Ok(ended)
    }

    async fn revoked(&self, user: &str) -> Result<Option<u64>, StoreError> {
        let mut connection = self.connection().await.map_err(unavailable)?;
        connection
            .get(revoked_key(&self.settings.prefix, user))
            .await
            .map_err(classify)
    }

    fn scripts(&self) -> &'static Scripts {
        static SCRIPTS: std::sync::OnceLock<Scripts> = std::sync::OnceLock::new();
        SCRIPTS.get_or_init(Scripts::new)
    }
}

/// Sends `command`, an `EVALSHA` of `script`; if the server does not have
/// the script cached (`NOSCRIPT`: first use, a restart, `SCRIPT FLUSH`),
/// loads it and sends the command again, as redis-rs's `invoke_async` does.
async fn eval<T: FromRedisValue>(
    script: &Script,
    command: &Cmd,
    connection: &mut Connection,
) -> redis::RedisResult<T> {
    match command.query_async(connection).await {
        Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            script.load_async(connection).await?;
            command.query_async(connection).await
        }
        result => result,
    }
}

/// A client error (connection refused, timeout, cluster down, `NOAUTH`...):
/// unavailable. A server's answer that the data is not ours: corrupt.
fn classify(error: RedisError) -> StoreError {
    let foreign = matches!(
        error.kind(),
        redis::ErrorKind::UnexpectedReturnType | redis::ErrorKind::Parse
    ) || error.code() == Some("WRONGTYPE")
        || error
            .to_string()
            .contains("cookie-seal: unknown record version");
    if foreign {
        StoreError::Corrupt("a key under the store's prefix is not a cookie-seal record".to_owned())
    } else {
        unavailable(error)
    }
}

fn unavailable(error: RedisError) -> StoreError {
    StoreError::unavailable(error)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

impl fmt::Debug for RedisStore {
    /// Addresses and settings: never a password, a session ID or a value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("cluster", &self.is_cluster())
            .field("nodes", &self.settings.nodes)
            .field("prefix", &self.settings.prefix)
            .field("revocation_window", &self.settings.revocation_window)
            .field("timeout", &self.settings.timeout)
            .finish_non_exhaustive()
    }
}

impl SessionStore for RedisStore {
    fn load<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, Option<Record>> {
        Box::pin(self.load_record(id))
    }

    fn write<'a>(&'a self, id: &'a SessionId, write: &'a Write) -> StoreFuture<'a, Written> {
        Box::pin(self.write_record(id, write))
    }

    fn delete<'a>(&'a self, id: &'a SessionId) -> StoreFuture<'a, ()> {
        Box::pin(self.delete_record(id))
    }

    fn revoke_user<'a>(&'a self, user: &'a str) -> StoreFuture<'a, u64> {
        Box::pin(self.revoke(user))
    }

    fn revoked_at<'a>(&'a self, user: &'a str) -> StoreFuture<'a, Option<u64>> {
        Box::pin(self.revoked(user))
    }
}
