//! Apply progress on stderr: an indicatif bar on a terminal, plain periodic lines otherwise.
//! Every finished write is also appended to the environment's audit log here, because this is
//! the one place that sees each outcome as it happens (an interrupted run still leaves its log).

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    Bar(ProgressBar),
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
                Display::Bar(bar)
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
        }
    }

    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
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
            Display::Bar(bar) => bar.set_length(count as u64),
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
            Display::Bar(bar) => {
                bar.set_message(format!("{} {}", change.kind, change.id));
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
