//! The sign-in side of `export`: what it reads of each tenant (scoped roles, session settings,
//! SSO configurations, password policy) and how each part is written back as the YAML blocks
//! `plan` reads (`roles:`, `session:`, `sso:`, `password_policy:`), plus the project's
//! `password_policy:`.
//!
//! What a block holds is only what plans empty and validates: a live value outside the
//! configuration's ranges (a zero the server keeps for "off") is left out, which leaves it
//! unmanaged. A tenant gets a block only when its live state shows something of its own, so the
//! export does not make every later plan read every tenant.
//!
//! Reads (README, "Export"): one role search per 100 tenants; per tenant one settings load and
//! one password policy load; one SSO load only for tenants whose `authType` is `saml`/`oidc`.

use std::collections::BTreeMap;

use descope_mgmt_api::DescopeClient;
use descope_mgmt_core::config::load::{sso_attribute_names, sso_plain_fields};
use descope_mgmt_core::config::tenant_auth::{
    INACTIVITY_RANGE, PASSWORD_FIELDS, REFRESH_TOKEN_RANGE, SESSION_TOKEN_RANGE,
    STEPUP_TOKEN_RANGE, SettingDuration,
};
use descope_mgmt_core::resource::{
    Tenant, TenantRole, TenantSession, TenantSso, load_name, sso_key,
};
use descope_mgmt_core::tenant_auth::TenantAuthPort;
use futures::{StreamExt, TryStreamExt};
use serde_json::{Map, Value, json};

use crate::exit::{CliError, Exit};

/// Tenants' ids per role search.
const ROLE_SEARCH_CHUNK: usize = 100;
/// Tenants read at once.
const READ_CONCURRENCY: usize = 8;

/// One tenant's sign-in parts as read.
#[derive(Default)]
pub struct TenantSignIn {
    roles: BTreeMap<String, TenantRole>,
    settings: Map<String, Value>,
    password_policy: Map<String, Value>,
    sso: Vec<Value>,
}

impl TenantSignIn {
    /// The roles the tenant's SSO configurations name (mappings and default roles).
    pub fn sso_role_names(&self) -> impl Iterator<Item = String> + '_ {
        self.sso.iter().flat_map(|live| {
            let mut names = Vec::new();
            for side in [&live["oidc"], &live["saml"]] {
                let mappings = side["roleMappings"].as_array().into_iter().flatten();
                let groups = side["groupsMapping"].as_array().into_iter().flatten();
                for mapping in mappings.chain(groups) {
                    let name = mapping["roleName"]
                        .as_str()
                        .or(mapping["role"]["name"].as_str());
                    names.extend(name.map(str::to_owned));
                }
                let defaults = side["defaultSSORoles"].as_array().into_iter().flatten();
                names.extend(defaults.filter_map(|name| name.as_str().map(str::to_owned)));
            }
            names
        })
    }

    /// The permissions the tenant's own roles name.
    pub fn permission_names(&self) -> impl Iterator<Item = &String> {
        self.roles.values().flat_map(|role| &role.permission_names)
    }
}

/// Reads the sign-in parts of `tenants`, by tenant id.
pub async fn read(
    client: &DescopeClient,
    tenants: &[Tenant],
    env: &str,
) -> Result<BTreeMap<String, TenantSignIn>, CliError> {
    let failed = |error: String| {
        CliError::new(
            Exit::Error,
            format!("cannot read the tenants' sign-in settings in `{env}`: {error}"),
        )
    };
    let mut roles: BTreeMap<String, BTreeMap<String, TenantRole>> = BTreeMap::new();
    for chunk in tenants.chunks(ROLE_SEARCH_CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|tenant| tenant.id.as_str()).collect();
        let found = client
            .roles()
            .search(&json!({ "tenantIds": ids }))
            .await
            .map_err(|error| failed(error.to_string()))?;
        for role in found.into_iter().filter(|role| !role.tenant_id.is_empty()) {
            roles.entry(role.tenant_id).or_default().insert(
                role.name,
                TenantRole::new(role.description, role.permission_names),
            );
        }
    }
    let reads: Vec<(String, TenantSignIn)> = futures::stream::iter(tenants)
        .map(|tenant| async move {
            let settings = client.tenant_settings(&tenant.id).await?;
            let password_policy = client.tenant_password_policy(&tenant.id).await?;
            let sso = match tenant.has_sso {
                true => client.tenant_sso(&tenant.id).await?,
                false => Vec::new(),
            };
            let read = TenantSignIn {
                settings,
                password_policy,
                sso,
                ..TenantSignIn::default()
            };
            Ok::<_, descope_mgmt_core::port::PortError>((tenant.id.clone(), read))
        })
        .buffered(READ_CONCURRENCY)
        .try_collect()
        .await
        .map_err(|error| failed(error.to_string()))?;
    Ok(reads
        .into_iter()
        .map(|(id, mut read)| {
            read.roles = roles.remove(&id).unwrap_or_default();
            (id, read)
        })
        .collect())
}

/// Adds the tenant's sign-in blocks to its YAML `entry`; `project_policy` is the project's live
/// password policy (a tenant without its own reads as the project's, so only a difference is
/// the tenant's).
pub fn add_blocks(
    entry: &mut Map<String, Value>,
    read: &TenantSignIn,
    project_policy: &Map<String, Value>,
) {
    if !read.roles.is_empty() {
        let roles = read
            .roles
            .iter()
            .map(|(name, role)| {
                let mut item = Map::new();
                item.insert("name".into(), json!(name));
                if !role.description.is_empty() {
                    item.insert("description".into(), json!(role.description));
                }
                if !role.permission_names.is_empty() {
                    item.insert("permissions".into(), json!(role.permission_names));
                }
                Value::Object(item)
            })
            .collect();
        entry.insert("roles".into(), Value::Array(roles));
    }
    if let Some(session) = session_block(&TenantSession::from_wire(&read.settings)) {
        entry.insert("session".into(), session);
    }
    let own_policy: Map<String, Value> = read
        .password_policy
        .iter()
        .filter(|(key, value)| project_policy.get(*key) != Some(value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let policy = password_policy_block(&own_policy);
    if !policy.is_empty() {
        entry.insert("password_policy".into(), Value::Object(policy));
    }
    let mut configs: Vec<Value> = read.sso.iter().filter_map(sso_block).collect();
    configs.sort_by_key(|config| config["sso_id"].as_str().unwrap_or_default().to_owned());
    // Descope keeps SSO domains on the tenant, so every configuration reads them back; a
    // domain may route to one configuration only, so they are written once: on the default
    // configuration, or the first by id.
    let domains = read
        .sso
        .first()
        .map(|live| live["tenant"]["domains"].clone())
        .filter(|domains| domains.as_array().is_some_and(|list| !list.is_empty()));
    if let (Some(first), Some(domains)) = (configs.first_mut(), domains) {
        first["domains"] = TenantSso::comparable("domains", &domains);
    }
    match configs.len() {
        0 => {}
        1 if configs[0].get("sso_id").is_none() => {
            entry.insert("sso".into(), configs.remove(0));
        }
        _ => {
            entry.insert("sso".into(), Value::Array(configs));
        }
    }
}

/// The project's (or a tenant's own) password policy as YAML: every field the configuration's
/// ranges accept.
pub fn password_policy_block(live: &Map<String, Value>) -> Map<String, Value> {
    let mut block = Map::new();
    for (yaml, wire, range) in PASSWORD_FIELDS {
        let Some(value) = live.get(*wire) else {
            continue;
        };
        let fits = match (range, value.as_i64()) {
            (Some((low, high)), Some(number)) => (*low..=*high).contains(&number),
            (Some(_), None) => false,
            (None, _) => value.is_boolean(),
        };
        if fits {
            block.insert((*yaml).to_owned(), value.clone());
        }
    }
    block
}

/// A `session:` block when the tenant's settings are its own (enabled), or JIT provisioning is
/// off, or the SSO setup suite is on; otherwise `None`, as the defaults need no block.
fn session_block(session: &TenantSession) -> Option<Value> {
    let own = session.enabled == Some(true)
        || session.jit_provisioning == Some(false)
        || session.sso_setup_suite == Some(true);
    if !own {
        return None;
    }
    let mut block = Map::new();
    let flags = [
        ("enabled", session.enabled),
        ("enable_inactivity", session.enable_inactivity),
        ("jit_provisioning", session.jit_provisioning),
        ("sso_setup_suite", session.sso_setup_suite),
    ];
    for (field, flag) in flags {
        if let Some(flag) = flag {
            block.insert(field.into(), json!(flag));
        }
    }
    let in_range =
        |text: &Option<String>, range: descope_mgmt_core::config::tenant_auth::DurationRange| {
            text.as_deref()
                .and_then(|text| SettingDuration::parse(text).ok())
                .filter(|duration| range.check(*duration).is_ok())
        };
    let refresh = in_range(&session.refresh_token_expiration, REFRESH_TOKEN_RANGE);
    // The loader refuses a session token that outlives the refresh token.
    let session_token =
        in_range(&session.session_token_expiration, SESSION_TOKEN_RANGE).filter(|token| {
            refresh.is_none_or(|refresh| token.total_minutes() <= refresh.total_minutes())
        });
    let durations = [
        ("session_token_expiration", session_token),
        ("refresh_token_expiration", refresh),
        (
            "stepup_token_expiration",
            in_range(&session.stepup_token_expiration, STEPUP_TOKEN_RANGE),
        ),
        (
            "inactivity_timeout",
            in_range(&session.inactivity_timeout, INACTIVITY_RANGE),
        ),
    ];
    for (field, duration) in durations {
        if let Some(duration) = duration {
            block.insert(field.into(), json!(duration.to_string()));
        }
    }
    Some(Value::Object(block))
}

/// One live SSO configuration (`{tenant, saml, oidc, ssoId}`) as an `sso:` item, without its
/// domains (see [`add_blocks`]) or secret (see [`secret_variable`]); `None` when neither side
/// is configured.
fn sso_block(live: &Value) -> Option<Value> {
    let set = |value: &Value| match value {
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Bool(flag) => *flag,
        Value::Object(fields) => !fields.is_empty(),
        _ => false,
    };
    let oidc = set(&live["oidc"]["clientId"]);
    let by_metadata = set(&live["saml"]["idpMetadataUrl"]);
    let saml = by_metadata
        || ["idpEntityId", "idpSSOUrl"]
            .iter()
            .any(|key| set(&live["saml"][*key]));
    if !oidc && !saml {
        return None;
    }
    let protocol = if oidc { "oidc" } else { "saml" };
    let side = &live[protocol];
    let mut block = Map::new();
    block.insert("type".into(), json!(protocol));
    let sso_id = live["ssoId"].as_str().unwrap_or_default();
    if !sso_id.is_empty() {
        block.insert("sso_id".into(), json!(sso_id));
    }
    for (yaml, wire) in sso_plain_fields(oidc) {
        // By metadata URL the IdP's own fields come from the document and may not be written.
        if by_metadata && yaml.starts_with("idp_") {
            continue;
        }
        let value = &side[load_name(protocol, wire)];
        if set(value) {
            block.insert(yaml.into(), value.clone());
        }
    }
    let attributes = if oidc {
        &side["userAttrMapping"]
    } else {
        &side["attributeMapping"]
    };
    let mapping: Map<String, Value> = sso_attribute_names(oidc)
        .filter_map(|(yaml, wire)| {
            let claim = attributes[wire.as_str()].as_str()?;
            (!claim.is_empty()).then(|| (yaml.to_owned(), json!(claim)))
        })
        .collect();
    if !mapping.is_empty() {
        block.insert("attribute_mapping".into(), Value::Object(mapping));
    }
    let mappings = side
        .get("roleMappings")
        .filter(|value| set(value))
        .unwrap_or(&side["groupsMapping"]);
    if set(mappings) {
        block.insert(
            "role_mappings".into(),
            TenantSso::comparable("roleMappings", mappings),
        );
    }
    if set(&side["defaultSSORoles"]) {
        block.insert("default_roles".into(), side["defaultSSORoles"].clone());
    }
    Some(Value::Object(block))
}

/// `DESCOPE_<ENV>_SSO_<TENANT>_<SSO ID>_CLIENT_SECRET` (`DEFAULT` for the tenant's default
/// configuration), upper case with every other character `_`: the variable an exported OIDC
/// configuration takes its secret from.
pub fn secret_variable(env_prefix: &str, tenant_id: &str, sso_id: Option<&str>) -> String {
    let key = sso_key(sso_id.unwrap_or_default());
    format!(
        "{env_prefix}_SSO_{}_{}_CLIENT_SECRET",
        shout(tenant_id),
        shout(&key)
    )
}

/// `text` upper case with every character but letters and digits `_`: a variable name part.
pub fn shout(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Sets `client_secret` of every OIDC item of the exported `tenants` to its variable (after the
/// document's `${` escaping, so that it stays a reference). No default: a placeholder would be
/// sent as the secret by the next write that carries it.
pub fn add_secret_references(tenants: &mut Value, env_prefix: &str) {
    let Some(tenants) = tenants.as_array_mut() else {
        return;
    };
    for tenant in tenants {
        let id = tenant["id"].as_str().unwrap_or_default().to_owned();
        let items: Vec<&mut Value> = match tenant.get_mut("sso") {
            Some(Value::Array(items)) => items.iter_mut().collect(),
            Some(item @ Value::Object(_)) => vec![item],
            _ => continue,
        };
        for item in items.into_iter().filter(|item| item["type"] == "oidc") {
            let variable = secret_variable(env_prefix, &id, item["sso_id"].as_str());
            item["client_secret"] = json!(format!("${{{variable}}}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_variable_names_environment_tenant_and_configuration() {
        assert_eq!(
            secret_variable("DESCOPE_DEV", "acme-corp", Some("okta")),
            "DESCOPE_DEV_SSO_ACME_CORP_OKTA_CLIENT_SECRET"
        );
        assert_eq!(
            secret_variable("DESCOPE_DEV", "acme-corp", None),
            "DESCOPE_DEV_SSO_ACME_CORP_DEFAULT_CLIENT_SECRET"
        );
    }

    #[test]
    fn a_password_policy_keeps_only_values_the_configuration_accepts() {
        let live = json!({"enabled": true, "minLength": 8, "expirationWeeks": 0, "lock": false});
        let block = password_policy_block(live.as_object().unwrap());
        assert_eq!(
            Value::Object(block),
            json!({"enabled": true, "min_length": 8, "lock": false})
        );
    }
}
