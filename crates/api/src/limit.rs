//! Client-side pacing: one token-bucket limiter per environment (shared by every request of a
//! client, and by several clients through an `Arc`), so bulk work waits for a slot instead of
//! being refused with 429 by the server; and, when the server refuses anyway because it allows
//! less than configured, a pause until its window reopens and a slower pace from then on.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
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

/// Allows `limit.requests` per `limit.per`; safe to share between tasks. A paced limiter also
/// adapts to a server that allows less (see [`RateLimiter::rate_limited`]).
pub struct RateLimiter {
    configured: RateLimit,
    clock: DefaultClock,
    paced: bool,
    /// Grants at once, but for a pause the server asked for.
    unlimited: bool,
    state: Mutex<Adaptive>,
}

/// What the limiter has learnt from the server's 429s.
struct Adaptive {
    limit: RateLimit,
    inner: Arc<DirectLimiter>,
    jitter: Duration,
    /// Bumped on every slow-down: a 429 for a request granted in an older epoch says nothing
    /// about the current rate.
    epoch: u64,
    /// When the current epoch began (after the server's last `Retry-After`).
    epoch_start: Instant,
    /// Requests of the current epoch the server accepted.
    served: u32,
    /// No grant before this instant: the server said when its window reopens.
    paused_until: Option<Instant>,
}

/// A slot granted by [`RateLimiter::acquire`]: how long it took, and the epoch to report the
/// response against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub waited: Duration,
    pub epoch: u64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limit", &self.limit())
            .finish_non_exhaustive()
    }
}

fn jitter_of(limit: RateLimit) -> Duration {
    // Jitter only applies when a caller has to wait; it keeps many waiting tasks from waking in
    // lockstep. A quarter period (capped) never delays more than one slot.
    (limit.period() / 4).min(Duration::from_millis(50))
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Result<Self, InvalidRateLimit> {
        Ok(Self::build(limit, limit.quota()?, false))
    }

    /// The limiter the API client uses: at most `limit` per window of `limit.per` as counted by
    /// the server, whatever the window's alignment, at about 95 % of the configured rate; slower
    /// when the server's 429s show that it allows less.
    pub fn paced(limit: RateLimit) -> Result<Self, InvalidRateLimit> {
        Ok(Self::build(limit, limit.server_safe_quota()?, true))
    }

    /// A limiter that never waits but for a pause a 429 asked for; [`RateLimiter::limit`]
    /// reports `u32::MAX` per second.
    pub fn unpaced() -> Self {
        let limit = RateLimit {
            requests: u32::MAX,
            per: Duration::from_secs(1),
        };
        let quota = Quota::per_second(NonZeroU32::MAX);
        Self {
            unlimited: true,
            ..Self::build(limit, quota, false)
        }
    }

    fn build(limit: RateLimit, quota: Quota, paced: bool) -> Self {
        Self {
            configured: limit,
            clock: DefaultClock::default(),
            paced,
            unlimited: false,
            state: Mutex::new(Adaptive {
                limit,
                inner: Arc::new(governor::RateLimiter::direct(quota)),
                jitter: jitter_of(limit),
                epoch: 0,
                epoch_start: Instant::now(),
                served: 0,
                paused_until: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Adaptive> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The limit in force: the configured one, or what the server was found to allow.
    pub fn limit(&self) -> RateLimit {
        self.state().limit
    }

    /// The limit the configuration asked for.
    pub fn configured(&self) -> RateLimit {
        self.configured
    }

    /// Takes a slot if one is free now; never waits.
    pub fn try_acquire(&self) -> Result<(), RateLimitExceeded> {
        let state = self.state();
        let now = Instant::now();
        if let Some(until) = state.paused_until.filter(|until| *until > now) {
            return Err(RateLimitExceeded {
                limit: state.limit,
                retry_in: until - now,
            });
        }
        if self.unlimited {
            return Ok(());
        }
        state.inner.check().map_err(|not_until| RateLimitExceeded {
            limit: state.limit,
            retry_in: not_until.wait_time_from(self.clock.now()),
        })
    }

    /// Waits for a slot (and for the end of a pause the server asked for). Dropping the future
    /// gives nothing up: a slot is only taken when it resolves.
    pub async fn acquire(&self) -> Grant {
        let started = Instant::now();
        let mut waited = false;
        loop {
            let (pause, inner, jitter, epoch) = {
                let state = self.state();
                (
                    state.paused_until.filter(|until| *until > Instant::now()),
                    Arc::clone(&state.inner),
                    state.jitter,
                    state.epoch,
                )
            };
            if let Some(until) = pause {
                tokio::time::sleep_until(until.into()).await;
                waited = true;
                continue;
            }
            if !self.unlimited && inner.check().is_err() {
                inner.until_ready_with_jitter(Jitter::up_to(jitter)).await;
                waited = true;
            }
            // A slow-down while this task waited means its slot belongs to the old rate.
            if self.state().epoch != epoch && self.paced {
                continue;
            }
            return Grant {
                waited: if waited {
                    started.elapsed()
                } else {
                    Duration::ZERO
                },
                epoch,
            };
        }
    }

    /// How long grants stay paused at `now` because the server asked for a pause
    /// (`Retry-After`); `None` when they are not.
    pub fn pause_remaining(&self, now: Instant) -> Option<Duration> {
        self.state()
            .paused_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// The server accepted a request granted in `epoch`.
    pub fn served(&self, epoch: u64) {
        let mut state = self.state();
        if state.epoch == epoch {
            state.served = state.served.saturating_add(1);
        }
    }

    /// The server refused a request granted in `epoch` with 429, asking to come back after
    /// `retry_after`. Every request waits until then; and the first 429 of an epoch slows the
    /// limiter to what the server let through: the requests it served since the epoch began,
    /// per the time from then until its window reopens. It never speeds up again.
    pub fn rate_limited(&self, epoch: u64, retry_after: Duration) {
        let mut state = self.state();
        let now = Instant::now();
        let reopens = now + retry_after;
        state.paused_until = Some(
            state
                .paused_until
                .map_or(reopens, |until| until.max(reopens)),
        );
        if !self.paced || state.epoch != epoch {
            return;
        }
        let window = reopens.saturating_duration_since(state.epoch_start);
        let observed = RateLimit {
            requests: state.served,
            per: window,
        };
        let slower = state.served > 0
            && !window.is_zero()
            && observed.per_second() < state.limit.per_second();
        if slower && let Ok(quota) = observed.server_safe_quota() {
            tracing::info!(
                requests = observed.requests,
                per_ms = window.as_millis() as u64,
                "the server allows less than the configured rate limit; slowing down"
            );
            state.limit = observed;
            state.inner = Arc::new(governor::RateLimiter::direct(quota));
            state.jitter = jitter_of(observed);
        }
        state.epoch += 1;
        state.epoch_start = reopens;
        state.served = 0;
    }
}

impl RateLimit {
    fn per_second(&self) -> f64 {
        f64::from(self.requests) / self.per.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use futures::FutureExt as _;
    use governor::clock::FakeRelativeClock;

    use super::*;

    /// Windows of an hour: no slot refills while a test runs, however loaded the machine.
    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_retry_after_pause_is_visible_until_it_ends() {
        let limiter = limiter(10);
        let now = Instant::now();
        assert_eq!(limiter.pause_remaining(now), None);
        limiter.rate_limited(0, HOUR);
        let remaining = limiter.pause_remaining(now).expect("paused after a 429");
        assert!(remaining > HOUR / 2 && remaining <= HOUR + Duration::from_secs(1));
        assert_eq!(limiter.pause_remaining(now + HOUR * 2), None);
    }

    fn limiter(requests: u32) -> RateLimiter {
        RateLimiter::new(RateLimit::new(requests, HOUR).unwrap()).unwrap()
    }

    #[test]
    fn allows_requests_under_the_limit() {
        let limiter = limiter(5);
        for _ in 0..5 {
            limiter.try_acquire().expect("under the limit");
        }
    }

    #[test]
    fn refuses_requests_over_the_limit() {
        let limiter = limiter(2);
        limiter.try_acquire().unwrap();
        limiter.try_acquire().unwrap();
        let refused = limiter.try_acquire().unwrap_err();
        assert_eq!(refused.limit, RateLimit::new(2, HOUR).unwrap());
        // One slot refills every half hour.
        assert!(refused.retry_in > Duration::from_secs(1700), "{refused}");
        assert!(refused.retry_in <= HOUR / 2, "{refused}");
        assert!(
            refused
                .to_string()
                .starts_with("rate limit of 2 per 3600s reached"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn concurrent_acquires_within_the_limit_all_succeed() {
        let limiter = Arc::new(limiter(10));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move { limiter.acquire().await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.expect("acquire task").waited, Duration::ZERO);
        }
        // All ten slots of the burst are used: the next one is refused.
        assert!(limiter.try_acquire().is_err());
    }

    #[test]
    fn acquire_waits_for_a_slot_instead_of_failing() {
        let limiter = limiter(1);
        assert_eq!(
            limiter.acquire().now_or_never().map(|grant| grant.waited),
            Some(Duration::ZERO)
        );
        // The next slot is half an hour away: the call is pending, not refused.
        assert!(limiter.acquire().now_or_never().is_none());
    }

    /// Grants of a paced limiter on a fake clock, taken greedily every `per / 1000` over three
    /// windows of `per`.
    fn paced_grants(requests: u32, per: Duration) -> Vec<Duration> {
        let quota = RateLimit::new(requests, per)
            .unwrap()
            .server_safe_quota()
            .unwrap();
        let clock = FakeRelativeClock::default();
        let limiter = governor::RateLimiter::direct_with_clock(quota, clock.clone());
        let step = per / 1000;
        let mut grants = Vec::new();
        for tick in 0..3000u32 {
            while limiter.check().is_ok() {
                grants.push(step * tick);
            }
            clock.advance(step);
        }
        grants
    }

    #[test]
    fn paced_limiter_never_fills_a_server_window() {
        for requests in [1u32, 2, 5, 50, 200, 1000] {
            let per = Duration::from_secs(60);
            let grants = paced_grants(requests, per);
            // However the server's fixed window is aligned, it never sees more than N; from 50
            // per window on, one slot of slack absorbs jitter at the window's edge.
            let busiest = grants
                .iter()
                .map(|start| {
                    grants
                        .iter()
                        .filter(|t| **t >= *start && **t < *start + per)
                        .count()
                })
                .max()
                .unwrap();
            let allowed = if requests >= 50 {
                requests - 1
            } else {
                requests
            };
            assert!(
                busiest <= allowed as usize,
                "{requests} per window: {busiest} in one window"
            );
            // And it still runs near the configured rate: three windows' worth, less 5 % pacing
            // and the one slot of slack.
            assert!(
                grants.len() as f64 >= 3.0 * f64::from(requests) * 0.9 - 3.0,
                "{requests} per window: only {} grants in three windows",
                grants.len()
            );
        }
    }

    #[test]
    fn paced_bursts_are_small() {
        assert_eq!(server_safe_burst(1).get(), 1);
        assert_eq!(server_safe_burst(2).get(), 1);
        assert_eq!(server_safe_burst(50).get(), 2);
        assert_eq!(server_safe_burst(200).get(), 9);
        assert_eq!(server_safe_burst(1000).get(), 47);
    }

    #[test]
    fn paced_limiter_allows_only_its_small_burst_at_once() {
        let limiter = RateLimiter::paced(RateLimit::new(50, HOUR).unwrap()).unwrap();
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_err());
    }

    #[test]
    fn zero_requests_or_zero_window_is_rejected() {
        assert_eq!(
            RateLimit::new(0, Duration::from_secs(1)),
            Err(InvalidRateLimit {
                requests: 0,
                per: Duration::from_secs(1)
            })
        );
        assert_eq!(
            RateLimit::new(5, Duration::ZERO),
            Err(InvalidRateLimit {
                requests: 5,
                per: Duration::ZERO
            })
        );
        assert_eq!(
            RateLimit::default(),
            RateLimit::new(200, Duration::from_secs(60)).unwrap()
        );
    }
    fn paced(requests: u32, per: Duration) -> RateLimiter {
        RateLimiter::paced(RateLimit::new(requests, per).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_429_pauses_every_grant_until_the_server_window_reopens() {
        let limiter = paced(1000, Duration::from_secs(1));
        let grant = limiter.acquire().await;
        limiter.rate_limited(grant.epoch, Duration::from_secs(60));
        let refused = limiter.try_acquire().unwrap_err();
        assert!(refused.retry_in > Duration::from_secs(59), "{refused:?}");
    }

    #[tokio::test]
    async fn the_first_429_of_an_epoch_slows_to_what_the_server_served() {
        let limiter = paced(1000, Duration::from_secs(1));
        let mut epoch = 0;
        for _ in 0..10 {
            epoch = limiter.acquire().await.epoch;
            limiter.served(epoch);
        }
        limiter.rate_limited(epoch, Duration::from_secs(1));
        let slowed = limiter.limit();
        assert_eq!(slowed.requests, 10);
        // The window runs from the limiter's start to the reopening: at least the Retry-After.
        assert!(slowed.per >= Duration::from_secs(1), "{slowed:?}");
        assert!(slowed.per < Duration::from_secs(10), "{slowed:?}");
        assert_eq!(limiter.configured().requests, 1000);

        // Later 429s of requests granted before the slow-down change nothing more.
        limiter.rate_limited(epoch, Duration::from_secs(1));
        assert_eq!(limiter.limit(), slowed);
    }

    #[tokio::test]
    async fn a_429_never_speeds_the_limiter_up_and_an_empty_epoch_keeps_the_rate() {
        let limiter = paced(10, Duration::from_secs(60));
        let grant = limiter.acquire().await;
        for _ in 0..5 {
            limiter.served(grant.epoch);
        }
        // 5 per ~1 s is faster than 10 per 60 s: keep the configured pace.
        limiter.rate_limited(grant.epoch, Duration::from_secs(1));
        assert_eq!(
            limiter.limit(),
            RateLimit::new(10, Duration::from_secs(60)).unwrap()
        );
        // Nothing served in the new epoch: no estimate, only the pause.
        limiter.rate_limited(grant.epoch + 1, Duration::from_secs(1));
        assert_eq!(limiter.limit().requests, 10);
    }

    #[test]
    fn a_plain_limiter_pauses_but_does_not_adapt() {
        let limiter = limiter(1000);
        limiter.try_acquire().unwrap();
        limiter.served(0);
        limiter.rate_limited(0, Duration::from_secs(5));
        assert_eq!(limiter.limit().requests, 1000);
        assert!(limiter.try_acquire().is_err());
    }

    #[test]
    fn an_unpaced_limiter_never_refuses_but_honours_a_pause() {
        let limiter = RateLimiter::unpaced();
        for _ in 0..10_000 {
            limiter.try_acquire().unwrap();
        }
        limiter.rate_limited(0, Duration::from_secs(5));
        assert!(limiter.try_acquire().is_err());
    }
}
