//! `verify`: the verdict of [`Codec::verify`] on a token, explained.
//!
//! The verdict and the re-issue decision come from the library alone
//! (`Codec::verify` checks header, tag and times without deserializing the
//! payload); this file only builds the codec from the command line and puts
//! the result into words. It never prints key material or session values: a
//! session's keys are listed with each value's size.

use std::time::{Duration, SystemTime};

use cookie_seal::consts::DEFAULT_COOKIE_NAME;
use cookie_seal::{
    inspect as read_header, Codec, DecodeOptions, Decoded, Error, Keyring, Lifetime, Mode, Session,
};

use crate::format::{join, line, mode_name, moment, moment_noted, plus, size, unreadable, Outcome};
use crate::{Failure, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// What the token is bound to, besides the purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding {
    /// Nothing: a token from `Codec::encode` without a context.
    Unbound,
    /// A context given with `--context`.
    Context(String),
    /// A cookie written by `SessionCookie`, which binds the cookie name as
    /// the context (from `--cookie-name` or a pasted `NAME=value`).
    CookieName(String),
}

impl Binding {
    fn context(&self) -> &[u8] {
        match self {
            Binding::Unbound => b"",
            Binding::Context(context) => context.as_bytes(),
            Binding::CookieName(name) => name.as_bytes(),
        }
    }

    /// The cookie name the size budget is computed for.
    fn cookie_name(&self) -> &str {
        match self {
            Binding::CookieName(name) => name,
            _ => DEFAULT_COOKIE_NAME,
        }
    }

    fn describe(&self) -> String {
        match self {
            Binding::Unbound => "no context".to_owned(),
            Binding::Context(_) => "with the given context".to_owned(),
            Binding::CookieName(name) => format!("bound to cookie {name:?}"),
        }
    }
}

/// The codec settings `verify` checks against, as given on the command line.
#[derive(Debug, Clone)]
pub(crate) struct VerifySettings {
    /// The required mode, or `None` to use the (authenticated) mode of the token.
    pub(crate) mode: Option<Mode>,
    pub(crate) purpose: String,
    pub(crate) binding: Binding,
    pub(crate) max_age: Duration,
    pub(crate) absolute_lifetime: Option<Duration>,
    pub(crate) reissue_after: Option<Duration>,
    pub(crate) clock_skew: Duration,
}

/// Verifies `token` with a codec built from `keys` and `settings`.
///
/// # Errors
/// A usage [`Failure`] only for problems that are not the token's fault: a
/// setting out of range, or this machine's clock before 1970.
pub(crate) fn verify(
    token: &str,
    keys: Keyring,
    settings: &VerifySettings,
    now: SystemTime,
) -> Result<Outcome, Failure> {
    let key_ids: Vec<u32> = keys.ids().collect();
    let primary = keys.primary_id();
    let mode = match settings.mode {
        Some(mode) => mode,
        // The mode bit is authenticated like the rest of the header, so
        // taking it from the token only chooses which check to run.
        None => match read_header(token) {
            Ok(header) => header.mode(),
            Err(error) => return invalid_outcome(&error, token, &key_ids, settings),
        },
    };
    let mut codec = Codec::new(mode, keys)
        .purpose(&settings.purpose)
        .max_age(settings.max_age)
        .clock_skew(settings.clock_skew)
        .token_budget_for_cookie(settings.binding.cookie_name());
    if let Some(lifetime) = settings.absolute_lifetime {
        codec = codec.absolute_lifetime(lifetime);
    }
    if let Some(age) = settings.reissue_after {
        codec = codec.reissue_after(age);
    }
    let options = DecodeOptions::new().context(settings.binding.context());
    let verified = match codec.verify(token, &options, now) {
        Ok(verified) => verified,
        Err(error) => return invalid_outcome(&error, token, &key_ids, settings),
    };
    Ok(Outcome {
        code: EXIT_OK,
        text: describe_valid(token, &verified, primary, settings, now),
    })
}

fn describe_valid(
    token: &str,
    verified: &Decoded<Vec<u8>>,
    primary: u32,
    settings: &VerifySettings,
    now: SystemTime,
) -> String {
    let mut out = format!(
        "VALID: authentic and within its lifetime (purpose {:?}, {})\n",
        settings.purpose,
        settings.binding.describe()
    );
    let mode_note = if settings.mode.is_some() {
        ""
    } else {
        " (from the token; pass --mode to require one)"
    };
    line(
        &mut out,
        "mode",
        format!("{}{mode_note}", mode_name(verified.mode)),
    );
    let key_note = if verified.key_id == primary {
        "primary".to_owned()
    } else {
        format!("verify-only; key {primary} is primary")
    };
    line(
        &mut out,
        "key ID",
        format!("{} ({key_note})", verified.key_id),
    );
    line(&mut out, "issued at", moment(verified.issued_at, now));
    line(
        &mut out,
        "expires at",
        moment_noted(
            plus(verified.issued_at, settings.max_age),
            now,
            &format!("--max-age {}", humantime::format_duration(settings.max_age)),
        ),
    );
    if verified.created_at != verified.issued_at || settings.absolute_lifetime.is_some() {
        line(
            &mut out,
            "session created",
            moment(verified.created_at, now),
        );
    }
    if let Some(lifetime) = settings.absolute_lifetime {
        line(
            &mut out,
            "absolute end",
            moment_noted(
                plus(verified.created_at, lifetime),
                now,
                &format!(
                    "--absolute-lifetime {}",
                    humantime::format_duration(lifetime)
                ),
            ),
        );
    }
    if verified.generation != 0 {
        line(&mut out, "generation", verified.generation);
    }
    line(
        &mut out,
        "re-issue due",
        reissue(verified, primary, settings),
    );
    line(
        &mut out,
        "size",
        size(token.len(), settings.binding.cookie_name()),
    );
    match as_session(&verified.value) {
        Some(session) => describe_session(&mut out, &session),
        None => line(
            &mut out,
            "payload",
            "authentic, but not a Session: it holds another type (e.g. a SessionId or an \
             app struct); postcard payloads do not describe themselves, so it is not shown",
        ),
    }
    out
}

/// The authentic payload read as a [`Session`], if it is exactly one.
fn as_session(payload: &[u8]) -> Option<Session> {
    match postcard::take_from_bytes::<Session>(payload) {
        Ok((session, [])) => Some(session),
        _ => None,
    }
}

/// Explains the library's re-issue verdict (`Decoded::needs_reissue`).
fn reissue(verified: &Decoded<Vec<u8>>, primary: u32, settings: &VerifySettings) -> String {
    if !verified.needs_reissue() {
        return "no".to_owned();
    }
    if verified.key_id != primary {
        return format!(
            "yes: written with key {}, and key {primary} is primary now",
            verified.key_id
        );
    }
    match settings.reissue_after {
        Some(threshold) => format!(
            "yes: older than --reissue-after {}",
            humantime::format_duration(threshold)
        ),
        None => "yes".to_owned(),
    }
}

fn describe_session(out: &mut String, session: &Session) {
    let id = if session.id().is_some() {
        "with a session ID"
    } else {
        "no session ID"
    };
    let count = match session.len() {
        1 => "1 value".to_owned(),
        n => format!("{n} values"),
    };
    line(
        out,
        "payload",
        format!("Session, {count}, {id} (values are not shown)"),
    );
    for key in session.keys() {
        let len = session.get_raw(key).map_or(0, <[u8]>::len);
        let unit = if len == 1 { "byte" } else { "bytes" };
        // Debug quoting escapes control characters in keys.
        out.push_str(&format!("  {key:?}: {len} {unit}\n"));
    }
}

/// The verdict for a token that did not verify (exit 1), or a usage
/// failure (exit 2) for errors that are not about the token.
fn invalid_outcome(
    error: &Error,
    token: &str,
    key_ids: &[u32],
    settings: &VerifySettings,
) -> Result<Outcome, Failure> {
    let reason = match error {
        Error::TooLarge { len, limit } => format!(
            "the token is {len} bytes, over the {limit}-byte budget for cookie {:?} \
             (nothing else was checked)",
            settings.binding.cookie_name()
        ),
        Error::Malformed | Error::UnsupportedVersion(_) => unreadable(error),
        Error::ModeMismatch => {
            let claimed = read_header(token).map_or("another mode", |h| mode_name(h.mode()));
            let required = settings.mode.map_or("another mode", mode_name);
            format!("the token is {claimed}, but --mode {required} was required")
        }
        Error::UnknownKey(id) => format!(
            "the token names key ID {id}, which is not in the keyring (keys: {}): \
             the key was retired, is not staged on this keyring yet, or the token is forged",
            join(key_ids)
        ),
        Error::Invalid => {
            let hint = match settings.binding {
                Binding::Unbound => {
                    "; a cookie written by SessionCookie is bound to its name: pass \
                     --cookie-name NAME, or paste NAME=value"
                }
                _ => "",
            };
            format!(
                "the tag does not verify: the token was modified, or the key, purpose ({:?}) \
                 or context is wrong{hint}",
                settings.purpose
            )
        }
        Error::IssuedInFuture { issued_at, now } => format!(
            "authentic, but issued at {}, more than --clock-skew {} ahead of this clock",
            moment(*issued_at, *now),
            humantime::format_duration(settings.clock_skew)
        ),
        Error::Expired {
            expired_at,
            now,
            lifetime,
        } => {
            let limit = match lifetime {
                Lifetime::Idle => {
                    format!("--max-age {}", humantime::format_duration(settings.max_age))
                }
                Lifetime::Absolute => format!(
                    "--absolute-lifetime {}",
                    humantime::format_duration(settings.absolute_lifetime.unwrap_or_default())
                ),
            };
            format!(
                "authentic, but expired at {}",
                moment_noted(*expired_at, *now, &format!("the limit is {limit}"))
            )
        }
        Error::Inflate => {
            "authentic, but its compressed payload is corrupt or inflates past the cap".to_owned()
        }
        Error::TimeOutOfRange => {
            return Err(Failure::usage("this machine's clock is before 1970"));
        }
        Error::InvalidOption(reason) => {
            return Err(Failure {
                code: EXIT_USAGE,
                message: format!("invalid setting: {reason}"),
            })
        }
        // Whatever else the library reports, the token did not verify.
        other => format!("the token does not verify: {other}"),
    };
    Ok(Outcome {
        code: EXIT_INVALID,
        text: format!("INVALID: {reason}\n"),
    })
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use cookie_seal::Key;

    const NOW: u64 = 1_750_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn ring() -> Keyring {
        let mut ring = Keyring::new(1, Key::from_bytes(&[1; 32]).unwrap());
        ring.add(2, Key::from_bytes(&[2; 32]).unwrap()).unwrap();
        ring
    }

    fn settings() -> VerifySettings {
        VerifySettings {
            mode: None,
            purpose: "session".into(),
            binding: Binding::Unbound,
            max_age: Duration::from_secs(86_400),
            absolute_lifetime: None,
            reissue_after: None,
            clock_skew: Duration::from_secs(60),
        }
    }

    fn session_token(ring: Keyring, issued: u64) -> String {
        let mut session = Session::new();
        session.insert("user_id", &42u64).unwrap();
        session.insert("name", "Ada").unwrap();
        Codec::sealed(ring).encode_at(&session, at(issued)).unwrap()
    }

    #[test]
    fn verify_lists_session_keys_and_value_sizes_not_values() {
        let token = session_token(ring(), NOW - 60);
        let outcome = verify(&token, ring(), &settings(), at(NOW)).unwrap();
        assert_eq!(outcome.code, EXIT_OK);
        let text = outcome.text;
        assert!(text.starts_with("VALID"), "{text}");
        assert!(text.contains("key ID:         1 (primary)"), "{text}");
        assert!(text.contains("re-issue due:   no"), "{text}");
        assert!(text.contains("\"name\": 4 bytes"), "{text}");
        assert!(text.contains("\"user_id\": 1 byte\n"), "{text}");
        assert!(!text.contains("Ada"), "{text}");
    }

    #[test]
    fn verify_reports_reissue_for_old_keys_and_rolling_threshold() {
        let token = session_token(ring(), NOW - 600);
        let mut promoted = ring();
        promoted.promote(2).unwrap();
        let text = verify(&token, promoted, &settings(), at(NOW)).unwrap().text;
        assert!(
            text.contains("re-issue due:   yes: written with key 1, and key 2 is primary now"),
            "{text}"
        );
        let rolling = VerifySettings {
            reissue_after: Some(Duration::from_secs(300)),
            ..settings()
        };
        let text = verify(&token, ring(), &rolling, at(NOW)).unwrap().text;
        assert!(
            text.contains("re-issue due:   yes: older than --reissue-after 5m"),
            "{text}"
        );
    }

    #[test]
    fn verify_of_a_non_session_payload_is_authentic_but_not_shown() {
        let token = Codec::signed(ring())
            .purpose("csrf")
            .encode_at(&"secret csrf value", at(NOW))
            .unwrap();
        let csrf = VerifySettings {
            purpose: "csrf".into(),
            ..settings()
        };
        let outcome = verify(&token, ring(), &csrf, at(NOW)).unwrap();
        assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
        assert!(
            outcome.text.contains("authentic, but not a Session"),
            "{}",
            outcome.text
        );
        assert!(!outcome.text.contains("secret csrf value"));
        // With the wrong purpose it is not authentic at all.
        let outcome = verify(&token, ring(), &settings(), at(NOW)).unwrap();
        assert_eq!(outcome.code, EXIT_INVALID);
        assert!(outcome.text.starts_with("INVALID: the tag does not verify"));
    }

    #[test]
    fn the_verdict_and_reissue_come_from_the_library_for_any_payload() {
        // A SessionId-like payload (not a Session) written with key 1, read
        // with key 2 primary: authentic, and due for re-issue.
        let token = Codec::signed(ring())
            .encode_at(&[7u8; 32], at(NOW))
            .unwrap();
        let mut promoted = ring();
        promoted.promote(2).unwrap();
        let outcome = verify(&token, promoted, &settings(), at(NOW)).unwrap();
        assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
        assert!(
            outcome
                .text
                .contains("re-issue due:   yes: written with key 1"),
            "{}",
            outcome.text
        );
        assert!(outcome.text.contains("not a Session"), "{}", outcome.text);
    }

    #[test]
    fn a_cookie_name_binding_is_the_context_the_cookie_layer_uses() {
        let token = Codec::sealed(ring())
            .encode_with(
                &Session::new(),
                &cookie_seal::EncodeOptions::new().context(b"__Host-s"),
                at(NOW),
            )
            .unwrap();
        let bound = VerifySettings {
            binding: Binding::CookieName("__Host-s".into()),
            ..settings()
        };
        let outcome = verify(&token, ring(), &bound, at(NOW)).unwrap();
        assert_eq!(outcome.code, EXIT_OK, "{}", outcome.text);
        assert!(outcome.text.contains("bound to cookie \"__Host-s\""));
        assert!(outcome.text.contains("cookie \"__Host-s\" uses"));
        let unbound = verify(&token, ring(), &settings(), at(NOW)).unwrap();
        assert_eq!(unbound.code, EXIT_INVALID);
        assert!(unbound.text.contains("pass --cookie-name NAME"));
        let invalid_setting = VerifySettings {
            max_age: Duration::ZERO,
            ..bound
        };
        let failure = verify(&token, ring(), &invalid_setting, at(NOW)).unwrap_err();
        assert_eq!(failure.code, EXIT_USAGE);
        assert!(failure.message.contains("max_age"), "{}", failure.message);
    }

    #[test]
    fn verify_reasons_for_each_failure() {
        let token = session_token(ring(), NOW);
        let cases: Vec<(String, Keyring, VerifySettings, u64, &str)> = vec![
            (
                token.clone(),
                ring(),
                settings(),
                NOW + 86_401,
                "INVALID: authentic, but expired at",
            ),
            (
                token.clone(),
                ring(),
                settings(),
                NOW - 61,
                "INVALID: authentic, but issued at",
            ),
            (
                token.clone(),
                ring(),
                VerifySettings {
                    mode: Some(Mode::Signed),
                    ..settings()
                },
                NOW,
                "INVALID: the token is sealed, but --mode signed was required",
            ),
            (
                token.clone(),
                Keyring::new(7, Key::from_bytes(&[7; 32]).unwrap()),
                settings(),
                NOW,
                "INVALID: the token names key ID 1, which is not in the keyring (keys: 7)",
            ),
            (
                "A".repeat(5000),
                ring(),
                VerifySettings {
                    mode: Some(Mode::Sealed),
                    ..settings()
                },
                NOW,
                "INVALID: the token is 5000 bytes, over the 4089-byte budget",
            ),
            ("%%%".into(), ring(), settings(), NOW, "INVALID: malformed"),
        ];
        for (token, keys, settings, now, expected) in cases {
            let outcome = verify(&token, keys, &settings, at(now)).unwrap();
            assert_eq!(outcome.code, EXIT_INVALID, "{}", outcome.text);
            assert!(outcome.text.starts_with(expected), "{}", outcome.text);
        }
    }
}
