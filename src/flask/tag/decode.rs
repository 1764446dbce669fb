//! Flask's session JSON text to the documented shapes.

use std::borrow::Cow;

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
/// outside the 64-bit range (`serde_json` would round it), nests deeper than
/// [`MAX_NESTING`](super::MAX_NESTING), holds a tag whose content is not what Flask writes, or is
/// not a dict at the top.
pub(crate) fn from_json(json: &[u8]) -> Result<Value, Error> {
    let json = check_literals(json)?;
    let value: Value = serde_json::from_slice(&json).map_err(|_| Error::Deserialize)?;
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

/// Reads the JSON text once, outside strings, before `serde_json` parses it:
///
/// - refuses an integer literal outside both the `i64` and `u64` ranges:
///   `serde_json` would turn it into a rounded float, Python keeps it exact,
///   so the session is refused instead of altered;
/// - refuses nesting deeper than [`MAX_NESTING`](super::MAX_NESTING), so the
///   parser's recursion stays as shallow as the tag pass after it (`serde_json`
///   alone would recurse 128 levels, too deep for small thread stacks);
/// - rewrites the integer literal `-0` as ` 0`: Python reads it as the int
///   `0`, `serde_json` as the float `-0.0`.
///
/// Returns the text unchanged unless a `-0` was rewritten.
pub(super) fn check_literals(json: &[u8]) -> Result<Cow<'_, [u8]>, Error> {
    let mut negative_zeros = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut index = 0;
    while let Some(&byte) = json.get(index) {
        index += 1;
        if in_string {
            match byte {
                b'\\' => index += 1,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                enter(depth, Error::Deserialize)?;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let start = index - 1;
                let mut integer = true;
                while let Some(&next) = json.get(index) {
                    match next {
                        b'0'..=b'9' | b'-' | b'+' => {}
                        b'.' | b'e' | b'E' => integer = false,
                        _ => break,
                    }
                    index += 1;
                }
                let literal = json.get(start..index).unwrap_or_default();
                if !integer {
                    continue;
                }
                if literal == b"-0" {
                    negative_zeros.push(start);
                    continue;
                }
                let text = std::str::from_utf8(literal).unwrap_or_default();
                if text.parse::<i64>().is_err() && text.parse::<u64>().is_err() {
                    return Err(Error::Deserialize);
                }
            }
            _ => {}
        }
    }
    if negative_zeros.is_empty() {
        return Ok(Cow::Borrowed(json));
    }
    let mut rewritten = json.to_vec();
    for start in negative_zeros {
        if let Some(sign) = rewritten.get_mut(start) {
            *sign = b' ';
        }
    }
    Ok(Cow::Owned(rewritten))
}
