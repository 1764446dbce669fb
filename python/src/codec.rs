//! `Keyring` and `Codec`: the core's keyring and codec, encoding and
//! decoding `dict`s.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::{Codec, Compression, Key, Keyring, Mode, SessionMap};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::{guard, to_py_err, unix_seconds};
use crate::values;

/// A keyring: key IDs and keys, the primary one signing or sealing.
///
/// Its text form is one environment variable (`SESSION_KEYS`, from the
/// `cookie-seal keygen` command); `repr` shows the IDs, never a key.
#[pyclass(frozen, name = "Keyring", module = "cookie_seal._native")]
pub(crate) struct PyKeyring {
    pub(crate) inner: Keyring,
}

#[pymethods]
impl PyKeyring {
    /// Parses the textual keyring (`"1:<base64 key>,2:<base64 key>"`, the
    /// primary marked as the `cookie-seal` CLI writes it).
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<PyKeyring> {
        guard(py, || {
            text.parse::<Keyring>()
                .map(|inner| PyKeyring { inner })
                .map_err(|error| to_py_err(py, &error))
        })
    }

    /// A keyring with one new random key under `key_id`.
    #[staticmethod]
    #[pyo3(signature = (key_id = 1))]
    fn generate(py: Python<'_>, key_id: u32) -> PyResult<PyKeyring> {
        guard(py, || {
            let key = Key::try_generate().map_err(|error| to_py_err(py, &error))?;
            Ok(PyKeyring {
                inner: Keyring::new(key_id, key),
            })
        })
    }

    /// The ID of the key that signs or seals.
    #[getter]
    fn primary_id(&self) -> u32 {
        self.inner.primary_id()
    }

    /// Every key ID, ascending.
    #[getter]
    fn ids(&self) -> Vec<u32> {
        self.inner.ids().collect()
    }

    /// The textual form, for storing in a secret store. It holds the keys.
    fn export(&self) -> String {
        self.inner.export().to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "Keyring(primary_id={}, ids={:?})",
            self.inner.primary_id(),
            self.ids()
        )
    }
}

/// A keyring from a `Keyring` or its text.
pub(crate) fn keyring_from(keys: &Bound<'_, PyAny>) -> PyResult<Keyring> {
    if let Ok(ring) = keys.cast::<PyKeyring>() {
        return Ok(ring.get().inner.clone());
    }
    if let Ok(text) = keys.cast::<PyString>() {
        return PyKeyring::parse(keys.py(), &text.to_cow()?).map(|ring| ring.inner);
    }
    Err(PyTypeError::new_err(
        "keys must be a cookie_seal.Keyring or its text form (str)",
    ))
}

/// A duration from seconds (`int`/`float`) or a `datetime.timedelta`.
pub(crate) fn duration_from(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    let seconds: f64 = if value.hasattr("total_seconds")? {
        value.call_method0("total_seconds")?.extract()?
    } else {
        value.extract()?
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a non-negative number of seconds, not {seconds}"
        ))
    })
}

/// `now` as a Unix time in seconds, or the system clock.
pub(crate) fn time_from(now: Option<f64>) -> PyResult<SystemTime> {
    match now {
        None => Ok(SystemTime::now()),
        Some(seconds) if seconds >= 0.0 => Duration::try_from_secs_f64(seconds)
            .ok()
            .and_then(|after| UNIX_EPOCH.checked_add(after))
            .ok_or_else(|| PyValueError::new_err("now is out of range")),
        Some(_) => Err(PyValueError::new_err("now must not be before 1970")),
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Signed => "signed",
        _ => "sealed",
    }
}

/// A codec: sealed (XChaCha20-Poly1305) or signed (HMAC-SHA256) tokens of
/// session `dict`s, with a purpose, lifetimes and a size budget.
#[pyclass(frozen, name = "Codec", module = "cookie_seal._native")]
pub(crate) struct PyCodec {
    pub(crate) inner: Codec,
}

#[allow(clippy::too_many_arguments)]
fn build(
    mode: Mode,
    keys: &Bound<'_, PyAny>,
    purpose: &str,
    max_age: Option<&Bound<'_, PyAny>>,
    clock_skew: Option<&Bound<'_, PyAny>>,
    absolute_lifetime: Option<&Bound<'_, PyAny>>,
    compress: Option<bool>,
    accept_signed: bool,
) -> PyResult<PyCodec> {
    let py = keys.py();
    guard(py, || {
        let mut codec = Codec::new(mode, keyring_from(keys)?).purpose(purpose);
        if let Some(max_age) = max_age {
            codec = codec.max_age(duration_from(max_age, "max_age")?);
        }
        if let Some(skew) = clock_skew {
            codec = codec.clock_skew(duration_from(skew, "clock_skew")?);
        }
        if let Some(lifetime) = absolute_lifetime {
            codec = codec.absolute_lifetime(duration_from(lifetime, "absolute_lifetime")?);
        }
        match compress {
            Some(true) => codec = codec.compression(Compression::Auto),
            Some(false) => codec = codec.compression(Compression::Never),
            None => {}
        }
        if accept_signed {
            codec = codec.accept_signed(true);
        }
        codec.validate().map_err(|error| to_py_err(py, &error))?;
        Ok(PyCodec { inner: codec })
    })
}

#[pymethods]
impl PyCodec {
    /// A sealed codec: tokens nobody can read or change without the keys.
    #[staticmethod]
    #[pyo3(signature = (keys, *, purpose = "session", max_age = None, clock_skew = None,
        absolute_lifetime = None, compress = None, accept_signed = false))]
    #[allow(clippy::too_many_arguments)]
    fn sealed(
        keys: &Bound<'_, PyAny>,
        purpose: &str,
        max_age: Option<&Bound<'_, PyAny>>,
        clock_skew: Option<&Bound<'_, PyAny>>,
        absolute_lifetime: Option<&Bound<'_, PyAny>>,
        compress: Option<bool>,
        accept_signed: bool,
    ) -> PyResult<PyCodec> {
        build(
            Mode::Sealed,
            keys,
            purpose,
            max_age,
            clock_skew,
            absolute_lifetime,
            compress,
            accept_signed,
        )
    }

    /// A signed codec: tokens anyone can read and nobody can change.
    #[staticmethod]
    #[pyo3(signature = (keys, *, purpose = "session", max_age = None, clock_skew = None,
        absolute_lifetime = None, compress = None))]
    fn signed(
        keys: &Bound<'_, PyAny>,
        purpose: &str,
        max_age: Option<&Bound<'_, PyAny>>,
        clock_skew: Option<&Bound<'_, PyAny>>,
        absolute_lifetime: Option<&Bound<'_, PyAny>>,
        compress: Option<bool>,
    ) -> PyResult<PyCodec> {
        build(
            Mode::Signed,
            keys,
            purpose,
            max_age,
            clock_skew,
            absolute_lifetime,
            compress,
            false,
        )
    }

    /// `"sealed"` or `"signed"`.
    #[getter]
    fn mode(&self) -> &'static str {
        mode_name(self.inner.mode())
    }

    /// The purpose tokens are bound to.
    #[getter]
    fn purpose(&self) -> String {
        self.inner.settings().purpose().to_owned()
    }

    /// The idle lifetime, in seconds.
    #[getter]
    fn max_age(&self) -> f64 {
        self.inner.settings().max_age().as_secs_f64()
    }

    /// The longest token this codec writes, in bytes.
    #[getter]
    fn token_budget(&self) -> usize {
        self.inner.settings().token_budget()
    }

    /// The token for `data` (a `dict` with `str` keys).
    #[pyo3(signature = (data, *, now = None))]
    fn encode(&self, data: &Bound<'_, PyDict>, now: Option<f64>) -> PyResult<String> {
        let py = data.py();
        guard(py, || {
            let session = values::to_session(data)?;
            self.inner
                .encode_at(&session, time_from(now)?)
                .map_err(|error| to_py_err(py, &error))
        })
    }

    /// The `dict` in `token`, if it is authentic, fresh and made for this
    /// codec's purpose; otherwise one of `cookie_seal.Error`'s subclasses.
    #[pyo3(signature = (token, *, now = None))]
    fn decode<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
            let decoded = self
                .inner
                .decode_at::<SessionMap>(token, time_from(now)?)
                .map_err(|error| to_py_err(py, &error))?;
            values::to_dict(py, &decoded.value)
        })
    }

    fn __repr__(&self) -> String {
        let settings = self.inner.settings();
        format!(
            "Codec(mode={:?}, purpose={:?}, max_age={})",
            mode_name(self.inner.mode()),
            settings.purpose(),
            settings.max_age().as_secs()
        )
    }
}

/// The readable header of a token, **unverified**: version, mode, key ID
/// (and issue time for signed tokens). For tools and logs only.
#[pyfunction]
pub(crate) fn inspect<'py>(py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyDict>> {
    guard(py, || {
        let header = cookie_seal::inspect(token).map_err(|error| to_py_err(py, &error))?;
        let dict = PyDict::new(py);
        dict.set_item("version", header.version())?;
        dict.set_item("mode", mode_name(header.mode()))?;
        dict.set_item("key_id", header.key_id())?;
        dict.set_item("issued_at", header.issued_at().map(unix_seconds))?;
        Ok(dict)
    })
}
