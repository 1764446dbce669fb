//! Saving: the session (or its absence) to the `Set-Cookie` values to send.

use std::borrow::Cow;
use std::time::SystemTime;

use serde::Serialize;

use super::{Loaded, SessionCookie};
use crate::codec::{EncodeOptions, Expiry};
use crate::cookie::chunk::PresentCookies;
use crate::error::Error;
use crate::session::SessionMap;

impl SessionCookie {
    /// This cookie config with the `Max-Age` that `expiry` asks for:
    /// borrowed for [`Expiry::Configured`].
    fn for_expiry(&self, expiry: Expiry) -> Cow<'_, SessionCookie> {
        match expiry {
            Expiry::Configured => Cow::Borrowed(self),
            Expiry::OnInactivity(lifetime) => {
                let mut cookies = self.clone();
                cookies.config.browser_session = false;
                cookies.max_age = lifetime;
                Cow::Owned(cookies)
            }
            Expiry::OnSessionEnd => {
                let mut cookies = self.clone();
                cookies.config.browser_session = true;
                Cow::Owned(cookies)
            }
        }
    }

    /// Encodes `value` and renders the `Set-Cookie` values that store it,
    /// deleting cookies in `present` that it no longer uses. The cookies'
    /// `Max-Age` follows the options' [`Expiry`] (an idle lifetime over the
    /// codec's `max_age` is shortened to it).
    ///
    /// Pass `EncodeOptions::new()` for a new session (after login) or
    /// [`Decoded::carry_over`](crate::Decoded::carry_over) to keep its creation time and generation. The
    /// context is always the cookie name.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if `options` sets a context (the cookie
    /// name is the context); everything [`Codec::encode_with`](crate::Codec::encode_with) reports,
    /// notably [`Error::TooLarge`] when the value does not fit the cookie.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, EncodeOptions, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::signed(Keyring::new(1, Key::generate())).purpose("remember-me"),
    ///     CookieConfig::new("__Host-remember")?,
    /// )?;
    /// let now = SystemTime::now();
    /// let set = cookies.store(&42u64, &EncodeOptions::new(), &PresentCookies::none(), now)?;
    /// let request = set[0].split(';').next().unwrap_or_default();
    /// let loaded = cookies.load::<u64>([request], now);
    /// assert_eq!(loaded.decoded().map(|d| d.value), Some(42));
    /// # Ok(()) }
    /// ```
    pub fn store<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncodeOptions<'_>,
        present: &PresentCookies,
        now: SystemTime,
    ) -> Result<Vec<String>, Error> {
        if !options.context.is_empty() {
            return Err(Error::InvalidOption(
                "the cookie layer binds the cookie name as the context",
            ));
        }
        let expiry = options.expiry.capped(self.codec.settings().max_age());
        let options = options.context(self.context()).expiry(expiry);
        let token = self.codec.encode_with(value, &options, now)?;
        self.for_expiry(expiry).set_cookies(&token, present)
    }

    /// The `Set-Cookie` values that delete the session: the single cookie
    /// `name` always, plus every chunk in `present`.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::default().chunking(3),
    /// )?;
    /// let removals = cookies.removal_cookies(&PresentCookies::none().chunks(2));
    /// assert_eq!(removals.len(), 3);
    /// assert!(removals[2].starts_with("session.1=; ") && removals[2].contains("Max-Age=0"));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn removal_cookies(&self, present: &PresentCookies) -> Vec<String> {
        std::iter::once(self.config.render_removal(&self.config.name))
            .chain(
                present
                    .chunk_indices()
                    .map(|i| self.config.render_removal(&self.config.chunk_name(i))),
            )
            .collect()
    }

    /// The `Set-Cookie` values (possibly none) to send after a request that
    /// loaded `loaded` and ended with `session`:
    ///
    /// - an empty session that was changed (logout: `clear()`), or a request
    ///   whose cookie was rejected: delete the cookies the request carried
    ///   (not after [`Error::AmbiguousCookie`] or [`Error::TooManyCookies`],
    ///   see [`SessionCookie::load`]);
    /// - a changed session, or one whose token [needs
    ///   re-issue](Loaded::needs_reissue) (key rotation): store it. When the
    ///   session keeps the loaded ID, its creation time and generation carry
    ///   over ([`Decoded::carry_over`](crate::Decoded::carry_over)); after [`SessionMap::regenerate`] (login)
    ///   it starts afresh;
    /// - otherwise nothing.
    ///
    /// The token gets the session's [expiry](SessionMap::set_expiry) and
    /// [generation](SessionMap::set_generation). Every session that was
    /// accepted once re-issues: the codec counts what a re-issue may add (a
    /// creation field, a longer key ID) against the budget when it first
    /// writes a token. The one exception, a signed token near the budget
    /// read by a sealed codec that [accepts signed
    /// tokens](crate::Codec::accept_signed) (a sealed token is 9 bytes longer), is
    /// not re-issued: nothing is sent and the signed cookie stays valid
    /// until it expires or the session changes.
    ///
    /// # Errors
    /// See [`SessionCookie::store`]; notably [`Error::TooLarge`] when the
    /// session no longer fits the cookie.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring, SessionMap};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::default(),
    /// )?;
    /// let now = SystemTime::now();
    /// let loaded = cookies.load::<SessionMap>(["session=forged"], now);
    /// assert!(loaded.error().is_some());
    /// let session = loaded.session();
    /// assert!(session.is_empty());
    /// // The rejected cookie is deleted.
    /// let set_cookie = cookies.save(&loaded, &session, now)?;
    /// assert!(set_cookie[0].starts_with("session=; ") && set_cookie[0].contains("Max-Age=0"));
    /// # Ok(()) }
    /// ```
    pub fn save(
        &self,
        loaded: &Loaded<SessionMap>,
        session: &SessionMap,
        now: SystemTime,
    ) -> Result<Vec<String>, Error> {
        let rejected = loaded.error.is_some();
        // Which of several cookies is the user's cannot be told: delete none.
        let undecided = matches!(
            loaded.error,
            Some(Error::AmbiguousCookie { .. } | Error::TooManyCookies { .. })
        );
        if session.is_blank() {
            let stale =
                session.is_modified() || (rejected && !undecided) || loaded.decoded.is_some();
            return Ok(if stale && !loaded.present.is_empty() {
                self.removal_cookies(&loaded.present)
            } else {
                Vec::new()
            });
        }
        if !session.is_modified() && !loaded.needs_reissue() && !rejected {
            return Ok(Vec::new());
        }
        let mut options = match &loaded.decoded {
            Some(decoded) if decoded.value.id() == session.id() => decoded.carry_over(),
            _ => EncodeOptions::new(),
        };
        let (expiry, generation) = session.envelope();
        if let Some(expiry) = expiry {
            options = options.expiry(expiry);
        }
        if let Some(generation) = generation {
            options = options.generation(generation);
        }
        match self.store(session, &options, &loaded.present, now) {
            // A re-issue alone (the handler changed nothing) that does not
            // fit: the cookie the request carried is still valid, so keep
            // it rather than fail the request. The codec budgets every token
            // it writes for its re-issues, so this is only reached by a
            // signed token re-issued sealed (`Codec::accept_signed`), whose
            // overhead is larger.
            Err(Error::TooLarge { .. }) if !session.is_modified() && !rejected => Ok(Vec::new()),
            result => result,
        }
    }
}
