//! Where secrets come from: the keyring from `SESSION_KEYS` or stdin, the
//! token from an argument or stdin (`-`). Never from arguments for keys.
//!
//! Reads are capped, and buffers that held key text are wiped on drop
//! (best effort: the environment itself keeps its own copy).

use std::io::{IsTerminal, Read};

use cookie_seal::consts::MAX_KEYRING_TEXT_LEN;
use cookie_seal::Keyring;
use zeroize::Zeroizing;

use crate::paste::{parse_pasted, Pasted, MAX_PASTE_LEN};
use crate::Failure;

/// The environment variable holding the textual keyring.
pub(crate) const KEYS_VAR: &str = "SESSION_KEYS";

/// Whether stdin is still free to carry the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stdin {
    /// Nothing else reads stdin.
    Free,
    /// The token is read from stdin (`-`), so the keyring cannot be.
    UsedByToken,
}

/// Reads the keyring: `SESSION_KEYS` when it is set, otherwise all of
/// stdin. Returns it with the name of its source.
///
/// With `SESSION_KEYS` set and stdin free and not a terminal, stdin is read
/// too: a keyring there as well is refused, rather than silently ignored
/// (`rotate stage < keys.txt` would otherwise rotate another keyring).
pub(crate) fn keyring(stdin: Stdin) -> Result<(Keyring, &'static str), Failure> {
    match std::env::var_os(KEYS_VAR) {
        Some(value) => {
            let text = Zeroizing::new(value.into_string().map_err(|_| {
                Failure::usage(format!("{KEYS_VAR} is not valid UTF-8"))
            })?);
            let input = std::io::stdin();
            if stdin == Stdin::Free && !input.is_terminal() {
                let extra = read_capped(&mut input.lock(), MAX_KEYRING_TEXT_LEN, "keyring")?;
                refuse_second_keyring(&extra)?;
            }
            Ok((parse_keyring(&text, KEYS_VAR)?, KEYS_VAR))
        }
        None if stdin == Stdin::UsedByToken => Err(Failure::usage(format!(
            "{KEYS_VAR} is not set; with the token on stdin (`-`) the keyring must come from {KEYS_VAR}"
        ))),
        None => {
            let mut input = std::io::stdin().lock();
            if input.is_terminal() {
                eprintln!(
                    "cookie-seal: {KEYS_VAR} is not set; paste the keyring and press Ctrl-D"
                );
            }
            let bytes = read_capped(&mut input, MAX_KEYRING_TEXT_LEN, "keyring")?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| Failure::usage("the keyring on stdin is not valid UTF-8"))?;
            Ok((parse_keyring(text, "stdin")?, "stdin"))
        }
    }
}

/// Refuses stdin that holds anything but whitespace while `SESSION_KEYS`
/// is set: two keyrings, and no way to tell which one was meant.
fn refuse_second_keyring(stdin: &[u8]) -> Result<(), Failure> {
    if stdin.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "a keyring is in both {KEYS_VAR} and stdin; use one: unset {KEYS_VAR} to read \
         stdin (`env -u {KEYS_VAR} cookie-seal ...`), or give no stdin"
    )))
}

fn parse_keyring(text: &str, source: &str) -> Result<Keyring, Failure> {
    text.parse::<Keyring>()
        .map_err(|e| Failure::usage(format!("cannot read the keyring from {source}: {e}")))
}

/// The token argument, or stdin when it is `-`, read as a pasted cookie
/// (the bare value, or `NAME=value`; see [`parse_pasted`]).
pub(crate) fn pasted(argument: &str) -> Result<Pasted, Failure> {
    let text = if argument == "-" {
        let bytes = read_capped(&mut std::io::stdin().lock(), MAX_PASTE_LEN, "token")?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        argument.to_owned()
    };
    parse_pasted(&text).map_err(|reason| Failure::usage(format!("cannot read the token: {reason}")))
}

/// Reads all of `input` into a buffer that is wiped on drop, refusing more
/// than `limit` bytes.
fn read_capped(
    input: &mut impl Read,
    limit: usize,
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    // Allocated once at full size so that no reallocation leaves copies behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit + 1));
    input
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("cannot read the {what} from stdin: {e}")))?;
    if bytes.len() > limit {
        return Err(Failure::usage(format!(
            "the {what} on stdin is longer than {limit} bytes"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_capped_refuses_input_over_the_limit() {
        let mut short: &[u8] = b"12345";
        assert_eq!(
            read_capped(&mut short, 5, "x").unwrap().as_slice(),
            b"12345"
        );
        let mut long: &[u8] = b"123456";
        let failure = read_capped(&mut long, 5, "token").unwrap_err();
        assert_eq!(failure.code, crate::EXIT_USAGE);
        assert!(failure.message.contains("longer than 5 bytes"));
    }

    #[test]
    fn keyring_errors_name_the_source_but_not_the_key() {
        let secret = "1:c2VjcmV0LXNlY3JldC1zZWNyZXQ"; // 21 bytes: too short
        let failure = parse_keyring(secret, "stdin").unwrap_err();
        assert_eq!(failure.code, crate::EXIT_USAGE);
        assert!(failure.message.contains("stdin"), "{}", failure.message);
        assert!(!failure.message.contains("c2VjcmV0"), "{}", failure.message);
    }

    #[test]
    fn token_arguments_are_read_as_pasted_cookies() {
        assert_eq!(pasted("  abc\n").unwrap().value, "abc");
        let named = pasted("session=abc").unwrap();
        assert_eq!(
            (named.name.as_deref(), named.value.as_str()),
            (Some("session"), "abc")
        );
        assert_eq!(pasted("a=1; b=2").unwrap_err().code, crate::EXIT_USAGE);
    }

    #[test]
    fn a_second_keyring_on_stdin_is_refused() {
        assert!(refuse_second_keyring(b"").is_ok());
        assert!(refuse_second_keyring(b" \n\t").is_ok());
        let failure = refuse_second_keyring(b"1:AAAA").unwrap_err();
        assert_eq!(failure.code, crate::EXIT_USAGE);
        assert!(failure.message.contains("both SESSION_KEYS and stdin"));
    }
}
