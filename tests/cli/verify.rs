//! `verify`: authenticity, the codec settings given, payloads and live cookies.

use super::*;

#[test]
fn verify_valid_expired_tampered_and_garbage_tokens() {
    let keys = keygen();
    for mode in [Mode::Sealed, Mode::Signed] {
        let fresh = token(mode, &keys, Duration::from_secs(60));
        let output = verify(&keys, &fresh, &[]);
        assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
        let text = stdout(&output);
        for line in [
            "issued at:      ",
            "(1m ago)",
            "SessionMap, 2 values, no session ID",
            "  \"name\": 13 bytes\n",
            "  \"user_id\": 1 byte\n",
        ] {
            assert!(text.contains(line), "{text}");
        }
        assert!(!text.contains("Lovelace"), "values are never shown: {text}");
        assert_no_key_material(&output, &keys);

        let expired = token(mode, &keys, 2 * DAY);
        let output = verify(&keys, &expired, &[]);
        assert!(
            invalid(&output).starts_with("INVALID: authentic, but expired at "),
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
        assert!(invalid(&output).starts_with("INVALID: the tag does not verify"));

        let output = verify(&keys, "garbage!", &[]);
        assert!(invalid(&output).starts_with("INVALID: malformed"));
    }
}

#[test]
fn verify_checks_the_codec_settings_given() {
    let keys = keygen();
    let sealed = token(Mode::Sealed, &keys, Duration::ZERO);
    let output = verify(&keys, &sealed, &["--mode", "signed"]);
    assert!(invalid(&output)
        .starts_with("INVALID: the token is sealed, but --mode signed was required"));
    assert_valid(
        &verify(&keys, &sealed, &["--mode", "sealed"]),
        "1 (primary)",
        "no",
    );

    let output = verify(&keys, &sealed, &["--purpose", "csrf"]);
    assert!(invalid(&output).contains("purpose (\"csrf\")"));

    let output = verify(&keys, &sealed, &["--reissue-after", "0"]);
    assert_valid(
        &output,
        "1 (primary)",
        "re-issue due:   yes: older than --reissue-after",
    );

    let huge = "A".repeat(4090);
    let output = verify(&keys, &huge, &["--mode", "sealed"]);
    assert!(
        invalid(&output).starts_with("INVALID: the token is 4090 bytes, over the 4089-byte budget")
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
        text.contains("payload:        authentic, but not a SessionMap"),
        "{text}"
    );
    assert!(!text.contains("csrf-secret-value"), "{text}");
    // Not authentic under another purpose: never "authentic, but".
    let output = verify(&keys, &csrf, &[]);
    assert!(!invalid(&output).contains("authentic"));
    // Modified: not authentic either.
    let output = verify(&keys, &tampered(&csrf), &["--purpose", "csrf"]);
    assert!(!invalid(&output).contains("authentic"));
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
        assert!(
            invalid(&output).contains("pass --cookie-name NAME, or paste NAME=value"),
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
            "cannot read the token: found 2 cookies (a, b); paste only the session's",
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

/// A `Set-Cookie` value copied from the browser's devtools, without the
/// `Set-Cookie:` prefix, is one cookie with its attributes: it verifies.
/// Several cookies (a `Cookie` header) are still refused, with a message that
/// counts them.
#[test]
fn verify_reads_a_set_cookie_value_pasted_without_its_prefix() {
    use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    use cookie_seal::EncodeOptions;

    let keys = keygen();
    let cookies = SessionCookie::new(
        codec(Mode::Sealed, &keys),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    let set = cookies
        .store(
            &session(),
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )
        .unwrap();
    assert!(set[0].contains("; HttpOnly; "), "{}", set[0]);
    for pasted in [
        set[0].clone(),
        format!("{}\n", set[0]),
        // As some devtools order and space the attributes.
        format!(
            "{}; secure; httponly; path=/; samesite=lax;",
            set[0].split(';').next().unwrap()
        ),
    ] {
        let output = verify(&keys, &pasted, &[]);
        assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
        assert!(stdout(&output).contains("bound to cookie \"__Host-session\""));
    }
    let value = set[0].split(';').next().unwrap().split_once('=').unwrap().1;
    let output = verify(
        &keys,
        &format!("theme=dark; __Host-session={value}; lang=en"),
        &[],
    );
    assert_eq!(output.status.code(), Some(EXIT_USAGE));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("found 3 cookies (theme, __Host-session, lang); paste only the session's"),
        "{stderr}"
    );
    assert!(!stderr.contains(&value[..20]), "{stderr}");
}

/// Under another `--cookie-name` than the cookie's, the verdict names the
/// name it bound and says how to fix it.
#[test]
fn verify_under_the_wrong_cookie_name_names_it_and_hints_at_the_fix() {
    use cookie_seal::cookie::{CookieConfig, PresentCookies, SessionCookie};
    use cookie_seal::EncodeOptions;

    let keys = keygen();
    let cookies = SessionCookie::new(
        codec(Mode::Signed, &keys),
        CookieConfig::new("__Host-app").unwrap(),
    )
    .unwrap();
    let set = cookies
        .store(
            &session(),
            &EncodeOptions::new(),
            &PresentCookies::none(),
            SystemTime::now(),
        )
        .unwrap();
    let value = set[0].split(';').next().unwrap().split_once('=').unwrap().1;
    let text = invalid(&verify(&keys, value, &["--cookie-name", "session"]));
    assert!(
        text.contains("verified for cookie name \"session\"")
            && text.contains(
                "if the cookie is called something else, pass its name with --cookie-name"
            ),
        "{text}"
    );
    let text = invalid(&verify(&keys, &format!("session={value}"), &[]));
    assert!(
        text.contains("verified for cookie name \"session\""),
        "{text}"
    );
}

/// `--at` judges a token as of another moment (to replay an incident, and to
/// pin the clock of docs/operations.md's transcripts): an old token is valid
/// at the time it was fresh, and an ISO date that is not RFC 3339 UTC is a
/// usage error.
#[test]
fn verify_and_inspect_judge_the_token_at_the_moment_given() {
    let keys = keygen();
    let issued = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000); // 2026-11-18T...
    let old = codec(Mode::Signed, &keys)
        .encode_at(&session(), issued)
        .unwrap();
    let an_hour_later = "2026-11-18T12:06:40Z"; // issued + 1h
    let output = verify(&keys, &old, &["--at", an_hour_later]);
    assert_valid(&output, "key ID:         1 (primary)", "re-issue due:   no");
    assert!(
        stdout(&output).contains("issued at:      2026-11-18T11:06:40Z (1h ago)"),
        "{}",
        stdout(&output)
    );
    let text = invalid(&verify(&keys, &old, &["--at", "2026-11-19T11:06:41Z"]));
    assert!(
        text.starts_with("INVALID: authentic, but expired at 2026-11-19T11:06:40Z"),
        "{text}"
    );
    cli()
        .args(["inspect", "--at", an_hour_later, &old])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "issued at:      2026-11-18T11:06:40Z (1h ago)",
        ));
    for bad in ["yesterday", "2026-11-18", "1795000000"] {
        cli()
            .env("SESSION_KEYS", &keys)
            .args(["verify", "--at", bad, &old])
            .assert()
            .code(EXIT_USAGE)
            .stderr(predicate::str::contains("--at"));
    }
}
