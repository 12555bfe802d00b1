//! Policies: declarative rules a configuration must keep, checked by `config validate`, `plan`
//! and `apply` for each environment. The language is deliberately small (no scripting):
//!
//! ```yaml
//! policies:
//!   - name: prod-enterprise-sso
//!     environments: [prod]          # default: every environment
//!     kind: tenant                  # tenant (default) or role
//!     selector: tier=enterprise     # a tenant selector (see `selector`); default: all
//!     require:                      # every requirement must hold
//!       enforce_sso: true           # a value: the field must equal it
//!       custom_attributes.owner: {present: true}
//!       default_roles: {contains: Tenant Admin}
//!       custom_attributes.tier: {in: [enterprise, growth, starter]}
//!     level: error                  # error (exit 3, nothing sent) or warn
//!     message: enterprise tenants in prod must enforce SSO
//! ```
//!
//! Fields are a resource's fields by their configuration names; `custom_attributes.KEY` reaches
//! one attribute. Operators: a plain value (equals), `present: true|false`, `in: [..]`,
//! `contains: X`, `not_contains: X` (for lists).

use serde_json::Value as Json;

use super::diagnostic::Severity;
use super::model::{RoleConfig, Scope, TenantConfig};
use super::selector::Selector;

/// Which resources a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Tenant,
    Role,
}

/// What one field must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    Equals(Json),
    Present(bool),
    In(Vec<Json>),
    Contains(Json),
    NotContains(Json),
}

/// One requirement: a field and its expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub field: String,
    pub expectation: Expectation,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub kind: PolicyKind,
    pub environments: Scope,
    pub selector: Option<Selector>,
    pub require: Vec<Requirement>,
    pub level: Severity,
    pub message: String,
}

/// The fields of the policy language, by kind: what `require:` may name.
pub const TENANT_FIELDS: &[&str] = &[
    "id",
    "name",
    "domains",
    "self_provisioning",
    "custom_attributes",
    "default_roles",
    "enforce_sso",
    "disabled",
];
pub const ROLE_FIELDS: &[&str] = &["name", "description", "permissions"];

impl Policy {
    /// Whether the policy governs a tenant in `env`, built from `templates`.
    pub fn applies_to_tenant(
        &self,
        env: &str,
        tenant: &TenantConfig,
        templates: &[String],
    ) -> bool {
        self.applies_to_tenant_kind_in(env)
            && self
                .selector
                .as_ref()
                .is_none_or(|selector| selector.matches(tenant, templates))
    }

    /// Whether the policy governs tenants in `env`, whichever tenant (the selector aside).
    pub fn applies_to_tenant_kind_in(&self, env: &str) -> bool {
        self.kind == PolicyKind::Tenant && self.environments.includes(env)
    }

    pub fn applies_to_role(&self, env: &str) -> bool {
        self.kind == PolicyKind::Role && self.environments.includes(env)
    }
}

impl Requirement {
    /// Whether a field's value (`None`: the field is absent) meets the expectation.
    pub fn holds(&self, value: Option<&Json>) -> bool {
        match (&self.expectation, value) {
            (Expectation::Present(wanted), value) => value.is_some_and(|v| !v.is_null()) == *wanted,
            (Expectation::Equals(wanted), Some(value)) => same(wanted, value),
            (Expectation::In(options), Some(value)) => options.iter().any(|o| same(o, value)),
            (Expectation::Contains(item), Some(Json::Array(items))) => {
                items.iter().any(|i| same(item, i))
            }
            (Expectation::NotContains(item), Some(Json::Array(items))) => {
                !items.iter().any(|i| same(item, i))
            }
            (Expectation::NotContains(_), None) => true,
            _ => false,
        }
    }
}

/// Values compare by their text too, so `seats: 10` meets `"10"` written in a policy.
fn same(wanted: &Json, value: &Json) -> bool {
    wanted == value
        || match (wanted, value) {
            (Json::String(text), other) | (other, Json::String(text)) => {
                !other.is_string() && text.as_str() == other.to_string().as_str()
            }
            _ => false,
        }
}

/// A tenant field's value as the policy language sees it.
pub fn tenant_field(tenant: &TenantConfig, field: &str) -> Option<Json> {
    if let Some(key) = field.strip_prefix("custom_attributes.") {
        return tenant.custom_attributes().get(key).cloned();
    }
    let strings = |items: &[String]| Json::from(items.to_vec());
    Some(match field {
        "id" => Json::from(tenant.id()),
        "name" => Json::from(tenant.name()),
        "domains" => strings(tenant.domains()),
        "self_provisioning" => Json::from(tenant.self_provisioning()),
        "custom_attributes" => Json::Object(
            tenant
                .custom_attributes()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        "default_roles" => strings(tenant.default_roles()),
        "enforce_sso" => Json::from(tenant.enforce_sso()),
        "disabled" => Json::from(tenant.disabled()),
        _ => return None,
    })
}

/// A role field's value as the policy language sees it.
pub fn role_field(role: &RoleConfig, field: &str) -> Option<Json> {
    Some(match field {
        "name" => Json::from(role.name()),
        "description" => Json::from(role.description()),
        "permissions" => Json::from(role.permissions().to_vec()),
        _ => return None,
    })
}

/// Whether `field` is one `require:` may name for `kind`.
pub fn is_known_field(kind: PolicyKind, field: &str) -> bool {
    match kind {
        PolicyKind::Tenant => {
            TENANT_FIELDS.contains(&field)
                || field
                    .strip_prefix("custom_attributes.")
                    .is_some_and(|key| !key.is_empty())
        }
        PolicyKind::Role => ROLE_FIELDS.contains(&field),
    }
}
