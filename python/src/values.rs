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

use ciborium::Value;
use cookie_seal::{Error, SessionMap};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::errors::new_error;

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
            return match value.to_cow() {
                Ok(text) => serializer.serialize_str(&text),
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
                let key = key.to_cow().map_err(|error| self.fail::<S::Error>(error))?;
                map.serialize_entry(&*key, &self.child(&value))?;
            }
            return map.end();
        }
        Err(self.fail(value_type_error(object)))
    }
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
        let key = key.to_cow()?;
        insert(session, &key, &value)?;
        keys.push(key.into_owned());
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

/// The session's values as a new `dict`.
pub(crate) fn to_dict<'py>(py: Python<'py>, session: &SessionMap) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for key in session.keys() {
        let raw = session.get_raw(key).unwrap_or_default();
        dict.set_item(key, value_to_py(py, raw)?)?;
    }
    Ok(dict)
}

/// One CBOR value as a Python object.
fn value_to_py<'py>(py: Python<'py>, raw: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let mut rest = raw;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|_| unreadable(py))?;
    if !rest.is_empty() {
        return Err(unreadable(py));
    }
    cbor_to_py(py, &value)
}

fn unreadable(py: Python<'_>) -> PyErr {
    new_error(
        py,
        "Error",
        &format!("{}: a session value is not a CBOR value", Error::Deserialize),
        &[],
    )
}

fn cbor_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        Value::Integer(integer) => i128::from(*integer).into_pyobject(py)?.into_any(),
        Value::Float(float) => PyFloat::new(py, *float).into_any(),
        Value::Text(text) => PyString::new(py, text).into_any(),
        Value::Bytes(bytes) => PyBytes::new(py, bytes).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(cbor_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(entries) => {
            let dict = PyDict::new(py);
            for (key, item) in entries {
                let key = match key {
                    Value::Text(_) | Value::Integer(_) => cbor_to_py(py, key)?,
                    _ => return Err(unreadable(py)),
                };
                dict.set_item(key, cbor_to_py(py, item)?)?;
            }
            dict.into_any()
        }
        // Bignums beyond 64 bits (RFC 8949 3.4.3): tag 2 holds n, tag 3 -1 - n.
        Value::Tag(tag @ (2 | 3), inner) => {
            let Value::Bytes(bytes) = &**inner else {
                return Err(unreadable(py));
            };
            let magnitude = py
                .get_type::<PyInt>()
                .call_method1("from_bytes", (PyBytes::new(py, bytes), "big"))?;
            if *tag == 2 {
                magnitude
            } else {
                (-1i64).into_pyobject(py)?.sub(&magnitude)?
            }
        }
        // Other tags: the tagged value, as the core reads it.
        Value::Tag(_, inner) => cbor_to_py(py, inner)?,
        _ => return Err(unreadable(py)),
    })
}
