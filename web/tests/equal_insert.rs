//! Inserting a value equal to the stored one is not a change (issue 19,
//! section 2): a handler that stores the signed-in user's ID on every request
//! must not send a new cookie each time, which would restart the idle clock
//! and quietly make every session a rolling one. Checked through both
//! frameworks, with a control request that does change the value.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::time::SystemTime;

use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{Codec, EncodeOptions, Keyring, SessionMap};

const KEYS: &str = "1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
const USER_ID: u64 = 42;

fn cookies() -> SessionCookie {
    let keys: Keyring = KEYS.parse().unwrap();
    SessionCookie::new(Codec::sealed(keys), CookieConfig::new("session").unwrap()).unwrap()
}

/// A `Cookie` request header holding a session with `user_id` = 42, minted
/// with the app's own codec.
fn cookie_header(cookies: &SessionCookie) -> String {
    let mut session = SessionMap::new();
    session.insert("user_id", &USER_ID).unwrap();
    let set = cookies
        .store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )
        .unwrap();
    set[0].split(';').next().unwrap().to_owned()
}

/// What a login-checking middleware or handler typically does: store the
/// user ID it just read (here the same 42), or another one on `/switch`.
fn stored_user(path: &str) -> u64 {
    if path == "/switch" {
        USER_ID + 1
    } else {
        USER_ID
    }
}

/// The `Set-Cookie` values of one GET of `path` with `cookie`, through axum.
fn axum_set_cookies(path: &'static str, cookie: &str) -> Vec<String> {
    use tower::ServiceExt;
    async fn handler(
        uri: ::axum::http::Uri,
        session: cookie_seal::axum::Session,
    ) -> Result<String, cookie_seal::Error> {
        let seen = session.get::<u64>("user_id")?;
        session.insert("user_id", &stored_user(uri.path()))?;
        Ok(format!("{seen:?}"))
    }
    let app = ::axum::Router::new()
        .route("/same", ::axum::routing::get(handler))
        .route("/switch", ::axum::routing::get(handler))
        .layer(cookie_seal::tower::SessionLayer::new(cookies()));
    let request = ::axum::http::Request::builder()
        .uri(path)
        .header("cookie", cookie)
        .body(::axum::body::Body::empty())
        .unwrap();
    let response = actix_web::rt::System::new().block_on(app.oneshot(request));
    let response = response.unwrap();
    assert_eq!(response.status(), 200);
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The `Set-Cookie` values of one GET of `path` with `cookie`, through
/// actix-web.
fn actix_set_cookies(path: &'static str, cookie: &str) -> Vec<String> {
    use actix_web::{test, web, App, HttpRequest};
    async fn handler(
        request: HttpRequest,
        session: cookie_seal::actix::Session,
    ) -> Result<String, actix_web::Error> {
        let seen = session
            .get::<u64>("user_id")
            .map_err(actix_web::error::ErrorInternalServerError)?;
        session
            .insert("user_id", &stored_user(request.path()))
            .map_err(actix_web::error::ErrorInternalServerError)?;
        Ok(format!("{seen:?}"))
    }
    actix_web::rt::System::new().block_on(async {
        let app = App::new()
            .wrap(cookie_seal::actix::SessionMiddleware::new(cookies()))
            .route("/same", web::get().to(handler))
            .route("/switch", web::get().to(handler));
        let app = test::init_service(app).await;
        let request = test::TestRequest::get()
            .uri(path)
            .append_header(("cookie", cookie))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), 200);
        response
            .headers()
            .get_all("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    })
}

#[test]
fn axum_re_inserting_the_same_user_id_sends_no_set_cookie() {
    let cookie = cookie_header(&cookies());
    assert_eq!(axum_set_cookies("/same", &cookie), Vec::<String>::new());
    // Control: a different value is a change, and is sent.
    let changed = axum_set_cookies("/switch", &cookie);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("session="), "{changed:?}");
}

#[test]
fn actix_re_inserting_the_same_user_id_sends_no_set_cookie() {
    let cookie = cookie_header(&cookies());
    assert_eq!(actix_set_cookies("/same", &cookie), Vec::<String>::new());
    let changed = actix_set_cookies("/switch", &cookie);
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].starts_with("session="), "{changed:?}");
}
