//! `SessionCookie` and `LoadedSession`: the core's cookie layer for the
//! framework glue of the Python package (Flask, Starlette). The core decides
//! which cookies a request carries, which one verifies and which
//! `Set-Cookie` values answer it, exactly as in the Rust integrations.

use std::borrow::Cow;

use cookie_seal::cookie::{CookieConfig, Loaded, SameSite, SessionCookie};
use cookie_seal::{EncodeOptions, Error, Expiry, SessionMap};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use crate::codec::{duration_from, time_from, PyCodec};
use crate::errors::{guard, new_error, to_py_err, unix_seconds};
use crate::values;

/// A codec bound to a cookie name and attributes: loads the session from
/// `Cookie` headers and gives the `Set-Cookie` header values to send.
#[pyclass(frozen, name = "SessionCookie", module = "cookie_seal._native")]
pub(crate) struct PySessionCookie {
    inner: SessionCookie,
}

/// What `SessionCookie.load` found: the verified session, or why the
/// request's cookie was rejected.
#[pyclass(frozen, name = "LoadedSession", module = "cookie_seal._native")]
pub(crate) struct PyLoadedSession {
    loaded: Loaded<SessionMap>,
    session: SessionMap,
}

fn same_site_from(text: Option<&str>) -> PyResult<SameSite> {
    match text.map(str::to_ascii_lowercase).as_deref() {
        None | Some("lax") => Ok(SameSite::Lax),
        Some("strict") => Ok(SameSite::Strict),
        Some("none") => Ok(SameSite::None),
        Some(other) => Err(PyValueError::new_err(format!(
            "same_site must be 'lax', 'strict' or 'none', not {other:?}"
        ))),
    }
}

/// The `Cookie` header lines: `None`, one `str` or `bytes`, or a list of them.
fn header_lines<'a>(cookies: &'a Bound<'_, PyAny>) -> PyResult<Vec<Cow<'a, [u8]>>> {
    fn line<'a>(item: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, [u8]>> {
        if let Ok(text) = item.cast::<PyString>() {
            return Ok(match text.to_cow()? {
                Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            });
        }
        if let Ok(bytes) = item.cast::<PyBytes>() {
            return Ok(Cow::Borrowed(bytes.as_bytes()));
        }
        Err(PyTypeError::new_err(
            "Cookie headers must be str or bytes, or a list of them",
        ))
    }
    if cookies.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(list) = cookies.cast::<PyList>() {
        // Owned: the items' borrows cannot outlive this loop.
        return list
            .iter()
            .map(|item| line(&item).map(|bytes| Cow::Owned(bytes.into_owned())))
            .collect();
    }
    Ok(vec![line(cookies)?])
}

#[pymethods]
impl PySessionCookie {
    #[new]
    #[pyo3(signature = (codec, name = "session", *, path = "/", domain = None, secure = true,
        http_only = true, same_site = Some("lax"), partitioned = false, max_age = None,
        browser_session = false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        codec: PyRef<'_, PyCodec>,
        name: &str,
        path: &str,
        domain: Option<&str>,
        secure: bool,
        http_only: bool,
        same_site: Option<&str>,
        partitioned: bool,
        max_age: Option<&Bound<'_, PyAny>>,
        browser_session: bool,
    ) -> PyResult<PySessionCookie> {
        let py = codec.py();
        guard(py, || {
            let mut config = CookieConfig::new(name)
                .map_err(|error| to_py_err(py, &error))?
                .path(path)
                .secure(secure)
                .http_only(http_only)
                .same_site(same_site_from(same_site)?)
                .partitioned(partitioned)
                .browser_session(browser_session);
            if let Some(domain) = domain {
                config = config.domain(domain);
            }
            if let Some(max_age) = max_age {
                config = config.max_age(duration_from(max_age, "max_age")?);
            }
            let inner = SessionCookie::new(codec.inner.clone(), config)
                .map_err(|error| to_py_err(py, &error))?;
            Ok(PySessionCookie { inner })
        })
    }

    /// The cookie name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.config().name()
    }

    /// The idle lifetime of the tokens, in seconds.
    #[getter]
    fn max_age(&self) -> f64 {
        self.inner.codec().settings().max_age().as_secs_f64()
    }

    /// Loads the session from the request's `Cookie` header(s). Never
    /// raises for a bad cookie: `LoadedSession.error` says why it was
    /// rejected, and `save` deletes it.
    #[pyo3(signature = (cookies, *, now = None))]
    fn load(&self, cookies: &Bound<'_, PyAny>, now: Option<f64>) -> PyResult<PyLoadedSession> {
        guard(cookies.py(), || {
            let lines = header_lines(cookies)?;
            let loaded = self
                .inner
                .load_session(lines.iter().map(AsRef::as_ref), time_from(now)?);
            let session = loaded.session();
            Ok(PyLoadedSession { loaded, session })
        })
    }

    /// The `Set-Cookie` header values that answer a request which loaded
    /// `loaded` (none, a new cookie, or a removal), as the core's
    /// `SessionCookie::save` decides.
    ///
    /// `data`: the session's values, when the app may have changed them
    /// (`None`: unchanged). `permanent`: a persistent cookie for the idle
    /// lifetime, or a browser-session cookie (`None`: as loaded).
    /// `regenerate`: a new session (ID and creation time) before `data`.
    /// `force`: write even an unchanged, non-empty session (Flask's
    /// `SESSION_REFRESH_EACH_REQUEST`). Raises `TooLarge` for a session that
    /// does not fit the cookie, and then nothing must be sent.
    #[pyo3(signature = (loaded, data = None, *, permanent = None, regenerate = false,
        force = false, now = None))]
    fn save(
        &self,
        loaded: PyRef<'_, PyLoadedSession>,
        data: Option<&Bound<'_, PyDict>>,
        permanent: Option<bool>,
        regenerate: bool,
        force: bool,
        now: Option<f64>,
    ) -> PyResult<Vec<String>> {
        let py = loaded.py();
        guard(py, || {
            let mut session = loaded.session.clone();
            if regenerate {
                session
                    .clear_and_regenerate()
                    .map_err(|error| to_py_err(py, &error))?;
            }
            if let Some(data) = data {
                values::sync(&mut session, data)?;
            }
            if let Some(permanent) = permanent {
                session.set_expiry(if permanent {
                    Expiry::OnInactivity(self.inner.codec().settings().max_age())
                } else {
                    Expiry::OnSessionEnd
                });
            }
            let now = time_from(now)?;
            let mut set = self
                .inner
                .save(&loaded.loaded, &session, now)
                .map_err(|error| self.save_error(py, &error))?;
            if set.is_empty() && force && !session.is_empty() {
                let options = match loaded.loaded.decoded() {
                    Some(decoded) if decoded.value.id() == session.id() => decoded.carry_over(),
                    _ => EncodeOptions::new(),
                };
                let options = options
                    .expiry(session.expiry())
                    .generation(session.generation());
                set = self
                    .inner
                    .store(&session, &options, loaded.loaded.present(), now)
                    .map_err(|error| self.save_error(py, &error))?;
            }
            Ok(set)
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "SessionCookie(name={:?}, codec={:?})",
            self.inner.config().name(),
            self.inner.codec().mode()
        )
    }
}

impl PySessionCookie {
    /// A save error, with a message that says what to do about a session
    /// that outgrew the cookie.
    fn save_error(&self, py: Python<'_>, error: &Error) -> PyErr {
        let Error::TooLarge { len, limit } = error else {
            return to_py_err(py, error);
        };
        let name = self.inner.config().name();
        let message = format!(
            "the session no longer fits in the cookie {name:?} ({len} bytes, limit {limit}: \
             browsers drop a cookie over 4096 bytes with its name), so no cookie was sent; \
             keep less in the session, or keep large data server-side"
        );
        let error = to_py_err(py, error);
        let attributes = ["length", "limit"].map(|attribute| {
            let value = error
                .value(py)
                .getattr(attribute)
                .map_or_else(|_| py.None(), Bound::unbind);
            (attribute, value)
        });
        new_error(py, "TooLarge", &message, &attributes)
    }
}

#[pymethods]
impl PyLoadedSession {
    /// The session's values, as a new `dict` (empty without a valid cookie).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || values::to_dict(py, &self.session))
    }

    /// Why the request's cookie was rejected: the name of the exception
    /// class (`"Invalid"`, `"Expired"`, `"Malformed"`, ...), or `None`.
    #[getter]
    fn error(&self) -> Option<&'static str> {
        self.loaded.error().map(crate::errors::class_name)
    }

    /// Whether the request carried a cookie of this name (valid or not).
    #[getter]
    fn present(&self) -> bool {
        !self.loaded.present().is_empty()
    }

    /// `True` for a persistent cookie, `False` for a browser-session one,
    /// `None` when the token leaves it to the cookie's configuration.
    #[getter]
    fn permanent(&self) -> Option<bool> {
        match self.session.expiry() {
            Expiry::OnInactivity(_) => Some(true),
            Expiry::OnSessionEnd => Some(false),
            _ => None,
        }
    }

    /// The key ID of the verified token.
    #[getter]
    fn key_id(&self) -> Option<u32> {
        self.loaded.decoded().map(|decoded| decoded.key_id)
    }

    /// When the verified token was issued (Unix seconds).
    #[getter]
    fn issued_at(&self) -> Option<f64> {
        self.loaded
            .decoded()
            .map(|decoded| unix_seconds(decoded.issued_at))
    }

    /// Whether the verified token will be re-issued (an old key, or the
    /// signed mode read by a sealed codec), also by a read-only request.
    #[getter]
    fn needs_reissue(&self) -> bool {
        self.loaded.needs_reissue()
    }

    fn __repr__(&self) -> String {
        format!(
            "LoadedSession(keys={}, error={:?})",
            self.session.len(),
            self.error()
        )
    }
}
