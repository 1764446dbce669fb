//! The core's [`Error`] as the Python exceptions of `cookie_seal._errors`,
//! and the guard that keeps Rust panics out of Python.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{SystemTime, UNIX_EPOCH};

use cookie_seal::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

/// `cookie_seal._errors`, imported once.
static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// A new instance of the exception class `name` of `cookie_seal._errors`
/// with `message`, and `attributes` set on it.
pub(crate) fn new_error(
    py: Python<'_>,
    name: &str,
    message: &str,
    attributes: &[(&str, Py<PyAny>)],
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module = ERRORS.get_or_try_init(py, || {
            PyModule::import(py, "cookie_seal._errors").map(Bound::unbind)
        })?;
        let class = module.bind(py).getattr(name)?;
        let instance = class.call1((message,))?;
        for (attribute, value) in attributes {
            instance.setattr(*attribute, value.bind(py))?;
        }
        Ok(PyErr::from_value(instance))
    };
    // Only fails if the package is broken (the module missing): say so.
    build().unwrap_or_else(|error| error)
}

/// Seconds since the Unix epoch, as Python's `time.time()` gives them.
pub(crate) fn unix_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// The name of the Python exception class for `error`.
pub(crate) fn class_name(error: &Error) -> &'static str {
    match error {
        Error::Malformed | Error::UnsupportedVersion(_) => "Malformed",
        Error::ModeMismatch => "ModeMismatch",
        Error::UnknownKey(_) => "UnknownKey",
        Error::Invalid => "Invalid",
        Error::Expired { .. } => "Expired",
        Error::IssuedInFuture { .. } => "IssuedInFuture",
        Error::TooLarge { .. } => "TooLarge",
        Error::Revoked { .. } => "Revoked",
        Error::KeyLength { .. }
        | Error::TooManyKeys { .. }
        | Error::DuplicateKeyId(_)
        | Error::RemovePrimary(_)
        | Error::EmptyKeyring
        | Error::NoSigningKey
        | Error::EmptySecretKey { .. }
        | Error::KeyringSyntax { .. }
        | Error::InvalidOption(_) => "ConfigError",
        _ => "Error",
    }
}

/// The Python exception for a core error. The message is the core's
/// `Display`, which never holds key material.
pub(crate) fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    let attributes: Vec<(&str, Py<PyAny>)> = match error {
        Error::UnknownKey(id) => vec![("key_id", int(py, u64::from(*id)))],
        Error::Expired {
            expired_at,
            lifetime,
            ..
        } => vec![
            ("expired_at", float(py, unix_seconds(*expired_at))),
            ("lifetime", text(py, &lifetime.to_string())),
        ],
        Error::TooLarge { len, limit } => vec![
            ("length", int(py, u64::try_from(*len).unwrap_or(u64::MAX))),
            ("limit", int(py, u64::try_from(*limit).unwrap_or(u64::MAX))),
        ],
        Error::Revoked {
            generation,
            current,
        } => vec![
            ("generation", int(py, u64::from(*generation))),
            ("current", int(py, u64::from(*current))),
        ],
        _ => Vec::new(),
    };
    new_error(py, class_name(error), &error.to_string(), &attributes)
}

fn int(py: Python<'_>, value: u64) -> Py<PyAny> {
    value
        .into_pyobject(py)
        .map_or_else(|_| py.None(), |v| v.into_any().unbind())
}

fn float(py: Python<'_>, value: f64) -> Py<PyAny> {
    value
        .into_pyobject(py)
        .map_or_else(|_| py.None(), |v| v.into_any().unbind())
}

fn text(py: Python<'_>, value: &str) -> Py<PyAny> {
    value
        .into_pyobject(py)
        .map_or_else(|_| py.None(), |v| v.into_any().unbind())
}

/// Runs `body`, turning a Rust panic into `cookie_seal.Error` so that no
/// panic crosses into Python (`PyO3` alone would raise `PanicException`, which
/// is not an `Exception` and escapes `except Exception`).
pub(crate) fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(_) => Err(new_error(
            py,
            "Error",
            "internal error in cookie_seal's native module (a bug: please report it)",
            &[],
        )),
    }
}

/// Panics inside [`guard`]: the test suite checks that this surfaces as
/// `cookie_seal.Error`, never as a panic.
#[pyfunction]
pub(crate) fn panic_for_test(py: Python<'_>) -> PyResult<()> {
    guard(py, || -> PyResult<()> {
        let values: Vec<u8> = Vec::new();
        // An out-of-bounds index: a real panic, without `panic!` in the code.
        let index = values.len() + usize::from(py.version_info().major);
        Err(PyRuntimeError::new_err(values[index]))
    })
}
