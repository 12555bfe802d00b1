//! When and how long to wait before repeating a request: which statuses are transient, how
//! `Retry-After` is read, and exponential backoff with full jitter, bounded in attempts and in
//! total time.

use std::time::Duration;

use rand::Rng;

/// Bounds and delays for retries. Each client uses one policy for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry; doubles with every retry.
    pub base_delay: Duration,
    /// Ceiling of any single backoff.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt (or would pass
    /// during the wait).
    pub max_elapsed: Duration,
    /// Wait after a 429 that carries no usable `Retry-After` (what the Java SDK assumes).
    pub default_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(180),
            default_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: uniform in `[0, min(max_delay, base_delay × 2^retry)]`, `retry` counting
    /// from 0 for the first retry.
    pub fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_delay);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.random_range(0..=ceiling_ms))
    }

    /// Wait after a 429: `Retry-After` seconds when given, else the default, plus up to 10 %
    /// jitter so that clients limited together do not come back together.
    pub fn rate_limited_delay(
        &self,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let base = retry_after.unwrap_or(self.default_retry_after);
        let jitter_ms = u64::try_from((base / 10).as_millis()).unwrap_or(0);
        base + Duration::from_millis(rng.random_range(0..=jitter_ms))
    }
}

/// Statuses that mean "the server did not do it, try again": rate limited, unavailable, and
/// the Cloudflare origin errors the official SDKs retry.
pub fn is_transient_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 520..=530)
}

/// Statuses after which a write may or may not have been applied (the CDN lost the origin's
/// answer), so a create must be re-checked rather than repeated.
pub fn is_ambiguous_status(status: u16) -> bool {
    matches!(status, 520..=530)
}

/// `Retry-After` as integer seconds (the only form Descope sends); anything else is ignored.
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn transient_statuses_are_429_503_and_cloudflare_52x() {
        for status in [429, 503, 520, 524, 530] {
            assert!(is_transient_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 500, 502, 531] {
            assert!(!is_transient_status(status), "{status}");
        }
        assert!(is_ambiguous_status(522));
        assert!(!is_ambiguous_status(503));
        assert!(!is_ambiguous_status(429));
    }

    #[test]
    fn retry_after_reads_integer_seconds_only() {
        assert_eq!(parse_retry_after(Some("7")), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(Some(" 1 ")), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_ceiling() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..RetryPolicy::default()
        };
        let mut rng = StdRng::seed_from_u64(7);
        let mut seen_small = false;
        for _ in 0..200 {
            assert!(policy.backoff(0, &mut rng) <= Duration::from_millis(100));
            assert!(policy.backoff(2, &mut rng) <= Duration::from_millis(400));
            let late = policy.backoff(30, &mut rng);
            assert!(late <= Duration::from_millis(1000));
            seen_small |= late < Duration::from_millis(500);
        }
        assert!(seen_small, "full jitter spreads delays down to zero");
    }

    #[test]
    fn rate_limited_delay_honours_retry_after_or_defaults_to_60s() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(1);
        let given = policy.rate_limited_delay(Some(Duration::from_secs(2)), &mut rng);
        assert!(given >= Duration::from_secs(2) && given <= Duration::from_millis(2200));
        let missing = policy.rate_limited_delay(None, &mut rng);
        assert!(missing >= Duration::from_secs(60) && missing <= Duration::from_secs(66));
    }
}
