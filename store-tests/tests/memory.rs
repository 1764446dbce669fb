//! The store suite against the in-process `MemoryStore`.

use cookie_seal::store::MemoryStore;

cookie_seal_store_tests::store_suite!(Some(MemoryStore::new()));
