//! What the tower layer and the actix-web middleware share: the per-request
//! config, the save-error hook, and the start and end of each request.

use std::fmt;
use std::sync::Arc;

use super::state::{Finish, ResponseKind};
use super::{Config, RequestExtension, RequestState};
use crate::cookie::SessionCookie;
use crate::error::Error;
#[cfg(feature = "store")]
use crate::store::{SessionStore, Storage, StoreError};

/// The body of the default response for a session that cannot be saved.
pub(crate) const SAVE_ERROR_BODY: &str =
    "500 Internal Server Error: the session could not be saved";

/// The body of the 500 for a handler's [`Error`]: nothing about the session,
/// since the error may describe its contents or the server's keys.
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) const SESSION_ERROR_BODY: &str = "500 Internal Server Error: session error";

/// The body of the default response when the session store fails.
#[cfg(feature = "store")]
pub(crate) const STORE_ERROR_BODY: &str =
    "503 Service Unavailable: the session store is unavailable";

/// A layer's or middleware's state; `R` is the framework's response type.
/// Cloned into every request: two `Arc`s.
pub(crate) struct Hooks<R> {
    config: Arc<Config>,
    responses: Arc<Responses<R>>,
}

/// The hooks that build a response instead of the handler's.
struct Responses<R> {
    on_save_error: Arc<dyn Fn(&Error) -> R + Send + Sync>,
    /// Set by each framework's constructor to its default 503.
    #[cfg(feature = "store")]
    on_store_error: Option<StoreErrorHook<R>>,
}

#[cfg(feature = "store")]
type StoreErrorHook<R> = Arc<dyn Fn(&StoreError) -> R + Send + Sync>;

impl<R> Clone for Responses<R> {
    fn clone(&self) -> Responses<R> {
        Responses {
            on_save_error: Arc::clone(&self.on_save_error),
            #[cfg(feature = "store")]
            on_store_error: self.on_store_error.clone(),
        }
    }
}

impl<R> Clone for Hooks<R> {
    fn clone(&self) -> Hooks<R> {
        Hooks {
            config: Arc::clone(&self.config),
            responses: Arc::clone(&self.responses),
        }
    }
}

/// How a request ends: decided now, or after a store call.
pub(crate) enum Step<R> {
    /// The `Set-Cookie` values, or the response to send instead.
    Ready(Result<Finish, R>),
    /// A store call to await, then [`Hooks::finish_waited`].
    #[cfg(feature = "store")]
    Wait(Waiting),
}

/// A store layer's save under way.
#[cfg(feature = "store")]
pub(crate) struct Waiting {
    pub(crate) future: super::store::SaveFuture,
    took_session: bool,
}

impl<R> Hooks<R> {
    /// No rejection hook; `on_save_error` builds the response for a session
    /// that cannot be saved.
    pub(crate) fn new(
        cookies: SessionCookie,
        on_save_error: impl Fn(&Error) -> R + Send + Sync + 'static,
    ) -> Hooks<R> {
        Hooks {
            config: Arc::new(Config::new(cookies)),
            responses: Arc::new(Responses {
                on_save_error: Arc::new(on_save_error),
                #[cfg(feature = "store")]
                on_store_error: None,
            }),
        }
    }

    /// Keeps sessions in `store` (see the `store` module of `web_session`).
    #[cfg(feature = "store")]
    pub(crate) fn store(&mut self, store: Arc<dyn SessionStore>, storage: Storage) {
        let config = Arc::make_mut(&mut self.config);
        config.store = Some(Arc::new(super::store::StoreConfig::new(
            &config.cookies,
            store,
            storage,
        )));
    }

    #[cfg(feature = "store")]
    pub(crate) fn on_store_error(
        &mut self,
        hook: impl Fn(&StoreError) -> R + Send + Sync + 'static,
    ) {
        Arc::make_mut(&mut self.responses).on_store_error = Some(Arc::new(hook));
    }

    /// The response for a store failure: the hook's, or (only if a
    /// framework set none) the save-error response.
    #[cfg(feature = "store")]
    fn store_error_response(&self, error: &StoreError) -> R {
        match &self.responses.on_store_error {
            Some(hook) => hook(error),
            None => self.save_error_response(&Error::InvalidOption("the session store failed")),
        }
    }

    /// The response for a session that cannot be saved.
    fn save_error_response(&self, error: &Error) -> R {
        (self.responses.on_save_error)(error)
    }

    pub(crate) fn on_rejected(&mut self, hook: impl Fn(&Error) + Send + Sync + 'static) {
        Arc::make_mut(&mut self.config).on_rejected(hook);
    }

    pub(crate) fn on_save_error(&mut self, hook: impl Fn(&Error) -> R + Send + Sync + 'static) {
        Arc::make_mut(&mut self.responses).on_save_error = Arc::new(hook);
    }

    pub(crate) fn refresh_every_request(&mut self, refresh: bool) {
        Arc::make_mut(&mut self.config).refresh_every_request = refresh;
    }

    /// A new request's session state, and the request extension that
    /// carries it to the extractors. `headers` (the `Cookie` lines) are
    /// read now only with [`Config::refresh_every_request`].
    ///
    /// # Errors
    /// The message for a request that already carries another session
    /// layer's state (two layers with different configs on one route: the
    /// handler would see only the inner one, and the outer one would never
    /// write). The same layer applied twice is not an error: the inner one
    /// does the work and the outer one finds nothing to write.
    pub(crate) fn start<'h>(
        &self,
        already: Option<&RequestExtension>,
        headers: impl Iterator<Item = &'h [u8]>,
    ) -> Result<(Arc<RequestState>, RequestExtension), String> {
        if let Some(RequestExtension(outer)) = already {
            if !Arc::ptr_eq(&outer.config, &self.config) {
                let message = super::two_layers_message(
                    outer.config.cookies.config().name(),
                    self.config.cookies.config().name(),
                );
                let _ = super::log_once(&super::TWO_LAYERS_LOGGED, &message);
                return Err(message);
            }
        }
        let state = Arc::new(RequestState::start(Arc::clone(&self.config), headers));
        let extension = RequestExtension(Arc::clone(&state));
        Ok((state, extension))
    }

    /// The `Set-Cookie` values that end the request (as header type `H`)
    /// and whether `Vary: Cookie` is due, or the response to send instead
    /// when the session cannot be saved.
    pub(crate) fn finish(&self, state: &RequestState, kind: ResponseKind) -> Result<Finish, R> {
        state
            .finish(kind)
            .map_err(|error| self.save_error_response(&error))
    }

    /// How the request ends: [`Hooks::finish`] for the cookie-only layers;
    /// with a store, the store-error response if loading failed, else the
    /// save, which may need a store call ([`Step::Wait`]).
    pub(crate) fn finish_step(&self, state: &RequestState, kind: ResponseKind) -> Step<R> {
        #[cfg(feature = "store")]
        if let Some(store) = &self.config.store {
            if let Some(error) = state.take_failure() {
                return Step::Ready(Err(self.store_error_response(&error)));
            }
            let (saved, took_session) = state.save_stored(store, kind);
            return match saved {
                super::store::Saved::Now(result) => Step::Ready(
                    result
                        .and_then(|values| finish_with(values, took_session))
                        .map_err(|error| self.save_error_response(&error)),
                ),
                super::store::Saved::Later(future) => Step::Wait(Waiting {
                    future,
                    took_session,
                }),
            };
        }
        Step::Ready(self.finish(state, kind))
    }

    /// The end of a [`Step::Wait`]: the store call's outcome.
    #[cfg(feature = "store")]
    pub(crate) fn finish_waited(
        &self,
        took_session: bool,
        outcome: Result<Vec<String>, StoreError>,
    ) -> Result<Finish, R> {
        match outcome {
            Ok(values) => {
                finish_with(values, took_session).map_err(|error| self.save_error_response(&error))
            }
            Err(error) => Err(self.store_error_response(&error)),
        }
    }

    /// `Debug` for the layer or middleware `name` that holds these hooks.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "store")]
impl Waiting {
    /// Whether a handler took the session (`Vary: Cookie` is due).
    pub(crate) fn took_session(&self) -> bool {
        self.took_session
    }
}

/// A store layer's `Set-Cookie` values as the framework's header type.
#[cfg(feature = "store")]
fn finish_with(values: Vec<String>, took_session: bool) -> Result<Finish, Error> {
    let vary_cookie = took_session || !values.is_empty();
    Finish::new(values, vary_cookie)
}
