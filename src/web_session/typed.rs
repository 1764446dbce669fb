//! The typed session handle: the whole session as one serde type.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::state::{Load, Saver};
use super::{lock, RequestExtension, SessionRejection};
use crate::codec::EncodeOptions;
use crate::cookie::{Loaded, SessionCookie};
use crate::error::Error;

/// A typed session of one request: the value as loaded, and what the
/// handler made of it.
struct TypedState<T> {
    loaded: Loaded<T>,
    /// `None`: unchanged; `Some(None)`: cleared; `Some(Some(v))`: set to `v`.
    current: Option<Option<T>>,
    /// [`Typed::replace_and_regenerate`]: store as a new session (fresh creation time).
    fresh: bool,
}

impl<T: DeserializeOwned + Send + 'static> Load for TypedState<T> {
    fn load<'h>(
        cookies: &SessionCookie,
        headers: impl Iterator<Item = &'h [u8]>,
        now: SystemTime,
    ) -> TypedState<T> {
        TypedState {
            loaded: cookies.load_bytes::<T>(headers, now),
            current: None,
            fresh: false,
        }
    }

    fn rejection(&self) -> Option<&Error> {
        self.loaded.error()
    }
}

impl<T> TypedState<T> {
    fn value(&self) -> Option<&T> {
        match &self.current {
            None => self.loaded.decoded().map(|decoded| &decoded.value),
            Some(current) => current.as_ref(),
        }
    }
}

impl<T: Serialize + Send> Saver for Mutex<TypedState<T>> {
    /// The typed counterpart of [`SessionCookie::save`]: the same decisions,
    /// with "changed" meaning "serializes differently from what was loaded".
    fn set_cookies(
        &self,
        cookies: &SessionCookie,
        now: SystemTime,
        reissue: bool,
    ) -> Result<Vec<String>, Error> {
        let state = lock(self);
        let original = state.loaded.decoded();
        let changed = match (&state.current, original) {
            (None, _) | (Some(None), None) => false,
            (Some(None), Some(_)) | (Some(Some(_)), None) => true,
            (Some(Some(new)), Some(old)) => {
                state.fresh
                    || crate::serialize::to_bytes(new)? != crate::serialize::to_bytes(&old.value)?
            }
        };
        // Not after an ambiguous request: junk or planted siblings must
        // never get the user's cookie deleted (`Loaded::rejected`).
        let rejected = state.loaded.rejected();
        let present = state.loaded.present();
        let Some(value) = state.value() else {
            return Ok(if (changed || rejected) && !present.is_empty() {
                cookies.removal_cookies(present)
            } else {
                Vec::new()
            });
        };
        let reissue_due = reissue && state.loaded.needs_reissue();
        if !(changed || rejected || reissue_due) {
            return Ok(Vec::new());
        }
        let options = match original {
            Some(decoded) if !state.fresh => decoded.carry_over(),
            _ => EncodeOptions::new(),
        };
        cookies.store(value, &options, present, now)
    }

    fn removals(&self, cookies: &SessionCookie) -> Vec<String> {
        let state = lock(self);
        let present = state.loaded.present();
        let cleared = matches!(state.current, Some(None)) && state.loaded.decoded().is_some();
        if (cleared || state.loaded.rejected()) && !present.is_empty() {
            cookies.removal_cookies(present)
        } else {
            Vec::new()
        }
    }
}

/// A handle to this request's session as one serde type `T` (a struct of
/// the app's session fields): `cookie_seal::axum::Typed<T>` and
/// `cookie_seal::actix::Typed<T>`. Every clone sees the same value.
///
/// The same flow as [`Session`](super::Session): a missing or rejected cookie is no value
/// (`get` gives `None`), a value is written only when it serializes
/// differently from the one loaded (so a request that reads, or sets the
/// same value again, writes nothing), re-issues after key rotation happen
/// also for read-only requests, and [`Typed::clear`] deletes the cookie.
/// Use one session type per app, and build the layer's codec with
/// [`Codec::payload_type::<T>()`](crate::Codec::payload_type): typed values
/// are postcard, which is not self-describing, so without it a cookie
/// written by an older deploy's `T` could decode into a changed `T` as
/// different values. With it, such a cookie fails authentication and is
/// rejected and deleted like a forged one (the user signs in again).
pub struct Typed<T> {
    cell: Arc<Mutex<TypedState<T>>>,
}

impl<T> Clone for Typed<T> {
    fn clone(&self) -> Typed<T> {
        Typed {
            cell: Arc::clone(&self.cell),
        }
    }
}

impl<T> Typed<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + 'static,
{
    pub(crate) fn load(
        extension: Option<&RequestExtension>,
        missing: SessionRejection,
        headers: &mut dyn Iterator<Item = &[u8]>,
    ) -> Result<Typed<T>, SessionRejection> {
        let state = extension.ok_or(missing)?;
        Ok(Typed {
            cell: state.0.get_or_load(headers)?,
        })
    }

    /// A copy of the session value; `None` if there is none (no cookie, a
    /// rejected cookie, or after [`Typed::clear`]).
    #[must_use]
    pub fn get(&self) -> Option<T> {
        lock(&self.cell).value().cloned()
    }

    /// Replaces the session value. It is written only if it serializes
    /// differently from the value loaded.
    pub fn set(&self, value: T) {
        lock(&self.cell).current = Some(Some(value));
    }

    /// Removes the value: the cookie is deleted (logout).
    pub fn clear(&self) {
        lock(&self.cell).current = Some(None);
    }

    /// Replaces the value with `value` as a new session, as at login: it is
    /// always written, with a fresh creation time (the absolute lifetime
    /// starts again) instead of the loaded session's.
    pub fn replace_and_regenerate(&self, value: T) {
        let mut state = lock(&self.cell);
        state.current = Some(Some(value));
        state.fresh = true;
    }

    /// Why the request's cookie was rejected, if it carried one that did not
    /// verify or decode as `T`.
    #[must_use]
    pub fn rejection(&self) -> Option<Error> {
        lock(&self.cell).loaded.error().cloned()
    }
}

impl<T> fmt::Debug for Typed<T> {
    /// Whether there is a value, never the value (it may be secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.cell);
        f.debug_struct("Typed")
            .field("has_value", &state.value().is_some())
            .field("changed", &state.current.is_some())
            .finish()
    }
}
