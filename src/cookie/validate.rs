//! `CookieConfig::validate`: the name, the attribute values, the `__Host-`
//! and `__Secure-` prefix rules and the size settings.

use std::time::Duration;

use super::config::{CookieConfig, SameSite, MIN_COOKIE_HEADER_BUDGET};
use crate::consts::{MAX_ATTRIBUTE_LEN, MAX_CHUNKS, MAX_COOKIE_NAME_LEN};
use crate::error::Error;

impl CookieConfig {
    /// Checks the whole config.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (with the reason) for: a bad name (see
    /// [`CookieConfig::new`]); a `Path` not starting with `/` or holding a
    /// control character or `;`; a `Domain` with characters other than ASCII
    /// letters, digits, `-` and `.`; a `__Host-` name without `Secure`, with a
    /// `Path` other than `/` or with a `Domain`; a `__Secure-` name without
    /// `Secure`; `SameSite=None` or `Partitioned` without `Secure`; a zero `Max-Age`, or one with
    /// [`CookieConfig::browser_session`]; a chunk count of 0 or above
    /// [`MAX_CHUNKS`]; a header budget below [`MIN_COOKIE_HEADER_BUDGET`].
    /// [`Error::TooLarge`] for a name
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
        if self.partitioned && !self.secure {
            return Err(Error::InvalidOption("a Partitioned cookie needs Secure"));
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(Error::InvalidOption("SameSite=None needs Secure"));
        }
        if self.browser_session && self.max_age.is_some() {
            return Err(Error::InvalidOption(
                "a browser-session cookie has no Max-Age",
            ));
        }
        if self.max_age == Some(Duration::ZERO) {
            return Err(Error::InvalidOption(
                "a Max-Age of 0 deletes the cookie at once",
            ));
        }
        if self.max_chunks == 0 || self.max_chunks > MAX_CHUNKS {
            // The message spells out MAX_CHUNKS; the assertion keeps them equal.
            const _: () = assert!(MAX_CHUNKS == 8);
            return Err(Error::InvalidOption("chunking allows 1 to 8 cookies"));
        }
        if self.header_budget < MIN_COOKIE_HEADER_BUDGET {
            const _: () = assert!(MIN_COOKIE_HEADER_BUDGET == 512);
            return Err(Error::InvalidOption(
                "the Cookie header budget must be at least 512 bytes",
            ));
        }
        Ok(())
    }
}

pub(super) fn check_name(name: &str) -> Result<(), Error> {
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

fn has_prefix_ignore_case(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}
