//! Time as a parameter: the core never reads the system clock itself; whoever verifies hands
//! in a [`Clock`]. Verification consults it only when no transparency-log entry or RFC 3161
//! timestamp says when a signature was made; TUF consults it for metadata expiry.

/// The time source: only consulted when no transparency log or timestamp gives the signing time.
pub trait Clock: Send + Sync {
    /// Now, in seconds since the Unix epoch (UTC).
    fn now(&self) -> i64;
}

/// The system clock (`SystemTime::now`), for front ends; the core never picks it itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// A fixed time, for tests and for verifying "as of" a moment: seconds since the Unix epoch.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}
