//! The ports: what the domain needs from a Descope project, as traits. `descope-mgmt-api`
//! implements them over HTTP; [`crate::memory`] implements them in memory for pure tests.
//!
//! Errors are classified into [`PortErrorKind`] so the planner and apply engine can react
//! (a create that finds the resource already there reads it back) without knowing HTTP.

use std::future::Future;

use crate::resource::{Permission, Role, Tenant};

/// Why a port call failed, as far as the domain cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortErrorKind {
    NotFound,
    AlreadyExists,
    /// Bad credentials or a key not valid for the project: retrying will not help.
    Unauthorized,
    /// The request was rejected as invalid by the server.
    Invalid,
    /// Rate limiting, 5xx, network: retried by the client and still failing.
    Unavailable,
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

/// Tenants of one project (the original plan's `DescopeClient` protocol, as a trait).
pub trait TenantPort: Send + Sync {
    /// `Ok(None)` when the tenant does not exist.
    fn load(&self, id: &str) -> impl Future<Output = PortResult<Option<Tenant>>> + Send;
    /// Every tenant of the project, in one call where the API allows it.
    fn list(&self) -> impl Future<Output = PortResult<Vec<Tenant>>> + Send;
    fn create(&self, tenant: &Tenant) -> impl Future<Output = PortResult<()>> + Send;
    /// Full overwrite of the managed fields.
    fn update(&self, tenant: &Tenant) -> impl Future<Output = PortResult<()>> + Send;
    fn delete(&self, id: &str) -> impl Future<Output = PortResult<()>> + Send;
}

/// Project-level roles.
pub trait RolePort: Send + Sync {
    fn list(&self) -> impl Future<Output = PortResult<Vec<Role>>> + Send;
    fn create(&self, role: &Role) -> impl Future<Output = PortResult<()>> + Send;
    fn update(&self, role: &Role) -> impl Future<Output = PortResult<()>> + Send;
    fn delete(&self, name: &str) -> impl Future<Output = PortResult<()>> + Send;
}

/// Permissions.
pub trait PermissionPort: Send + Sync {
    fn list(&self) -> impl Future<Output = PortResult<Vec<Permission>>> + Send;
    fn create(&self, permission: &Permission) -> impl Future<Output = PortResult<()>> + Send;
    fn update(&self, permission: &Permission) -> impl Future<Output = PortResult<()>> + Send;
    fn delete(&self, name: &str) -> impl Future<Output = PortResult<()>> + Send;
}
