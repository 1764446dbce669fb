//! What an operator pastes as a token: the bare cookie value, `NAME=value`
//! (as devtools and `Cookie` headers show it), a `Set-Cookie` value with its
//! attributes (as devtools copy it), or a whole `Set-Cookie` line.
//!
//! Self-contained (std only) so that the fuzz crate can include this file
//! as a module and feed it arbitrary text.

/// A pasted cookie: the token and, if given, the cookie's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pasted {
    /// The cookie name before `=`, if one was pasted.
    pub(crate) name: Option<String>,
    /// The cookie value: the token.
    pub(crate) value: String,
}

/// Longest accepted input, far above any cookie (a browser keeps 4096
/// bytes of name and value): the parser never scans more.
pub(crate) const MAX_PASTE_LEN: usize = 64 * 1024;

/// Reads a pasted cookie. Accepts, around optional whitespace:
///
/// - `VALUE`: a bare token (tokens are base64url and never contain `=`);
/// - `NAME=VALUE`, one cookie as in a `Cookie` header or devtools;
/// - `Set-Cookie: NAME=VALUE; Path=/; ...`, attributes ignored;
/// - `NAME=VALUE; HttpOnly; Secure; Path=/`: a `Set-Cookie` value as the
///   browser's devtools copy it, without the `Set-Cookie:` prefix. Every
///   part after the first must then be a known attribute
///   ([`SET_COOKIE_ATTRIBUTES`]), so that a `Cookie` header with several
///   cookies is never taken for one;
/// - `Cookie: NAME=VALUE` with a single cookie.
///
/// A value in double quotes is unquoted, as RFC 6265 allows.
///
/// # Errors
/// A message for the operator: several cookies (counted and named), an
/// invalid cookie name, or a `Set-Cookie` line without a cookie. It never
/// quotes a value (a cookie can be a credential); cookie names are not secret.
pub(crate) fn parse_pasted(text: &str) -> Result<Pasted, String> {
    if text.len() > MAX_PASTE_LEN {
        return Err(format!("the input is longer than {MAX_PASTE_LEN} bytes"));
    }
    let text = text.trim();
    let (text, header) = if let Some(rest) = strip_prefix_ignore_case(text, "set-cookie:") {
        (rest.trim_start(), Header::SetCookie)
    } else if let Some(rest) = strip_prefix_ignore_case(text, "cookie:") {
        (rest.trim_start(), Header::Cookie)
    } else {
        (text, Header::None)
    };
    let mut parts = text.split(';');
    let pair = parts.next().unwrap_or_default().trim();
    let rest: Vec<&str> = parts
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    // After the first pair: attributes of a Set-Cookie value, or more cookies.
    let set_cookie = match header {
        // RFC 6265 section 5.2: a Set-Cookie line's unknown attributes are ignored.
        Header::SetCookie => true,
        _ if rest.is_empty() => false,
        Header::None if rest.iter().all(|part| is_set_cookie_attribute(part)) => true,
        Header::None | Header::Cookie => {
            let names: Vec<&str> = std::iter::once(pair)
                .chain(rest.iter().copied())
                // Only text before `=` is a name: a part without `=` may be a bare value.
                .filter_map(|part| part.split_once('=').map(|(name, _)| name.trim()))
                .filter(|name| is_cookie_name(name))
                .collect();
            return Err(format!(
                "found {} cookies ({}); paste only the session's, as NAME=value or the bare \
                 value (a Set-Cookie value may carry attributes such as Path and HttpOnly)",
                rest.len() + 1,
                names.join(", ")
            ));
        }
    };
    let (name, value) = match pair.split_once('=') {
        Some((name, value)) => {
            let name = name.trim();
            if !is_cookie_name(name) {
                return Err(
                    "the text before `=` is not a cookie name (letters, digits and \
                     !#$%&'*+-.^_`|~ only)"
                        .to_owned(),
                );
            }
            (Some(name.to_owned()), value.trim())
        }
        None if set_cookie => return Err("the Set-Cookie line has no NAME=value".to_owned()),
        None => (None, pair),
    };
    // An empty value stays empty: the library calls it malformed, as it
    // does any other text that is not a token.
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    Ok(Pasted {
        name,
        value: value.to_owned(),
    })
}

/// Which header prefix the paste started with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Header {
    SetCookie,
    Cookie,
    None,
}

/// The `Set-Cookie` attributes browsers know (RFC 6265 section 5.2, and the
/// drafts' `SameSite`, `Partitioned` and Chromium's `Priority`), matched
/// without regard to case. A `Cookie` header whose other cookies are all
/// named like these is read as one cookie with attributes, which is what a
/// cookie with its attributes, as devtools show it, looks like.
pub(crate) const SET_COOKIE_ATTRIBUTES: [&str; 9] = [
    "Expires",
    "Max-Age",
    "Domain",
    "Path",
    "Secure",
    "HttpOnly",
    "SameSite",
    "Partitioned",
    "Priority",
];

/// Whether `part` (`Name` or `Name=value`) is a known `Set-Cookie` attribute.
fn is_set_cookie_attribute(part: &str) -> bool {
    let name = part.split_once('=').map_or(part, |(name, _)| name).trim();
    SET_COOKIE_ATTRIBUTES
        .iter()
        .any(|known| known.eq_ignore_ascii_case(name))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// An RFC 6265 cookie name: an HTTP token (visible ASCII except separators).
pub(crate) fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, value: &str) -> Result<Pasted, String> {
        Ok(Pasted {
            name: Some(name.to_owned()),
            value: value.to_owned(),
        })
    }

    #[test]
    fn bare_values_and_name_value_pairs_are_read() {
        let bare = Ok(Pasted {
            name: None,
            value: "AbC-_09".to_owned(),
        });
        assert_eq!(parse_pasted("AbC-_09"), bare);
        assert_eq!(parse_pasted("  AbC-_09\n"), bare);
        assert_eq!(parse_pasted("session=AbC"), named("session", "AbC"));
        assert_eq!(
            parse_pasted("__Host-session = AbC "),
            named("__Host-session", "AbC")
        );
        assert_eq!(parse_pasted("id=\"AbC\""), named("id", "AbC"));
        assert_eq!(parse_pasted("Cookie: session=AbC"), named("session", "AbC"));
        assert_eq!(
            parse_pasted("set-cookie: s=AbC; Path=/; Secure; HttpOnly; SameSite=Lax"),
            named("s", "AbC")
        );
        // A Set-Cookie value from devtools, without the `Set-Cookie:` prefix.
        assert_eq!(
            parse_pasted("__Host-s=AbC; HttpOnly; Secure; Path=/; SameSite=None; Partitioned"),
            named("__Host-s", "AbC")
        );
        assert_eq!(
            parse_pasted(
                "s=AbC; max-age=60; EXPIRES=Wed, 21 Oct 2026 07:28:00 GMT; priority=High;"
            ),
            named("s", "AbC")
        );
        // Only the first `=` splits: the value keeps the rest (the library
        // then refuses it as malformed).
        assert_eq!(parse_pasted("a=b=c"), named("a", "b=c"));
    }

    #[test]
    fn ambiguous_or_broken_pastes_are_refused_without_echoing_them() {
        for bad in [
            "a=1; session=SECRETVALUE",
            "bad name=SECRETVALUE",
            "=SECRETVALUE",
            "sess(ion)=SECRETVALUE",
            "Set-Cookie: SECRETVALUE; Path=/",
        ] {
            let error = parse_pasted(bad).unwrap_err();
            assert!(!error.contains("SECRETVALUE"), "{bad:?}: {error}");
        }
        assert!(parse_pasted(&"A".repeat(MAX_PASTE_LEN + 1)).is_err());
        // Empty values are left to the library, which calls them malformed.
        assert_eq!(parse_pasted("  ").map(|p| p.value), Ok(String::new()));
        assert_eq!(parse_pasted("s=\"\"").map(|p| p.value), Ok(String::new()));
    }

    #[test]
    fn several_cookies_are_refused_with_their_count_and_names() {
        for (text, message) in [
            ("a=1; session=SECRETVALUE", "found 2 cookies (a, session);"),
            (
                "session=SECRETVALUE; Path=/; b=2",
                "found 3 cookies (session, Path, b);",
            ),
            (
                "Cookie: session=SECRETVALUE; Path=/",
                "found 2 cookies (session, Path);",
            ),
            ("SECRETVALUE; a=1", "found 2 cookies (a);"),
        ] {
            let error = parse_pasted(text).unwrap_err();
            assert!(error.starts_with(message), "{text:?}: {error}");
            assert!(!error.contains("SECRETVALUE"), "{text:?}: {error}");
        }
        // A bare value with attributes has no name to bind.
        assert_eq!(
            parse_pasted("SECRETVALUE; Path=/"),
            Err("the Set-Cookie line has no NAME=value".to_owned())
        );
    }

    #[test]
    fn cookie_names_follow_rfc_6265() {
        for good in ["session", "__Host-session", "a.0", "x!#$%&'*+-.^_`|~"] {
            assert!(is_cookie_name(good), "{good}");
        }
        for bad in ["", "a b", "a;b", "a=b", "é", "a\"", "a,b", "a\u{7f}"] {
            assert!(!is_cookie_name(bad), "{bad:?}");
        }
    }
}
