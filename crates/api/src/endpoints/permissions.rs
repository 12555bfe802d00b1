//! Permissions: P1 create, P2 update, P3 delete, P4 load all; and core's permission port
//! ([`ResourcePort<Permission>`]) on the client.

use descope_mgmt_core::port::{PortResult, ResourcePort};
use descope_mgmt_core::resource::Permission;
use serde_json::json;

use super::{BatchOutcome, port_outcomes, to_body};
use crate::client::{Call, DescopeClient, Repeat};
use crate::dto::permission::{PermissionCreateRequest, PermissionDto, PermissionUpdateRequest};
use crate::error::ApiError;

/// Permission endpoints of one project.
#[derive(Debug, Clone)]
pub struct PermissionApi {
    client: DescopeClient,
}

impl DescopeClient {
    pub fn permissions(&self) -> PermissionApi {
        PermissionApi {
            client: self.clone(),
        }
    }
}

impl PermissionApi {
    /// P4.
    pub async fn load_all(&self) -> Result<Vec<PermissionDto>, ApiError> {
        let body = self
            .client
            .send(Call::get(
                "permission.load_all",
                "/v1/mgmt/permission/all",
                &[],
            ))
            .await?;
        Ok(PermissionDto::list_from_response(&body))
    }

    /// P1; an unknown outcome is re-checked by listing.
    pub async fn create(&self, permission: &Permission) -> Result<(), ApiError> {
        let body = to_body(
            "permission.create",
            &PermissionCreateRequest::from(permission),
        )?;
        let exists = || async move {
            Ok(self
                .load_all()
                .await?
                .iter()
                .any(|p| p.name == permission.name))
        };
        self.client
            .create(
                Call::post(
                    "permission.create",
                    "/v1/mgmt/permission/create",
                    &body,
                    Repeat::Create,
                ),
                exists,
            )
            .await
            .map(drop)
    }

    /// P2: replaces the description.
    pub async fn update(&self, permission: &Permission) -> Result<(), ApiError> {
        let body = to_body(
            "permission.update",
            &PermissionUpdateRequest::from(permission),
        )?;
        self.client
            .post_ignoring_answer(
                "permission.update",
                "/v1/mgmt/permission/update",
                &body,
                Repeat::Safe,
            )
            .await
    }

    /// P3.
    pub async fn delete(&self, name: &str) -> Result<(), ApiError> {
        let body = json!({"name": name});
        self.client
            .post_ignoring_answer(
                "permission.delete",
                "/v1/mgmt/permission/delete",
                &body,
                Repeat::Delete,
            )
            .await
    }

    /// P5: creates every permission in one atomic call, else one call each (see
    /// [`DescopeClient::batch_or_each`]).
    pub async fn create_batch(&self, permissions: &[Permission]) -> BatchOutcome {
        let requests: Vec<PermissionCreateRequest> = permissions
            .iter()
            .map(PermissionCreateRequest::from)
            .collect();
        let body = match to_body("permission.create_batch", &json!({"permissions": requests})) {
            Ok(body) => body,
            Err(error) => return permissions.iter().map(|_| Err(error.clone())).collect(),
        };
        let call = Call::post(
            "permission.create_batch",
            "/v1/mgmt/permission/create/batch",
            &body,
            Repeat::Create,
        );
        self.client
            .batch_or_each(permissions, call, |permission| self.create(permission))
            .await
    }

    /// P6: the P2 update of every permission in one atomic call, else one call each.
    pub async fn update_batch(&self, permissions: &[Permission]) -> BatchOutcome {
        let requests: Vec<PermissionUpdateRequest> = permissions
            .iter()
            .map(PermissionUpdateRequest::from)
            .collect();
        let body = match to_body("permission.update_batch", &json!({"permissions": requests})) {
            Ok(body) => body,
            Err(error) => return permissions.iter().map(|_| Err(error.clone())).collect(),
        };
        let call = Call::post(
            "permission.update_batch",
            "/v1/mgmt/permission/update/batch",
            &body,
            Repeat::Safe,
        );
        self.client
            .batch_or_each(permissions, call, |permission| self.update(permission))
            .await
    }

    /// P7 by name, else one call each; an empty list sends nothing.
    pub async fn delete_batch(&self, names: &[String]) -> BatchOutcome {
        let body = json!({"names": names});
        let call = Call::post(
            "permission.delete_batch",
            "/v1/mgmt/permission/delete/batch",
            &body,
            Repeat::Delete,
        );
        self.client
            .batch_or_each(names, call, |name| self.delete(name))
            .await
    }
}

impl ResourcePort<Permission> for DescopeClient {
    async fn list(&self) -> PortResult<Vec<Permission>> {
        Ok(self
            .permissions()
            .load_all()
            .await?
            .into_iter()
            .map(Permission::from)
            .collect())
    }

    async fn create(&self, permission: &Permission) -> PortResult<()> {
        Ok(self.permissions().create(permission).await?)
    }

    async fn update(&self, permission: &Permission) -> PortResult<()> {
        Ok(self.permissions().update(permission).await?)
    }

    async fn delete(&self, name: &str) -> PortResult<()> {
        Ok(self.permissions().delete(name).await?)
    }

    fn batches(&self) -> bool {
        true
    }

    async fn create_batch(&self, permissions: &[&Permission]) -> Vec<PortResult<()>> {
        let owned: Vec<Permission> = permissions
            .iter()
            .map(|permission| (*permission).clone())
            .collect();
        port_outcomes(self.permissions().create_batch(&owned).await)
    }

    async fn update_batch(&self, permissions: &[&Permission]) -> Vec<PortResult<()>> {
        let owned: Vec<Permission> = permissions
            .iter()
            .map(|permission| (*permission).clone())
            .collect();
        port_outcomes(self.permissions().update_batch(&owned).await)
    }

    async fn delete_batch(&self, names: &[&str]) -> Vec<PortResult<()>> {
        let owned: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        port_outcomes(self.permissions().delete_batch(&owned).await)
    }
}
