//! Python values to and from the core's session values: each value of a
//! `SessionMap` is one CBOR data item (FORMAT.md section 8.1), so a Rust
//! service reads what Python stored with `Session::get::<T>` and the other
//! way round.
//!
//! | Python | CBOR | back in Python |
//! |---|---|---|
//! | `None`, `bool` | null, true/false | the same |
//! | `int` from -2**127 to 2**127 - 1 (subclasses too) | integer; beyond 64 bits a bignum (tag 2/3) | `int` |
//! | `float` | float, shortest exact width | `float` |
//! | `str` (subclasses too) | text | `str` |
//! | `bytes` | byte string | `bytes` |
//! | `list` | array | `list` |
//! | `dict` with `str` keys | map | `dict` (integer keys a Rust map wrote read as `int`) |
//!
//! Everything else (`tuple`, `set`, `bytearray`, `datetime`, objects) is a
//! `TypeError` when stored: a value must read back as what was stored, and a
//! tuple would come back a list. Nesting deeper than 128 levels is a
//! `ValueError` (the core refuses to read such a value).

use std::cell::RefCell;

use cookie_seal::SessionMap;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

mod read;

pub(crate) use read::to_dict;

/// The deepest nesting of lists and dicts, as the core reads it.
const MAX_DEPTH: usize = 128;

/// A Python value serialized straight into the core's CBOR writer, with
/// the first Python error kept in `failure` (serde's error type cannot
/// carry it).
struct PyValue<'a, 'py> {
    object: &'a Bound<'py, PyAny>,
    depth: usize,
    failure: &'a RefCell<Option<PyErr>>,
}

impl PyValue<'_, '_> {
    fn fail<E: serde::ser::Error>(&self, error: PyErr) -> E {
        self.failure.borrow_mut().get_or_insert(error);
        E::custom("not a session value")
    }

    fn child<'b, 'py>(&'b self, object: &'b Bound<'py, PyAny>) -> PyValue<'b, 'py> {
        PyValue {
            object,
            depth: self.depth + 1,
            failure: self.failure,
        }
    }
}

impl Serialize for PyValue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let object = self.object;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(PyValueError::new_err(format!(
                "session value nested deeper than {MAX_DEPTH} levels"
            ))));
        }
        if object.is_none() {
            return serializer.serialize_unit();
        }
        if let Ok(value) = object.cast::<PyBool>() {
            return serializer.serialize_bool(value.is_true());
        }
        if let Ok(value) = object.cast::<PyInt>() {
            if let Ok(small) = value.extract::<i64>() {
                return serializer.serialize_i64(small);
            }
            if let Ok(unsigned) = value.extract::<u64>() {
                return serializer.serialize_u64(unsigned);
            }
            return match value.extract::<i128>() {
                Ok(big) => serializer.serialize_i128(big),
                Err(_) => Err(self.fail(PyOverflowError::new_err(
                    "session integers are limited to -2**127 .. 2**127 - 1",
                ))),
            };
        }
        if let Ok(value) = object.cast::<PyFloat>() {
            return serializer.serialize_f64(value.value());
        }
        if let Ok(value) = object.cast::<PyString>() {
            return match utf8(value) {
                Ok(text) => serializer.serialize_str(text),
                Err(error) => Err(self.fail(error)),
            };
        }
        if let Ok(value) = object.cast::<PyBytes>() {
            return serializer.serialize_bytes(value.as_bytes());
        }
        if let Ok(list) = object.cast::<PyList>() {
            let mut seq = serializer.serialize_seq(Some(list.len()))?;
            for item in list.iter() {
                seq.serialize_element(&self.child(&item))?;
            }
            return seq.end();
        }
        if let Ok(dict) = object.cast::<PyDict>() {
            let mut map = serializer.serialize_map(Some(dict.len()))?;
            for (key, value) in dict.iter() {
                let Ok(key) = key.cast::<PyString>() else {
                    return Err(self.fail(key_type_error(&key)));
                };
                let key = utf8(key).map_err(|error| self.fail::<S::Error>(error))?;
                map.serialize_entry(key, &self.child(&value))?;
            }
            return map.end();
        }
        Err(self.fail(value_type_error(object)))
    }
}

// `PyUnicode_AsUTF8AndSize`: in the stable ABI from CPython 3.10, and
// exported by every CPython 3 (so also by 3.9, which this abi3 wheel
// supports). PyO3 declares it only for abi3-py310 and later; without it,
// `PyString::to_cow` copies every string into a new `bytes` object first.
extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

/// The UTF-8 form of `text`, borrowed from the string object (`CPython`
/// caches it there), without a copy.
fn utf8<'a>(text: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `text` is a live `str` object (the GIL is held, as `Bound`
    // proves); CPython returns a pointer to `size` bytes of UTF-8 owned by
    // that object, valid while it lives (the borrow of `text`), or NULL
    // with an exception set (a lone surrogate).
    let data = unsafe { PyUnicode_AsUTF8AndSize(text.as_ptr(), &mut size) };
    if data.is_null() {
        return Err(PyErr::fetch(text.py()));
    }
    let len = usize::try_from(size).map_err(|_| PyErr::fetch(text.py()))?;
    // SAFETY: as above: `len` initialized bytes at `data`, alive for 'a.
    let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    // CPython's UTF-8 encoder produced them, so they are valid UTF-8; the
    // check costs little next to a copy and keeps this function safe.
    std::str::from_utf8(bytes).map_err(|_| PyTypeError::new_err("session text is not valid UTF-8"))
}

fn type_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |name| name.to_string())
}

fn value_type_error(object: &Bound<'_, PyAny>) -> PyErr {
    let name = type_name(object);
    let hint = match name.as_str() {
        "tuple" => " (store a list: a tuple would read back as a list)",
        "set" | "frozenset" => " (store a sorted list)",
        "bytearray" | "memoryview" => " (store bytes)",
        "datetime" | "date" | "time" => " (store its isoformat() or a timestamp)",
        _ => "",
    };
    PyTypeError::new_err(format!(
        "cannot store a value of type {name} in the session{hint}: session values are None, \
         bool, int, float, str, bytes, list and dict with str keys"
    ))
}

fn key_type_error(key: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "session dict keys must be str, not {}",
        type_name(key)
    ))
}

/// Stores `value` under `key` in `session`.
fn insert(session: &mut SessionMap, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let failure = RefCell::new(None);
    let result = session.insert(
        key,
        &PyValue {
            object: value,
            depth: 1,
            failure: &failure,
        },
    );
    match (result, failure.into_inner()) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(error)) => Err(error),
        (Err(error), None) => Err(PyValueError::new_err(format!(
            "session value {key:?} could not be stored: {error}"
        ))),
    }
}

/// Makes `session`'s values those of `data`: stores every entry (a value
/// equal to the stored one is no change, see `SessionMap::insert`) and
/// removes the keys `data` lacks.
pub(crate) fn sync(session: &mut SessionMap, data: &Bound<'_, PyDict>) -> PyResult<()> {
    let mut keys = Vec::with_capacity(data.len());
    for (key, value) in data.iter() {
        let Ok(key) = key.cast::<PyString>() else {
            return Err(key_type_error(&key));
        };
        let key = utf8(key)?;
        insert(session, key, &value)?;
        keys.push(key.to_owned());
    }
    if session.len() > keys.len() {
        keys.sort_unstable();
        let stale: Vec<String> = session
            .keys()
            .filter(|key| keys.binary_search_by(|k| k.as_str().cmp(key)).is_err())
            .map(str::to_owned)
            .collect();
        for key in stale {
            session.remove(&key);
        }
    }
    Ok(())
}

/// A new `SessionMap` holding `data`.
pub(crate) fn to_session(data: &Bound<'_, PyDict>) -> PyResult<SessionMap> {
    let mut session = SessionMap::new();
    sync(&mut session, data)?;
    Ok(session)
}
