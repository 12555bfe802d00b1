//! The endpoints descope-mgmt uses, grouped by resource as handles borrowed from a
//! [`DescopeClient`](crate::DescopeClient) (`client.tenants()`, `client.roles()`, …). Each managed
//! kind's module also implements core's `ResourcePort<Kind>` on the client itself, so the client
//! is a whole `Project` for the planner and apply engine.

pub mod flows;
pub mod password_policy;
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

/// One outcome per item of a batch, in the items' order.
pub type BatchOutcome = Vec<Result<(), ApiError>>;

/// A batch's outcomes as core's port reports them.
pub(crate) fn port_outcomes(outcome: BatchOutcome) -> Vec<descope_mgmt_core::port::PortResult<()>> {
    outcome
        .into_iter()
        .map(|result| result.map_err(Into::into))
        .collect()
}

impl DescopeClient {
    /// Sends `batch` (one atomic call for every item); when the server refuses it, falls back
    /// to `single` for each item so that each gets its own outcome. Refused means a 4xx other
    /// than 401, 403 and 429 (the endpoint missing, or one bad item failing the whole atomic
    /// batch), or a batch create whose outcome is unknown (each single create re-checks before
    /// sending). Other failures (unauthorised, unavailable, cancelled) would fail every single
    /// call too, so each item gets that error instead. No items: no call.
    pub(crate) async fn batch_or_each<'a, T, Single, Sent>(
        &self,
        items: &'a [T],
        batch: Call<'_>,
        single: Single,
    ) -> BatchOutcome
    where
        // A plain closure returning a future, not an `AsyncFn`: the port futures built on this
        // must be `Send`, which rustc cannot yet prove through an async closure's lifetimes.
        Single: Fn(&'a T) -> Sent,
        Sent: std::future::Future<Output = Result<(), ApiError>>,
    {
        if items.is_empty() {
            return Vec::new();
        }
        let operation = batch.operation;
        let error = match self.send(batch).await {
            Ok(_) => return items.iter().map(|_| Ok(())).collect(),
            Err(error) => error,
        };
        if !batch_refused(&error) {
            return items.iter().map(|_| Err(error.clone())).collect();
        }
        tracing::debug!(operation, error = %error, "batch refused; sending one call per item");
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            outcomes.push(single(item).await);
        }
        outcomes
    }

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

fn batch_refused(error: &ApiError) -> bool {
    match error.kind {
        ApiErrorKind::Status => {
            let status = error.status.unwrap_or(0);
            (400..500).contains(&status) && !matches!(status, 401 | 403 | 429)
                || crate::retry::is_ambiguous_status(status)
        }
        ApiErrorKind::Timeout | ApiErrorKind::Connection => true,
        ApiErrorKind::Decode | ApiErrorKind::Config | ApiErrorKind::Cancelled => false,
    }
}
