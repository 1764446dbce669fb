//! Flask's session JSON text to the documented shapes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::PrimitiveDateTime;
use uuid::Uuid;

use super::{as_tag, enter, is_session_dict, single, DICT_KEY_SUFFIX, MIN_YEAR, TAGS, WEEKDAYS};
use crate::error::Error;
use crate::flask::{TAG_BYTES, TAG_DATETIME, TAG_DICT, TAG_MARKUP, TAG_TUPLE, TAG_UUID};

/// Parses the session JSON Flask wrote and maps its tags to the shapes.
///
/// # Errors
/// [`Error::Deserialize`] if the text is not UTF-8 JSON, holds an integer
/// outside the 64-bit range (serde_json would round it), nests deeper than
/// [`MAX_NESTING`](super::MAX_NESTING), holds a tag whose content is not what Flask writes, or is
/// not a dict at the top.
pub(crate) fn from_json(json: &[u8]) -> Result<Value, Error> {
    if has_oversized_integer(json) {
        return Err(Error::Deserialize);
    }
    // serde_json's own recursion limit (128) bounds the stack while parsing.
    let value: Value = serde_json::from_slice(json).map_err(|_| Error::Deserialize)?;
    let session = untag(value, 1)?;
    if !is_session_dict(&session) {
        return Err(Error::Deserialize);
    }
    Ok(session)
}

/// Flask's `_untag_scan`: children first, then the container itself.
/// `depth` is the nesting level of `value` if it is a container.
fn untag(value: Value, depth: usize) -> Result<Value, Error> {
    match value {
        Value::Array(items) => {
            enter(depth, Error::Deserialize)?;
            let items = items
                .into_iter()
                .map(|item| untag(item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        Value::Object(map) => {
            enter(depth, Error::Deserialize)?;
            let mut untagged = Map::new();
            for (key, item) in map {
                untagged.insert(key, untag(item, depth + 1)?);
            }
            if as_tag(&untagged).is_some() {
                if let Some((key, content)) = untagged.into_iter().next() {
                    return untag_one(&key, content);
                }
                return Err(Error::Deserialize);
            }
            Ok(Value::Object(untagged))
        }
        scalar => Ok(scalar),
    }
}

/// Maps one tag's (already untagged) content to its shape.
fn untag_one(key: &str, content: Value) -> Result<Value, Error> {
    let bad = || Error::Deserialize;
    let shape = match key {
        TAG_TUPLE => match content {
            Value::Array(items) => Value::Array(items),
            _ => return Err(bad()),
        },
        TAG_BYTES => {
            let bytes = STANDARD
                .decode(content.as_str().ok_or_else(bad)?)
                .map_err(|_| bad())?;
            Value::Array(bytes.into_iter().map(Value::from).collect())
        }
        TAG_MARKUP => match content {
            Value::String(text) => Value::String(text),
            _ => return Err(bad()),
        },
        TAG_UUID => {
            let uuid = Uuid::try_parse(content.as_str().ok_or_else(bad)?).map_err(|_| bad())?;
            Value::String(uuid.hyphenated().to_string())
        }
        TAG_DATETIME => {
            Value::String(http_date_to_rfc3339(content.as_str().ok_or_else(bad)?).ok_or_else(bad)?)
        }
        TAG_DICT => {
            let Value::Object(inner) = content else {
                return Err(bad());
            };
            let mut entries = inner.into_iter();
            let (Some((escaped, item)), None) = (entries.next(), entries.next()) else {
                return Err(bad());
            };
            let original = escaped
                .strip_suffix(DICT_KEY_SUFFIX)
                .filter(|k| TAGS.contains(k))
                .ok_or_else(bad)?;
            single(original, item)
        }
        _ => return Err(bad()),
    };
    Ok(single(key, shape))
}

/// `Thu, 29 Feb 2024 23:59:58 GMT` (werkzeug's `http_date`) to
/// `2024-02-29T23:59:58Z`. Like Flask, the weekday name is not checked
/// against the date.
fn http_date_to_rfc3339(text: &str) -> Option<String> {
    let (weekday, rest) = text.split_once(", ")?;
    if !WEEKDAYS.contains(&weekday) {
        return None;
    }
    let when = PrimitiveDateTime::parse(
        rest,
        format_description!("[day] [month repr:short] [year] [hour]:[minute]:[second] GMT"),
    )
    .ok()?;
    if when.year() < MIN_YEAR {
        return None;
    }
    when.assume_utc().format(&Rfc3339).ok()
}

/// Whether `json` holds an integer literal outside both the `i64` and `u64`
/// ranges. serde_json would turn such an integer into a rounded float; Python
/// keeps it exact, so the session is refused instead of altered.
fn has_oversized_integer(json: &[u8]) -> bool {
    let mut bytes = json.iter().copied().peekable();
    let mut in_string = false;
    while let Some(byte) = bytes.next() {
        if in_string {
            match byte {
                b'\\' => {
                    bytes.next();
                }
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'-' | b'0'..=b'9' => {
                let mut literal = String::from(char::from(byte));
                let mut integer = true;
                while let Some(&next) = bytes.peek() {
                    match next {
                        b'0'..=b'9' | b'-' | b'+' => {}
                        b'.' | b'e' | b'E' => integer = false,
                        _ => break,
                    }
                    literal.push(char::from(next));
                    bytes.next();
                }
                if integer && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}
