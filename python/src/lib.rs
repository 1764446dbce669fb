//! `cookie_seal._native`: the Python binding of the cookie-seal core.
//!
//! Thin by design: the core encodes, seals, verifies, loads and saves; this
//! crate converts Python values to and from the core's self-describing session
//! values ([`values`]), maps the core's errors to the Python exceptions of
//! `cookie_seal._errors` ([`errors`]) and keeps every Rust panic on this side
//! ([`errors::guard`]). The Pythonic API (Flask, Starlette) lives in the
//! `cookie_seal` package beside this crate.

use pyo3::prelude::*;

mod codec;
mod cookie;
mod errors;
mod values;

/// The extension module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<codec::PyKeyring>()?;
    module.add_class::<codec::PyCodec>()?;
    module.add_class::<cookie::PySessionCookie>()?;
    module.add_class::<cookie::PyLoadedSession>()?;
    module.add_function(wrap_pyfunction!(codec::inspect, module)?)?;
    module.add_function(wrap_pyfunction!(errors::panic_for_test, module)?)?;
    module.add("MAX_COOKIE_LEN", cookie_seal::consts::MAX_COOKIE_LEN)?;
    module.add("CRATE_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
