//! Project snapshots J1–J3 and the legacy export/import.

use serde_json::json;

use super::support::start;

#[tokio::test]
async fn snapshot_roundtrip_restores_flows_roles_and_keeps_tenants() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok("/v1/mgmt/permission/create", json!({"name": "p"}))
        .await;
    h.ok(
        "/v1/mgmt/role/create",
        json!({"name": "r", "permissionNames": ["p"]}),
    )
    .await;
    let mut files = h
        .ok(
            "/v1/mgmt/project/snapshot/export",
            json!({"format": "plain"}),
        )
        .await["files"]
        .clone();
    assert!(files["flows/sign-up-or-in.json"]["contents"].is_object());
    assert!(files["styles/styles.json"]["styles"].is_object());
    files["extra/notes.txt"] = json!("kept verbatim");

    let valid = h
        .ok(
            "/v1/mgmt/project/snapshot/validate",
            json!({"files": files}),
        )
        .await;
    assert_eq!(valid["ok"], json!(true));
    assert_eq!(valid["failures"], json!([]));
    assert!(valid["missingSecrets"].is_object());

    h.ok("/v1/mgmt/flow/delete", json!({"ids": ["sign-up-or-in"]}))
        .await;
    h.ok("/v1/mgmt/role/delete", json!({"name": "r"})).await;
    h.ok("/v1/mgmt/permission/delete", json!({"name": "p"}))
        .await;
    assert_eq!(
        h.ok("/v1/mgmt/project/snapshot/import", json!({"files": files}))
            .await,
        json!({})
    );
    let list = h.ok("/v1/mgmt/flow/list", json!({})).await;
    assert!(
        list["flows"]
            .as_array()
            .expect("flows")
            .iter()
            .any(|f| f["id"] == "sign-up-or-in")
    );
    let roles = h.ok_get("/v1/mgmt/role/all").await;
    let r = roles["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == "r")
        .cloned()
        .expect("role restored");
    assert_eq!(r["permissionNames"], json!(["p"]));
    assert_eq!(
        h.ok_get("/v1/mgmt/tenant/all").await["tenants"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let again = h.ok("/v1/mgmt/project/export", json!({})).await;
    assert_eq!(again["files"]["extra/notes.txt"], json!("kept verbatim"));
}

#[tokio::test]
async fn invalid_snapshot_fails_validation_and_import() {
    let h = start().await;
    let files = json!({"flows/x.json": {"flowId": "x", "screens": "nope"}});
    let res = h
        .ok(
            "/v1/mgmt/project/snapshot/validate",
            json!({"files": files}),
        )
        .await;
    assert_eq!(res["ok"], json!(false));
    assert_eq!(res["failures"].as_array().map(Vec::len), Some(1));
    let (status, _) = h
        .post("/v1/mgmt/project/import", json!({"files": files}))
        .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn project_name_and_tags_are_stored() {
    let h = start().await;
    h.ok("/v1/mgmt/project/update/name", json!({"name": "Local"}))
        .await;
    h.ok("/v1/mgmt/project/update/tags", json!({"tags": ["a"]}))
        .await;
    let state = h
        .control(reqwest::Method::GET, "/emulator/state", None)
        .await;
    assert_eq!(
        state["projects"]["P2local"]["project"]["current"],
        json!({"name": "Local", "tags": ["a"]})
    );
}
