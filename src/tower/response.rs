//! The layer's response future: the app's response with the session's
//! `Set-Cookie` headers, after the store call a store layer's save needs.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::header::{CACHE_CONTROL, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderValue, Response};

use super::plain_500;
use crate::web_session::{
    apply, shared_cacheable, Finish, Hooks, RequestState, ResponseHeaders, ResponseKind, Step,
};

/// The response future of [`SessionService`](super::SessionService): the
/// app's response with the session's `Set-Cookie` headers (with a store,
/// after the store call that saves the session). `B` is the response body.
pub struct ResponseFuture<F, B> {
    stage: Stage<F, B>,
    hooks: Hooks<Response<String>>,
}

pub(super) enum Stage<F, B> {
    /// The app is answering the request.
    Call {
        inner: Pin<Box<F>>,
        state: Arc<RequestState>,
    },
    /// A 500 with this message, without calling the app: another session
    /// layer's state was already on the request.
    Refused(String),
    /// A store layer is saving the session; the app's response waits.
    /// Boxed: this future stays `Unpin` whatever the body, and the
    /// cookie-only layer's future no bigger.
    #[cfg(feature = "store")]
    Saving(Box<Saving<B>>),
    /// Done; never polled again.
    Done(PhantomData<fn() -> B>),
}

#[cfg(feature = "store")]
pub(super) struct Saving<B> {
    waiting: crate::web_session::Waiting,
    response: Option<Response<B>>,
}

impl<F, B> ResponseFuture<F, B> {
    pub(super) fn new(stage: Stage<F, B>, hooks: Hooks<Response<String>>) -> ResponseFuture<F, B> {
        ResponseFuture { stage, hooks }
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: From<String>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match &mut this.stage {
            Stage::Call { inner, state } => {
                let response = ready!(inner.as_mut().poll(cx))?;
                let kind = ResponseKind {
                    server_error: response.status().is_server_error(),
                    shared_cacheable: shared_cacheable(cache_control(response.headers())),
                };
                match this.hooks.finish_step::<HeaderValue>(state, kind) {
                    Step::Ready(finish) => {
                        this.stage = Stage::Done(PhantomData);
                        Poll::Ready(Ok(end(response, finish)))
                    }
                    #[cfg(feature = "store")]
                    Step::Wait(waiting) => {
                        this.stage = Stage::Saving(Box::new(Saving {
                            waiting,
                            response: Some(response),
                        }));
                        Pin::new(this).poll(cx)
                    }
                }
            }
            Stage::Refused(message) => {
                let page = plain_500(std::mem::take(message));
                this.stage = Stage::Done(PhantomData);
                Poll::Ready(Ok(page.map(B::from)))
            }
            #[cfg(feature = "store")]
            Stage::Saving(saving) => {
                let outcome = ready!(saving.waiting.future.as_mut().poll(cx));
                let finish = this
                    .hooks
                    .finish_waited::<HeaderValue>(saving.waiting.took_session(), outcome);
                let response = saving.response.take();
                this.stage = Stage::Done(PhantomData);
                match response {
                    Some(response) => Poll::Ready(Ok(end(response, finish))),
                    None => Poll::Pending,
                }
            }
            // Polled after completion: nothing more will come.
            Stage::Done(_) => Poll::Pending,
        }
    }
}

/// The response with the session's headers, or the hook's page instead.
fn end<B: From<String>>(
    mut response: Response<B>,
    finish: Result<Finish<HeaderValue>, Response<String>>,
) -> Response<B> {
    match finish {
        Ok(finish) => {
            apply(response.headers_mut(), finish);
            response
        }
        Err(page) => page.map(B::from),
    }
}

fn cache_control(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .map(HeaderValue::as_bytes)
}

impl ResponseHeaders for HeaderMap {
    type Value = HeaderValue;

    fn vary(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(VARY).iter().map(HeaderValue::as_bytes)
    }

    fn cache_control(&self) -> impl Iterator<Item = &[u8]> {
        cache_control(self)
    }

    fn append_vary_cookie(&mut self) {
        self.append(VARY, HeaderValue::from_static("Cookie"));
    }

    fn set_cache_control(&mut self, value: Cow<'static, [u8]>) {
        let value = match value {
            // The one borrowed value is `private`.
            Cow::Borrowed(_) => HeaderValue::from_static("private"),
            Cow::Owned(value) => HeaderValue::from_bytes(&value)
                .unwrap_or(HeaderValue::from_static("private, no-store")),
        };
        self.insert(CACHE_CONTROL, value);
    }

    fn append_set_cookie(&mut self, value: HeaderValue) {
        self.append(SET_COOKIE, value);
    }
}
