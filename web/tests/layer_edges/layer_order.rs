//! axum applies `.layer()` only to the routes added before it: a route
//! added after the session layer gets the "layer is missing" 500, whose
//! message says so.

use crate::harness::{cookies, get, login, read, Axum, Setup};

#[test]
fn a_route_added_after_the_layer_gets_a_500_that_explains_the_order() {
    let setup = Setup::new(cookies());
    let app = ::axum::Router::new()
        .route("/login", ::axum::routing::get(login))
        .layer(Axum::layer(&setup, setup.cookies.clone()))
        .route("/read", ::axum::routing::get(read));
    let before = Axum::call(app.clone(), get("/login"));
    assert_eq!((before.status, before.set_cookies.len()), (200, 1));
    let after = Axum::call(app, get("/read"));
    assert_eq!(after.status, 500);
    assert!(
        after.body.contains("SessionLayer is missing"),
        "{}",
        after.body
    );
    assert!(
        after
            .body
            .contains("applies only to the routes added before it"),
        "{}",
        after.body
    );
}
