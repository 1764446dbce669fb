//! The session store: session data in Redis, every command bounded by a
//! timeout.

use std::time::Duration;

use cookie_seal::SessionId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

/// How long one request waits for Redis before answering 503.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the app waits for Redis at startup before giving up.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Session data larger than this in Redis is treated as unreadable.
const MAX_STORED_LEN: usize = 64 * 1024;

/// What the app keeps in Redis for one session.
#[derive(Default, Serialize, Deserialize)]
pub struct SessionData {
    /// The signed-in user, if any.
    pub user: Option<String>,
    /// Visits counted in this session.
    pub count: u64,
}

/// Why the session store could not do its part.
#[derive(Debug)]
pub enum StoreError {
    /// Redis answered with an error or the connection failed.
    Redis(redis::RedisError),
    /// Redis did not answer within [`STORE_TIMEOUT`].
    Timeout,
    /// The session data could not be written as JSON.
    Encode(serde_json::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Redis errors name the failure (e.g. "Connection refused"),
            // never the URL or its password.
            StoreError::Redis(error) => write!(f, "{error}"),
            StoreError::Timeout => write!(f, "no answer within {} s", STORE_TIMEOUT.as_secs()),
            StoreError::Encode(error) => write!(f, "session data not encodable: {error}"),
        }
    }
}

/// Session data in Redis under `<prefix>:session:<id>`, with a TTL of the
/// idle lifetime.
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    ttl_seconds: u64,
}

impl RedisStore {
    /// Connects (and authenticates) to `url`, failing after
    /// [`STARTUP_TIMEOUT`]. Prints where, without the password.
    pub async fn connect(
        url: &str,
        prefix: String,
        idle: Duration,
    ) -> Result<RedisStore, Box<dyn std::error::Error>> {
        let client = redis::Client::open(url).map_err(|e| format!("REDIS_URL: {e}"))?;
        let info = client.get_connection_info();
        let settings = info.redis_settings();
        let address = format!(
            "redis://{}{}/{}",
            settings
                .username()
                .map(|user| format!("{user}@"))
                .unwrap_or_default(),
            info.addr(),
            settings.db()
        );
        let password = if settings.password().is_some() {
            "set"
        } else {
            "none"
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let connection = tokio::time::timeout(
            STARTUP_TIMEOUT,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| format!("cannot connect to Redis at {address}: no answer"))?
        .map_err(|e| format!("cannot connect to Redis at {address}: {e}"))?;
        eprintln!(
            "session store: {address} (password: {password}), keys {prefix}:session:<id>, \
             idle lifetime {} s",
            idle.as_secs()
        );
        Ok(RedisStore {
            connection,
            prefix,
            ttl_seconds: idle.as_secs(),
        })
    }

    fn key(&self, id: &SessionId) -> String {
        format!("{}:session:{}", self.prefix, id.to_base64url())
    }

    /// Runs `future` against Redis, bounded by [`STORE_TIMEOUT`].
    async fn bounded<T>(
        future: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(STORE_TIMEOUT, future).await {
            Ok(result) => result.map_err(StoreError::Redis),
            Err(_) => Err(StoreError::Timeout),
        }
    }

    /// The session data of `id`, refreshing its TTL (`GETEX key EX ttl`);
    /// `None` if the key is gone (expired, logged out, replaced at login) or
    /// holds data this app cannot read.
    pub async fn load(&self, id: &SessionId) -> Result<Option<SessionData>, StoreError> {
        let mut connection = self.connection.clone();
        let command = redis::cmd("GETEX")
            .arg(self.key(id))
            .arg("EX")
            .arg(self.ttl_seconds)
            .clone();
        let stored: Option<Vec<u8>> = Self::bounded(command.query_async(&mut connection)).await?;
        let Some(bytes) = stored else {
            eprintln!("session not in the store (expired or ended)");
            return Ok(None);
        };
        let data = (bytes.len() <= MAX_STORED_LEN)
            .then(|| serde_json::from_slice::<SessionData>(&bytes).ok())
            .flatten();
        if data.is_none() {
            eprintln!("session data in the store is unreadable; starting afresh");
        }
        Ok(data)
    }

    /// Stores `data` under `id` with a fresh TTL (`SET key json EX ttl`),
    /// first deleting the key of `replaced` if given (`DEL`), in one round
    /// trip.
    pub async fn save(
        &self,
        id: &SessionId,
        data: &SessionData,
        replaced: Option<&SessionId>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_vec(data).map_err(StoreError::Encode)?;
        let mut pipeline = redis::pipe();
        if let Some(old) = replaced {
            pipeline.cmd("DEL").arg(self.key(old)).ignore();
        }
        pipeline
            .cmd("SET")
            .arg(self.key(id))
            .arg(json)
            .arg("EX")
            .arg(self.ttl_seconds)
            .ignore();
        let mut connection = self.connection.clone();
        Self::bounded(pipeline.exec_async(&mut connection)).await
    }

    /// Deletes the session of `id` (`DEL key`).
    pub async fn delete(&self, id: &SessionId) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let command = redis::cmd("DEL").arg(self.key(id)).clone();
        Self::bounded(command.exec_async(&mut connection)).await
    }
}
