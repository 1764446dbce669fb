//! Usage errors (exit 2): missing, malformed or unwritable keyrings and bad arguments.

use super::*;

/// Runs `args` with `stdin` and no `SESSION_KEYS`: exit 2 with `message`.
fn refused_with(args: &[&str], stdin: &str, message: &str) {
    cli()
        .args(args)
        .write_stdin(stdin)
        .assert()
        .code(EXIT_USAGE)
        .stderr(predicate::str::contains(message));
}

#[test]
fn missing_or_malformed_keyrings_are_usage_errors_that_do_not_echo_keys() {
    refused_with(&["rotate", "stage"], "", "empty keyring");
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
    refused_with(&["verify", "-"], "AAAA", "SESSION_KEYS is not set");
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

/// `openssl rand -hex 32` in a keyring: refused with a hint, not read as a
/// 48-byte key; the help says which alphabet `keygen` prints.
#[test]
fn a_hex_keyring_is_refused_with_a_hint_to_use_base64() {
    let hex = format!("1:{}", "0f1e2d3c4b5a6978".repeat(4)); // 64 hex digits
    let output = cli()
        .args(["rotate", "stage"])
        .write_stdin(hex.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("keyring entry 1: the key looks like hex")
            && stderr.contains("`cookie-seal keygen` or `openssl rand -base64 32`"),
        "{stderr}"
    );
    assert_no_key_material(&output, &hex);

    cli()
        .args(["keygen", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("URL-safe base64 without padding"))
        .stdout(predicate::str::contains(
            "hex (`openssl rand -hex 32`) is refused",
        ));
}
