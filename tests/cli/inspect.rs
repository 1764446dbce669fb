//! `inspect`: the unverified header of a token.

use super::*;

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
        // Ages by prefix: on a busy machine a second may pass between making
        // the token and the command's clock ("3h 1s ago").
        for (token, age) in [
            (fresh.clone(), "(3h"),
            (expired.clone(), "(2days"),
            (tampered(&fresh), "(3h"),
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
                Mode::Signed => "(3h",
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
