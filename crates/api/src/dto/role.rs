//! Role wire shapes (R1–R5) and their conversion to core's project-level [`Role`].

use descope_mgmt_core::resource::Role;
use serde::Serialize;
use serde_json::Value;

use super::{boolean, flag, integer, items, string, strings};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleDto {
    pub id: String,
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    /// Empty for project-level roles.
    pub tenant_id: String,
    pub default: bool,
    pub private: bool,
    /// `None` when the server did not send the flag.
    pub system_default: Option<bool>,
    pub created_time: i64,
}

impl RoleDto {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            description: string(value, "description"),
            permission_names: strings(value, "permissionNames"),
            tenant_id: string(value, "tenantId"),
            default: boolean(value, "default"),
            private: boolean(value, "private"),
            system_default: flag(value, "systemDefault"),
            created_time: integer(value, "createdTime"),
        }
    }

    pub fn list_from_response(body: &Value) -> Vec<Self> {
        items(body, "roles").iter().map(Self::from_json).collect()
    }
}

impl From<RoleDto> for Role {
    fn from(dto: RoleDto) -> Self {
        Role {
            name: dto.name,
            description: dto.description,
            permission_names: dto.permission_names,
            default: Some(dto.default),
            private: Some(dto.private),
            system_default: dto.system_default,
        }
        .normalized()
    }
}

/// R1 body. `default` and `private` are sent only when the configuration manages them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleCreateRequest {
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
}

impl From<&Role> for RoleCreateRequest {
    fn from(role: &Role) -> Self {
        Self {
            name: role.name.clone(),
            description: role.description.clone(),
            permission_names: role.permission_names.clone(),
            default: role.default,
            private: role.private,
        }
    }
}

/// R2 body, a full overwrite as in the SDKs (Python `role.update`, Go `Role.Update`): `newName` =
/// `name` keeps the name, and `default` and `private` are always sent (the planner fills them from
/// the live role when the configuration leaves them out), since an absent one is cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleUpdateRequest {
    pub name: String,
    pub new_name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub default: bool,
    pub private: bool,
}

impl From<&Role> for RoleUpdateRequest {
    fn from(role: &Role) -> Self {
        Self {
            name: role.name.clone(),
            new_name: role.name.clone(),
            description: role.description.clone(),
            permission_names: role.permission_names.clone(),
            default: role.default.unwrap_or_default(),
            private: role.private.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_roles_and_keeps_tenant_scope() {
        let body = json!({"roles":[
            {"id":"ROL1","name":"viewer","description":"Reads","permissionNames":["b","a"],"tenantId":""},
            {"name":"local","tenantId":"T1","createdTime":"5"}]});
        let roles = RoleDto::list_from_response(&body);
        assert_eq!(roles[1].tenant_id, "T1");
        assert_eq!(roles[1].created_time, 5);
        let role: Role = roles[0].clone().into();
        assert_eq!(role.permission_names, vec!["a", "b"]);
    }

    #[test]
    fn update_request_keeps_the_name() {
        let role = Role {
            name: "viewer".into(),
            ..Role::default()
        };
        let body = serde_json::to_value(RoleUpdateRequest::from(&role)).unwrap();
        assert_eq!(
            body,
            json!({"name":"viewer","newName":"viewer","description":"","permissionNames":[],
                   "default":false,"private":false})
        );
    }
}
