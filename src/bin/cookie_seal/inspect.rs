//! `inspect`: a token's header, read without keys and reported as unverified.

use std::time::SystemTime;

use cookie_seal::inspect as read_header;

use crate::format::{flags, line, mode_name, moment, size, unreadable, Outcome};
use crate::{EXIT_INVALID, EXIT_OK};

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

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use cookie_seal::{Codec, Key, Keyring, SessionMap};

    use super::*;

    const NOW: u64 = 1_750_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn session_token(issued: u64) -> String {
        let mut session = SessionMap::new();
        session.insert("user_id", &42u64).unwrap();
        Codec::sealed(Keyring::new(1, Key::from_bytes(&[1; 32]).unwrap()))
            .encode_at(&session, at(issued))
            .unwrap()
    }

    #[test]
    fn inspect_reports_header_fields_and_says_nothing_is_verified() {
        let token = session_token(NOW - 3_600);
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
        let signed = Codec::signed(Keyring::new(1, Key::from_bytes(&[1; 32]).unwrap()))
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
}
