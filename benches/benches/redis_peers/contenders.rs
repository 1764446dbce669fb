//! The four contenders, each an app with the same three handlers (`/setup`
//! stores a few small values, `/read` reads one, `/write` changes one) and a
//! session made by `/setup`, driven in-process on one actix system (a tokio
//! runtime): axum through `tower::ServiceExt::oneshot`, actix-web through
//! `actix_web::test::call_service`.

use std::rc::Rc;
use std::time::Duration;

use actix_web::rt::SystemRunner;
use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::store::Storage;
use cookie_seal::{Codec, Key, Keyring};
use cookie_seal_redis::RedisStore;
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Read,
    Write,
}

struct Reply {
    status: u16,
    body: String,
    cookie: Option<String>,
}

type Send = Box<dyn Fn(&str, Option<&str>) -> Reply>;

pub struct Contender {
    pub name: &'static str,
    send: Send,
    cookie: String,
}

impl Contender {
    /// Checks the handlers round-trip through Redis, then keeps the session.
    fn new(name: &'static str, send: Send) -> Contender {
        let setup = send("/setup", None);
        assert_eq!(setup.status, 200, "{name}: {}", setup.body);
        let cookie = setup.cookie.unwrap_or_else(|| panic!("{name}: no cookie"));
        let read = send("/read", Some(&cookie));
        assert_eq!((read.status, read.body.as_str()), (200, "41"), "{name}");
        assert_eq!(send("/write", Some(&cookie)).body, "42", "{name}");
        assert_eq!(send("/read", Some(&cookie)).body, "42", "{name}");
        Contender { name, send, cookie }
    }

    pub fn request(&self, kind: Kind) {
        let path = match kind {
            Kind::Read => "/read",
            Kind::Write => "/write",
        };
        let reply = (self.send)(path, Some(&self.cookie));
        assert_eq!(reply.status, 200, "{}: {}", self.name, reply.body);
    }
}

pub fn all(url: &str) -> Vec<Contender> {
    let system = Rc::new(actix_web::rt::System::new());
    vec![
        cookie_seal_axum(&system, url),
        tower_sessions(&system, url),
        cookie_seal_actix(&system, url),
        actix_session(&system, url),
    ]
}

fn cookies() -> SessionCookie {
    let keys = Keyring::new(1, Key::from_bytes(&[7; 32]).unwrap());
    SessionCookie::new(
        Codec::sealed(keys).max_age(Duration::from_secs(3600)),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap()
}

fn store(url: &str, prefix: &str) -> RedisStore {
    RedisStore::open(url).unwrap().key_prefix(prefix)
}

fn axum_send(system: Rc<SystemRunner>, router: Router) -> Send {
    Box::new(move |path, cookie| {
        system.block_on(async {
            let mut request = Request::get(path);
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            let response = router
                .clone()
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status().as_u16();
            let cookie = response
                .headers()
                .get(header::SET_COOKIE)
                .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            Reply {
                status,
                body: String::from_utf8(body.to_vec()).unwrap(),
                cookie,
            }
        })
    })
}

/// An actix-web app with `wrap`, driven on `system`.
macro_rules! actix_send {
    ($system:expr, $middleware:expr, $setup:expr, $read:expr, $write:expr) => {{
        use actix_web::{test, web, App};
        let system: Rc<SystemRunner> = $system;
        let app = system.block_on(test::init_service(
            App::new()
                .wrap($middleware)
                .route("/setup", web::get().to($setup))
                .route("/read", web::get().to($read))
                .route("/write", web::get().to($write)),
        ));
        let send: Send = Box::new(move |path, cookie| {
            system.block_on(async {
                let mut request = test::TestRequest::get().uri(path);
                if let Some(cookie) = cookie {
                    request = request.append_header(("cookie", cookie));
                }
                let response = test::call_service(&app, request.to_request()).await;
                let status = response.status().as_u16();
                let cookie = response
                    .headers()
                    .get("set-cookie")
                    .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
                let body = test::read_body(response).await;
                Reply {
                    status,
                    body: String::from_utf8(body.to_vec()).unwrap(),
                    cookie,
                }
            })
        });
        send
    }};
}

fn cookie_seal_axum(system: &Rc<SystemRunner>, url: &str) -> Contender {
    use cookie_seal::axum::Session;
    use cookie_seal::tower::SessionLayer;
    async fn setup(session: Session) -> String {
        session.insert("user", "alice.example").unwrap();
        session.insert("count", &41u64).unwrap();
        session.insert("theme", "dark").unwrap();
        String::new()
    }
    async fn read(session: Session) -> String {
        session.get::<u64>("count").unwrap().unwrap().to_string()
    }
    async fn write(session: Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap() + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    }
    let store = store(url, "bench-cs-axum:");
    let router = Router::new()
        .route("/setup", get(setup))
        .route("/read", get(read))
        .route("/write", get(write))
        .layer(SessionLayer::new(cookies()).store(store, Storage::Server));
    Contender::new("cookie-seal axum", axum_send(Rc::clone(system), router))
}

fn cookie_seal_actix(system: &Rc<SystemRunner>, url: &str) -> Contender {
    use cookie_seal::actix::{Session, SessionMiddleware};
    async fn setup(session: Session) -> String {
        session.insert("user", "alice.example").unwrap();
        session.insert("count", &41u64).unwrap();
        session.insert("theme", "dark").unwrap();
        String::new()
    }
    async fn read(session: Session) -> String {
        session.get::<u64>("count").unwrap().unwrap().to_string()
    }
    async fn write(session: Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap() + 1;
        session.insert("count", &count).unwrap();
        count.to_string()
    }
    let middleware =
        SessionMiddleware::new(cookies()).store(store(url, "bench-cs-actix:"), Storage::Server);
    let send = actix_send!(Rc::clone(system), middleware, setup, read, write);
    Contender::new("cookie-seal actix", send)
}

fn tower_sessions(system: &Rc<SystemRunner>, url: &str) -> Contender {
    use tower_sessions::{Session, SessionManagerLayer};
    use tower_sessions_redis_store::fred::prelude::{ClientLike, Config, Pool};
    use tower_sessions_redis_store::RedisStore as FredStore;
    async fn setup(session: Session) -> String {
        session.insert("user", "alice.example").await.unwrap();
        session.insert("count", 41u64).await.unwrap();
        session.insert("theme", "dark").await.unwrap();
        String::new()
    }
    async fn read(session: Session) -> String {
        let count: u64 = session.get("count").await.unwrap().unwrap();
        count.to_string()
    }
    async fn write(session: Session) -> String {
        let count = session.get::<u64>("count").await.unwrap().unwrap() + 1;
        session.insert("count", count).await.unwrap();
        count.to_string()
    }
    let pool = system.block_on(async {
        let pool = Pool::new(Config::from_url(url).unwrap(), None, None, None, 1).unwrap();
        pool.init().await.unwrap();
        pool
    });
    let layer = SessionManagerLayer::new(FredStore::new(pool)).with_secure(false);
    let router = Router::new()
        .route("/setup", get(setup))
        .route("/read", get(read))
        .route("/write", get(write))
        .layer(layer);
    Contender::new("tower-sessions", axum_send(Rc::clone(system), router))
}

fn actix_session(system: &Rc<SystemRunner>, url: &str) -> Contender {
    use actix_session::storage::RedisSessionStore;
    use actix_session::{Session, SessionMiddleware};
    async fn setup(session: Session) -> String {
        session.insert("user", "alice.example").unwrap();
        session.insert("count", 41u64).unwrap();
        session.insert("theme", "dark").unwrap();
        String::new()
    }
    async fn read(session: Session) -> String {
        session.get::<u64>("count").unwrap().unwrap().to_string()
    }
    async fn write(session: Session) -> String {
        let count = session.get::<u64>("count").unwrap().unwrap() + 1;
        session.insert("count", count).unwrap();
        count.to_string()
    }
    let store = system.block_on(RedisSessionStore::new(url)).unwrap();
    let key = actix_web::cookie::Key::from(&[9u8; 64]);
    let middleware = SessionMiddleware::builder(store, key)
        .cookie_secure(false)
        .build();
    let send = actix_send!(Rc::clone(system), middleware, setup, read, write);
    Contender::new("actix-session", send)
}
