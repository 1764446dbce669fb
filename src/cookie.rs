//! Session cookies: `Set-Cookie` values with secure defaults, tokens read
//! back from `Cookie` request headers, and opt-in chunking of tokens too big
//! for one cookie.
//!
//! This layer owns no HTTP types and does no I/O: it takes the request's
//! `Cookie` header values as strings and returns `Set-Cookie` header values as
//! strings, so any framework can use it in a few lines. Headers are rendered
//! and parsed by the [`cookie`](https://docs.rs/cookie) crate.
//!
//! - [`CookieConfig`] holds the cookie's name and attributes. The defaults are
//!   the safe ones: `Secure`, `HttpOnly`, `SameSite=Lax`, `Path=/`, name
//!   `session`, `Max-Age` from the codec's idle lifetime.
//! - [`SessionCookie`] binds a [`Codec`] to a config: it sets the codec's
//!   token budget to what the cookie can hold, binds every token to the
//!   cookie name (a token issued for one cookie never verifies in another),
//!   and loads, stores and removes sessions.
//!
//! ```
//! # fn main() -> Result<(), cookie_seal::Error> {
//! use std::time::SystemTime;
//! use cookie_seal::cookie::{CookieConfig, SessionCookie};
//! use cookie_seal::{Codec, Key, Keyring};
//!
//! let cookies = SessionCookie::new(
//!     Codec::sealed(Keyring::new(1, Key::generate())),
//!     CookieConfig::new("__Host-session")?,
//! )?;
//! let now = SystemTime::now();
//!
//! // A request without a cookie: an empty session.
//! let loaded = cookies.load::<cookie_seal::Session>([], now);
//! let mut session = loaded.session();
//! session.insert("user", "alice")?;
//! let set_cookie = cookies.save(&loaded, &session, now)?;
//! assert!(set_cookie[0].starts_with("__Host-session="));
//! assert!(set_cookie[0].contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"));
//!
//! // The next request sends it back.
//! let request_cookie = set_cookie[0].split(';').next().unwrap_or_default();
//! let loaded = cookies.load::<cookie_seal::Session>([request_cookie], now);
//! assert_eq!(loaded.session().get::<String>("user")?.as_deref(), Some("alice"));
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{Codec, Decoded, EncodeOptions, MAX_COOKIE_LEN, MAX_TOKEN_LEN};
use crate::error::Error;
use crate::session::Session;

/// The longest cookie name [`CookieConfig`] accepts, in bytes.
pub const MAX_COOKIE_NAME_LEN: usize = 256;
/// The longest `Path` or `Domain` attribute value, in bytes. Browsers
/// silently ignore longer attribute values (RFC 6265bis), so they are errors
/// here.
pub const MAX_ATTRIBUTE_LEN: usize = 1024;
/// The most cookies one chunked token may be split across
/// ([`CookieConfig::chunking`]).
pub const MAX_CHUNKS: usize = 8;

/// Chunk cookies `name.0` to `name.31` are recognised as this config's own
/// (and removed when stale); higher indices are ignored.
const CHUNK_INDEX_LIMIT: usize = 32;
/// At most this many same-named cookies (e.g. left over under another path)
/// are tried, in the order the browser sent them.
const MAX_DUPLICATES: usize = 4;
/// Separates the chunk count from the first chunk's part of the token.
const CHUNK_COUNT_SEPARATOR: char = '.';

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
/// `Path=/`, no `Domain`, `Max-Age` taken from the codec's idle lifetime
/// ([`Codec::idle_lifetime`]) and no chunking. Setters do not fail; the
/// whole config is checked by [`CookieConfig::validate`], which
/// [`SessionCookie::new`] calls.
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
    name: String,
    path: String,
    domain: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: SameSite,
    max_age: Option<Duration>,
    max_chunks: usize,
}

impl Default for CookieConfig {
    /// The secure defaults with the name `session`.
    fn default() -> CookieConfig {
        CookieConfig {
            name: crate::codec::DEFAULT_COOKIE_NAME.to_owned(),
            path: "/".to_owned(),
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
            max_age: None,
            max_chunks: 1,
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
    /// [`MAX_COOKIE_NAME_LEN`].
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
    pub fn path(mut self, path: &str) -> CookieConfig {
        path.clone_into(&mut self.path);
        self
    }

    /// Sets the `Domain` attribute (default none: the cookie goes back only
    /// to the host that set it, which is the safer choice).
    pub fn domain(mut self, domain: &str) -> CookieConfig {
        self.domain = Some(domain.to_owned());
        self
    }

    /// Sets the `Secure` attribute (default on): the browser sends the cookie
    /// over HTTPS only. Chromium also keeps `Secure` cookies from
    /// `http://localhost` and `http://127.0.0.1`; turn it off only for local
    /// testing with clients that do not.
    pub fn secure(mut self, secure: bool) -> CookieConfig {
        self.secure = secure;
        self
    }

    /// Sets the `HttpOnly` attribute (default on): page scripts cannot read
    /// the cookie, so an XSS bug cannot steal the session.
    pub fn http_only(mut self, http_only: bool) -> CookieConfig {
        self.http_only = http_only;
        self
    }

    /// Sets the `SameSite` attribute (default [`SameSite::Lax`]).
    pub fn same_site(mut self, same_site: SameSite) -> CookieConfig {
        self.same_site = same_site;
        self
    }

    /// Sets `Max-Age` (whole seconds) instead of taking the codec's idle
    /// lifetime. Browsers cap it (Chromium at 400 days); the token's own
    /// lifetime is enforced by the codec either way.
    pub fn max_age(mut self, max_age: Duration) -> CookieConfig {
        self.max_age = Some(max_age);
        self
    }

    /// Lets one token be split across up to `max_chunks` cookies named
    /// `name.0`, `name.1`, … when it does not fit in one (default 1: no
    /// chunking). Tokens that fit stay in the single cookie `name`. The token
    /// budget grows accordingly, up to [`MAX_TOKEN_LEN`].
    ///
    /// # Security
    /// Browsers keep a limited number of cookies per site (about 180 in Chromium and Firefox) and
    /// servers limit the size of request headers (often 8 KiB per header line),
    /// so large chunked sessions can be dropped or refused outside this
    /// crate's control. Prefer small sessions or a server-side store.
    pub fn chunking(mut self, max_chunks: usize) -> CookieConfig {
        self.max_chunks = max_chunks;
        self
    }

    /// The cookie name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The most cookies a token may be split across (1: no chunking).
    pub fn max_chunks(&self) -> usize {
        self.max_chunks
    }

    /// The configured `Max-Age`, if set (otherwise the codec's idle lifetime
    /// is used).
    pub fn configured_max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The longest token these cookies can carry: [`MAX_COOKIE_LEN`] minus the
    /// name's length, or with chunking the capacity of `max_chunks` cookies
    /// (each chunk name counts against its own cookie), at most
    /// [`MAX_TOKEN_LEN`]. [`SessionCookie::new`] gives the codec this budget.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::CookieConfig;
    /// assert_eq!(CookieConfig::new("id")?.token_budget(), 4094);
    /// assert!(CookieConfig::new("id")?.chunking(3).token_budget() > 3 * 4000);
    /// # Ok(()) }
    /// ```
    pub fn token_budget(&self) -> usize {
        let single = MAX_COOKIE_LEN.saturating_sub(self.name.len());
        if self.max_chunks <= 1 {
            return single;
        }
        self.chunked_capacity(self.max_chunks.min(MAX_CHUNKS))
            .max(single)
            .min(MAX_TOKEN_LEN)
    }

    /// The most token bytes `count` chunk cookies hold: each chunk cookie
    /// `name.i` holds `MAX_COOKIE_LEN - len("name.i")` value bytes, and the
    /// first one also carries the count marker `"{count}."`.
    fn chunked_capacity(&self, count: usize) -> usize {
        let values: usize = (0..count)
            .map(|i| MAX_COOKIE_LEN.saturating_sub(self.name.len() + 1 + decimal_len(i)))
            .sum();
        values.saturating_sub(decimal_len(count) + 1)
    }

    /// Checks the whole config.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (with the reason) for: a bad name (see
    /// [`CookieConfig::new`]); a `Path` not starting with `/` or holding a
    /// control character or `;`; a `Domain` with characters other than ASCII
    /// letters, digits, `-` and `.`; a `__Host-` name without `Secure`, with a
    /// `Path` other than `/` or with a `Domain`; a `__Secure-` name without
    /// `Secure`; `SameSite=None` without `Secure`; a zero `Max-Age`; a chunk
    /// count of 0 or above [`MAX_CHUNKS`]. [`Error::TooLarge`] for a name
    /// over [`MAX_COOKIE_NAME_LEN`] or an attribute value over
    /// [`MAX_ATTRIBUTE_LEN`]. The `__Host-` and `__Secure-` prefixes are
    /// matched without regard to case, as browsers do.
    pub fn validate(&self) -> Result<(), Error> {
        check_name(&self.name)?;
        check_attribute_len(&self.path)?;
        if !self.path.starts_with('/')
            || self.path.bytes().any(|b| b.is_ascii_control() || b == b';')
        {
            return Err(Error::InvalidOption(
                "cookie Path must start with '/' and hold no control character or ';'",
            ));
        }
        if let Some(domain) = &self.domain {
            check_attribute_len(domain)?;
            let valid = !domain.is_empty()
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
            if !valid {
                return Err(Error::InvalidOption(
                    "cookie Domain must be ASCII letters, digits, '-' and '.'",
                ));
            }
        }
        if has_prefix_ignore_case(&self.name, "__Host-")
            && !(self.secure && self.path == "/" && self.domain.is_none())
        {
            return Err(Error::InvalidOption(
                "a __Host- cookie needs Secure, Path=/ and no Domain",
            ));
        }
        if has_prefix_ignore_case(&self.name, "__Secure-") && !self.secure {
            return Err(Error::InvalidOption("a __Secure- cookie needs Secure"));
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(Error::InvalidOption("SameSite=None needs Secure"));
        }
        if self.max_age == Some(Duration::ZERO) {
            return Err(Error::InvalidOption(
                "a Max-Age of 0 deletes the cookie at once",
            ));
        }
        if self.max_chunks == 0 || self.max_chunks > MAX_CHUNKS {
            return Err(Error::InvalidOption(
                "chunking allows 1 to MAX_CHUNKS cookies",
            ));
        }
        Ok(())
    }

    /// Renders one `Set-Cookie` value with this config's attributes.
    fn render(&self, name: &str, value: &str, max_age: Duration) -> String {
        let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        self.builder(name, value)
            .max_age(::cookie::time::Duration::seconds(seconds))
            .build()
            .to_string()
    }

    /// Renders a `Set-Cookie` value that makes the browser delete `name`
    /// (empty value, `Max-Age=0`, `Expires` in the past, same `Path` and
    /// `Domain` so it matches).
    fn render_removal(&self, name: &str) -> String {
        let mut cookie = self.builder(name, "").build();
        cookie.make_removal();
        cookie.to_string()
    }

    fn builder<'c>(&'c self, name: &'c str, value: &'c str) -> ::cookie::CookieBuilder<'c> {
        let builder = ::cookie::Cookie::build((name, value))
            .path(self.path.as_str())
            .secure(self.secure)
            .http_only(self.http_only)
            .same_site(self.same_site.to_cookie());
        match &self.domain {
            Some(domain) => builder.domain(domain.as_str()),
            None => builder,
        }
    }

    /// The chunk index if `name` is this config's chunk cookie `name.i`
    /// (canonical decimal, below the recognised limit).
    fn chunk_index(&self, name: &str) -> Option<usize> {
        let digits = name.strip_prefix(self.name.as_str())?.strip_prefix('.')?;
        if digits.is_empty()
            || digits.len() > 2
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        digits.parse().ok().filter(|&i| i < CHUNK_INDEX_LIMIT)
    }

    fn chunk_name(&self, index: usize) -> String {
        let mut name = String::with_capacity(self.name.len() + 3);
        name.push_str(&self.name);
        // Writing to a String cannot fail.
        let _ = write!(name, ".{index}");
        name
    }
}

/// Which of a config's cookies a request carried, so that a response can
/// delete the ones it no longer uses (chunks left over from a larger session,
/// or the other form after switching between one cookie and chunks).
///
/// [`SessionCookie::load`] and [`SessionCookie::present`] read it from the
/// request; [`PresentCookies::chunks`] builds it from a chunk count the app
/// remembered instead.
///
/// ```
/// use cookie_seal::cookie::PresentCookies;
/// let previous = PresentCookies::none().chunks(3);
/// assert_eq!(previous.chunk_indices().collect::<Vec<_>>(), [0, 1, 2]);
/// assert!(!previous.has_single());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresentCookies {
    single: bool,
    chunks: u32,
}

impl PresentCookies {
    /// No cookies.
    pub fn none() -> PresentCookies {
        PresentCookies::default()
    }

    /// Adds the single (unchunked) cookie `name`.
    pub fn single(mut self) -> PresentCookies {
        self.single = true;
        self
    }

    /// Adds the chunk cookies `name.0` to `name.{count - 1}`.
    pub fn chunks(mut self, count: usize) -> PresentCookies {
        for index in 0..count.min(CHUNK_INDEX_LIMIT) {
            self.chunks |= 1 << index;
        }
        self
    }

    /// Whether the single cookie `name` was present.
    pub fn has_single(&self) -> bool {
        self.single
    }

    /// The indices of the chunk cookies present, ascending.
    pub fn chunk_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..CHUNK_INDEX_LIMIT).filter(|i| self.chunks & (1 << i) != 0)
    }

    /// Whether none of the config's cookies was present.
    pub fn is_empty(&self) -> bool {
        !self.single && self.chunks == 0
    }

    fn add_chunk(&mut self, index: usize) {
        if index < CHUNK_INDEX_LIMIT {
            self.chunks |= 1 << index;
        }
    }
}

/// What [`SessionCookie::load`] found in a request.
///
/// A missing, forged, expired or malformed cookie never stops the request:
/// [`Loaded::decoded`] is `None` and the app carries on with an empty session;
/// [`Loaded::error`] says why a cookie was rejected (for logging) and
/// [`SessionCookie::save`] deletes it.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    decoded: Option<Decoded<T>>,
    error: Option<Error>,
    present: PresentCookies,
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

impl Loaded<Session> {
    /// The loaded session, or a new empty one if the request had no valid
    /// cookie. Change it, then pass it to [`SessionCookie::save`].
    pub fn session(&self) -> Session {
        self.decoded
            .as_ref()
            .map(|d| d.value.clone())
            .unwrap_or_default()
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
    codec: Codec,
    config: CookieConfig,
    max_age: Duration,
}

impl SessionCookie {
    /// Binds `codec` to `config`, after validating the config.
    ///
    /// # Errors
    /// Whatever [`CookieConfig::validate`] reports.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::Duration;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring};
    /// let codec = Codec::signed(Keyring::new(1, Key::generate())).max_age(Duration::from_secs(600));
    /// let cookies = SessionCookie::new(codec, CookieConfig::new("sid")?)?;
    /// assert_eq!(cookies.codec().token_budget(), 4096 - 3);
    /// assert_eq!(cookies.max_age(), Duration::from_secs(600));
    /// # Ok(()) }
    /// ```
    pub fn new(codec: Codec, config: CookieConfig) -> Result<SessionCookie, Error> {
        config.validate()?;
        let codec = codec.max_token_len(config.token_budget());
        let max_age = config.max_age.unwrap_or_else(|| codec.idle_lifetime());
        Ok(SessionCookie {
            codec,
            config,
            max_age,
        })
    }

    /// The codec, with the cookie's token budget.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// The cookie config.
    pub fn config(&self) -> &CookieConfig {
        &self.config
    }

    /// The `Max-Age` the cookies get.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The context every token is bound to: the cookie name's bytes.
    pub fn context(&self) -> &[u8] {
        self.config.name.as_bytes()
    }

    /// Which of the config's cookies the `Cookie` header values carry.
    pub fn present<'h>(&self, cookie_headers: impl IntoIterator<Item = &'h str>) -> PresentCookies {
        self.scan(cookie_headers).present
    }

    /// Reads the token from the request's `Cookie` header values (one or
    /// more headers, as HTTP/2 may split them), reassembling chunks.
    /// `Ok(None)` if there is no cookie of this config. When the same name
    /// appears several times (cookies left under another path or domain),
    /// the first is returned; [`SessionCookie::load`] tries up to four.
    ///
    /// # Errors
    /// [`Error::Malformed`] for chunks that are missing, duplicated, beyond the
    /// count in the first chunk, or mixed with a single cookie. Stale or
    /// reordered chunks from another token are not detected here but fail
    /// verification as a whole.
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
        let found = self.scan(cookie_headers);
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
    /// Same-named duplicates (up to four) are tried in the order sent and
    /// the first that verifies wins, so a stale cookie under another path
    /// cannot lock a user out.
    pub fn load<'h, T: DeserializeOwned>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'h str>,
        now: SystemTime,
    ) -> Loaded<T> {
        let found = self.scan(cookie_headers);
        let present = found.present;
        let candidates = match self.candidates(&found) {
            Ok(candidates) => candidates,
            Err(error) => {
                return Loaded {
                    decoded: None,
                    error: Some(error),
                    present,
                }
            }
        };
        let mut first_error = None;
        for token in candidates {
            match self.codec.decode_with(&token, self.context(), now) {
                Ok(decoded) => {
                    return Loaded {
                        decoded: Some(decoded),
                        error: None,
                        present,
                    }
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Loaded {
            decoded: None,
            error: first_error,
            present,
        }
    }

    /// Encodes `value` and renders the `Set-Cookie` values that store it,
    /// deleting cookies in `present` that it no longer uses.
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
        if options.context(&[]) != *options {
            return Err(Error::InvalidOption(
                "the cookie layer binds the cookie name as the context",
            ));
        }
        let options = options.context(self.context());
        let token = self.codec.encode_with(value, &options, now)?;
        self.set_cookies(&token, present)
    }

    /// Renders the `Set-Cookie` values for an already encoded `token`: one
    /// cookie `name=token` when name and token fit in [`MAX_COOKIE_LEN`],
    /// otherwise (with chunking) `name.0` (carrying the chunk count) to
    /// `name.{n-1}`; plus removals for cookies in `present` that are not
    /// written.
    ///
    /// # Errors
    /// [`Error::Malformed`] if `token` has a character not allowed in a cookie
    /// value; [`Error::TooLarge`] if name + token exceed [`MAX_COOKIE_LEN`]
    /// without chunking (`len` is name + token), or the token exceeds what
    /// the configured chunks hold (`len` is the token).
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    /// use cookie_seal::{Codec, Error, Key, Keyring};
    /// let cookies = SessionCookie::new(
    ///     Codec::signed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::new("sess")?,
    /// )?;
    /// let fits = "A".repeat(4096 - 4);
    /// assert_eq!(cookies.set_cookies(&fits, &PresentCookies::none())?.len(), 1);
    /// let over = "A".repeat(4096 - 3);
    /// assert_eq!(
    ///     cookies.set_cookies(&over, &PresentCookies::none()),
    ///     Err(Error::TooLarge { len: 4097, limit: 4096 })
    /// );
    /// # Ok(()) }
    /// ```
    pub fn set_cookies(&self, token: &str, present: &PresentCookies) -> Result<Vec<String>, Error> {
        if !token.bytes().all(is_cookie_octet) {
            return Err(Error::Malformed);
        }
        let name = &self.config.name;
        let chunking = self.config.max_chunks > 1;
        let single_len = name.len() + token.len();
        if single_len <= MAX_COOKIE_LEN {
            let mut out = vec![self.config.render(name, token, self.max_age)];
            if chunking {
                out.extend(
                    present
                        .chunk_indices()
                        .map(|i| self.config.render_removal(&self.config.chunk_name(i))),
                );
            }
            return Ok(out);
        }
        if !chunking {
            return Err(Error::TooLarge {
                len: single_len,
                limit: MAX_COOKIE_LEN,
            });
        }
        let max_chunks = self.config.max_chunks.min(MAX_CHUNKS);
        let count = (2..=max_chunks)
            .find(|&count| self.config.chunked_capacity(count) >= token.len())
            .ok_or(Error::TooLarge {
                len: token.len(),
                limit: self.config.chunked_capacity(max_chunks),
            })?;
        let mut out = Vec::with_capacity(count + 1);
        let mut rest = token;
        for index in 0..count {
            let chunk_name = self.config.chunk_name(index);
            let mut value = String::new();
            if index == 0 {
                let _ = write!(value, "{count}{CHUNK_COUNT_SEPARATOR}");
            }
            let room = MAX_COOKIE_LEN.saturating_sub(chunk_name.len() + value.len());
            // The token is ASCII (checked above), so any split is on a char boundary.
            let (part, tail) = rest.split_at(room.min(rest.len()));
            value.push_str(part);
            rest = tail;
            out.push(self.config.render(&chunk_name, &value, self.max_age));
        }
        if present.has_single() {
            out.push(self.config.render_removal(name));
        }
        out.extend(
            present
                .chunk_indices()
                .filter(|&i| i >= count)
                .map(|i| self.config.render_removal(&self.config.chunk_name(i))),
        );
        Ok(out)
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
    ///   whose cookie was rejected: delete the cookies the request carried;
    /// - a changed session, or one whose token [needs
    ///   re-issue](Loaded::needs_reissue) (key rotation): store it. When the
    ///   session keeps the loaded ID, its creation time and generation carry
    ///   over ([`Decoded::carry_over`]); after [`Session::regenerate`] (login)
    ///   it starts afresh;
    /// - otherwise nothing.
    ///
    /// # Errors
    /// See [`SessionCookie::store`]; notably [`Error::TooLarge`] when the
    /// session no longer fits the cookie.
    ///
    /// ```
    /// # fn main() -> Result<(), cookie_seal::Error> {
    /// use std::time::SystemTime;
    /// use cookie_seal::cookie::{CookieConfig, SessionCookie};
    /// use cookie_seal::{Codec, Key, Keyring, Session};
    /// let cookies = SessionCookie::new(
    ///     Codec::sealed(Keyring::new(1, Key::generate())),
    ///     CookieConfig::default(),
    /// )?;
    /// let now = SystemTime::now();
    /// let loaded = cookies.load::<Session>(["session=forged"], now);
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
        loaded: &Loaded<Session>,
        session: &Session,
        now: SystemTime,
    ) -> Result<Vec<String>, Error> {
        let rejected = loaded.error.is_some();
        if session.is_empty() {
            let stale = session.is_modified() || rejected || loaded.decoded.is_some();
            return Ok(if stale && !loaded.present.is_empty() {
                self.removal_cookies(&loaded.present)
            } else {
                Vec::new()
            });
        }
        if !session.is_modified() && !loaded.needs_reissue() && !rejected {
            return Ok(Vec::new());
        }
        let options = match &loaded.decoded {
            Some(decoded) if decoded.value.id() == session.id() => decoded.carry_over(),
            _ => EncodeOptions::new(),
        };
        self.store(session, &options, &loaded.present, now)
    }

    /// One pass over the `Cookie` headers: this config's single cookies (up
    /// to [`MAX_DUPLICATES`]) and chunks.
    fn scan<'h>(&self, cookie_headers: impl IntoIterator<Item = &'h str>) -> Found<'h> {
        let chunking = self.config.max_chunks > 1;
        let mut found = Found::default();
        for header in cookie_headers {
            for cookie in ::cookie::Cookie::split_parse(header).flatten() {
                let (Some(name), Some(value)) = (cookie.name_raw(), cookie.value_raw()) else {
                    continue;
                };
                if name == self.config.name {
                    found.present.single = true;
                    if found.singles.len() < MAX_DUPLICATES {
                        found.singles.push(value);
                    }
                } else if let Some(index) =
                    chunking.then(|| self.config.chunk_index(name)).flatten()
                {
                    found.present.add_chunk(index);
                    if found.chunks.iter().any(|(i, _)| *i == index) {
                        found.duplicate_chunk = true;
                    } else {
                        found.chunks.push((index, value));
                    }
                }
            }
        }
        found
    }

    /// The tokens to try, in order: the single cookies, or the one token
    /// reassembled from chunks.
    fn candidates<'h>(&self, found: &Found<'h>) -> Result<Vec<Cow<'h, str>>, Error> {
        if found.chunks.is_empty() && !found.duplicate_chunk {
            return Ok(found.singles.iter().map(|s| Cow::Borrowed(*s)).collect());
        }
        // Chunks present: they must form exactly one complete token.
        if !found.singles.is_empty() || found.duplicate_chunk {
            return Err(Error::Malformed);
        }
        let first = found
            .chunks
            .iter()
            .find(|(i, _)| *i == 0)
            .map(|(_, value)| *value)
            .ok_or(Error::Malformed)?;
        let (count, first_part) = first
            .split_once(CHUNK_COUNT_SEPARATOR)
            .ok_or(Error::Malformed)?;
        let canonical = !count.is_empty()
            && count.len() <= 2
            && count.bytes().all(|b| b.is_ascii_digit())
            && !count.starts_with('0');
        let count: usize = if canonical {
            count.parse().map_err(|_| Error::Malformed)?
        } else {
            return Err(Error::Malformed);
        };
        if count < 2 || count > self.config.max_chunks || found.chunks.len() != count {
            return Err(Error::Malformed);
        }
        let mut token = String::with_capacity(count * MAX_COOKIE_LEN);
        token.push_str(first_part);
        for index in 1..count {
            let part = found
                .chunks
                .iter()
                .find(|(i, _)| *i == index)
                .map(|(_, value)| *value)
                .ok_or(Error::Malformed)?;
            token.push_str(part);
        }
        Ok(vec![Cow::Owned(token)])
    }
}

/// This config's cookies found in one request.
#[derive(Default)]
struct Found<'h> {
    singles: Vec<&'h str>,
    chunks: Vec<(usize, &'h str)>,
    duplicate_chunk: bool,
    present: PresentCookies,
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.len() > MAX_COOKIE_NAME_LEN {
        return Err(Error::TooLarge {
            len: name.len(),
            limit: MAX_COOKIE_NAME_LEN,
        });
    }
    if name.is_empty() || !name.bytes().all(is_token_char) {
        return Err(Error::InvalidOption(
            "cookie name must be RFC 6265 token characters (no controls, space or ()<>@,;:\\\"/[]?={})",
        ));
    }
    Ok(())
}

fn check_attribute_len(value: &str) -> Result<(), Error> {
    if value.len() > MAX_ATTRIBUTE_LEN {
        return Err(Error::TooLarge {
            len: value.len(),
            limit: MAX_ATTRIBUTE_LEN,
        });
    }
    Ok(())
}

/// RFC 6265 section 4.1.1 `token` (RFC 2616): visible ASCII except separators.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b)
}

/// RFC 6265 section 4.1.1 `cookie-octet`: visible ASCII except `"`, `,`, `;`
/// and `\`.
fn is_cookie_octet(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\')
}

fn has_prefix_ignore_case(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

fn decimal_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names_are_canonical_decimal_below_the_limit() {
        let config = CookieConfig::default();
        for (name, index) in [
            ("session.0", Some(0)),
            ("session.7", Some(7)),
            ("session.31", Some(31)),
            ("session.32", None),
            ("session.00", None),
            ("session.01", None),
            ("session.", None),
            ("session.-1", None),
            ("session.+1", None),
            ("session.1x", None),
            ("sessionx.1", None),
            ("session", None),
            ("session.100", None),
        ] {
            assert_eq!(config.chunk_index(name), index, "{name}");
        }
        assert_eq!(config.chunk_name(12), "session.12");
    }

    #[test]
    fn decimal_len_counts_digits() {
        for (n, len) in [(0, 1), (9, 1), (10, 2), (99, 2), (100, 3), (usize::MAX, 20)] {
            assert_eq!(decimal_len(n), len, "{n}");
        }
    }

    #[test]
    fn cookie_octets_exclude_separators_and_controls() {
        let allowed: Vec<u8> = (0u8..=255).filter(|&b| is_cookie_octet(b)).collect();
        assert_eq!(allowed.len(), 94 - 4);
        for b in [b'"', b',', b';', b'\\', b' ', b'\t', 0x7f, 0x80] {
            assert!(!is_cookie_octet(b), "{b:#x}");
        }
        assert!(b"ABCxyz019-_.~=".iter().all(|&b| is_cookie_octet(b)));
    }
}
