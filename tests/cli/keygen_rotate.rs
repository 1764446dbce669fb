//! `keygen` and `rotate`: fresh keys and the rotation runbook of docs/operations.md.

use super::*;

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
    let readme = include_str!("../../docs/operations.md");
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
        assert!(invalid(&expired).starts_with("INVALID: authentic, but expired"));

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
