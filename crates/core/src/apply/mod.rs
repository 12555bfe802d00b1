//! The apply engine: executes a [`crate::plan::Plan`] through the ports with bounded
//! concurrency and in dependency order (one batch call per action where a kind's port offers
//! batches), converges where the live state moved (a create that finds the resource, a delete
//! that finds it gone), honours cancellation, reports progress through [`Progress`] and returns
//! an [`ApplyReport`] with every change's outcome. [`estimate_calls`] says beforehand how many
//! calls that takes, by the same grouping.
//! No runtime here: the caller drives the future.

mod engine;
mod report;

#[cfg(test)]
mod tests;

pub use engine::{
    ApplyOptions, CancelToken, DEFAULT_CONCURRENCY, NoProgress, Progress, Project, apply,
    estimate_calls, read_actual, read_actual_kinds,
};
pub use report::{ApplyReport, ApplyStatus, ChangeResult, FailureKind, Outcome, SkipReason};
