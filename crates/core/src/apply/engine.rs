//! Executes a plan through the ports: bounded concurrency, dependency order, convergence on
//! "already exists" / "not found", cancellation, and an outcome for every change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use futures::channel::oneshot;
use futures::future::{FutureExt, Shared};
use futures::stream::{self, StreamExt};

use super::report::{ApplyReport, ChangeResult, FailureKind, Outcome, SkipReason};
use crate::plan::{Action, AnyResource, Change, Plan, ResourceKind, ResourceRef, ResourceSet};
use crate::port::{PortError, PortErrorKind, PortResult};
pub use crate::resource::Project;

/// How to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Changes in flight at once within one phase; 0 is treated as 1.
    pub concurrency: usize,
}

pub const DEFAULT_CONCURRENCY: usize = 8;

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Asks a running apply to stop starting changes, and whatever waits on it (the API client's
/// retry and limiter waits) to stop waiting. Cheap to clone; every clone shares the state, so a
/// signal handler can hold one.
#[derive(Clone)]
pub struct CancelToken(Arc<CancelState>);

struct CancelState {
    cancelled: AtomicBool,
    /// Dropped by [`CancelToken::cancel`], which resolves every waiter of `on_cancel` at once.
    trigger: Mutex<Option<oneshot::Sender<()>>>,
    on_cancel: Shared<oneshot::Receiver<()>>,
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Default for CancelToken {
    fn default() -> Self {
        let (trigger, on_cancel) = oneshot::channel();
        Self(Arc::new(CancelState {
            cancelled: AtomicBool::new(false),
            trigger: Mutex::new(Some(trigger)),
            on_cancel: on_cancel.shared(),
        }))
    }
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        let trigger = match self.0.trigger.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(trigger);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once [`CancelToken::cancel`] has been called (at once if it already was), for
    /// waits that must end early: select on it.
    pub async fn cancelled(&self) {
        if self.is_cancelled() {
            return;
        }
        // Resolves with `Canceled` when the trigger is dropped, which only `cancel` does.
        let _ = self.0.on_cancel.clone().await;
    }
}

/// Receives progress events; the CLI draws them with indicatif. Called from the apply future,
/// possibly for several changes interleaved, so implementations must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// Once, before any change: the number of changes that will be reported as finished.
    fn total(&self, _count: usize) {}
    /// A change is about to be sent (not called for skipped changes).
    fn started(&self, _change: &Change) {}
    /// A change is done, failed or skipped.
    fn finished(&self, _change: &Change, _outcome: &Outcome) {}
}

/// Progress that is not shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Creates and updates run in the registry's dependency order so that what a resource names
/// exists first; deletes run in reverse so nothing is deleted while still named.
fn phases() -> impl Iterator<Item = (Phase, ResourceKind)> {
    let upserts = ResourceKind::ALL
        .into_iter()
        .map(|kind| (Phase::Upsert, kind));
    let deletes = ResourceKind::ALL
        .into_iter()
        .rev()
        .map(|kind| (Phase::Delete, kind));
    upserts.chain(deletes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Upsert,
    Delete,
}

fn phase_of(change: &Change) -> Phase {
    if change.action == Action::Delete {
        Phase::Delete
    } else {
        Phase::Upsert
    }
}

/// Applies every create, update and delete of `plan` to `project`.
///
/// A failure does not stop independent changes; a change whose dependency did not succeed is
/// skipped. After `cancel`, no new change starts; in-flight ones finish. After a change finds the
/// server unreachable, no new change starts either; the rest are reported as not attempted.
pub async fn apply<P: Project>(
    plan: &Plan,
    project: &P,
    options: &ApplyOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> ApplyReport {
    let writes: Vec<&Change> = plan.writes().collect();
    progress.total(writes.len());
    let mut outcomes: Vec<Option<Outcome>> = vec![None; writes.len()];
    let concurrency = options.concurrency.max(1);
    let unreachable = OnceLock::new();

    for (phase, kind) in phases() {
        let blockers = Blockers::from_outcomes(&writes, &outcomes);
        // Indices, not `&Change`: a closure taking a reference argument makes the apply future
        // lose `Send` (rustc's higher-ranked closure lifetimes), which a multi-threaded
        // runtime needs.
        let batch: Vec<usize> = (0..writes.len())
            .filter(|&index| writes[index].kind == kind && phase_of(writes[index]) == phase)
            .collect();
        let writes = &writes;
        let blockers = &blockers;
        let stop = Stop {
            cancel,
            unreachable: &unreachable,
        };
        let stop = &stop;
        let finished: Vec<(usize, Outcome)> = if kind.batches_in(project) {
            run_batched(kind, batch, writes, project, blockers, progress, stop).await
        } else {
            stream::iter(batch)
                .map(|index| run_change(index, writes[index], project, blockers, progress, stop))
                .buffer_unordered(concurrency)
                .collect()
                .await
        };
        for (index, outcome) in finished {
            outcomes[index] = Some(outcome);
        }
    }

    let results = writes
        .iter()
        .zip(outcomes)
        .map(|(change, outcome)| ChangeResult {
            kind: change.kind,
            id: change.id.clone(),
            action: change.action,
            // Every phase covers every write of its kind and action, so none is left unset.
            outcome: outcome.unwrap_or(Outcome::Skipped {
                reason: SkipReason::Cancelled,
            }),
        })
        .collect();
    ApplyReport {
        results,
        interrupted: cancel.is_cancelled(),
    }
}

/// The actions a batching kind sends as one call each, in the order they run within a phase.
const BATCHED_ACTIONS: [Action; 3] = [Action::Create, Action::Update, Action::Delete];

/// A batch needs at least this many changes: one change goes through the single call, whose
/// "already exists" handling is the same and whose request is smaller.
const MIN_BATCH: usize = 2;

/// Calls applying `plan` to `project` takes when nothing fails and nothing has moved since the
/// plan: the cost a plan states and the minimum a run summary compares its calls with. It
/// follows the engine's own grouping (one call per batch, [`ResourcePort::write_calls`] per
/// single change), so the two cannot disagree.
///
/// [`ResourcePort::write_calls`]: crate::port::ResourcePort::write_calls
pub fn estimate_calls<P: Project>(plan: &Plan, project: &P) -> u64 {
    let writes: Vec<&Change> = plan.writes().collect();
    let single = |change: &&Change| {
        change
            .kind
            .write_calls_in(project, change.before.as_ref(), change.after.as_ref())
    };
    phases()
        .map(|(phase, kind)| {
            let in_phase = writes
                .iter()
                .filter(|change| change.kind == kind && phase_of(change) == phase);
            if !kind.batches_in(project) {
                return in_phase.map(single).sum::<u64>();
            }
            BATCHED_ACTIONS
                .iter()
                .map(|action| {
                    let group: Vec<&&Change> = in_phase
                        .clone()
                        .filter(|change| change.action == *action)
                        .collect();
                    if group.len() >= MIN_BATCH {
                        1
                    } else {
                        group.into_iter().map(single).sum()
                    }
                })
                .sum()
        })
        .sum()
}

/// What stops new changes from starting: the caller's cancellation, or the first change that
/// found the server unreachable (remembered for the report).
struct Stop<'a> {
    cancel: &'a CancelToken,
    unreachable: &'a OnceLock<ResourceRef>,
}

impl Stop<'_> {
    /// Why a change does not start: cancelled, the server gone, or a dependency not applied.
    fn held_back(&self, change: &Change, blockers: &Blockers) -> Option<Outcome> {
        if self.cancel.is_cancelled() {
            Some(Outcome::Skipped {
                reason: SkipReason::Cancelled,
            })
        } else if let Some(first_failure) = self.unreachable.get() {
            Some(Outcome::Skipped {
                reason: SkipReason::ServerUnreachable {
                    first_failure: first_failure.clone(),
                },
            })
        } else {
            blockers
                .blocking(change)
                .map(|dependency| Outcome::Skipped {
                    reason: SkipReason::DependencyFailed { dependency },
                })
        }
    }

    /// Remembers the first change that found the server unreachable.
    fn note(&self, change: &Change, outcome: &Outcome) {
        if let Outcome::Failed {
            error: FailureKind::Unreachable,
            ..
        } = outcome
        {
            let _ = self.unreachable.set(change.reference());
        }
    }
}

/// Starts one change unless cancelled, blocked or the server is gone.
async fn run_change<P: Project>(
    index: usize,
    change: &Change,
    project: &P,
    blockers: &Blockers,
    progress: &dyn Progress,
    stop: &Stop<'_>,
) -> (usize, Outcome) {
    let outcome = match stop.held_back(change, blockers) {
        Some(skipped) => skipped,
        None => {
            progress.started(change);
            let outcome = execute(project, change).await;
            stop.note(change, &outcome);
            outcome
        }
    };
    progress.finished(change, &outcome);
    (index, outcome)
}

/// One phase of a batching kind: the creates, the updates and the deletes each go in one call
/// (fewer than [`MIN_BATCH`] go singly). A change the batch could not apply goes through the
/// same convergence as a failed single call (the port has already retried it alone if the
/// server refused the whole batch).
async fn run_batched<P: Project>(
    kind: ResourceKind,
    indices: Vec<usize>,
    writes: &[&Change],
    project: &P,
    blockers: &Blockers,
    progress: &dyn Progress,
    stop: &Stop<'_>,
) -> Vec<(usize, Outcome)> {
    let mut finished = Vec::with_capacity(indices.len());
    for action in BATCHED_ACTIONS {
        let group: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&index| writes[index].action == action)
            .collect();
        if group.len() < MIN_BATCH {
            for index in group {
                finished.push(
                    run_change(index, writes[index], project, blockers, progress, stop).await,
                );
            }
            continue;
        }
        let mut sendable: Vec<usize> = Vec::with_capacity(group.len());
        for index in group {
            let change = writes[index];
            let refused = match stop.held_back(change, blockers) {
                Some(skipped) => Some(skipped),
                None if action == Action::Delete => None,
                None => desired_state(change)
                    .err()
                    .map(|failure| outcome_of(Err(failure))),
            };
            match refused {
                Some(outcome) => {
                    progress.finished(change, &outcome);
                    finished.push((index, outcome));
                }
                None => sendable.push(index),
            }
        }
        for &index in &sendable {
            progress.started(writes[index]);
        }
        let results = if action == Action::Delete {
            let ids: Vec<&str> = sendable
                .iter()
                .map(|&index| writes[index].id.as_str())
                .collect();
            kind.delete_batch_in(project, &ids).await
        } else {
            let states: Vec<&AnyResource> = sendable
                .iter()
                .filter_map(|&index| writes[index].after.as_ref())
                .collect();
            kind.upsert_batch_in(project, &states, action == Action::Update)
                .await
        };
        for (index, result) in sendable.into_iter().zip(results) {
            let change = writes[index];
            let outcome = match result {
                Ok(()) => Outcome::succeeded(),
                Err(error) => outcome_of(recover(project, change, error).await),
            };
            stop.note(change, &outcome);
            progress.finished(change, &outcome);
            finished.push((index, outcome));
        }
    }
    finished
}

/// What earlier phases left undone, which later changes may depend on.
#[derive(Debug, Default)]
struct Blockers {
    /// Resources whose change ran and did not succeed.
    not_applied: BTreeSet<ResourceRef>,
    /// Resources still named by the live state of a change that did not succeed, each with one
    /// such change: deleting them could break that resource or be refused by the server.
    still_named: BTreeMap<ResourceRef, ResourceRef>,
}

impl Blockers {
    fn from_outcomes(writes: &[&Change], outcomes: &[Option<Outcome>]) -> Self {
        let mut blockers = Self::default();
        for (change, outcome) in writes.iter().zip(outcomes) {
            if outcome.as_ref().is_none_or(Outcome::is_success) {
                continue;
            }
            blockers.not_applied.insert(change.reference());
            for named in change.before.iter().flat_map(AnyResource::references) {
                blockers
                    .still_named
                    .entry(named)
                    .or_insert_with(|| change.reference());
            }
        }
        blockers
    }

    /// A create or update waits on what its desired state names; a delete waits on every change
    /// that was to stop naming it.
    fn blocking(&self, change: &Change) -> Option<ResourceRef> {
        match phase_of(change) {
            Phase::Upsert => change
                .after
                .as_ref()?
                .references()
                .into_iter()
                .find(|reference| self.not_applied.contains(reference)),
            Phase::Delete => self.still_named.get(&change.reference()).cloned(),
        }
    }
}

async fn execute<P: Project>(project: &P, change: &Change) -> Outcome {
    outcome_of(try_execute(project, change).await)
}

fn outcome_of(result: Result<Option<&'static str>, Failure>) -> Outcome {
    match result {
        Ok(note) => Outcome::Succeeded {
            note: note.map(str::to_owned),
        },
        Err(Failure::Port(error)) => Outcome::Failed {
            message: error.message,
            error: error.kind.into(),
        },
        Err(Failure::Malformed(message)) => Outcome::Failed {
            message,
            error: FailureKind::MalformedPlan,
        },
    }
}

enum Failure {
    Port(PortError),
    Malformed(String),
}

impl From<PortError> for Failure {
    fn from(error: PortError) -> Self {
        Self::Port(error)
    }
}

/// Whether a failed create or delete may still have reached its goal: Descope does not document
/// whether a duplicate create answers 409 or 400, nor whether a missing object answers 404 or
/// 400, so any client error other than an authorisation one is checked by reading the object.
fn worth_rechecking(error: &PortError) -> bool {
    matches!(
        error.kind,
        PortErrorKind::AlreadyExists | PortErrorKind::NotFound | PortErrorKind::Invalid
    )
}

/// Runs one change, converging where the live state already moved towards the goal. Returns a
/// note when it did something other than the planned call.
async fn try_execute<P: Project>(
    project: &P,
    change: &Change,
) -> Result<Option<&'static str>, Failure> {
    let first = match change.action {
        Action::Create => desired_state(change)?.create_in(project).await,
        Action::Update => {
            let desired = desired_state(change)?;
            match &change.before {
                Some(live) => desired.update_from_in(project, live).await,
                None => desired.update_in(project).await,
            }
        }
        Action::Delete => change.kind.delete_in(project, &change.id).await,
        Action::Unchanged => Ok(()),
    };
    match first {
        Ok(()) => Ok(None),
        Err(error) => recover(project, change, error).await,
    }
}

/// After the planned call of `change` failed with `error`: converges where the live state
/// already is (or moved towards) the goal, else the error stands.
async fn recover<P: Project>(
    project: &P,
    change: &Change,
    error: PortError,
) -> Result<Option<&'static str>, Failure> {
    match change.action {
        Action::Create if worth_rechecking(&error) => {
            converge_existing(project, desired_state(change)?, error)
                .await
                .map(Some)
        }
        Action::Update if error.kind == PortErrorKind::NotFound => {
            desired_state(change)?.create_in(project).await?;
            Ok(Some("re-created: it had been deleted since the plan"))
        }
        Action::Delete if worth_rechecking(&error) => {
            match change.kind.load_in(project, &change.id).await? {
                None => Ok(Some("already absent")),
                Some(_) => Err(error.into()),
            }
        }
        _ => Err(error.into()),
    }
}

/// A create failed with a client error: read the resource back. If it is there (a re-run after an
/// interrupted apply, or a concurrent writer), update it only if it differs; if it is not, the
/// create's error stands, unless that error said it already existed (then it vanished between
/// the two calls and the create is retried).
async fn converge_existing<P: Project>(
    project: &P,
    desired: &AnyResource,
    create_error: PortError,
) -> Result<&'static str, Failure> {
    match desired.kind().load_in(project, desired.identity()).await? {
        Some(live) => {
            let desired = desired.clone().carry_unmanaged(&live).normalized();
            if live.normalized() == desired {
                Ok("already existed with the desired state")
            } else {
                desired.update_in(project).await?;
                Ok("already existed; updated to the desired state")
            }
        }
        None if create_error.kind == PortErrorKind::AlreadyExists => {
            desired.create_in(project).await?;
            Ok("already existed, then vanished; created")
        }
        None => Err(create_error.into()),
    }
}

fn desired_state(change: &Change) -> Result<&AnyResource, Failure> {
    match &change.after {
        Some(after) if after.kind() == change.kind && after.identity() == change.id => Ok(after),
        Some(after) => Err(Failure::Malformed(format!(
            "the plan is malformed: change {} carries the state of {}",
            change.reference(),
            after.reference()
        ))),
        None => Err(Failure::Malformed(format!(
            "the plan is malformed: {} of {} has no desired state",
            change.action.as_str(),
            change.reference()
        ))),
    }
}

/// Reads the live state of every kind (one list call per kind, concurrently).
pub async fn read_actual<P: Project>(project: &P) -> PortResult<ResourceSet> {
    read_actual_kinds(project, &ResourceKind::ALL).await
}

/// Reads the live state of the given kinds only; the others stay empty.
pub async fn read_actual_kinds<P: Project>(
    project: &P,
    kinds: &[ResourceKind],
) -> PortResult<ResourceSet> {
    crate::resource::read_kinds(project, kinds).await
}
