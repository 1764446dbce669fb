//! The README's startup-error pattern, as `examples/quickstart.rs` uses it: a
//! bad `SESSION_KEYS` prints the error's message, not its Debug struct.

use super::*;

/// `cargo test` builds the examples next to the test binaries
/// (`target/<profile>/examples/`); `cargo test --test cli` alone does not.
fn example(name: &str) -> Option<PathBuf> {
    let deps = std::env::current_exe().unwrap().parent()?.to_owned();
    let path = deps
        .parent()?
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.exists().then_some(path)
}

#[test]
fn quickstart_prints_a_startup_error_as_its_message() {
    let Some(quickstart) = example("quickstart") else {
        eprintln!("skipped: examples/quickstart is not built (run `cargo test`, which builds it)");
        return;
    };
    let short_key = "1:c2hvcnQtc2hvcnQtc2hvcnQtc2hvcnQ"; // 23 bytes
    let output = std::process::Command::new(quickstart)
        .env("SESSION_KEYS", short_key)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        "error: keyring entry 1: key length 23 not allowed: 32 to 512 bytes"
    );
    assert!(!stderr.contains("KeyLength {"), "{stderr}");
}
