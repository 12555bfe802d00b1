//! The endpoints descope-mgmt uses, grouped by resource as handles borrowed from a
//! [`DescopeClient`](crate::DescopeClient) (`client.tenants()`, `client.roles()`, …). Each managed
//! kind's module also implements core's `ResourcePort<Kind>` on the client itself, so the client
//! is a whole `Project` for the planner and apply engine.

pub mod flows;
pub mod permissions;
pub mod project;
pub mod roles;
pub mod sso;
pub mod tenants;
pub mod themes;

use serde::Serialize;
use serde_json::Value;

use crate::client::{Call, DescopeClient, Repeat};
use crate::error::{ApiError, ApiErrorKind};

/// Serialises a request body; our own wire types always serialise, but a clear error beats a panic.
pub(crate) fn to_body(operation: &'static str, body: &impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(body).map_err(|e| {
        ApiError::new(
            ApiErrorKind::Decode,
            operation,
            "-",
            "-",
            format!("cannot encode the request: {e}"),
        )
    })
}

impl DescopeClient {
    /// Most writes answer `{}` or an echo nobody reads; the call still fails on any error status.
    pub(crate) async fn post_ignoring_answer(
        &self,
        operation: &'static str,
        path: &str,
        body: &Value,
        repeat: Repeat,
    ) -> Result<(), ApiError> {
        self.send(Call::post(operation, path, body, repeat))
            .await
            .map(drop)
    }
}
