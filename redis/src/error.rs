//! The errors of opening and connecting a store.

/// Why [`RedisStore::open`](crate::RedisStore::open),
/// [`open_cluster`](crate::RedisStore::open_cluster) or
/// [`connect`](crate::RedisStore::connect) failed.
///
/// Its text names the kind of failure, never the URL (which may hold a
/// password).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A URL that is not a Redis URL, no Cluster node, or Cluster nodes with
    /// different credentials.
    #[error("invalid Redis URL or node list ({0})")]
    InvalidUrl(String),
    /// Redis could not be reached, refused the credentials or did not answer
    /// in time.
    #[error("Redis unreachable: {0}")]
    Unreachable(#[source] redis::RedisError),
}

impl Error {
    pub(crate) fn invalid_url(error: redis::RedisError) -> Error {
        // The kind only: redis-rs may quote the URL in the detail.
        Error::InvalidUrl(format!("{:?}", error.kind()))
    }
}

impl From<Error> for cookie_seal::store::StoreError {
    fn from(error: Error) -> Self {
        match error {
            Error::Unreachable(error) => cookie_seal::store::StoreError::unavailable(error),
            other => cookie_seal::store::StoreError::Unavailable(Box::new(other)),
        }
    }
}
