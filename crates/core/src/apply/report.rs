//! What apply tells its caller: each change's outcome and the run's overall status.

use serde::{Deserialize, Serialize};

use crate::plan::{Action, ResourceKind, ResourceRef};
use crate::port::PortErrorKind;

/// Why a change failed, as the report shows it (mirrors [`PortErrorKind`], plus a malformed plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    NotFound,
    AlreadyExists,
    Unauthorized,
    Invalid,
    Unavailable,
    /// The server could not be reached; later changes were not attempted.
    Unreachable,
    /// The resource was written but part of the change is left to do (the message says what).
    Incomplete,
    Other,
    /// The change itself is inconsistent (a hand-edited plan file): nothing was sent.
    MalformedPlan,
}

impl From<PortErrorKind> for FailureKind {
    fn from(kind: PortErrorKind) -> Self {
        match kind {
            PortErrorKind::NotFound => Self::NotFound,
            PortErrorKind::AlreadyExists => Self::AlreadyExists,
            PortErrorKind::Unauthorized => Self::Unauthorized,
            PortErrorKind::Invalid => Self::Invalid,
            PortErrorKind::Unavailable => Self::Unavailable,
            PortErrorKind::Unreachable => Self::Unreachable,
            PortErrorKind::Incomplete => Self::Incomplete,
            PortErrorKind::Other => Self::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SkipReason {
    /// Cancellation was requested before this change started.
    Cancelled,
    /// A resource this change depends on did not get its own change applied.
    DependencyFailed { dependency: ResourceRef },
    /// An earlier change found the server unreachable (after the client's retries), so this one
    /// was not attempted: retrying every remaining change against a dead server only delays the
    /// report.
    ServerUnreachable { first_failure: ResourceRef },
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Done. `note` says when the engine converged rather than doing the planned call
    /// ("already existed", "already absent", "re-created").
    Succeeded {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Failed {
        message: String,
        error: FailureKind,
    },
    Skipped {
        reason: SkipReason,
    },
}

impl Outcome {
    pub fn succeeded() -> Self {
        Self::Succeeded { note: None }
    }

    pub fn is_success(&self) -> bool {
        matches!(self, Self::Succeeded { .. })
    }
}

/// One change of the plan and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeResult {
    pub kind: ResourceKind,
    pub id: String,
    pub action: Action,
    pub outcome: Outcome,
}

/// The overall result, which the CLI maps to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyStatus {
    /// Every change succeeded (exit 0).
    Success,
    /// Some changes failed or were skipped because a dependency failed (exit 5).
    Partial,
    /// Cancelled: in-flight changes finished, the rest were skipped (exit 130).
    Interrupted,
}

/// The outcome of every write of the plan, in plan order (not completion order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub results: Vec<ChangeResult>,
    /// Cancellation was requested during the run.
    pub interrupted: bool,
}

impl ApplyReport {
    pub fn succeeded(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Succeeded { .. }))
    }

    pub fn failed(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Failed { .. }))
    }

    pub fn skipped(&self) -> usize {
        self.count(|outcome| matches!(outcome, Outcome::Skipped { .. }))
    }

    fn count(&self, predicate: impl Fn(&Outcome) -> bool) -> usize {
        self.results
            .iter()
            .filter(|result| predicate(&result.outcome))
            .count()
    }

    /// Interrupted wins over partial: the operator asked to stop, and re-running converges.
    pub fn exit_status(&self) -> ApplyStatus {
        if self.interrupted {
            ApplyStatus::Interrupted
        } else if self
            .results
            .iter()
            .all(|result| result.outcome.is_success())
        {
            ApplyStatus::Success
        } else {
            ApplyStatus::Partial
        }
    }
}
