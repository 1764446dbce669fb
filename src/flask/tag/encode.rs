//! The documented shapes to Flask's session JSON text.

use std::io;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use super::{as_tag, enter, is_session_dict, single, DICT_KEY_SUFFIX, MIN_YEAR};
use crate::error::Error;
use crate::flask::{TAG_BYTES, TAG_DATETIME, TAG_DICT, TAG_MARKUP, TAG_TUPLE, TAG_UUID};

/// Maps the shapes to Flask's tags and writes the JSON text exactly as
/// Flask's session serializer does inside an app (`sort_keys=True`,
/// `ensure_ascii=True`, compact separators).
///
/// # Errors
/// [`Error::Serialize`] if `session` is not a dict, nests deeper than
/// [`MAX_NESTING`](super::MAX_NESTING), or holds a tag shape with the wrong content.
pub(crate) fn to_json(session: &Value) -> Result<Vec<u8>, Error> {
    if !is_session_dict(session) {
        return Err(Error::Serialize);
    }
    let tagged = tag(session, 1)?;
    let mut out = Vec::with_capacity(256);
    tagged
        .serialize(&mut Serializer::with_formatter(
            &mut out,
            PythonJsonFormatter,
        ))
        .map_err(|_| Error::Serialize)?;
    Ok(out)
}

/// Flask's `TaggedJSONSerializer.tag`, from the shapes. `depth` is the
/// nesting level the container made for `value` would sit at.
fn tag(value: &Value, depth: usize) -> Result<Value, Error> {
    match value {
        Value::Array(items) => {
            enter(depth, Error::Serialize)?;
            let items = items
                .iter()
                .map(|item| tag(item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        Value::Object(map) => {
            enter(depth, Error::Serialize)?;
            if let Some((key, content)) = as_tag(map) {
                return tag_one(key, content, depth);
            }
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // Python's sort_keys order (code points = UTF-8 byte order), kept
            // even if serde_json's `preserve_order` feature is on.
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut tagged = Map::new();
            for (key, item) in entries {
                tagged.insert(key.clone(), tag(item, depth + 1)?);
            }
            Ok(Value::Object(tagged))
        }
        scalar => Ok(scalar.clone()),
    }
}

/// One tag shape to Flask's JSON. The object `{key: ...}` sits at `depth`.
fn tag_one(key: &str, content: &Value, depth: usize) -> Result<Value, Error> {
    let bad = || Error::Serialize;
    let tagged = match key {
        TAG_TUPLE => {
            let items = content.as_array().ok_or_else(bad)?;
            enter(depth + 1, bad())?;
            let items = items
                .iter()
                .map(|item| tag(item, depth + 2))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Array(items)
        }
        TAG_BYTES => {
            let bytes = content
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|n| n.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(bad)?;
            Value::String(STANDARD.encode(bytes))
        }
        TAG_MARKUP => Value::String(content.as_str().ok_or_else(bad)?.to_owned()),
        TAG_UUID => {
            let uuid = Uuid::try_parse(content.as_str().ok_or_else(bad)?).map_err(|_| bad())?;
            Value::String(uuid.simple().to_string())
        }
        TAG_DATETIME => {
            Value::String(rfc3339_to_http_date(content.as_str().ok_or_else(bad)?).ok_or_else(bad)?)
        }
        TAG_DICT => {
            let inner = content.as_object().ok_or_else(bad)?;
            let (original, item) = as_tag(inner).ok_or_else(bad)?;
            enter(depth + 1, bad())?;
            single(
                &format!("{original}{DICT_KEY_SUFFIX}"),
                tag(item, depth + 2)?,
            )
        }
        _ => return Err(bad()),
    };
    Ok(single(key, tagged))
}

/// An RFC 3339 time (any offset, any fraction) to werkzeug's `http_date`
/// form in UTC. Fractions of a second are dropped, as Flask drops
/// microseconds.
fn rfc3339_to_http_date(text: &str) -> Option<String> {
    let when = OffsetDateTime::parse(text, &Rfc3339)
        .ok()?
        .checked_to_offset(UtcOffset::UTC)?;
    if !(MIN_YEAR..=9999).contains(&when.year()) {
        return None;
    }
    when.format(format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .ok()
}

/// `serde_json`'s compact output with Python's `ensure_ascii=True`: every
/// character outside printable ASCII is written as `\uXXXX` (UTF-16 units,
/// lowercase hex), DEL included. Control characters and `"`/`\` are escaped
/// by `serde_json` exactly as Python does (`\n`, `\u001f`, ...).
struct PythonJsonFormatter;

impl Formatter for PythonJsonFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut plain_start = 0;
        for (index, c) in fragment.char_indices() {
            if c.is_ascii() && c != '\x7f' {
                continue;
            }
            writer.write_all(
                fragment
                    .get(plain_start..index)
                    .unwrap_or_default()
                    .as_bytes(),
            )?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            plain_start = index + c.len_utf8();
        }
        writer.write_all(fragment.get(plain_start..).unwrap_or_default().as_bytes())
    }
}
