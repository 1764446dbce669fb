//! The two frameworks under test, each serving the handlers behind the
//! crate's layer or middleware.

use std::future::Future;
use std::sync::Arc;

use crate::app::{Reply, Req, Setup};
use crate::handlers::{
    big, inc, login, logout, read, slow, typed_read, typed_rename, typed_same, untouched,
};

/// Adds every test route to `$app` as a GET, with `$get!(handler)`: one
/// route table for both frameworks.
macro_rules! routes {
    ($app:expr, $get:ident) => {
        $app.route("/read", $get!(read))
            .route("/inc", $get!(inc))
            .route("/slow", $get!(slow))
            .route("/login", $get!(login))
            .route("/logout", $get!(logout))
            .route("/big", $get!(big))
            .route("/untouched", $get!(untouched))
            .route("/typed/read", $get!(typed_read))
            .route("/typed/same", $get!(typed_same))
            .route("/typed/rename", $get!(typed_rename))
    };
}

/// A framework under test.
pub trait Framework {
    /// The type the missing-layer message names.
    const LAYER: &'static str;
    /// Sends `requests` concurrently to one app built from `setup`.
    fn send_all(setup: &Setup, requests: Vec<Req>) -> impl Future<Output = Vec<Reply>>;
}

pub fn run<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

pub fn send<F: Framework>(setup: &Setup, request: Req) -> Reply {
    run(F::send_all(setup, vec![request])).pop().unwrap()
}

pub struct Axum;

impl Framework for Axum {
    const LAYER: &'static str = "cookie_seal::tower::SessionLayer";

    async fn send_all(setup: &Setup, requests: Vec<Req>) -> Vec<Reply> {
        use tower::ServiceExt;
        macro_rules! get {
            ($handler:expr) => {
                ::axum::routing::get($handler)
            };
        }
        let mut app = routes!(::axum::Router::new(), get);
        if setup.layer {
            let sink = Arc::clone(&setup.rejected);
            let mut layer = cookie_seal::tower::SessionLayer::new(setup.cookies.clone())
                .on_rejected(move |error| sink.lock().unwrap().push(error.to_string()));
            if setup.save_error_hook {
                layer = layer.on_save_error(|error| {
                    let mut response =
                        ::axum::http::Response::new(format!("session too large: {error}"));
                    *response.status_mut() = ::axum::http::StatusCode::INSUFFICIENT_STORAGE;
                    response
                });
            }
            app = app.layer(layer);
        }
        let calls = requests.into_iter().map(|req| {
            let mut request = ::axum::http::Request::builder().uri(req.path);
            for line in &req.cookie_lines {
                request = request.header("cookie", line);
            }
            let request = request.body(::axum::body::Body::empty()).unwrap();
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status().as_u16();
                let set_cookies = response.headers().get_all("set-cookie").iter();
                let set_cookies = set_cookies.map(|v| v.as_bytes().to_vec()).collect();
                let body = ::axum::body::to_bytes(response.into_body(), usize::MAX);
                Reply::new(status, set_cookies, &body.await.unwrap())
            }
        });
        futures_util::future::join_all(calls).await
    }
}

pub struct Actix;

impl Framework for Actix {
    const LAYER: &'static str = "cookie_seal::actix::SessionMiddleware";

    async fn send_all(setup: &Setup, requests: Vec<Req>) -> Vec<Reply> {
        use actix_web::{test, web, App};
        let sink = Arc::clone(&setup.rejected);
        let middleware = cookie_seal::actix::SessionMiddleware::new(setup.cookies.clone())
            .on_rejected(move |error| sink.lock().unwrap().push(error.to_string()));
        let middleware = if setup.save_error_hook {
            middleware.on_save_error(|error| {
                actix_web::HttpResponse::InsufficientStorage()
                    .body(format!("session too large: {error}"))
            })
        } else {
            middleware
        };
        macro_rules! get {
            ($handler:expr) => {
                web::get().to($handler)
            };
        }
        let app = App::new().wrap(actix_web::middleware::Condition::new(
            setup.layer,
            middleware,
        ));
        let app = test::init_service(routes!(app, get)).await;
        let calls = requests.into_iter().map(|req| {
            let mut request = test::TestRequest::get().uri(req.path);
            for line in &req.cookie_lines {
                request = request.append_header(("cookie", line.as_str()));
            }
            let app = &app;
            async move {
                let response = test::call_service(app, request.to_request()).await;
                let status = response.status().as_u16();
                let set_cookies = response.headers().get_all("set-cookie");
                let set_cookies = set_cookies.map(|v| v.as_bytes().to_vec()).collect();
                Reply::new(status, set_cookies, &test::read_body(response).await)
            }
        });
        futures_util::future::join_all(calls).await
    }
}
