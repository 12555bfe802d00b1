//! Password policy: W1 load, W2 configure, for the project (no tenant id) or one tenant.

use descope_mgmt_core::port::{PortError, PortErrorKind, PortResult, ResourcePort};
use descope_mgmt_core::resource::PasswordPolicy;
use serde_json::{Map, Value, json};

use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::password_policy::{policy_fields, project_policy};
use crate::error::ApiError;

/// Password-policy endpoints of one project.
#[derive(Debug, Clone)]
pub struct PasswordApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn password(&self) -> PasswordApi {
        PasswordApi {
            client: self.clone(),
        }
    }
}

impl PasswordApi {
    /// W1: the policy of a tenant (`Some`) or of the project (`None`), every field.
    pub async fn load(&self, tenant_id: Option<&str>) -> Result<Map<String, Value>, ApiError> {
        let query: Vec<(&str, &str)> = tenant_id.map(|id| ("tenantId", id)).into_iter().collect();
        let body = self
            .client
            .send(Call::get(
                "password.load",
                "/v1/mgmt/password/settings",
                &query,
            ))
            .await?;
        Ok(body.as_object().cloned().unwrap_or_default())
    }

    /// W2: a full write of the policy (load it, change the managed fields, send everything).
    pub async fn configure(
        &self,
        tenant_id: Option<&str>,
        policy: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        let mut body = policy.clone();
        if let Some(id) = tenant_id {
            body.insert("tenantId".into(), json!(id));
        }
        self.client
            .post_ignoring_answer(
                "password.configure",
                "/v1/mgmt/password/settings",
                &Value::Object(body),
                Repeat::Safe,
            )
            .await
    }

    /// Loads the policy, changes the fields `managed` holds, and sends it back only when that
    /// changed it.
    pub async fn write_managed(
        &self,
        tenant_id: Option<&str>,
        managed: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        let live = self.load(tenant_id).await?;
        let mut policy = live.clone();
        policy.extend(
            managed
                .iter()
                .map(|(key, value)| (key.clone(), value.clone())),
        );
        if policy != live {
            self.configure(tenant_id, &policy).await?;
        }
        Ok(())
    }
}

/// The project's password policy as a kind of plan, apply and drift. There is no delete: a
/// project always has a policy.
impl ResourcePort<PasswordPolicy> for DescopeClient {
    async fn list(&self) -> PortResult<Vec<PasswordPolicy>> {
        Ok(vec![project_policy(self.password().load(None).await?)])
    }

    async fn create(&self, policy: &PasswordPolicy) -> PortResult<()> {
        self.update(policy).await
    }

    async fn update(&self, policy: &PasswordPolicy) -> PortResult<()> {
        let managed = policy_fields(&policy.fields);
        Ok(self.password().write_managed(None, &managed).await?)
    }

    async fn delete(&self, _id: &str) -> PortResult<()> {
        Err(PortError::new(
            PortErrorKind::Invalid,
            "the project password policy cannot be deleted; configure another one instead",
        ))
    }
}
