//! The v1 console export (`{flow: {id, dsl, …}, screens: [{id, htmlTemplate, …}]}`) and the v2
//! `ExportedFlow` (`{flowId, metadata, contents, screens: [{screenId, contents}], references}`)
//! mapped onto each other as descopecli's `flow convert` does. The server-managed v1 fields
//! (`version`, `etag`, `modifiedTime`, a screen's `version` and `flowId`) have no v2 place and are
//! dropped.

use serde_json::{Map, Value, json};

const METADATA_FIELDS: [&str; 8] = [
    "name",
    "description",
    "disabled",
    "fingerprint",
    "widget",
    "sharedInteractions",
    "management",
    "managementConfig",
];

fn text(value: &Value, key: &str) -> String {
    crate::document::text(value, key).to_owned()
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn member_or(value: &Value, key: &str, default: Value) -> Value {
    value.get(key).cloned().unwrap_or(default)
}

/// A v1 `{flow, screens}` document as a v2 `ExportedFlow`.
pub fn v1_to_v2(v1: &Value) -> Value {
    let flow = member_or(v1, "flow", json!({}));
    let mut metadata = Map::new();
    for field in METADATA_FIELDS {
        if let Some(value) = flow.get(field) {
            metadata.insert(field.to_owned(), value.clone());
        }
    }
    if flow.get("translate").is_some() {
        metadata.insert(
            "translation".into(),
            json!({
                "enabled": flag(&flow, "translate"),
                "connectorId": text(&flow, "translateConnectorID"),
                "sourceLanguage": text(&flow, "translateSourceLang"),
                "targetLanguages": member_or(&flow, "translateTargetLangs", json!([])),
            }),
        );
    }
    let screens_v1 = list(v1, "screens");
    if let Some(version) = screens_v1.iter().find_map(|s| s.get("componentsVersion")) {
        metadata.insert("componentsVersion".into(), version.clone());
    }
    let screens: Vec<Value> = screens_v1
        .iter()
        .map(|screen| {
            json!({
                "screenId": text(screen, "id"),
                "interactions": member_or(screen, "interactions", json!([])),
                "contents": member_or(screen, "htmlTemplate", json!({})),
            })
        })
        .collect();
    json!({
        "flowId": text(&flow, "id"),
        "metadata": metadata,
        "contents": member_or(&flow, "dsl", json!({})),
        "screens": screens,
        "references": {},
    })
}

/// A v2 `ExportedFlow` as a v1 `{flowId, flow, screens}` import body for the flow `flow_id`.
pub fn v2_to_v1(flow_id: &str, v2: &Value) -> Value {
    let metadata = member_or(v2, "metadata", json!({}));
    let mut flow = Map::new();
    flow.insert("id".into(), json!(flow_id));
    for field in METADATA_FIELDS {
        if let Some(value) = metadata.get(field) {
            flow.insert(field.to_owned(), value.clone());
        }
    }
    if let Some(translation) = metadata.get("translation").filter(|t| t.is_object()) {
        flow.insert("translate".into(), json!(flag(translation, "enabled")));
        flow.insert(
            "translateConnectorID".into(),
            json!(text(translation, "connectorId")),
        );
        flow.insert(
            "translateSourceLang".into(),
            json!(text(translation, "sourceLanguage")),
        );
        flow.insert(
            "translateTargetLangs".into(),
            member_or(translation, "targetLanguages", json!([])),
        );
    }
    flow.insert("dsl".into(), member_or(v2, "contents", json!({})));
    let components_version = metadata.get("componentsVersion").cloned();
    let screens: Vec<Value> = list(v2, "screens")
        .iter()
        .map(|screen| {
            let mut out = json!({
                "id": text(screen, "screenId"),
                "flowId": flow_id,
                "interactions": member_or(screen, "interactions", json!([])),
                "htmlTemplate": member_or(screen, "contents", json!({})),
            });
            if let Some(version) = &components_version {
                out["componentsVersion"] = version.clone();
            }
            out
        })
        .collect();
    json!({"flowId": flow_id, "flow": flow, "screens": screens})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_round_trip_the_fields_that_both_carry() {
        let v2 = json!({
            "flowId": "sign-in",
            "metadata": {"name": "Sign In", "description": "", "disabled": false, "componentsVersion": "2.0.1"},
            "contents": {"startTask": "1", "tasks": {}},
            "screens": [{"screenId": "SC1", "interactions": [{"id": "i"}], "contents": {"html": 1}}],
            "references": {}
        });
        let v1 = v2_to_v1("sign-in", &v2);
        assert_eq!(v1["flow"]["id"], "sign-in");
        assert_eq!(v1["flow"]["dsl"]["startTask"], "1");
        assert_eq!(v1["screens"][0]["htmlTemplate"]["html"], 1);
        assert_eq!(v1_to_v2(&v1), v2);
    }

    #[test]
    fn translation_settings_map_both_ways() {
        let v1 = json!({"flow": {"id": "f", "translate": true, "translateSourceLang": "en",
            "translateTargetLangs": ["fr"], "translateConnectorID": "c", "dsl": {}}, "screens": []});
        let v2 = v1_to_v2(&v1);
        assert_eq!(
            v2["metadata"]["translation"],
            json!({"enabled": true, "connectorId": "c", "sourceLanguage": "en", "targetLanguages": ["fr"]})
        );
        assert_eq!(
            v2_to_v1("f", &v2)["flow"]["translateTargetLangs"],
            json!(["fr"])
        );
    }
}
