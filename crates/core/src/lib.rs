//! Domain of descope-mgmt: the kind registry and live-state shapes ([`resource`]), configuration
//! models, loading and validation, an environment's desired state ([`environment`]), the planner,
//! the apply engine and the port (trait) that the API client implements. No HTTP, no CLI, no
//! runtime here.

pub mod apply;
pub mod config;
pub mod cross_project;
pub mod document;
pub mod environment;
pub mod flow;
/// An in-memory project for tests, not part of the library: enabled by this crate's own tests and
/// by the `test-support` feature (the benches use it).
#[cfg(any(test, feature = "test-support"))]
pub mod memory;
pub mod plan;
pub mod port;
pub mod resource;
pub mod safety;
pub mod secret;
pub mod tenant_auth;
pub mod theme;

#[cfg(test)]
mod port_tests;
#[cfg(test)]
mod test_fixtures;
