//! Through actix-web's `App`, with `actix_web::call_service` on one
//! actix system.

use std::time::SystemTime;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::rt::SystemRunner;
use actix_web::test::{call_service, init_service, TestRequest};
use actix_web::{web, App, HttpRequest, HttpResponse};
use cookie_seal::actix::{Session, SessionMiddleware};
use cookie_seal::cookie::SessionCookie;

use super::{codecs, cookies, glue, request_cookie, Glue};

async fn layer_read(session: Session) -> String {
    session.get::<String>("user").unwrap().unwrap_or_default()
}

async fn layer_write(session: Session) -> String {
    let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
    session.insert("count", &count).unwrap();
    count.to_string()
}

/// The same work without the middleware: load, get (and insert), save.
async fn by_hand(cookies: web::Data<SessionCookie>, request: HttpRequest) -> HttpResponse {
    let lines = request.headers().get_all(header::COOKIE);
    let loaded = cookies.load_bytes(lines.map(HeaderValue::as_bytes), SystemTime::now());
    let mut session = loaded.session();
    let body = if request.path() == "/write" {
        let count = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    } else {
        session.get::<String>("user").unwrap().unwrap_or_default()
    };
    let set = cookies.save(&loaded, &session, SystemTime::now()).unwrap();
    let mut response = HttpResponse::Ok().body(body);
    for value in set {
        let value = HeaderValue::try_from(value).unwrap();
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `request` to `app`: the number of `Set-Cookie` lines it answers with.
fn call<S, R, B>(system: &SystemRunner, app: &S, request: R) -> usize
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let response = system.block_on(call_service(app, request));
    assert!(response.status().is_success());
    response.headers().get_all(header::SET_COOKIE).count()
}

fn measure(cookies: SessionCookie) -> Glue {
    let cookie = request_cookie(&cookies);
    let system = actix_web::rt::System::new();
    let layer = system.block_on(init_service(
        App::new()
            .wrap(SessionMiddleware::new(cookies.clone()))
            .route("/read", web::get().to(layer_read))
            .route("/write", web::get().to(layer_write)),
    ));
    let by_hand = system.block_on(init_service(
        App::new()
            .app_data(web::Data::new(cookies))
            .route("/read", web::get().to(by_hand))
            .route("/write", web::get().to(by_hand)),
    ));
    let request = |path: &str| {
        TestRequest::get()
            .uri(path)
            .insert_header((header::COOKIE, cookie.as_str()))
            .to_request()
    };
    glue(
        |path| call(&system, &layer, request(path)),
        |path| call(&system, &by_hand, request(path)),
    )
}

#[test]
fn the_actix_middleware_adds_few_allocations_per_request() {
    for (mode, codec) in codecs() {
        let glue = measure(cookies(codec));
        eprintln!("actix {mode}: {glue:?}");
        // Per request, read or write alike (dhat): the request's shared
        // state (`Arc<RequestState>`, `Hooks::start`), the request extension
        // that carries it to the extractor (actix-web's `Extensions` boxes
        // the value and allocates its map on the first insert: 2), the
        // session's cell (`Arc<Mutex<..>>`, `state::fill`, when the handler
        // takes it), and the boxed response future (actix-web's middleware
        // convention; actix-session boxes its own too). The `Set-Cookie`
        // values move into the headers without a second vector (before: 5
        // for a read, 6 for a write).
        assert_eq!(glue, Glue { read: 5, write: 5 }, "{mode}");
    }
}
