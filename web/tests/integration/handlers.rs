//! The handlers: the same functions for axum and actix-web.

use cookie_seal::axum::{Session, Typed};
use serde::{Deserialize, Serialize};

use crate::support::fixtures::{noise, ByteString};

pub async fn read(session: Session) -> Result<String, cookie_seal::Error> {
    let user = session.get::<String>("user")?.unwrap_or_else(|| "-".into());
    let n = session.get::<u64>("n")?.unwrap_or(0);
    let blob = session.get::<Vec<u8>>("blob")?.map_or(0, |b| b.len());
    Ok(format!("{user}:{n}:{blob}"))
}

pub async fn inc(session: Session) -> Result<String, cookie_seal::Error> {
    let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
    session.insert("n", &n)?;
    Ok(n.to_string())
}

/// Reads, lets the other requests run, then writes: concurrent requests
/// interleave inside the handler.
pub async fn slow(session: Session) -> Result<String, cookie_seal::Error> {
    let user = session.get::<String>("user")?.unwrap_or_default();
    tokio::task::yield_now().await;
    let n = session.get::<u64>("n")?.unwrap_or(0) + 1;
    let clone = session.clone();
    tokio::task::yield_now().await;
    clone.insert("n", &n)?;
    Ok(format!("{user}:{}", session.get::<u64>("n")?.unwrap_or(0)))
}

pub async fn login(session: Session) -> Result<String, cookie_seal::Error> {
    session.clear_and_regenerate()?;
    session.insert("user", "alice")?;
    Ok("in".into())
}

pub async fn logout(session: Session) -> &'static str {
    session.clear();
    "out"
}

/// Stores 4500 incompressible bytes: more than one cookie holds, less than the default
/// Cookie header budget (7 KiB) that chunking stays within.
pub async fn big(session: Session) -> Result<&'static str, cookie_seal::Error> {
    session.insert("blob", &ByteString(&noise(4500)))?;
    Ok("big")
}

pub async fn untouched() -> &'static str {
    "no session here"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub visits: u32,
}

pub async fn typed_read(profile: Typed<Profile>) -> String {
    profile.get().map_or_else(|| "-".into(), |p| p.name)
}

pub async fn typed_same(profile: Typed<Profile>) -> &'static str {
    if let Some(p) = profile.get() {
        profile.set(p.clone());
    }
    "same"
}

pub async fn typed_rename(profile: Typed<Profile>) -> &'static str {
    let mut p = profile.get().unwrap_or(Profile {
        name: String::new(),
        visits: 0,
    });
    p.name = "bob".into();
    profile.set(p);
    "renamed"
}
