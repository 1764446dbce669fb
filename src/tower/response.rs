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

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`](super::SessionService): the
    /// app's response with the session's `Set-Cookie` headers (with a store,
    /// after the store call that saves the session). `B` is the response body.
    pub struct ResponseFuture<F, B> {
        // The app's future, in place (no box per request); `None` once it
        // answered, or when the app is not called.
        #[pin]
        inner: Option<F>,
        stage: Stage<B>,
        hooks: Hooks<Response<String>>,
    }
}

pub(super) enum Stage<B> {
    /// The app is answering the request.
    Call(Arc<RequestState>),
    /// A 500 with this message, without calling the app: another session
    /// layer's state was already on the request.
    Refused(String),
    /// A store layer is saving the session; the app's response waits.
    /// Boxed: the cookie-only layer's future is no bigger for it.
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
    /// The app's future `inner` (`None` if the app is not called) and what
    /// comes after it.
    pub(super) fn new(
        inner: Option<F>,
        stage: Stage<B>,
        hooks: Hooks<Response<String>>,
    ) -> ResponseFuture<F, B> {
        ResponseFuture {
            inner,
            stage,
            hooks,
        }
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
        let mut this = self.project();
        match this.stage {
            Stage::Call(state) => {
                let Some(inner) = this.inner.as_mut().as_pin_mut() else {
                    return Poll::Pending;
                };
                let answered = ready!(inner.poll(cx));
                this.inner.set(None);
                let response = match answered {
                    Ok(response) => response,
                    Err(error) => {
                        *this.stage = Stage::Done(PhantomData);
                        return Poll::Ready(Err(error));
                    }
                };
                let kind = ResponseKind {
                    server_error: response.status().is_server_error(),
                    shared_cacheable: shared_cacheable(cache_control(response.headers())),
                };
                match this.hooks.finish_step(state, kind) {
                    Step::Ready(finish) => {
                        *this.stage = Stage::Done(PhantomData);
                        Poll::Ready(Ok(end(response, finish)))
                    }
                    #[cfg(feature = "store")]
                    Step::Wait(waiting) => {
                        let mut saving = Box::new(Saving {
                            waiting,
                            response: Some(response),
                        });
                        let polled = poll_saving(&mut saving, this.hooks, cx);
                        *this.stage = match polled {
                            Poll::Ready(_) => Stage::Done(PhantomData),
                            Poll::Pending => Stage::Saving(saving),
                        };
                        polled.map(Ok)
                    }
                }
            }
            Stage::Refused(message) => {
                let page = plain_500(std::mem::take(message));
                *this.stage = Stage::Done(PhantomData);
                Poll::Ready(Ok(page.map(B::from)))
            }
            #[cfg(feature = "store")]
            Stage::Saving(saving) => {
                let polled = poll_saving(saving, this.hooks, cx);
                if polled.is_ready() {
                    *this.stage = Stage::Done(PhantomData);
                }
                polled.map(Ok)
            }
            // Polled after completion: nothing more will come.
            Stage::Done(_) => Poll::Pending,
        }
    }
}

/// A store layer's save: the app's response once the store call is done.
#[cfg(feature = "store")]
fn poll_saving<B: From<String>>(
    saving: &mut Saving<B>,
    hooks: &Hooks<Response<String>>,
    cx: &mut Context<'_>,
) -> Poll<Response<B>> {
    let outcome = ready!(saving.waiting.future.as_mut().poll(cx));
    let finish = hooks.finish_waited(saving.waiting.took_session(), outcome);
    match saving.response.take() {
        Some(response) => Poll::Ready(end(response, finish)),
        None => Poll::Pending,
    }
}

/// The response with the session's headers, or the hook's page instead.
fn end<B: From<String>>(
    mut response: Response<B>,
    finish: Result<Finish, Response<String>>,
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

    fn append_set_cookie(&mut self, value: String) {
        // Valid (`Finish::new`): never skipped.
        if let Ok(value) = HeaderValue::try_from(value) {
            self.append(SET_COOKIE, value);
        }
    }
}
