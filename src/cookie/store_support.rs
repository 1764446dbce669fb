//! What the store layers (feature `store`) need from the cookie layer: a
//! sibling cookie for server-side references, and loads taken apart and
//! put together again.

use super::chunk::PresentCookies;
use super::session_cookie::{Loaded, SessionCookie};
use crate::codec::Decoded;
use crate::error::Error;
use crate::session::SessionMap;

impl SessionCookie {
    /// The same cookie (name, attributes, budget, context) with a codec of
    /// another purpose: its tokens never verify as this cookie's, nor the
    /// other way round (the purpose is part of the subkey derivation).
    pub(crate) fn with_purpose(&self, purpose: &str) -> SessionCookie {
        let mut cookies = self.clone();
        cookies.codec = cookies.codec.purpose(purpose);
        cookies
    }

    /// The [generation check](SessionCookie::generation_check)'s verdict on
    /// `session` written with `generation`: [`Error::Revoked`] if it is older
    /// than the app's current one.
    pub(crate) fn revoked_generation(
        &self,
        session: &SessionMap,
        generation: u32,
    ) -> Option<Error> {
        let check = self.generation_check.as_ref()?;
        let current = (check.0)(session);
        (generation < current).then_some(Error::Revoked {
            generation,
            current,
        })
    }
}

impl<T> Loaded<T> {
    /// The verified token, the rejection and the cookies present.
    pub(crate) fn into_parts(self) -> (Option<Decoded<T>>, Option<Error>, PresentCookies) {
        (self.decoded, self.error, self.present)
    }

    /// A load without a verified token (what the store layers keep: the
    /// session itself comes from the token's payload or from the store).
    pub(crate) fn without_token(error: Option<Error>, present: PresentCookies) -> Loaded<T> {
        Loaded {
            decoded: None,
            error,
            present,
        }
    }
}
