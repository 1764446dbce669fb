//! Server-side sessions with cookie-seal and a real Redis, in axum: the
//! session data lives in Redis and the cookie holds only a signed session ID.
//!
//! ```sh
//! # a local Redis with a password (Debian: apt-get install redis-server)
//! redis-server --port 6379 --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save '' --appendonly no
//! REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:6379/" \
//!   SESSION_KEYS="1:$(openssl rand -base64 32)" COOKIE_SEAL_INSECURE=1 \
//!   cargo run -p cookie-seal-web --example redis_sessions  # http://127.0.0.1:3000
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
//!
//! Modules: `settings` (environment, the session-ID cookie), `store` (Redis),
//! `session` (the request's session and its `Set-Cookie` headers), `routes`.

// Shared with the cookie-session examples; this app uses only part of it.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod routes;
mod session;
mod settings;
mod store;

use std::process::ExitCode;

use session::App;
use store::RedisStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let port = support::port_from_env()?;
    let keys = support::keyring_from_env()?;
    let insecure = support::insecure_from_env();
    let idle = settings::idle_lifetime_from_env()?;
    let prefix = settings::key_prefix_from_env()?;
    let cookies = settings::sid_cookie(keys, idle, insecure)?;
    let store = RedisStore::connect(&settings::redis_url_from_env(), prefix, idle).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    support::announce(listener.local_addr()?);
    let app = App { cookies, store };
    axum::serve(listener, routes::router(app)).await?;
    Ok(())
}
