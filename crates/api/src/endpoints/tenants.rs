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

use std::collections::BTreeMap;

use descope_mgmt_core::config::tenant_auth::SsoWrite;
use descope_mgmt_core::port::{PortError, PortErrorKind, PortResult, ResourcePort};
use descope_mgmt_core::resource::{Tenant, TenantRole, TenantSso, sso_key, wire_sso_id};
use descope_mgmt_core::tenant_auth::TenantAuthPort;
use serde_json::{Map, Value, json};

use super::to_body;
use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::password_policy::policy_fields;
use crate::dto::tenant::{
    CountedTenantList, DefaultRolesRequest, TenantDto, TenantList, TenantWriteRequest, created_id,
};
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
        self.load_all_as().await
    }

    /// [`Self::load_all`], each tenant turned into a `T` as it is read.
    async fn load_all_as<T: From<TenantDto>>(&self) -> Result<Vec<T>, ApiError> {
        let list: TenantList<T> = self
            .client
            .send_with_seed(
                Call::get("tenant.load_all", "/v1/mgmt/tenant/all", &[]),
                CountedTenantList::new(),
            )
            .await?;
        Ok(list.0)
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

impl TenantAuthPort for DescopeClient {
    async fn tenant_settings(&self, tenant_id: &str) -> PortResult<Map<String, Value>> {
        Ok(self.tenants().load_settings(tenant_id).await?)
    }

    async fn tenant_sso(&self, tenant_id: &str) -> PortResult<Vec<Value>> {
        Ok(self.sso().load_all(tenant_id).await?)
    }

    async fn tenant_roles(&self, tenant_id: &str) -> PortResult<BTreeMap<String, TenantRole>> {
        Ok(self
            .roles()
            .of_tenant(tenant_id)
            .await?
            .into_iter()
            .map(|role| {
                let scoped = TenantRole::new(role.description, role.permission_names);
                (role.name, scoped)
            })
            .collect())
    }

    async fn tenant_password_policy(&self, tenant_id: &str) -> PortResult<Map<String, Value>> {
        Ok(self.password().load(Some(tenant_id)).await?)
    }
}

impl DescopeClient {
    /// Writes the sign-in parts a tenant manages after the tenant itself (the settings object
    /// also holds tenant fields, so it is loaded after the tenant write). Each settings object
    /// is sent whole: loaded, changed in the managed fields, and sent only when that changed it.
    async fn write_sign_in(&self, tenant: &Tenant) -> PortResult<()> {
        if let Some(session) = &tenant.session {
            let live = self.tenants().load_settings(&tenant.id).await?;
            let mut settings = live.clone();
            session.write_to(&mut settings);
            if settings != live {
                self.tenants()
                    .update_settings(&tenant.id, &settings)
                    .await?;
            }
        }
        if let Some(wanted) = &tenant.sso {
            self.write_sso(&tenant.id, wanted).await?;
        }
        if let Some(policy) = &tenant.password_policy {
            let managed = policy_fields(policy);
            self.password()
                .write_managed(Some(&tenant.id), &managed)
                .await?;
        }
        Ok(())
    }

    /// Creates, updates and deletes the roles inside the tenant so that they are `tenant.roles`
    /// (which the read step completed with the live ones unless `--prune`).
    async fn write_scoped_roles(&self, tenant: &Tenant) -> PortResult<()> {
        let Some(wanted) = &tenant.roles else {
            return Ok(());
        };
        let live_roles = TenantAuthPort::tenant_roles(self, &tenant.id).await?;
        for (name, role) in wanted {
            if live_roles.get(name) != Some(role) {
                self.roles()
                    .write_scoped(&tenant.id, name, Some(role), live_roles.contains_key(name))
                    .await?;
            }
        }
        for name in live_roles.keys().filter(|name| !wanted.contains_key(*name)) {
            self.roles()
                .write_scoped(&tenant.id, name, None, true)
                .await?;
        }
        Ok(())
    }

    /// Configures each declared SSO configuration that needs it by the secret rule (create,
    /// a changed non-secret field, or the "secret replaced" mark of `--rotate-secrets`), and
    /// deletes the live ones `wanted` no longer holds (the read step keeps them in `wanted`
    /// unless `--prune`). An entry without a configured counterpart (kept, or restored from a
    /// backup) is never written: only the configuration holds its secrets.
    async fn write_sso(
        &self,
        tenant_id: &str,
        wanted: &BTreeMap<String, TenantSso>,
    ) -> PortResult<()> {
        let live = self.sso().load_all(tenant_id).await?;
        let live_of = |sso_id: &str| {
            live.iter()
                .find(|config| config["ssoId"].as_str().unwrap_or_default() == sso_id)
        };
        for (key, entry) in wanted {
            let sso_id = wire_sso_id(key);
            let Some(config) = self.sso_config(tenant_id, sso_id) else {
                continue;
            };
            let write = config.write_for(live_of(sso_id), entry.credentials.is_some());
            if write != SsoWrite::Unchanged {
                self.sso()
                    .configure(tenant_id, config, write.sends_secrets())
                    .await?;
            }
        }
        for config in &live {
            let sso_id = config["ssoId"].as_str().unwrap_or_default();
            if !wanted.contains_key(&sso_key(sso_id)) {
                self.sso()
                    .delete(tenant_id, Some(sso_id).filter(|id| !id.is_empty()))
                    .await?;
            }
        }
        Ok(())
    }
}

impl ResourcePort<Tenant> for DescopeClient {
    async fn load(&self, id: &str) -> PortResult<Option<Tenant>> {
        Ok(self.tenants().load(id).await?.map(Tenant::from))
    }

    async fn list(&self) -> PortResult<Vec<Tenant>> {
        Ok(self.tenants().load_all_as::<Tenant>().await?)
    }

    /// With scoped roles the default roles wait for them: create, roles, then default roles.
    async fn create(&self, tenant: &Tenant) -> PortResult<()> {
        let scoped_defaults = tenant.roles.is_some() && !tenant.default_roles.is_empty();
        let bare;
        let created = if scoped_defaults {
            bare = Tenant {
                default_roles: Vec::new(),
                ..tenant.clone()
            };
            &bare
        } else {
            tenant
        };
        self.tenants().create(created).await.map_err(|error| {
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
        // The tenant exists now: a failing write of its parts must not send the engine looking
        // for it and creating it again.
        let parts = async {
            self.write_scoped_roles(tenant).await?;
            if scoped_defaults {
                self.tenants()
                    .set_default_roles(&tenant.id, &tenant.default_roles)
                    .await?;
            }
            self.write_sign_in(tenant).await
        };
        parts.await.map_err(|mut port: PortError| {
            if !matches!(
                port.kind,
                PortErrorKind::Unavailable | PortErrorKind::Unreachable
            ) {
                port.kind = PortErrorKind::Incomplete;
            }
            port
        })
    }

    /// Scoped roles first, since the update sets default roles that may be among them.
    async fn update(&self, tenant: &Tenant) -> PortResult<()> {
        self.write_scoped_roles(tenant).await?;
        self.tenants().update(tenant).await?;
        self.write_sign_in(tenant).await
    }

    /// [`Self::update`], setting default roles only when they changed.
    async fn update_from(&self, live: &Tenant, tenant: &Tenant) -> PortResult<()> {
        let changed = default_roles_differ(Some(live), tenant);
        self.write_scoped_roles(tenant).await?;
        self.tenants()
            .update_with_default_roles(tenant, changed)
            .await?;
        self.write_sign_in(tenant).await
    }

    /// T1 or T2, plus T10 when a create has default roles or an update changes them, plus
    /// what [`sign_in_calls`] counts for the sign-in parts the tenant declares.
    fn write_calls(&self, before: Option<&Tenant>, after: Option<&Tenant>) -> u64 {
        match after {
            None => 1,
            Some(after) if before.is_none() => {
                1 + u64::from(!after.default_roles.is_empty()) + sign_in_calls(None, after)
            }
            Some(after) => {
                1 + u64::from(default_roles_differ(before, after)) + sign_in_calls(before, after)
            }
        }
    }

    /// Without cascade: a tenant that still has users or SSO settings is refused, not erased.
    async fn delete(&self, id: &str) -> PortResult<()> {
        Ok(self.tenants().delete(id, false).await?)
    }
}

/// The calls [`DescopeClient::write_scoped_roles`] and [`DescopeClient::write_sign_in`] make
/// for `after` over `before` (none for a create): each declared part is loaded once, then
/// written where it differs (scoped roles and SSO configurations one call each, deletes too).
/// A created tenant's session settings and password policy count as written: the declared block
/// exists to change Descope's defaults.
fn sign_in_calls(before: Option<&Tenant>, after: &Tenant) -> u64 {
    fn keyed_writes<V: PartialEq>(
        wanted: &BTreeMap<String, V>,
        live: Option<&BTreeMap<String, V>>,
        forced: impl Fn(&V) -> bool,
    ) -> u64 {
        let live_of = |key: &String| live.and_then(|live| live.get(key));
        let writes = wanted
            .iter()
            .filter(|(key, value)| forced(value) || live_of(key) != Some(*value))
            .count();
        let deletes = live.map_or(0, |live| {
            live.keys().filter(|key| !wanted.contains_key(*key)).count()
        });
        1 + (writes + deletes) as u64
    }
    let loaded_then_written = |differs: bool| 1 + u64::from(differs);
    let mut calls = 0;
    if let Some(wanted) = &after.roles {
        calls += keyed_writes(wanted, before.and_then(|b| b.roles.as_ref()), |_| false);
    }
    if let Some(session) = &after.session {
        calls += loaded_then_written(before.and_then(|b| b.session.as_ref()) != Some(session));
    }
    if let Some(wanted) = &after.sso {
        calls += keyed_writes(wanted, before.and_then(|b| b.sso.as_ref()), |entry| {
            entry.credentials.is_some()
        });
    }
    if let Some(policy) = &after.password_policy {
        calls +=
            loaded_then_written(before.and_then(|b| b.password_policy.as_ref()) != Some(policy));
    }
    calls
}

/// Default roles are a set: order and repeats carry no meaning.
fn default_roles_differ(live: Option<&Tenant>, desired: &Tenant) -> bool {
    fn set(roles: &[String]) -> std::collections::BTreeSet<&String> {
        roles.iter().collect()
    }
    live.is_none_or(|live| set(&live.default_roles) != set(&desired.default_roles))
}
