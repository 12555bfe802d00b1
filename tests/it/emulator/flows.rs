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
    assert_eq!(
        exported["flow"]["version"],
        json!(1),
        "the server owns the flow version: the first import of an id is version 1"
    );
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

/// Fields the server sets on every import; a round trip may change them and nothing else.
const VOLATILE_FLOW_FIELDS: &[&str] = &["version", "etag", "modifiedTime"];

fn without_volatile(mut flow: Value) -> Value {
    if let Some(m) = flow.as_object_mut() {
        for key in VOLATILE_FLOW_FIELDS {
            m.shift_remove(*key);
        }
    }
    flow
}

const CORPUS_V1_FLOWS: &[&str] = &[
    "zero-to-auth/2004018/sign-up-or-in flow.json",
    "zero-to-auth/5dcc781/sign-up-or-in flow.json",
    "aws-cognito-oidc-sample/3499642/oidc-flow.json",
    "aws-cognito-oidc-sample/56f40bb/oidc-flow.json",
    "firebase-oidc-sample/oidc-flow.json",
    "auth0-passkey-implementation/oidc-flow.json",
];
const CORPUS_V2_FLOWS: &[&str] = &[
    "jamescrowley321-terraform-provider-descope/flow.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow-signin.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow.json",
    "terraform-provider-descope/connectorflow.json",
];
const CORPUS_THEMES: &[&str] = &[
    "jamescrowley321-terraform-provider-descope/roundtrip-styles-v2.json",
    "terraform-provider-descope/basicstyle.json",
];

/// Every flow and theme of the shared export corpus imports and exports back unchanged, apart
/// from the fields the server sets (issue 11 item 7).
#[tokio::test]
async fn every_corpus_flow_and_theme_round_trips() {
    let h = start().await;
    for name in CORPUS_V1_FLOWS {
        let doc = export_file(name);
        let id = doc["flow"]["id"].as_str().expect("flow id").to_owned();
        h.ok(
            "/v1/mgmt/flow/import",
            json!({"flowId": id, "flow": doc["flow"], "screens": doc["screens"]}),
        )
        .await;
        let back = h.ok("/v1/mgmt/flow/export", json!({"flowId": id})).await;
        assert_eq!(
            without_volatile(back["flow"].clone()),
            without_volatile(doc["flow"].clone()),
            "{name}: flow"
        );
        assert_eq!(back["screens"], doc["screens"], "{name}: screens");
    }
    let mut v2 = Vec::new();
    for name in CORPUS_V2_FLOWS {
        v2.push(((*name).to_owned(), export_file(name)));
    }
    let widget = export_file("terraform-provider-descope/testwidget.json");
    for flow in widget["flows"].as_array().expect("widget flows") {
        v2.push(("testwidget.json".to_owned(), flow.clone()));
    }
    for (i, (name, mut doc)) in v2.into_iter().enumerate() {
        let id = doc["flowId"]
            .as_str()
            .map_or_else(|| format!("corpus-{i}"), str::to_owned);
        doc["flowId"] = json!(id);
        h.ok("/v2/mgmt/flow/import", json!({"flow": doc})).await;
        let back = h.ok("/v2/mgmt/flow/export", json!({"flowId": id})).await;
        assert_eq!(back["flow"], doc, "{name}: {id}");
    }
    for name in CORPUS_THEMES {
        let doc = export_file(name);
        h.ok("/v2/mgmt/theme/import", json!({"theme": doc})).await;
        let back = h.ok("/v2/mgmt/theme/export", json!({})).await;
        assert_eq!(back["theme"], doc, "{name}");
    }
}

/// A real server bumps `version`, `etag` and `modifiedTime` on every import and lists them, which
/// is what lets a client skip re-exporting an unchanged flow.
#[tokio::test]
async fn import_bumps_version_etag_and_modified_time_and_the_list_shows_them() {
    let h = start().await;
    let doc = export_file("jamescrowley321-terraform-provider-descope/roundtrip-flow.json");
    let listed = |list: &Value| {
        list["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .find(|f| f["id"] == "add-passkeys")
            .cloned()
            .expect("listed")
    };
    h.ok(
        "/v2/mgmt/flow/import",
        json!({"flowId": "add-passkeys", "flow": doc}),
    )
    .await;
    let first = listed(&h.ok("/v1/mgmt/flow/list", json!({})).await);
    h.ok(
        "/v2/mgmt/flow/import",
        json!({"flowId": "add-passkeys", "flow": doc}),
    )
    .await;
    let second = listed(&h.ok("/v1/mgmt/flow/list", json!({})).await);
    assert_eq!(first["version"], json!(1), "{first}");
    assert_eq!(second["version"], json!(2), "{second}");
    assert_ne!(first["etag"], second["etag"]);
    let time = |f: &Value| -> i64 {
        f["modifiedTime"]
            .as_str()
            .expect("int64 as string")
            .parse()
            .expect("number")
    };
    assert!(time(&second) > time(&first), "{first} then {second}");
    for key in ["name", "description", "disabled"] {
        assert!(!second[key].is_null(), "{key} in {second}");
    }
    let v1 = h
        .ok("/v1/mgmt/flow/export", json!({"flowId": "add-passkeys"}))
        .await;
    assert_eq!(v1["flow"]["version"], json!(2));
    assert_eq!(v1["flow"]["etag"], second["etag"]);
}
