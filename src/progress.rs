//! Apply progress on stderr: an indicatif bar on a terminal, plain periodic lines otherwise.
//! Every finished write is also appended to the environment's audit log here, because this is
//! the one place that sees each outcome as it happens (an interrupted run still leaves its log).

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    Lines { every: AtomicUsize },
    Silent,
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
                    ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                Display::Bar(bar)
            }
            ProgressMode::Lines => Display::Lines {
                every: AtomicUsize::new(1),
            },
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
            // About ten lines for a large run, every change for a small one.
            Display::Lines { every } => every.store((count / 10).max(1), Ordering::SeqCst),
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
            Display::Lines { every } => {
                if done.is_multiple_of(every.load(Ordering::SeqCst)) || done == total {
                    self.printer
                        .progress_line(format!("progress: {done}/{total} changes"));
                }
            }
            Display::Silent => {}
        }
    }
}
