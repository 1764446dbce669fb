//! What both drivers share: the row key, clocks, a write's net per-key changes,
//! record assembly and the mapping of sqlx errors to redacted store errors.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::store::{Record, StoreError, Write};
use cookie_seal::SessionId;
use sha2::{Digest, Sha256};

/// How long a store remembers a revocation by default (30 days), as
/// `MemoryStore` does.
pub(crate) const DEFAULT_REVOCATION_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// How many rows [`delete_expired`](crate::PostgresStore::delete_expired) deletes per
/// statement by default, when [`spawn_cleanup`](crate::PostgresStore::spawn_cleanup) runs it.
pub const DEFAULT_CLEANUP_BATCH: u32 = 1000;

/// The primary key of a session's row: SHA-256 of its ID. A copy of the
/// table, a query log or a backup holds no ID that a cookie could carry.
pub(crate) fn row_key(id: &SessionId) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

/// Now, in Unix milliseconds (the app's clock, as the cookie's own expiry uses).
pub(crate) fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Now, in Unix seconds.
pub(crate) fn unix_seconds() -> i64 {
    unix_millis() / 1000
}

/// `duration` in milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// `now_ms` plus `duration`, saturating.
pub(crate) fn after(now_ms: i64, duration: Duration) -> i64 {
    now_ms.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

/// A write's net effect per key, in the order `MemoryStore` applies it
/// (removals, then sets; on a key set twice the later value wins): keys to
/// remove and keys to set, each key at most once, so that one statement never
/// touches a row twice.
pub(crate) struct KeyChanges {
    pub(crate) remove: Vec<Vec<u8>>,
    pub(crate) set_keys: Vec<Vec<u8>>,
    pub(crate) set_values: Vec<Vec<u8>>,
}

impl KeyChanges {
    pub(crate) fn of(write: &Write) -> KeyChanges {
        let mut net: BTreeMap<&str, Option<&[u8]>> = BTreeMap::new();
        for key in &write.remove {
            net.insert(key, None);
        }
        for (key, value) in &write.set {
            net.insert(key, Some(value));
        }
        let mut changes = KeyChanges {
            remove: Vec::new(),
            set_keys: Vec::new(),
            set_values: Vec::new(),
        };
        for (key, value) in net {
            match value {
                None => changes.remove.push(key.as_bytes().to_vec()),
                Some(value) => {
                    changes.set_keys.push(key.as_bytes().to_vec());
                    changes.set_values.push(value.to_vec());
                }
            }
        }
        changes
    }
}

/// A row of the load query: the session's metadata, and one key (UTF-8
/// bytes: a key may hold NUL, which PostgreSQL's `text` refuses) and value
/// (none for a session without values).
pub(crate) type LoadRow = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// A record from the rows of the load query: each row carries the session's
/// metadata and one of its values (or none, for a session with no values).
pub(crate) fn record_from_rows(rows: Vec<LoadRow>) -> Result<Option<Record>, StoreError> {
    let mut rows = rows.into_iter().peekable();
    let Some((meta, _, _)) = rows.peek() else {
        return Ok(None);
    };
    let meta = meta.clone();
    let mut values = Vec::new();
    for (_, key, value) in rows {
        if let (Some(key), Some(value)) = (key, value) {
            let key = String::from_utf8(key)
                .map_err(|_| StoreError::Corrupt("a session key that is not UTF-8".to_owned()))?;
            values.push((key, value));
        }
    }
    // The store's order, whatever the database's: by key, as bytes.
    values.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(Record { meta, values }))
}

/// A sqlx error with its detail removed: the kind of failure, never a
/// statement's parameters, a row's content or the database URL.
#[derive(Debug)]
pub(crate) struct DatabaseError(String);

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DatabaseError {}

/// The store error for a sqlx error, redacted ([`DatabaseError`]).
pub(crate) fn store_error(error: &sqlx::Error) -> StoreError {
    let what = match error {
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => {
            return StoreError::Corrupt("a session row of an unexpected shape".to_owned())
        }
        sqlx::Error::Configuration(_) => "invalid database configuration".to_owned(),
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("database error (SQLSTATE or code {code})"),
            None => "database error".to_owned(),
        },
        sqlx::Error::Io(io) => format!("database connection failed ({})", io.kind()),
        sqlx::Error::Tls(_) => "TLS error".to_owned(),
        sqlx::Error::Protocol(_) => "database protocol error".to_owned(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a database connection".to_owned(),
        sqlx::Error::PoolClosed => "the database pool is closed".to_owned(),
        sqlx::Error::WorkerCrashed => "the database worker stopped".to_owned(),
        _ => "database error".to_owned(),
    };
    StoreError::unavailable(DatabaseError(what))
}

/// Whether a failed statement may be sent again on another connection:
/// the connection broke (a server restart closes every connection in the
/// pool, and the first statement on each finds out). Every write of the
/// stores is idempotent (the same values, metadata and TTL again), so a
/// second try is safe even when the first one reached the database.
pub(crate) fn is_broken_connection(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(io) => io.kind() != std::io::ErrorKind::ConnectionRefused,
        // 57P01..57P03: the server is shutting down or was restarted;
        // class 08: connection exceptions.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("57P") || code.starts_with("08")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_changes_net_out_removals_and_repeated_sets() {
        let write = Write::update(Vec::new(), Duration::from_secs(1))
            .remove("a")
            .remove("b")
            .set("b", [1u8])
            .set("c", [2u8])
            .set("c", [3u8]);
        let changes = KeyChanges::of(&write);
        assert_eq!(changes.remove, [b"a".to_vec()]);
        assert_eq!(changes.set_keys, [b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(changes.set_values, [vec![1u8], vec![3u8]]);
    }

    #[test]
    fn records_are_sorted_by_key_bytes() {
        let rows = vec![
            (vec![9], Some(b"b".to_vec()), Some(vec![2])),
            (vec![9], Some(b"B".to_vec()), Some(vec![1])),
        ];
        let record = record_from_rows(rows).unwrap().unwrap();
        assert_eq!(record.meta, [9]);
        assert_eq!(
            record.values,
            [("B".to_owned(), vec![1]), ("b".to_owned(), vec![2])]
        );
        let empty = record_from_rows(vec![(vec![1], None, None)]).unwrap();
        assert!(empty.unwrap().values.is_empty());
        assert_eq!(record_from_rows(Vec::new()).unwrap(), None);
        let foreign = vec![(vec![1], Some(vec![0xff]), Some(vec![]))];
        assert!(matches!(
            record_from_rows(foreign),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn row_keys_are_digests_not_ids() {
        let id = SessionId::generate().unwrap();
        let key = row_key(&id);
        assert_eq!(key.len(), 32);
        assert_ne!(key.as_slice(), id.as_bytes());
    }

    #[test]
    fn errors_never_carry_the_url() {
        let error = sqlx::Error::Configuration("postgres://user:hunter2@db/x".into());
        let text = store_error(&error).to_string();
        assert!(!text.contains("hunter2"), "{text}");
    }
}
