//! The configuration layer: typed models of `descope.yaml` ([`model`]), YAML parsing with
//! positions ([`yaml`]), `${VAR}` interpolation ([`interpolate`]), loading with environment
//! overlays and validation that collects every problem at once ([`load`]), and the JSON Schema
//! ([`schema`]); a tenant's sign-in settings (session, SSO, password policy) in [`tenant_auth`].

pub mod base_url;
pub mod diagnostic;
pub mod interpolate;
pub mod load;
pub mod merge;
pub mod model;
pub mod policy;
pub mod rules;
pub mod schema;
pub mod selector;
pub mod tenant_auth;
pub mod yaml;

pub use diagnostic::{Diagnostic, Position, Severity, Violation, Violations};

#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod policies_tests;
#[cfg(test)]
mod templates_tests;
#[cfg(test)]
mod tenant_auth_tests;

pub use load::{Loaded, load, load_with, plan_seal};
pub use model::{
    Connection, DescopeConfig, EnvironmentConfig, FlowConfig, PermissionConfig, RateLimit,
    RoleConfig, Scope, TenantConfig, TenantConfigBuilder, ThemeConfig,
};
