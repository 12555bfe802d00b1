//! Wall-clock time spent waiting on the rate limiter: the union of the intervals during which at
//! least one request waited. Summing each request's wait instead would report more waiting than
//! the run lasted whenever requests wait side by side.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(crate) struct WaitClock {
    waiting: usize,
    since: Option<Instant>,
    total: Duration,
}

impl WaitClock {
    fn start(&mut self, now: Instant) {
        if self.waiting == 0 {
            self.since = Some(now);
        }
        self.waiting += 1;
    }

    fn end(&mut self, now: Instant) {
        self.waiting = self.waiting.saturating_sub(1);
        if self.waiting == 0
            && let Some(since) = self.since.take()
        {
            self.total += now.saturating_duration_since(since);
        }
    }

    /// Requests waiting right now.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting
    }

    /// Waiting time so far, a wait in progress included.
    pub(crate) fn elapsed(&self, now: Instant) -> Duration {
        self.total
            + self
                .since
                .map_or(Duration::ZERO, |since| now.saturating_duration_since(since))
    }
}

/// One request's wait; it ends when dropped, so a cancelled wait does not leave the clock
/// running.
#[derive(Debug)]
pub(crate) struct Waiting<'a>(&'a Mutex<WaitClock>);

impl<'a> Waiting<'a> {
    pub(crate) fn start(clock: &'a Mutex<WaitClock>) -> Self {
        if let Ok(mut clock) = clock.lock() {
            clock.start(Instant::now());
        }
        Self(clock)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Ok(mut clock) = self.0.lock() {
            clock.end(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_waits_count_once() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut clock = WaitClock::default();
        // Two requests wait over [0, 10] and [5, 15] ms: 15 ms of wall clock, not 20.
        clock.start(at(0));
        clock.start(at(5));
        clock.end(at(10));
        clock.end(at(15));
        // A third waits alone over [20, 30]; the gap between waits does not count.
        clock.start(at(20));
        assert_eq!(clock.elapsed(at(25)), Duration::from_millis(20));
        clock.end(at(30));
        assert_eq!(clock.elapsed(at(100)), Duration::from_millis(25));
    }

    #[test]
    fn a_dropped_wait_stops_the_clock() {
        let clock = Mutex::new(WaitClock::default());
        drop(Waiting::start(&clock));
        let clock = clock.lock().unwrap();
        assert_eq!(clock.waiting, 0);
        assert!(clock.since.is_none());
    }
}
