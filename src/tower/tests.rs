use std::future::{ready, Ready};
use std::task::{Context, Poll, Waker};

use super::*;
use crate::cookie::CookieConfig;
use crate::{Codec, Key, Keyring};

fn layer() -> SessionLayer {
    let codec = Codec::sealed(Keyring::new(1, Key::from_bytes(&[3; 32]).unwrap()));
    SessionLayer::new(SessionCookie::new(codec, CookieConfig::new("s").unwrap()).unwrap())
}

/// An app that is never ready (`pending`) or reports an error instead.
struct Gate {
    pending: bool,
}

impl Service<Request<()>> for Gate {
    type Response = Response<String>;
    type Error = &'static str;
    type Future = Ready<Result<Response<String>, &'static str>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), &'static str>> {
        if self.pending {
            Poll::Pending
        } else {
            Poll::Ready(Err("app not ready"))
        }
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(String::new())))
    }
}

#[test]
fn readiness_is_the_app_s() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut waiting = layer().layer(Gate { pending: true });
    assert!(waiting.poll_ready(&mut cx).is_pending());
    let mut failing = layer().layer(Gate { pending: false });
    assert_eq!(
        failing.poll_ready(&mut cx),
        Poll::Ready(Err("app not ready"))
    );
}

#[test]
fn debug_names_the_layer_its_service_and_future() {
    let layer = layer().refresh_every_request(true);
    let text = format!("{layer:?}");
    assert!(
        text.starts_with("SessionLayer { config: Config {"),
        "{text}"
    );
    assert!(text.contains("refresh_every_request: true"), "{text}");
    let mut service = layer.layer(Gate { pending: false });
    let text = format!("{service:?}");
    assert!(
        text.starts_with("SessionService { layer: SessionLayer {"),
        "{text}"
    );
    let future = service.call(Request::new(()));
    assert_eq!(format!("{future:?}"), "ResponseFuture { .. }");
}
