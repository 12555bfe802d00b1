//! Project-wide calls: snapshot export/import/validate (J1–J3) and the license handshake.

use serde_json::{Map, Value, json};

use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::project::{SnapshotValidation, snapshot_files};
use crate::error::ApiError;

/// Project endpoints.
#[derive(Debug, Clone)]
pub struct ProjectApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn project(&self) -> ProjectApi {
        ProjectApi {
            client: self.clone(),
        }
    }

    /// `GET /v1/mgmt/license`: the project's rate-limit tier (`tier1`…`tier4`), which later
    /// requests then carry in `x-descope-license`.
    pub async fn license(&self) -> Result<String, ApiError> {
        self.fetch_license_tier().await
    }
}

impl ProjectApi {
    /// J1: `files` (relative path → JSON object or string). `format` e.g. `"plain"`.
    pub async fn export_snapshot(
        &self,
        format: Option<&str>,
    ) -> Result<Map<String, Value>, ApiError> {
        let body = match format {
            Some(format) => json!({"format": format}),
            None => json!({}),
        };
        let answer = self
            .client
            .send(Call::post(
                "snapshot.export",
                "/v1/mgmt/project/snapshot/export",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(snapshot_files(&answer))
    }

    /// J2: replaces the configuration covered by `files`.
    pub async fn import_snapshot(
        &self,
        files: &Map<String, Value>,
        input_secrets: Option<&Value>,
        excludes: &[String],
    ) -> Result<(), ApiError> {
        let mut body = json!({"files": files});
        if let Some(secrets) = input_secrets {
            body["inputSecrets"] = secrets.clone();
        }
        if !excludes.is_empty() {
            body["excludes"] = json!(excludes);
        }
        self.client
            .post_ignoring_answer(
                "snapshot.import",
                "/v1/mgmt/project/snapshot/import",
                &body,
                Repeat::Safe,
            )
            .await
    }

    /// J3: a failed validation is `Ok` with `ok == false`.
    pub async fn validate_snapshot(
        &self,
        files: &Map<String, Value>,
        input_secrets: Option<&Value>,
    ) -> Result<SnapshotValidation, ApiError> {
        let mut body = json!({"files": files});
        if let Some(secrets) = input_secrets {
            body["inputSecrets"] = secrets.clone();
        }
        let answer = self
            .client
            .send(Call::post(
                "snapshot.validate",
                "/v1/mgmt/project/snapshot/validate",
                &body,
                Repeat::Safe,
            ))
            .await?;
        Ok(SnapshotValidation::from_json(&answer))
    }
}
