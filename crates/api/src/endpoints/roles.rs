//! Roles: R1 create, R2 update, R3 delete, R4 load all, R5 search; and core's role port
//! ([`ResourcePort<Role>`], project-level roles only) on the client.

use descope_mgmt_core::port::{PortResult, ResourcePort};
use descope_mgmt_core::resource::{Role, TenantRole};
use serde_json::{Value, json};

use super::{BatchOutcome, port_outcomes, to_body};
use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::role::{RoleCreateRequest, RoleDto, RoleUpdateRequest};
use crate::error::ApiError;

/// Role endpoints of one project.
#[derive(Debug, Clone)]
pub struct RoleApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn roles(&self) -> RoleApi {
        RoleApi {
            client: self.clone(),
        }
    }
}

impl RoleApi {
    /// R4: project-level and tenant-level roles.
    pub async fn load_all(&self) -> Result<Vec<RoleDto>, ApiError> {
        let body = self
            .client
            .send(Call::get("role.load_all", "/v1/mgmt/role/all", &[]))
            .await?;
        Ok(RoleDto::list_from_response(&body))
    }

    /// R5 with a raw filter (`tenantIds`, `roleNames`, `roleNameLike`, …).
    pub async fn search(&self, filter: &Value) -> Result<Vec<RoleDto>, ApiError> {
        let body = self
            .client
            .send(Call::post(
                "role.search",
                "/v1/mgmt/role/search",
                filter,
                Repeat::Safe,
            ))
            .await?;
        Ok(RoleDto::list_from_response(&body))
    }

    /// R1 for a project-level role; an unknown outcome is re-checked by listing.
    pub async fn create(&self, role: &Role) -> Result<(), ApiError> {
        let body = to_body("role.create", &RoleCreateRequest::from(role))?;
        let exists = || async move {
            Ok(self
                .load_all()
                .await?
                .iter()
                .any(|r| r.name == role.name && r.tenant_id.is_empty()))
        };
        self.client
            .create(
                Call::post("role.create", "/v1/mgmt/role/create", &body, Repeat::Create),
                exists,
            )
            .await
            .map(drop)
    }

    /// R2: replaces description and permissions.
    pub async fn update(&self, role: &Role) -> Result<(), ApiError> {
        let body = to_body("role.update", &RoleUpdateRequest::from(role))?;
        self.client
            .post_ignoring_answer("role.update", "/v1/mgmt/role/update", &body, Repeat::Safe)
            .await
    }

    /// R6: creates every role in one atomic call, else one call each (see
    /// [`DescopeClient::batch_or_each`]).
    pub async fn create_batch(&self, roles: &[Role]) -> BatchOutcome {
        let requests: Vec<RoleCreateRequest> = roles.iter().map(RoleCreateRequest::from).collect();
        let body = match to_body("role.create_batch", &json!({"roles": requests})) {
            Ok(body) => body,
            Err(error) => return roles.iter().map(|_| Err(error.clone())).collect(),
        };
        let call = Call::post(
            "role.create_batch",
            "/v1/mgmt/role/create/batch",
            &body,
            Repeat::Create,
        );
        self.client
            .batch_or_each(roles, call, |role| self.create(role))
            .await
    }

    /// R7: the R2 update of every role in one atomic call, else one call each.
    pub async fn update_batch(&self, roles: &[Role]) -> BatchOutcome {
        let requests: Vec<RoleUpdateRequest> = roles.iter().map(RoleUpdateRequest::from).collect();
        let body = match to_body("role.update_batch", &json!({"roles": requests})) {
            Ok(body) => body,
            Err(error) => return roles.iter().map(|_| Err(error.clone())).collect(),
        };
        let call = Call::post(
            "role.update_batch",
            "/v1/mgmt/role/update/batch",
            &body,
            Repeat::Safe,
        );
        self.client
            .batch_or_each(roles, call, |role| self.update(role))
            .await
    }

    /// R8 for project-level roles by name, else one call each. Never sends an empty list: the
    /// endpoint deletes every role when given none.
    pub async fn delete_batch(&self, names: &[String]) -> BatchOutcome {
        let body = json!({"roleNames": names});
        let call = Call::post(
            "role.delete_batch",
            "/v1/mgmt/role/delete/batch",
            &body,
            Repeat::Delete,
        );
        self.client
            .batch_or_each(names, call, |name| self.delete(name))
            .await
    }

    /// R5: the roles that exist only inside `tenant_id`.
    pub async fn of_tenant(&self, tenant_id: &str) -> Result<Vec<RoleDto>, ApiError> {
        let found = self.search(&json!({"tenantIds": [tenant_id]})).await?;
        Ok(found
            .into_iter()
            .filter(|role| role.tenant_id == tenant_id)
            .collect())
    }

    /// R1, R2 or R3 of a role inside `tenant_id` (`None` deletes it).
    pub async fn write_scoped(
        &self,
        tenant_id: &str,
        name: &str,
        role: Option<&TenantRole>,
        exists: bool,
    ) -> Result<(), ApiError> {
        let (operation, path, repeat, body) = match (role, exists) {
            (Some(role), false) => (
                "role.create",
                "/v1/mgmt/role/create",
                Repeat::Create,
                json!({"name": name, "description": role.description,
                       "permissionNames": role.permission_names, "tenantId": tenant_id}),
            ),
            (Some(role), true) => (
                "role.update",
                "/v1/mgmt/role/update",
                Repeat::Safe,
                json!({"name": name, "newName": name, "description": role.description,
                       "permissionNames": role.permission_names, "tenantId": tenant_id}),
            ),
            (None, _) => (
                "role.delete",
                "/v1/mgmt/role/delete",
                Repeat::Delete,
                json!({"name": name, "tenantId": tenant_id}),
            ),
        };
        self.client
            .post_ignoring_answer(operation, path, &body, repeat)
            .await
    }

    /// R3 for a project-level role.
    pub async fn delete(&self, name: &str) -> Result<(), ApiError> {
        let body = json!({"name": name});
        self.client
            .post_ignoring_answer("role.delete", "/v1/mgmt/role/delete", &body, Repeat::Delete)
            .await
    }
}

impl ResourcePort<Role> for DescopeClient {
    /// Project-level roles only: tenant-level roles belong to their tenant.
    async fn list(&self) -> PortResult<Vec<Role>> {
        Ok(self
            .roles()
            .load_all()
            .await?
            .into_iter()
            .filter(|role| role.tenant_id.is_empty())
            .map(Role::from)
            .collect())
    }

    async fn create(&self, role: &Role) -> PortResult<()> {
        Ok(self.roles().create(role).await?)
    }

    async fn update(&self, role: &Role) -> PortResult<()> {
        Ok(self.roles().update(role).await?)
    }

    async fn delete(&self, name: &str) -> PortResult<()> {
        Ok(self.roles().delete(name).await?)
    }

    fn batches(&self) -> bool {
        true
    }

    async fn create_batch(&self, roles: &[&Role]) -> Vec<PortResult<()>> {
        let owned: Vec<Role> = roles.iter().map(|role| (*role).clone()).collect();
        port_outcomes(self.roles().create_batch(&owned).await)
    }

    async fn update_batch(&self, roles: &[&Role]) -> Vec<PortResult<()>> {
        let owned: Vec<Role> = roles.iter().map(|role| (*role).clone()).collect();
        port_outcomes(self.roles().update_batch(&owned).await)
    }

    async fn delete_batch(&self, names: &[&str]) -> Vec<PortResult<()>> {
        let owned: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        port_outcomes(self.roles().delete_batch(&owned).await)
    }
}
