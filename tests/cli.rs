//! The `cookie-seal` binary, run as an operator would: keygen, the rotation
//! runbook of docs/operations.md, inspect and verify with their outputs and
//! exit codes.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Keyring, Mode, Session};
use predicates::prelude::*;

const EXIT_VALID: i32 = 0;
const EXIT_INVALID: i32 = 1;
const EXIT_USAGE: i32 = 2;
const DAY: Duration = Duration::from_secs(86_400);

/// The binary with a clean environment for keys: no inherited `SESSION_KEYS`.
fn cli() -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("cookie-seal");
    command.env_remove("SESSION_KEYS");
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn keygen() -> String {
    let output = cli().arg("keygen").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    stdout(&output).trim().to_owned()
}

fn codec(mode: Mode, keys: &str) -> Codec {
    let ring: Keyring = keys.parse().unwrap();
    match mode {
        Mode::Signed => Codec::signed(ring),
        Mode::Sealed => Codec::sealed(ring),
    }
}

fn session() -> Session {
    let mut session = Session::new();
    session.insert("user_id", &42u64).unwrap();
    session.insert("name", "Ada Lovelace").unwrap();
    session
}

/// A session token written with `keys` at `now - ago`.
fn token(mode: Mode, keys: &str, ago: Duration) -> String {
    codec(mode, keys)
        .encode_at(&session(), SystemTime::now() - ago)
        .unwrap()
}

/// Runs `verify TOKEN` with `keys` in `SESSION_KEYS` and extra arguments.
fn verify(keys: &str, token: &str, args: &[&str]) -> Output {
    cli()
        .env("SESSION_KEYS", keys)
        .arg("verify")
        .args(args)
        .arg(token)
        .output()
        .unwrap()
}

/// The token with one bit of its last byte (inside the tag) flipped.
fn tampered(token: &str) -> String {
    let mut raw = URL_SAFE_NO_PAD.decode(token).unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 0x01;
    URL_SAFE_NO_PAD.encode(raw)
}

/// Every key's base64 text in a keyring, to check that outputs never hold one.
fn key_texts(keys: &str) -> Vec<String> {
    keys.split(',')
        .map(|entry| entry.split_once(':').unwrap().1.trim().to_owned())
        .collect()
}

fn assert_no_key_material(output: &Output, keys: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for key in key_texts(keys) {
        assert!(!all.contains(&key), "key material printed: {all}");
    }
}

#[test]
fn keygen_output_parses_as_a_keyring_with_one_fresh_key() {
    let output = cli().args(["keygen", "--id", "7"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        1,
        "stdout is the keyring only: {text}"
    );
    let ring: Keyring = text.trim().parse().unwrap();
    assert_eq!(ring.primary_id(), 7);
    assert_eq!(ring.ids().collect::<Vec<_>>(), vec![7]);
    assert_eq!(
        URL_SAFE_NO_PAD.decode(&key_texts(&text)[0]).unwrap().len(),
        32,
        "a 256-bit key"
    );
    // The note on stderr names IDs only.
    assert!(!String::from_utf8_lossy(&output.stderr).contains(&key_texts(&text)[0]));
    assert_ne!(keygen(), keygen(), "every run makes a fresh key");
    assert_eq!(keygen().parse::<Keyring>().unwrap().primary_id(), 1);
}

/// The `sh` blocks that follow `<!-- cli-runbook -->` in docs/operations.md, in order.
fn readme_runbook() -> Vec<String> {
    let readme = include_str!("../docs/operations.md");
    let section = &readme[readme
        .find("## Operator CLI")
        .expect("docs/operations.md has the section")..];
    section
        .split("<!-- cli-runbook -->")
        .skip(1)
        .map(|part| {
            let block = part.trim_start().strip_prefix("```sh\n").unwrap();
            block[..block.find("```").unwrap()].to_owned()
        })
        .collect()
}

/// Runs the runbook blocks in one bash session, as an operator
/// would, with the built `cookie-seal` on PATH, and returns the keyring
/// after each block (copied aside between blocks).
fn run_runbook(dir: &Path, blocks: &[String]) -> Vec<String> {
    let mut script = String::new();
    for (step, block) in blocks.iter().enumerate() {
        script.push_str(block);
        script.push_str(&format!("cp keys.txt after-step-{step}.txt\n"));
    }
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_cookie-seal"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let output = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir)
        .env("PATH", path)
        .env(
            "SESSION_KEYS",
            "this must be ignored: the runbook unsets it",
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "docs/operations.md runbook failed:\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (0..blocks.len())
        .map(|step| {
            std::fs::read_to_string(dir.join(format!("after-step-{step}.txt")))
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect()
}

fn assert_valid(output: &Output, key_line: &str, reissue: &str) {
    let text = stdout(output);
    assert_eq!(output.status.code(), Some(EXIT_VALID), "{text}");
    assert!(text.starts_with("VALID"), "{text}");
    assert!(text.contains(key_line), "{text}");
    assert!(text.contains(reissue), "{text}");
}

fn assert_unknown_key(output: &Output, id: u32) {
    let text = stdout(output);
    assert_eq!(output.status.code(), Some(EXIT_INVALID), "{text}");
    assert!(
        text.starts_with(&format!(
            "INVALID: the token names key ID {id}, which is not in the keyring"
        )),
        "{text}"
    );
}

#[test]
fn readme_rotation_runbook_keeps_tokens_readable_at_each_step() {
    let blocks = readme_runbook();
    assert_eq!(
        blocks.len(),
        4,
        "keygen, stage, promote, retire: {blocks:?}"
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-runbook");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rings = run_runbook(&dir, &blocks);
    let [r0, r1, r2, r3] = &rings[..] else {
        panic!("one keyring per block")
    };

    for mode in [Mode::Sealed, Mode::Signed] {
        // Start (block 0): one key, cookies written with key 1.
        let t1 = token(mode, r0, Duration::from_secs(60));
        let t1_old = token(mode, r0, 2 * DAY);

        // 1. Stage (block 1): key 2 verifies but does not sign yet.
        assert_eq!(r1.parse::<Keyring>().unwrap().primary_id(), 1);
        assert_valid(
            &verify(r1, &t1, &[]),
            "key ID:         1 (primary)",
            "re-issue due:   no",
        );
        // Servers already on the staged keyring still write key-1 cookies,
        // which servers not yet updated read.
        let t_staged = token(mode, r1, Duration::ZERO);
        assert_valid(
            &verify(r0, &t_staged, &[]),
            "1 (primary)",
            "re-issue due:   no",
        );

        // 2. Promote (block 2): key 2 signs, key 1 still verifies and asks for a re-issue.
        let t2 = token(mode, r2, Duration::ZERO);
        assert_valid(
            &verify(r2, &t1, &[]),
            "key ID:         1 (verify-only; key 2 is primary)",
            "re-issue due:   yes: written with key 1, and key 2 is primary now",
        );
        assert_valid(&verify(r2, &t2, &[]), "2 (primary)", "re-issue due:   no");
        // A server still on the staged keyring reads key-2 cookies...
        assert_valid(
            &verify(r1, &t2, &[]),
            "2 (verify-only; key 1 is primary)",
            "yes",
        );
        // ...which a server that skipped staging could not: that is why stage comes first.
        assert_unknown_key(&verify(r0, &t2, &[]), 2);
        // After max_age, every key-1 cookie has expired anyway.
        let expired = verify(r2, &t1_old, &[]);
        assert_eq!(expired.status.code(), Some(EXIT_INVALID));
        assert!(stdout(&expired).starts_with("INVALID: authentic, but expired"));

        // 3. Retire key 1 (block 3): key-2 cookies stay valid, key-1 cookies no longer verify.
        let ring: Keyring = r3.parse().unwrap();
        assert_eq!(
            (ring.primary_id(), ring.ids().collect::<Vec<_>>()),
            (2, vec![2])
        );
        assert_eq!(
            key_texts(r3)[0],
            key_texts(r2)[0],
            "key 2 itself is unchanged"
        );
        assert_valid(&verify(r3, &t2, &[]), "2 (primary)", "re-issue due:   no");
        assert_unknown_key(&verify(r3, &t1, &[]), 1);
    }
}

#[test]
fn rotate_reads_session_keys_or_stdin_and_refuses_both() {
    let (from_env, from_stdin) = (keygen(), keygen());
    // SESSION_KEYS with an empty stdin.
    let output = cli()
        .env("SESSION_KEYS", &from_env)
        .args(["rotate", "stage"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let staged = stdout(&output);
    assert!(staged.starts_with(&from_env), "{staged}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("read the keyring from SESSION_KEYS"));

    // Both: refused, nothing printed, neither keyring echoed.
    let output = cli()
        .env("SESSION_KEYS", &from_env)
        .args(["rotate", "stage"])
        .write_stdin(from_stdin.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a keyring is in both SESSION_KEYS and stdin"),
        "{stderr}"
    );
    assert_no_key_material(&output, &from_env);
    assert_no_key_material(&output, &from_stdin);

    let output = cli()
        .args(["rotate", "stage"])
        .write_stdin(format!("{from_stdin}\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with(&from_stdin));
    assert!(String::from_utf8_lossy(&output.stderr).contains("read the keyring from stdin"));
}

#[test]
fn rotate_refuses_steps_that_do_not_apply_with_exit_2_and_no_output() {
    let r0 = &keygen();
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["rotate", "retire", "--id", "1"],
            r0,
            "primary key and cannot be removed",
        ),
        (&["rotate", "retire", "--id", "9"], r0, "unknown key id 9"),
        (&["rotate", "promote"], r0, "no staged key"),
        (&["rotate", "stage", "--id", "1"], r0, "never reused"),
    ];
    for (args, keys, message) in cases {
        cli()
            .args(args)
            .env("SESSION_KEYS", keys)
            .assert()
            .code(EXIT_USAGE)
            .stdout("")
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn missing_or_malformed_keyrings_are_usage_errors_that_do_not_echo_keys() {
    cli()
        .args(["rotate", "stage"])
        .write_stdin("")
        .assert()
        .code(EXIT_USAGE)
        .stderr(predicate::str::contains("empty keyring"));
    // 23 bytes of key: too short, and not echoed.
    let short = "1:c2hvcnQtc2hvcnQtc2hvcnQtc2hvcnQ";
    let output = cli()
        .args(["verify", "AAAA"])
        .env("SESSION_KEYS", short)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    assert!(String::from_utf8_lossy(&output.stderr).contains("key length 23"));
    assert_no_key_material(&output, short);
    // With the token on stdin, the keyring must come from SESSION_KEYS.
    cli()
        .args(["verify", "-"])
        .write_stdin("AAAA")
        .assert()
        .code(EXIT_USAGE)
        .stderr(predicate::str::contains("SESSION_KEYS is not set"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_keyring_that_cannot_be_written_fails_with_exit_2() {
    // /dev/full fails every write, like a full disk under `> keys.next`.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cookie-seal"))
        .arg("keygen")
        .env_remove("SESSION_KEYS")
        .stdout(full)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_USAGE));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let keys = keygen();
    for args in [
        &["verify", "--mode", "clear", "AAAA"][..],
        &["verify", "--max-age", "soon", "AAAA"],
        &["verify"],
        &["rotate", "retire"],
        &["keygen", "--id", "-1"],
        &["frobnicate"],
    ] {
        cli()
            .args(args)
            .env("SESSION_KEYS", &keys)
            .assert()
            .code(EXIT_USAGE);
    }
}

#[test]
fn inspect_shows_the_unverified_header_of_valid_expired_and_tampered_tokens() {
    let keys = keygen();
    for mode in [Mode::Sealed, Mode::Signed] {
        let fresh = token(mode, &keys, Duration::from_secs(3 * 3600));
        let expired = token(mode, &keys, 2 * DAY);
        let mode_line = match mode {
            Mode::Sealed => "mode:           sealed\n",
            Mode::Signed => "mode:           signed\n",
        };
        for (token, age) in [
            (fresh.clone(), "(3h ago)"),
            (expired.clone(), "(2days ago)"),
            (tampered(&fresh), "(3h ago)"),
        ] {
            let output = cli().args(["inspect", &token]).output().unwrap();
            let text = stdout(&output);
            assert_eq!(output.status.code(), Some(0), "{text}");
            assert!(text.starts_with("NOT VERIFIED: "), "{text}");
            assert!(text.contains("format version: 1\n"), "{text}");
            assert!(text.contains(mode_line), "{text}");
            assert!(text.contains("key ID:         1\n"), "{text}");
            // A sealed token's issue time is encrypted.
            match mode {
                Mode::Signed => assert!(text.contains(age), "{text}"),
                Mode::Sealed => assert!(text.contains("issued at:      encrypted"), "{text}"),
            }
            assert!(
                text.contains(&format!(
                    "size:           {} bytes; cookie \"session\" uses {} of 4096 bytes",
                    token.len(),
                    token.len() + 7
                )),
                "{text}"
            );
            assert!(text.contains("flags:"), "{text}");
        }
        // From stdin, the same report.
        cli()
            .args(["inspect", "-"])
            .write_stdin(format!("{fresh}\n"))
            .assert()
            .code(0)
            .stdout(predicate::str::contains(match mode {
                Mode::Signed => "(3h ago)",
                Mode::Sealed => "issued at:      encrypted",
            }));
    }
}

#[test]
fn inspect_of_garbage_exits_1() {
    for garbage in ["hello world", "AAAA", "%%%%", ""] {
        cli()
            .args(["inspect", garbage])
            .assert()
            .code(EXIT_INVALID)
            .stdout(predicate::str::starts_with("NOT A TOKEN: "));
    }
    // Version byte 2: readable base64, unsupported format.
    cli()
        .args(["inspect", &URL_SAFE_NO_PAD.encode([2u8, 1, 0, 0])])
        .assert()
        .code(EXIT_INVALID)
        .stdout(predicate::str::contains(
            "format version 2 is not supported",
        ));
}

#[test]
fn verify_valid_expired_tampered_and_garbage_tokens() {
    let keys = keygen();
    for mode in [Mode::Sealed, Mode::Signed] {
        let fresh = token(mode, &keys, Duration::from_secs(60));
        let output = verify(&keys, &fresh, &[]);
        assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
        let text = stdout(&output);
        assert!(text.contains("issued at:      "), "{text}");
        assert!(text.contains("(1m ago)"), "{text}");
        assert!(text.contains("Session, 2 values, no session ID"), "{text}");
        assert!(text.contains("  \"name\": 13 bytes\n"), "{text}");
        assert!(text.contains("  \"user_id\": 1 byte\n"), "{text}");
        assert!(!text.contains("Lovelace"), "values are never shown: {text}");
        assert_no_key_material(&output, &keys);

        let expired = token(mode, &keys, 2 * DAY);
        let output = verify(&keys, &expired, &[]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));
        assert!(
            stdout(&output).starts_with("INVALID: authentic, but expired at "),
            "{}",
            stdout(&output)
        );
        assert!(stdout(&output).contains("the limit is --max-age 1day"));
        assert_valid(
            &verify(&keys, &expired, &["--max-age", "3days"]),
            "1 (primary)",
            "no",
        );

        let output = verify(&keys, &tampered(&fresh), &[]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));
        assert!(stdout(&output).starts_with("INVALID: the tag does not verify"));

        let output = verify(&keys, "garbage!", &[]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));
        assert!(stdout(&output).starts_with("INVALID: malformed"));
    }
}

#[test]
fn verify_checks_the_codec_settings_given() {
    let keys = keygen();
    let sealed = token(Mode::Sealed, &keys, Duration::ZERO);
    let output = verify(&keys, &sealed, &["--mode", "signed"]);
    assert_eq!(output.status.code(), Some(EXIT_INVALID));
    assert!(
        stdout(&output).starts_with("INVALID: the token is sealed, but --mode signed was required")
    );
    assert_valid(
        &verify(&keys, &sealed, &["--mode", "sealed"]),
        "1 (primary)",
        "no",
    );

    let output = verify(&keys, &sealed, &["--purpose", "csrf"]);
    assert_eq!(output.status.code(), Some(EXIT_INVALID));
    assert!(stdout(&output).contains("purpose (\"csrf\")"));

    let output = verify(&keys, &sealed, &["--reissue-after", "0"]);
    assert_valid(
        &output,
        "1 (primary)",
        "re-issue due:   yes: older than --reissue-after",
    );

    let huge = "A".repeat(4090);
    let output = verify(&keys, &huge, &["--mode", "sealed"]);
    assert_eq!(output.status.code(), Some(EXIT_INVALID));
    assert!(
        stdout(&output).starts_with("INVALID: the token is 4090 bytes, over the 4089-byte budget")
    );

    // The token from stdin, the keyring from SESSION_KEYS.
    cli()
        .env("SESSION_KEYS", &keys)
        .args(["verify", "-"])
        .write_stdin(format!("{sealed}\n"))
        .assert()
        .code(EXIT_VALID)
        .stdout(predicate::str::starts_with("VALID"));
}

#[test]
fn verify_reports_an_authentic_payload_that_is_not_a_session() {
    let keys = keygen();
    let csrf = codec(Mode::Signed, &keys)
        .purpose("csrf")
        .encode(&"csrf-secret-value")
        .unwrap();
    let output = verify(&keys, &csrf, &["--purpose", "csrf"]);
    assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
    let text = stdout(&output);
    assert!(
        text.contains("payload:        authentic, but not a Session"),
        "{text}"
    );
    assert!(!text.contains("csrf-secret-value"), "{text}");
    // Not authentic under another purpose: never "authentic, but".
    let output = verify(&keys, &csrf, &[]);
    assert_eq!(output.status.code(), Some(EXIT_INVALID));
    assert!(!stdout(&output).contains("authentic"));
    // Modified: not authentic either.
    let output = verify(&keys, &tampered(&csrf), &["--purpose", "csrf"]);
    assert_eq!(output.status.code(), Some(EXIT_INVALID));
    assert!(!stdout(&output).contains("authentic"));
}

/// A live cookie from `SessionCookie`, which binds the cookie name as the
/// context: `--cookie-name NAME` or a pasted `NAME=value` verifies it, the
/// bare value alone does not (and says why), and every modified character
/// exits 1.
#[test]
fn verify_reads_live_cookies_from_the_cookie_layer() {
    use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    use cookie_seal::EncodeOptions;

    let keys = keygen();
    for (mode, name) in [(Mode::Sealed, "__Host-session"), (Mode::Signed, "session")] {
        let cookies =
            SessionCookie::new(codec(mode, &keys), CookieConfig::new(name).unwrap()).unwrap();
        let set = cookies
            .store(
                &session(),
                &EncodeOptions::new(),
                &PresentCookies::none(),
                SystemTime::now(),
            )
            .unwrap();
        let pair = set[0].split(';').next().unwrap().to_owned();
        let value = pair.split_once('=').unwrap().1.to_owned();

        let output = verify(&keys, &value, &["--cookie-name", name]);
        assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
        assert!(
            stdout(&output).contains(&format!("bound to cookie {name:?}")),
            "{}",
            stdout(&output)
        );
        assert_valid(&verify(&keys, &pair, &[]), "1 (primary)", "no");
        assert_valid(
            &verify(&keys, &pair, &["--cookie-name", name]),
            "1 (primary)",
            "no",
        );
        // A Set-Cookie line pasted whole.
        assert_valid(
            &verify(&keys, &format!("Set-Cookie: {}", set[0]), &[]),
            "1 (primary)",
            "no",
        );
        // From stdin too.
        cli()
            .env("SESSION_KEYS", &keys)
            .args(["verify", "-"])
            .write_stdin(format!("{pair}\n"))
            .assert()
            .code(EXIT_VALID);

        let output = verify(&keys, &value, &[]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));
        assert!(
            stdout(&output).contains("pass --cookie-name NAME, or paste NAME=value"),
            "{}",
            stdout(&output)
        );
        // Another name is another context.
        let output = verify(&keys, &format!("other={value}"), &[]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));

        // Every character changed, in the bare value and in NAME=value: exit 1.
        for index in 0..value.len() {
            let mut chars: Vec<char> = value.chars().collect();
            chars[index] = if chars[index] == 'A' { 'B' } else { 'A' };
            let changed: String = chars.into_iter().collect();
            for input in [changed.clone(), format!("{name}={changed}")] {
                let output = verify(&keys, &input, &["--cookie-name", name]);
                assert_eq!(
                    output.status.code(),
                    Some(EXIT_INVALID),
                    "{input}: {}",
                    stdout(&output)
                );
                assert!(stdout(&output).starts_with("INVALID: "));
            }
            if index > 24 {
                break; // header, nonce and the start of the body suffice here
            }
        }
        let output = verify(&keys, &tampered(&value), &["--cookie-name", name]);
        assert_eq!(output.status.code(), Some(EXIT_INVALID));
    }
}

#[test]
fn verify_refuses_conflicting_names_and_unreadable_pastes() {
    let keys = keygen();
    let value = token(Mode::Sealed, &keys, Duration::ZERO);
    let cases: [(String, &[&str], &str); 4] = [
        (
            format!("a={value}"),
            &["--cookie-name", "b"],
            "the pasted cookie is named \"a\" but --cookie-name is \"b\"",
        ),
        (
            value.clone(),
            &["--cookie-name", "s", "--context", "x"],
            "cannot be used with",
        ),
        (
            format!("a={value}"),
            &["--context", "x"],
            "--context with a cookie name",
        ),
        (
            format!("a={value}; b=1"),
            &[],
            "cannot read the token: found `;`",
        ),
    ];
    for (input, args, message) in cases {
        let output = verify(&keys, &input, args);
        assert_eq!(output.status.code(), Some(EXIT_USAGE), "{input} {args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert!(
            !stderr.contains(&value[..20]),
            "the token is not echoed: {stderr}"
        );
    }
}
