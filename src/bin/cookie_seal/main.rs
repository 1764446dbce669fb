//! `cookie-seal`: the operator tool for cookie-seal keyrings and tokens.
//!
//! Build it with the `cli` feature (`cargo run --features cli -- --help`).
//! Commands: `keygen`, `rotate stage|promote|retire`, `inspect`, `verify`.
//!
//! Key material is read from the `SESSION_KEYS` environment variable or, when
//! that is unset, from standard input; never from arguments (they land in
//! shell history and `ps`). A keyring in both places is refused. Only `keygen` and `rotate` print key material: their
//! standard output is the new keyring and nothing else; notes go to stderr.
//!
//! Exit codes: 0 success (for `verify`: the token is valid), 1 the token is
//! invalid (`verify`) or not readable as a token (`inspect`), 2 usage error
//! (bad arguments, missing or malformed keyring, a rotation step that does not
//! apply, or stdin/stdout failing).

mod format;
mod input;
mod inspect;
mod paste;
mod rotate;
mod verify;

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::{Args, Parser, Subcommand, ValueEnum};
use cookie_seal::consts::{DEFAULT_COOKIE_NAME, DEFAULT_PURPOSE};
use cookie_seal::Mode;

/// Exit code for a valid token or a successful command.
const EXIT_OK: u8 = 0;
/// Exit code for a token that is invalid (`verify`) or unreadable (`inspect`).
const EXIT_INVALID: u8 = 1;
/// Exit code for usage errors (bad arguments, keyring problems); clap uses it too.
const EXIT_USAGE: u8 = 2;

/// Operator tool for cookie-seal: generate keys, rotate keyrings, inspect and
/// verify tokens.
///
/// Keyrings are read from `SESSION_KEYS`, or from stdin when `SESSION_KEYS` is
/// unset, never from arguments. Exit codes: 0 ok/valid, 1 invalid token,
/// 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "cookie-seal", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a new keyring holding one fresh 256-bit key (for `SESSION_KEYS`).
    ///
    /// The key is printed as `ID:KEY` with KEY in URL-safe base64 without
    /// padding (`A-Z a-z 0-9 - _`). Keyrings also accept standard padded
    /// base64 (`openssl rand -base64 32`); hex (`openssl rand -hex 32`) is refused.
    Keygen {
        /// The key ID of the new key.
        #[arg(long, default_value_t = 1)]
        id: u32,
    },
    /// Read a keyring (`SESSION_KEYS`, else stdin) and print the next step of a rotation.
    #[command(subcommand)]
    Rotate(RotateStep),
    /// Show what a token's header claims, without keys. Nothing is verified.
    Inspect {
        /// The token (the bare value, NAME=value, or a Set-Cookie value with its
        /// attributes), or `-` to read it from stdin (keeps it out of shell history).
        token: String,
        /// The cookie name, for the size budget (name + value <= 4096 bytes);
        /// default: the pasted NAME, else `session`.
        #[arg(long)]
        cookie_name: Option<String>,
        /// Show ages as of this moment instead of now (RFC 3339 UTC, e.g.
        /// `2026-11-22T09:14:00Z`).
        #[arg(long, value_parser = parse_moment, value_name = "TIME")]
        at: Option<SystemTime>,
    },
    /// Verify a token with the keyring in `SESSION_KEYS` (else stdin) and show its contents' shape.
    Verify(VerifyArgs),
}

#[derive(Debug, Subcommand)]
enum RotateStep {
    /// Add a new verify-only key with the next free ID (higher than every ID in the ring).
    Stage {
        /// Use this ID instead; it must be higher than every ID in the keyring.
        #[arg(long)]
        id: Option<u32>,
    },
    /// Make the staged key (the highest ID) primary; the old primary keeps verifying.
    Promote {
        /// Promote this key instead (e.g. to roll back to an older key).
        #[arg(long)]
        id: Option<u32>,
    },
    /// Remove a verify-only key; refuses the primary. Tokens it wrote stop verifying.
    Retire {
        /// The ID of the key to remove.
        #[arg(long)]
        id: u32,
    },
}

/// The token mode, as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    /// HMAC-SHA256, readable payload.
    Signed,
    /// XChaCha20-Poly1305, encrypted payload.
    Sealed,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Signed => Mode::Signed,
            ModeArg::Sealed => Mode::Sealed,
        }
    }
}

/// The settings of `verify`, mirroring the codec's.
#[derive(Debug, Args)]
struct VerifyArgs {
    /// The token: the bare cookie value, NAME=value as devtools show it, or a
    /// Set-Cookie value or line with its attributes (then NAME is bound as
    /// with --cookie-name); `-` reads it from stdin (then the keyring must
    /// come from `SESSION_KEYS`).
    token: String,
    /// Require this mode; without it the mode the token claims is used (it is authenticated).
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// The codec's purpose.
    #[arg(long, default_value = DEFAULT_PURPOSE)]
    purpose: String,
    /// The per-call context the token was bound to, as UTF-8 text (default:
    /// none). For a cookie written by `SessionCookie` use --cookie-name instead.
    #[arg(long, conflicts_with = "cookie_name")]
    context: Option<String>,
    /// Idle lifetime: seconds, or a duration such as `12h`, `1day`, `30min`.
    #[arg(long, value_parser = parse_duration, default_value = "86400")]
    max_age: Duration,
    /// Absolute lifetime from the session's first issue (default: none).
    #[arg(long, value_parser = parse_duration)]
    absolute_lifetime: Option<Duration>,
    /// Report a re-issue as due for tokens at least this old (rolling sessions).
    #[arg(long, value_parser = parse_duration)]
    reissue_after: Option<Duration>,
    /// Tolerated issue times ahead of this machine's clock.
    #[arg(long, value_parser = parse_duration, default_value = "60")]
    clock_skew: Duration,
    /// The cookie's name, for a cookie written by `SessionCookie`: bound as the
    /// context, as the cookie layer does, and used for the size budget
    /// (name + value <= 4096 bytes). Default: the pasted NAME, else none.
    #[arg(long)]
    cookie_name: Option<String>,
    /// Judge the token as of this moment instead of now (RFC 3339 UTC, e.g.
    /// `2026-11-22T09:14:00Z`): to replay what a server decided during an
    /// incident, or to see when a cookie stops being valid.
    #[arg(long, value_parser = parse_moment, value_name = "TIME")]
    at: Option<SystemTime>,
}

/// A moment in RFC 3339 UTC: `2026-11-22T09:14:00Z`.
fn parse_moment(text: &str) -> Result<SystemTime, String> {
    humantime::parse_rfc3339(text)
        .map_err(|e| format!("{e}; give a UTC time such as 2026-11-22T09:14:00Z"))
}

/// A plain number of seconds, or a humantime duration (`12h`, `1day 2h`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|e| e.to_string());
    }
    humantime::parse_duration(text).map_err(|e| e.to_string())
}

/// A failure that ends the command, with its exit code. The message never
/// holds key material (it comes from this tool or from `cookie_seal::Error`,
/// whose texts never echo keys).
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("cookie-seal: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(command: Command) -> Result<u8, Failure> {
    match command {
        Command::Keygen { id } => {
            let ring = rotate::keygen(id)?;
            print_keyring(&ring)?;
            eprintln!("{}", rotate::summary(&ring));
            Ok(EXIT_OK)
        }
        Command::Rotate(step) => {
            let (ring, source) = input::keyring(input::Stdin::Free)?;
            let (ring, note) = match step {
                RotateStep::Stage { id } => rotate::stage(ring, id)?,
                RotateStep::Promote { id } => rotate::promote(ring, id)?,
                RotateStep::Retire { id } => rotate::retire(ring, id)?,
            };
            print_keyring(&ring)?;
            eprintln!(
                "read the keyring from {source}; {note}\n{}",
                rotate::summary(&ring)
            );
            Ok(EXIT_OK)
        }
        Command::Inspect {
            token,
            cookie_name,
            at,
        } => {
            let pasted = input::pasted(&token)?;
            let name = cookie_name_of(&pasted, cookie_name)?;
            let name = name.as_deref().unwrap_or(DEFAULT_COOKIE_NAME);
            let now = at.unwrap_or_else(SystemTime::now);
            let outcome = inspect::inspect(&pasted.value, name, now);
            emit(outcome.text.as_bytes())?;
            Ok(outcome.code)
        }
        Command::Verify(args) => {
            let pasted = input::pasted(&args.token)?;
            let name = cookie_name_of(&pasted, args.cookie_name)?;
            let binding = match (name, args.context) {
                (Some(_), Some(_)) => {
                    return Err(Failure::usage(
                        "--context with a cookie name: the cookie layer binds the cookie name \
                         as the context; give one or the other",
                    ))
                }
                (Some(name), None) => verify::Binding::CookieName(name),
                (None, Some(context)) => verify::Binding::Context(context),
                (None, None) => verify::Binding::Unbound,
            };
            let stdin = if args.token == "-" {
                input::Stdin::UsedByToken
            } else {
                input::Stdin::Free
            };
            let (keys, _) = input::keyring(stdin)?;
            let settings = verify::VerifySettings {
                mode: args.mode.map(Mode::from),
                purpose: args.purpose,
                binding,
                max_age: args.max_age,
                absolute_lifetime: args.absolute_lifetime,
                reissue_after: args.reissue_after,
                clock_skew: args.clock_skew,
            };
            let now = args.at.unwrap_or_else(SystemTime::now);
            let outcome = verify::verify(&pasted.value, keys, &settings, now)?;
            emit(outcome.text.as_bytes())?;
            Ok(outcome.code)
        }
    }
}

/// The cookie name from `--cookie-name` or the pasted `NAME=value`; both
/// must agree when both are given.
fn cookie_name_of(pasted: &paste::Pasted, flag: Option<String>) -> Result<Option<String>, Failure> {
    if let Some(flag) = &flag {
        if !paste::is_cookie_name(flag) {
            return Err(Failure::usage(format!(
                "--cookie-name {flag:?} is not a valid cookie name"
            )));
        }
    }
    match (pasted.name.clone(), flag) {
        (Some(pasted), Some(flag)) if pasted != flag => Err(Failure::usage(format!(
            "the pasted cookie is named {pasted:?} but --cookie-name is {flag:?}"
        ))),
        (pasted, flag) => Ok(pasted.or(flag)),
    }
}

/// The only place key material is printed: the keyring text, on stdout.
fn print_keyring(ring: &cookie_seal::Keyring) -> Result<(), Failure> {
    let text = ring.export();
    emit(text.as_bytes())?;
    emit(b"\n")
}

/// Writes to stdout, reporting a failed write (a closed pipe, a full disk
/// under `> keys.next`) as an error instead of a panic, so that a keyring is
/// never half-written with a success exit code.
fn emit(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::usage(format!("cannot write to stdout: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn argument_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_cookie_name_comes_from_the_flag_or_the_paste_and_both_must_agree() {
        let bare = paste::parse_pasted("AbC").unwrap();
        let named = paste::parse_pasted("__Host-s=AbC").unwrap();
        assert_eq!(cookie_name_of(&bare, None).unwrap(), None);
        assert_eq!(
            cookie_name_of(&bare, Some("s".into())).unwrap(),
            Some("s".into())
        );
        assert_eq!(
            cookie_name_of(&named, None).unwrap(),
            Some("__Host-s".into())
        );
        assert_eq!(
            cookie_name_of(&named, Some("__Host-s".into())).unwrap(),
            Some("__Host-s".into())
        );
        let clash = cookie_name_of(&named, Some("other".into())).unwrap_err();
        assert_eq!(clash.code, EXIT_USAGE);
        assert!(cookie_name_of(&bare, Some("a b".into())).is_err());
    }

    #[test]
    fn durations_accept_seconds_and_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1day"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("99999999999999999999999").is_err());
    }

    #[test]
    fn moments_are_rfc_3339_utc() {
        use std::time::UNIX_EPOCH;
        assert_eq!(
            parse_moment("2026-11-18T11:06:40Z"),
            Ok(UNIX_EPOCH + Duration::from_secs(1_795_000_000))
        );
        for bad in ["", "2026-11-18", "2026-11-18T11:06:40", "1795000000", "now"] {
            assert!(parse_moment(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn verify_defaults_match_the_library() {
        use cookie_seal::consts::{DEFAULT_CLOCK_SKEW, DEFAULT_MAX_AGE};
        let cli = Cli::try_parse_from(["cookie-seal", "verify", "TOKEN"]).unwrap();
        let Command::Verify(args) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(args.max_age, DEFAULT_MAX_AGE);
        assert_eq!(args.clock_skew, DEFAULT_CLOCK_SKEW);
        assert_eq!(args.purpose, DEFAULT_PURPOSE);
        assert_eq!(args.cookie_name, None);
        assert_eq!(args.context, None);
        assert_eq!(args.mode, None);
        assert_eq!(args.at, None);
    }
}
