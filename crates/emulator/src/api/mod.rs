//! The management endpoints: the route table and one module per resource family.

use std::collections::HashMap;

use axum::http::Method;
use serde_json::{Value, json};

use crate::store::{IndexSpec, Tx, UniqueKey};
use crate::wire::{ApiError, ApiResult, Body, stored_str};

pub(crate) mod flows;
pub(crate) mod password;
pub(crate) mod project;
pub(crate) mod roles;
pub(crate) mod sso;
pub(crate) mod tenants;
pub(crate) mod users;

pub(crate) const TENANTS: &str = "tenants";
pub(crate) const TENANT_SETTINGS: &str = "tenantSettings";
pub(crate) const ROLES: &str = "roles";
pub(crate) const PERMISSIONS: &str = "permissions";
pub(crate) const FLOWS: &str = "flows";
pub(crate) const THEME: &str = "theme";
pub(crate) const USERS: &str = "users";
pub(crate) const ACCESS_KEYS: &str = "accessKeys";
pub(crate) const SSO: &str = "sso";
pub(crate) const SNAPSHOT_FILES: &str = "snapshotFiles";
pub(crate) const PROJECT: &str = "project";
pub(crate) const PASSWORD_SETTINGS: &str = "passwordSettings";

/// How a collection's unique name is derived from an entity, where Descope enforces one: tenant
/// names, role names within a tenant (or the project), permission names.
pub(crate) fn unique_key(collection: &str) -> Option<UniqueKey> {
    match collection {
        TENANTS | PERMISSIONS => Some(|v| Some(stored_str(v, "name").to_owned())),
        ROLES => Some(|v| {
            Some(role_unique_name(
                stored_str(v, "name"),
                stored_str(v, "tenantId"),
            ))
        }),
        _ => None,
    }
}

/// Index names of [`indexes`].
pub(crate) const BY_TENANT: &str = "tenant";
pub(crate) const BY_PARENT: &str = "parent";
pub(crate) const BY_SSO_DOMAIN: &str = "ssoDomain";

fn non_empty(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        vec![s.to_owned()]
    }
}

fn linked_tenants(v: &Value, list_key: &str) -> Vec<String> {
    v.get(list_key)
        .and_then(Value::as_array)
        .map(|links| {
            links
                .iter()
                .map(|l| stored_str(l, "tenantId"))
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The secondary indexes of a collection: what a handler looks entities up by, so that no call
/// walks a whole collection to find the few entities of one tenant. `BY_TENANT` is the tenant an
/// entity belongs to, `BY_PARENT` a tenant's parent (its successors are derived from it) and
/// `BY_SSO_DOMAIN` a tenant's SSO domains, lower-cased as they compare.
pub(crate) fn indexes(collection: &str) -> &'static [IndexSpec] {
    const TENANT_INDEXES: &[IndexSpec] = &[
        IndexSpec {
            name: BY_PARENT,
            values_of: |v| non_empty(stored_str(v, "parent")),
        },
        IndexSpec {
            name: BY_SSO_DOMAIN,
            values_of: |v| {
                crate::wire::stored_strings(v, "domains")
                    .iter()
                    .map(|d| d.to_lowercase())
                    .collect()
            },
        },
    ];
    const OWNED_BY_TENANT: &[IndexSpec] = &[IndexSpec {
        name: BY_TENANT,
        values_of: |v| non_empty(stored_str(v, "tenantId")),
    }];
    const USERS_BY_TENANT: &[IndexSpec] = &[IndexSpec {
        name: BY_TENANT,
        values_of: |v| linked_tenants(v, "userTenants"),
    }];
    const KEYS_BY_TENANT: &[IndexSpec] = &[IndexSpec {
        name: BY_TENANT,
        values_of: |v| linked_tenants(v, "keyTenants"),
    }];
    match collection {
        TENANTS => TENANT_INDEXES,
        ROLES | SSO => OWNED_BY_TENANT,
        USERS => USERS_BY_TENANT,
        ACCESS_KEYS => KEYS_BY_TENANT,
        _ => &[],
    }
}

/// A role's identity is (name, tenant); NUL cannot occur in either.
pub(crate) fn role_unique_name(name: &str, tenant_id: &str) -> String {
    format!("{tenant_id}\u{0}{name}")
}

/// One parsed management call.
#[derive(Debug)]
pub(crate) struct Req {
    pub body: Body,
    pub query: HashMap<String, String>,
    pub now: i64,
}

impl Req {
    pub fn query_required(&self, key: &str) -> ApiResult<String> {
        match self.query.get(key) {
            Some(v) if !v.is_empty() => Ok(v.clone()),
            _ => Err(ApiError::missing(key)),
        }
    }

    pub fn query_opt(&self, key: &str) -> Option<&str> {
        self.query
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

pub(crate) type Handler = fn(&mut Tx, &Req) -> ApiResult<Value>;

/// A read whose answer is serialised straight from the stored entities (load-all of large
/// collections), so its cost is one pass over the data and no copy of it.
pub(crate) type RawHandler = fn(&Tx, &Req) -> ApiResult<Vec<u8>>;

/// What serves a route.
#[derive(Clone, Copy)]
pub(crate) enum Route {
    Json(Handler),
    Raw(RawHandler),
}

const RAW_ROUTES: &[(&str, &str, RawHandler)] = &[
    ("GET", "/v1/mgmt/tenant/all", tenants::load_all),
    ("GET", "/v1/mgmt/role/all", roles::load_all),
    ("GET", "/v1/mgmt/permission/all", roles::permission_load_all),
];

const ROUTES: &[(&str, &str, Handler)] = &[
    ("GET", "/v1/mgmt/license", license),
    ("POST", "/v1/mgmt/tenant/create", tenants::create),
    ("POST", "/v1/mgmt/tenant/update", tenants::update),
    ("PATCH", "/v1/mgmt/tenant/patch", tenants::patch),
    ("POST", "/v1/mgmt/tenant/delete", tenants::delete),
    ("GET", "/v1/mgmt/tenant", tenants::load),
    ("POST", "/v1/mgmt/tenant/search", tenants::search),
    ("GET", "/v1/mgmt/tenant/settings", tenants::load_settings),
    ("POST", "/v1/mgmt/tenant/settings", tenants::update_settings),
    (
        "POST",
        "/v1/mgmt/tenant/updateDefaultRoles",
        tenants::update_default_roles,
    ),
    ("POST", "/v1/mgmt/flow/list", flows::list),
    ("POST", "/v1/mgmt/flow/delete", flows::delete),
    ("POST", "/v1/mgmt/flow/export", flows::export_v1),
    ("POST", "/v1/mgmt/flow/import", flows::import_v1),
    ("POST", "/v2/mgmt/flow/export", flows::export_v2),
    ("POST", "/v2/mgmt/flow/import", flows::import_v2),
    ("POST", "/v1/mgmt/theme/export", flows::theme_export_v1),
    ("POST", "/v1/mgmt/theme/import", flows::theme_import_v1),
    ("POST", "/v2/mgmt/theme/export", flows::theme_export_v2),
    ("POST", "/v2/mgmt/theme/import", flows::theme_import_v2),
    ("POST", "/v1/mgmt/role/create", roles::create),
    ("POST", "/v1/mgmt/role/update", roles::update),
    ("POST", "/v1/mgmt/role/delete", roles::delete),
    ("POST", "/v1/mgmt/role/search", roles::search),
    ("POST", "/v1/mgmt/role/create/batch", roles::create_batch),
    ("POST", "/v1/mgmt/role/update/batch", roles::update_batch),
    ("POST", "/v1/mgmt/role/delete/batch", roles::delete_batch),
    (
        "POST",
        "/v1/mgmt/permission/create",
        roles::permission_create,
    ),
    (
        "POST",
        "/v1/mgmt/permission/update",
        roles::permission_update,
    ),
    (
        "POST",
        "/v1/mgmt/permission/delete",
        roles::permission_delete,
    ),
    (
        "POST",
        "/v1/mgmt/permission/create/batch",
        roles::permission_create_batch,
    ),
    (
        "POST",
        "/v1/mgmt/permission/update/batch",
        roles::permission_update_batch,
    ),
    (
        "POST",
        "/v1/mgmt/permission/delete/batch",
        roles::permission_delete_batch,
    ),
    ("GET", "/v2/mgmt/sso/settings", sso::load),
    ("GET", "/v2/mgmt/sso/settings/all", sso::load_all),
    ("POST", "/v1/mgmt/sso/oidc", sso::configure_oidc),
    ("POST", "/v1/mgmt/sso/saml", sso::configure_saml),
    (
        "POST",
        "/v1/mgmt/sso/saml/metadata",
        sso::configure_saml_metadata,
    ),
    ("DELETE", "/v1/mgmt/sso/settings", sso::delete),
    ("GET", "/v1/mgmt/password/settings", password::load),
    ("POST", "/v1/mgmt/password/settings", password::configure),
    ("POST", "/v1/mgmt/accesskey/create", users::key_create),
    ("GET", "/v1/mgmt/accesskey", users::key_load),
    ("POST", "/v1/mgmt/accesskey/search", users::key_search),
    ("POST", "/v1/mgmt/accesskey/update", users::key_update),
    ("POST", "/v1/mgmt/accesskey/activate", users::key_activate),
    (
        "POST",
        "/v1/mgmt/accesskey/deactivate",
        users::key_deactivate,
    ),
    ("POST", "/v1/mgmt/accesskey/delete", users::key_delete),
    ("POST", "/v1/mgmt/user/create", users::create),
    ("POST", "/v1/mgmt/user/create/test", users::create_test),
    ("GET", "/v1/mgmt/user", users::load),
    ("POST", "/v2/mgmt/user/search", users::search),
    ("POST", "/v1/mgmt/user/delete", users::delete),
    ("POST", "/v1/mgmt/project/snapshot/export", project::export),
    ("POST", "/v1/mgmt/project/snapshot/import", project::import),
    (
        "POST",
        "/v1/mgmt/project/snapshot/validate",
        project::validate,
    ),
    ("POST", "/v1/mgmt/project/export", project::export),
    ("POST", "/v1/mgmt/project/import", project::import),
    ("POST", "/v1/mgmt/project/update/name", project::update_name),
    ("POST", "/v1/mgmt/project/update/tags", project::update_tags),
    (
        "POST",
        "/v2/mgmt/tenant/adminlinks/sso/generate",
        tenants::sso_link_generate,
    ),
    (
        "POST",
        "/v1/mgmt/tenant/adminlinks/sso/revoke",
        tenants::sso_link_revoke,
    ),
    (
        "POST",
        "/v1/mgmt/sso/settings/authtype",
        sso::configure_auth_type,
    ),
    (
        "POST",
        "/v1/mgmt/accesskey/activate/batch",
        users::key_activate_batch,
    ),
    (
        "POST",
        "/v1/mgmt/accesskey/deactivate/batch",
        users::key_deactivate_batch,
    ),
    (
        "POST",
        "/v1/mgmt/accesskey/delete/batch",
        users::key_delete_batch,
    ),
    ("POST", "/v1/mgmt/accesskey/rotate", users::key_rotate),
    ("POST", "/v1/mgmt/user/delete/batch", users::delete_batch),
];

fn trimmed(path: &str) -> &str {
    path.strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path)
}

pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let path = trimmed(path);
    let matches = |m: &str, p: &str| m == method.as_str() && p == path;
    RAW_ROUTES
        .iter()
        .find(|(m, p, _)| matches(m, p))
        .map(|(_, _, h)| Route::Raw(*h))
        .or_else(|| {
            ROUTES
                .iter()
                .find(|(m, p, _)| matches(m, p))
                .map(|(_, _, h)| Route::Json(*h))
        })
}

pub(crate) fn path_known(path: &str) -> bool {
    let path = trimmed(path);
    routes().any(|(_, p)| p == path)
}

/// Every route, for documentation and tests.
pub fn routes() -> impl Iterator<Item = (&'static str, &'static str)> {
    RAW_ROUTES
        .iter()
        .map(|(m, p, _)| (*m, *p))
        .chain(ROUTES.iter().map(|(m, p, _)| (*m, *p)))
}

/// `{"<field>": [every entity of the collection, in creation order]}`, concatenated from the
/// JSON text each entity was stored with: no copy and no serialisation of the collection.
pub(crate) fn list_answer(tx: &Tx, field: &'static str, collection: &str) -> ApiResult<Vec<u8>> {
    list_answer_with(tx, field, collection, |_, _| None)
}

/// [`list_answer`] where `rewrite` may answer an entity (given its key) differently from how it
/// is stored; only those are serialised.
pub(crate) fn list_answer_with(
    tx: &Tx,
    field: &'static str,
    collection: &str,
    rewrite: impl Fn(&str, &Value) -> Option<Value>,
) -> ApiResult<Vec<u8>> {
    let entries = tx.collection(collection);
    let size: usize = entries.map_or(0, |c| c.json_texts().map(|t| t.len() + 1).sum());
    let mut out = Vec::with_capacity(size + field.len() + 8);
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\":[");
    for (i, (key, value, text)) in entries
        .into_iter()
        .flat_map(|c| c.entries_with_text())
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        match rewrite(key, value) {
            Some(answered) => serde_json::to_writer(&mut out, &answered)
                .map_err(|e| ApiError::invalid(format!("cannot serialise {collection}: {e}")))?,
            None => out.extend_from_slice(text.as_bytes()),
        }
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn license(_: &mut Tx, _: &Req) -> ApiResult<Value> {
    Ok(json!({"rateLimitTier": "tier2"}))
}
