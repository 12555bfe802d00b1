//! Tenant wire shapes (T1–T10) and their conversion to and from core's [`Tenant`].

use descope_mgmt_core::resource::Tenant;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{boolean, integer, object, string, strings, unwrap_object};

/// A tenant as load / load-all return it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantDto {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub enforce_sso: bool,
    pub disabled: bool,
    pub default_roles: Vec<String>,
    pub auth_type: String,
    pub domains: Vec<String>,
    pub created_time: i64,
    pub parent: String,
    pub role_inheritance: String,
    pub enforce_sso_exclusions: Vec<String>,
    pub federated_app_ids: Vec<String>,
    pub successors: Vec<String>,
    /// Every other field the server sent, by wire name: kept so that an update sends it back.
    pub unmodelled: Map<String, Value>,
}

/// The wire fields [`TenantDto`] models; anything else goes to `unmodelled`.
const MODELLED: [&str; 15] = [
    "id",
    "name",
    "selfProvisioningDomains",
    "customAttributes",
    "enforceSSO",
    "disabled",
    "defaultRoles",
    "authType",
    "domains",
    "createdTime",
    "parent",
    "roleInheritance",
    "enforceSSOExclusions",
    "federatedAppIds",
    "successors",
];

impl TenantDto {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            self_provisioning_domains: strings(value, "selfProvisioningDomains"),
            custom_attributes: object(value, "customAttributes"),
            enforce_sso: boolean(value, "enforceSSO"),
            disabled: boolean(value, "disabled"),
            default_roles: strings(value, "defaultRoles"),
            auth_type: string(value, "authType"),
            domains: strings(value, "domains"),
            created_time: integer(value, "createdTime"),
            parent: string(value, "parent"),
            role_inheritance: string(value, "roleInheritance"),
            enforce_sso_exclusions: strings(value, "enforceSSOExclusions"),
            federated_app_ids: strings(value, "federatedAppIds"),
            successors: strings(value, "successors"),
            unmodelled: value
                .as_object()
                .map(|fields| {
                    fields
                        .iter()
                        .filter(|(key, _)| !MODELLED.contains(&key.as_str()))
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// T5's body: flat on the real wire, wrapped in `tenant` per the OpenAPI file.
    pub fn from_load_response(body: &Value) -> Self {
        let flat = match body.get("tenant") {
            Some(inner @ Value::Object(_)) if body.get("id").is_none() => inner,
            _ => body,
        };
        Self::from_json(flat)
    }

    /// The tenants of a load-all answer. The answer is consumed: each tenant's JSON is freed as
    /// soon as it is converted, so a 100,000-tenant answer is never held twice.
    pub fn list_from_response(mut body: Value) -> Vec<Self> {
        let items = match body.get_mut("tenants").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        drop(body);
        items
            .into_iter()
            .map(|item| Self::from_json(&item))
            .collect()
    }
}

impl From<TenantDto> for Tenant {
    fn from(dto: TenantDto) -> Self {
        Tenant {
            id: dto.id,
            name: dto.name,
            self_provisioning_domains: dto.self_provisioning_domains,
            custom_attributes: dto.custom_attributes.into_iter().collect(),
            enforce_sso: dto.enforce_sso,
            disabled: dto.disabled,
            default_roles: dto.default_roles,
            enforce_sso_exclusions: Some(dto.enforce_sso_exclusions),
            federated_app_ids: Some(dto.federated_app_ids),
            role_inheritance: Some(dto.role_inheritance),
            parent: Some(dto.parent),
            // Not in the tenant's answer: the sign-in read step fills it where declared.
            session: None,
            sso: None,
            password_policy: None,
            roles: None,
            has_sso: matches!(dto.auth_type.as_str(), "oidc" | "saml"),
            unmodelled: dto.unmodelled.into_iter().collect(),
        }
        .normalized()
    }
}

/// T1 / T2 body. The reference lists no `defaultRoles` on create or update: those go through
/// T10 ([`DefaultRolesRequest`]).
///
/// T2 overwrites the whole tenant (a field left out is cleared), so an update sends every field
/// the SDKs send (Python `tenant.update`, Go `Tenant.Update`) plus every field the server returned
/// that we do not model; the planner has filled the ones the configuration leaves alone from the
/// live tenant. The optional fields are left out only where the tenant has no value for them: on
/// a create from a configuration that does not set them, where the server's default applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantWriteRequest {
    /// `null` on create lets the server generate an id.
    pub id: Option<String>,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    #[serde(rename = "enforceSSO")]
    pub enforce_sso: bool,
    pub disabled: bool,
    #[serde(
        rename = "enforceSSOExclusions",
        skip_serializing_if = "Option::is_none"
    )]
    pub enforce_sso_exclusions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federated_app_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
    /// Create only: T2 does not take it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(flatten)]
    pub unmodelled: Map<String, Value>,
}

impl TenantWriteRequest {
    /// T2's body: every field, the parent left out (Descope sets it on create only).
    pub fn update(tenant: &Tenant) -> Self {
        Self {
            id: Some(tenant.id.clone()),
            enforce_sso_exclusions: Some(tenant.enforce_sso_exclusions.clone().unwrap_or_default()),
            federated_app_ids: Some(tenant.federated_app_ids.clone().unwrap_or_default()),
            role_inheritance: Some(tenant.role_inheritance.clone().unwrap_or_default()),
            parent: None,
            ..Self::from(tenant)
        }
    }
}

impl From<&Tenant> for TenantWriteRequest {
    /// T1's body.
    fn from(tenant: &Tenant) -> Self {
        Self {
            id: Some(tenant.id.clone()).filter(|id| !id.is_empty()),
            name: tenant.name.clone(),
            self_provisioning_domains: tenant.self_provisioning_domains.clone(),
            custom_attributes: tenant
                .custom_attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            enforce_sso: tenant.enforce_sso,
            disabled: tenant.disabled,
            enforce_sso_exclusions: tenant.enforce_sso_exclusions.clone(),
            federated_app_ids: tenant.federated_app_ids.clone(),
            role_inheritance: tenant.role_inheritance.clone(),
            parent: tenant.parent.clone().filter(|parent| !parent.is_empty()),
            unmodelled: tenant
                .unmodelled
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// T10 body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DefaultRolesRequest {
    pub id: String,
    pub default_roles: Vec<String>,
}

/// T1's answer.
pub fn created_id(body: &Value) -> String {
    string(unwrap_object(body, "tenant"), "id")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_a_full_tenant_into_core() {
        let body = json!({"id":"T1","name":"Acme","selfProvisioningDomains":["B.com","a.com"],
            "customAttributes":{"tier":"gold"},"authType":"none","domains":[],"createdTime":"1726067547",
            "disabled":true,"enforceSSO":true,"defaultRoles":["viewer"],"roleInheritance":""});
        let dto = TenantDto::from_load_response(&body);
        assert_eq!(dto.created_time, 1726067547);
        let tenant: Tenant = dto.into();
        assert_eq!(tenant.id, "T1");
        assert_eq!(tenant.self_provisioning_domains, vec!["a.com", "b.com"]);
        assert_eq!(tenant.custom_attributes["tier"], json!("gold"));
        assert!(tenant.enforce_sso && tenant.disabled);
        assert_eq!(tenant.default_roles, vec!["viewer"]);
    }

    #[test]
    fn wrapped_and_sparse_tenants_are_read() {
        let tenant: Tenant =
            TenantDto::from_load_response(&json!({"tenant":{"id":"T2","name":"B"}})).into();
        assert_eq!(tenant.id, "T2");
        assert!(tenant.self_provisioning_domains.is_empty());
        assert!(!tenant.enforce_sso);
        assert!(TenantDto::list_from_response(json!({})).is_empty());
        let listed =
            TenantDto::list_from_response(json!({"tenants": [{"id": "T1"}, {"id": "T2"}]}));
        assert_eq!(
            listed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["T1", "T2"]
        );
    }

    #[test]
    fn write_request_uses_wire_names_and_null_id() {
        let tenant = Tenant {
            name: "Acme".into(),
            enforce_sso: true,
            self_provisioning_domains: vec!["acme.com".into()],
            ..Tenant::default()
        };
        let body = serde_json::to_value(TenantWriteRequest::from(&tenant)).unwrap();
        assert_eq!(
            body,
            json!({"id":null,"name":"Acme","selfProvisioningDomains":["acme.com"],
                   "customAttributes":{},"enforceSSO":true,"disabled":false})
        );
    }
}
