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
    pub themes: Option<ThemeFile>,
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
    pub rate_limit: Option<RateLimitFile>,
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
    pub environments: Option<Vec<String>>,
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
}
