//! [`SessionCookie`]: a codec bound to a cookie config, loading sessions from
//! `Cookie` request headers and deciding the `Set-Cookie` values to send.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

mod load;
mod save;

use super::chunk::PresentCookies;
use super::config::CookieConfig;
use crate::codec::{Codec, DecodeOptions, Decoded};
use crate::error::Error;
use crate::session::SessionMap;

/// What [`SessionCookie::load`] found in a request.
///
/// A missing, forged, expired or malformed cookie never stops the request:
/// [`Loaded::decoded`] is `None` and the app carries on with an empty session;
/// [`Loaded::error`] says why a cookie was rejected (for logging) and
/// [`SessionCookie::save`] deletes it.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub(super) decoded: Option<Decoded<T>>,
    pub(super) error: Option<Error>,
    pub(super) present: PresentCookies,
}

impl<T> Loaded<T> {
    /// The verified token, if the request carried one.
    pub fn decoded(&self) -> Option<&Decoded<T>> {
        self.decoded.as_ref()
    }

    /// The verified token, by value.
    pub fn into_decoded(self) -> Option<Decoded<T>> {
        self.decoded
    }

    /// Why the request's cookie was rejected, if it carried one that did not
    /// verify; `None` if it verified or there was none.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Whether the request's cookies were rejected so that deleting them is
    /// right: a cookie was sent and none verified. False when one verified,
    /// and after [`Error::AmbiguousCookie`] or [`Error::TooManyCookies`]:
    /// which cookie is the user's cannot be told then, and junk or planted
    /// siblings must never get the user's valid cookie deleted.
    /// [`SessionCookie::save`] deletes on exactly this condition.
    pub fn rejected(&self) -> bool {
        self.error.as_ref().is_some_and(|error| {
            !matches!(
                error,
                Error::AmbiguousCookie { .. } | Error::TooManyCookies { .. }
            )
        })
    }

    /// Which of the config's cookies the request carried.
    pub fn present(&self) -> &PresentCookies {
        &self.present
    }

    /// Whether the verified token should be re-issued (old key, other mode,
    /// or the codec's `reissue_after` threshold; see
    /// [`Decoded::needs_reissue`]).
    pub fn needs_reissue(&self) -> bool {
        self.decoded.as_ref().is_some_and(Decoded::needs_reissue)
    }
}

impl Loaded<SessionMap> {
    /// The loaded session, or a new empty one if the request had no valid
    /// cookie. Change it, then pass it to [`SessionCookie::save`].
    ///
    /// The session's [expiry](SessionMap::expiry) and
    /// [generation](SessionMap::generation) are the token's.
    #[must_use]
    pub fn session(&self) -> SessionMap {
        self.decoded
            .as_ref()
            .map(|d| {
                let mut session = d.value.clone();
                session.set_envelope(d.expiry, d.generation);
                session
            })
            .unwrap_or_default()
    }
}

/// The caller-supplied generation check of
/// [`SessionCookie::generation_check`].
#[derive(Clone)]
pub(super) struct GenerationCheck(pub(super) Arc<dyn Fn(&SessionMap) -> u32 + Send + Sync>);

impl fmt::Debug for GenerationCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GenerationCheck(..)")
    }
}

/// A codec bound to a cookie config: loads sessions from `Cookie` request
/// headers and renders `Set-Cookie` values, framework-free.
///
/// - The codec's token budget is set to [`CookieConfig::token_budget`], so
///   every token it encodes fits the cookie (or the chunks).
/// - Every token is bound to the cookie name as its context
///   ([`EncodeOptions::context`](crate::EncodeOptions::context)): a token issued for one cookie does not
///   verify when presented in another.
/// - `Max-Age` is the config's, or else the codec's idle lifetime.
///
/// Build it once at startup and share it (it is cheap to clone).
#[derive(Debug, Clone)]
pub struct SessionCookie {
    pub(super) codec: Codec,
    pub(super) config: CookieConfig,
    pub(super) max_age: Duration,
    /// `config`'s attributes, rendered once ([`CookieConfig::attributes`]).
    pub(super) attributes: Arc<str>,
    pub(super) generation_check: Option<GenerationCheck>,
}

impl SessionCookie {
    /// Binds `codec` to `config`: checks both, sizes the codec's tokens to
    /// what the cookie holds and binds them to the cookie name.
    ///
    /// The token budget becomes [`CookieConfig::token_budget`], or the
    /// codec's own budget if one was set and it is smaller: a budget is never
    /// raised past what the app asked for.
    ///
    /// # Errors
    /// Whatever [`CookieConfig::validate`] and [`Codec::validate`] report.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::Duration;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let codec = Codec::signed(Keyring::new(1, Key::generate())).max_age(Duration::from_secs(600));
    /// let cookies = SessionCookie::new(codec, CookieConfig::new("sid")?)?;
    /// assert_eq!(cookies.codec().settings().token_budget(), 4096 - 3);
    /// assert_eq!(cookies.max_age(), Duration::from_secs(600));
    /// # Ok(()) }
    /// ```
    pub fn new(codec: Codec, config: CookieConfig) -> Result<SessionCookie, Error> {
        config.validate()?;
        codec.validate()?;
        let budget = match codec.settings().token_budget {
            Some(chosen) => chosen.min(config.token_budget()),
            None => config.token_budget(),
        };
        let codec = codec.token_budget(budget);
        let max_age = config.max_age.unwrap_or_else(|| codec.settings().max_age());
        Ok(SessionCookie {
            codec,
            attributes: config.attributes().into(),
            config,
            max_age,
            generation_check: None,
        })
    }

    /// Revokes stale sessions ("log out everywhere" without a store):
    /// `current` returns, for a loaded session, the lowest generation the
    /// app still accepts for its user (e.g. the user's generation column,
    /// from a cache: the check runs on every request that loads the session,
    /// and cannot wait), or 0 to accept any. A session whose token carries
    /// a lower [generation](SessionMap::generation) is rejected with
    /// [`Error::Revoked`] by [`SessionCookie::load_session`], and thus by
    /// the tower layer and the actix-web middleware: the request starts
    /// with an empty session and the cookie is deleted. Write the user's
    /// generation at login with [`SessionMap::set_generation`].
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Error, Key, Keyring, SessionMap};
    /// // The app's record: user 7 logged out everywhere, twice.
    /// let current_generation = |user: u64| if user == 7 { 2 } else { 0 };
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?
    /// .generation_check(move |session: &SessionMap| {
    ///     session.get::<u64>("user_id").ok().flatten().map_or(0, current_generation)
    /// });
    /// let now = SystemTime::now();
    /// let login = |generation| -> Result<String, Error> {
    ///     let loaded = cookies.load_session(std::iter::empty(), now);
    ///     let mut session = loaded.session();
    ///     session.clear_and_regenerate()?;
    ///     session.insert("user_id", &7u64)?;
    ///     session.set_generation(generation);
    ///     let set = cookies.save(&loaded, &session, now)?;
    ///     Ok(set[0].split(';').next().unwrap_or_default().to_owned())
    /// };
    /// let old = login(1)?;
    /// let loaded = cookies.load_session([old.as_bytes()], now);
    /// assert_eq!(loaded.error(), Some(&Error::Revoked { generation: 1, current: 2 }));
    /// assert!(loaded.session().is_empty());
    /// let new = login(2)?;
    /// assert_eq!(cookies.load_session([new.as_bytes()], now).session().generation(), 2);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn generation_check(
        mut self,
        current: impl Fn(&SessionMap) -> u32 + Send + Sync + 'static,
    ) -> SessionCookie {
        self.generation_check = Some(GenerationCheck(Arc::new(current)));
        self
    }

    /// The codec, with the cookie's token budget.
    #[must_use]
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// The cookie config.
    #[must_use]
    pub fn config(&self) -> &CookieConfig {
        &self.config
    }

    /// The `Max-Age` the cookies get.
    #[must_use]
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The context every token is bound to: the cookie name's bytes.
    #[must_use]
    pub fn context(&self) -> &[u8] {
        self.config.name.as_bytes()
    }

    /// The options that verify this cookie's tokens outside the cookie layer
    /// (e.g. with [`Codec::verify`]): the cookie name as the context.
    #[must_use]
    pub fn decode_options(&self) -> DecodeOptions<'_> {
        DecodeOptions::new().context(self.context())
    }
}
