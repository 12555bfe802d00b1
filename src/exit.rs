//! Exit codes (design.md §4, also in the README and `--help`) and the error type commands
//! return, which carries its code so `main` never guesses.

use std::fmt;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Success = 0,
    /// API, network, I/O, a bug.
    Error = 1,
    /// Changes pending (plan/diff with --detailed-exitcode, drift found).
    ChangesPending = 2,
    /// Configuration invalid: nothing was sent to any API.
    ConfigInvalid = 3,
    /// Refused for safety.
    Refused = 4,
    /// Partial apply.
    PartialApply = 5,
    /// Usage error (bad flags).
    Usage = 64,
    /// Interrupted (SIGINT, SIGHUP).
    Interrupted = 130,
    /// Terminated (SIGTERM): stopped like an interrupt, with the code `timeout` and CI expect.
    Terminated = 143,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Text for `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success; with --detailed-exitcode or drift: no changes
  1    error (API, network, I/O, a bug)
  2    changes pending (plan/diff with --detailed-exitcode, drift found by drift)
  3    configuration invalid: nothing was sent to any API
  4    refused for safety: declined, protected env without --yes and no TTY, stale plan,
       too many deletes, project locked by another run
  5    partial apply: some changes failed
  64   usage error (bad flags)
  130  interrupted (Ctrl-C, SIGHUP): in-flight calls finished, report written
  143  terminated (SIGTERM): stopped the same way";

/// A command's failure: what to print on stderr and which code to exit with. The message must
/// never hold a secret.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn config_invalid(message: impl Into<String>) -> Self {
        Self::new(Exit::ConfigInvalid, message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::new(Exit::Error, format!("failed to write output: {error}"))
    }
}
