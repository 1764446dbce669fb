//! Where secrets come from: the keyring from `SESSION_KEYS` or stdin, the
//! token from an argument or stdin (`-`). Never from arguments for keys.
//!
//! Reads are capped, and buffers that held key text are wiped on drop
//! (best effort: the environment itself keeps its own copy).

use std::io::{IsTerminal, Read};

use cookie_seal::consts::{MAX_KEYRING_TEXT_LEN, MAX_TOKEN_LEN};
use cookie_seal::Keyring;
use zeroize::Zeroizing;

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

/// Reads the keyring: `SESSION_KEYS` when it is set (even if stdin also has
/// data), otherwise all of stdin. Returns it with the name of its source.
pub(crate) fn keyring(stdin: Stdin) -> Result<(Keyring, &'static str), Failure> {
    match std::env::var_os(KEYS_VAR) {
        Some(value) => {
            let text = Zeroizing::new(value.into_string().map_err(|_| {
                Failure::usage(format!("{KEYS_VAR} is not valid UTF-8"))
            })?);
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

fn parse_keyring(text: &str, source: &str) -> Result<Keyring, Failure> {
    text.parse::<Keyring>()
        .map_err(|e| Failure::usage(format!("cannot read the keyring from {source}: {e}")))
}

/// The token argument, or stdin when it is `-`, without surrounding whitespace.
pub(crate) fn token(argument: &str) -> Result<String, Failure> {
    if argument != "-" {
        return Ok(argument.trim().to_owned());
    }
    // Room for the longest token the library reads plus a line ending; a
    // longer input is cut off here and refused as too large by the library.
    let bytes = read_capped(&mut std::io::stdin().lock(), MAX_TOKEN_LEN + 2, "token")?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.trim().to_owned())
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
    fn token_arguments_are_trimmed() {
        assert_eq!(token("  abc\n").unwrap(), "abc");
    }
}
