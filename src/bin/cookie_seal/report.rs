//! `inspect` and `verify`: what they print and which exit code they give.
//!
//! Both are pure functions of the token, the settings and `now`, so their
//! output is tested without running the binary. Neither prints key material
//! or session values: `verify` shows a session's keys and each value's size.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::consts::{FORMAT_VERSION, MAX_COOKIE_LEN};
use cookie_seal::{
    inspect as read_header, Codec, DecodeOptions, Error, Keyring, Lifetime, Mode, Session,
    UntrustedHeader,
};

use crate::{Failure, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

/// What a command prints on stdout and the exit code it ends with.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) code: u8,
    pub(crate) text: String,
}

/// Column width of the labels, so the values line up.
const LABEL_WIDTH: usize = 16;

/// Appends one `label: value` line.
fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    out.push_str(&format!("{:<LABEL_WIDTH$}{value}\n", format!("{label}:")));
}

/// Reads the header without keys and reports it as unverified.
pub(crate) fn inspect(token: &str, cookie_name: &str, now: SystemTime) -> Outcome {
    let header = match read_header(token) {
        Ok(header) => header,
        Err(error) => {
            return Outcome {
                code: EXIT_INVALID,
                text: format!("NOT A TOKEN: {}\n", unreadable(&error)),
            }
        }
    };
    let mut out = String::from(
        "NOT VERIFIED: this header was read without keys, and anyone can write any header.\n\
         Use `cookie-seal verify` to check the token.\n",
    );
    line(&mut out, "format version", header.version());
    line(&mut out, "mode", mode_name(header.mode()));
    line(&mut out, "flags", flags(&header));
    line(&mut out, "key ID", header.key_id());
    match (header.issued_at(), header.created_at(), header.generation()) {
        (Some(issued_at), Some(created_at), Some(generation)) => {
            line(&mut out, "issued at", moment(issued_at, now));
            if created_at != issued_at {
                line(&mut out, "session created", moment(created_at, now));
            }
            if generation != 0 {
                line(&mut out, "generation", generation);
            }
        }
        // Sealed tokens encrypt their times and generation.
        _ => line(
            &mut out,
            "issued at",
            "encrypted (`cookie-seal verify` reads it)",
        ),
    }
    line(&mut out, "size", size(token.len(), cookie_name));
    Outcome {
        code: EXIT_OK,
        text: out,
    }
}

/// The codec settings `verify` checks against, as given on the command line.
#[derive(Debug, Clone)]
pub(crate) struct VerifySettings {
    /// The required mode, or `None` to use the (authenticated) mode of the token.
    pub(crate) mode: Option<Mode>,
    pub(crate) purpose: String,
    pub(crate) context: Vec<u8>,
    pub(crate) max_age: Duration,
    pub(crate) absolute_lifetime: Option<Duration>,
    pub(crate) reissue_after: Option<Duration>,
    pub(crate) clock_skew: Duration,
    pub(crate) cookie_name: String,
}

/// The facts of an authentic token, whatever its payload.
struct Verified {
    mode: Mode,
    key_id: u32,
    issued_at: SystemTime,
    created_at: SystemTime,
    generation: u32,
    reissue_due: bool,
}

/// Verifies `token` with a codec built from `keys` and `settings`.
///
/// # Errors
/// A usage [`Failure`] only for problems that are not the token's fault
/// (this machine's clock before 1970).
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
        .token_budget_for_cookie(&settings.cookie_name);
    if let Some(lifetime) = settings.absolute_lifetime {
        codec = codec.absolute_lifetime(lifetime);
    }
    if let Some(age) = settings.reissue_after {
        codec = codec.reissue_after(age);
    }

    let (verified, session) = match codec.decode_with::<Session>(
        token,
        &DecodeOptions::new().context(&settings.context),
        now,
    ) {
        Ok(decoded) => {
            let verified = Verified {
                mode: decoded.mode,
                key_id: decoded.key_id,
                issued_at: decoded.issued_at,
                created_at: decoded.created_at,
                generation: decoded.generation,
                reissue_due: decoded.needs_reissue(),
            };
            (verified, Some(decoded.value))
        }
        // `Codec::decode_with` documents that `Deserialize` is reported only
        // after the tag and the lifetimes were checked: the token is
        // authentic and current, so its header (covered by the tag) is
        // trustworthy. Only the payload's type is not a `Session`.
        Err(Error::Deserialize) => {
            // A sealed token's times are encrypted: read them through the
            // payload-agnostic check, which passes where decoding did.
            let decoded = codec
                .verify(token, &DecodeOptions::new().context(&settings.context), now)
                .map_err(|e| {
                    Failure::usage(format!(
                        "internal error: authentic token fails to verify: {e}"
                    ))
                })?;
            let verified = Verified {
                mode: decoded.mode,
                key_id: decoded.key_id,
                issued_at: decoded.issued_at,
                created_at: decoded.created_at,
                generation: decoded.generation,
                reissue_due: decoded.needs_reissue(),
            };
            (verified, None)
        }
        Err(error) => return invalid_outcome(&error, token, &key_ids, settings),
    };

    let mut out = format!(
        "VALID: authentic and within its lifetime (purpose {:?}, {})\n",
        settings.purpose,
        if settings.context.is_empty() {
            "no context"
        } else {
            "with the given context"
        }
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
        reissue(&verified, primary, settings),
    );
    line(&mut out, "size", size(token.len(), &settings.cookie_name));
    match session {
        Some(session) => describe_session(&mut out, &session),
        None => line(
            &mut out,
            "payload",
            "authentic, but not a Session: it holds another type (e.g. a SessionId or an \
             app struct); postcard payloads do not describe themselves, so it is not shown",
        ),
    }
    Ok(Outcome {
        code: EXIT_OK,
        text: out,
    })
}

fn reissue(verified: &Verified, primary: u32, settings: &VerifySettings) -> String {
    if !verified.reissue_due {
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

/// The verdict for a token that did not verify, or a usage failure for
/// errors that are not about the token.
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
            settings.cookie_name
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
        Error::Invalid => format!(
            "the tag does not verify: the token was modified, or the key, purpose ({:?}) \
             or context is wrong",
            settings.purpose
        ),
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
        other => {
            return Err(Failure {
                code: EXIT_USAGE,
                message: format!("cannot verify: {other}"),
            })
        }
    };
    Ok(Outcome {
        code: EXIT_INVALID,
        text: format!("INVALID: {reason}\n"),
    })
}

/// Why a token cannot even be read as one.
fn unreadable(error: &Error) -> String {
    match error {
        Error::UnsupportedVersion(version) => format!(
            "format version {version} is not supported (this tool reads version {FORMAT_VERSION})"
        ),
        Error::TooLarge { len, limit } => {
            format!("{len} bytes is longer than any token ({limit} bytes at most)")
        }
        _ => {
            "malformed: not a cookie-seal token (bad base64, wrong length or bad header)".to_owned()
        }
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Signed => "signed",
        Mode::Sealed => "sealed",
    }
}

fn flags(header: &UntrustedHeader) -> String {
    if header.mode() == Mode::Sealed {
        return "encrypted".to_owned();
    }
    let mut set = Vec::new();
    if header.compressed() == Some(true) {
        set.push("compressed");
    }
    if header.created_at() != header.issued_at() {
        set.push("created-at");
    }
    if header.generation().is_some_and(|g| g != 0) {
        set.push("generation");
    }
    if set.is_empty() {
        "none".to_owned()
    } else {
        set.join(", ")
    }
}

/// The first second of the year 10000, the end of RFC 3339's range.
const YEAR_10000: u64 = 253_402_300_800;

/// A date and how far it is from `now`: `2025-01-01T00:00:00Z (3h 2m ago)`.
fn moment(time: SystemTime, now: SystemTime) -> String {
    moment_noted(time, now, "")
}

/// Like [`moment`], with a note inside the parentheses:
/// `2025-01-01T00:00:00Z (in 3h; --max-age 1day)`.
fn moment_noted(time: SystemTime, now: SystemTime, note: &str) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let date = if seconds >= YEAR_10000 {
        format!("Unix time {seconds} (after the year 9999)")
    } else {
        humantime::format_rfc3339_seconds(time).to_string()
    };
    let relative = match now.duration_since(time) {
        Ok(ago) => format!("{} ago", whole_seconds(ago)),
        Err(ahead) => format!("in {}", whole_seconds(ahead.duration())),
    };
    if note.is_empty() {
        format!("{date} ({relative})")
    } else {
        format!("{date} ({relative}; {note})")
    }
}

fn whole_seconds(duration: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_secs(duration.as_secs()))
}

fn plus(time: SystemTime, duration: Duration) -> SystemTime {
    time.checked_add(duration).unwrap_or(time)
}

/// The token's size against the browser limit for cookie `name`.
fn size(token_len: usize, name: &str) -> String {
    let cookie = token_len.saturating_add(name.len());
    if cookie <= MAX_COOKIE_LEN {
        format!(
            "{token_len} bytes; cookie {name:?} uses {cookie} of {MAX_COOKIE_LEN} bytes ({}%), {} left",
            cookie * 100 / MAX_COOKIE_LEN,
            MAX_COOKIE_LEN - cookie
        )
    } else {
        format!(
            "{token_len} bytes; cookie {name:?} needs {cookie} bytes, OVER the \
             {MAX_COOKIE_LEN}-byte limit by {}: browsers drop it",
            cookie - MAX_COOKIE_LEN
        )
    }
}

fn join(ids: &[u32]) -> String {
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
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
            context: Vec::new(),
            max_age: Duration::from_secs(86_400),
            absolute_lifetime: None,
            reissue_after: None,
            clock_skew: Duration::from_secs(60),
            cookie_name: "session".into(),
        }
    }

    fn session_token(ring: Keyring, issued: u64) -> String {
        let mut session = Session::new();
        session.insert("user_id", &42u64).unwrap();
        session.insert("name", "Ada").unwrap();
        Codec::sealed(ring).encode_at(&session, at(issued)).unwrap()
    }

    #[test]
    fn inspect_reports_header_fields_and_says_nothing_is_verified() {
        let token = session_token(ring(), NOW - 3_600);
        let outcome = inspect(&token, "session", at(NOW));
        assert_eq!(outcome.code, EXIT_OK);
        let text = outcome.text;
        assert!(text.starts_with("NOT VERIFIED"), "{text}");
        assert!(text.contains("format version: 1\n"), "{text}");
        assert!(text.contains("mode:           sealed\n"), "{text}");
        // A sealed token's flags and times are encrypted.
        assert!(text.contains("flags:          encrypted\n"), "{text}");
        assert!(text.contains("key ID:         1\n"), "{text}");
        assert!(text.contains("issued at:      encrypted"), "{text}");
        let cookie = token.len() + 7;
        assert!(
            text.contains(&format!("uses {cookie} of 4096 bytes")),
            "{text}"
        );
        let signed = Codec::signed(ring())
            .encode_at(&1u8, at(NOW - 3_600))
            .unwrap();
        let text = inspect(&signed, "session", at(NOW)).text;
        assert!(text.contains("flags:          none\n"), "{text}");
        assert!(text.contains("(1h ago)"), "{text}");
    }

    #[test]
    fn inspect_of_garbage_is_not_a_token() {
        let outcome = inspect("not a token!", "session", at(NOW));
        assert_eq!(outcome.code, EXIT_INVALID);
        assert!(outcome.text.starts_with("NOT A TOKEN: malformed"));
    }

    #[test]
    fn moments_beyond_rfc3339_do_not_panic() {
        let far = at(u64::MAX / 4);
        assert!(moment(far, at(NOW)).contains("after the year 9999"));
        assert!(moment(at(NOW + 90), at(NOW)).ends_with("(in 1m 30s)"));
    }

    #[test]
    fn size_reports_room_left_and_overflow() {
        assert_eq!(
            size(4089, "session"),
            "4089 bytes; cookie \"session\" uses 4096 of 4096 bytes (100%), 0 left"
        );
        assert!(size(4090, "session").contains("OVER the 4096-byte limit by 1"));
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
