//! One Descope project as the apply engine needs it: the client's three port handles behind a
//! single [`descope_mgmt_core::apply::Project`], plus the client's counters for the run summary.

use descope_mgmt_api::{ClientStats, DescopeClient, PermissionApi, RoleApi, TenantApi};
use descope_mgmt_core::apply::CancelToken;
use descope_mgmt_core::port::{PermissionPort, PortResult, RolePort, TenantPort};
use descope_mgmt_core::resource::{Permission, Role, Tenant};

#[derive(Debug, Clone)]
pub struct ClientProject {
    client: DescopeClient,
    tenants: TenantApi,
    roles: RoleApi,
    permissions: PermissionApi,
}

impl ClientProject {
    pub fn new(client: DescopeClient) -> Self {
        Self {
            tenants: client.tenants(),
            roles: client.roles(),
            permissions: client.permissions(),
            client,
        }
    }

    pub fn stats(&self) -> ClientStats {
        self.client.stats()
    }

    /// The client's cancel token: an apply that uses it stops the client's waits too.
    pub fn cancel_token(&self) -> CancelToken {
        self.client.cancel_token()
    }
}

impl TenantPort for ClientProject {
    async fn load(&self, id: &str) -> PortResult<Option<Tenant>> {
        TenantPort::load(&self.tenants, id).await
    }
    async fn list(&self) -> PortResult<Vec<Tenant>> {
        TenantPort::list(&self.tenants).await
    }
    async fn create(&self, tenant: &Tenant) -> PortResult<()> {
        TenantPort::create(&self.tenants, tenant).await
    }
    async fn update(&self, tenant: &Tenant) -> PortResult<()> {
        TenantPort::update(&self.tenants, tenant).await
    }
    async fn delete(&self, id: &str) -> PortResult<()> {
        TenantPort::delete(&self.tenants, id).await
    }
}

impl RolePort for ClientProject {
    async fn list(&self) -> PortResult<Vec<Role>> {
        RolePort::list(&self.roles).await
    }
    async fn create(&self, role: &Role) -> PortResult<()> {
        RolePort::create(&self.roles, role).await
    }
    async fn update(&self, role: &Role) -> PortResult<()> {
        RolePort::update(&self.roles, role).await
    }
    async fn delete(&self, name: &str) -> PortResult<()> {
        RolePort::delete(&self.roles, name).await
    }
}

impl PermissionPort for ClientProject {
    async fn list(&self) -> PortResult<Vec<Permission>> {
        PermissionPort::list(&self.permissions).await
    }
    async fn create(&self, permission: &Permission) -> PortResult<()> {
        PermissionPort::create(&self.permissions, permission).await
    }
    async fn update(&self, permission: &Permission) -> PortResult<()> {
        PermissionPort::update(&self.permissions, permission).await
    }
    async fn delete(&self, name: &str) -> PortResult<()> {
        PermissionPort::delete(&self.permissions, name).await
    }
}
