//! Roles (R1–R8) and permissions (P1–P7). A role is identified by (`name`, `tenantId`); a
//! permission by its name. Batches are atomic because a failed call is rolled back as a whole.

use serde_json::{Value, json};

use super::{PERMISSIONS, ROLES, Req, TENANTS, role_unique_name};
use crate::store::Tx;
use crate::wire::{ApiError, ApiResult, Body, empty, new_id, stored_str, stored_strings};

fn find_role(tx: &Tx, name: &str, tenant_id: &str) -> Option<(String, Value)> {
    tx.get_unique(ROLES, &role_unique_name(name, tenant_id))
        .map(|(key, r)| (key.to_owned(), r.clone()))
}

/// By `id`, or by `name` within `tenantId` (empty = project level).
fn locate_role(tx: &Tx, b: &Body) -> ApiResult<(String, Value)> {
    if let Some(id) = b.str("id")?.filter(|s| !s.is_empty()) {
        return tx
            .get(ROLES, &id)
            .cloned()
            .map(|r| (id.clone(), r))
            .ok_or_else(|| ApiError::not_found("Role", &id));
    }
    let name = b.required_str("name")?;
    let tenant = b.str_or_empty("tenantId")?;
    find_role(tx, &name, &tenant).ok_or_else(|| ApiError::not_found("Role", &name))
}

fn check_permissions(tx: &Tx, names: &[String]) -> ApiResult<()> {
    for name in names {
        if tx.get_unique(PERMISSIONS, name).is_none() {
            return Err(ApiError::invalid(format!("permission not found: {name}")));
        }
    }
    Ok(())
}

fn create_one(tx: &mut Tx, b: &Body, now: i64) -> ApiResult<Value> {
    let name = b.required_str("name")?;
    let tenant = b.str_or_empty("tenantId")?;
    let permissions = b.strings_or_empty("permissionNames")?;
    let description = b.str_or_empty("description")?;
    let default = b.bool_or_false("default")?;
    let private = b.bool_or_false("private")?;
    if !tenant.is_empty() && tx.get(TENANTS, &tenant).is_none() {
        return Err(ApiError::invalid(format!("tenant not found: {tenant}")));
    }
    check_permissions(tx, &permissions)?;
    if find_role(tx, &name, &tenant).is_some() {
        return Err(ApiError::duplicate("Role", &name));
    }
    let id = new_id("ROL");
    let role = json!({
        "id": id,
        "name": name,
        "description": description,
        "permissionNames": permissions,
        "createdTime": now,
        "tenantId": tenant,
        "default": default,
        "private": private,
        "systemDefault": false,
    });
    tx.put(ROLES, &id, role.clone());
    Ok(role)
}

/// Replaces `description`, `permissionNames`, `default` and `private`; renames via `newName`.
fn update_one(tx: &mut Tx, b: &Body) -> ApiResult<Value> {
    let (id, mut role) = locate_role(tx, b)?;
    let tenant = stored_str(&role, "tenantId").to_owned();
    let new_name = b
        .str("newName")?
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| stored_str(&role, "name").to_owned());
    if let Some((other, _)) = find_role(tx, &new_name, &tenant)
        && other != id
    {
        return Err(ApiError::duplicate("Role", &new_name));
    }
    let permissions = b.strings_or_empty("permissionNames")?;
    check_permissions(tx, &permissions)?;
    if let Some(obj) = role.as_object_mut() {
        obj.insert("name".into(), json!(new_name));
        obj.insert("description".into(), json!(b.str_or_empty("description")?));
        obj.insert("permissionNames".into(), json!(permissions));
        obj.insert("default".into(), json!(b.bool_or_false("default")?));
        obj.insert("private".into(), json!(b.bool_or_false("private")?));
    }
    tx.put(ROLES, &id, role.clone());
    Ok(role)
}

pub(crate) fn create(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    create_one(tx, &req.body, req.now)
}

/// A role as Descope itself adds one (e.g. `SCIM` once SCIM is set up): `systemDefault: true`.
/// No management call can do this, so it is reached only through the control API.
pub(crate) fn create_system_role(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let mut role = create_one(tx, &req.body, req.now)?;
    role["systemDefault"] = json!(true);
    tx.put(ROLES, stored_str(&role, "id"), role.clone());
    Ok(role)
}

pub(crate) fn update(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    update_one(tx, &req.body)
}

pub(crate) fn delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let (id, _) = locate_role(tx, &req.body)?;
    tx.delete(ROLES, &id);
    Ok(empty())
}

pub(crate) fn load_all(tx: &Tx, _: &Req) -> ApiResult<Vec<u8>> {
    super::list_answer(tx, "roles", ROLES)
}

/// Without `tenantIds` every role matches; with them, only those tenants' roles, plus
/// project-level roles when `includeProjectRoles` is set.
pub(crate) fn search(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let tenant_ids = b.strings_or_empty("tenantIds")?;
    let names = b.strings_or_empty("roleNames")?;
    let like = b.str_or_empty("roleNameLike")?.to_lowercase();
    let text = b.str_or_empty("text")?.to_lowercase();
    let permissions = b.strings_or_empty("permissionNames")?;
    let include_project = b.bool_or_false("includeProjectRoles")?;
    let ids = b.strings_or_empty("roleIds")?;
    let roles: Vec<Value> = tx
        .values(ROLES)
        .filter(|r| {
            let tenant = stored_str(r, "tenantId");
            let name = stored_str(r, "name");
            (tenant_ids.is_empty()
                || tenant_ids.iter().any(|t| t == tenant)
                || (include_project && tenant.is_empty()))
                && (names.is_empty() || names.iter().any(|n| n == name))
                && (like.is_empty() || name.to_lowercase().contains(&like))
                && (text.is_empty() || name.to_lowercase().contains(&text))
                && (permissions.is_empty()
                    || stored_strings(r, "permissionNames")
                        .iter()
                        .any(|p| permissions.contains(p)))
                && (ids.is_empty() || ids.iter().any(|i| i == stored_str(r, "id")))
        })
        .cloned()
        .collect();
    Ok(json!({"roles": roles}))
}

fn batch(req: &Req, key: &str) -> ApiResult<Vec<Body>> {
    req.body.objects(key)?.ok_or_else(|| ApiError::missing(key))
}

pub(crate) fn create_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let mut roles = Vec::new();
    for b in batch(req, "roles")? {
        roles.push(create_one(tx, &b, req.now)?);
    }
    Ok(json!({"roles": roles}))
}

pub(crate) fn update_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let mut roles = Vec::new();
    for b in batch(req, "roles")? {
        roles.push(update_one(tx, &b)?);
    }
    Ok(json!({"roles": roles}))
}

/// An empty filter deletes every role in scope, as the real endpoint does.
pub(crate) fn delete_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let names = b.strings_or_empty("roleNames")?;
    let ids = b.strings_or_empty("roleIds")?;
    let tenant = b.str_or_empty("tenantId")?;
    let everything = names.is_empty() && ids.is_empty();
    for (key, role) in tx.entries(ROLES) {
        let role_tenant = stored_str(&role, "tenantId");
        let selected = if everything {
            tenant.is_empty() || role_tenant == tenant
        } else {
            ids.contains(&key)
                || (role_tenant == tenant && names.iter().any(|n| n == stored_str(&role, "name")))
        };
        if selected {
            tx.delete(ROLES, &key);
        }
    }
    Ok(empty())
}

// --- permissions ----------------------------------------------------------------------------

fn find_permission(tx: &Tx, name: &str) -> Option<(String, Value)> {
    tx.get_unique(PERMISSIONS, name)
        .map(|(key, p)| (key.to_owned(), p.clone()))
}

fn locate_permission(tx: &Tx, b: &Body) -> ApiResult<(String, Value)> {
    if let Some(id) = b.str("id")?.filter(|s| !s.is_empty()) {
        return tx
            .get(PERMISSIONS, &id)
            .cloned()
            .map(|p| (id.clone(), p))
            .ok_or_else(|| ApiError::not_found("Permission", &id));
    }
    let name = b.required_str("name")?;
    find_permission(tx, &name).ok_or_else(|| ApiError::not_found("Permission", &name))
}

fn permission_create_one(tx: &mut Tx, b: &Body) -> ApiResult<()> {
    let name = b.required_str("name")?;
    let description = b.str_or_empty("description")?;
    if find_permission(tx, &name).is_some() {
        return Err(ApiError::duplicate("Permission", &name));
    }
    let id = new_id("PERM");
    tx.put(
        PERMISSIONS,
        &id,
        json!({"id": id, "name": name, "description": description, "systemDefault": false}),
    );
    Ok(())
}

/// A rename is carried into every role that grants the permission.
fn permission_update_one(tx: &mut Tx, b: &Body) -> ApiResult<()> {
    let (id, mut permission) = locate_permission(tx, b)?;
    let old_name = stored_str(&permission, "name").to_owned();
    let new_name = b
        .str("newName")?
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| old_name.clone());
    if new_name != old_name && find_permission(tx, &new_name).is_some() {
        return Err(ApiError::duplicate("Permission", &new_name));
    }
    if let Some(obj) = permission.as_object_mut() {
        obj.insert("name".into(), json!(new_name));
        obj.insert("description".into(), json!(b.str_or_empty("description")?));
    }
    tx.put(PERMISSIONS, &id, permission);
    if new_name != old_name {
        rewrite_role_permissions(tx, &old_name, Some(&new_name));
    }
    Ok(())
}

fn rewrite_role_permissions(tx: &mut Tx, old: &str, new: Option<&str>) {
    let grants = |r: &Value| {
        stored_strings(r, "permissionNames")
            .iter()
            .any(|n| n == old)
    };
    for (key, mut role) in tx.entries_where(ROLES, grants) {
        let names = stored_strings(&role, "permissionNames");
        let updated: Vec<String> = names
            .into_iter()
            .filter_map(|n| {
                if n == old {
                    new.map(str::to_owned)
                } else {
                    Some(n)
                }
            })
            .collect();
        if let Some(obj) = role.as_object_mut() {
            obj.insert("permissionNames".into(), json!(updated));
        }
        tx.put(ROLES, &key, role);
    }
}

/// Allowed even while roles still grant it; those roles lose it.
fn permission_delete_one(tx: &mut Tx, b: &Body) -> ApiResult<()> {
    let (id, permission) = locate_permission(tx, b)?;
    tx.delete(PERMISSIONS, &id);
    rewrite_role_permissions(tx, stored_str(&permission, "name"), None);
    Ok(())
}

pub(crate) fn permission_create(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    permission_create_one(tx, &req.body).map(|_| empty())
}

pub(crate) fn permission_update(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    permission_update_one(tx, &req.body).map(|_| empty())
}

pub(crate) fn permission_delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    permission_delete_one(tx, &req.body).map(|_| empty())
}

pub(crate) fn permission_load_all(tx: &Tx, _: &Req) -> ApiResult<Vec<u8>> {
    super::list_answer(tx, "permissions", PERMISSIONS)
}

pub(crate) fn permission_create_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    for b in batch(req, "permissions")? {
        permission_create_one(tx, &b)?;
    }
    Ok(empty())
}

pub(crate) fn permission_update_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    for b in batch(req, "permissions")? {
        permission_update_one(tx, &b)?;
    }
    Ok(empty())
}

pub(crate) fn permission_delete_batch(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let names = req.body.strings_or_empty("names")?;
    let ids = req.body.strings_or_empty("ids")?;
    if names.is_empty() && ids.is_empty() {
        return Err(ApiError::missing("names"));
    }
    for name in names {
        permission_delete_one(tx, &Body(json_map(&[("name", &name)])))?;
    }
    for id in ids {
        permission_delete_one(tx, &Body(json_map(&[("id", &id)])))?;
    }
    Ok(empty())
}

fn json_map(pairs: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

/// Project-level roles and all permissions, for snapshots.
pub(crate) fn snapshot(tx: &Tx) -> (Vec<Value>, Vec<Value>) {
    let roles = tx
        .values(ROLES)
        .filter(|r| stored_str(r, "tenantId").is_empty())
        .map(|r| {
            json!({
                "name": r["name"], "description": r["description"],
                "permissionNames": r["permissionNames"], "default": r["default"], "private": r["private"],
            })
        })
        .collect();
    let permissions = tx
        .values(PERMISSIONS)
        .map(|p| json!({"name": p["name"], "description": p["description"]}))
        .collect();
    (roles, permissions)
}

/// Replaces the project-level roles and the permissions with the snapshot's, keeping ids of
/// entries that survive by name.
pub(crate) fn restore_snapshot(
    tx: &mut Tx,
    now: i64,
    roles: &[Value],
    permissions: &[Value],
) -> ApiResult<()> {
    let permission_names: Vec<String> = permissions
        .iter()
        .map(|p| Body::from_value(p).and_then(|b| b.required_str("name")))
        .collect::<ApiResult<_>>()?;
    for (key, p) in tx.entries(PERMISSIONS) {
        if !permission_names.iter().any(|n| n == stored_str(&p, "name")) {
            tx.delete(PERMISSIONS, &key);
        }
    }
    for p in permissions {
        let b = Body::from_value(p)?;
        let name = b.required_str("name")?;
        match find_permission(tx, &name) {
            Some((id, mut existing)) => {
                if let Some(obj) = existing.as_object_mut() {
                    obj.insert("description".into(), json!(b.str_or_empty("description")?));
                }
                tx.put(PERMISSIONS, &id, existing);
            }
            None => permission_create_one(tx, &b)?,
        }
    }
    let role_names: Vec<String> = roles
        .iter()
        .map(|r| Body::from_value(r).and_then(|b| b.required_str("name")))
        .collect::<ApiResult<_>>()?;
    for (key, r) in tx.entries(ROLES) {
        if stored_str(&r, "tenantId").is_empty()
            && !role_names.iter().any(|n| n == stored_str(&r, "name"))
        {
            tx.delete(ROLES, &key);
        }
    }
    for r in roles {
        let mut b = Body::from_value(r)?;
        b.0.remove("tenantId");
        b.0.remove("id");
        let name = b.required_str("name")?;
        if find_role(tx, &name, "").is_some() {
            update_one(tx, &b)?;
        } else {
            create_one(tx, &b, now)?;
        }
    }
    Ok(())
}
