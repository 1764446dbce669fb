//! The core's metadata blob in each store record ([`Write::meta`](super::Write::meta),
//! [`Record::meta`](super::Record::meta)): what the layer needs besides the
//! values to carry a server-side session on.
//!
//! Format: one byte of record format version ([`META_VERSION`], now 1), then
//! the postcard encoding of [`Meta`]'s fields in order:
//!
//! | field | postcard type | meaning |
//! |---|---|---|
//! | `created_at` | varint `u64` | Unix seconds of the session's creation: the absolute lifetime counts from it |
//! | `expiry` | `Option<u64>` | the session's [`Expiry`]: none = configured, 0 = browser session, n = idle lifetime of n seconds |
//! | `generation` | varint `u32` | the session generation ([`SessionMap::set_generation`](crate::SessionMap::set_generation)) |
//! | `user` | `Option<String>` | the user the session is bound to (also kept in [`Write::user`](super::Write::user)) |
//!
//! A record whose first byte is another version, or whose rest does not
//! parse, is [`StoreError::Corrupt`]: the layer treats it like a missing
//! record (the cookie is deleted, the handler sees an empty session) and
//! reports [`Error::RecordUnreadable`](crate::Error::RecordUnreadable) to the
//! rejection hook. A later version may add fields at the end.

use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::codec::Expiry;

/// The record format version this crate writes and reads.
pub(crate) const META_VERSION: u8 = 1;

/// The metadata of one stored session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// The session's creation, Unix seconds.
    pub(crate) created_at: u64,
    /// [`Expiry::field`] of the session's expiry.
    pub(crate) expiry: Option<u64>,
    /// The session generation.
    pub(crate) generation: u32,
    /// The user the session is bound to.
    pub(crate) user: Option<String>,
}

impl Meta {
    /// The session's expiry.
    pub(crate) fn expiry(&self) -> Expiry {
        Expiry::from_field(self.expiry)
    }

    /// The blob: the version byte, then postcard.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        // Serializing this struct into a Vec cannot fail; an empty blob
        // (which `from_bytes` refuses) would be the answer if it did.
        postcard::to_extend(self, vec![META_VERSION]).unwrap_or_default()
    }

    /// Reads a blob written by [`Meta::to_bytes`].
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for an empty blob, an unknown version or
    /// bytes that do not parse. The message holds no session data.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Meta, StoreError> {
        match bytes.split_first() {
            Some((&META_VERSION, rest)) => postcard::from_bytes(rest)
                .map_err(|_| StoreError::Corrupt("session metadata does not parse".to_owned())),
            Some((version, _)) => Err(StoreError::Corrupt(format!(
                "unknown session record format version {version}"
            ))),
            None => Err(StoreError::Corrupt("empty session metadata".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Meta {
        Meta {
            created_at: 1_700_000_000,
            expiry: Some(3600),
            generation: 4,
            user: Some("42".to_owned()),
        }
    }

    #[test]
    fn a_blob_starts_with_the_version_and_reads_back() {
        let bytes = meta().to_bytes();
        assert_eq!(bytes[0], META_VERSION);
        assert_eq!(Meta::from_bytes(&bytes).unwrap(), meta());
        let plain = Meta {
            expiry: None,
            user: None,
            ..meta()
        };
        assert_eq!(Meta::from_bytes(&plain.to_bytes()).unwrap(), plain);
    }

    #[test]
    fn the_format_is_pinned() {
        let bytes = Meta {
            created_at: 300,
            expiry: None,
            generation: 2,
            user: Some("u".to_owned()),
        }
        .to_bytes();
        assert_eq!(bytes, [1, 0xac, 0x02, 0x00, 0x02, 0x01, 0x01, b'u']);
    }

    #[test]
    fn an_unknown_version_or_garbage_is_corrupt() {
        let mut bytes = meta().to_bytes();
        bytes[0] = 2;
        let error = Meta::from_bytes(&bytes).unwrap_err();
        assert!(matches!(&error, StoreError::Corrupt(m) if m.contains("version 2")));
        assert!(matches!(Meta::from_bytes(&[]), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            Meta::from_bytes(&[META_VERSION, 0xff]),
            Err(StoreError::Corrupt(_))
        ));
        let text = format!("{}", Meta::from_bytes(&[META_VERSION]).unwrap_err());
        assert!(!text.contains("42"));
    }
}
