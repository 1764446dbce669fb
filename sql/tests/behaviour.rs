//! The SQL stores' own checks (support/suite.rs; the shared suite is
//! `tests/store_suite.rs`): each runs on a fresh SQLite file and in a fresh
//! PostgreSQL schema.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

use std::sync::Arc;

use support::suite;

macro_rules! suite_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = support::sqlite().await;
                    suite::$name(Arc::new(db.store.clone())).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = support::postgres().await else { return };
                    suite::$name(Arc::new(db.store.clone())).await;
                    db.drop_schema().await;
                }
            )*
        }
    };
}

suite_tests!(
    a_created_record_loads_as_written,
    a_record_without_values_still_exists,
    updates_merge_key_by_key_and_the_later_write_wins,
    a_create_under_an_existing_id_overwrites_it,
    a_revocation_is_forgotten_after_its_window,
    a_delete_racing_updates_stays_deleted,
    on_one_key_the_later_write_wins,
    debug_shows_no_values,
    keys_and_users_may_hold_nul,
);
