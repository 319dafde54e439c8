//! The time as the state folder records it (run records, journal rows,
//! backup manifests, lock files): RFC 3339, UTC, whole seconds.

use std::time::SystemTime;

/// Now as RFC 3339 (UTC, seconds).
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
