//! Project snapshots (J1–J3 and the legacy `project/export|import`).
//!
//! The `files` map is built from live state for the parts the emulator models — `flows/<id>.json`
//! (v2 flow documents), `styles/styles.json` (v2 theme), `authorization/roles.json` and
//! `authorization/permissions.json` (project-level only) — and any other file is kept verbatim.
//! Users, tenants and access keys are never part of a snapshot.

use serde_json::{Map, Value, json};

use super::{Req, SNAPSHOT_FILES, flows, roles};
use crate::store::Tx;
use crate::wire::{ApiError, ApiResult, Body, empty};

const STYLES: &str = "styles/styles.json";
const ROLES_FILE: &str = "authorization/roles.json";
const PERMISSIONS_FILE: &str = "authorization/permissions.json";

fn flow_path(path: &str) -> bool {
    path.starts_with("flows/") && path.ends_with(".json")
}

fn modelled(path: &str) -> bool {
    flow_path(path) || path == STYLES || path == ROLES_FILE || path == PERMISSIONS_FILE
}

pub(crate) fn export(tx: &mut Tx, _: &Req) -> ApiResult<Value> {
    let mut files = Map::new();
    for (path, content) in tx.entries(SNAPSHOT_FILES) {
        files.insert(path, content);
    }
    for flow in flows::all_v2(tx) {
        let id = flow["flowId"].as_str().unwrap_or_default().to_owned();
        files.insert(format!("flows/{id}.json"), flow);
    }
    files.insert(STYLES.into(), flows::current_theme_v2(tx));
    let (roles, permissions) = roles::snapshot(tx);
    files.insert(ROLES_FILE.into(), json!({"roles": roles}));
    files.insert(PERMISSIONS_FILE.into(), json!({"permissions": permissions}));
    Ok(json!({"files": files}))
}

fn list_in(file: &Value, key: &str, path: &str) -> ApiResult<Vec<Value>> {
    file.get(key)
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::invalid(format!("{path}: expected {{\"{key}\": [...]}}")))
}

fn files(req: &Req) -> ApiResult<Map<String, Value>> {
    req.body
        .object("files")?
        .ok_or_else(|| ApiError::missing("files"))
}

/// Problems a snapshot would hit on import, one message per file.
fn failures(files: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, content) in files {
        let result = if flow_path(path) {
            flows::validate_v2(content)
        } else if path == STYLES {
            Body::from_value(content).and_then(|b| b.object("styles").map(|_| ()))
        } else if path == ROLES_FILE {
            list_in(content, "roles", path).map(|_| ())
        } else if path == PERMISSIONS_FILE {
            list_in(content, "permissions", path).map(|_| ())
        } else {
            Ok(())
        };
        if let Err(e) = result {
            out.push(format!("{path}: {}", e.message));
        }
    }
    out
}

pub(crate) fn validate(_: &mut Tx, req: &Req) -> ApiResult<Value> {
    let files = files(req)?;
    let failures = failures(&files);
    Ok(json!({
        "ok": failures.is_empty(),
        "failures": failures,
        "missingSecrets": {"connectors": [], "oauthProviders": [], "outboundApps": [], "externalAuth": []},
    }))
}

/// Replaces what the files cover; `excludes` (`flows`, `styles`, `authorization`) skips parts.
pub(crate) fn import(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let files = files(req)?;
    let excludes = req.body.strings_or_empty("excludes")?;
    let excluded = |part: &str| excludes.iter().any(|e| e == part);
    if let Some(first) = failures(&files).into_iter().next() {
        return Err(ApiError::invalid(first));
    }
    let flow_docs: Vec<Value> = files
        .iter()
        .filter(|(p, _)| flow_path(p))
        .map(|(_, v)| v.clone())
        .collect();
    if !flow_docs.is_empty() && !excluded("flows") {
        flows::replace_all_v2(tx, req.now, flow_docs)?;
    }
    if let Some(Value::Object(theme)) = files.get(STYLES)
        && !excluded("styles")
    {
        flows::put_theme_v2(tx, theme)?;
    }
    if !excluded("authorization")
        && (files.contains_key(ROLES_FILE) || files.contains_key(PERMISSIONS_FILE))
    {
        let (current_roles, current_permissions) = roles::snapshot(tx);
        let roles_list = match files.get(ROLES_FILE) {
            Some(f) => list_in(f, "roles", ROLES_FILE)?,
            None => current_roles,
        };
        let permissions_list = match files.get(PERMISSIONS_FILE) {
            Some(f) => list_in(f, "permissions", PERMISSIONS_FILE)?,
            None => current_permissions,
        };
        roles::restore_snapshot(tx, req.now, &roles_list, &permissions_list)?;
    }
    for (path, _) in tx.entries(SNAPSHOT_FILES) {
        tx.delete(SNAPSHOT_FILES, &path);
    }
    for (path, content) in files.iter().filter(|(p, _)| !modelled(p)) {
        tx.put(SNAPSHOT_FILES, path, content.clone());
    }
    Ok(empty())
}

const PROJECT_KEY: &str = "current";

fn project_settings(tx: &Tx) -> Value {
    tx.get(super::PROJECT, PROJECT_KEY)
        .cloned()
        .unwrap_or_else(|| json!({"name": "", "tags": []}))
}

pub(crate) fn update_name(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let name = req.body.required_str("name")?;
    let mut p = project_settings(tx);
    p["name"] = json!(name);
    tx.put(super::PROJECT, PROJECT_KEY, p);
    Ok(empty())
}

pub(crate) fn update_tags(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let tags = req
        .body
        .strings("tags")?
        .ok_or_else(|| ApiError::missing("tags"))?;
    let mut p = project_settings(tx);
    p["tags"] = json!(tags);
    tx.put(super::PROJECT, PROJECT_KEY, p);
    Ok(empty())
}
