//! One token across several cookies (`name.0` carrying the count, then
//! `name.1`, …), and finding this config's cookies in a request's `Cookie`
//! headers.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::config::{decimal_len, CookieConfig};
use super::session_cookie::SessionCookie;
use crate::consts::{MAX_CHUNKS, MAX_COOKIE_LEN};
use crate::error::Error;

/// Chunk cookies `name.0` to `name.31` are recognised as this config's own
/// (and removed when stale); higher indices are ignored.
const CHUNK_INDEX_LIMIT: usize = 32;
/// At most this many candidate tokens are verified per request: distinct
/// same-named cookies (left over under another path, or planted), plus the
/// tokens that chunk cookies can be reassembled into. More is refused as
/// [`Error::TooManyCookies`], and nothing is deleted.
pub(super) const MAX_CANDIDATES: usize = 16;
/// Separates the chunk count from the first chunk's part of the token.
const CHUNK_COUNT_SEPARATOR: char = '.';

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
    #[must_use]
    pub fn none() -> PresentCookies {
        PresentCookies::default()
    }

    /// Adds the single (unchunked) cookie `name`.
    #[must_use]
    pub fn single(mut self) -> PresentCookies {
        self.single = true;
        self
    }

    /// Adds the chunk cookies `name.0` to `name.{count - 1}`.
    #[must_use]
    pub fn chunks(mut self, count: usize) -> PresentCookies {
        for index in 0..count.min(CHUNK_INDEX_LIMIT) {
            self.chunks |= 1 << index;
        }
        self
    }

    /// Whether the single cookie `name` was present.
    #[must_use]
    pub fn has_single(&self) -> bool {
        self.single
    }

    /// The indices of the chunk cookies present, ascending.
    pub fn chunk_indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..CHUNK_INDEX_LIMIT).filter(|i| self.chunks & (1 << i) != 0)
    }

    /// Whether none of the config's cookies was present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.single && self.chunks == 0
    }

    fn add_chunk(&mut self, index: usize) {
        if index < CHUNK_INDEX_LIMIT {
            self.chunks |= 1 << index;
        }
    }
}

impl CookieConfig {
    /// The most token bytes `count` chunk cookies hold: each chunk cookie
    /// `name.i` holds `MAX_COOKIE_LEN - len("name.i")` value bytes, the first
    /// one also carries the count marker `"{count}."`, and all of them
    /// together, as `name.i=value` pairs joined by `"; "` in the `Cookie`
    /// header, stay within the config's header budget.
    pub(super) fn chunked_capacity(&self, count: usize) -> usize {
        let names: Vec<usize> = (0..count)
            .map(|i| self.name.len() + 1 + decimal_len(i))
            .collect();
        let per_cookie: usize = names
            .iter()
            .map(|name| MAX_COOKIE_LEN.saturating_sub(*name))
            .sum();
        let header_overhead: usize =
            names.iter().map(|name| name + 1).sum::<usize>() + 2 * count.saturating_sub(1);
        let by_header = self.header_budget.saturating_sub(header_overhead);
        per_cookie
            .min(by_header)
            .saturating_sub(decimal_len(count) + 1)
    }

    /// The most token bytes any allowed chunk count holds (more chunks carry
    /// more names, so under a tight header budget fewer can hold more).
    pub(super) fn best_chunked_capacity(&self) -> usize {
        (2..=self.max_chunks.min(MAX_CHUNKS))
            .map(|count| self.chunked_capacity(count))
            .max()
            .unwrap_or(0)
    }

    /// The most token bytes the single cookie `name` holds: name and value
    /// within [`MAX_COOKIE_LEN`], and `name=value` within the header budget.
    pub(super) fn single_capacity(&self) -> usize {
        MAX_COOKIE_LEN
            .saturating_sub(self.name.len())
            .min(self.header_budget.saturating_sub(self.name.len() + 1))
    }

    /// The chunk index if `name` is exactly this config's chunk cookie
    /// `name.i` (canonical decimal, below the recognised limit).
    pub(super) fn chunk_index(&self, name: &[u8]) -> Option<usize> {
        let digits = name
            .strip_prefix(self.name.as_bytes())?
            .strip_prefix(b".")?;
        let canonical = matches!(digits.len(), 1 | 2)
            && digits.iter().all(u8::is_ascii_digit)
            && (digits.len() == 1 || digits[0] != b'0');
        if !canonical {
            return None;
        }
        let index = digits
            .iter()
            .fold(0usize, |n, digit| n * 10 + usize::from(digit - b'0'));
        (index < CHUNK_INDEX_LIMIT).then_some(index)
    }

    pub(super) fn chunk_name(&self, index: usize) -> String {
        let mut name = String::with_capacity(self.name.len() + 3);
        name.push_str(&self.name);
        // Writing to a String cannot fail.
        let _ = write!(name, ".{index}");
        name
    }
}

impl SessionCookie {
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
        // No early exit: a branch-free pass over a valid token is the cheap case.
        if !token.bytes().fold(true, |ok, b| ok & is_cookie_octet(b)) {
            return Err(Error::Malformed);
        }
        let name = &self.config.name;
        let chunking = self.config.max_chunks > 1;
        let single_len = name.len() + token.len();
        if single_len <= MAX_COOKIE_LEN && token.len() <= self.config.single_capacity() {
            let mut out = vec![self
                .config
                .render(&self.attributes, name, token, self.max_age)];
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
            return Err(if single_len > MAX_COOKIE_LEN {
                Error::TooLarge {
                    len: single_len,
                    limit: MAX_COOKIE_LEN,
                }
            } else {
                // Within one cookie, but over the Cookie header budget.
                Error::TooLarge {
                    len: single_len + 1,
                    limit: self.config.header_budget,
                }
            });
        }
        let max_chunks = self.config.max_chunks.min(MAX_CHUNKS);
        let count = (2..=max_chunks)
            .find(|&count| self.config.chunked_capacity(count) >= token.len())
            .ok_or(Error::TooLarge {
                len: token.len(),
                limit: self.config.best_chunked_capacity(),
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
            out.push(
                self.config
                    .render(&self.attributes, &chunk_name, &value, self.max_age),
            );
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

    /// One pass over the `Cookie` header lines, as bytes: this config's
    /// single cookies and chunks, each distinct value once, in the order
    /// sent.
    ///
    /// A line is never dropped as a whole: other cookies may hold any byte
    /// (UTF-8, obs-text, even invalid UTF-8, set by a script or a sibling
    /// subdomain), and only the pairs whose name is exactly one of this
    /// config's names are read. Such a pair with a value that is not UTF-8
    /// is recorded as present (so that it is deleted) and malformed.
    pub(super) fn scan<'h>(&self, cookie_headers: impl IntoIterator<Item = &'h [u8]>) -> Found<'h> {
        let chunking = self.config.max_chunks > 1;
        let own = self.config.name.as_bytes();
        let mut found = Found::default();
        for header in cookie_headers {
            for (name, value) in cookie_pairs(header) {
                let slot = if name == own {
                    found.present.single = true;
                    Slot::Single
                } else if let Some(index) =
                    chunking.then(|| self.config.chunk_index(name)).flatten()
                {
                    found.present.add_chunk(index);
                    Slot::Chunk(index)
                } else {
                    continue;
                };
                match std::str::from_utf8(value) {
                    Ok(value) => found.keep(slot, value),
                    Err(_) => found.malformed = true,
                }
            }
        }
        found
    }

    /// The tokens to verify, in order: every distinct single cookie, then
    /// every token the chunk cookies reassemble into. Chunks past the count
    /// in `name.0` are strays (left from a larger session, or planted) and
    /// are ignored; an index sent with several values gives one candidate
    /// per combination.
    ///
    /// # Errors
    /// [`Error::TooManyCookies`] for more than [`MAX_CANDIDATES`];
    /// [`Error::Malformed`] if chunks were sent but none reassembles (a
    /// missing chunk, a bad count marker) and there is no single cookie.
    pub(super) fn candidates<'h>(&self, found: &Found<'h>) -> Result<Vec<Cow<'h, str>>, Error> {
        if found.overflow {
            return Err(Error::TooManyCookies {
                count: found.total,
                limit: MAX_CANDIDATES,
            });
        }
        let mut out: Vec<Cow<'h, str>> = found.singles.iter().map(|s| Cow::Borrowed(*s)).collect();
        let firsts = found.chunks.first().map(Vec::as_slice).unwrap_or_default();
        for first in firsts {
            let Some((count, first_part)) = self.chunk_count(first) else {
                continue;
            };
            // A missing chunk index has no value, hence no combination.
            let Some(parts) = found.chunks.get(1..count) else {
                continue;
            };
            let combinations = parts
                .iter()
                .fold(1usize, |n, values| n.saturating_mul(values.len()));
            if out.len().saturating_add(combinations) > MAX_CANDIDATES {
                return Err(Error::TooManyCookies {
                    count: out.len().saturating_add(combinations),
                    limit: MAX_CANDIDATES,
                });
            }
            for mut combination in 0..combinations {
                let mut token = String::with_capacity(count * MAX_COOKIE_LEN);
                token.push_str(first_part);
                for values in parts {
                    token.push_str(values[combination % values.len()]);
                    combination /= values.len();
                }
                if !out.iter().any(|seen| *seen == token) {
                    out.push(Cow::Owned(token));
                }
            }
        }
        if out.is_empty()
            && (found.malformed || found.chunks.iter().any(|values| !values.is_empty()))
        {
            return Err(Error::Malformed);
        }
        Ok(out)
    }

    /// The chunk count and the rest of chunk 0's value, if its count marker
    /// is canonical decimal from 2 to the configured chunk limit.
    fn chunk_count<'v>(&self, first: &'v str) -> Option<(usize, &'v str)> {
        let (count, rest) = first.split_once(CHUNK_COUNT_SEPARATOR)?;
        let canonical = !count.is_empty()
            && count.len() <= 2
            && count.bytes().all(|b| b.is_ascii_digit())
            && !count.starts_with('0');
        let count: usize = count.parse().ok().filter(|_| canonical)?;
        (2..=self.config.max_chunks.min(MAX_CHUNKS))
            .contains(&count)
            .then_some((count, rest))
    }
}

/// Where a found cookie goes.
#[derive(Clone, Copy)]
enum Slot {
    Single,
    Chunk(usize),
}

/// This config's cookies found in one request.
#[derive(Default)]
pub(super) struct Found<'h> {
    /// Distinct values of the single cookie `name`, in the order sent.
    singles: Vec<&'h str>,
    /// Distinct values of each chunk cookie `name.i`, by index.
    chunks: Vec<Vec<&'h str>>,
    /// How many distinct values were kept, singles and chunks together.
    total: usize,
    /// Whether more distinct values came than [`MAX_CANDIDATES`].
    overflow: bool,
    /// Whether one of this config's cookies had a value that is not UTF-8
    /// (hence not a token).
    malformed: bool,
    pub(super) present: PresentCookies,
}

impl<'h> Found<'h> {
    fn keep(&mut self, slot: Slot, value: &'h str) {
        let values = match slot {
            Slot::Single => &mut self.singles,
            Slot::Chunk(index) => {
                if self.chunks.len() <= index {
                    self.chunks.resize_with(index + 1, Vec::new);
                }
                &mut self.chunks[index]
            }
        };
        if values.contains(&value) {
            return;
        }
        if self.total >= MAX_CANDIDATES {
            self.overflow = true;
            self.total = self.total.saturating_add(1);
            return;
        }
        values.push(value);
        self.total += 1;
    }
}

/// The `name=value` pairs of one `Cookie` header line, as bytes: split at
/// `;`, each pair and its name and value trimmed of HTTP's optional
/// whitespace (space and tab) only, so that a name padded with any other
/// byte (VT, FF, Unicode spaces) never equals a configured name. Pairs
/// without `=` or with an empty name are skipped; nothing fails.
pub(super) fn cookie_pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    header.split(|&b| b == b';').filter_map(|pair| {
        let eq = pair.iter().position(|&b| b == b'=')?;
        let name = trim_ows(&pair[..eq]);
        let value = trim_ows(&pair[eq + 1..]);
        (!name.is_empty()).then_some((name, value))
    })
}

/// `bytes` without leading and trailing space and tab (RFC 9110 `OWS`).
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| matches!(b, b' ' | b'\t');
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// RFC 6265 section 4.1.1 `cookie-octet`: visible ASCII except `"`, `,`, `;`
/// and `\`.
fn is_cookie_octet(b: u8) -> bool {
    COOKIE_OCTETS[usize::from(b)]
}

/// Whether each byte is a `cookie-octet` (RFC 6265 section 4.1.1): a table,
/// because every `Set-Cookie` checks its whole token and the branchy
/// range test cost ~1 µs per 250-byte token (`perf` of the layer bench).
const COOKIE_OCTETS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        // `b < 256`: the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let byte = b as u8;
        table[b] = byte.is_ascii_graphic() && !matches!(byte, b'"' | b',' | b';' | b'\\');
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests;
