//! The stop signals of a run (SIGINT, SIGTERM, SIGHUP), all handled alike: the first one stops
//! new work and ends waits (in-flight calls finish, the report and audit are written), a second
//! one exits at once. SIGTERM exits 143 so that CI cancellation and `timeout` see their own
//! signal; SIGINT and SIGHUP exit 130.

use std::sync::{Arc, OnceLock};

use descope_mgmt_core::apply::CancelToken;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::exit::{CliError, Exit};
use crate::printer::Printer;

/// Which stop signal arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Interrupt,
    Terminate,
    Hangup,
}

impl StopSignal {
    pub fn exit(self) -> Exit {
        match self {
            Self::Terminate => Exit::Terminated,
            Self::Interrupt | Self::Hangup => Exit::Interrupted,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "interrupted",
            Self::Terminate => "terminated (SIGTERM)",
            Self::Hangup => "hung up (SIGHUP)",
        }
    }
}

/// Resolves on the first stop signal; never, when the handlers cannot be installed (the default
/// behaviour, ending the process, then stays in place).
pub async fn first_stop_signal() -> StopSignal {
    match StopSignals::install() {
        Ok(mut signals) => signals.next().await,
        Err(_) => std::future::pending().await,
    }
}

/// The three signals, watched from the moment this is built: a signal that arrives while
/// nothing awaits them is kept until the next [`StopSignals::next`].
#[derive(Debug)]
pub struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl StopSignals {
    pub fn install() -> Result<Self, CliError> {
        let watch = |kind: SignalKind| {
            signal(kind).map_err(|error| {
                CliError::new(Exit::Error, format!("cannot watch for signals: {error}"))
            })
        };
        Ok(Self {
            interrupt: watch(SignalKind::interrupt())?,
            terminate: watch(SignalKind::terminate())?,
            hangup: watch(SignalKind::hangup())?,
        })
    }

    /// The next stop signal; never resolves if the streams end (they do not while the runtime
    /// runs).
    pub async fn next(&mut self) -> StopSignal {
        tokio::select! {
            Some(()) = self.interrupt.recv() => StopSignal::Interrupt,
            Some(()) = self.terminate.recv() => StopSignal::Terminate,
            Some(()) = self.hangup.recv() => StopSignal::Hangup,
            else => std::future::pending().await,
        }
    }

    /// Watches in the background: the first signal is recorded and cancels `cancel`, as does a
    /// failed write to stdout or stderr; a second signal then exits the process at once with
    /// the first one's code. Abort the task when the guarded work is done.
    pub fn cancel_on_first(
        mut self,
        cancel: CancelToken,
        printer: Printer,
    ) -> (tokio::task::JoinHandle<()>, Arc<OnceLock<StopSignal>>) {
        let received = Arc::new(OnceLock::new());
        let handle = tokio::spawn({
            let received = Arc::clone(&received);
            async move {
                let first = tokio::select! {
                    signal = self.next() => {
                        let _ = received.set(signal);
                        printer.note(format!(
                            "{}: letting in-flight calls finish, then writing the report (signal \
                             again to abort at once)…",
                            signal.name()
                        ));
                        Some(signal)
                    }
                    () = printer.wait_output_failed() => None,
                };
                cancel.cancel();
                let second = self.next().await;
                printer.error(
                    "aborted: a call in flight may or may not have taken effect; re-run to converge",
                );
                let code = first.unwrap_or(second).exit();
                std::process::exit(i32::from(code as u8));
            }
        });
        (handle, received)
    }
}
