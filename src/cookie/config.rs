//! The cookie's name and attributes, checked and rendered with the `cookie`
//! crate.

use std::fmt::Write as _;
use std::time::Duration;

use super::validate::check_name;
use crate::consts::{DEFAULT_COOKIE_NAME, MAX_TOKEN_LEN};
use crate::error::Error;

/// The default [`CookieConfig::header_budget`]: the most bytes a session's
/// cookies add to the `Cookie` request header, 7 KiB.
///
/// Browsers send every cookie of a site in one `Cookie` header, and common
/// proxies limit one header line to about 8 KiB (nginx's default
/// `large_client_header_buffers 4 8k` answers `400 Request Header Or Cookie
/// Too Large` above it; Apache's `LimitRequestFieldSize` is 8190 bytes).
/// 7 KiB leaves about 1 KiB for `Cookie: ` and the site's other cookies.
/// With it, a chunked session holds about 7,100 token bytes in two cookies.
pub const DEFAULT_COOKIE_HEADER_BUDGET: usize = 7 * 1024;

/// The smallest header budget accepted: one small cookie.
pub const MIN_COOKIE_HEADER_BUDGET: usize = 512;

/// The `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SameSite {
    /// Sent only with same-site requests.
    Strict,
    /// Sent with same-site requests and top-level cross-site navigations
    /// (following a link). The default: it blocks cross-site form posts (CSRF)
    /// without logging out users who arrive from another site.
    #[default]
    Lax,
    /// Sent with every request, also cross-site. Browsers require `Secure`
    /// with it, and so does [`CookieConfig::validate`].
    None,
}

impl SameSite {
    fn to_cookie(self) -> ::cookie::SameSite {
        match self {
            SameSite::Strict => ::cookie::SameSite::Strict,
            SameSite::Lax => ::cookie::SameSite::Lax,
            SameSite::None => ::cookie::SameSite::None,
        }
    }
}

/// The session cookie's name and attributes.
///
/// The defaults are `session`, `Secure`, `HttpOnly`, `SameSite=Lax`,
/// `Path=/`, no `Domain`, not `Partitioned`, `Max-Age` taken from the codec's idle lifetime
/// ([`Settings::max_age`](crate::Settings::max_age)) and no chunking.
/// Setters do not fail; the whole config is checked by
/// [`CookieConfig::validate`], which
/// [`SessionCookie::new`](super::SessionCookie::new) calls.
///
/// ```
/// # fn main() -> Result<(), cookie_seal::Error> {
/// use std::time::Duration;
/// use cookie_seal::cookie::{CookieConfig, SameSite};
///
/// let config = CookieConfig::new("__Host-app")?
///     .same_site(SameSite::Strict)
///     .max_age(Duration::from_secs(3600));
/// config.validate()?;
/// assert_eq!(config.token_budget(), 4096 - "__Host-app".len());
///
/// // The __Host- prefix needs Secure, Path=/ and no Domain.
/// assert!(config.clone().domain("example.com").validate().is_err());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieConfig {
    pub(super) name: String,
    pub(super) path: String,
    pub(super) domain: Option<String>,
    pub(super) secure: bool,
    pub(super) http_only: bool,
    pub(super) same_site: SameSite,
    pub(super) max_age: Option<Duration>,
    pub(super) max_chunks: usize,
    pub(super) header_budget: usize,
    pub(super) browser_session: bool,
    pub(super) partitioned: bool,
}

impl Default for CookieConfig {
    /// The secure defaults with the name `session`.
    fn default() -> CookieConfig {
        CookieConfig {
            name: DEFAULT_COOKIE_NAME.to_owned(),
            path: "/".to_owned(),
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            max_age: None,
            max_chunks: 1,
            header_budget: DEFAULT_COOKIE_HEADER_BUDGET,
            browser_session: false,
            partitioned: false,
        }
    }
}

impl CookieConfig {
    /// The secure defaults with the given cookie name.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] if the name is empty or has a character that
    /// is not an RFC 6265 token character (controls, space and
    /// `()<>@,;:\"/[]?={}` are not); [`Error::TooLarge`] if it is longer than
    /// [`MAX_COOKIE_NAME_LEN`](crate::consts::MAX_COOKIE_NAME_LEN).
    ///
    /// ```
    /// use cookie_seal::cookie::CookieConfig;
    /// assert!(CookieConfig::new("__Host-session").is_ok());
    /// assert!(CookieConfig::new("my session").is_err());
    /// ```
    pub fn new(name: &str) -> Result<CookieConfig, Error> {
        check_name(name)?;
        Ok(CookieConfig {
            name: name.to_owned(),
            ..CookieConfig::default()
        })
    }

    /// Sets the `Path` attribute (default `/`). It must start with `/`.
    #[must_use]
    pub fn path(mut self, path: &str) -> CookieConfig {
        path.clone_into(&mut self.path);
        self
    }

    /// Sets the `Domain` attribute (default none: the cookie goes back only
    /// to the host that set it, which is the safer choice).
    #[must_use]
    pub fn domain(mut self, domain: &str) -> CookieConfig {
        self.domain = Some(domain.to_owned());
        self
    }

    /// Sets the `Secure` attribute (default on): the browser sends the cookie
    /// over HTTPS only. Chromium also keeps `Secure` cookies from
    /// `http://localhost` and `http://127.0.0.1`; turn it off only for local
    /// testing with clients that do not.
    #[must_use]
    pub fn secure(mut self, secure: bool) -> CookieConfig {
        self.secure = secure;
        self
    }

    /// Sets the `HttpOnly` attribute (default on): page scripts cannot read
    /// the cookie, so an XSS bug cannot steal the session.
    #[must_use]
    pub fn http_only(mut self, http_only: bool) -> CookieConfig {
        self.http_only = http_only;
        self
    }

    /// Sets the `SameSite` attribute (default [`SameSite::Lax`]).
    #[must_use]
    pub fn same_site(mut self, same_site: SameSite) -> CookieConfig {
        self.same_site = same_site;
        self
    }

    /// Sets `Max-Age` instead of taking the codec's idle lifetime. It is
    /// rendered in whole seconds, a fraction rounded up (500 ms becomes
    /// `Max-Age=1`, not `Max-Age=0`, which would delete the cookie at once);
    /// zero is refused by [`CookieConfig::validate`]. Browsers cap it
    /// (Chromium at 400 days); the token's own lifetime is enforced by the
    /// codec either way.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> CookieConfig {
        self.max_age = Some(max_age);
        self
    }

    /// Makes the cookie a browser-session cookie (default off): it is sent
    /// with no `Max-Age` and no `Expires`, so the browser drops it when it
    /// closes (Flask's non-permanent session, actix-session's default). The
    /// token inside still expires by the codec's lifetimes. Cannot be
    /// combined with [`CookieConfig::max_age`].
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::{Duration, SystemTime};
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, EncodeOptions, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("__Host-session")?.browser_session(true),
    /// )?;
    /// let set = cookies.store(&1u8, &EncodeOptions::new(), &PresentCookies::none(), SystemTime::now())?;
    /// assert!(set[0].ends_with("; HttpOnly; SameSite=Lax; Secure; Path=/"), "{}", set[0]);
    /// assert!(!set[0].contains("Max-Age") && !set[0].contains("Expires"));
    /// // Removal still carries Max-Age=0.
    /// assert!(cookies.removal_cookies(&PresentCookies::none())[0].contains("Max-Age=0"));
    ///
    /// let both = CookieConfig::new("s")?.browser_session(true).max_age(Duration::from_secs(60));
    /// assert!(both.validate().is_err());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn browser_session(mut self, browser_session: bool) -> CookieConfig {
        self.browser_session = browser_session;
        self
    }

    /// Whether the cookie is a browser-session cookie (no `Max-Age`).
    #[must_use]
    pub fn is_browser_session(&self) -> bool {
        self.browser_session
    }

    /// Sets the `Partitioned` attribute (default off), for a session inside
    /// a third-party iframe or widget: the browser keeps a separate cookie
    /// jar for each top-level site the app is embedded in (CHIPS), so the
    /// cookie still works where browsers block third-party cookies, and is
    /// never shared between two embedding sites. Flask 3.1's
    /// `SESSION_COOKIE_PARTITIONED`.
    ///
    /// [`CookieConfig::validate`] requires `Secure` with it (browsers ignore
    /// an insecure partitioned cookie). Any name is accepted; CHIPS
    /// recommends the `__Host-` prefix, which also binds the cookie to one
    /// host. A cross-site embed also needs [`SameSite::None`], which this
    /// setter does not choose for you. The attribute is rendered on every
    /// chunk and on the removal cookies too: a partitioned cookie is deleted
    /// only by a partitioned removal.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SameSite, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let config = CookieConfig::new("__Host-session")?
    ///     .same_site(SameSite::None)
    ///     .partitioned(true);
    /// let cookies = SessionCookie::new(Codec::sealed(Keyring::new(1, Key::generate())), config)?;
    /// let removal = &cookies.removal_cookies(&PresentCookies::none())[0];
    /// assert!(removal.contains("; Partitioned; Secure"), "{removal}");
    ///
    /// let insecure = CookieConfig::new("s")?.partitioned(true).secure(false);
    /// assert!(insecure.validate().is_err());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn partitioned(mut self, partitioned: bool) -> CookieConfig {
        self.partitioned = partitioned;
        self
    }

    /// Whether the cookie carries the `Partitioned` attribute (see
    /// [`CookieConfig::partitioned`]).
    #[must_use]
    pub fn is_partitioned(&self) -> bool {
        self.partitioned
    }

    /// Lets one token be split across up to `max_chunks` cookies named
    /// `name.0`, `name.1`, … when it does not fit in one (default 1: no
    /// chunking). Tokens that fit stay in the single cookie `name`. The token
    /// budget grows accordingly, up to [`MAX_TOKEN_LEN`].
    ///
    /// All chunks together stay within the [header
    /// budget](CookieConfig::header_budget) (default
    /// [`DEFAULT_COOKIE_HEADER_BUDGET`], 7 KiB): with the default, a token
    /// needs at most two chunks, whatever `max_chunks` allows, and a larger
    /// one is [`Error::TooLarge`].
    ///
    /// # Security
    /// Browsers keep a limited number of cookies per site (about 180 in
    /// Chromium and Firefox) and send them all in one `Cookie` header, which
    /// proxies limit (about 8 KiB per header line in nginx and Apache by
    /// default). Raise the header budget only as far as every proxy in front
    /// of the app allows; prefer small sessions or a server-side store.
    #[must_use]
    pub fn chunking(mut self, max_chunks: usize) -> CookieConfig {
        self.max_chunks = max_chunks;
        self
    }

    /// Sets the most bytes this session's cookies may add to the `Cookie`
    /// request header: every `name=value` pair, joined by `"; "` (default
    /// [`DEFAULT_COOKIE_HEADER_BUDGET`], 7 KiB; at least
    /// [`MIN_COOKIE_HEADER_BUDGET`]). Chunking never exceeds it.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::CookieConfig;
    /// let default = CookieConfig::default().chunking(8);
    /// assert!(default.token_budget() < 7 * 1024);
    /// // Behind a proxy that allows 16 KiB header lines:
    /// let roomy = CookieConfig::default().chunking(8).header_budget(15 * 1024);
    /// assert!(roomy.token_budget() > 14 * 1024);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn header_budget(mut self, bytes: usize) -> CookieConfig {
        self.header_budget = bytes;
        self
    }

    /// The most bytes this session's cookies add to the `Cookie` header
    /// (see [`CookieConfig::header_budget`]).
    #[must_use]
    pub fn cookie_header_budget(&self) -> usize {
        self.header_budget
    }

    /// The cookie name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The most cookies a token may be split across (1: no chunking).
    #[must_use]
    pub fn max_chunks(&self) -> usize {
        self.max_chunks
    }

    /// The configured `Max-Age`, if set (otherwise the codec's idle lifetime
    /// is used).
    #[must_use]
    pub fn configured_max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The longest token these cookies can carry: [`MAX_COOKIE_LEN`](crate::consts::MAX_COOKIE_LEN) minus the
    /// name's length, or with chunking the capacity of `max_chunks` cookies
    /// (each chunk name counts against its own cookie), at most
    /// [`MAX_TOKEN_LEN`], and within the header budget.
    /// [`SessionCookie::new`](super::SessionCookie::new) gives the codec this
    /// budget.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::CookieConfig;
    /// assert_eq!(CookieConfig::new("id")?.token_budget(), 4094);
    /// // Two chunks fill the default 7 KiB Cookie header budget.
    /// assert!(CookieConfig::new("id")?.chunking(3).token_budget() > 7000);
    /// let roomy = CookieConfig::new("id")?.chunking(3).header_budget(16 * 1024);
    /// assert!(roomy.token_budget() > 3 * 4000);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn token_budget(&self) -> usize {
        let single = self.single_capacity();
        if self.max_chunks <= 1 {
            return single;
        }
        self.best_chunked_capacity().max(single).min(MAX_TOKEN_LEN)
    }

    /// The attributes after `name=value`, as the `cookie` crate renders
    /// them, without `Max-Age` (which it writes after all of them, and which
    /// depends on the session's expiry): rendered once, when a
    /// [`SessionCookie`](super::SessionCookie) is built, for [`Self::render`].
    pub(super) fn attributes(&self) -> String {
        let rendered = self.builder("x", "").build().to_string();
        rendered.strip_prefix("x=").unwrap_or_default().to_owned()
    }

    /// Renders one `Set-Cookie` value with this config's `attributes` (from
    /// [`Self::attributes`]): what the `cookie` crate renders for the same
    /// cookie (test `rendering_matches_the_cookie_crate`), without building
    /// and formatting a `Cookie` per response.
    pub(super) fn render(
        &self,
        attributes: &str,
        name: &str,
        value: &str,
        max_age: Duration,
    ) -> String {
        let mut out = String::with_capacity(name.len() + value.len() + attributes.len() + 32);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        out.push_str(attributes);
        if !self.browser_session {
            // A fraction of a second rounds up: `Max-Age=0` would delete the cookie.
            let whole = max_age
                .as_secs()
                .saturating_add(u64::from(max_age.subsec_nanos() > 0));
            let seconds = i64::try_from(whole).unwrap_or(i64::MAX);
            // Writing to a String cannot fail.
            let _ = write!(out, "; Max-Age={seconds}");
        }
        out
    }

    /// Renders a `Set-Cookie` value that makes the browser delete `name`
    /// (empty value, `Max-Age=0`, `Expires` in the past, same `Path`,
    /// `Domain` and `Partitioned` so it matches).
    pub(super) fn render_removal(&self, name: &str) -> String {
        let mut cookie = self.builder(name, "").build();
        cookie.make_removal();
        cookie.to_string()
    }

    fn builder<'c>(&'c self, name: &'c str, value: &'c str) -> ::cookie::CookieBuilder<'c> {
        let builder = ::cookie::Cookie::build((name, value))
            .path(self.path.as_str())
            .secure(self.secure)
            .http_only(self.http_only)
            .same_site(self.same_site.to_cookie())
            .partitioned(self.partitioned);
        match &self.domain {
            Some(domain) => builder.domain(domain.as_str()),
            None => builder,
        }
    }
}

pub(super) fn decimal_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
