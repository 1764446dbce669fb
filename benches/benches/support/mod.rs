//! The benchmark sessions, typed as an application would type them, loaded
//! from `benches/sessions.json` (shared with `benches/flask_baseline.py`).

#![allow(dead_code)] // each bench binary uses a different part

use std::path::Path;

use cookie_seal::Session;
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

/// The large shape without its items, as stored in sessions.json.
#[derive(Debug, Clone, Deserialize)]
pub struct LargeBase {
    pub user_id: u64,
    pub name: String,
    pub csrf_token: String,
    pub role: String,
    pub login_at: u64,
    pub theme: String,
    pub locale: String,
    pub timezone: String,
    pub flash: Vec<String>,
}

#[derive(Deserialize)]
pub struct SessionsFile {
    pub small: Small,
    pub medium: Medium,
    pub large_base: LargeBase,
    pub large_items: usize,
    pub item_pool: Vec<Item>,
}

impl SessionsFile {
    pub fn load() -> SessionsFile {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad sessions.json: {e}"))
    }

    /// The large shape with the first `n` items of the pool.
    pub fn large_with(&self, n: usize) -> Large {
        let b = &self.large_base;
        Large {
            user_id: b.user_id,
            name: b.name.clone(),
            csrf_token: b.csrf_token.clone(),
            role: b.role.clone(),
            login_at: b.login_at,
            theme: b.theme.clone(),
            locale: b.locale.clone(),
            timezone: b.timezone.clone(),
            flash: b.flash.clone(),
            recent: self.item_pool[..n.min(self.item_pool.len())].to_vec(),
        }
    }
}

/// The same session as a dynamic `Session` map: one typed entry per field.
pub trait AsSessionMap {
    fn to_map(&self) -> Session;
}

fn user_entries(s: &mut Session, id: u64, name: &str, csrf: &str, role: &str, login: u64) {
    s.insert("user_id", &id).expect("insert");
    s.insert("name", name).expect("insert");
    s.insert("csrf_token", csrf).expect("insert");
    s.insert("role", role).expect("insert");
    s.insert("login_at", &login).expect("insert");
}

impl AsSessionMap for Small {
    fn to_map(&self) -> Session {
        let mut s = Session::new();
        user_entries(
            &mut s,
            self.user_id,
            &self.name,
            &self.csrf_token,
            &self.role,
            self.login_at,
        );
        s
    }
}

impl AsSessionMap for Medium {
    fn to_map(&self) -> Session {
        let mut s = Session::new();
        user_entries(
            &mut s,
            self.user_id,
            &self.name,
            &self.csrf_token,
            &self.role,
            self.login_at,
        );
        s.insert("cart", &self.cart).expect("insert");
        s
    }
}

impl AsSessionMap for Large {
    fn to_map(&self) -> Session {
        let mut s = Session::new();
        user_entries(
            &mut s,
            self.user_id,
            &self.name,
            &self.csrf_token,
            &self.role,
            self.login_at,
        );
        s.insert("theme", &self.theme).expect("insert");
        s.insert("locale", &self.locale).expect("insert");
        s.insert("timezone", &self.timezone).expect("insert");
        s.insert("flash", &self.flash).expect("insert");
        s.insert("recent", &self.recent).expect("insert");
        s
    }
}
