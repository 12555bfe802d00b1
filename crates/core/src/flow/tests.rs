//! Flow documents against the real export corpus (`shared/data/descope-exports`, found by walking
//! up from this crate or through `DESCOPE_EXPORTS_DIR`).

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;

pub(crate) fn corpus_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("DESCOPE_EXPORTS_DIR") {
        return PathBuf::from(dir);
    }
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    start
        .ancestors()
        .map(|dir| dir.join("shared/data/descope-exports"))
        .chain([PathBuf::from("/work/shared/data/descope-exports")])
        .find(|dir| dir.is_dir())
        .expect("the export corpus: set DESCOPE_EXPORTS_DIR to shared/data/descope-exports")
}

fn read(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn flow(name: &str) -> FlowDocument {
    FlowDocument::parse(&read(name)).unwrap_or_else(|problem| panic!("{name}: {problem}"))
}

const FLOWS: [&str; 9] = [
    "zero-to-auth/2004018/sign-up-or-in flow.json",
    "zero-to-auth/5dcc781/sign-up-or-in flow.json",
    "aws-cognito-oidc-sample/3499642/oidc-flow.json",
    "aws-cognito-oidc-sample/56f40bb/oidc-flow.json",
    "firebase-oidc-sample/oidc-flow.json",
    "auth0-passkey-implementation/oidc-flow.json",
    "jamescrowley321-terraform-provider-descope/flow.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow-signin.json",
    "jamescrowley321-terraform-provider-descope/roundtrip-flow.json",
];

#[test]
fn every_corpus_flow_reads_and_passes_the_checks() {
    for name in FLOWS
        .into_iter()
        .chain(["terraform-provider-descope/connectorflow.json"])
    {
        let document = flow(name);
        assert_eq!(document.problems(None), Vec::new(), "{name}");
        let again = FlowDocument::from_json(document.json().clone()).expect("v2 reads back");
        assert_eq!(again.normalize(), document.normalize(), "{name}");
    }
}

#[test]
fn a_widget_is_not_taken_for_a_flow() {
    let problem =
        FlowDocument::parse(&read("terraform-provider-descope/testwidget.json")).unwrap_err();
    assert_eq!(problem.path, "$.flows");
}

#[test]
fn v1_files_are_converted_and_keep_their_id() {
    let document = flow("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    assert_eq!(document.format(), FlowFormat::V1);
    assert_eq!(document.flow_id(), Some("oidc-flow"));
    assert_eq!(document.json()["contents"]["startTask"], "1");
    assert_eq!(document.json()["metadata"]["name"], "Passkey OIDC Flow");
}

fn broken() -> Value {
    json!({
        "flowId": "sign-in",
        "contents": {"startTask": "1", "tasks": {
            "1": {"id": "1", "type": "screen", "screenId": "SC1",
                  "next": {"rules": [{"interactionId": "go", "taskId": "2"}]}},
            "2": {"id": "2", "type": "condition", "screenId": "new-4",
                  "next": {"rules": [{"interactionId": "c1", "taskId": "1"}, {"interactionId": "ELSE", "taskId": "9"}]}},
            "3": {"id": "3", "type": "screen", "screenId": "SCgone", "next": {}}
        }},
        "screens": [{"screenId": "SC1", "interactions": [], "contents": {}}]
    })
}

#[test]
fn checks_name_each_problem_by_json_path() {
    let document = FlowDocument::from_json(broken()).unwrap();
    let problems: Vec<String> = document
        .problems(Some("sign-up"))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "$.flowId: the document's flow id \"sign-in\" differs from the entry's id \"sign-up\"",
            "$.contents.tasks[\"2\"].next.rules[1].taskId: \"9\" is not a task of this flow",
            "$.contents.tasks[\"3\"].screenId: screen \"SCgone\" is not in `screens`",
        ]
    );
}

#[test]
fn a_missing_start_task_and_a_v1_file_are_reported_in_the_file_s_own_shape() {
    let v1 = json!({"flow": {"id": "f", "dsl": {"startTask": "7", "tasks": {"1": {"id": "1"}}}}, "screens": []});
    let document = FlowDocument::from_json(v1).unwrap();
    assert_eq!(
        document.problems(Some("f"))[0].to_string(),
        "$.flow.dsl.startTask: \"7\" is not a task of this flow"
    );
    let no_start = FlowDocument::from_json(json!({"contents": {"tasks": {}}})).unwrap();
    assert_eq!(
        no_start.problems(None)[0].to_string(),
        "$.contents.startTask: missing: name the first task"
    );
}

#[test]
fn an_absent_document_id_takes_the_entry_s() {
    let mut json = broken();
    json.as_object_mut().unwrap().remove("flowId");
    let document = FlowDocument::from_json(json).unwrap();
    assert!(
        !document
            .problems(Some("anything"))
            .iter()
            .any(|p| p.path == "$.flowId")
    );
    let imported = document.for_import("anything", false);
    assert_eq!(imported["flowId"], "anything");
    assert_eq!(imported["metadata"]["disabled"], true);
}

/// What a server hands back after an import: new volatile values, other key order and spacing,
/// new screen and connector ids, derived keys, zero-valued metadata spelled out.
fn as_served(document: &FlowDocument) -> Value {
    let mut json = document.json().clone();
    json["flowId"] = json!("renamed-by-server");
    json["etag"] = json!("W/\"123\"");
    json["metadata"]["componentsVersion"] = json!("9.9.9");
    json["metadata"]["version"] = json!(99);
    json["metadata"]["fingerprint"] = json!(false);
    json["metadata"]["translation"] = Value::Null;
    json["references"] = json!({"connectors": {}, "roles": {}, "oauth": []});
    let screens = json["screens"].as_array_mut().unwrap();
    let mut renames = Vec::new();
    for (index, screen) in screens.iter_mut().enumerate() {
        let new_id = format!("SCnew{index}");
        renames.push((
            screen["screenId"].as_str().unwrap().to_owned(),
            new_id.clone(),
        ));
        screen["screenId"] = json!(new_id);
    }
    screens.reverse();
    for task in json["contents"]["tasks"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        if let Some(old) = task
            .get("screenId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            && let Some((_, new)) = renames.iter().find(|(o, _)| *o == old)
        {
            task["screenId"] = json!(new);
            task["inputKeys"] = json!(["email"]);
        }
        if task["next"] == json!({}) {
            task["next"] = json!({"rules": []});
        }
    }
    let text = serde_json::to_string_pretty(&json).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn what_a_server_changes_on_its_own_is_not_a_difference() {
    for name in FLOWS {
        let document = flow(name);
        let served = FlowDocument::from_json(as_served(&document)).unwrap();
        let diff = FlowDiff::between(&served.normalize(), &document.normalize());
        assert!(
            !diff.has_content_changes() && diff.layout.is_empty(),
            "{name}:\n{diff}"
        );
    }
}

#[test]
fn canvas_moves_alone_are_a_layout_only_change() {
    let document = flow("aws-cognito-oidc-sample/3499642/oidc-flow.json");
    let mut moved = document.json().clone();
    moved["contents"]["tasks"]["3"]["view"] = json!({"x": 1, "y": 2});
    let moved = FlowDocument::from_json(moved).unwrap();
    let diff = FlowDiff::between(&document.normalize(), &moved.normalize());
    assert!(diff.is_layout_only());
    assert_eq!(diff.layout, ["3"]);
    assert!(!diff.counts(false));
    assert!(diff.counts(true));
}

#[test]
fn a_changed_task_lists_its_changed_fields() {
    let before = flow("terraform-provider-descope/connectorflow.json");
    let mut json = before.json().clone();
    json["contents"]["tasks"]["1"]["arguments"]["connectorId"] =
        json!({"type": "inline", "value": "My HTTP Connector"});
    json["contents"]["tasks"]["1"]["errorHandlingV2"]["OAuthStartFailed"] =
        json!({"errorHandlingType": "custom"});
    json["contents"]["tasks"]["1"]["next"]["rules"][0]["taskId"] = json!("0");
    let after = FlowDocument::from_json(json).unwrap();
    let diff = FlowDiff::between(&before.normalize(), &after.normalize());
    insta::assert_snapshot!(diff.to_string(), @r#"
      tasks:
        ~ 1 "Sign Up or In / OAuth" (automated)
            connector (arguments.connectorId): (absent) → {"type":"inline","value":"My HTTP Connector"}
            errorHandlingV2.OAuthStartFailed: {"errorHandlingType":"automatic"} → {"errorHandlingType":"custom"}
            next: ["success → 1.end"] → ["success → 0"]
    "#);
}

fn pair(before: &str, after: &str) -> FlowDiff {
    FlowDiff::between(&flow(before).normalize(), &flow(after).normalize())
}

#[test]
fn zero_to_auth_v33_to_v36() {
    let diff = pair(
        "zero-to-auth/2004018/sign-up-or-in flow.json",
        "zero-to-auth/5dcc781/sign-up-or-in flow.json",
    );
    insta::assert_snapshot!("zero_to_auth_text", diff.to_string());
    insta::assert_json_snapshot!("zero_to_auth_json", diff);
}

#[test]
fn aws_cognito_oidc_v7_to_v8() {
    let diff = pair(
        "aws-cognito-oidc-sample/3499642/oidc-flow.json",
        "aws-cognito-oidc-sample/56f40bb/oidc-flow.json",
    );
    insta::assert_snapshot!("aws_cognito_oidc_text", diff.to_string());
    insta::assert_json_snapshot!("aws_cognito_oidc_json", diff);
}

#[test]
fn the_volatile_list_documents_every_entry() {
    for field in FLOW_VOLATILE_FIELDS {
        assert!(field.display_path().starts_with("$."));
        assert!(!field.why.is_empty());
    }
    assert!(
        FLOW_VOLATILE_FIELDS
            .iter()
            .any(|f| f.display_path() == "$.contents.tasks.*.view"
                && f.treatment == Treatment::Layout)
    );
}
