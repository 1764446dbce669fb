//! The benchmark sessions, typed as an application would type them, loaded
//! from `benches/sessions.json` (shared with `benches/flask_baseline.py`).

#![allow(dead_code)] // each bench binary uses a different part

use std::path::Path;

pub mod short_aead;
pub mod xchacha_ring;

use cookie_seal::SessionMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Small {
    pub user_id: u64,
    pub name: String,
    pub csrf_token: String,
    pub role: String,
    pub login_at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartItem {
    pub sku: String,
    pub name: String,
    pub qty: u32,
    pub price: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medium {
    pub user_id: u64,
    pub name: String,
    pub csrf_token: String,
    pub role: String,
    pub login_at: u64,
    pub cart: Vec<CartItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub title: String,
    pub note: String,
    pub views: u64,
    pub price_cents: u64,
    pub rating: f64,
    pub seen_at: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Large {
    pub user_id: u64,
    pub name: String,
    pub csrf_token: String,
    pub role: String,
    pub login_at: u64,
    pub theme: String,
    pub locale: String,
    pub timezone: String,
    pub flash: Vec<String>,
    pub recent: Vec<Item>,
}

#[derive(Deserialize)]
pub struct SessionsFile {
    pub small: Small,
    pub medium: Medium,
    /// The large shape without its items (`recent` is empty).
    pub large_base: Large,
    pub large_items: usize,
    pub item_pool: Vec<Item>,
}

impl SessionsFile {
    pub fn load() -> SessionsFile {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad sessions.json: {e}"));
        // The file stores the large shape without its items; read it as a
        // `Large` with none, so the field list is written once.
        doc["large_base"]["recent"] = serde_json::Value::Array(Vec::new());
        serde_json::from_value(doc).unwrap_or_else(|e| panic!("bad sessions.json: {e}"))
    }

    /// The large shape with the first `n` items of the pool.
    pub fn large_with(&self, n: usize) -> Large {
        Large {
            recent: self.item_pool[..n.min(self.item_pool.len())].to_vec(),
            ..self.large_base.clone()
        }
    }
}

/// The same session as a dynamic `SessionMap` map: one typed entry per field.
pub trait AsSessionMap {
    fn to_map(&self) -> SessionMap;
}

fn user_entries(s: &mut SessionMap, id: u64, name: &str, csrf: &str, role: &str, login: u64) {
    s.insert("user_id", &id).expect("insert");
    s.insert("name", name).expect("insert");
    s.insert("csrf_token", csrf).expect("insert");
    s.insert("role", role).expect("insert");
    s.insert("login_at", &login).expect("insert");
}

/// The session map of the user fields every shape starts with.
macro_rules! user_map {
    ($shape:expr) => {{
        let mut s = SessionMap::new();
        user_entries(
            &mut s,
            $shape.user_id,
            &$shape.name,
            &$shape.csrf_token,
            &$shape.role,
            $shape.login_at,
        );
        s
    }};
}

impl AsSessionMap for Small {
    fn to_map(&self) -> SessionMap {
        user_map!(self)
    }
}

impl AsSessionMap for Medium {
    fn to_map(&self) -> SessionMap {
        let mut s = user_map!(self);
        s.insert("cart", &self.cart).expect("insert");
        s
    }
}

impl AsSessionMap for Large {
    fn to_map(&self) -> SessionMap {
        let mut s = user_map!(self);
        s.insert("theme", &self.theme).expect("insert");
        s.insert("locale", &self.locale).expect("insert");
        s.insert("timezone", &self.timezone).expect("insert");
        s.insert("flash", &self.flash).expect("insert");
        s.insert("recent", &self.recent).expect("insert");
        s
    }
}
