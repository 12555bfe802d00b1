//! When and how long to wait before repeating a request: which statuses are transient, how
//! `Retry-After` is read, and the server-error schedule of the official SDKs (100 ms, 5 s, 5 s)
//! as a floor, jittered upwards and bounded in attempts and in total time.

use std::time::Duration;

use rand::Rng;

/// Bounds and delays for retries. Each client uses one policy for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included, for server errors and unknown outcomes.
    pub max_attempts: u32,
    /// Wait before the first retry (the SDKs wait 100 ms).
    pub first_delay: Duration,
    /// Wait before every later retry (the SDKs wait 5 s).
    pub later_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt (or would pass
    /// during the wait).
    pub max_elapsed: Duration,
    /// Wait after a 429 that carries no usable `Retry-After` (what the Java SDK assumes).
    pub default_retry_after: Duration,
}

/// Waits are jittered upwards by up to this fraction, never below the SDKs' schedule: clients
/// failed together then come back spread out, and none comes back sooner than an SDK would.
const JITTER: f64 = 0.25;

impl Default for RetryPolicy {
    /// Four retries: 100 ms, then 5 s three times, so a call rides out at least 15 s of
    /// unavailability, more than the SDKs' 10.1 s, and at most about 19 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            first_delay: Duration::from_millis(100),
            later_delay: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(180),
            default_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The shortest and longest wait before retry number `retry` (0 for the first retry).
    pub fn backoff_bounds(&self, retry: u32) -> (Duration, Duration) {
        let floor = if retry == 0 {
            self.first_delay
        } else {
            self.later_delay
        };
        (floor, floor.mul_f64(1.0 + JITTER))
    }

    /// A wait before retry number `retry`, uniform within [`RetryPolicy::backoff_bounds`].
    pub fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let (floor, ceiling) = self.backoff_bounds(retry);
        let spread_us = u64::try_from((ceiling - floor).as_micros()).unwrap_or(u64::MAX);
        floor + Duration::from_micros(rng.random_range(0..=spread_us))
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

/// The origin and Cloudflare errors the official SDKs (Python, Go, Java) retry.
const SDK_RETRIED_STATUSES: [u16; 6] = [503, 520, 521, 522, 524, 530];

/// Statuses that mean "try again": rate limited, and those the SDKs retry.
pub fn is_transient_status(status: u16) -> bool {
    status == 429 || SDK_RETRIED_STATUSES.contains(&status)
}

/// Statuses after which a write may or may not have been applied (the CDN lost the origin's
/// answer), so a create must be re-checked rather than repeated.
pub fn is_ambiguous_status(status: u16) -> bool {
    status != 503 && SDK_RETRIED_STATUSES.contains(&status)
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
    fn transient_statuses_are_429_and_exactly_those_the_sdks_retry() {
        for status in [429, 503, 520, 521, 522, 524, 530] {
            assert!(is_transient_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 500, 502, 523, 525, 529, 531] {
            assert!(!is_transient_status(status), "{status}");
        }
        assert!(is_ambiguous_status(522));
        assert!(is_ambiguous_status(530));
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
    fn default_schedule_rides_out_at_least_the_sdks_waits_and_is_bounded() {
        let policy = RetryPolicy::default();
        let sdk = [
            Duration::from_millis(100),
            Duration::from_secs(5),
            Duration::from_secs(5),
        ];
        let retries = policy.max_attempts - 1;
        assert!(retries as usize >= sdk.len());
        for (retry, sdk_wait) in sdk.iter().enumerate() {
            assert!(
                policy.backoff_bounds(retry as u32).0 >= *sdk_wait,
                "{retry}"
            );
        }
        let shortest: Duration = (0..retries).map(|r| policy.backoff_bounds(r).0).sum();
        let longest: Duration = (0..retries).map(|r| policy.backoff_bounds(r).1).sum();
        assert!(shortest >= Duration::from_secs(10), "{shortest:?}");
        assert!(longest <= Duration::from_secs(20), "{longest:?}");
        assert!(longest < policy.max_elapsed);
    }

    #[test]
    fn backoff_is_jittered_within_its_bounds() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        let waits: Vec<Duration> = (0..200).map(|_| policy.backoff(2, &mut rng)).collect();
        let (floor, ceiling) = policy.backoff_bounds(2);
        assert!(waits.iter().all(|w| *w >= floor && *w <= ceiling));
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(distinct.len() > 100, "jitter spreads the waits");
        assert!(policy.backoff(0, &mut rng) <= Duration::from_millis(125));
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
