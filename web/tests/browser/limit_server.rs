//! A small axum server that sets cookies at the browser's size limit: one
//! session cookie through the crate at exactly name + value = 4096 bytes,
//! the next size up (which the crate refuses), and hand-made cookies.

use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cookie_seal::consts::MAX_COOKIE_LEN;
use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
use cookie_seal::{Codec, EncodeOptions, Error, Key, Keyring, SessionMap};

/// The limit server's state: a session cookie config and the largest padding
/// whose session cookie the crate still writes.
#[derive(Clone)]
pub struct LimitServer {
    cookies: SessionCookie,
    pub max_pad: usize,
}

impl LimitServer {
    pub fn new() -> LimitServer {
        let cookies = SessionCookie::new(
            // The longest key ID, and (in `set_cookie`) a created-delta as
            // long as the issue time: nothing is left for the codec to keep
            // free for a later re-issue, so the largest session fills the
            // cookie to the byte.
            Codec::sealed(Keyring::new(u32::MAX, Key::from_bytes(&[7; 32]).unwrap())),
            CookieConfig::new("__Host-big").unwrap(),
        )
        .unwrap();
        // Grow the padding until the crate refuses the session.
        let max_pad = (2000..4096)
            .take_while(|&pad| LimitServer::set_cookie(&cookies, pad).is_ok())
            .last()
            .unwrap();
        let set = LimitServer::set_cookie(&cookies, max_pad).unwrap();
        let name_value = set.split(';').next().unwrap();
        assert_eq!(
            name_value.len() - 1,
            MAX_COOKIE_LEN,
            "the largest session makes a cookie of exactly name + value = 4096"
        );
        assert!(matches!(
            LimitServer::set_cookie(&cookies, max_pad + 1),
            Err(Error::TooLarge { .. })
        ));
        LimitServer { cookies, max_pad }
    }

    fn set_cookie(cookies: &SessionCookie, pad: usize) -> Result<String, Error> {
        let mut session = SessionMap::new();
        session.insert("pad", &"x".repeat(pad))?;
        let set = cookies.store(
            &session,
            &EncodeOptions::new().created_at(SystemTime::UNIX_EPOCH + Duration::from_secs(1)),
            &PresentCookies::none(),
            SystemTime::now(),
        )?;
        Ok(set.into_iter().next().unwrap_or_default())
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/crate/max", get(crate_max))
            .route("/crate/over", get(crate_over))
            .route("/raw/{total}", get(raw))
            .route("/echo", get(echo))
            .with_state(self)
    }
}

async fn crate_max(State(limits): State<LimitServer>) -> Response {
    let set = LimitServer::set_cookie(&limits.cookies, limits.max_pad).unwrap();
    let len = set.split(';').next().unwrap().len() - 1;
    (
        [(header::SET_COOKIE, set)],
        format!("set __Host-big: name+value {len} bytes\n"),
    )
        .into_response()
}

async fn crate_over(State(limits): State<LimitServer>) -> Response {
    match LimitServer::set_cookie(&limits.cookies, limits.max_pad + 1) {
        Ok(set) => ([(header::SET_COOKIE, set)], "set (unexpected)\n").into_response(),
        Err(error) => {
            (StatusCode::PAYLOAD_TOO_LARGE, format!("refused: {error}\n")).into_response()
        }
    }
}

/// A hand-made cookie `raw<total>` of `total` bytes name + value.
async fn raw(axum::extract::Path(total): axum::extract::Path<usize>) -> Response {
    let name = format!("raw{total}");
    let value = "a".repeat(total.saturating_sub(name.len()));
    (
        [(header::SET_COOKIE, format!("{name}={value}; Path=/"))],
        format!("raw {total}\n"),
    )
        .into_response()
}

/// Lists the cookies received (name and name + value length) and whether
/// `__Host-big` verifies.
async fn echo(State(limits): State<LimitServer>, headers: HeaderMap) -> String {
    let values: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let mut out = String::new();
    for cookie in values
        .iter()
        .flat_map(|h| cookie::Cookie::split_parse(*h).flatten())
    {
        out.push_str(&format!(
            "{} {}\n",
            cookie.name(),
            cookie.name().len() + cookie.value().len()
        ));
    }
    let loaded = limits
        .cookies
        .load::<SessionMap>(values.iter().copied(), SystemTime::now());
    let verdict = match (loaded.decoded(), loaded.error()) {
        (Some(decoded), _) => format!(
            "verified pad={}",
            decoded
                .value
                .get::<String>("pad")
                .ok()
                .flatten()
                .map_or(0, |p| p.len())
        ),
        (None, Some(error)) => format!("rejected: {error}"),
        (None, None) => "absent".to_owned(),
    };
    out.push_str(&format!("big: {verdict}\n"));
    out
}

/// Serves `router` on a free loopback port from a background thread.
pub fn serve(router: Router) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    format!(
        "http://{}",
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    )
}
