//! Flows (F1–F6) and themes (H1–H4).
//!
//! A flow is stored once, in a canonical form close to the v2 `ExportedFlow` document, and both
//! the v1 (`{flow, screens}`) and v2 (`{flow: ExportedFlow}`) views are derived from it with the
//! mapping of the reference §7. Fields one format has and the other does not (v1 screen
//! `inputs`/`version`, unknown flow fields) are kept aside so that importing a document and
//! exporting it in the same format loses nothing.

use serde_json::{Map, Value, json};

use super::{FLOWS, Req, THEME};
use crate::store::Tx;
use crate::wire::{ApiError, ApiResult, Body, empty, new_id};

const THEME_KEY: &str = "current";

/// v1 flow fields that map onto v2 `metadata` one to one.
const METADATA_FIELDS: &[&str] = &[
    "name",
    "description",
    "disabled",
    "fingerprint",
    "widget",
    "sharedInteractions",
    "management",
    "managementConfig",
];
const TRANSLATION_FIELDS: &[(&str, &str)] = &[
    ("translate", "enabled"),
    ("translateConnectorID", "connectorId"),
    ("translateSourceLang", "sourceLanguage"),
    ("translateTargetLangs", "targetLanguages"),
];
/// v1 flow fields the server owns; never kept from an import.
const SERVER_FLOW_FIELDS: &[&str] = &["id", "dsl", "etag", "modifiedTime", "version"];
/// v1 screen fields without a v2 counterpart: kept, but only shown in v1 exports.
const V1_ONLY_SCREEN_FIELDS: &[&str] = &["inputs", "version", "componentsVersion", "flowId"];

fn obj(value: Option<&Value>) -> Map<String, Value> {
    value
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Canonical form from a v1 `{flow, screens}` pair.
fn from_v1(flow_id: &str, flow: &Map<String, Value>, screens: &[Value]) -> ApiResult<Value> {
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(""));
    metadata.insert("description".into(), json!(""));
    metadata.insert("disabled".into(), json!(false));
    let mut translation = Map::new();
    let mut v1_extra = Map::new();
    for (k, v) in flow {
        if v.is_null() {
            continue;
        }
        if METADATA_FIELDS.contains(&k.as_str()) {
            metadata.insert(k.clone(), v.clone());
        } else if let Some((_, v2)) = TRANSLATION_FIELDS.iter().find(|(v1, _)| v1 == k) {
            translation.insert((*v2).into(), v.clone());
        } else if !SERVER_FLOW_FIELDS.contains(&k.as_str()) {
            v1_extra.insert(k.clone(), v.clone());
        }
    }
    if !translation.is_empty() {
        metadata.insert("translation".into(), Value::Object(translation));
    }
    let mut canonical_screens = Vec::with_capacity(screens.len());
    for screen in screens {
        let s = screen
            .as_object()
            .ok_or_else(|| ApiError::invalid("each screen must be an object"))?;
        if let Some(cv) = s.get("componentsVersion").filter(|v| v.is_string())
            && !metadata.contains_key("componentsVersion")
        {
            metadata.insert("componentsVersion".into(), cv.clone());
        }
        let mut out = Map::new();
        out.insert(
            "screenId".into(),
            s.get("id").cloned().unwrap_or_else(|| json!("")),
        );
        out.insert(
            "interactions".into(),
            s.get("interactions").cloned().unwrap_or_else(|| json!([])),
        );
        out.insert(
            "contents".into(),
            s.get("htmlTemplate").cloned().unwrap_or_else(empty),
        );
        for (k, v) in s {
            if !["id", "interactions", "htmlTemplate", "flowId"].contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
        canonical_screens.push(Value::Object(out));
    }
    Ok(json!({
        "flowId": flow_id,
        "metadata": metadata,
        "contents": flow.get("dsl").cloned().filter(|v| !v.is_null()).unwrap_or_else(empty),
        "screens": canonical_screens,
        "references": {},
        "v1": v1_extra,
    }))
}

/// Canonical form from a v2 `ExportedFlow`.
fn from_v2(flow_id: &str, doc: &Map<String, Value>) -> ApiResult<Value> {
    let screens = match doc.get("screens") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            if a.iter().any(|s| !s.is_object()) {
                return Err(ApiError::invalid("each screen must be an object"));
            }
            a.clone()
        }
        Some(_) => return Err(ApiError::invalid("flow.screens must be an array")),
    };
    for key in ["metadata", "contents", "references"] {
        if doc.get(key).is_some_and(|v| !v.is_null() && !v.is_object()) {
            return Err(ApiError::invalid(format!("flow.{key} must be an object")));
        }
    }
    Ok(json!({
        "flowId": flow_id,
        "metadata": obj(doc.get("metadata")),
        "contents": obj(doc.get("contents")),
        "screens": screens,
        "references": obj(doc.get("references")),
        "v1": {},
    }))
}

/// The stored screens, each through `view`; none when the flow has no screen list.
fn map_screens(stored: &Value, view: impl FnMut(&Value) -> Value) -> Vec<Value> {
    stored
        .get("screens")
        .and_then(Value::as_array)
        .map(|screens| screens.iter().map(view).collect())
        .unwrap_or_default()
}

fn to_v2(stored: &Value) -> Value {
    let screens = map_screens(stored, |s| {
        let mut m = obj(Some(s));
        for k in V1_ONLY_SCREEN_FIELDS {
            m.shift_remove(*k);
        }
        Value::Object(m)
    });
    json!({
        "flowId": stored["flowId"],
        "metadata": stored["metadata"],
        "contents": stored["contents"],
        "screens": screens,
        "references": stored["references"],
    })
}

fn to_v1(stored: &Value) -> Value {
    let metadata = obj(stored.get("metadata"));
    let flow_id = stored["flowId"].clone();
    let mut flow = Map::new();
    flow.insert("id".into(), flow_id.clone());
    flow.insert(
        "name".into(),
        metadata.get("name").cloned().unwrap_or(json!("")),
    );
    flow.insert(
        "description".into(),
        metadata.get("description").cloned().unwrap_or(json!("")),
    );
    flow.insert(
        "disabled".into(),
        metadata.get("disabled").cloned().unwrap_or(json!(false)),
    );
    flow.insert("dsl".into(), stored["contents"].clone());
    for key in SERVER_SET_FIELDS {
        flow.insert((*key).into(), stored[*key].clone());
    }
    for key in METADATA_FIELDS.iter().skip(3) {
        if let Some(v) = metadata.get(*key) {
            flow.insert((*key).into(), v.clone());
        }
    }
    if let Some(t) = metadata.get("translation").and_then(Value::as_object) {
        for (v1, v2) in TRANSLATION_FIELDS {
            if let Some(v) = t.get(*v2) {
                flow.insert((*v1).into(), v.clone());
            }
        }
    }
    for (k, v) in obj(stored.get("v1")) {
        flow.insert(k, v);
    }
    let components_version = metadata.get("componentsVersion").cloned();
    let screens = map_screens(stored, |s| {
        let s = obj(Some(s));
        let mut out = Map::new();
        out.insert("id".into(), s.get("screenId").cloned().unwrap_or(json!("")));
        out.insert("flowId".into(), flow_id.clone());
        out.insert(
            "inputs".into(),
            s.get("inputs").cloned().unwrap_or(json!([])),
        );
        out.insert(
            "interactions".into(),
            s.get("interactions").cloned().unwrap_or(json!([])),
        );
        out.insert(
            "htmlTemplate".into(),
            s.get("contents").cloned().unwrap_or_else(empty),
        );
        // A v1 document without these gets none back, so it round-trips unchanged.
        if let Some(cv) = s.get("componentsVersion").or(components_version.as_ref()) {
            out.insert("componentsVersion".into(), cv.clone());
        }
        out.insert(
            "version".into(),
            s.get("version").cloned().unwrap_or(json!(0)),
        );
        for (k, v) in &s {
            if !out.contains_key(k) && !["screenId", "contents"].contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
        Value::Object(out)
    });
    json!({"flow": flow, "screens": screens})
}

/// Set by the server on every import, shown in v1 exports and in the list: `version` counts the
/// imports of that flow id, `etag` is new each time, `modifiedTime` (epoch seconds, an int64 as
/// a string) never repeats for one flow even for two imports within a second, so a client may
/// key a cache on any of them.
const SERVER_SET_FIELDS: &[&str] = &["version", "etag", "modifiedTime"];

fn store_flow(tx: &mut Tx, now: i64, mut canonical: Value) -> Value {
    let id = canonical["flowId"].as_str().unwrap_or_default().to_owned();
    let previous = tx.get(FLOWS, &id);
    let version = previous.and_then(|p| p["version"].as_i64()).unwrap_or(0) + 1;
    let modified = previous
        .and_then(|p| p["modifiedTime"].as_str())
        .and_then(|t| t.parse::<i64>().ok())
        .map_or(now, |last| now.max(last + 1));
    if let Some(m) = canonical.as_object_mut() {
        m.insert("version".into(), json!(version));
        m.insert("etag".into(), json!(new_id("")));
        m.insert("modifiedTime".into(), json!(modified.to_string()));
    }
    tx.put(FLOWS, &id, canonical.clone());
    canonical
}

fn require_flow(tx: &Tx, id: &str) -> ApiResult<Value> {
    tx.get(FLOWS, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Flow", id))
}

pub(crate) fn list(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let ids = req.body.strings("ids")?;
    let flows: Vec<Value> = tx
        .values(FLOWS)
        .filter(|f| {
            ids.as_ref()
                .is_none_or(|ids| ids.iter().any(|i| Some(i.as_str()) == f["flowId"].as_str()))
        })
        .map(|f| {
            let m = &f["metadata"];
            json!({
                "id": f["flowId"],
                "name": m.get("name").cloned().unwrap_or(json!("")),
                "description": m.get("description").cloned().unwrap_or(json!("")),
                "disabled": m.get("disabled").cloned().unwrap_or(json!(false)),
                "version": f["version"],
                "etag": f["etag"],
                "modifiedTime": f["modifiedTime"],
            })
        })
        .collect();
    let total = flows.len();
    Ok(json!({"flows": flows, "total": total}))
}

/// Unknown ids are ignored.
pub(crate) fn delete(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let ids = req
        .body
        .strings("ids")?
        .ok_or_else(|| ApiError::missing("ids"))?;
    for id in ids {
        tx.delete(FLOWS, &id);
    }
    Ok(empty())
}

pub(crate) fn export_v1(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.body.required_str("flowId")?;
    Ok(to_v1(&require_flow(tx, &id)?))
}

pub(crate) fn import_v1(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let flow = b.object("flow")?.ok_or_else(|| ApiError::missing("flow"))?;
    let id = match b.str("flowId")? {
        Some(id) if !id.is_empty() => id,
        _ => Body(flow.clone()).required_str("id")?,
    };
    let screens = b.array("screens")?.unwrap_or_default();
    let canonical = from_v1(&id, &flow, &screens)?;
    let stored = store_flow(tx, req.now, canonical);
    Ok(to_v1(&stored))
}

pub(crate) fn export_v2(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let id = req.body.required_str("flowId")?;
    Ok(json!({"flow": to_v2(&require_flow(tx, &id)?)}))
}

/// The request's `flowId`, when given, wins over the one inside the document.
pub(crate) fn import_v2(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let b = &req.body;
    let doc = b.object("flow")?.ok_or_else(|| ApiError::missing("flow"))?;
    let id = match b.str("flowId")? {
        Some(id) if !id.is_empty() => id,
        _ => Body(doc.clone()).required_str("flowId")?,
    };
    let canonical = from_v2(&id, &doc)?;
    store_flow(tx, req.now, canonical);
    Ok(empty())
}

/// All flows as v2 documents, for snapshots.
pub(crate) fn all_v2(tx: &Tx) -> Vec<Value> {
    tx.values(FLOWS).map(to_v2).collect()
}

pub(crate) fn replace_all_v2(tx: &mut Tx, now: i64, docs: Vec<Value>) -> ApiResult<()> {
    let mut canonical = Vec::with_capacity(docs.len());
    for doc in &docs {
        let body = Body::from_value(doc)?;
        let id = body.required_str("flowId")?;
        canonical.push(from_v2(&id, &body.0)?);
    }
    for (key, _) in tx.entries(FLOWS) {
        tx.delete(FLOWS, &key);
    }
    for c in canonical {
        store_flow(tx, now, c);
    }
    Ok(())
}

pub(crate) fn validate_v2(doc: &Value) -> ApiResult<()> {
    let body = Body::from_value(doc)?;
    let id = body.required_str("flowId")?;
    from_v2(&id, &body.0).map(|_| ())
}

// --- themes ---------------------------------------------------------------------------------

fn stored_theme(tx: &Tx) -> Value {
    tx.get(THEME, THEME_KEY).cloned().unwrap_or_else(
        || json!({"id": "theme", "styles": {}, "componentsVersion": "", "references": {}}),
    )
}

fn theme_v1(theme: &Value) -> Value {
    json!({
        "id": theme["id"],
        "cssTemplate": theme["styles"],
        "componentsVersion": theme["componentsVersion"],
    })
}

pub(crate) fn theme_v2(theme: &Value) -> Value {
    json!({
        "styles": theme["styles"],
        "componentsVersion": theme["componentsVersion"],
        "references": theme["references"],
    })
}

pub(crate) fn current_theme_v2(tx: &Tx) -> Value {
    theme_v2(&stored_theme(tx))
}

pub(crate) fn theme_export_v1(tx: &mut Tx, _: &Req) -> ApiResult<Value> {
    Ok(json!({"theme": theme_v1(&stored_theme(tx))}))
}

pub(crate) fn theme_import_v1(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let theme = Body(
        req.body
            .object("theme")?
            .ok_or_else(|| ApiError::missing("theme"))?,
    );
    let css = theme
        .object("cssTemplate")?
        .ok_or_else(|| ApiError::missing("theme.cssTemplate"))?;
    let previous = stored_theme(tx);
    let id = match theme.str("id")? {
        Some(id) if !id.is_empty() => id,
        _ => previous["id"].as_str().unwrap_or("theme").to_owned(),
    };
    let stored = json!({
        "id": id,
        "styles": css,
        "componentsVersion": theme.str("componentsVersion")?.unwrap_or_default(),
        "references": previous["references"],
    });
    tx.put(THEME, THEME_KEY, stored.clone());
    Ok(json!({"theme": theme_v1(&stored)}))
}

pub(crate) fn theme_export_v2(tx: &mut Tx, _: &Req) -> ApiResult<Value> {
    Ok(json!({"theme": current_theme_v2(tx)}))
}

pub(crate) fn theme_import_v2(tx: &mut Tx, req: &Req) -> ApiResult<Value> {
    let theme = req
        .body
        .object("theme")?
        .ok_or_else(|| ApiError::missing("theme"))?;
    put_theme_v2(tx, &theme)?;
    Ok(empty())
}

pub(crate) fn put_theme_v2(tx: &mut Tx, theme: &Map<String, Value>) -> ApiResult<()> {
    let theme = Body(theme.clone());
    let previous = stored_theme(tx);
    let stored = json!({
        "id": previous["id"],
        "styles": theme.object("styles")?.unwrap_or_default(),
        "componentsVersion": theme.str("componentsVersion")?.unwrap_or_default(),
        "references": theme.object("references")?.unwrap_or_default(),
    });
    tx.put(THEME, THEME_KEY, stored);
    Ok(())
}

// --- seed -----------------------------------------------------------------------------------

const SEED_FLOW: &str = include_str!("../../seed/sign-up-or-in.v1.json");
const SEED_THEME: &str = include_str!("../../seed/theme.v2.json");
/// v2 seed flows and the ids they are stored under (one of the files carries no `flowId`).
const SEED_V2_FLOWS: &[(&str, &str)] = &[
    ("sign-in", include_str!("../../seed/sign-in.v2.json")),
    ("step-up", include_str!("../../seed/step-up.v2.json")),
];

pub(crate) fn seed(tx: &mut Tx, now: i64) {
    // The seed files are compiled in and covered by tests, so a parse failure is a build bug;
    // still, a broken seed must not take the server down, so it is skipped.
    if let Ok(doc) = serde_json::from_str::<Value>(SEED_FLOW) {
        let flow = obj(doc.get("flow"));
        let screens = doc
            .get("screens")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Ok(canonical) = from_v1("sign-up-or-in", &flow, &screens) {
            store_flow(tx, now, canonical);
        }
    }
    for (id, text) in SEED_V2_FLOWS {
        if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text)
            && let Ok(canonical) = from_v2(id, &doc)
        {
            store_flow(tx, now, canonical);
        }
    }
    if let Ok(Value::Object(theme)) = serde_json::from_str::<Value>(SEED_THEME) {
        let _ = put_theme_v2(tx, &theme);
    }
}
