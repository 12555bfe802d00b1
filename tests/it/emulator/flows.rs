//! Flows F1–F6 (one stored flow, v1 and v2 views) and themes H1–H4.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{assert_error, start};

fn export_file(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/data/descope-exports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .or_else(|_| std::fs::read_to_string(format!("/work/shared/data/descope-exports/{name}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("valid json")
}

#[tokio::test]
async fn fresh_project_lists_sign_up_or_in_with_screens() {
    let h = start().await;
    let list = h.ok("/v1/mgmt/flow/list", json!({})).await;
    let flows = list["flows"].as_array().expect("flows");
    assert_eq!(list["total"], json!(flows.len()));
    let ids: Vec<&str> = flows.iter().filter_map(|f| f["id"].as_str()).collect();
    assert_eq!(ids, ["sign-up-or-in", "sign-in", "step-up"]);
    let step_up = h
        .ok("/v2/mgmt/flow/export", json!({"flowId": "step-up"}))
        .await;
    assert_eq!(step_up["flow"]["screens"].as_array().map(Vec::len), Some(3));
    let f = flows
        .iter()
        .find(|f| f["id"] == "sign-up-or-in")
        .expect("sign-up-or-in");
    for key in ["name", "description", "disabled"] {
        assert!(!f[key].is_null(), "{key}");
    }
    let v1 = h
        .ok("/v1/mgmt/flow/export", json!({"flowId": "sign-up-or-in"}))
        .await;
    assert!(!v1["screens"].as_array().expect("screens").is_empty());
    assert_eq!(v1["flow"]["id"], json!("sign-up-or-in"));
    assert!(v1["flow"]["dsl"]["tasks"].is_object());
}

#[tokio::test]
async fn v1_import_roundtrips_and_is_visible_as_v2() {
    let h = start().await;
    let doc = export_file("zero-to-auth/2004018/sign-up-or-in flow.json");
    let imported = h
        .ok(
            "/v1/mgmt/flow/import",
            json!({"flowId": "copy", "flow": doc["flow"], "screens": doc["screens"]}),
        )
        .await;
    assert_eq!(imported["flow"]["id"], json!("copy"));
    let exported = h
        .ok("/v1/mgmt/flow/export", json!({"flowId": "copy"}))
        .await;
    assert_eq!(exported["flow"]["dsl"], doc["flow"]["dsl"]);
    assert_eq!(exported["flow"]["version"], doc["flow"]["version"]);
    let screens = exported["screens"].as_array().expect("screens");
    let original = doc["screens"].as_array().expect("screens");
    assert_eq!(screens.len(), original.len());
    for (got, want) in screens.iter().zip(original) {
        for key in ["id", "inputs", "interactions", "htmlTemplate", "version"] {
            assert_eq!(got[key], want[key], "screen {key}");
        }
        assert_eq!(got["flowId"], json!("copy"));
    }
    let v2 = h
        .ok("/v2/mgmt/flow/export", json!({"flowId": "copy"}))
        .await;
    let flow = &v2["flow"];
    assert_eq!(flow["flowId"], json!("copy"));
    assert_eq!(flow["contents"], doc["flow"]["dsl"]);
    assert_eq!(flow["metadata"]["name"], doc["flow"]["name"]);
    assert_eq!(flow["screens"][0]["screenId"], doc["screens"][0]["id"]);
    assert_eq!(
        flow["screens"][0]["contents"],
        doc["screens"][0]["htmlTemplate"]
    );
    assert_eq!(flow["references"], json!({}));
}

#[tokio::test]
async fn v2_import_roundtrips_and_request_flow_id_wins() {
    let h = start().await;
    let doc = export_file("jamescrowley321-terraform-provider-descope/roundtrip-flow.json");
    assert_eq!(
        h.ok(
            "/v2/mgmt/flow/import",
            json!({"flowId": "mine", "flow": doc})
        )
        .await,
        json!({})
    );
    let v2 = h
        .ok("/v2/mgmt/flow/export", json!({"flowId": "mine"}))
        .await;
    let mut expected = doc.clone();
    expected["flowId"] = json!("mine");
    assert_eq!(v2["flow"], expected);
    let v1 = h
        .ok("/v1/mgmt/flow/export", json!({"flowId": "mine"}))
        .await;
    assert_eq!(v1["flow"]["dsl"], doc["contents"]);
    assert_ne!(v1["flow"]["etag"], json!(""));
}

#[tokio::test]
async fn import_replaces_and_delete_ignores_unknown_ids() {
    let h = start().await;
    let doc = export_file("terraform-provider-descope/connectorflow.json");
    h.ok("/v2/mgmt/flow/import", json!({"flowId": "c", "flow": doc}))
        .await;
    let first = h.ok("/v1/mgmt/flow/export", json!({"flowId": "c"})).await;
    h.ok("/v2/mgmt/flow/import", json!({"flowId": "c", "flow": doc}))
        .await;
    let second = h.ok("/v1/mgmt/flow/export", json!({"flowId": "c"})).await;
    assert_ne!(first["flow"]["etag"], second["flow"]["etag"]);
    h.ok(
        "/v1/mgmt/flow/delete",
        json!({"ids": ["c", "never-existed"]}),
    )
    .await;
    let (status, body) = h.post("/v2/mgmt/flow/export", json!({"flowId": "c"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let list = h.ok("/v1/mgmt/flow/list", json!({"ids": ["c"]})).await;
    assert_eq!(list, json!({"flows": [], "total": 0}));
}

#[tokio::test]
async fn theme_v1_is_wrapped_with_id_and_v2_roundtrips() {
    let h = start().await;
    let v1 = h.ok("/v1/mgmt/theme/export", json!({})).await;
    assert!(!v1["theme"]["id"].as_str().expect("id").is_empty());
    assert!(v1["theme"]["cssTemplate"].is_object());
    let styles = export_file("jamescrowley321-terraform-provider-descope/roundtrip-styles-v2.json");
    assert_eq!(
        h.ok("/v2/mgmt/theme/import", json!({"theme": styles}))
            .await,
        json!({})
    );
    let v2 = h.ok("/v2/mgmt/theme/export", json!({})).await;
    assert_eq!(v2["theme"], styles);
    let imported = h
        .ok(
            "/v1/mgmt/theme/import",
            json!({"theme": {"id": "t1", "cssTemplate": {"light": {"x": 1}}}}),
        )
        .await;
    assert_eq!(imported["theme"]["cssTemplate"], json!({"light": {"x": 1}}));
    let v2 = h.ok("/v2/mgmt/theme/export", json!({})).await;
    assert_eq!(v2["theme"]["styles"], json!({"light": {"x": 1}}));
}

#[tokio::test]
async fn floats_survive_import_and_export_digit_for_digit() {
    let h = start().await;
    let flow = r#"{"flowId":"f","flow":{"id":"f","name":"F","dsl":{"tasks":{"0":{"view":{"y":-11.180423925676735,"x":0.1}}}}},"screens":[]}"#;
    let resp = h
        .http
        .post(h.url("/v1/mgmt/flow/import"))
        .header("Authorization", "Bearer P2local:K2local")
        .header("Content-Type", "application/json")
        .body(flow)
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = h
        .http
        .post(h.url("/v2/mgmt/flow/export"))
        .header("Authorization", "Bearer P2local:K2local")
        .body(r#"{"flowId":"f"}"#)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(text.contains("-11.180423925676735"), "{text}");
}
