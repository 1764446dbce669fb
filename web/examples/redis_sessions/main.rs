//! Server-side sessions on Redis with cookie-seal's store layer, in axum or
//! actix-web: the handlers are those of the cookie-only apps; the session
//! lives in Redis (`Storage::Server`, the cookie is a sealed reference) or in
//! the cookie until it outgrows it (`Storage::Hybrid`).
//!
//! ```sh
//! redis-server --port 6379 --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD"
//! REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:6379/" \
//!   SESSION_KEYS="1:$(openssl rand -base64 32)" COOKIE_SEAL_INSECURE=1 \
//!   cargo run -p cookie-seal-web --example redis_sessions  # http://127.0.0.1:3000
//! ```
//!
//! Environment (besides `PORT`, `SESSION_KEYS` and `COOKIE_SEAL_INSECURE`,
//! in `examples/support/mod.rs`):
//! - `REDIS_URL` (default `redis://127.0.0.1:6379/`), or `REDIS_CLUSTER_URLS`:
//!   comma-separated node URLs of a Redis Cluster. Never printed.
//! - `REDIS_KEY_PREFIX` (default `cookie-seal-demo:`).
//! - `SESSION_STORAGE`: `server` (default) or `hybrid`.
//! - `FRAMEWORK`: `axum` (default) or `actix`.
//!
//! Pages: `/`, `/counter`, `POST /login` (form field `username`: a new
//! session ID, bound to the user), `POST /logout`, and
//! `POST /logout-everywhere` (ends every session of the signed-in user).
//! Redis down at start: the app exits with `Redis unreachable: ...`; down
//! later: 503 for the requests that need it, and no cookie changes.

// Shared with the cookie-session examples; this app uses only part of it.
#[allow(dead_code)]
#[path = "../support/mod.rs"]
mod support;

mod actix;
mod axum;

use std::process::ExitCode;

use cookie_seal::store::Storage;
use cookie_seal_redis::RedisStore;

#[actix_web::main]
async fn main() -> ExitCode {
    support::exit_code(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = support::Settings::from_env()?;
    let storage = match std::env::var("SESSION_STORAGE").as_deref() {
        Ok("server") | Err(_) => Storage::Server,
        Ok("hybrid") => Storage::Hybrid,
        Ok(_) => return Err("SESSION_STORAGE is `server` or `hybrid`".into()),
    };
    let store = match std::env::var("REDIS_CLUSTER_URLS") {
        Ok(urls) => RedisStore::open_cluster(&urls.split(',').collect::<Vec<_>>())?,
        Err(_) => RedisStore::open(
            &std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into()),
        )?,
    };
    let prefix = std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| "cookie-seal-demo:".into());
    let store = store.key_prefix(prefix);
    store.connect().await?; // Redis down at start: a clear error, exit code 1
    match std::env::var("FRAMEWORK").as_deref() {
        Ok("axum") | Err(_) => axum::serve(settings, store, storage).await,
        Ok("actix") => actix::serve(settings, store, storage).await,
        Ok(_) => Err("FRAMEWORK is `axum` or `actix`".into()),
    }
}
