//! The only place that talks to Descope: an HTTP client for the Management API that implements
//! core's ports, with authentication, pacing, retries and tracing.
//!
//! Build a [`DescopeClient`] from a [`ClientConfig`], then use its resource handles
//! (`client.tenants()`, `.roles()`, `.permissions()`, `.flows()`, `.themes()`, `.sso()`,
//! `.project()`). The client itself implements core's `ResourcePort<Kind>` for every managed kind.

pub mod client;
pub mod config;
pub mod dto;
pub mod endpoints;
pub mod error;
pub mod limit;
pub mod retry;
mod wait_clock;

pub use client::{ClientStats, DescopeClient, SDK_NAME, SDK_VERSION, WaitsNow};
pub use config::{ClientConfig, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, resolve_base_url};
pub use endpoints::flows::FlowApi;
pub use endpoints::permissions::PermissionApi;
pub use endpoints::project::ProjectApi;
pub use endpoints::roles::RoleApi;
pub use endpoints::sso::SsoApi;
pub use endpoints::tenants::TenantApi;
pub use endpoints::themes::ThemeApi;
pub use error::{ApiError, ApiErrorKind};
pub use limit::{InvalidRateLimit, RateLimit, RateLimitExceeded, RateLimiter};
pub use retry::RetryPolicy;

#[cfg(test)]
mod mock;
