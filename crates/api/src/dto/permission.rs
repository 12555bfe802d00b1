//! Permission wire shapes (P1–P4) and their conversion to core's [`Permission`].

use descope_mgmt_core::resource::Permission;
use serde::Serialize;
use serde_json::Value;

use super::{flag, items, string};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionDto {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `None` when the server did not send the flag.
    pub system_default: Option<bool>,
}

impl PermissionDto {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            description: string(value, "description"),
            system_default: flag(value, "systemDefault"),
        }
    }

    pub fn list_from_response(body: &Value) -> Vec<Self> {
        items(body, "permissions")
            .iter()
            .map(Self::from_json)
            .collect()
    }
}

impl From<PermissionDto> for Permission {
    fn from(dto: PermissionDto) -> Self {
        Permission {
            name: dto.name,
            description: dto.description,
            system_default: dto.system_default,
        }
    }
}

/// P1 body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionCreateRequest {
    pub name: String,
    pub description: String,
}

/// P2 body: description replaced; `newName` = `name` keeps the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionUpdateRequest {
    pub name: String,
    pub new_name: String,
    pub description: String,
}

impl From<&Permission> for PermissionCreateRequest {
    fn from(permission: &Permission) -> Self {
        Self {
            name: permission.name.clone(),
            description: permission.description.clone(),
        }
    }
}

impl From<&Permission> for PermissionUpdateRequest {
    fn from(permission: &Permission) -> Self {
        Self {
            name: permission.name.clone(),
            new_name: permission.name.clone(),
            description: permission.description.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_permissions() {
        let body = json!({"permissions":[{"name":"User Admin","systemDefault":true},{"name":"r","description":null}]});
        let list = PermissionDto::list_from_response(&body);
        assert_eq!(list[0].system_default, Some(true));
        let permission: Permission = list[1].clone().into();
        assert_eq!(
            permission,
            Permission {
                name: "r".into(),
                description: String::new(),
                system_default: None,
            }
        );
    }
}
