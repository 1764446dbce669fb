//! Unix seconds to and from `SystemTime`, as the header stores times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// Seconds since the Unix epoch, or an error for times before it.
pub(crate) fn unix_seconds(time: SystemTime) -> Result<u64, Error> {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::TimeOutOfRange)
}

/// The `SystemTime` for Unix seconds, saturating at the platform's maximum.
pub(crate) fn to_system_time(seconds: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(seconds))
        .unwrap_or_else(far_future)
}

fn far_future() -> SystemTime {
    // The largest time representable everywhere we run (i64 seconds).
    UNIX_EPOCH
        .checked_add(Duration::from_secs(i64::MAX as u64 / 2))
        .unwrap_or(UNIX_EPOCH)
}
