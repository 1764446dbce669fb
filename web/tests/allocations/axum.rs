//! Through axum's `Router`, with `oneshot` on a current-thread runtime.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cookie_seal::axum::Session;
use cookie_seal::cookie::SessionCookie;
use cookie_seal::tower::SessionLayer;
use tower::ServiceExt;

use super::{codecs, cookies, glue, request_cookie, Glue};

async fn layer_read(session: Session) -> String {
    session.get::<String>("user").unwrap().unwrap_or_default()
}

async fn layer_write(session: Session) -> String {
    let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
    session.insert("count", &count).unwrap();
    count.to_string()
}

/// The same work without the layer: load, get (and insert), save.
async fn by_hand(State(cookies): State<Arc<SessionCookie>>, request: Request) -> Response {
    let lines = request.headers().get_all(header::COOKIE).iter();
    let loaded = cookies.load_bytes(lines.map(HeaderValue::as_bytes), SystemTime::now());
    let mut session = loaded.session();
    let body = if request.uri().path() == "/write" {
        let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    } else {
        session.get::<String>("user").unwrap().unwrap_or_default()
    };
    let set = cookies.save(&loaded, &session, SystemTime::now()).unwrap();
    let mut response = body.into_response();
    for value in set {
        let value = HeaderValue::try_from(value).unwrap();
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// One request to `app`: the number of `Set-Cookie` lines it answers with.
fn call(app: &Router, cookie: &str, path: &str) -> usize {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let request = axum::http::Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .count()
}

fn measure(cookies: SessionCookie) -> Glue {
    let cookie = request_cookie(&cookies);
    let layer = Router::new()
        .route("/read", get(layer_read))
        .route("/write", get(layer_write))
        .layer(SessionLayer::new(cookies.clone()))
        // As `axum::serve` does: routes become services once, not per request.
        .with_state(());
    let by_hand = Router::new()
        .route("/read", get(by_hand))
        .route("/write", get(by_hand))
        .with_state(Arc::new(cookies));
    glue(
        |path| call(&layer, &cookie, path),
        |path| call(&by_hand, &cookie, path),
    )
}

#[test]
fn the_axum_layer_adds_few_allocations_per_request() {
    for (mode, codec) in codecs() {
        let glue = measure(cookies(codec));
        eprintln!("axum {mode}: {glue:?}");
        // Per request, read or write alike (dhat): the request's shared
        // state (`Arc<RequestState>`, `Hooks::start`), the request extension
        // that carries it to the extractor (`http::Extensions` boxes the
        // value and allocates its map on the first insert: 2), and the
        // session's cell (`Arc<Mutex<..>>`, `state::fill`, when the handler
        // takes it). The app's future is held in place and the `Set-Cookie`
        // values move into the headers without a second vector (before: 5
        // for a read, 6 for a write).
        assert_eq!(glue, Glue { read: 4, write: 4 }, "{mode}");
    }
}
