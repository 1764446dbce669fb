//! What an operator pastes as a token: the bare cookie value, `NAME=value`
//! (as devtools and `Cookie` headers show it), or a `Set-Cookie` line.
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
/// - `Cookie: NAME=VALUE` with a single cookie.
///
/// A value in double quotes is unquoted, as RFC 6265 allows.
///
/// # Errors
/// A message for the operator: several cookies, an invalid cookie name,
/// or a `Set-Cookie` line without a cookie. It never quotes the input (a cookie can
/// be a credential).
pub(crate) fn parse_pasted(text: &str) -> Result<Pasted, String> {
    if text.len() > MAX_PASTE_LEN {
        return Err(format!("the input is longer than {MAX_PASTE_LEN} bytes"));
    }
    let text = text.trim();
    let (text, set_cookie) = match strip_prefix_ignore_case(text, "set-cookie:") {
        Some(rest) => (rest.trim_start(), true),
        None => (
            strip_prefix_ignore_case(text, "cookie:").map_or(text, str::trim_start),
            false,
        ),
    };
    let pair = match text.split_once(';') {
        // A Set-Cookie line: the first pair is the cookie, the rest attributes.
        Some((pair, _attributes)) if set_cookie => pair.trim(),
        Some(_) => {
            return Err(
                "found `;`: paste one cookie, as NAME=value or the bare value \
                 (from a Cookie header with several cookies, copy only the session's)"
                    .to_owned(),
            )
        }
        None => text,
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
    fn cookie_names_follow_rfc_6265() {
        for good in ["session", "__Host-session", "a.0", "x!#$%&'*+-.^_`|~"] {
            assert!(is_cookie_name(good), "{good}");
        }
        for bad in ["", "a b", "a;b", "a=b", "é", "a\"", "a,b", "a\u{7f}"] {
            assert!(!is_cookie_name(bad), "{bad:?}");
        }
    }
}
