//! Flow wire shapes (F1–F6): list metadata, and the v1 (`{flow, screens}`) ↔ v2
//! (`ExportedFlow`) document mapping used when a server only speaks v1.

use serde_json::{Map, Value, json};

use super::{boolean, items, string};

/// One item of F1's `flows` (only these four fields are reliable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowMeta {
    pub id: String,
    pub name: String,
    pub description: String,
    pub disabled: bool,
}

impl FlowMeta {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            description: string(value, "description"),
            disabled: boolean(value, "disabled"),
        }
    }

    pub fn list_from_response(body: &Value) -> Vec<Self> {
        items(body, "flows").iter().map(Self::from_json).collect()
    }
}

const METADATA_FIELDS: [&str; 7] = [
    "name",
    "description",
    "disabled",
    "fingerprint",
    "widget",
    "sharedInteractions",
    "management",
];

/// F3's `{flow, screens}` as a v2 `ExportedFlow` (descopecli's `flow convert` mapping).
pub fn v1_to_v2(v1: &Value) -> Value {
    let flow = v1.get("flow").cloned().unwrap_or_else(|| json!({}));
    let mut metadata = Map::new();
    for field in METADATA_FIELDS.iter().chain(&["managementConfig"]) {
        if let Some(value) = flow.get(*field) {
            metadata.insert((*field).to_owned(), value.clone());
        }
    }
    if flow.get("translate").is_some() {
        metadata.insert(
            "translation".into(),
            json!({
                "enabled": boolean(&flow, "translate"),
                "connectorId": string(&flow, "translateConnectorID"),
                "sourceLanguage": string(&flow, "translateSourceLang"),
                "targetLanguages": flow.get("translateTargetLangs").cloned().unwrap_or_else(|| json!([])),
            }),
        );
    }
    let screens_v1 = items(v1, "screens");
    if let Some(version) = screens_v1.iter().find_map(|s| s.get("componentsVersion")) {
        metadata.insert("componentsVersion".into(), version.clone());
    }
    let screens: Vec<Value> = screens_v1
        .iter()
        .map(|screen| {
            json!({
                "screenId": string(screen, "id"),
                "interactions": screen.get("interactions").cloned().unwrap_or_else(|| json!([])),
                "contents": screen.get("htmlTemplate").cloned().unwrap_or_else(|| json!({})),
            })
        })
        .collect();
    json!({
        "flowId": string(&flow, "id"),
        "metadata": metadata,
        "contents": flow.get("dsl").cloned().unwrap_or_else(|| json!({})),
        "screens": screens,
        "references": {},
    })
}

/// A v2 `ExportedFlow` as F4's `{flow, screens}` for the flow `flow_id`.
pub fn v2_to_v1(flow_id: &str, v2: &Value) -> Value {
    let metadata = v2.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut flow = Map::new();
    flow.insert("id".into(), json!(flow_id));
    for field in METADATA_FIELDS.iter().chain(&["managementConfig"]) {
        if let Some(value) = metadata.get(*field) {
            flow.insert((*field).to_owned(), value.clone());
        }
    }
    if let Some(translation) = metadata.get("translation") {
        flow.insert("translate".into(), json!(boolean(translation, "enabled")));
        flow.insert(
            "translateConnectorID".into(),
            json!(string(translation, "connectorId")),
        );
        flow.insert(
            "translateSourceLang".into(),
            json!(string(translation, "sourceLanguage")),
        );
        flow.insert(
            "translateTargetLangs".into(),
            translation
                .get("targetLanguages")
                .cloned()
                .unwrap_or_else(|| json!([])),
        );
    }
    flow.insert(
        "dsl".into(),
        v2.get("contents").cloned().unwrap_or_else(|| json!({})),
    );
    let components_version = metadata.get("componentsVersion").cloned();
    let screens: Vec<Value> = items(v2, "screens")
        .iter()
        .map(|screen| {
            let mut out = json!({
                "id": string(screen, "screenId"),
                "flowId": flow_id,
                "interactions": screen.get("interactions").cloned().unwrap_or_else(|| json!([])),
                "htmlTemplate": screen.get("contents").cloned().unwrap_or_else(|| json!({})),
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
    fn list_reads_meta() {
        let list = FlowMeta::list_from_response(
            &json!({"flows":[{"id":"a","name":"A","disabled":true}],"total":"1"}),
        );
        assert_eq!(
            list,
            vec![FlowMeta {
                id: "a".into(),
                name: "A".into(),
                description: String::new(),
                disabled: true
            }]
        );
    }
}
