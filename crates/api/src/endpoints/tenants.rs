//! Tenants: T1 create, T2 update, T4 delete, T5 load, T6 load all, T8/T9 settings, T10 default
//! roles; and core's tenant port ([`ResourcePort<Tenant>`]) on the client over them.
//!
//! Updates use T2, the full overwrite, with every field (see [`TenantWriteRequest::update`]):
//! the planner has filled what the configuration does not manage from the live tenant, so
//! nothing is cleared. T3 (`PATCH /v1/mgmt/tenant/patch`, "omitted fields are left unchanged")
//! would be more robust still, but only the Python SDK 2.16.1 calls it (not the Go or Node SDKs,
//! not the OpenAPI file, not older Python SDKs) and the reference doc advises preferring T2
//! until it is known to be live for every account; T2 with carried-over fields is what every SDK
//! does.

use descope_mgmt_core::port::{PortError, PortErrorKind, PortResult, ResourcePort};
use descope_mgmt_core::resource::Tenant;
use serde_json::{Map, Value, json};

use super::to_body;
use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::tenant::{DefaultRolesRequest, TenantDto, TenantWriteRequest, created_id};
use crate::error::ApiError;

/// Tenant endpoints of one project.
#[derive(Debug, Clone)]
pub struct TenantApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn tenants(&self) -> TenantApi {
        TenantApi {
            client: self.clone(),
        }
    }
}

impl TenantApi {
    /// T5. `Ok(None)` when the tenant does not exist.
    pub async fn load(&self, id: &str) -> Result<Option<TenantDto>, ApiError> {
        let query = [("id", id)];
        match self
            .client
            .send(Call::get("tenant.load", "/v1/mgmt/tenant", &query))
            .await
        {
            Ok(body) => Ok(Some(TenantDto::from_load_response(&body))),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// T6: every tenant, in one call.
    pub async fn load_all(&self) -> Result<Vec<TenantDto>, ApiError> {
        let body = self
            .client
            .send(Call::get("tenant.load_all", "/v1/mgmt/tenant/all", &[]))
            .await?;
        Ok(TenantDto::list_from_response(&body))
    }

    /// T1, then T10 when the tenant has default roles: T1 takes none (the reference lists no
    /// `defaultRoles` on create, and neither the Python, Node nor Go SDK sends one there; every
    /// SDK sets them with T10), so sending them with the create would be silently dropped by a
    /// server that ignores unknown fields. Returns the id,
    /// server-generated when `tenant.id` is empty. A create whose outcome is unknown is
    /// re-checked (by id, or by the unique name) before it is sent again.
    pub async fn create(&self, tenant: &Tenant) -> Result<String, ApiError> {
        let body = to_body("tenant.create", &TenantWriteRequest::from(tenant))?;
        let found_id = std::sync::Mutex::new(None::<String>);
        let found_slot = &found_id;
        let exists = || async move {
            let found = if tenant.id.is_empty() {
                self.load_all()
                    .await?
                    .into_iter()
                    .find(|t| t.name == tenant.name)
            } else {
                self.load(&tenant.id).await?
            };
            let exists = found.is_some();
            if let (Some(found), Ok(mut slot)) = (found, found_slot.lock()) {
                *slot = Some(found.id);
            }
            Ok(exists)
        };
        let answer = self
            .client
            .create(
                Call::post(
                    "tenant.create",
                    "/v1/mgmt/tenant/create",
                    &body,
                    Repeat::Create,
                ),
                exists,
            )
            .await?;
        let recovered = found_id.lock().ok().and_then(|mut slot| slot.take());
        let id = Some(created_id(&answer))
            .filter(|id| !id.is_empty())
            .or(recovered)
            .unwrap_or_else(|| tenant.id.clone());
        if !tenant.default_roles.is_empty() {
            // The tenant exists from here on: a failure must not read as a failed create.
            self.set_default_roles(&id, &tenant.default_roles)
                .await
                .map_err(|mut error| {
                    error.message = format!(
                        "tenant {id} was created, but setting its default roles failed: {}; \
                         left to do: default roles {} (rerun apply)",
                        error.message,
                        tenant.default_roles.join(", ")
                    );
                    error
                })?;
        }
        Ok(id)
    }

    /// T2 (a full overwrite, so safe to repeat), then T10 so default roles are overwritten too.
    pub async fn update(&self, tenant: &Tenant) -> Result<(), ApiError> {
        self.update_with_default_roles(tenant, true).await
    }

    /// T2, then T10 only when `default_roles_changed`: T2 leaves default roles alone, so an
    /// unchanged list needs no second call.
    pub async fn update_with_default_roles(
        &self,
        tenant: &Tenant,
        default_roles_changed: bool,
    ) -> Result<(), ApiError> {
        let body = to_body("tenant.update", &TenantWriteRequest::update(tenant))?;
        self.client
            .send(Call::post(
                "tenant.update",
                "/v1/mgmt/tenant/update",
                &body,
                Repeat::Safe,
            ))
            .await?;
        if !default_roles_changed {
            return Ok(());
        }
        self.set_default_roles(&tenant.id, &tenant.default_roles)
            .await
    }

    /// T4. Not-found on a retry counts as done.
    pub async fn delete(&self, id: &str, cascade: bool) -> Result<(), ApiError> {
        let body = json!({"id": id, "cascade": cascade});
        self.client
            .post_ignoring_answer(
                "tenant.delete",
                "/v1/mgmt/tenant/delete",
                &body,
                Repeat::Delete,
            )
            .await
    }

    /// T10: replaces the tenant's default roles.
    pub async fn set_default_roles(&self, id: &str, roles: &[String]) -> Result<(), ApiError> {
        let request = DefaultRolesRequest {
            id: id.to_owned(),
            default_roles: roles.to_vec(),
        };
        let body = to_body("tenant.default_roles", &request)?;
        self.client
            .post_ignoring_answer(
                "tenant.default_roles",
                "/v1/mgmt/tenant/updateDefaultRoles",
                &body,
                Repeat::Safe,
            )
            .await
    }

    /// T8: the tenant's settings object as sent by the server (every field, flat).
    pub async fn load_settings(&self, id: &str) -> Result<Map<String, Value>, ApiError> {
        let query = [("id", id)];
        let body = self
            .client
            .send(Call::get(
                "tenant.settings.load",
                "/v1/mgmt/tenant/settings",
                &query,
            ))
            .await?;
        Ok(crate::dto::unwrap_object(&body, "settings")
            .as_object()
            .cloned()
            .unwrap_or_default())
    }

    /// T9: sends the complete settings object (load, modify, send all, as the reference
    /// recommends since the server's merge semantics are unsure).
    pub async fn update_settings(
        &self,
        tenant_id: &str,
        settings: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        let mut body = settings.clone();
        body.insert("tenantId".into(), json!(tenant_id));
        let body = Value::Object(body);
        self.client
            .post_ignoring_answer(
                "tenant.settings.update",
                "/v1/mgmt/tenant/settings",
                &body,
                Repeat::Safe,
            )
            .await
    }
}

impl ResourcePort<Tenant> for DescopeClient {
    async fn load(&self, id: &str) -> PortResult<Option<Tenant>> {
        Ok(self.tenants().load(id).await?.map(Tenant::from))
    }

    async fn list(&self) -> PortResult<Vec<Tenant>> {
        Ok(self
            .tenants()
            .load_all()
            .await?
            .into_iter()
            .map(Tenant::from)
            .collect())
    }

    async fn create(&self, tenant: &Tenant) -> PortResult<()> {
        self.tenants().create(tenant).await.map_err(|error| {
            let created = error.operation == "tenant.default_roles";
            let mut port = PortError::from(error);
            // The create itself landed, so "not found" or "invalid" (a missing role) must not
            // send the engine looking for the tenant and repeating the same failing call; an
            // outage stays one so the engine stops sending.
            if created
                && !matches!(
                    port.kind,
                    PortErrorKind::Unavailable | PortErrorKind::Unreachable
                )
            {
                port.kind = PortErrorKind::Incomplete;
            }
            port
        })?;
        Ok(())
    }

    async fn update(&self, tenant: &Tenant) -> PortResult<()> {
        Ok(self.tenants().update(tenant).await?)
    }

    async fn update_from(&self, live: &Tenant, tenant: &Tenant) -> PortResult<()> {
        let changed = default_roles_differ(Some(live), tenant);
        Ok(self
            .tenants()
            .update_with_default_roles(tenant, changed)
            .await?)
    }

    /// T1 or T2, plus T10 when a create has default roles or an update changes them.
    fn write_calls(&self, before: Option<&Tenant>, after: Option<&Tenant>) -> u64 {
        match after {
            None => 1,
            Some(after) if before.is_none() => 1 + u64::from(!after.default_roles.is_empty()),
            Some(after) => 1 + u64::from(default_roles_differ(before, after)),
        }
    }

    /// Without cascade: a tenant that still has users or SSO settings is refused, not erased.
    async fn delete(&self, id: &str) -> PortResult<()> {
        Ok(self.tenants().delete(id, false).await?)
    }
}

/// Default roles are a set: order and repeats carry no meaning.
fn default_roles_differ(live: Option<&Tenant>, desired: &Tenant) -> bool {
    fn set(roles: &[String]) -> std::collections::BTreeSet<&String> {
        roles.iter().collect()
    }
    live.is_none_or(|live| set(&live.default_roles) != set(&desired.default_roles))
}
