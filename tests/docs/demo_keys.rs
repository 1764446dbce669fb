//! The keyring docs/operations.md's transcripts run with, shared by
//! `tests/docs_operations.rs` (which runs them) and `tests/cli/docs.rs`
//! (which checks the cookies they show).

/// The public test key of tests/vectors (bytes 0 to 31), as key ID 1.
/// Never use it for anything else.
pub const DEMO_KEYS: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
