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

use std::borrow::Cow;
use std::cell::RefCell;

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

/// The session's values as a new `dict`.
pub(crate) fn to_dict<'py>(py: Python<'py>, session: &SessionMap) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for key in session.keys() {
        let raw = session.get_raw(key).unwrap_or_default();
        dict.set_item(key, value_to_py(py, raw)?)?;
    }
    Ok(dict)
}

/// One CBOR value (the whole of `raw`) as a Python object.
fn value_to_py<'py>(py: Python<'py>, raw: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let mut reader = Reader { bytes: raw, pos: 0 };
    let value = reader.item(py, 0)?;
    if reader.pos != raw.len() {
        return Err(unreadable(py));
    }
    Ok(value)
}

fn unreadable(py: Python<'_>) -> PyErr {
    new_error(
        py,
        "Error",
        &format!(
            "{}: a session value is not a CBOR value",
            Error::Deserialize
        ),
        &[],
    )
}

/// A length or argument: definite, or indefinite (additional info 31).
enum Argument {
    Value(u64),
    Indefinite,
}

/// A CBOR reader that builds Python objects as it goes (RFC 8949: every
/// well-formed item of the types of FORMAT.md 8.1, indefinite lengths and
/// over-long arguments included). Every read is bounds-checked; nesting is
/// limited to [`MAX_DEPTH`].
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, py: Python<'_>, len: u64) -> PyResult<&'a [u8]> {
        let len = usize::try_from(len).map_err(|_| unreadable(py))?;
        let end = self.pos.checked_add(len).ok_or_else(|| unreadable(py))?;
        let taken = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| unreadable(py))?;
        self.pos = end;
        Ok(taken)
    }

    fn byte(&mut self, py: Python<'_>) -> PyResult<u8> {
        Ok(self.take(py, 1)?[0])
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn argument(&mut self, py: Python<'_>, info: u8) -> PyResult<Argument> {
        let width = match info {
            0..=23 => return Ok(Argument::Value(u64::from(info))),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 => return Ok(Argument::Indefinite),
            _ => return Err(unreadable(py)),
        };
        let mut value = 0u64;
        for byte in self.take(py, width)? {
            value = (value << 8) | u64::from(*byte);
        }
        Ok(Argument::Value(value))
    }

    /// A count of items that must each take at least one byte: refuses a
    /// count the remaining input cannot hold before looping over it.
    fn count(&self, py: Python<'_>, count: u64, per_item: u64) -> PyResult<u64> {
        let left = u64::try_from(self.bytes.len() - self.pos).unwrap_or(u64::MAX);
        match count.checked_mul(per_item) {
            Some(needed) if needed <= left => Ok(count),
            _ => Err(unreadable(py)),
        }
    }

    /// A byte or text string's bytes (major type `major`), joining the
    /// chunks of an indefinite-length one.
    fn string(&mut self, py: Python<'_>, major: u8, info: u8) -> PyResult<Cow<'a, [u8]>> {
        match self.argument(py, info)? {
            Argument::Value(len) => Ok(Cow::Borrowed(self.take(py, len)?)),
            Argument::Indefinite => {
                let mut joined = Vec::new();
                loop {
                    let initial = self.byte(py)?;
                    if initial == 0xff {
                        return Ok(Cow::Owned(joined));
                    }
                    if initial >> 5 != major {
                        return Err(unreadable(py));
                    }
                    match self.argument(py, initial & 0x1f)? {
                        Argument::Value(len) => joined.extend_from_slice(self.take(py, len)?),
                        Argument::Indefinite => return Err(unreadable(py)),
                    }
                }
            }
        }
    }

    /// Calls `each` for every item of an array (`pairs` false) or entry of
    /// a map, definite or indefinite.
    fn items(
        &mut self,
        py: Python<'_>,
        info: u8,
        pairs: bool,
        mut each: impl FnMut(&mut Self) -> PyResult<()>,
    ) -> PyResult<()> {
        match self.argument(py, info)? {
            Argument::Value(count) => {
                for _ in 0..self.count(py, count, if pairs { 2 } else { 1 })? {
                    each(self)?;
                }
            }
            Argument::Indefinite => loop {
                match self.peek() {
                    Some(0xff) => {
                        self.pos += 1;
                        break;
                    }
                    Some(_) => each(self)?,
                    None => return Err(unreadable(py)),
                }
            },
        }
        Ok(())
    }

    fn item<'py>(&mut self, py: Python<'py>, depth: usize) -> PyResult<Bound<'py, PyAny>> {
        if depth > MAX_DEPTH {
            return Err(unreadable(py));
        }
        let initial = self.byte(py)?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        Ok(match major {
            0 | 1 => {
                let Argument::Value(n) = self.argument(py, info)? else {
                    return Err(unreadable(py));
                };
                if major == 0 {
                    n.into_pyobject(py)?.into_any()
                } else {
                    (-1 - i128::from(n)).into_pyobject(py)?.into_any()
                }
            }
            2 => PyBytes::new(py, &self.string(py, 2, info)?).into_any(),
            3 => {
                let bytes = self.string(py, 3, info)?;
                let text = std::str::from_utf8(&bytes).map_err(|_| unreadable(py))?;
                PyString::new(py, text).into_any()
            }
            4 => {
                let list = PyList::empty(py);
                self.items(py, info, false, |reader| {
                    list.append(reader.item(py, depth + 1)?)
                })?;
                list.into_any()
            }
            5 => {
                let dict = PyDict::new(py);
                self.items(py, info, true, |reader| {
                    let key = reader.item(py, depth + 1)?;
                    if !key.is_instance_of::<PyString>() && !key.is_instance_of::<PyInt>() {
                        return Err(unreadable(py));
                    }
                    dict.set_item(key, reader.item(py, depth + 1)?)
                })?;
                dict.into_any()
            }
            6 => {
                let Argument::Value(tag) = self.argument(py, info)? else {
                    return Err(unreadable(py));
                };
                match tag {
                    // Bignums (RFC 8949 3.4.3): tag 2 holds n, tag 3 -1 - n.
                    2 | 3 => {
                        let initial = self.byte(py)?;
                        if initial >> 5 != 2 {
                            return Err(unreadable(py));
                        }
                        let bytes = self.string(py, 2, initial & 0x1f)?;
                        let magnitude = py
                            .get_type::<PyInt>()
                            .call_method1("from_bytes", (PyBytes::new(py, &bytes), "big"))?;
                        if tag == 2 {
                            magnitude
                        } else {
                            (-1i64).into_pyobject(py)?.sub(&magnitude)?
                        }
                    }
                    // Other tags: the tagged value, as the core reads it.
                    _ => self.item(py, depth + 1)?,
                }
            }
            _ => match info {
                20 => PyBool::new(py, false).to_owned().into_any(),
                21 => PyBool::new(py, true).to_owned().into_any(),
                22 | 23 => py.None().into_bound(py),
                25 => {
                    let bits = self.take(py, 2)?;
                    PyFloat::new(py, half_to_f64(u16::from_be_bytes([bits[0], bits[1]]))).into_any()
                }
                26 => {
                    let bits = self.take(py, 4)?;
                    let single = f32::from_be_bytes([bits[0], bits[1], bits[2], bits[3]]);
                    PyFloat::new(py, f64::from(single)).into_any()
                }
                27 => {
                    let mut bits = [0u8; 8];
                    bits.copy_from_slice(self.take(py, 8)?);
                    PyFloat::new(py, f64::from_be_bytes(bits)).into_any()
                }
                _ => return Err(unreadable(py)),
            },
        })
    }
}

/// An IEEE 754 half-precision float (RFC 8949 appendix D).
fn half_to_f64(bits: u16) -> f64 {
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f64::from(bits & 0x3ff);
    let magnitude = match exponent {
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (mantissa + 1024.0) * 2f64.powi(exponent - 25),
    };
    if bits & 0x8000 == 0 {
        magnitude
    } else {
        -magnitude
    }
}
