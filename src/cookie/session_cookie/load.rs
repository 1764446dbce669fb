//! Loading: the `Cookie` header lines to a verified session (or a rejection).

use std::borrow::Cow;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

use super::{Loaded, SessionCookie};
use crate::codec::Decoded;
use crate::cookie::chunk::PresentCookies;
use crate::error::Error;
use crate::session::SessionMap;

impl SessionCookie {
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
}
