//! Injected faults: a fixed-window rate limiter (429 + `Retry-After`), added latency and seeded
//! 503s. All of it can be changed while running through `POST /emulator/faults`.

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng, rngs::StdRng};

use axum::http::StatusCode;

use crate::RateLimit;

/// The error code of a path the emulator does not serve: never switched, it is no missing object.
pub(crate) const UNKNOWN_ROUTE_CODE: &str = "E011404";

#[derive(Debug)]
pub(crate) struct Faults {
    pub rate_limit: Option<RateLimit>,
    window_start: Instant,
    window_count: u32,
    pub latency: Duration,
    pub fail_rate: f64,
    pub seed: u64,
    rng: StdRng,
    /// Status of a duplicate create (409 unless switched, e.g. to 400): Descope documents neither.
    pub conflict_status: StatusCode,
    /// Status of a missing object (404 unless switched); an unknown route stays 404.
    pub not_found_status: StatusCode,
    /// Batch endpoints (`…/batch`) answer as a server without them does: 404, unknown route.
    pub refuse_batches: bool,
}

/// What to do with one incoming management call.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Serve,
    RateLimited { retry_after_secs: u64 },
    Unavailable,
}

impl Faults {
    pub fn new(
        rate_limit: Option<RateLimit>,
        latency: Duration,
        fail_rate: f64,
        seed: u64,
    ) -> Self {
        Faults {
            rate_limit,
            window_start: Instant::now(),
            window_count: 0,
            latency,
            fail_rate,
            seed,
            rng: StdRng::seed_from_u64(seed),
            conflict_status: StatusCode::CONFLICT,
            not_found_status: StatusCode::NOT_FOUND,
            refuse_batches: false,
        }
    }

    /// Replaces every setting and restarts the window and the random sequence, so the same
    /// request sequence after the same settings fails the same way.
    pub fn reconfigure(
        &mut self,
        rate_limit: Option<RateLimit>,
        latency: Duration,
        fail_rate: f64,
        seed: u64,
    ) {
        let (conflict, not_found, refuse_batches) = (
            self.conflict_status,
            self.not_found_status,
            self.refuse_batches,
        );
        *self = Faults::new(rate_limit, latency, fail_rate, seed);
        self.conflict_status = conflict;
        self.not_found_status = not_found;
        self.refuse_batches = refuse_batches;
    }

    /// Applies the status switch to a failed call's status.
    pub fn status_for(&self, status: StatusCode, code: &str) -> StatusCode {
        match status {
            StatusCode::CONFLICT => self.conflict_status,
            StatusCode::NOT_FOUND if code != UNKNOWN_ROUTE_CODE => self.not_found_status,
            other => other,
        }
    }

    pub fn judge(&mut self, now: Instant) -> Verdict {
        if let Some(limit) = self.rate_limit {
            let elapsed = now.saturating_duration_since(self.window_start);
            if elapsed >= limit.per {
                self.window_start = now;
                self.window_count = 0;
            }
            if self.window_count >= limit.requests {
                let remaining = limit
                    .per
                    .saturating_sub(now.saturating_duration_since(self.window_start));
                let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
                return Verdict::RateLimited {
                    retry_after_secs: secs.max(1),
                };
            }
            self.window_count += 1;
        }
        if self.fail_rate > 0.0 && self.rng.random_bool(self.fail_rate) {
            return Verdict::Unavailable;
        }
        Verdict::Serve
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_admits_n_then_reports_seconds_left_then_reopens() {
        let limit = RateLimit {
            requests: 2,
            per: Duration::from_secs(10),
        };
        let mut f = Faults::new(Some(limit), Duration::ZERO, 0.0, 0);
        let t0 = Instant::now();
        assert_eq!(f.judge(t0), Verdict::Serve);
        assert_eq!(f.judge(t0), Verdict::Serve);
        assert_eq!(
            f.judge(t0 + Duration::from_millis(2_500)),
            Verdict::RateLimited {
                retry_after_secs: 8
            }
        );
        assert_eq!(f.judge(t0 + Duration::from_secs(10)), Verdict::Serve);
    }

    #[test]
    fn same_seed_same_failures_and_extremes_are_exact() {
        let draw = |seed| {
            let mut f = Faults::new(None, Duration::ZERO, 0.3, seed);
            (0..64)
                .map(|_| f.judge(Instant::now()) == Verdict::Unavailable)
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
        let mut never = Faults::new(None, Duration::ZERO, 0.0, 1);
        let mut always = Faults::new(None, Duration::ZERO, 1.0, 1);
        for _ in 0..32 {
            assert_eq!(never.judge(Instant::now()), Verdict::Serve);
            assert_eq!(always.judge(Instant::now()), Verdict::Unavailable);
        }
    }
}
