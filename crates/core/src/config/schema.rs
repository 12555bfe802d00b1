//! The JSON Schema of `descope.yaml` for editors and CI (`descope-mgmt config schema`). It is
//! generated from a serde mirror of the file's shape; the loader in [`super::load`] stays the
//! authority (it also checks cross-references, files and variables, which a schema cannot).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// A descope-mgmt configuration file (`descope.yaml`). Strings may use `${VAR}` and
/// `${VAR:-default}`; `$${` is a literal `${`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "descope-mgmt configuration")]
pub struct ConfigFile {
    /// Configuration format version.
    #[schemars(extend("default" = "1.0", "enum" = ["1.0"]))]
    pub version: Option<String>,
    /// Environments by name (lowercase letters, digits, `-`, `_`; `all` is reserved).
    pub environments: BTreeMap<String, EnvironmentFile>,
    #[serde(default)]
    pub permissions: Vec<PermissionFile>,
    #[serde(default)]
    pub roles: Vec<RoleFile>,
    #[serde(default)]
    pub tenants: Vec<TenantFile>,
    #[serde(default)]
    pub flows: Vec<FlowFile>,
    /// A folder of exported flows: every `*.json` in it is a flow, with the id its document
    /// names (`flowId`); relative to the configuration's directory.
    pub flows_dir: Option<String>,
    pub themes: Option<ThemeFile>,
    /// The project's password policy; a tenant's `password_policy` overrides it.
    pub password_policy: Option<PasswordPolicyFile>,
    /// Named partial tenants; a tenant uses them with `template` or `templates`.
    #[serde(default)]
    pub templates: BTreeMap<String, TemplateFile>,
    /// Rules the configuration must keep in each environment (`config validate`, `plan`, `apply`).
    #[serde(default)]
    pub policies: Vec<PolicyFile>,
}

/// A policy: for resources of `kind` in `environments` chosen by `selector`, every `require`
/// entry must hold; `error` blocks (exit 3), `warn` prints.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    #[schemars(length(min = 1))]
    pub name: String,
    #[schemars(extend("default" = "tenant", "enum" = ["tenant", "role"]))]
    pub kind: Option<String>,
    pub environments: Option<Vec<String>>,
    /// A tenant selector, e.g. `tier=enterprise` or `region in (eu,uk)`.
    pub selector: Option<String>,
    /// Field (`enforce_sso`, `custom_attributes.owner`, …) to a value it must equal, or one
    /// operator: `present: true|false`, `in: [..]`, `contains: X`, `not_contains: X`.
    pub require: BTreeMap<String, serde_json::Value>,
    #[schemars(extend("default" = "error", "enum" = ["error", "warn"]))]
    pub level: Option<String>,
    pub message: Option<String>,
}

/// A Descope project reached with a management key, or the embedded emulator.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnvironmentFile {
    Project(ProjectEnvironment),
    Emulator(EmulatorEnvironment),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectEnvironment {
    /// The Descope project id.
    #[schemars(length(min = 1))]
    pub project_id: String,
    /// The management key; write `${VAR}`, never the key itself.
    pub management_key: String,
    #[serde(flatten)]
    pub common: CommonEnvironment,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmulatorEnvironment {
    /// State file of the embedded emulator, relative to the configuration's directory.
    pub emulator: String,
    #[serde(flatten)]
    pub common: CommonEnvironment,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CommonEnvironment {
    /// API base URL; else DESCOPE_BASE_URL, else derived from the project id.
    #[schemars(regex(pattern = r"^https?://"))]
    pub base_url: Option<String>,
    /// Writes need confirmation and deletes need --allow-delete.
    #[schemars(extend("default" = false))]
    pub protected: Option<bool>,
    /// Client-side pace; a Descope project defaults to 200 per 60 s, the embedded emulator is
    /// not paced unless this is set.
    pub rate_limit: Option<RateLimitFile>,
    /// Per-attempt timeout of API calls in seconds (flow, theme and snapshot calls get at least
    /// 120).
    #[schemars(range(min = 1), extend("default" = 60))]
    pub timeout_seconds: Option<u32>,
    /// Changes in flight at once during an apply (`--concurrency` overrides). Default: as many
    /// as the rate limit grants per second, between 1 and 32; 32 when not paced.
    #[schemars(range(min = 1))]
    pub concurrency: Option<u32>,
}

/// Client-side request budget (default 200 requests per 60 seconds).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitFile {
    #[schemars(range(min = 1), extend("default" = 200))]
    pub requests: Option<u32>,
    #[schemars(range(min = 1), extend("default" = 60))]
    pub per_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionFile {
    #[schemars(length(min = 1))]
    pub name: String,
    pub description: Option<String>,
    /// Only in these environments (default: all).
    pub environments: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleFile {
    #[schemars(length(min = 1))]
    pub name: String,
    pub description: Option<String>,
    /// Permission names: defined under `permissions`, or built-in (User Admin, SSO Admin,
    /// Impersonate).
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Given to new users automatically. Absent: the live value is left alone.
    pub default: Option<bool>,
    /// Absent: the live value is left alone.
    pub private: Option<bool>,
    pub environments: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    #[schemars(regex(pattern = r"^[a-z0-9-]+$"), length(min = 3, max = 50))]
    pub id: String,
    /// 1–100 characters after trimming whitespace.
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// Self-provisioning domains (RFC 1035 host names); only sent when `self_provisioning`.
    #[serde(default)]
    #[schemars(inner(
        regex(pattern = r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$"),
        length(max = 253)
    ))]
    pub domains: Vec<String>,
    #[schemars(extend("default" = false))]
    pub self_provisioning: Option<bool>,
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, serde_json::Value>,
    /// Roles given to new users of the tenant (defined, or built-in `Tenant Admin`).
    #[serde(default)]
    pub default_roles: Vec<String>,
    #[schemars(extend("default" = false))]
    pub enforce_sso: Option<bool>,
    #[schemars(extend("default" = false))]
    pub disabled: Option<bool>,
    /// User ids exempt from SSO enforcement. Absent: the live value is left alone.
    pub enforce_sso_exclusions: Option<Vec<String>>,
    /// Absent: the live value is left alone.
    pub federated_app_ids: Option<Vec<String>>,
    /// Absent: the live value is left alone.
    pub role_inheritance: Option<RoleInheritance>,
    /// Parent tenant id (sub-tenants); set on create only: a different parent on a live tenant
    /// is a plan error. Absent: the live value is left alone.
    pub parent: Option<String>,
    pub environments: Option<Vec<String>>,
    /// Roles that exist only inside this tenant; usable in its `default_roles` and SSO mappings.
    #[serde(default)]
    pub roles: Vec<TenantRoleFile>,
    /// The tenant's session settings; without this block they are never read.
    pub session: Option<SessionFile>,
    /// The tenant's SSO configuration, or a list of them (each with its `sso_id`).
    pub sso: Option<SsoBlock>,
    /// Overrides the project's `password_policy` for this tenant.
    pub password_policy: Option<PasswordPolicyFile>,
    /// One template to build the tenant from; its own fields win.
    pub template: Option<String>,
    /// Templates applied in order (mappings merge by key, lists replace); its own fields win.
    pub templates: Option<Vec<String>>,
}

/// A partial tenant: any tenant field but `id` and `name`, and templates of its own.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub domains: Option<Vec<String>>,
    pub self_provisioning: Option<bool>,
    pub custom_attributes: Option<BTreeMap<String, serde_json::Value>>,
    pub default_roles: Option<Vec<String>>,
    pub enforce_sso: Option<bool>,
    pub disabled: Option<bool>,
    pub enforce_sso_exclusions: Option<Vec<String>>,
    pub federated_app_ids: Option<Vec<String>>,
    pub role_inheritance: Option<RoleInheritance>,
    pub parent: Option<String>,
    pub environments: Option<Vec<String>>,
    pub roles: Option<Vec<TenantRoleFile>>,
    pub session: Option<SessionFile>,
    pub sso: Option<SsoBlock>,
    pub password_policy: Option<PasswordPolicyFile>,
    pub template: Option<String>,
    pub templates: Option<Vec<String>>,
}

/// How a sub-tenant inherits roles: `""` (default), `none` or `userOnly`.
#[derive(Debug, Deserialize, JsonSchema)]
pub enum RoleInheritance {
    #[serde(rename = "")]
    Default,
    #[serde(rename = "none")]
    None,
    #[serde(rename = "userOnly")]
    UserOnly,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantRoleFile {
    #[schemars(length(min = 1))]
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A duration with its unit: `15m`, `12h`, `30d`, `2w` (or `30 days`).
const DURATION_PATTERN: &str = r"^\s*[0-9]+\s*(m|min|minutes?|h|hours?|d|days?|w|weeks?)\s*$";

/// Session settings. Every field is optional; an absent one keeps its live value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionFile {
    /// Whether the tenant's own session settings apply (default: true when a duration is set).
    pub enabled: Option<bool>,
    /// 3 minutes to 4 weeks.
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub session_token_expiration: Option<String>,
    /// 3 minutes to 52 weeks, at least the session token's.
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub refresh_token_expiration: Option<String>,
    /// 3 minutes to 4 weeks.
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub stepup_token_expiration: Option<String>,
    pub enable_inactivity: Option<bool>,
    /// 10 minutes to 52 weeks; writing it turns inactivity sign-out on.
    #[schemars(regex(pattern = DURATION_PATTERN))]
    pub inactivity_timeout: Option<String>,
    /// Just-in-time provisioning of SSO users.
    pub jit_provisioning: Option<bool>,
    /// The SSO setup suite.
    pub sso_setup_suite: Option<bool>,
}

/// One SSO configuration, or several.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SsoBlock {
    One(Box<SsoFile>),
    Many(Vec<SsoFile>),
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SsoType {
    Oidc,
    Saml,
}

/// An SSO configuration. OIDC needs `name` and `client_id`; SAML needs `metadata_url`, or
/// `idp_url`, `idp_entity_id` and `idp_certificate`. URLs are absolute https (http for
/// localhost). Secrets (`client_secret`) must be a `${VAR}` reference.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoFile {
    #[serde(rename = "type")]
    pub kind: SsoType,
    /// Which of the tenant's configurations (required when there are several).
    pub sso_id: Option<String>,
    /// SSO domains routed to this configuration.
    pub domains: Option<Vec<String>>,
    pub attribute_mapping: Option<AttributeMappingFile>,
    pub role_mappings: Option<Vec<RoleMappingFile>>,
    /// Role names every SSO user gets.
    pub default_roles: Option<Vec<String>>,
    pub redirect_url: Option<String>,
    /// OIDC: the provider's display name.
    pub name: Option<String>,
    pub client_id: Option<String>,
    /// `${VAR}` only; never returned by Descope (see the README's secret rule).
    #[schemars(regex(pattern = r"^\s*\$\{[^}]+\}\s*$"))]
    pub client_secret: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub user_data_url: Option<String>,
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub scope: Option<Vec<String>>,
    pub callback_domain: Option<String>,
    #[schemars(inner(regex(pattern = "^(none|login|consent|select_account)$")))]
    pub prompt: Option<Vec<String>>,
    #[schemars(regex(pattern = "^(authorization_code|implicit)$"))]
    pub grant_type: Option<String>,
    pub manage_provider_tokens: Option<bool>,
    pub use_pkce: Option<bool>,
    /// SAML by metadata URL.
    pub metadata_url: Option<String>,
    pub idp_url: Option<String>,
    pub idp_entity_id: Option<String>,
    /// PEM `CERTIFICATE` block.
    pub idp_certificate: Option<String>,
    pub idp_additional_certificates: Option<Vec<String>>,
    pub sp_acs_url: Option<String>,
    pub sp_entity_id: Option<String>,
    pub disable_sign_request: Option<bool>,
}

/// User attribute → IdP claim. `login_id`, `verified_email`, `username` and `verified_phone` are
/// OIDC only; `group` is SAML only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeMappingFile {
    pub login_id: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub middle_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub verified_email: Option<String>,
    pub username: Option<String>,
    pub phone_number: Option<String>,
    pub verified_phone: Option<String>,
    pub picture: Option<String>,
    pub group: Option<String>,
}

/// IdP groups whose members get a role (by name: project, tenant or built-in).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleMappingFile {
    pub groups: Vec<String>,
    pub role: String,
}

/// A password policy; every field optional (absent keeps the live value).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicyFile {
    pub enabled: Option<bool>,
    #[schemars(range(min = 4, max = 64))]
    pub min_length: Option<u32>,
    pub lowercase: Option<bool>,
    pub uppercase: Option<bool>,
    pub number: Option<bool>,
    pub non_alphanumeric: Option<bool>,
    pub expiration: Option<bool>,
    #[schemars(range(min = 1, max = 52))]
    pub expiration_weeks: Option<u32>,
    pub reuse: Option<bool>,
    #[schemars(range(min = 1, max = 50))]
    pub reuse_amount: Option<u32>,
    pub lock: Option<bool>,
    #[schemars(range(min = 2, max = 10))]
    pub lock_attempts: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowFile {
    #[schemars(length(min = 1))]
    pub id: String,
    /// Exported flow JSON, relative to the configuration's directory.
    pub file: String,
    #[schemars(extend("default" = true))]
    pub enabled: Option<bool>,
    pub environments: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// Exported theme (styles) JSON, relative to the configuration's directory.
    pub file: String,
}

/// The schema as a JSON value (draft 2020-12).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ConfigFile)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_describes_the_tenant_rules() {
        let schema = json_schema().to_string();
        assert!(schema.contains(r#""pattern":"^[a-z0-9-]+$""#), "{schema}");
        assert!(schema.contains(r#""maxLength":50"#));
        assert!(schema.contains(r#""additionalProperties":false"#));
    }

    /// A definition's keys: its own properties, or for a choice of shapes (an environment is a
    /// project or an emulator) every property any shape has, and those all shapes require.
    fn keys_of(
        schema: &serde_json::Value,
        definition: &serde_json::Value,
    ) -> (Vec<String>, Vec<String>) {
        let shapes: Vec<&serde_json::Value> = match definition["anyOf"].as_array() {
            Some(choices) => choices
                .iter()
                .map(|choice| {
                    let name = choice["$ref"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("#/$defs/");
                    &schema["$defs"][name]
                })
                .collect(),
            None => vec![definition],
        };
        let mut accepted: Vec<String> = shapes
            .iter()
            .flat_map(|shape| shape["properties"].as_object().unwrap().keys().cloned())
            .collect();
        accepted.sort();
        accepted.dedup();
        let required_by = |shape: &serde_json::Value| -> Vec<String> {
            shape["required"]
                .as_array()
                .map(|names| {
                    names
                        .iter()
                        .map(|n| n.as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut required = required_by(shapes[0]);
        required.retain(|key| shapes.iter().all(|shape| required_by(shape).contains(key)));
        required.sort();
        (accepted, required)
    }

    #[test]
    fn schema_and_decoders_accept_and_require_the_same_keys() {
        let schema = json_schema();
        let definitions = schema["$defs"].as_object().unwrap();
        let mut checked: Vec<&str> = Vec::new();
        for (name, keys) in crate::config::load::MAPPINGS {
            let definition = if name.is_empty() {
                &schema
            } else {
                &schema["$defs"][*name]
            };
            assert!(
                definition.is_object(),
                "the schema has no definition {name}"
            );
            let (accepted, required) = keys_of(&schema, definition);
            let mut decoder_accepted: Vec<String> =
                keys.accepted.iter().map(|k| k.to_string()).collect();
            decoder_accepted.sort();
            let mut decoder_required: Vec<String> =
                keys.required.iter().map(|k| k.to_string()).collect();
            decoder_required.sort();
            assert_eq!(accepted, decoder_accepted, "accepted keys of {name:?}");
            assert_eq!(required, decoder_required, "required keys of {name:?}");
            checked.push(name);
        }
        // Every object definition of the schema is a mapping some decoder reads (the shapes of
        // an environment are covered through `EnvironmentFile`).
        for (name, definition) in definitions {
            let covered = checked.contains(&name.as_str()) || name.ends_with("Environment");
            assert!(
                covered || definition.get("properties").is_none(),
                "no decoder for {name}"
            );
        }
    }
}
