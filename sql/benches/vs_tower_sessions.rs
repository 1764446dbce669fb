//! Placeholder replaced by the bench against tower-sessions (next commit).
fn main() {}
