//! Flask's tagged JSON (`flask.json.tag.TaggedJSONSerializer`) mapped to the
//! documented `serde_json::Value` shapes, and the JSON text itself.
//!
//! Flask writes the types JSON lacks as one-entry objects whose key is a tag
//! (`{" t": [...]}` for a tuple, ...) and escapes a real one-entry dict whose
//! key is a tag as `{" di": {"<key>__": value}}`. The shapes keep Flask's
//! tag keys but give each tag's content its natural serde form (bytes as an
//! array of numbers, UUIDs hyphenated, datetimes in RFC 3339), and spell the
//! escaped dict `{" di": {"<key>": value}}`. See the module docs of
//! [`crate::flask`] for the table.

use serde_json::{Map, Value};

use super::{TAG_BYTES, TAG_DATETIME, TAG_DICT, TAG_MARKUP, TAG_TUPLE, TAG_UUID};
use crate::error::Error;

mod decode;
mod encode;

pub(crate) use decode::from_json;
pub(crate) use encode::to_json;

/// The deepest nesting of arrays and objects in a session's JSON, counting
/// the session object as 1 (tags count: a tuple is an object holding an array).
pub(crate) const MAX_NESTING: usize = 100;

/// Every tag Flask registers by default.
const TAGS: [&str; 6] = [
    TAG_DICT,
    TAG_TUPLE,
    TAG_BYTES,
    TAG_MARKUP,
    TAG_UUID,
    TAG_DATETIME,
];

/// The suffix Flask's `TagDict` appends to an escaped key.
const DICT_KEY_SUFFIX: &str = "__";

/// Years below 100 are excluded: Python's `email.utils` date parser (which
/// Flask reads datetimes with) turns them into 19xx or 20xx.
const MIN_YEAR: i32 = 100;

/// Weekday names as `werkzeug.http.http_date` writes them (Monday first).
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The `key` and content of a one-entry object whose key is a Flask tag.
fn as_tag(map: &Map<String, Value>) -> Option<(&str, &Value)> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((key, content)), None) if TAGS.contains(&key.as_str()) => Some((key, content)),
        _ => None,
    }
}

fn single(key: &str, content: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), content);
    Value::Object(map)
}

/// Whether a shape stands for a Python dict: an object that is not a tag,
/// or an escaped dict (`" di"`).
fn is_session_dict(value: &Value) -> bool {
    match value {
        Value::Object(map) => as_tag(map).is_none_or(|(key, _)| key == TAG_DICT),
        _ => false,
    }
}

/// Refuses a container at nesting level `depth` past [`MAX_NESTING`].
fn enter(depth: usize, error: Error) -> Result<(), Error> {
    if depth > MAX_NESTING {
        return Err(error);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
