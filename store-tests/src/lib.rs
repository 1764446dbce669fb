//! The one behaviour suite every [`SessionStore`] runs: [`MemoryStore`],
//! Redis (standalone and Cluster) and each SQL driver (STYLE.md 13).
//!
//! Each check is an `async fn` taking the store; [`store_suite!`] turns the
//! whole list into `#[tokio::test]`s for one way of making a store:
//!
//! ```ignore
//! cookie_seal_store_tests::store_suite!(Some(cookie_seal::store::MemoryStore::new()));
//! ```
//!
//! The expression is evaluated once per test (it may `.await`) and gives an
//! `Option`: `None` skips the test (a server that is not configured). Every
//! check uses fresh random session IDs and user names, so the tests may run
//! in parallel against one shared server.
//!
//! [`MemoryStore`]: cookie_seal::store::MemoryStore

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod checks;
mod concurrency;

pub use checks::*;
pub use concurrency::*;

use cookie_seal::store::Record;
use cookie_seal::SessionId;

/// A fresh random session ID.
#[must_use]
pub fn fresh_id() -> SessionId {
    SessionId::generate().unwrap()
}

/// A user name no other test uses.
#[must_use]
pub fn fresh_user() -> String {
    format!("user-{}", &fresh_id().to_base64url()[..12])
}

/// The values of `record` as `(key, bytes)` slices, in the store's order.
#[must_use]
pub fn values(record: &Record) -> Vec<(&str, &[u8])> {
    record
        .values
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_slice()))
        .collect()
}

/// Turns every check of the suite into a `#[tokio::test]` on a multi-threaded
/// runtime, for the store `$make` gives (`Option<S>`, evaluated per test;
/// `None` skips). The caller needs `tokio` (features `macros`,
/// `rt-multi-thread`) among its dev-dependencies.
#[macro_export]
macro_rules! store_suite {
    ($make:expr) => {
        $crate::store_suite!($make;
            a_missing_record_loads_as_none,
            a_created_record_round_trips_exactly,
            updates_merge_key_by_key_and_the_later_write_wins,
            an_update_of_a_missing_record_is_gone_and_writes_nothing,
            an_update_never_brings_back_a_deleted_record,
            a_create_replaces_an_existing_record_and_the_one_it_replaces,
            a_record_is_gone_past_its_ttl,
            an_update_restarts_the_ttl,
            delete_is_idempotent_and_leaves_other_records,
            revoke_user_ends_their_records_only_and_is_remembered,
            revoke_user_counts_only_live_records,
            rebinding_a_record_moves_it_between_users,
            unbinding_a_record_takes_it_out_of_the_user_index,
            a_record_with_many_keys_round_trips,
            fifty_concurrent_updates_of_different_keys_all_persist,
            concurrent_updates_after_a_delete_are_all_gone,
            concurrent_sessions_of_one_user_are_all_revoked,
        );
    };
    ($make:expr; $($check:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let Some(store) = $make else { return };
                $crate::$check(&store).await;
            }
        )+
    };
}
