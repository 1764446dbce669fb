//! The record format and the key names.
//!
//! Keys (`P` the store's prefix, default `cookie-seal:`):
//! - `P s:<session ID, base64url>`: the record, a hash:
//!   - `f`: the record format version, `1`;
//!   - `m`: the core's metadata blob (opaque bytes);
//!   - `u`: the user the session is bound to, if any;
//!   - `v:<key>`: the value bytes of each session key.
//!
//!   Its TTL is the write's TTL (idle lifetime, capped by the absolute one).
//! - `P u:<user>`: the user index, a sorted set of session IDs scored by
//!   expiry; it expires with its last member.
//! - `P r:<user>`: the revocation marker, the Unix second of the last
//!   `revoke_user`, kept for the revocation window.

use cookie_seal::store::{Record, StoreError};
use cookie_seal::SessionId;

/// The record format this crate writes and reads.
pub(crate) const FORMAT_VERSION: &[u8] = b"1";
pub(crate) const VERSION_FIELD: &[u8] = b"f";
pub(crate) const META_FIELD: &[u8] = b"m";
pub(crate) const USER_FIELD: &[u8] = b"u";
pub(crate) const VALUE_PREFIX: &[u8] = b"v:";

pub(crate) fn record_key(prefix: &str, id: &SessionId) -> String {
    record_key_of_member(prefix, &id.to_base64url())
}

/// The key of a record from its user-index member (the ID in base64url).
pub(crate) fn record_key_of_member(prefix: &str, member: &str) -> String {
    format!("{prefix}s:{member}")
}

pub(crate) fn index_key(prefix: &str, user: &str) -> String {
    format!("{prefix}u:{user}")
}

pub(crate) fn revoked_key(prefix: &str, user: &str) -> String {
    format!("{prefix}r:{user}")
}

/// A record from the fields of its hash (`HGETALL`); `None` when empty (the
/// key is missing or expired).
///
/// # Errors
/// [`StoreError::Corrupt`] for a hash this crate did not write: an unknown
/// version, no metadata, a key that is not UTF-8. The error names the field
/// kind, never a value.
pub(crate) fn decode(fields: Vec<(Vec<u8>, Vec<u8>)>) -> Result<Option<Record>, StoreError> {
    if fields.is_empty() {
        return Ok(None);
    }
    let mut version = None;
    let mut meta = None;
    let mut values = Vec::with_capacity(fields.len().saturating_sub(2));
    for (field, value) in fields {
        if field == VERSION_FIELD {
            version = Some(value);
        } else if field == META_FIELD {
            meta = Some(value);
        } else if field == USER_FIELD {
            // The core's metadata carries the user; this copy is for revoke_user.
        } else if field.starts_with(VALUE_PREFIX) {
            // The key in place: no copy of the field.
            let mut key = field;
            key.drain(..VALUE_PREFIX.len());
            let key = String::from_utf8(key)
                .map_err(|_| StoreError::Corrupt("a session key is not UTF-8".to_owned()))?;
            values.push((key, value));
        } else {
            return Err(StoreError::Corrupt(
                "an unknown field in a session record".to_owned(),
            ));
        }
    }
    match version.as_deref() {
        Some(FORMAT_VERSION) => {}
        Some(_) => {
            return Err(StoreError::Corrupt(
                "a session record of an unknown format version".to_owned(),
            ))
        }
        None => {
            return Err(StoreError::Corrupt(
                "a session record without a format version".to_owned(),
            ))
        }
    }
    let meta =
        meta.ok_or_else(|| StoreError::Corrupt("a session record without metadata".to_owned()))?;
    values.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(Record { meta, values }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn field(name: &str, value: &[u8]) -> (Vec<u8>, Vec<u8>) {
        (name.as_bytes().to_vec(), value.to_vec())
    }

    #[test]
    fn decodes_sorted_values_and_skips_the_user_copy() {
        let record = decode(vec![
            field("v:b", b"2"),
            field("f", b"1"),
            field("u", b"42"),
            field("m", b"meta"),
            field("v:a", b"1"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(record.meta, b"meta");
        assert_eq!(
            record.values,
            [
                ("a".to_owned(), b"1".to_vec()),
                ("b".to_owned(), b"2".to_vec())
            ]
        );
        assert_eq!(decode(Vec::new()).unwrap(), None);
    }

    #[test]
    fn refuses_foreign_hashes_without_echoing_them() {
        for fields in [
            vec![field("f", b"2"), field("m", b"")],
            vec![field("m", b"")],
            vec![field("f", b"1")],
            vec![field("f", b"1"), field("m", b""), field("secret", b"x")],
            vec![
                field("f", b"1"),
                field("m", b""),
                (b"v:\xff".to_vec(), vec![]),
            ],
        ] {
            let error = decode(fields).unwrap_err();
            assert!(matches!(error, StoreError::Corrupt(_)));
            assert!(!error.to_string().contains("secret"));
        }
    }
}
