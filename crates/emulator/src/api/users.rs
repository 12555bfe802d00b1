//! Users (U1–U4) and access keys (A1–A7): the principals that tenants and roles are granted to.

use serde_json::{Map, Value, json};

use super::{ACCESS_KEYS, ROLES, Req, TENANTS, USERS};
use crate::store::Tx;
use crate::wire::{
    ApiError, ApiResult, Body, empty, new_id, stored_str, stored_strings, strings_value,
};
use axum::http::StatusCode;

const USER_STATUSES: &[&str] = &["enabled", "disabled", "invited", "expired"];
const DEFAULT_PAGE_SIZE: usize = 100;

fn user_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "E112102",
        "User not found",
        format!("Cannot find user: {id}"),
    )
}

/// `[{tenantId, roleNames}]` from a request, checked against existing tenants and annotated with
/// the tenant name the way loads return it.
fn tenant_links(tx: &Tx, body: &Body, key: &str) -> ApiResult<Vec<Value>> {
    let Some(items) = body.objects(key)? else {
        return Ok(Vec::new());
    };
    let mut links = Vec::with_capacity(items.len());
    for item in items {
        let tenant_id = item.required_str("tenantId")?;
        let tenant = tx
            .get(TENANTS, &tenant_id)
            .ok_or_else(|| ApiError::invalid(format!("tenant not found: {tenant_id}")))?;
        let roles = item.strings_or_empty("roleNames")?;
        check_roles(tx, &roles, &tenant_id)?;
        links.push(json!({
            "tenantId": tenant_id,
            "tenantName": stored_str(tenant, "name"),
            "roleNames": roles,
        }));
    }
    Ok(links)
}

fn check_roles(tx: &Tx, roles: &[String], tenant_id: &str) -> ApiResult<()> {
    for role in roles {
        let exists = tx.values(ROLES).any(|r| {
            stored_str(r, "name") == role
                && (stored_str(r, "tenantId").is_empty() || stored_str(r, "tenantId") == tenant_id)
        });
        if !exists {
            return Err(ApiError::invalid(format!("role not found: {role}")));
        }
    }
    Ok(())
}

fn permissions_of(tx: &Tx, roles: &[String], tenant_id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in tx.values(ROLES) {
        let scoped = stored_str(r, "tenantId");
        if roles.iter().any(|n| n == stored_str(r, "name"))
            && (scoped.is_empty() || scoped == tenant_id)
        {
            for p in stored_strings(r, "permissionNames") {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The stored user plus fields derived on read (permissions).
fn user_view(tx: &Tx, user: &Value) -> Value {
    let mut u = user.clone();
    let roles = stored_strings(user, "roleNames");
    let permissions = permissions_of(tx, &roles, "");
    if let Some(obj) = u.as_object_mut() {
        obj.insert("permissions".into(), strings_value(&permissions));
        if let Some(Value::Array(links)) = obj.get_mut("userTenants") {
            for link in links.iter_mut() {
                let tenant_id = stored_str(link, "tenantId").to_owned();
                let roles = stored_strings(link, "roleNames");
                let perms = permissions_of(tx, &roles, &tenant_id);
                if let Some(l) = link.as_object_mut() {
                    l.insert("permissions".into(), strings_value(&perms));
                }
            }
        }
    }
    u
}

fn find_user(tx: &Tx, login_or_user_id: &str) -> Option<(String, Value)> {
    if let Some(u) = tx.get(USERS, login_or_user_id) {
        return Some((login_or_user_id.to_owned(), u.clone()));
    }
    tx.values(USERS)
        .find(|u| {
            stored_strings(u, "loginIds")
                .iter()
                .any(|l| l == login_or_user_id)
        })
        .map(|u| (stored_str(u, "userId").to_owned(), u.clone()))
}

fn create_user(tx: &mut Tx, req: &Req, test: bool) -> ApiResult<Value> {
    let b = &req.body;
    let login_id = b.required_str("loginId")?;
    let mut login_ids = vec![login_id.clone()];
    let additional = match b.strings("additionalLoginIds")? {
        Some(ids) => ids,
        None => b.strings_or_empty("additionalIdentifiers")?,
    };
    login_ids.extend(additional);
    for id in &login_ids {
        if find_user(tx, id).is_some() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "E062107",
                "User already exists",
                format!("User already exists: {id}"),
            ));
        }
    }
    let roles = b.strings_or_empty("roleNames")?;
    check_roles(tx, &roles, "")?;
    let links = tenant_links(tx, b, "userTenants")?;
    let status = match b.str("status")? {
        Some(s) if !USER_STATUSES.contains(&s.as_str()) => {
            return Err(ApiError::invalid(format!("invalid user status: {s}")));
        }
        Some(s) => s,
        None if b.bool_or_false("invite")? => "invited".into(),
        None => "enabled".into(),
    };
    let name = match b.str("displayName")? {
        Some(n) => n,
        None => b.str_or_empty("name")?,
    };
    let sso_apps = match b.strings("ssoAppIDs")? {
        Some(ids) => ids,
        None => b.strings_or_empty("ssoAppIds")?,
    };
    let id = new_id("U");
    let user = json!({
        "userId": id,
        "loginIds": login_ids,
        "name": name,
        "givenName": b.str_or_empty("givenName")?,
        "middleName": b.str_or_empty("middleName")?,
        "familyName": b.str_or_empty("familyName")?,
        "email": b.str_or_empty("email")?,
        "phone": b.str_or_empty("phone")?,
        "verifiedEmail": b.bool_or_false("verifiedEmail")?,
        "verifiedPhone": b.bool_or_false("verifiedPhone")?,
        "picture": b.str_or_empty("picture")?,
        "roleNames": roles,
        "userTenants": links,
        "status": status,
        "test": test || b.bool_or_false("test")?,
        "customAttributes": b.object("customAttributes")?.unwrap_or_default(),
        "createdTime": req.now,
        "externalIds": [login_id],
        "ssoAppIds": sso_apps,
        "editable": true,
        "TOTP": false,
        "SAML": false,
        "SCIM": false,
        "OIDC": false,
        "webauthn": false,
        "password": false,
        "push": false,
        "OAuth": {},
    });
    tx.put(USERS, &id, user.clone());
    Ok(json!({"user": user_view(tx, &user)}))
}

pub(crate) fn create(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    create_user(tx, req, false)
}

pub(crate) fn create_test(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    create_user(tx, req, true)
}

/// `loginId` may also carry a user id (the Node SDK relies on that).
pub(crate) fn load(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req
        .query_opt("loginId")
        .or_else(|| req.query_opt("userId"))
        .ok_or_else(|| ApiError::missing("loginId"))?
        .to_owned();
    let (_, user) = find_user(tx, &id).ok_or_else(|| user_not_found(&id))?;
    Ok(json!({"user": user_view(tx, &user)}))
}

pub(crate) fn delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let id = match b.str("userId")? {
        Some(id) if !id.is_empty() => id,
        _ => b.required_str("loginId")?,
    };
    let (key, _) = find_user(tx, &id).ok_or_else(|| user_not_found(&id))?;
    tx.delete(USERS, &key);
    Ok(empty())
}

/// Filters combine with AND, list filters with OR; `total` counts every match, not the page.
pub(crate) fn search(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let tenant_ids = b.strings_or_empty("tenantIds")?;
    let role_names = b.strings_or_empty("roleNames")?;
    let statuses = b.strings_or_empty("statuses")?;
    let emails = b.strings_or_empty("emails")?;
    let phones = b.strings_or_empty("phones")?;
    let login_ids = b.strings_or_empty("loginIds")?;
    let user_ids = b.strings_or_empty("userIds")?;
    let text = b.str_or_empty("text")?.to_lowercase();
    let test_only = b.bool_or_false("testUsersOnly")?;
    let with_test = b.bool_or_false("withTestUser")? || test_only;
    let limit = b.int("limit")?.unwrap_or(0);
    let page = b.int("page")?.unwrap_or(0);
    let offset = b.int("offset")?.unwrap_or(0);
    if limit < 0 || page < 0 || offset < 0 {
        return Err(ApiError::invalid("page, limit and offset must be >= 0"));
    }
    let limit = if limit == 0 {
        DEFAULT_PAGE_SIZE
    } else {
        limit as usize
    };
    let matches: Vec<Value> = tx
        .values(USERS)
        .filter(|u| {
            let is_test = u.get("test").and_then(Value::as_bool).unwrap_or(false);
            let tenants: Vec<String> = u
                .get("userTenants")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|l| stored_str(l, "tenantId").to_owned())
                        .collect()
                })
                .unwrap_or_default();
            let mut roles = stored_strings(u, "roleNames");
            if let Some(links) = u.get("userTenants").and_then(Value::as_array) {
                for l in links {
                    roles.extend(stored_strings(l, "roleNames"));
                }
            }
            let any = |filter: &[String], values: &[String]| {
                filter.is_empty() || values.iter().any(|v| filter.contains(v))
            };
            let one = |filter: &[String], value: &str| {
                filter.is_empty() || filter.iter().any(|f| f == value)
            };
            (if test_only {
                is_test
            } else {
                with_test || !is_test
            }) && any(&tenant_ids, &tenants)
                && any(&role_names, &roles)
                && one(&statuses, stored_str(u, "status"))
                && one(&emails, stored_str(u, "email"))
                && one(&phones, stored_str(u, "phone"))
                && any(&login_ids, &stored_strings(u, "loginIds"))
                && one(&user_ids, stored_str(u, "userId"))
                && (text.is_empty()
                    || ["name", "email", "phone"]
                        .iter()
                        .any(|k| stored_str(u, k).to_lowercase().contains(&text))
                    || stored_strings(u, "loginIds")
                        .iter()
                        .any(|l| l.to_lowercase().contains(&text)))
        })
        .cloned()
        .collect();
    let total = matches.len();
    let start = if offset > 0 {
        offset as usize
    } else {
        (page as usize).saturating_mul(limit)
    };
    let users: Vec<Value> = matches
        .iter()
        .skip(start)
        .take(limit)
        .map(|u| user_view(tx, u))
        .collect();
    Ok(json!({"users": users, "total": total}))
}

// --- access keys ----------------------------------------------------------------------------

fn require_key(tx: &Tx, id: &str) -> ApiResult<Value> {
    tx.get(ACCESS_KEYS, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Access key", id))
}

fn cleartext_secret() -> String {
    // Only its shape matters: nothing authenticates with access keys against the emulator.
    format!("{}{}", new_id("K"), new_id(""))
}

pub(crate) fn key_create(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let name = b.required_str("name")?;
    let expire = b.int("expireTime")?.unwrap_or(0);
    if expire < 0 {
        return Err(ApiError::invalid("expireTime must be >= 0"));
    }
    let roles = b.strings_or_empty("roleNames")?;
    check_roles(tx, &roles, "")?;
    let links = tenant_links(tx, b, "keyTenants")?;
    let bound_user = b.str_or_empty("userId")?;
    if !bound_user.is_empty() && find_user(tx, &bound_user).is_none() {
        return Err(user_not_found(&bound_user));
    }
    let id = new_id("K");
    let key = json!({
        "id": id,
        "name": name,
        "roleNames": roles,
        "keyTenants": links,
        "status": "active",
        "createdTime": req.now,
        "expireTime": expire,
        "createdBy": "management-key",
        "clientId": new_id("C"),
        "boundUserId": bound_user,
        "customClaims": b.object("customClaims")?.unwrap_or_default(),
        "editable": true,
        "description": b.str_or_empty("description")?,
        "permittedIps": b.strings_or_empty("permittedIps")?,
        "customAttributes": b.object("customAttributes")?.unwrap_or_default(),
    });
    tx.put(ACCESS_KEYS, &id, key.clone());
    Ok(json!({"key": key, "cleartext": cleartext_secret()}))
}

pub(crate) fn key_load(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.query_required("id")?;
    Ok(json!({"key": require_key(tx, &id)?}))
}

pub(crate) fn key_search(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let tenant_ids = b.strings_or_empty("tenantIds")?;
    let bound = b.str_or_empty("boundUserId")?;
    let creator = b.str_or_empty("creatingUser")?;
    let text = b.str_or_empty("text")?.to_lowercase();
    let attributes = b.object("customAttributes")?.unwrap_or_default();
    let keys: Vec<Value> = tx
        .values(ACCESS_KEYS)
        .filter(|k| {
            let tenants: Vec<String> = k
                .get("keyTenants")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|l| stored_str(l, "tenantId").to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (tenant_ids.is_empty() || tenants.iter().any(|t| tenant_ids.contains(t)))
                && (bound.is_empty() || stored_str(k, "boundUserId") == bound)
                && (creator.is_empty() || stored_str(k, "createdBy") == creator)
                && (text.is_empty() || stored_str(k, "name").to_lowercase().contains(&text))
                && attributes
                    .iter()
                    .all(|(a, v)| k.get("customAttributes").and_then(|c| c.get(a)) == Some(v))
        })
        .cloned()
        .collect();
    Ok(json!({"keys": keys}))
}

/// Omitted fields keep their stored values.
pub(crate) fn key_update(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let id = b.required_str("id")?;
    let name = b.required_str("name")?;
    let mut key = require_key(tx, &id)?;
    let mut updates: Map<String, Value> = Map::new();
    updates.insert("name".into(), Value::String(name));
    if let Some(d) = b.str("description")? {
        updates.insert("description".into(), Value::String(d));
    }
    if let Some(roles) = b.strings("roleNames")? {
        check_roles(tx, &roles, "")?;
        updates.insert("roleNames".into(), strings_value(&roles));
    }
    if b.has("keyTenants") {
        updates.insert(
            "keyTenants".into(),
            Value::Array(tenant_links(tx, b, "keyTenants")?),
        );
    }
    for k in ["customClaims", "customAttributes"] {
        if let Some(v) = b.object(k)? {
            updates.insert(k.into(), Value::Object(v));
        }
    }
    if let Some(ips) = b.strings("permittedIps")? {
        updates.insert("permittedIps".into(), strings_value(&ips));
    }
    if let Some(obj) = key.as_object_mut() {
        obj.extend(updates);
    }
    tx.put(ACCESS_KEYS, &id, key.clone());
    Ok(json!({"key": key}))
}

fn set_status_of_key(tx: &mut Tx, id: &str, status: &str) -> ApiResult<()> {
    let mut key = require_key(tx, id)?;
    if let Some(obj) = key.as_object_mut() {
        obj.insert("status".into(), json!(status));
    }
    tx.put(ACCESS_KEYS, id, key);
    Ok(())
}

fn delete_key(tx: &mut Tx, id: &str) -> ApiResult<()> {
    require_key(tx, id)?;
    tx.delete(ACCESS_KEYS, id);
    Ok(())
}

fn set_key_status(tx: &mut Tx, req: &Req, status: &str) -> ApiResult<Value> {
    set_status_of_key(tx, &req.body.required_str("id")?, status)?;
    Ok(empty())
}

pub(crate) fn key_activate(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    set_key_status(tx, req, "active")
}

pub(crate) fn key_deactivate(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    set_key_status(tx, req, "inactive")
}

pub(crate) fn key_delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    delete_key(tx, &req.body.required_str("id")?)?;
    Ok(empty())
}

fn key_ids(req: &Req) -> ApiResult<Vec<String>> {
    let ids = req
        .body
        .strings("ids")?
        .ok_or_else(|| ApiError::missing("ids"))?;
    if ids.is_empty() {
        return Err(ApiError::missing("ids"));
    }
    Ok(ids)
}

fn set_keys_status(tx: &mut Tx, req: &Req, status: &str) -> ApiResult<Value> {
    for id in key_ids(req)? {
        set_status_of_key(tx, &id, status)?;
    }
    Ok(empty())
}

pub(crate) fn key_activate_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    set_keys_status(tx, req, "active")
}

pub(crate) fn key_deactivate_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    set_keys_status(tx, req, "inactive")
}

pub(crate) fn key_delete_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    for id in key_ids(req)? {
        delete_key(tx, &id)?;
    }
    Ok(empty())
}

/// A new secret; the key keeps its id and settings.
pub(crate) fn key_rotate(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.body.required_str("id")?;
    let key = require_key(tx, &id)?;
    Ok(json!({"key": key, "cleartext": cleartext_secret()}))
}

pub(crate) fn delete_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let ids = req
        .body
        .strings("userIds")?
        .ok_or_else(|| ApiError::missing("userIds"))?;
    for id in ids {
        let (key, _) = find_user(tx, &id).ok_or_else(|| user_not_found(&id))?;
        tx.delete(USERS, &key);
    }
    Ok(empty())
}
