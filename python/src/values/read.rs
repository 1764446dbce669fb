//! Reading: the core's CBOR session values straight into Python objects.

use std::borrow::Cow;

use cookie_seal::{Error, SessionMap};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use super::MAX_DEPTH;
use crate::errors::new_error;

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
