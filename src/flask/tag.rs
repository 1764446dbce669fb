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

use std::io;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

use super::{TAG_BYTES, TAG_DATETIME, TAG_DICT, TAG_MARKUP, TAG_TUPLE, TAG_UUID};
use crate::error::Error;

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

// ---------------------------------------------------------------- decoding

/// Parses the session JSON Flask wrote and maps its tags to the shapes.
///
/// # Errors
/// [`Error::Deserialize`] if the text is not UTF-8 JSON, holds an integer
/// outside the 64-bit range (serde_json would round it), nests deeper than
/// [`MAX_NESTING`], holds a tag whose content is not what Flask writes, or is
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

// ---------------------------------------------------------------- encoding

/// Maps the shapes to Flask's tags and writes the JSON text exactly as
/// Flask's session serializer does inside an app (`sort_keys=True`,
/// `ensure_ascii=True`, compact separators).
///
/// # Errors
/// [`Error::Serialize`] if `session` is not a dict, nests deeper than
/// [`MAX_NESTING`], or holds a tag shape with the wrong content.
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

/// Whether a shape stands for a Python dict: an object that is not a tag,
/// or an escaped dict (`" di"`).
fn is_session_dict(value: &Value) -> bool {
    match value {
        Value::Object(map) => as_tag(map).is_none_or(|(key, _)| key == TAG_DICT),
        _ => false,
    }
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

/// Refuses a container at nesting level `depth` past [`MAX_NESTING`].
fn enter(depth: usize, error: Error) -> Result<(), Error> {
    if depth > MAX_NESTING {
        return Err(error);
    }
    Ok(())
}

/// serde_json's compact output with Python's `ensure_ascii=True`: every
/// character outside printable ASCII is written as `\uXXXX` (UTF-16 units,
/// lowercase hex), DEL included. Control characters and `"`/`\` are escaped
/// by serde_json exactly as Python does (`\n`, `\u001f`, ...).
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ascii_escapes_follow_python() {
        let session = json!({"s": "\u{7f}\u{1f}\n\t\"\\/😀ÿ"});
        assert_eq!(
            String::from_utf8(to_json(&session).unwrap()).unwrap(),
            r#"{"s":"\u007f\u001f\n\t\"\\/\ud83d\ude00\u00ff"}"#
        );
    }

    #[test]
    fn tag_like_dicts_round_trip_at_any_level() {
        for session in [
            json!({" di": {" t": 1}}),
            json!({" di": {" di": {" b": [1]}}}),
            json!({"x": {" di": {" u": "not a uuid"}}}),
            json!({" t": 1, "y": 2}),
            json!({"z": {" t__": 3}}),
        ] {
            let text = to_json(&session).unwrap();
            assert_eq!(from_json(&text).unwrap(), session, "{session}");
        }
    }

    #[test]
    fn datetimes_are_normalised_to_utc_seconds() {
        let session = json!({"d": {" d": "2024-03-01T00:59:58.987+01:00"}});
        let text = String::from_utf8(to_json(&session).unwrap()).unwrap();
        assert_eq!(text, r#"{"d":{" d":"Thu, 29 Feb 2024 23:59:58 GMT"}}"#);
        assert_eq!(
            from_json(text.as_bytes()).unwrap(),
            json!({"d": {" d": "2024-02-29T23:59:58Z"}})
        );
    }

    #[test]
    fn years_python_would_misread_are_refused_both_ways() {
        assert_eq!(
            to_json(&json!({"d": {" d": "0050-01-01T00:00:00Z"}})),
            Err(Error::Serialize)
        );
        assert_eq!(
            from_json(br#"{"d":{" d":"Sat, 01 Jan 0050 00:00:00 GMT"}}"#),
            Err(Error::Deserialize)
        );
        assert!(to_json(&json!({"d": {" d": "0100-01-01T00:00:00Z"}})).is_ok());
    }

    #[test]
    fn wrong_tag_contents_are_refused_both_ways() {
        for bad in [
            json!({"x": {" t": "abc"}}),
            json!({"x": {" b": [256]}}),
            json!({"x": {" b": "AAEC"}}),
            json!({"x": {" m": 5}}),
            json!({"x": {" u": "xyz"}}),
            json!({"x": {" d": "yesterday"}}),
            json!({"x": {" di": {"a": 1}}}),
            json!({"x": {" di": {" t": 1, "b": 2}}}),
            json!([1]),
            json!({" t": [1]}),
            json!("text"),
        ] {
            assert_eq!(to_json(&bad), Err(Error::Serialize), "{bad}");
        }
        for bad in [
            r#"{"x":{" t":"abc"}}"#,
            r#"{"x":{" b":"AAE"}}"#,
            r#"{"x":{" b":5}}"#,
            r#"{"x":{" m":[]}}"#,
            r#"{"x":{" u":"1234"}}"#,
            r#"{"x":{" d":"Thu, 29 Feb 2024 23:59:58"}}"#,
            r#"{"x":{" d":"Xyz, 29 Feb 2024 23:59:58 GMT"}}"#,
            r#"{"x":{" di":{" t":1}}}"#,
            r#"{"x":{" di":{"a__":1}}}"#,
            r#"{"x":{" di":{}}}"#,
            r#"{"x":{" zz":1}}"#,
            r#"[1]"#,
            r#"{" t":[1]}"#,
            r#""text""#,
        ] {
            let result = from_json(bad.as_bytes());
            if bad == r#"{"x":{" zz":1}}"# {
                // Not a tag: kept as a plain dict.
                assert_eq!(result, Ok(json!({"x": {" zz": 1}})));
            } else {
                assert_eq!(result, Err(Error::Deserialize), "{bad}");
            }
        }
    }

    #[test]
    fn integers_outside_64_bits_are_refused_not_rounded() {
        assert_eq!(
            from_json(br#"{"n":18446744073709551615,"m":-9223372036854775808}"#).unwrap(),
            json!({"n": u64::MAX, "m": i64::MIN})
        );
        for bad in [
            r#"{"n":18446744073709551616}"#,
            r#"{"n":-9223372036854775809}"#,
            r#"{"n":[1180591620717411303424]}"#,
        ] {
            assert_eq!(from_json(bad.as_bytes()), Err(Error::Deserialize), "{bad}");
        }
        // Digits inside strings and floats with exponents are fine.
        assert_eq!(
            from_json(br#"{"s":"18446744073709551616\"1e999","f":1e300}"#).unwrap(),
            json!({"s": "18446744073709551616\"1e999", "f": 1e300})
        );
    }

    #[test]
    fn nesting_is_capped_the_same_way_both_ways() {
        fn nested(levels: usize) -> Value {
            (1..levels).fold(json!({}), |inner, _| json!({ "a": inner }))
        }
        let deepest = nested(MAX_NESTING);
        let text = to_json(&deepest).unwrap();
        assert_eq!(from_json(&text).unwrap(), deepest);
        assert_eq!(to_json(&nested(MAX_NESTING + 1)), Err(Error::Serialize));
        let too_deep = format!(
            "{}{{}}{}",
            r#"{"a":"#.repeat(MAX_NESTING),
            "}".repeat(MAX_NESTING)
        );
        assert_eq!(from_json(too_deep.as_bytes()), Err(Error::Deserialize));
        // Tags count: a tuple is two levels.
        let tuple_at_edge =
            (2..MAX_NESTING).fold(json!({" t": []}), |inner, _| json!({ "a": inner }));
        assert!(to_json(&tuple_at_edge).is_ok());
        let tuple_over = json!({ "a": tuple_at_edge });
        assert_eq!(to_json(&tuple_over), Err(Error::Serialize));
    }
}
