//! The stores the HTTP behaviour suite runs against. A backend adds itself
//! here with one line (its crate as a dev-dependency of `cookie-seal-web`);
//! each call returns fresh, empty stores.

use std::sync::Arc;

use cookie_seal::store::{MemoryStore, SessionStore};

/// Every store under test, by name, each new and empty.
pub fn stores() -> Vec<(&'static str, Arc<dyn SessionStore>)> {
    let mut stores: Vec<(&'static str, Arc<dyn SessionStore>)> =
        vec![("memory", Arc::new(MemoryStore::new()))];
    stores.extend(crate::sql_stores::sqlite());
    stores.extend(crate::sql_stores::postgres());
    stores
}
