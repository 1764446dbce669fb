//! What the tower layer and the actix-web middleware share: the per-request
//! config, the save-error hook, and the start and end of each request.

use std::fmt;
use std::sync::Arc;

use super::state::{Finish, ResponseKind};
use super::{Config, RequestExtension, RequestState};
use crate::cookie::SessionCookie;
use crate::error::Error;

/// The body of the default response for a session that cannot be saved.
pub(crate) const SAVE_ERROR_BODY: &str =
    "500 Internal Server Error: the session could not be saved";

/// The body of the 500 for a handler's [`Error`]: nothing about the session,
/// since the error may describe its contents or the server's keys.
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) const SESSION_ERROR_BODY: &str = "500 Internal Server Error: session error";

/// A layer's or middleware's state; `R` is the framework's response type.
pub(crate) struct Hooks<R> {
    config: Arc<Config>,
    on_save_error: Arc<dyn Fn(&Error) -> R + Send + Sync>,
}

impl<R> Clone for Hooks<R> {
    fn clone(&self) -> Hooks<R> {
        Hooks {
            config: Arc::clone(&self.config),
            on_save_error: Arc::clone(&self.on_save_error),
        }
    }
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
            on_save_error: Arc::new(on_save_error),
        }
    }

    pub(crate) fn on_rejected(&mut self, hook: impl Fn(&Error) + Send + Sync + 'static) {
        Arc::make_mut(&mut self.config).on_rejected(hook);
    }

    pub(crate) fn on_save_error(&mut self, hook: impl Fn(&Error) -> R + Send + Sync + 'static) {
        self.on_save_error = Arc::new(hook);
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
    pub(crate) fn finish<H: TryFrom<String>>(
        &self,
        state: &RequestState,
        kind: ResponseKind,
    ) -> Result<Finish<H>, R> {
        state
            .finish(kind)
            .map_err(|error| (self.on_save_error)(&error))
    }

    /// `Debug` for the layer or middleware `name` that holds these hooks.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
