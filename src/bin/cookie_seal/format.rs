//! Text shared by `inspect` and `verify`: labelled lines, dates, sizes,
//! and why a token cannot be read.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::consts::{FORMAT_VERSION, MAX_COOKIE_LEN};
use cookie_seal::{Error, Mode, UntrustedHeader};

/// What a command prints on stdout and the exit code it ends with.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) code: u8,
    pub(crate) text: String,
}

/// Column width of the labels, so the values line up.
const LABEL_WIDTH: usize = 16;

/// Appends one `label: value` line.
pub(crate) fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    out.push_str(&format!("{:<LABEL_WIDTH$}{value}\n", format!("{label}:")));
}

/// Why a token cannot even be read as one.
pub(crate) fn unreadable(error: &Error) -> String {
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

pub(crate) fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Signed => "signed",
        Mode::Sealed => "sealed",
    }
}

pub(crate) fn flags(header: &UntrustedHeader) -> String {
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
pub(crate) fn moment(time: SystemTime, now: SystemTime) -> String {
    moment_noted(time, now, "")
}

/// Like [`moment`], with a note inside the parentheses:
/// `2025-01-01T00:00:00Z (in 3h; --max-age 1day)`.
pub(crate) fn moment_noted(time: SystemTime, now: SystemTime, note: &str) -> String {
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

pub(crate) fn plus(time: SystemTime, duration: Duration) -> SystemTime {
    time.checked_add(duration).unwrap_or(time)
}

/// The token's size against the browser limit for cookie `name`.
pub(crate) fn size(token_len: usize, name: &str) -> String {
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

pub(crate) fn join(ids: &[u32]) -> String {
    ids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_750_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
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
}
