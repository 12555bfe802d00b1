//! Client-side pacing: one token-bucket limiter per environment (shared by every request of a
//! client, and by several clients through an `Arc`), so bulk work waits for a slot instead of
//! being refused with 429 by the server.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::state::{InMemoryState, NotKeyed};
use governor::{Jitter, Quota};

/// "`requests` per `per`": a burst of `requests`, then one request every `per / requests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

impl Default for RateLimit {
    /// 200 requests per 60 s: Descope's management-API quota for the lowest tier, so a default
    /// run never draws 429s.
    fn default() -> Self {
        Self {
            requests: 200,
            per: Duration::from_secs(60),
        }
    }
}

/// A rate limit that cannot be enforced (zero requests or a zero window).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate limit {requests} per {per:?}: both must be greater than zero")]
pub struct InvalidRateLimit {
    pub requests: u32,
    pub per: Duration,
}

impl RateLimit {
    pub fn new(requests: u32, per: Duration) -> Result<Self, InvalidRateLimit> {
        let limit = Self { requests, per };
        limit.quota().map(|_| limit)
    }

    /// Time between two steady-state requests.
    pub fn period(&self) -> Duration {
        self.per / self.requests.max(1)
    }

    /// A quota that a server counting `requests` per fixed `per` window never refuses: pacing at
    /// 1/1.05 of the limit with a burst small enough that any window of length `per` holds at
    /// most `requests - 1` grants (one slot of slack absorbs network jitter at the boundary).
    ///
    /// [`RateLimit::quota`]'s "burst of N, then N per window" can put close to 2N requests in
    /// one server window (the burst plus the refills), which a fixed-window server refuses.
    fn server_safe_quota(&self) -> Result<Quota, InvalidRateLimit> {
        self.quota()?;
        let period = self.per.mul_f64(PACING_MARGIN) / self.requests;
        let burst = server_safe_burst(self.requests);
        Quota::with_period(period)
            .map(|quota| quota.allow_burst(burst))
            .ok_or(InvalidRateLimit {
                requests: self.requests,
                per: self.per,
            })
    }

    fn quota(&self) -> Result<Quota, InvalidRateLimit> {
        let invalid = || InvalidRateLimit {
            requests: self.requests,
            per: self.per,
        };
        let burst = NonZeroU32::new(self.requests).ok_or_else(invalid)?;
        // `Quota::per_second`-style constructors refill the whole burst at once; `with_period`
        // refills one slot every `per / N`, which spreads load evenly after the initial burst.
        let quota = Quota::with_period(self.per / self.requests)
            .filter(|_| !self.per.is_zero())
            .ok_or_else(invalid)?;
        Ok(quota.allow_burst(burst))
    }
}

/// Pacing runs this much slower than the configured rate (5 %), leaving room for the burst.
const PACING_MARGIN: f64 = 1.05;

/// The largest burst `b` with `b + ⌊N / margin⌋ ≤ N − 1`: in any window of length `per`, the
/// paced limiter grants at most its burst plus the slots refilled during the window.
fn server_safe_burst(requests: u32) -> NonZeroU32 {
    let refills = (f64::from(requests) / PACING_MARGIN).floor() as u32;
    NonZeroU32::new(requests.saturating_sub(1).saturating_sub(refills)).unwrap_or(NonZeroU32::MIN)
}

/// Returned by [`RateLimiter::try_acquire`] when no slot is free right now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate limit of {} per {:?} reached; next slot in {retry_in:?}", limit.requests, limit.per)]
pub struct RateLimitExceeded {
    pub limit: RateLimit,
    pub retry_in: Duration,
}

type DirectLimiter = governor::RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

/// Allows `limit.requests` per `limit.per`; safe to share between tasks.
pub struct RateLimiter {
    limit: RateLimit,
    inner: DirectLimiter,
    clock: DefaultClock,
    jitter: Duration,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Result<Self, InvalidRateLimit> {
        let quota = limit.quota()?;
        // Jitter only applies when a caller has to wait; it keeps many waiting tasks from
        // waking in lockstep. A quarter period (capped) never delays more than one slot.
        let jitter = (limit.period() / 4).min(Duration::from_millis(50));
        Ok(Self {
            limit,
            inner: governor::RateLimiter::direct(quota),
            clock: DefaultClock::default(),
            jitter,
        })
    }

    /// The limiter the API client uses: at most `limit` per window of `limit.per` as counted by
    /// the server, whatever the window's alignment, at about 95 % of the configured rate.
    pub fn paced(limit: RateLimit) -> Result<Self, InvalidRateLimit> {
        let quota = limit.server_safe_quota()?;
        Ok(Self {
            limit,
            inner: governor::RateLimiter::direct(quota),
            clock: DefaultClock::default(),
            jitter: (limit.period() / 4).min(Duration::from_millis(50)),
        })
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes a slot if one is free now; never waits.
    pub fn try_acquire(&self) -> Result<(), RateLimitExceeded> {
        self.inner.check().map_err(|not_until| RateLimitExceeded {
            limit: self.limit,
            retry_in: not_until.wait_time_from(self.clock.now()),
        })
    }

    /// Waits for a slot and returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let started = Instant::now();
        if self.inner.check().is_ok() {
            return Duration::ZERO;
        }
        self.inner
            .until_ready_with_jitter(Jitter::up_to(self.jitter))
            .await;
        started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn limiter(requests: u32, per_ms: u64) -> RateLimiter {
        RateLimiter::new(RateLimit::new(requests, Duration::from_millis(per_ms)).unwrap()).unwrap()
    }

    #[test]
    fn allows_requests_under_the_limit() {
        let limiter = limiter(5, 1000);
        for _ in 0..5 {
            limiter.try_acquire().expect("under the limit");
        }
    }

    #[test]
    fn refuses_requests_over_the_limit() {
        let limiter = limiter(2, 1000);
        limiter.try_acquire().unwrap();
        limiter.try_acquire().unwrap();
        let refused = limiter.try_acquire().unwrap_err();
        assert_eq!(refused.limit.requests, 2);
        assert!(refused.retry_in > Duration::ZERO);
        assert!(refused.to_string().contains("2 per"));
    }

    #[tokio::test]
    async fn concurrent_acquires_within_the_limit_all_succeed() {
        let limiter = Arc::new(limiter(10, 1000));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move { limiter.acquire().await })
            })
            .collect();
        for task in tasks {
            task.await.expect("acquire task");
        }
        // All ten slots of the burst are used: the next one is refused.
        assert!(limiter.try_acquire().is_err());
    }

    #[tokio::test]
    async fn acquire_waits_for_a_slot_instead_of_failing() {
        let limiter = limiter(1, 30);
        assert_eq!(limiter.acquire().await, Duration::ZERO);
        let waited = limiter.acquire().await;
        assert!(waited > Duration::ZERO);
    }

    #[test]
    fn paced_burst_leaves_a_window_below_the_limit() {
        for requests in [2u32, 5, 50, 200, 1000] {
            let burst = server_safe_burst(requests).get();
            let refills = (f64::from(requests) / PACING_MARGIN).floor() as u32;
            assert!(burst >= 1);
            assert!(burst + refills <= requests, "{requests}");
            if requests >= 50 {
                assert!(
                    burst + refills < requests,
                    "one slot of slack at {requests}"
                );
            }
        }
        assert_eq!(server_safe_burst(50).get(), 2);
        assert_eq!(server_safe_burst(200).get(), 9);
        assert_eq!(server_safe_burst(1).get(), 1);
    }

    #[test]
    fn paced_limiter_allows_only_its_small_burst_at_once() {
        let limiter =
            RateLimiter::paced(RateLimit::new(50, Duration::from_secs(1)).unwrap()).unwrap();
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_err());
    }

    #[test]
    fn zero_requests_or_zero_window_is_rejected() {
        assert!(RateLimit::new(0, Duration::from_secs(1)).is_err());
        assert!(RateLimit::new(5, Duration::ZERO).is_err());
        assert_eq!(
            RateLimit::default(),
            RateLimit::new(200, Duration::from_secs(60)).unwrap()
        );
    }
}
