//! The session layer at its edges, in both frameworks (issue 19): other
//! cookies holding non-ASCII bytes, cookie names matched exactly, HTTP
//! caches (`Vary`, `Cache-Control`), server errors, refreshing the cookie
//! on every request, and a session layer missing, misplaced or doubled.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[path = "../support/mod.rs"]
mod support;

mod harness;
mod layer_order;
mod scenarios;

use harness::{Actix, Axum};
use scenarios::*;

macro_rules! suite {
    ($module:ident, $framework:ty; $($scenario:ident),+ $(,)?) => {
        mod $module {
            $(
                #[test]
                fn $scenario() {
                    super::$scenario::<$framework>();
                }
            )+
        }
    };
}

macro_rules! both {
    ($($scenario:ident),+ $(,)?) => {
        suite!(with_axum, super::Axum; $($scenario),+);
        suite!(with_actix, super::Actix; $($scenario),+);
    };
}

both!(
    foreign_bytes_beside_the_session_keep_it_through_login_and_logout,
    a_session_cookie_holding_foreign_bytes_is_rejected_and_deleted,
    a_name_padded_with_unicode_whitespace_is_not_the_session,
    a_response_that_read_the_session_varies_on_cookie,
    a_response_that_sets_the_cookie_is_never_left_to_shared_caches,
    a_public_response_gets_no_optional_reissue,
    a_server_error_stores_nothing_but_still_deletes,
    refresh_every_request_reissues_on_a_route_that_never_takes_the_session,
    refresh_every_request_writes_nothing_without_a_valid_session,
    refresh_every_request_keeps_a_typed_session_as_it_is,
    two_session_layers_with_different_cookies_fail_loudly,
);
