//! [`SessionCookie`]: a codec bound to a cookie config, loading sessions from
//! `Cookie` request headers and deciding the `Set-Cookie` values to send.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::chunk::PresentCookies;
use super::config::CookieConfig;
use crate::codec::{Codec, DecodeOptions, Decoded, EncodeOptions, Expiry};
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
///   ([`EncodeOptions::context`]): a token issued for one cookie does not
///   verify when presented in another.
/// - `Max-Age` is the config's, or else the codec's idle lifetime.
///
/// Build it once at startup and share it (it is cheap to clone).
#[derive(Debug, Clone)]
pub struct SessionCookie {
    pub(super) codec: Codec,
    pub(super) config: CookieConfig,
    pub(super) max_age: Duration,
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

    /// [`SessionCookie::load_bytes`] for a [`SessionMap`], then the
    /// [generation check](SessionCookie::generation_check) if one is set: a
    /// session of a revoked generation is rejected ([`Error::Revoked`]), so
    /// that [`SessionCookie::save`] deletes its cookie. The web layers load
    /// sessions with it.
    pub fn load_session<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
        now: SystemTime,
    ) -> Loaded<SessionMap> {
        let mut loaded = self.load_bytes::<SessionMap>(cookie_headers, now);
        if let (Some(check), Some(decoded)) = (&self.generation_check, &loaded.decoded) {
            let current = (check.0)(&decoded.value);
            if decoded.generation < current {
                loaded.error = Some(Error::Revoked {
                    generation: decoded.generation,
                    current,
                });
                loaded.decoded = None;
            }
        }
        loaded
    }

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

    /// Which of the config's cookies the `Cookie` header values carry.
    pub fn present<'h>(&self, cookie_headers: impl IntoIterator<Item = &'h str>) -> PresentCookies {
        self.scan(cookie_headers.into_iter().map(str::as_bytes))
            .present
    }

    /// Reads the token from the request's `Cookie` header values (one or
    /// more headers, as HTTP/2 may split them), reassembling chunks.
    /// `Ok(None)` if there is no cookie of this config. When the same name
    /// appears several times (cookies left under another path or domain, or
    /// planted), the first is returned; [`SessionCookie::load`] verifies
    /// them all.
    ///
    /// # Errors
    /// [`Error::Malformed`] for chunks that do not reassemble (one missing,
    /// a bad count marker) with no single cookie beside them;
    /// [`Error::TooManyCookies`] past the number of candidates checked.
    /// Stale or reordered chunks from another token are not detected here
    /// but fail verification as a whole.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::signed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::default().chunking(4),
    /// )?;
    /// let header = "theme=dark; session.1=CDEF; session.0=2.AB";
    /// assert_eq!(cookies.read_token([header])?.as_deref(), Some("ABCDEF"));
    /// assert!(cookies.read_token(["session.0=3.AB; session.1=CD"]).is_err());
    /// # Ok(()) }
    /// ```
    pub fn read_token<'h>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
    ) -> Result<Option<String>, Error> {
        let found = self.scan(cookie_headers.into_iter().map(str::as_bytes));
        Ok(self
            .candidates(&found)?
            .into_iter()
            .next()
            .map(Cow::into_owned))
    }

    /// Loads and verifies the session from the request's `Cookie` header
    /// values, as of `now`. Never fails: a missing cookie gives
    /// `decoded() == None`, a rejected one also sets [`Loaded::error`].
    ///
    /// Every distinct same-named cookie, and every token the chunk cookies
    /// reassemble into, is verified (up to 16):
    ///
    /// - exactly one verifies: it is the session, whatever else was sent
    ///   (junk siblings, stale cookies from another path, stray chunks);
    /// - several different ones verify: none is used
    ///   ([`Error::AmbiguousCookie`]). A cookie planted by a sibling
    ///   subdomain (possible unless the name has the `__Host-` prefix) must
    ///   not silently replace the user's own session;
    /// - none verifies: the first error is reported and
    ///   [`SessionCookie::save`] deletes the cookies.
    ///
    /// After [`Error::AmbiguousCookie`] and [`Error::TooManyCookies`], `save`
    /// deletes nothing: which cookie is the user's cannot be told, and junk
    /// cookies must never get a valid one deleted.
    pub fn load<'h, T: DeserializeOwned>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        now: SystemTime,
    ) -> Loaded<T> {
        self.load_bytes(cookie_headers.into_iter().map(str::as_bytes), now)
    }

    /// [`SessionCookie::load`] from `Cookie` header lines as bytes, as HTTP
    /// carries them: what the framework integrations call.
    ///
    /// A line is never dropped for a byte that is not visible ASCII. The
    /// session's own cookies are ASCII, but the other cookies of the site
    /// (set by a script, or by a sibling subdomain) may hold UTF-8,
    /// obs-text or invalid UTF-8; those pairs are skipped, and the session
    /// beside them loads. Names match exactly: only space and tab around a
    /// pair and around its `=` are trimmed.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, EncodeOptions, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?,
    /// )?;
    /// let now = SystemTime::now();
    /// let set = cookies.store(&7u32, &EncodeOptions::new(), &PresentCookies::none(), now)?;
    /// let own = set[0].split(';').next().unwrap_or_default();
    /// // A Latin-1 cookie from another script, on the same line (not UTF-8).
    /// let line = [b"city=Z\xfcrich; ".as_slice(), own.as_bytes()].concat();
    /// let loaded = cookies.load_bytes::<u32>([line.as_slice()], now);
    /// assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    /// # Ok(()) }
    /// ```
    pub fn load_bytes<'h, T: DeserializeOwned>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
        now: SystemTime,
    ) -> Loaded<T> {
        self.load_with(cookie_headers, |token| {
            self.codec.decode_with(token, &self.decode_options(), now)
        })
    }

    /// [`SessionCookie::load_bytes`] with `open` verifying each candidate
    /// token (a typed decode, or a payload-agnostic verify).
    pub(crate) fn load_with<'h, T>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h [u8]>,
        open: impl Fn(&str) -> Result<Decoded<T>, Error>,
    ) -> Loaded<T> {
        let found = self.scan(cookie_headers);
        let present = found.present;
        let rejected = |error| Loaded {
            decoded: None,
            error: Some(error),
            present,
        };
        let candidates = match self.candidates(&found) {
            Ok(candidates) => candidates,
            Err(error) => return rejected(error),
        };
        let mut first_error = None;
        let mut authentic = Vec::new();
        for token in candidates {
            match open(&token) {
                Ok(decoded) => authentic.push(decoded),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match authentic.len() {
            0 => Loaded {
                decoded: None,
                error: first_error,
                present,
            },
            1 => Loaded {
                decoded: authentic.pop(),
                error: None,
                present,
            },
            n => rejected(Error::AmbiguousCookie { authentic: n }),
        }
    }

    /// Encodes `value` and renders the `Set-Cookie` values that store it,
    /// deleting cookies in `present` that it no longer uses. The cookies'
    /// `Max-Age` follows the options' [`Expiry`] (an idle lifetime over the
    /// codec's `max_age` is shortened to it).
    ///
    /// Pass `EncodeOptions::new()` for a new session (after login) or
    /// [`Decoded::carry_over`] to keep its creation time and generation. The
    /// context is always the cookie name.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if `options` sets a context (the cookie
    /// name is the context); everything [`Codec::encode_with`] reports,
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
    ///   over ([`Decoded::carry_over`]); after [`SessionMap::regenerate`] (login)
    ///   it starts afresh;
    /// - otherwise nothing.
    ///
    /// The token gets the session's [expiry](SessionMap::set_expiry) and
    /// [generation](SessionMap::set_generation). Every session that was
    /// accepted once re-issues: the codec counts what a re-issue may add (a
    /// creation field, a longer key ID) against the budget when it first
    /// writes a token. The one exception, a signed token near the budget
    /// read by a sealed codec that [accepts signed
    /// tokens](Codec::accept_signed) (a sealed token is 9 bytes longer), is
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
