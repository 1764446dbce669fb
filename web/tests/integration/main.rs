//! The framework integration, in memory: the same scenarios against an axum
//! `Router` behind `cookie_seal::tower::SessionLayer` (driven with
//! `tower::ServiceExt::oneshot`) and an actix-web `App` wrapped in
//! `cookie_seal::actix::SessionMiddleware` (driven with `actix_web::test`).
//! The handlers are the same functions in both apps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

mod app;
mod frameworks;
mod handlers;

mod lifecycle;
mod rejections;
mod size_and_concurrency;

use frameworks::{Actix, Axum};
use lifecycle::*;
use rejections::*;
use size_and_concurrency::*;

/// `#[test]` functions that run each named scenario with `$framework`.
macro_rules! tests {
    ($framework:ty; $($scenario:ident),+ $(,)?) => {
        $(
            #[test]
            fn $scenario() {
                super::$scenario::<$framework>();
            }
        )+
    };
}

/// Every scenario, as tests in module `$module` against `$framework`.
macro_rules! suite {
    ($module:ident, $framework:ty) => {
        mod $module {
            tests!($framework;
                no_cookie_gets_a_new_cookie_with_secure_attributes,
                a_session_round_trips,
                a_read_only_request_sends_no_set_cookie,
                after_rotation_a_read_only_request_reissues_under_the_new_key,
                a_forged_or_expired_cookie_gives_an_empty_session_and_is_deleted,
                logout_deletes_the_cookie,
                login_renews_the_session,
                a_session_too_large_gives_a_500_and_no_oversized_cookie,
                the_cookie_is_found_across_two_cookie_header_lines,
                a_chunked_session_works,
                sixteen_concurrent_requests_share_no_state,
                a_missing_layer_gives_a_500_naming_it,
                a_typed_session_read_but_unchanged_writes_nothing,
            );
        }
    };
}

suite!(with_axum, super::Axum);
suite!(with_actix, super::Actix);
