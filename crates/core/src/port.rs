//! The port: what the domain needs from a Descope project, as one generic trait per kind
//! ([`ResourcePort`]). `descope-mgmt-api` implements it over HTTP; [`crate::memory`] implements it
//! in memory for pure tests.
//!
//! Errors are classified into [`PortErrorKind`] so the planner and apply engine can react
//! (a create that finds the resource already there reads it back) without knowing HTTP.

use std::future::Future;

use crate::resource::Resource;

/// Why a port call failed, as far as the domain cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortErrorKind {
    NotFound,
    AlreadyExists,
    /// Bad credentials or a key not valid for the project: retrying will not help.
    Unauthorized,
    /// The request was rejected as invalid by the server.
    Invalid,
    /// Rate limiting, 5xx: retried by the client and still failing.
    Unavailable,
    /// No answer at all (connection refused or reset, timed out), after the client's retries:
    /// the server is gone, so the apply engine sends nothing more.
    Unreachable,
    /// The write landed but a follow-up call of the same change failed (a tenant created whose
    /// default roles could not be set): the resource exists, the message says what is left.
    Incomplete,
    Other,
}

/// A failed port call. `message` is safe to print: implementations must never put a secret in it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct PortError {
    pub kind: PortErrorKind,
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl PortError {
    pub fn new(kind: PortErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}

pub type PortResult<T> = Result<T, PortError>;

/// One resource kind of one project: what the planner reads and the apply engine writes.
/// `descope-mgmt-api` implements it on its client once per kind; [`crate::memory`] implements it
/// for every kind at once. A project offering every kind's port is a [`crate::resource::Project`].
pub trait ResourcePort<R: Resource>: Send + Sync {
    /// Every resource of the kind, in one call where the API allows it.
    fn list(&self) -> impl Future<Output = PortResult<Vec<R>>> + Send;

    /// `Ok(None)` when the resource does not exist. Kinds without a single-item read in the API
    /// (roles, permissions) find it in the list, which is what this default does.
    fn load(&self, id: &str) -> impl Future<Output = PortResult<Option<R>>> + Send {
        async move {
            Ok(self
                .list()
                .await?
                .into_iter()
                .find(|resource| resource.identity() == id))
        }
    }

    fn create(&self, resource: &R) -> impl Future<Output = PortResult<()>> + Send;

    /// Full overwrite: the resource as given is what the project holds afterwards.
    fn update(&self, resource: &R) -> impl Future<Output = PortResult<()>> + Send;

    fn delete(&self, id: &str) -> impl Future<Output = PortResult<()>> + Send;

    /// Overwrites `desired` knowing the `live` state the plan read, so a port can skip the part
    /// of an overwrite that would change nothing (a tenant's default roles, a separate call).
    fn update_from(&self, _live: &R, desired: &R) -> impl Future<Output = PortResult<()>> + Send {
        self.update(desired)
    }

    /// Calls one create, update or delete takes through [`Self::create`], [`Self::update_from`]
    /// and [`Self::delete`] when nothing fails: `before` is the live state (none for a create),
    /// `after` the desired one (none for a delete). The plan's cost estimate adds these up, so
    /// an implementation making more calls must say so here.
    fn write_calls(&self, _before: Option<&R>, _after: Option<&R>) -> u64 {
        1
    }

    /// Whether the API writes many resources of this kind in one atomic call (Descope's role
    /// and permission batch endpoints); the apply engine then sends each action of a phase as
    /// one [`Self::create_batch`], [`Self::update_batch`] or [`Self::delete_batch`].
    fn batches(&self) -> bool {
        false
    }

    /// One outcome per resource, in order. Without a batch endpoint: one create each.
    fn create_batch(&self, resources: &[&R]) -> impl Future<Output = Vec<PortResult<()>>> + Send {
        one_by_one(resources, |resource| self.create(resource))
    }

    /// One outcome per resource, in order; each is a full overwrite as [`Self::update`].
    fn update_batch(&self, resources: &[&R]) -> impl Future<Output = Vec<PortResult<()>>> + Send {
        one_by_one(resources, |resource| self.update(resource))
    }

    /// One outcome per identity, in order.
    fn delete_batch(&self, ids: &[&str]) -> impl Future<Output = Vec<PortResult<()>>> + Send {
        one_by_one(ids, |id| self.delete(id))
    }
}

/// `call` for each item in turn, one outcome per item: what a batch is without a batch endpoint.
pub(crate) async fn one_by_one<'a, T, Call, Sent>(items: &'a [T], call: Call) -> Vec<PortResult<()>>
where
    Call: Fn(&'a T) -> Sent,
    Sent: Future<Output = PortResult<()>>,
{
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        outcomes.push(call(item).await);
    }
    outcomes
}
