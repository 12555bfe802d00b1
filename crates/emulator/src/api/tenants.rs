//! Tenants (T1–T10): create, full update, patch, delete with cascade, load, load all, search,
//! settings and default roles.

use serde_json::{Map, Value, json};

use super::{
    ACCESS_KEYS, BY_PARENT, BY_TENANT, ROLES, Req, SSO, TENANT_SETTINGS, TENANTS, USERS,
    role_unique_name,
};
use crate::store::Tx;
use crate::wire::{
    ApiError, ApiResult, Body, empty, new_id, stored_str, stored_strings, strings_value,
};

const ROLE_INHERITANCE: &[&str] = &["", "none", "userOnly"];

fn role_inheritance(body: &Body) -> ApiResult<Option<String>> {
    match body.str("roleInheritance")? {
        Some(v) if !ROLE_INHERITANCE.contains(&v.as_str()) => Err(ApiError::invalid(format!(
            "roleInheritance must be one of \"\", none, userOnly; got {v:?}"
        ))),
        other => Ok(other),
    }
}

fn custom_attributes(body: &Body) -> ApiResult<Option<Value>> {
    Ok(body.object("customAttributes")?.map(Value::Object))
}

fn name_taken(tx: &Tx, name: &str, except_id: Option<&str>) -> bool {
    tx.get_unique(TENANTS, name)
        .is_some_and(|(key, _)| Some(key) != except_id)
}

pub(crate) fn require_tenant(tx: &Tx, id: &str) -> ApiResult<Value> {
    tx.get(TENANTS, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Tenant", id))
}

/// A tenant as answered. Its `successors` are derived from its children's `parent` through an
/// index, so adding or removing a child never rewrites (nor journals) the parent.
fn with_successors(tx: &Tx, mut tenant: Value) -> Value {
    let successors = tx.find_keys(TENANTS, BY_PARENT, stored_str(&tenant, "id"));
    set(&mut tenant, "successors", strings_value(&successors));
    tenant
}

fn set(tenant: &mut Value, key: &str, value: Value) {
    if let Some(obj) = tenant.as_object_mut() {
        obj.insert(key.to_owned(), value);
    }
}

pub(crate) fn create(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let name = b.required_str("name")?;
    let id = match b.str("id")? {
        Some(id) if !id.is_empty() => id,
        _ => new_id("T"),
    };
    let domains = b.strings_or_empty("selfProvisioningDomains")?;
    let attributes = custom_attributes(b)?.unwrap_or_else(empty);
    let exclusions = b.strings_or_empty("enforceSSOExclusions")?;
    let federated = b.strings_or_empty("federatedAppIds")?;
    let parent = b.str_or_empty("parent")?;
    let inheritance = role_inheritance(b)?.unwrap_or_default();
    let auth_type = b.str("authType")?.unwrap_or_else(|| "none".into());
    let enforce = b.bool_or_false("enforceSSO")?;
    let disabled = b.bool_or_false("disabled")?;
    if tx.get(TENANTS, &id).is_some() {
        return Err(ApiError::duplicate("Tenant with id", &id));
    }
    if name_taken(tx, &name, None) {
        return Err(ApiError::duplicate("Tenant with name", &name));
    }
    if !parent.is_empty() && tx.get(TENANTS, &parent).is_none() {
        return Err(ApiError::invalid(format!(
            "parent tenant not found: {parent}"
        )));
    }
    let tenant = json!({
        "id": id,
        "name": name,
        "selfProvisioningDomains": domains,
        "customAttributes": attributes,
        "authType": auth_type,
        "domains": [],
        "createdTime": req.now,
        "disabled": disabled,
        "enforceSSO": enforce,
        "enforceSSOExclusions": exclusions,
        "federatedAppIds": federated,
        "parent": parent,
        "successors": [],
        "defaultRoles": [],
        "roleInheritance": inheritance,
    });
    tx.put(TENANTS, &id, tenant);
    Ok(json!({"id": id}))
}

/// Full overwrite of the updatable fields, as Descope does (PY: "All parameters are used as
/// overrides to the existing tenant. Empty fields will override populated fields"): an absent
/// field is cleared. `parent` is create-only; `authType`, `domains` and `defaultRoles` belong to
/// other calls.
pub(crate) fn update(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let id = b.required_str("id")?;
    let name = b.required_str("name")?;
    let domains = b.strings_or_empty("selfProvisioningDomains")?;
    let attributes = custom_attributes(b)?.unwrap_or_else(empty);
    let exclusions = b.strings_or_empty("enforceSSOExclusions")?;
    let federated = b.strings_or_empty("federatedAppIds")?;
    let inheritance = role_inheritance(b)?.unwrap_or_default();
    let enforce = b.bool_or_false("enforceSSO")?;
    let disabled = b.bool_or_false("disabled")?;
    let mut tenant = require_tenant(tx, &id)?;
    if name_taken(tx, &name, Some(&id)) {
        return Err(ApiError::duplicate("Tenant with name", &name));
    }
    set(&mut tenant, "name", Value::String(name));
    set(
        &mut tenant,
        "selfProvisioningDomains",
        strings_value(&domains),
    );
    set(&mut tenant, "customAttributes", attributes);
    set(&mut tenant, "disabled", Value::Bool(disabled));
    set(&mut tenant, "enforceSSO", Value::Bool(enforce));
    set(
        &mut tenant,
        "enforceSSOExclusions",
        strings_value(&exclusions),
    );
    set(&mut tenant, "federatedAppIds", strings_value(&federated));
    set(&mut tenant, "roleInheritance", Value::String(inheritance));
    tx.put(TENANTS, &id, tenant);
    Ok(empty())
}

pub(crate) fn patch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let id = b.required_str("id")?;
    let mut tenant = require_tenant(tx, &id)?;
    if let Some(name) = b.str("name")? {
        if name.is_empty() {
            return Err(ApiError::missing("name"));
        }
        if name_taken(tx, &name, Some(&id)) {
            return Err(ApiError::duplicate("Tenant with name", &name));
        }
        set(&mut tenant, "name", Value::String(name));
    }
    for key in [
        "selfProvisioningDomains",
        "enforceSSOExclusions",
        "federatedAppIds",
    ] {
        if let Some(v) = b.strings(key)? {
            set(&mut tenant, key, strings_value(&v));
        }
    }
    if let Some(a) = custom_attributes(b)? {
        set(&mut tenant, "customAttributes", a);
    }
    for key in ["disabled", "enforceSSO"] {
        if let Some(v) = b.bool(key)? {
            set(&mut tenant, key, Value::Bool(v));
        }
    }
    if let Some(v) = role_inheritance(b)? {
        set(&mut tenant, "roleInheritance", Value::String(v));
    }
    tx.put(TENANTS, &id, tenant);
    Ok(empty())
}

/// Removes the tenant, its tenant roles, settings and SSO configurations. Users and access keys
/// lose the association; with `cascade` those that belonged only to this tenant go too.
pub(crate) fn delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.body.required_str("id")?;
    let cascade = req.body.bool_or_false("cascade")?;
    require_tenant(tx, &id)?;
    for collection in [ROLES, SSO] {
        for key in tx.find_keys(collection, BY_TENANT, &id) {
            tx.delete(collection, &key);
        }
    }
    tx.delete(TENANT_SETTINGS, &id);
    super::password::forget_tenant(tx, &id);
    for (collection, list_key) in [(USERS, "userTenants"), (ACCESS_KEYS, "keyTenants")] {
        for (key, mut item) in tx.find(collection, BY_TENANT, &id) {
            let Some(links) = item.get(list_key).and_then(Value::as_array).cloned() else {
                continue;
            };
            let kept: Vec<Value> = links
                .into_iter()
                .filter(|l| stored_str(l, "tenantId") != id)
                .collect();
            if cascade && kept.is_empty() {
                tx.delete(collection, &key);
            } else {
                set(&mut item, list_key, Value::Array(kept));
                tx.put(collection, &key, item);
            }
        }
    }
    tx.delete(TENANTS, &id);
    Ok(empty())
}

pub(crate) fn load(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.query_required("id")?;
    let tenant = require_tenant(tx, &id)?;
    Ok(with_successors(tx, tenant))
}

/// Most tenants have no successors, and are answered from their stored text as they are.
pub(crate) fn load_all(tx: &Tx, _: &Req) -> ApiResult<Vec<u8>> {
    let has_children = |id: &str| {
        tx.collection(TENANTS)
            .is_some_and(|c| c.find(BY_PARENT, id).next().is_some())
    };
    super::list_answer_with(tx, "tenants", TENANTS, |id, tenant| {
        let stored_successors = tenant
            .get("successors")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty());
        (stored_successors || has_children(id)).then(|| with_successors(tx, tenant.clone()))
    })
}

/// AND across filters, OR within a list; names match exactly.
pub(crate) fn search(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let ids = b.strings_or_empty("tenantIds")?;
    let names = b.strings_or_empty("tenantNames")?;
    let sp_domains = b.strings_or_empty("tenantSelfProvisioningDomains")?;
    let sso_domains = b.strings_or_empty("tenantSSODomains")?;
    let attributes = b.object("customAttributes")?.unwrap_or_default();
    let auth_type = b.str_or_empty("authType")?;
    let parent = b.str_or_empty("parentTenantId")?;
    let top_level_only = b.bool_or_false("topLevelOnly")?;
    let any_of = |filter: &[String], values: Vec<String>| {
        filter.is_empty() || values.iter().any(|v| filter.contains(v))
    };
    let tenants: Vec<Value> = tx
        .values(TENANTS)
        .filter(|t| {
            any_of(&ids, vec![stored_str(t, "id").to_owned()])
                && any_of(&names, vec![stored_str(t, "name").to_owned()])
                && any_of(&sp_domains, stored_strings(t, "selfProvisioningDomains"))
                && any_of(&sso_domains, stored_strings(t, "domains"))
                && (auth_type.is_empty() || stored_str(t, "authType") == auth_type)
                && (parent.is_empty() || stored_str(t, "parent") == parent)
                && (!top_level_only || stored_str(t, "parent").is_empty())
                && attributes
                    .iter()
                    .all(|(k, v)| t.get("customAttributes").and_then(|a| a.get(k)) == Some(v))
        })
        .map(|t| with_successors(tx, t.clone()))
        .collect();
    Ok(json!({"tenants": tenants}))
}

fn default_settings() -> Map<String, Value> {
    let json = json!({
        "enabled": false,
        "refreshTokenExpiration": 0,
        "refreshTokenExpirationUnit": "",
        "sessionTokenExpiration": 0,
        "sessionTokenExpirationUnit": "",
        "stepupTokenExpiration": 0,
        "stepupTokenExpirationUnit": "",
        "enableInactivity": false,
        "inactivityTime": 0,
        "inactivityTimeUnit": "",
        "JITDisabled": false,
        "ssoSetupSuiteSettings": {
            "enabled": false,
            "styleId": "",
            "disabledFeatures": {"saml": false, "oidc": false, "scim": false, "ssoDomains": false, "groupMapping": false}
        },
    });
    match json {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Settings are the stored session settings plus the fields shared with the tenant object.
pub(crate) fn load_settings(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.query_required("id")?;
    let tenant = require_tenant(tx, &id)?;
    let mut settings = Map::new();
    settings.insert(
        "domains".into(),
        tenant.get("domains").cloned().unwrap_or(json!([])),
    );
    settings.insert(
        "selfProvisioningDomains".into(),
        tenant
            .get("selfProvisioningDomains")
            .cloned()
            .unwrap_or(json!([])),
    );
    settings.insert(
        "authType".into(),
        tenant.get("authType").cloned().unwrap_or(json!("none")),
    );
    let stored = tx.get(TENANT_SETTINGS, &id).and_then(Value::as_object);
    for (k, v) in default_settings() {
        let value = stored.and_then(|s| s.get(&k)).cloned().unwrap_or(v);
        settings.insert(k, value);
    }
    for key in ["enforceSSO", "enforceSSOExclusions", "federatedAppIds"] {
        settings.insert(key.into(), tenant.get(key).cloned().unwrap_or(Value::Null));
    }
    Ok(Value::Object(settings))
}

/// Settings fields as `@descope/node-sdk` spells them (its `TenantSettings` type capitalises
/// them and sends them verbatim), next to the wire name every other client uses.
const NODE_SETTINGS_SPELLINGS: [(&str, &str); 2] = [
    ("inactivityTime", "InactivityTime"),
    ("inactivityTimeUnit", "InactivityTimeUnit"),
];

/// The name under which a settings field is present in the request: the canonical name wins,
/// the Node SDK spelling is the fallback.
fn settings_field<'a>(b: &Body, canonical: &'a str) -> Option<&'a str> {
    if b.has(canonical) {
        return Some(canonical);
    }
    NODE_SETTINGS_SPELLINGS
        .iter()
        .find(|(name, node)| *name == canonical && b.has(node))
        .map(|(_, node)| *node)
}

/// A full write of the session settings: every settings field and `selfProvisioningDomains` (which
/// PY requires on this call) is replaced, an absent one by its zero value. The fields that live on
/// the tenant object and are optional here (`domains`, `authType`, `enforceSSO`,
/// `enforceSSOExclusions`, `federatedAppIds`) change only when present.
pub(crate) fn update_settings(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let id = b.required_str("tenantId")?;
    let mut tenant = require_tenant(tx, &id)?;
    let defaults = default_settings();
    let mut stored = Map::new();
    for (canonical, default) in &defaults {
        let Some(key) = settings_field(b, canonical) else {
            stored.insert(canonical.clone(), default.clone());
            continue;
        };
        let Some(value) = b.get(key) else { continue };
        let ok = match default {
            Value::Bool(_) => value.is_boolean(),
            Value::Number(_) => b.int(key).is_ok(),
            Value::String(_) => value.is_string(),
            Value::Object(_) => value.is_object(),
            _ => true,
        };
        if !ok {
            return Err(ApiError::invalid(format!("field {key} has the wrong type")));
        }
        let value = match default {
            Value::Number(_) => json!(b.int(key)?.unwrap_or(0)),
            _ => value.clone(),
        };
        stored.insert(canonical.clone(), value);
    }
    set(
        &mut tenant,
        "selfProvisioningDomains",
        strings_value(&b.strings_or_empty("selfProvisioningDomains")?),
    );
    if let Some(domains) = b.strings("domains")? {
        super::sso::check_domains_free(tx, &id, &domains)?;
    }
    for key in ["domains", "enforceSSOExclusions", "federatedAppIds"] {
        if let Some(v) = b.strings(key)? {
            set(&mut tenant, key, strings_value(&v));
        }
    }
    if let Some(v) = b.bool("enforceSSO")? {
        set(&mut tenant, "enforceSSO", Value::Bool(v));
    }
    if let Some(v) = b.str("authType")? {
        if !["none", "saml", "oidc"].contains(&v.as_str()) {
            return Err(ApiError::invalid("authType must be none, saml or oidc"));
        }
        set(&mut tenant, "authType", Value::String(v));
    }
    tx.put(TENANTS, &id, tenant);
    tx.put(TENANT_SETTINGS, &id, Value::Object(stored));
    Ok(empty())
}

pub(crate) fn update_default_roles(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.body.required_str("id")?;
    let roles = req.body.strings_or_empty("defaultRoles")?;
    let mut tenant = require_tenant(tx, &id)?;
    for role in &roles {
        let exists = [id.as_str(), ""].iter().any(|scope| {
            tx.get_unique(ROLES, &role_unique_name(role, scope))
                .is_some()
        });
        if !exists {
            return Err(ApiError::invalid(format!("role not found: {role}")));
        }
    }
    set(&mut tenant, "defaultRoles", strings_value(&roles));
    tx.put(TENANTS, &id, tenant);
    Ok(empty())
}

/// The link is fake but well-formed; nothing is served behind it.
pub(crate) fn sso_link_generate(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tenant_id = req.body.required_str("tenantId")?;
    require_tenant(tx, &tenant_id)?;
    Ok(json!({
        "adminSSOConfigurationLink": format!("https://localhost/sso-setup/{tenant_id}/{}", new_id(""))
    }))
}

pub(crate) fn sso_link_revoke(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tenant_id = req.body.required_str("tenantId")?;
    require_tenant(tx, &tenant_id)?;
    Ok(empty())
}
