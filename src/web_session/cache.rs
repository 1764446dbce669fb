//! HTTP caches and the session: the `Cache-Control` and `Vary` rules the
//! layer and the middleware apply, over header bytes, for both frameworks'
//! header types.
//!
//! - `Vary: Cookie` on every response whose handler read the session or
//!   that sets its cookie (as Django's `SessionMiddleware` does when the
//!   session was accessed), unless a `Vary` already names `Cookie` or `*`.
//! - A response that sets the session cookie is never left storable by a
//!   shared cache: unless its `Cache-Control` already says `private` or
//!   `no-store`, `public` and `s-maxage` are dropped and `private` is put
//!   first (the other directives, such as `max-age`, stay for the browser).
//!   A response without `Cache-Control` gets `Cache-Control: private`, as
//!   Rails gives every response it has no other instruction for.
//! - A response that a shared cache may store (`public` or `s-maxage`)
//!   gets no optional re-issue (an unchanged session past `reissue_after`
//!   or under an old key): the next private response carries it.

use std::borrow::Cow;

use super::Finish;

/// A framework's response headers, as far as [`apply`] needs them (actix-web
/// and tower use different `http` crate versions, so each implements this).
pub(crate) trait ResponseHeaders {
    /// The `Vary` header lines, as bytes.
    fn vary(&self) -> impl Iterator<Item = &[u8]>;
    /// The `Cache-Control` header lines, as bytes.
    fn cache_control(&self) -> impl Iterator<Item = &[u8]>;
    /// Appends `Vary: Cookie`.
    fn append_vary_cookie(&mut self);
    /// Replaces every `Cache-Control` line with `value`, made by
    /// [`make_private`] from the response's own lines (so valid; if not,
    /// the implementation puts the strictest value); the one borrowed value
    /// is `private`.
    fn set_cache_control(&mut self, value: Cow<'static, [u8]>);
    /// Appends a `Set-Cookie` line: `value` is a valid header value
    /// ([`Finish::new`] checked it), so it is moved into the header, not
    /// copied.
    fn append_set_cookie(&mut self, value: String);
}

/// Adds what [`Finish`] decided to the response headers: `Vary: Cookie`,
/// a `Cache-Control` that keeps shared caches from storing a cookie, and
/// the `Set-Cookie` values (the rules in the module docs).
pub(crate) fn apply<H: ResponseHeaders>(headers: &mut H, finish: Finish) {
    if finish.vary_cookie && !varies_on_cookie(headers.vary()) {
        headers.append_vary_cookie();
    }
    if finish.set_cookies.is_empty() {
        return;
    }
    if let Some(value) = make_private(headers.cache_control()) {
        headers.set_cache_control(value);
    }
    for value in finish.set_cookies {
        headers.append_set_cookie(value);
    }
}

/// The directives of `Cache-Control` header lines, trimmed, as bytes.
fn directives<'v>(values: impl Iterator<Item = &'v [u8]>) -> impl Iterator<Item = &'v [u8]> {
    values
        .flat_map(|value| value.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|directive| !directive.is_empty())
}

/// The directive's name: before any `=`.
fn directive_name(directive: &[u8]) -> &[u8] {
    let end = directive
        .iter()
        .position(|&b| b == b'=')
        .unwrap_or(directive.len());
    directive[..end].trim_ascii()
}

fn is(directive: &[u8], name: &str) -> bool {
    directive_name(directive).eq_ignore_ascii_case(name.as_bytes())
}

/// Whether `Cache-Control` lets a shared cache store the response
/// explicitly (`public` or `s-maxage`), and no `private` or `no-store`
/// forbids it.
pub(crate) fn shared_cacheable<'v>(cache_control: impl Iterator<Item = &'v [u8]>) -> bool {
    let mut explicit = false;
    for directive in directives(cache_control) {
        if is(directive, "private") || is(directive, "no-store") {
            return false;
        }
        explicit |= is(directive, "public") || is(directive, "s-maxage");
    }
    explicit
}

/// The `Cache-Control` value for a response that sets the session cookie,
/// or `None` if the present one already keeps it from shared caches. Plain
/// `private` (the common case: the handler set none) is borrowed, so that
/// the layer adds it without allocating.
fn make_private<'v>(cache_control: impl Iterator<Item = &'v [u8]>) -> Option<Cow<'static, [u8]>> {
    let mut rewritten: Option<Vec<u8>> = None;
    for directive in directives(cache_control) {
        if is(directive, "private") || is(directive, "no-store") {
            return None;
        }
        if !is(directive, "public") && !is(directive, "s-maxage") {
            let value = rewritten.get_or_insert_with(|| PRIVATE.to_vec());
            value.extend_from_slice(b", ");
            value.extend_from_slice(directive);
        }
    }
    Some(rewritten.map_or(Cow::Borrowed(PRIVATE), Cow::Owned))
}

/// The directive a response that sets the session cookie gets.
const PRIVATE: &[u8] = b"private";

/// Whether `Vary` header lines already name `Cookie` (or `*`).
fn varies_on_cookie<'v>(vary: impl Iterator<Item = &'v [u8]>) -> bool {
    directives(vary).any(|field| field == b"*" || field.eq_ignore_ascii_case(b"cookie"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines<'a>(values: &'a [&'a str]) -> impl Iterator<Item = &'a [u8]> {
        values.iter().map(|value| value.as_bytes())
    }

    #[test]
    fn only_public_or_s_maxage_without_private_or_no_store_is_shared_cacheable() {
        for (values, shared) in [
            (&[][..], false),
            (&["max-age=60"][..], false),
            (&["public, max-age=60"][..], true),
            (&["PUBLIC"][..], true),
            (&["max-age=60", "s-maxage=600"][..], true),
            (&["public", "private"][..], false),
            (&["public, no-store"][..], false),
            (&["publicity"][..], false),
        ] {
            assert_eq!(shared_cacheable(lines(values)), shared, "{values:?}");
        }
    }

    #[test]
    fn make_private_drops_shared_directives_and_keeps_the_rest() {
        let private = |values: &[&str]| {
            make_private(lines(values)).map(|value| String::from_utf8(value.into_owned()).unwrap())
        };
        assert_eq!(private(&[]).as_deref(), Some("private"));
        assert!(matches!(
            make_private(lines(&["public"])),
            Some(Cow::Borrowed(PRIVATE))
        ));
        assert_eq!(
            private(&["public, max-age=60", "s-maxage=600, must-revalidate"]).as_deref(),
            Some("private, max-age=60, must-revalidate")
        );
        assert_eq!(private(&["Private, max-age=5"]), None);
        assert_eq!(private(&["no-store"]), None);
    }

    #[test]
    fn vary_names_cookie_case_insensitively_or_by_star() {
        assert!(varies_on_cookie(lines(&["Accept-Encoding, cookie"])));
        assert!(varies_on_cookie(lines(&["Accept", "*"])));
        assert!(!varies_on_cookie(lines(&["Accept-Encoding", "Cookies"])));
        assert!(!varies_on_cookie(lines(&[])));
    }
}
