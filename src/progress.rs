//! Apply progress on stderr: an indicatif bar on a terminal, plain periodic lines otherwise.
//! Every finished write is also appended to the environment's audit log here, because this is
//! the one place that sees each outcome as it happens (an interrupted run still leaves its log).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use descope_mgmt_api::{DescopeClient, WaitsNow};
use descope_mgmt_core::apply::{Outcome, Progress};
use descope_mgmt_core::plan::Change;
use descope_mgmt_core::safety::{AuditRecord, append_audit};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer::{Printer, ProgressMode};

/// Where audit lines go.
#[derive(Debug)]
pub struct Audit {
    pub dir: PathBuf,
    pub env: String,
    pub git_commit: Option<String>,
}

#[derive(Debug)]
enum Display {
    /// The bar and the change it last showed (the wait watcher redraws the message around it).
    Bar(ProgressBar, Arc<Mutex<String>>),
    Lines(Mutex<LinePacer>),
    Silent,
}

/// Without a terminal, a progress line at most every [`LinePacer::INTERVAL`] or every tenth of
/// the work, whichever comes first, and always the last one: a CI log gets about ten lines for a
/// quick run and a heartbeat every few seconds for a slow one, never a line per change.
#[derive(Debug)]
pub struct LinePacer {
    total: usize,
    last_done: usize,
    last_at: Instant,
}

impl LinePacer {
    pub const INTERVAL: Duration = Duration::from_secs(5);

    pub fn new(total: usize, now: Instant) -> Self {
        Self {
            total,
            last_done: 0,
            last_at: now,
        }
    }

    /// Whether to print a line now that `done` changes are finished.
    pub fn due(&mut self, done: usize, now: Instant) -> bool {
        let tenth = self.total.div_ceil(10).max(1);
        let due = done >= self.total
            || done >= self.last_done + tenth
            || now.duration_since(self.last_at) >= Self::INTERVAL;
        if due {
            self.last_done = done;
            self.last_at = now;
        }
        due
    }
}

/// How often the bar re-reads what the requests are waiting on: often enough that a wait shows
/// while it lasts, rarely enough to cost nothing.
const WAIT_REFRESH: Duration = Duration::from_millis(250);

/// The bar's message: the change last finished, then what the run is waiting on, if anything.
/// A server-requested pause wins over the limiter, because every call queued on the limiter
/// during it is really waiting for the server.
fn bar_message(last: &str, waits: WaitsNow) -> String {
    let waiting = match waits {
        WaitsNow {
            retry_after: Some(left),
            ..
        } => Some(format!(
            "waiting {}s (server asked: Retry-After)",
            left.as_millis().div_ceil(1000)
        )),
        WaitsNow { on_limiter: 0, .. } => None,
        WaitsNow { on_limiter: 1, .. } => Some("1 call waiting on the rate limiter".to_owned()),
        WaitsNow { on_limiter, .. } => {
            Some(format!("{on_limiter} calls waiting on the rate limiter"))
        }
    };
    match (last.is_empty(), waiting) {
        (_, None) => last.to_owned(),
        (true, Some(waiting)) => waiting,
        (false, Some(waiting)) => format!("{last} · {waiting}"),
    }
}

/// The CLI's [`Progress`].
#[derive(Debug)]
pub struct ApplyProgress {
    display: Display,
    printer: Printer,
    done: AtomicUsize,
    total: AtomicUsize,
    audit: Audit,
    /// The first audit failure, reported once after the run (applying must not stop for it).
    audit_error: Mutex<Option<String>>,
    /// The task keeping the bar's wait note current; stopped by [`ApplyProgress::finish`].
    watcher: Mutex<Option<tokio::task::AbortHandle>>,
}

impl ApplyProgress {
    /// A bar, lines or nothing, as the settings decided.
    pub fn new(printer: Printer, audit: Audit) -> Self {
        let display = match printer.progress() {
            ProgressMode::Hidden => Display::Silent,
            ProgressMode::Bar => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} ETA {eta} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                Display::Bar(bar, Arc::default())
            }
            ProgressMode::Lines => Display::Lines(Mutex::new(LinePacer::new(0, Instant::now()))),
        };
        Self {
            display,
            printer,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            audit,
            audit_error: Mutex::new(None),
            watcher: Mutex::new(None),
        }
    }

    /// With a bar, keeps its message saying when `client`'s calls wait on the limiter or on a
    /// `Retry-After`: no change finishes during such a wait, so only a timer can show it.
    pub fn watch_waits(&self, client: &DescopeClient) {
        let Display::Bar(bar, last) = &self.display else {
            return;
        };
        let (bar, last, client) = (bar.clone(), Arc::clone(last), client.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(WAIT_REFRESH);
            loop {
                tick.tick().await;
                let last = last.lock().map(|last| last.clone()).unwrap_or_default();
                bar.set_message(bar_message(&last, client.waits_now()));
            }
        });
        if let Ok(mut slot) = self.watcher.lock() {
            *slot = Some(task.abort_handle());
        }
    }

    pub fn finish(&self) {
        if let Some(watcher) = self.watcher.lock().ok().and_then(|mut slot| slot.take()) {
            watcher.abort();
        }
        if let Display::Bar(bar, _) = &self.display {
            bar.finish_and_clear();
        }
    }

    pub fn audit_error(&self) -> Option<String> {
        self.audit_error.lock().ok().and_then(|error| error.clone())
    }

    fn record(&self, change: &Change, outcome: &Outcome) {
        if matches!(outcome, Outcome::Skipped { .. }) {
            return;
        }
        let record = AuditRecord::new(
            change,
            outcome,
            self.audit.git_commit.clone(),
            jiff::Timestamp::now(),
        );
        if let Err(error) = append_audit(&self.audit.dir, &self.audit.env, &record)
            && let Ok(mut slot) = self.audit_error.lock()
        {
            slot.get_or_insert_with(|| error.to_string());
        }
    }
}

impl Progress for ApplyProgress {
    fn total(&self, count: usize) {
        self.total.store(count, Ordering::SeqCst);
        match &self.display {
            Display::Bar(bar, _) => bar.set_length(count as u64),
            Display::Lines(pacer) => {
                if let Ok(mut pacer) = pacer.lock() {
                    *pacer = LinePacer::new(count, Instant::now());
                }
            }
            Display::Silent => {}
        }
    }

    fn finished(&self, change: &Change, outcome: &Outcome) {
        self.record(change, outcome);
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        let total = self.total.load(Ordering::SeqCst);
        match &self.display {
            Display::Bar(bar, last) => {
                let shown = format!("{} {}", change.kind, change.id);
                bar.set_message(shown.clone());
                if let Ok(mut last) = last.lock() {
                    *last = shown;
                }
                bar.inc(1);
            }
            Display::Lines(pacer) => {
                let due = pacer
                    .lock()
                    .is_ok_and(|mut pacer| pacer.due(done, Instant::now()));
                if due {
                    self.printer
                        .progress_line(format!("progress: {done}/{total} changes"));
                }
            }
            Display::Silent => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines printed for `total` changes when each takes `step` of clock time.
    fn lines(total: usize, step: Duration) -> usize {
        let start = Instant::now();
        let mut pacer = LinePacer::new(total, start);
        (1..=total)
            .filter(|&done| pacer.due(done, start + step * u32::try_from(done).unwrap()))
            .count()
    }

    #[test]
    fn the_bar_says_what_the_run_waits_on() {
        let idle = WaitsNow::default();
        assert_eq!(bar_message("tenant acme", idle), "tenant acme");
        let limiter = WaitsNow {
            on_limiter: 3,
            retry_after: None,
        };
        assert_eq!(
            bar_message("tenant acme", limiter),
            "tenant acme · 3 calls waiting on the rate limiter"
        );
        let one = WaitsNow {
            on_limiter: 1,
            retry_after: None,
        };
        assert_eq!(bar_message("", one), "1 call waiting on the rate limiter");
        // Calls queued behind a server-requested pause wait on the pause, not on our limiter.
        let paused = WaitsNow {
            on_limiter: 4,
            retry_after: Some(Duration::from_millis(2_100)),
        };
        assert_eq!(
            bar_message("role admin", paused),
            "role admin · waiting 3s (server asked: Retry-After)"
        );
    }

    #[test]
    fn a_thousand_quick_changes_print_ten_lines() {
        assert_eq!(lines(1_000, Duration::ZERO), 10);
        assert_eq!(lines(1_000, Duration::from_millis(1)), 10);
    }

    #[test]
    fn slow_changes_print_a_line_every_five_seconds() {
        // 1,000 changes of 100 ms: 100 s, so a line every 5 s (50 changes) beats every 10 %.
        assert_eq!(lines(1_000, Duration::from_millis(100)), 20);
    }

    #[test]
    fn small_runs_print_each_change_and_the_last_line_always() {
        assert_eq!(lines(3, Duration::ZERO), 3);
        assert_eq!(lines(1, Duration::ZERO), 1);
        assert_eq!(
            lines(25, Duration::ZERO),
            9,
            "every 3 changes, then the 25th"
        );
    }
}
