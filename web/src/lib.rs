//! Not a library: this workspace member holds cookie-seal's web examples
//! (`examples/`: axum, actix-web, Redis), their HTTP, browser and
//! integration tests (`tests/`) and the session-layer bench (`benches/`), so
//! that `cargo test` on the `cookie-seal` crate itself compiles no web
//! framework, runtime or HTTP client. Cargo needs a target here; this empty
//! library is it.
//!
//! ```sh
//! cargo run -p cookie-seal-web --example axum_app   # or actix_app, redis_sessions
//! cargo test -p cookie-seal-web                      # builds the examples, runs the tests
//! cargo bench -p cookie-seal-web --bench layer
//! ```
