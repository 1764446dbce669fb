//! The apps under test: the same handlers behind `SessionLayer` in an axum
//! `Router` and `SessionMiddleware` in an actix-web `App`, in memory, with a
//! store from [`stores`](crate::stores::stores) wrapped in the counting and
//! failing decorators.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use cookie_seal::actix::SessionMiddleware;
use cookie_seal::axum::Session;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::store::{SessionStore, Storage};
use cookie_seal::tower::SessionLayer;
use cookie_seal::{Codec, Error, SessionMap};
use tokio::sync::Notify;

use crate::decorators::{Calls, CountingStore, FailingStore, Switch};
use crate::support::fixtures::ring;

pub const NAME: &str = "__Host-session";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    Axum,
    Actix,
}

pub type TestStore = CountingStore<FailingStore<Arc<dyn SessionStore>>>;

/// The two signals between a test and a `/hold/..` handler: the order of
/// concurrent requests is set by them, never by how fast the store answers.
#[derive(Default)]
pub struct Gate {
    /// The handler has loaded the session and made its change.
    pub held: Notify,
    /// The handler may finish.
    pub release: Notify,
}

/// One app: a framework, a storage mode and a store.
pub struct Setup {
    pub framework: Framework,
    pub storage: Storage,
    pub store_name: &'static str,
    pub store: Arc<TestStore>,
    pub switch: Switch,
    pub cookies: SessionCookie,
    /// `/hold/..` handlers signal `held` once they have the session, then
    /// wait for the test to signal `release`.
    pub gate: Arc<Gate>,
    /// What the rejection hook was told, in order.
    pub rejected: Arc<Mutex<Vec<String>>>,
    layer: SessionLayer,
    middleware: SessionMiddleware,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?}/{:?}/{}",
            self.framework, self.storage, self.store_name
        )
    }
}

pub fn cookies() -> SessionCookie {
    SessionCookie::new(
        Codec::sealed(ring(&[(1, 1)])),
        CookieConfig::new(NAME).unwrap(),
    )
    .unwrap()
}

/// Every framework with every store, in `storage` mode.
pub fn setups(storage: Storage) -> Vec<Setup> {
    setups_with(storage, cookies)
}

/// [`setups`] with the cookies `make` builds.
pub fn setups_with(storage: Storage, make: impl Fn() -> SessionCookie) -> Vec<Setup> {
    let mut all = Vec::new();
    for framework in [Framework::Axum, Framework::Actix] {
        for (store_name, store) in crate::stores::stores() {
            let (failing, switch) = FailingStore::new(store);
            let store = Arc::new(CountingStore::new(failing));
            let rejected = Arc::new(Mutex::new(Vec::new()));
            let (layer, middleware) = layers(&make(), &store, storage, &rejected);
            all.push(Setup {
                framework,
                storage,
                store_name,
                switch,
                layer,
                middleware,
                store,
                cookies: make(),
                gate: Arc::new(Gate::default()),
                rejected,
            });
        }
    }
    all
}

/// The layer and the middleware over `store`, reporting rejections to `rejected`.
fn layers(
    cookies: &SessionCookie,
    store: &Arc<TestStore>,
    storage: Storage,
    rejected: &Arc<Mutex<Vec<String>>>,
) -> (SessionLayer, SessionMiddleware) {
    let log = Arc::clone(rejected);
    let layer = SessionLayer::new(cookies.clone())
        .store(Arc::clone(store), storage)
        .on_rejected(move |error| log.lock().unwrap().push(error.to_string()));
    let log = Arc::clone(rejected);
    let middleware = SessionMiddleware::new(cookies.clone())
        .store(Arc::clone(store), storage)
        .on_rejected(move |error| log.lock().unwrap().push(error.to_string()));
    (layer, middleware)
}

/// Runs `test` on an actix system (a tokio runtime with I/O and timers).
pub fn run<F: Future>(test: F) -> F::Output {
    actix_web::rt::System::new().block_on(test)
}

pub struct Reply {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub body: String,
    /// The `Vary` and `Cache-Control` header values, joined.
    pub vary: String,
    pub cache_control: String,
}

impl Reply {
    /// The `name=value` of the session cookie set, if one was (not a removal).
    pub fn cookie(&self) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|line| line.starts_with(NAME) && !line.contains("Max-Age=0"))
            .map(|line| line.split(';').next().unwrap().to_owned())
    }

    /// Whether the session cookie was deleted.
    pub fn removed(&self) -> bool {
        self.set_cookies
            .iter()
            .any(|line| line.starts_with(&format!("{NAME}=;")) && line.contains("Max-Age=0"))
    }
}

impl Setup {
    /// The same store, mode and framework behind layers built from `cookies`
    /// (another keyring, other lifetimes).
    pub fn with_cookies(&self, cookies: SessionCookie) -> Setup {
        let (layer, middleware) = layers(&cookies, &self.store, self.storage, &self.rejected);
        Setup {
            framework: self.framework,
            storage: self.storage,
            store_name: self.store_name,
            store: Arc::clone(&self.store),
            switch: self.switch.clone(),
            cookies,
            gate: Arc::clone(&self.gate),
            rejected: Arc::clone(&self.rejected),
            layer,
            middleware,
        }
    }

    /// With a store-error hook that answers a 500 saying "custom".
    pub fn with_custom_store_error(mut self) -> Setup {
        self.layer = self.layer.on_store_error(|error| {
            let mut response = axum::http::Response::new(format!("custom: {error}"));
            *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
            response
        });
        self.middleware = self.middleware.on_store_error(|error| {
            actix_web::HttpResponse::InternalServerError().body(format!("custom: {error}"))
        });
        self
    }

    /// With `refresh_every_request(true)`.
    pub fn with_refresh(mut self) -> Setup {
        self.layer = self.layer.refresh_every_request(true);
        self.middleware = self.middleware.refresh_every_request(true);
        self
    }

    /// The rejection hook's messages so far.
    pub fn rejections(&self) -> Vec<String> {
        self.rejected.lock().unwrap().clone()
    }

    pub fn calls(&self) -> Calls {
        self.store.calls()
    }

    /// Whether `cookie` (`name=value`) holds an inline session, as opposed
    /// to a reference to a stored one.
    pub fn is_inline(&self, cookie: &str) -> bool {
        self.cookies
            .load::<SessionMap>([cookie], SystemTime::now())
            .decoded()
            .is_some()
    }

    /// Sends `GET path` with the `Cookie` header `cookie`.
    pub async fn send(&self, path: &str, cookie: Option<&str>) -> Reply {
        match self.framework {
            Framework::Axum => self.send_axum(path, cookie).await,
            Framework::Actix => self.send_actix(path, cookie).await,
        }
    }

    async fn send_axum(&self, path: &str, cookie: Option<&str>) -> Reply {
        use axum::routing::get;
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/none", get(|| async { "none" }))
            .route("/{*rest}", get(axum_handler))
            .layer(axum::Extension(Arc::clone(&self.gate)))
            .layer(self.layer.clone());
        let mut request = axum::http::Request::builder().uri(path);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let request = request.body(axum::body::Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers();
        let joined = |name: &str| {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            values.join(", ")
        };
        let (vary, cache_control) = (joined("vary"), joined("cache-control"));
        let set_cookies = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            set_cookies,
            body: String::from_utf8(body.to_vec()).unwrap(),
            vary,
            cache_control,
        }
    }

    async fn send_actix(&self, path: &str, cookie: Option<&str>) -> Reply {
        use actix_web::{test, web, App};
        let app = test::init_service(
            App::new()
                .wrap(self.middleware.clone())
                .app_data(web::Data::from(Arc::clone(&self.gate)))
                .route("/none", web::get().to(|| async { "none" }))
                .route("/{rest:.*}", web::get().to(actix_handler)),
        )
        .await;
        let mut request = test::TestRequest::get().uri(path);
        if let Some(cookie) = cookie {
            request = request.append_header(("cookie", cookie));
        }
        let response = test::call_service(&app, request.to_request()).await;
        let status = response.status().as_u16();
        let headers = response.headers();
        let joined = |name: &str| {
            let values: Vec<&str> = headers.get_all(name).map(|v| v.to_str().unwrap()).collect();
            values.join(", ")
        };
        let (vary, cache_control) = (joined("vary"), joined("cache-control"));
        let set_cookies = headers
            .get_all("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = test::read_body(response).await;
        Reply {
            status,
            set_cookies,
            body: String::from_utf8(body.to_vec()).unwrap(),
            vary,
            cache_control,
        }
    }
}

async fn axum_handler(
    session: Session,
    uri: axum::http::Uri,
    axum::Extension(gate): axum::Extension<Arc<Gate>>,
) -> Result<String, Error> {
    dispatch(&session, uri.path(), &gate).await
}

async fn actix_handler(
    session: cookie_seal::actix::Session,
    request: actix_web::HttpRequest,
    gate: actix_web::web::Data<Gate>,
) -> Result<String, Error> {
    dispatch(&session, request.path(), &gate).await
}

/// The handlers, by path: `/get/k`, `/set/k/v`, `/slowset/k/v` (yields
/// before it writes), `/hold/k/v` (writes, signals `held`, then waits for `release`),
/// `/touch`, `/drop/k`, `/clear`, `/failset/k/v` and `/failclear` (a 500
/// after the change), `/login/user`, `/regenerate`,
/// `/big/n` (a value of n bytes), `/remember/k/v` (and an idle lifetime of
/// an hour), `/user`, `/keys`.
async fn dispatch(session: &Session, path: &str, gate: &Gate) -> Result<String, Error> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["get", key] => Ok(session
            .get::<String>(key)?
            .unwrap_or_else(|| "-".to_owned())),
        ["set", key, value] => {
            session.insert(key, value)?;
            Ok("set".to_owned())
        }
        ["slowset", key, value] => {
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
            session.insert(key, value)?;
            Ok("set".to_owned())
        }
        ["hold", key, value] => {
            session.insert(key, value)?;
            gate.held.notify_one();
            gate.release.notified().await;
            Ok("held".to_owned())
        }
        ["touch"] => Ok(format!("{} keys", session.len())),
        ["drop", key] => Ok(session.remove(key).to_string()),
        ["clear"] => {
            session.clear();
            Ok("cleared".to_owned())
        }
        // Change, then fail with a 500.
        ["failset", key, value] => {
            session.insert(key, value)?;
            Err(Error::Invalid)
        }
        ["failclear"] => {
            session.clear();
            Err(Error::Invalid)
        }
        ["login", user] => {
            session.clear_and_regenerate()?;
            session.insert("user", user)?;
            session.set_user(user)?;
            Ok("in".to_owned())
        }
        ["regenerate"] => {
            session.regenerate()?;
            Ok("regenerated".to_owned())
        }
        ["big", len] => {
            let len: usize = len.parse().unwrap();
            session.insert("big", &incompressible(len))?;
            Ok("big".to_owned())
        }
        ["remember", key, value] => {
            session.insert(key, value)?;
            session.set_expiry(cookie_seal::Expiry::OnInactivity(
                std::time::Duration::from_secs(3600),
            ));
            Ok("remembered".to_owned())
        }
        ["user"] => Ok(session.user().unwrap_or_else(|| "-".to_owned())),
        ["keys"] => Ok(session.keys().join(",")),
        _ => Ok("?".to_owned()),
    }
}

/// `len` letters that deflate does not shrink much (a xorshift stream).
fn incompressible(len: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}
