//! The apps under test: the same handlers behind the tower layer (in an
//! axum `Router`) and the actix-web middleware, requests with `Cookie`
//! lines as raw bytes, and replies with the headers the scenarios check.

use std::time::{Duration, SystemTime};

use cookie_seal::axum::{Session, Typed};
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Keyring, SessionMap};
use serde::{Deserialize, Serialize};

use crate::support::fixtures::ring;

pub const NAME: &str = "__Host-session";

pub fn keys_1() -> Keyring {
    ring(&[(1, 1)])
}

/// Key 2 primary, key 1 still accepted: a re-issue is due for key-1 cookies.
pub fn keys_2_then_1() -> Keyring {
    ring(&[(2, 2), (1, 1)])
}

pub fn cookies_with(keys: Keyring, name: &str) -> SessionCookie {
    SessionCookie::new(Codec::sealed(keys), CookieConfig::new(name).unwrap()).unwrap()
}

pub fn cookies() -> SessionCookie {
    cookies_with(keys_1(), NAME)
}

/// How the app under test is put together.
#[derive(Clone)]
pub struct Setup {
    pub cookies: SessionCookie,
    pub refresh: bool,
    /// A second session layer with these cookies, outside the first.
    pub outer: Option<SessionCookie>,
    /// The same layer applied twice.
    pub twice: bool,
}

impl Setup {
    pub fn new(cookies: SessionCookie) -> Setup {
        Setup {
            cookies,
            refresh: false,
            outer: None,
            twice: false,
        }
    }

    pub fn refresh_every_request(mut self) -> Setup {
        self.refresh = true;
        self
    }

    /// The session of `reply`'s cookie line, decoded with the app's keys.
    pub fn decode(&self, line: &str) -> cookie_seal::Decoded<SessionMap> {
        self.cookies
            .load::<SessionMap>([line], SystemTime::now())
            .into_decoded()
            .expect("a valid session cookie")
    }
}

/// A GET of `path` with `Cookie` header lines given as bytes.
#[derive(Clone)]
pub struct Req {
    pub path: &'static str,
    pub cookie_lines: Vec<Vec<u8>>,
}

pub fn get(path: &'static str) -> Req {
    Req {
        path,
        cookie_lines: Vec::new(),
    }
}

impl Req {
    pub fn line(mut self, line: impl AsRef<[u8]>) -> Req {
        self.cookie_lines.push(line.as_ref().to_vec());
        self
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub vary: Vec<String>,
    pub cache_control: Vec<String>,
    pub body: String,
}

impl Reply {
    fn new(status: u16, headers: Vec<(String, Vec<u8>)>, body: &[u8]) -> Reply {
        let all = |name: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
                .collect()
        };
        Reply {
            status,
            set_cookies: all("set-cookie"),
            vary: all("vary"),
            cache_control: all("cache-control"),
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    /// The pairs of the cookies set (not removed), as one `Cookie` line.
    pub fn cookie_line(&self) -> String {
        self.set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=; ")) && c.contains("Max-Age=0"))
    }

    /// Whether `Vary` names `Cookie`.
    pub fn varies_on_cookie(&self) -> bool {
        self.vary.iter().any(|v| {
            v.split(',')
                .any(|field| field.trim().eq_ignore_ascii_case("cookie"))
        })
    }
}

/// A handler's answer, for both frameworks: a status, an optional
/// `Cache-Control` value and a body.
pub struct Page {
    status: u16,
    cache_control: Option<&'static str>,
    body: String,
}

fn ok(body: impl Into<String>) -> Page {
    Page {
        status: 200,
        cache_control: None,
        body: body.into(),
    }
}

impl ::axum::response::IntoResponse for Page {
    fn into_response(self) -> ::axum::response::Response {
        let mut response = self.body.into_response();
        *response.status_mut() = ::axum::http::StatusCode::from_u16(self.status).unwrap();
        if let Some(value) = self.cache_control {
            response.headers_mut().insert(
                "cache-control",
                ::axum::http::HeaderValue::from_static(value),
            );
        }
        response
    }
}

impl actix_web::Responder for Page {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        let status = actix_web::http::StatusCode::from_u16(self.status).unwrap();
        let mut response = actix_web::HttpResponse::build(status);
        if let Some(value) = self.cache_control {
            response.insert_header(("cache-control", value));
        }
        response.body(self.body)
    }
}

pub async fn read(session: Session) -> Result<Page, cookie_seal::Error> {
    Ok(ok(session
        .get::<String>("user")?
        .unwrap_or_else(|| "-".into())))
}

pub async fn login(session: Session) -> Result<Page, cookie_seal::Error> {
    session.clear_and_regenerate()?;
    session.insert("user", "alice")?;
    Ok(ok("in"))
}

pub async fn logout(session: Session) -> Page {
    session.clear();
    ok("out")
}

pub async fn untouched() -> Page {
    ok("no session here")
}

/// Reads the session on a page marked for shared caches.
pub async fn public_read(session: Session) -> Result<Page, cookie_seal::Error> {
    let mut page = read(session).await?;
    page.cache_control = Some("public, max-age=60");
    Ok(page)
}

/// Logs in on a page marked for shared caches (a handler's mistake).
pub async fn public_login(session: Session) -> Result<Page, cookie_seal::Error> {
    let mut page = login(session).await?;
    page.cache_control = Some("public, max-age=60, s-maxage=600");
    Ok(page)
}

/// Logs in, then fails.
pub async fn login_then_500(session: Session) -> Result<Page, cookie_seal::Error> {
    login(session).await?;
    Ok(Page {
        status: 500,
        cache_control: None,
        body: "failed after login".into(),
    })
}

/// Logs out, then fails.
pub async fn logout_then_503(session: Session) -> Page {
    session.clear();
    Page {
        status: 503,
        cache_control: None,
        body: "failed after logout".into(),
    }
}

/// Reads the session, then fails.
pub async fn read_then_500(session: Session) -> Result<Page, cookie_seal::Error> {
    let mut page = read(session).await?;
    page.status = 500;
    Ok(page)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
}

pub async fn typed_read(profile: Typed<Profile>) -> Page {
    ok(profile.get().map_or_else(|| "-".into(), |p| p.name))
}

/// Adds every route to `$app` as a GET, with `$get!(handler)`.
macro_rules! routes {
    ($app:expr, $get:ident) => {
        $app.route("/read", $get!(read))
            .route("/login", $get!(login))
            .route("/logout", $get!(logout))
            .route("/untouched", $get!(untouched))
            .route("/public/read", $get!(public_read))
            .route("/public/login", $get!(public_login))
            .route("/login-then-500", $get!(login_then_500))
            .route("/logout-then-503", $get!(logout_then_503))
            .route("/read-then-500", $get!(read_then_500))
            .route("/typed/read", $get!(typed_read))
    };
}

pub trait Framework {
    fn send(setup: &Setup, request: Req) -> Reply;
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

pub struct Axum;

impl Axum {
    pub fn layer(setup: &Setup, cookies: SessionCookie) -> cookie_seal::tower::SessionLayer {
        cookie_seal::tower::SessionLayer::new(cookies).refresh_every_request(setup.refresh)
    }

    pub fn call(app: ::axum::Router, req: Req) -> Reply {
        use tower::ServiceExt;
        let mut request = ::axum::http::Request::builder().uri(req.path);
        for line in &req.cookie_lines {
            let value = ::axum::http::HeaderValue::from_bytes(line).unwrap();
            request = request.header("cookie", value);
        }
        let request = request.body(::axum::body::Body::empty()).unwrap();
        run(async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
                .collect();
            let body = ::axum::body::to_bytes(response.into_body(), usize::MAX).await;
            Reply::new(status, headers, &body.unwrap())
        })
    }
}

impl Framework for Axum {
    fn send(setup: &Setup, req: Req) -> Reply {
        macro_rules! get {
            ($handler:expr) => {
                ::axum::routing::get($handler)
            };
        }
        let layer = Axum::layer(setup, setup.cookies.clone());
        let mut app = routes!(::axum::Router::new(), get).layer(layer.clone());
        if setup.twice {
            app = app.layer(layer);
        }
        if let Some(outer) = &setup.outer {
            app = app.layer(Axum::layer(setup, outer.clone()));
        }
        Axum::call(app, req)
    }
}

pub struct Actix;

impl Framework for Actix {
    fn send(setup: &Setup, req: Req) -> Reply {
        use actix_web::middleware::Condition;
        use actix_web::{test, web, App};
        macro_rules! get {
            ($handler:expr) => {
                web::get().to($handler)
            };
        }
        let middleware = |cookies: SessionCookie| {
            cookie_seal::actix::SessionMiddleware::new(cookies).refresh_every_request(setup.refresh)
        };
        let inner = middleware(setup.cookies.clone());
        let outer = setup.outer.clone().map(middleware);
        run(async move {
            let app = App::new()
                .wrap(inner.clone())
                .wrap(Condition::new(setup.twice, inner.clone()))
                .wrap(Condition::new(
                    outer.is_some(),
                    outer.unwrap_or_else(|| inner.clone()),
                ));
            let app = test::init_service(routes!(app, get)).await;
            let mut request = test::TestRequest::get().uri(req.path);
            for line in &req.cookie_lines {
                let value = actix_web::http::header::HeaderValue::from_bytes(line).unwrap();
                request = request.append_header(("cookie", value));
            }
            let response = test::call_service(&app, request.to_request()).await;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
                .collect();
            Reply::new(status, headers, &test::read_body(response).await)
        })
    }
}

pub fn send<F: Framework>(setup: &Setup, request: Req) -> Reply {
    F::send(setup, request)
}

/// A moment well before now, so that a re-issue shows a later issue time.
pub fn earlier() -> SystemTime {
    SystemTime::now() - Duration::from_secs(600)
}
