//! The one trait-level behaviour suite every store runs (`store-tests/`),
//! against a SQLite file and a PostgreSQL schema, each new per test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

mod sqlite {
    cookie_seal_store_tests::store_suite!(Some(crate::support::sqlite().await));
}

mod postgres {
    cookie_seal_store_tests::store_suite!(crate::support::postgres().await.map(|db| db.store));
}
