//! Runs the `console` transcripts of docs/operations.md with trycmd, as
//! written: each `$ cookie-seal ...` command, its output (stdout and stderr)
//! and its exit code (`? 1`), so that the document cannot drift from the
//! tool. Outputs that vary (fresh keys) use trycmd's `[..]` wildcard; the
//! verdicts and ages are pinned with `--at` in the commands themselves.
//!
//! `SESSION_KEYS` holds the demo keyring ([`demo_keys::DEMO_KEYS`]) unless a
//! command sets its own (`$ SESSION_KEYS=... cookie-seal ...`). It is set in
//! this process's environment, which the commands inherit, rather than with
//! `TestCases::env`, which would override a command's own. That is why this
//! test runs without libtest's harness (`harness = false` in Cargo.toml): the
//! variable is set while the process has a single thread.
//!
//! `tests/cli/docs.rs` checks that the cookies in the transcripts are what
//! `SessionCookie` writes, and prints fresh ones when the format changes.
//! Run alone: `cargo test --features cli --test docs_operations`; to see
//! what the tool prints: `TRYCMD=dump cargo test --features cli --test docs_operations`.

#![allow(clippy::expect_used)] // a test: failing loudly is the point

#[path = "docs/demo_keys.rs"]
mod demo_keys;

const OPERATIONS_MD: &str = "docs/operations.md";

/// The transcripts the document holds today. trycmd runs every `console`
/// block and skips other languages, so a block turned into `text` would stop
/// being tested without a failure; this count makes that fail.
const TRANSCRIPTS: usize = 7;

fn main() {
    let document = std::fs::read_to_string(OPERATIONS_MD).expect("docs/operations.md");
    let blocks = document.matches("\n```console\n").count();
    assert!(
        blocks >= TRANSCRIPTS,
        "{OPERATIONS_MD} has {blocks} `console` transcripts, expected {TRANSCRIPTS}: \
         update TRANSCRIPTS only when removing one on purpose"
    );
    // Single-threaded: nothing else reads the environment yet.
    std::env::set_var("SESSION_KEYS", demo_keys::DEMO_KEYS);
    trycmd::TestCases::new()
        .register_bin(
            "cookie-seal",
            std::path::Path::new(env!("CARGO_BIN_EXE_cookie-seal")),
        )
        .case(OPERATIONS_MD)
        .run();
}
