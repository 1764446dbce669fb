//! Server-side sessions with cookie-seal and a real Redis, in axum: the
//! session data lives in Redis and the cookie holds only a signed session ID.
//!
//! ```sh
//! # a local Redis with a password (Debian: apt-get install redis-server)
//! redis-server --port 6379 --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save '' --appendonly no
//! REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:6379/" \
//!   SESSION_KEYS="1:$(openssl rand -base64 32)" COOKIE_SEAL_INSECURE=1 \
//!   cargo run --example redis_sessions        # http://127.0.0.1:3000
//! ```
//!
//! Pages, as in `axum_app`: `/` (who is signed in, the login or logout form),
//! `POST /login` (form field `username`), `POST /logout`, `/counter`.
//!
//! Environment (besides `PORT`, `SESSION_KEYS` and `COOKIE_SEAL_INSECURE`,
//! described in `examples/support/mod.rs`):
//! - `REDIS_URL`: `redis://[:password@]host[:port][/db]` (default
//!   `redis://127.0.0.1:6379/`). Never printed with its password.
//! - `REDIS_KEY_PREFIX`: the session data of ID `<id>` is the Redis string
//!   `<prefix>:session:<id>` (default prefix `cookie-seal-demo`), where `<id>`
//!   is [`SessionId::to_base64url`] and the value is JSON such as
//!   `{"user":"alice","count":3}`.
//! - `SESSION_IDLE_SECONDS`: the idle lifetime (default 28800, 8 hours): the
//!   Redis key's TTL, set on every write and refreshed on every read.
//!
//! How a request is handled:
//! 1. The `sid` cookie (`__Host-sid` unless `COOKIE_SEAL_INSECURE=1`) is
//!    verified by a signed codec with purpose `sid`, bound to the cookie name.
//!    A forged, tampered, expired or misplaced cookie is rejected here,
//!    **before any Redis command**, and deleted.
//! 2. A verified ID is looked up with one `GETEX key EX <idle>` (read and
//!    refresh the TTL in one command). A missing key (expired, logged out,
//!    or deleted at login) is an empty session and the cookie is deleted.
//! 3. Writes are one `SET key json EX <idle>`; login is `DEL old` + `SET new`
//!    in one pipeline under a fresh random ID (fixation defence); logout is
//!    `DEL key` and a removal cookie.
//! 4. The cookie is re-signed (same ID, same Redis key) when its key is no
//!    longer the primary (rotation) or it is older than 1/8 of the idle
//!    lifetime. The signed token lives twice the idle lifetime, so it always
//!    outlives the Redis key of an active session: Redis's TTL decides when an
//!    idle session ends, the token's age only bounds how long a copied cookie
//!    is worth a lookup.
//! 5. If Redis is down or slow (more than 2 s), the request gets
//!    `503 Service Unavailable` with `Retry-After`; the connection manager
//!    reconnects in the background once Redis is back.
//!
//! Concurrent writes to one session are last-writer-wins, as in
//! Flask-Session; an app that needs atomic updates would use `WATCH` or a
//! Redis hash with `HINCRBY`.

// Shared with the cookie-session examples; this app uses only part of it.
#[allow(dead_code)]
mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie_seal::cookie::{CookieConfig, Loaded, SessionCookie};
use cookie_seal::{Codec, EncodeOptions, Keyring, SessionId};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

/// The codec purpose of the session-ID cookie: a token signed for another
/// purpose (e.g. a cookie session, `"session"`) never verifies as an ID.
const SID_PURPOSE: &str = "sid";
/// The default idle lifetime: 8 hours.
const DEFAULT_IDLE_SECONDS: u64 = 8 * 3600;
/// The longest idle lifetime accepted from `SESSION_IDLE_SECONDS`: 30 days.
const MAX_IDLE_SECONDS: u64 = 30 * 86_400;
/// The longest accepted `REDIS_KEY_PREFIX`.
const MAX_PREFIX_LEN: usize = 64;
/// How long one request waits for Redis before answering 503.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the app waits for Redis at startup before giving up.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Session data larger than this in Redis is treated as unreadable.
const MAX_STORED_LEN: usize = 64 * 1024;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let port = support::port_from_env()?;
    let keys = support::keyring_from_env()?;
    let insecure = support::insecure_from_env();
    let idle = idle_lifetime_from_env()?;
    let prefix = key_prefix_from_env()?;
    let cookies = sid_cookie(keys, idle, insecure)?;
    let store = RedisStore::connect(&redis_url_from_env(), prefix, idle).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    support::announce(listener.local_addr()?);
    let app = App { cookies, store };
    axum::serve(listener, router(app)).await?;
    Ok(())
}

/// The session-ID cookie: a signed codec with purpose `sid`, a token lifetime
/// of twice the idle lifetime, re-signed after 1/8 of it; named `__Host-sid`,
/// or `sid` without `Secure` when `insecure`.
fn sid_cookie(
    keys: Keyring,
    idle: Duration,
    insecure: bool,
) -> Result<SessionCookie, cookie_seal::Error> {
    let codec = Codec::signed(keys)
        .purpose(SID_PURPOSE)
        .max_age(idle.saturating_mul(2))
        .reissue_after((idle / 8).max(Duration::from_secs(1)));
    let config = if insecure {
        eprintln!("warning: COOKIE_SEAL_INSECURE=1: the session cookie is sent over plain http");
        CookieConfig::new("sid")?.secure(false)
    } else {
        CookieConfig::new("__Host-sid")?
    };
    SessionCookie::new(codec, config)
}

fn redis_url_from_env() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

fn idle_lifetime_from_env() -> Result<Duration, Box<dyn std::error::Error>> {
    let seconds = match std::env::var("SESSION_IDLE_SECONDS") {
        Ok(text) => text
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=MAX_IDLE_SECONDS).contains(s))
            .ok_or("SESSION_IDLE_SECONDS must be a number of seconds from 1 to 2592000")?,
        Err(_) => DEFAULT_IDLE_SECONDS,
    };
    Ok(Duration::from_secs(seconds))
}

fn key_prefix_from_env() -> Result<String, Box<dyn std::error::Error>> {
    let prefix = std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| "cookie-seal-demo".into());
    let valid = (1..=MAX_PREFIX_LEN).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if !valid {
        return Err(
            "REDIS_KEY_PREFIX must be 1 to 64 letters, digits, '-', '_', '.' or ':'".into(),
        );
    }
    Ok(prefix)
}

/// What the app keeps in Redis for one session.
#[derive(Default, Serialize, Deserialize)]
struct SessionData {
    /// The signed-in user, if any.
    user: Option<String>,
    /// Visits counted in this session.
    count: u64,
}

/// Why the session store could not do its part.
#[derive(Debug)]
enum StoreError {
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
struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    ttl_seconds: u64,
}

impl RedisStore {
    /// Connects (and authenticates) to `url`, failing after
    /// [`STARTUP_TIMEOUT`]. Prints where, without the password.
    async fn connect(
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
    async fn load(&self, id: &SessionId) -> Result<Option<SessionData>, StoreError> {
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
    async fn save(
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
    async fn delete(&self, id: &SessionId) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        let command = redis::cmd("DEL").arg(self.key(id)).clone();
        Self::bounded(command.exec_async(&mut connection)).await
    }
}

/// Shared by all requests.
struct App {
    /// The signed session-ID cookie.
    cookies: SessionCookie,
    store: RedisStore,
}

type AppState = State<Arc<App>>;

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/counter", get(counter))
        .with_state(Arc::new(app))
}

/// A request's session: the verified cookie and, if its ID is still in the
/// store, the ID and its data.
struct Current {
    loaded: Loaded<SessionId>,
    live: Option<(SessionId, SessionData)>,
}

impl App {
    /// Verifies the request's session-ID cookie. No Redis command: a cookie
    /// that does not verify ends here.
    fn verify(&self, headers: &HeaderMap) -> Loaded<SessionId> {
        let values = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok());
        let loaded = self.cookies.load::<SessionId>(values, SystemTime::now());
        if let Some(error) = loaded.error() {
            eprintln!("session cookie rejected: {error}");
        }
        loaded
    }

    /// Verifies the cookie, then reads a verified ID's data from Redis
    /// (refreshing its TTL).
    async fn current(&self, headers: &HeaderMap) -> Result<Current, StoreError> {
        let loaded = self.verify(headers);
        let live = match loaded.decoded() {
            Some(decoded) => {
                let id = decoded.value.clone();
                self.store.load(&id).await?.map(|data| (id, data))
            }
            None => None,
        };
        Ok(Current { loaded, live })
    }

    /// `response` with the `Set-Cookie` headers for ending the request with
    /// session ID `id` (`None`: no session):
    /// - the loaded ID again: re-signed only if the token needs re-issue (an
    ///   old key, or older than the re-issue threshold), keeping its
    ///   creation time;
    /// - a new ID: a fresh cookie;
    /// - no session: the request's cookie, if it sent one, is deleted.
    fn respond(
        &self,
        loaded: &Loaded<SessionId>,
        id: Option<&SessionId>,
        response: impl IntoResponse,
    ) -> Response {
        let now = SystemTime::now();
        let present = loaded.present();
        let set_cookies = match (id, loaded.decoded()) {
            (Some(id), Some(decoded)) if decoded.value == *id => {
                if !decoded.needs_reissue() {
                    Ok(Vec::new())
                } else {
                    self.cookies.store(id, &decoded.carry_over(), present, now)
                }
            }
            (Some(id), _) => self.cookies.store(id, &EncodeOptions::new(), present, now),
            (None, _) if present.is_empty() => Ok(Vec::new()),
            (None, _) => Ok(self.cookies.removal_cookies(present)),
        };
        let set_cookies = match set_cookies {
            Ok(set_cookies) => set_cookies,
            Err(error) => return server_error(&error),
        };
        let mut response = response.into_response();
        for value in set_cookies {
            match HeaderValue::try_from(value) {
                Ok(value) => response.headers_mut().append(header::SET_COOKIE, value),
                Err(error) => return server_error(&error),
            };
        }
        response
    }
}

fn server_error(error: &dyn std::fmt::Display) -> Response {
    eprintln!("session could not be saved: {error}");
    let page = support::error_page("The session could not be saved.");
    (StatusCode::INTERNAL_SERVER_ERROR, Html(page)).into_response()
}

/// `503 Service Unavailable` for a store that did not answer (`500` for the
/// one failure that is not the store's).
fn store_unavailable(error: &StoreError) -> Response {
    if let StoreError::Encode(error) = error {
        return server_error(error);
    }
    eprintln!("session store unavailable: {error}");
    let page = support::error_page("The session store is unavailable. Try again in a few seconds.");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5")],
        Html(page),
    )
        .into_response()
}

async fn home(State(app): AppState, headers: HeaderMap) -> Response {
    let current = match app.current(&headers).await {
        Ok(current) => current,
        Err(error) => return store_unavailable(&error),
    };
    let (id, page) = match &current.live {
        Some((id, data)) => (
            Some(id),
            support::home_page_for(data.user.as_deref(), data.count),
        ),
        None => (None, support::home_page_for(None, 0)),
    };
    app.respond(&current.loaded, id, Html(page))
}

async fn counter(State(app): AppState, headers: HeaderMap) -> Response {
    let current = match app.current(&headers).await {
        Ok(current) => current,
        Err(error) => return store_unavailable(&error),
    };
    // A visitor without a live session gets a new one (a new random ID). Each
    // such visitor costs a Redis key until its TTL runs out: a public app
    // would rate-limit this, as any store-backed session must.
    let (id, mut data) = match current.live {
        Some(live) => live,
        None => match SessionId::generate() {
            Ok(id) => (id, SessionData::default()),
            Err(error) => return server_error(&error),
        },
    };
    data.count = data.count.saturating_add(1);
    if let Err(error) = app.store.save(&id, &data, None).await {
        return store_unavailable(&error);
    }
    app.respond(
        &current.loaded,
        Some(&id),
        Html(support::counter_page(data.count)),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(State(app): AppState, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    let Some(user) = support::valid_username(&form.username) else {
        let page = support::error_page(support::BAD_USERNAME);
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    let loaded = app.verify(&headers);
    // Fixation defence: the signed-in session gets a new random ID, the old
    // ID's data is deleted in the same round trip, and nothing from before
    // login carries over.
    let id = match SessionId::generate() {
        Ok(id) => id,
        Err(error) => return server_error(&error),
    };
    let data = SessionData {
        user: Some(user.to_owned()),
        count: 0,
    };
    let old = loaded.decoded().map(|decoded| &decoded.value);
    if let Err(error) = app.store.save(&id, &data, old).await {
        return store_unavailable(&error);
    }
    app.respond(&loaded, Some(&id), Redirect::to("/"))
}

async fn logout(State(app): AppState, headers: HeaderMap) -> Response {
    let loaded = app.verify(&headers);
    if let Some(decoded) = loaded.decoded() {
        if let Err(error) = app.store.delete(&decoded.value).await {
            return store_unavailable(&error);
        }
    }
    app.respond(&loaded, None, Redirect::to("/"))
}
