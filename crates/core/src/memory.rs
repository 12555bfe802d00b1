//! An in-memory project implementing every kind's port, for pure tests of the planner and apply
//! engine.
//! Not a mock of the HTTP client: end-to-end tests use the emulator over loopback instead.
//!
//! It counts write calls (so tests can assert "zero writes"), can be told to fail chosen
//! writes (so tests can check partial failure and convergence) and to offer batch writes (so
//! tests can check the engine's batching and its fallback).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::plan::{AnyResource, ResourceRef, ResourceSet};
use crate::port::{PortError, PortErrorKind, PortResult, ResourcePort, one_by_one};
use crate::resource::Resource;

/// Resources of every kind held in memory, with a count of write calls.
#[derive(Debug, Default)]
pub struct MemoryProject {
    resources: Mutex<BTreeMap<ResourceRef, AnyResource>>,
    writes: Mutex<u64>,
    faults: Mutex<Faults>,
    concurrency: Mutex<WriteConcurrency>,
    /// Whether every kind offers batch writes (one call, all or nothing), as Descope's role and
    /// permission endpoints do.
    batches: bool,
}

/// Lets tests observe how many writes overlap: with `yield_in_writes`, each write yields to the
/// executor once while counted as in flight, as a network call would.
#[derive(Debug, Default)]
struct WriteConcurrency {
    yield_in_writes: bool,
    in_flight: usize,
    max_in_flight: usize,
}

/// Injected failures. A failing write is still counted as a write call and changes nothing.
#[derive(Debug, Default)]
struct Faults {
    /// Every write naming this identity (tenant id, role or permission name) fails.
    identities: BTreeMap<String, PortErrorKind>,
    /// The write call with this 1-based number (counting every write since creation) fails.
    nth_write: BTreeMap<u64, PortErrorKind>,
    /// What a duplicate create and a missing update or delete answer, in place of
    /// `AlreadyExists` and `NotFound` (a server may say 400 for both).
    conflict_and_missing_as: Option<PortErrorKind>,
}

impl MemoryProject {
    /// Adds (or replaces) resources of one kind.
    pub fn with<R: Resource>(self, resources: impl IntoIterator<Item = R>) -> Self {
        lock(&self.resources).extend(resources.into_iter().map(|resource| {
            let any = resource.into_any();
            (any.reference(), any)
        }));
        self
    }

    /// Adds every resource of `set`.
    pub fn with_set(self, set: &ResourceSet) -> Self {
        lock(&self.resources).extend(set.iter_any().map(|any| (any.reference(), any)));
        self
    }

    /// The resources of one kind, ordered by identity.
    pub fn all<R: Resource>(&self) -> Vec<R> {
        lock(&self.resources)
            .values()
            .filter_map(|any| R::from_any(any.clone()))
            .collect()
    }

    pub fn write_count(&self) -> u64 {
        *lock(&self.writes)
    }

    /// Makes every later write to `identity` (of any kind) fail with `kind`.
    pub fn fail_writes_to(&self, identity: &str, kind: PortErrorKind) {
        lock(&self.faults)
            .identities
            .insert(identity.to_owned(), kind);
    }

    /// Stops failing writes to `identity`.
    pub fn heal(&self, identity: &str) {
        lock(&self.faults).identities.remove(identity);
    }

    /// Makes write call number `n` (1-based, counted since the project was created) fail.
    pub fn fail_nth_write(&self, n: u64, kind: PortErrorKind) {
        lock(&self.faults).nth_write.insert(n, kind);
    }

    /// Makes duplicate creates and writes to missing resources fail with `kind` instead of
    /// `AlreadyExists` / `NotFound`, as a server that answers 400 for both would.
    pub fn answer_conflict_and_missing_with(self, kind: PortErrorKind) -> Self {
        lock(&self.faults).conflict_and_missing_as = Some(kind);
        self
    }

    fn refusal(&self, kind: PortErrorKind, message: String) -> PortError {
        let kind = lock(&self.faults).conflict_and_missing_as.unwrap_or(kind);
        PortError::new(kind, message)
    }

    fn not_found(&self, reference: &ResourceRef) -> PortError {
        self.refusal(PortErrorKind::NotFound, format!("{reference} not found"))
    }

    /// Offers batch writes for every kind: one counted write call applies the whole batch or,
    /// when any item would fail, nothing; then each item is sent alone, as the API client falls
    /// back when a server refuses a batch.
    pub fn with_batches(mut self) -> Self {
        self.batches = true;
        self
    }

    /// One batch call: counted as one write; `apply` checks and applies every item under one
    /// lock and says whether it did. An injected fault on the call or on any item refuses it.
    async fn atomic<'a>(
        &self,
        identities: impl IntoIterator<Item = &'a str>,
        apply: impl FnOnce(&mut BTreeMap<ResourceRef, AnyResource>) -> bool,
    ) -> bool {
        self.overlap_point().await;
        let number = {
            let mut writes = lock(&self.writes);
            *writes += 1;
            *writes
        };
        {
            let faults = lock(&self.faults);
            if faults.nth_write.contains_key(&number)
                || identities
                    .into_iter()
                    .any(|identity| faults.identities.contains_key(identity))
            {
                return false;
            }
        }
        apply(&mut lock(&self.resources))
    }

    /// One batch create (`existing` false) or update (`existing` true): every resource is
    /// written, or none when any is (or is not) already there or names something missing.
    async fn upsert_atomically<R: Resource>(&self, resources: &[&R], existing: bool) -> bool {
        self.atomic(resources.iter().map(|r| r.identity()), |stored| {
            let fits = resources.iter().all(|resource| {
                stored.contains_key(&ResourceRef::new(R::KIND, resource.identity())) == existing
                    && check_references(stored, *resource).is_ok()
            });
            if fits {
                stored.extend(resources.iter().map(|resource| {
                    let any = (*resource).clone().into_any();
                    (any.reference(), any)
                }));
            }
            fits
        })
        .await
    }

    /// Makes each write yield once mid-call, so concurrent writes overlap.
    pub fn yield_in_writes(self) -> Self {
        lock(&self.concurrency).yield_in_writes = true;
        self
    }

    /// The most writes that were in flight at once (meaningful with [`Self::yield_in_writes`]).
    pub fn max_in_flight_writes(&self) -> usize {
        lock(&self.concurrency).max_in_flight
    }

    async fn overlap_point(&self) {
        let should_yield = {
            let mut concurrency = lock(&self.concurrency);
            concurrency.in_flight += 1;
            concurrency.max_in_flight = concurrency.max_in_flight.max(concurrency.in_flight);
            concurrency.yield_in_writes
        };
        if should_yield {
            YieldOnce(false).await;
        }
        lock(&self.concurrency).in_flight -= 1;
    }

    /// Counts the call, then fails it if a fault was injected for it.
    async fn begin_write(&self, identity: &str) -> PortResult<()> {
        self.overlap_point().await;
        let number = {
            let mut writes = lock(&self.writes);
            *writes += 1;
            *writes
        };
        let faults = lock(&self.faults);
        let injected = faults
            .nth_write
            .get(&number)
            .or_else(|| faults.identities.get(identity));
        match injected {
            Some(kind) => Err(PortError::new(
                *kind,
                format!("injected failure on write {number} to {identity}"),
            )),
            None => Ok(()),
        }
    }
}

/// Returns `Pending` once (after waking itself), then `Ready`: a runtime-free `yield_now`.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        context.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

// A poisoned lock only means another test thread panicked; the map itself is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<R: Resource> ResourcePort<R> for MemoryProject {
    async fn list(&self) -> PortResult<Vec<R>> {
        Ok(self.all())
    }

    async fn create(&self, resource: &R) -> PortResult<()> {
        self.begin_write(resource.identity()).await?;
        let any = resource.clone().into_any();
        let reference = any.reference();
        let mut resources = lock(&self.resources);
        if resources.contains_key(&reference) {
            return Err(self.refusal(
                PortErrorKind::AlreadyExists,
                format!("{reference} already exists"),
            ));
        }
        check_references(&resources, resource)?;
        resources.insert(reference, any);
        Ok(())
    }

    async fn update(&self, resource: &R) -> PortResult<()> {
        self.begin_write(resource.identity()).await?;
        let any = resource.clone().into_any();
        let mut resources = lock(&self.resources);
        if !resources.contains_key(&any.reference()) {
            return Err(self.not_found(&any.reference()));
        }
        check_references(&resources, resource)?;
        resources.insert(any.reference(), any);
        Ok(())
    }

    async fn delete(&self, id: &str) -> PortResult<()> {
        self.begin_write(id).await?;
        let reference = ResourceRef::new(R::KIND, id);
        match lock(&self.resources).remove(&reference) {
            Some(_) => Ok(()),
            None => Err(self.not_found(&reference)),
        }
    }

    fn batches(&self) -> bool {
        self.batches
    }

    async fn create_batch(&self, resources: &[&R]) -> Vec<PortResult<()>> {
        if self.upsert_atomically(resources, false).await {
            return resources.iter().map(|_| Ok(())).collect();
        }
        one_by_one(resources, |resource| {
            ResourcePort::<R>::create(self, resource)
        })
        .await
    }

    async fn update_batch(&self, resources: &[&R]) -> Vec<PortResult<()>> {
        if self.upsert_atomically(resources, true).await {
            return resources.iter().map(|_| Ok(())).collect();
        }
        one_by_one(resources, |resource| {
            ResourcePort::<R>::update(self, resource)
        })
        .await
    }

    async fn delete_batch(&self, ids: &[&str]) -> Vec<PortResult<()>> {
        let applied = self
            .atomic(ids.iter().copied(), |stored| {
                let references: Vec<ResourceRef> = ids
                    .iter()
                    .map(|id| ResourceRef::new(R::KIND, *id))
                    .collect();
                let fits = references
                    .iter()
                    .all(|reference| stored.contains_key(reference));
                if fits {
                    for reference in &references {
                        stored.remove(reference);
                    }
                }
                fits
            })
            .await;
        if applied {
            return ids.iter().map(|_| Ok(())).collect();
        }
        one_by_one(ids, |id| ResourcePort::<R>::delete(self, id)).await
    }
}

/// Refuses a write naming a resource that does not exist (a tenant's default role, a role's
/// permission), as the server does: the client reports its 400 "… not found" as `NotFound`.
fn check_references<R: Resource>(
    resources: &BTreeMap<ResourceRef, AnyResource>,
    resource: &R,
) -> PortResult<()> {
    match resource
        .references()
        .into_iter()
        .find(|reference| !resources.contains_key(reference))
    {
        Some(missing) => Err(PortError::new(
            PortErrorKind::NotFound,
            format!(
                "{} names {missing}, which does not exist",
                resource.identity()
            ),
        )),
        None => Ok(()),
    }
}
