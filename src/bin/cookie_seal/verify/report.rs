//! The words of a `verify` verdict: what an authentic token holds and when it
//! is re-issued, or why a token does not verify.

use std::time::SystemTime;

use cookie_seal::{inspect as read_header, Decoded, Error, Lifetime, SessionMap};

use super::{Binding, VerifySettings};
use crate::format::{join, line, mode_name, moment, moment_noted, plus, size, unreadable, Outcome};
use crate::{Failure, EXIT_INVALID, EXIT_USAGE};

pub(super) fn describe_valid(
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
            "authentic, but not a SessionMap: it holds another type (e.g. a SessionId or an \
             app struct); postcard payloads do not describe themselves, so it is not shown",
        ),
    }
    out
}

/// The authentic payload read as a [`SessionMap`], if it is exactly one.
fn as_session(payload: &[u8]) -> Option<SessionMap> {
    match postcard::take_from_bytes::<SessionMap>(payload) {
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

fn describe_session(out: &mut String, session: &SessionMap) {
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
        format!("SessionMap, {count}, {id} (values are not shown)"),
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
pub(super) fn invalid_outcome(
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
            let hint = match &settings.binding {
                Binding::Unbound => "; a cookie written by SessionCookie is bound to its name: \
                                     pass --cookie-name NAME, or paste NAME=value"
                    .to_owned(),
                Binding::CookieName(name) => format!(
                    "; verified for cookie name {name:?} (the cookie layer binds the name into \
                     the token): if the cookie is called something else, pass its name with \
                     --cookie-name, or paste NAME=value as the browser shows it"
                ),
                Binding::Context(_) => String::new(),
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
