//! Access keys A1–A7 and users U1–U4.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{assert_error, start};

#[tokio::test]
async fn access_key_lifecycle() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    let created = h
        .ok(
            "/v1/mgmt/accesskey/create",
            json!({"name": "ci", "expireTime": 0, "keyTenants": [{"tenantId": "t", "roleNames": ["Tenant Admin"]}], "description": "d"}),
        )
        .await;
    assert!(!created["cleartext"].as_str().expect("cleartext").is_empty());
    let key = &created["key"];
    let id = key["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with('K'));
    assert_eq!(key["status"], json!("active"));
    assert!(!key["createdBy"].as_str().expect("createdBy").is_empty());
    assert_eq!(key["expireTime"], json!(0));
    assert_eq!(key["keyTenants"][0]["tenantName"], json!("T"));

    let loaded = h.ok_get(&format!("/v1/mgmt/accesskey?id={id}")).await;
    assert!(loaded.get("cleartext").is_none());
    assert_eq!(loaded["key"]["name"], json!("ci"));

    let found = h
        .ok(
            "/v1/mgmt/accesskey/search",
            json!({"tenantIds": ["t"], "boundUserId": null}),
        )
        .await;
    assert_eq!(found["keys"].as_array().map(Vec::len), Some(1));
    let updated = h
        .ok(
            "/v1/mgmt/accesskey/update",
            json!({"id": id, "name": "ci2"}),
        )
        .await;
    assert_eq!(updated["key"]["name"], json!("ci2"));
    assert_eq!(updated["key"]["description"], json!("d"));

    h.ok("/v1/mgmt/accesskey/deactivate", json!({"id": id}))
        .await;
    let loaded = h.ok_get(&format!("/v1/mgmt/accesskey?id={id}")).await;
    assert_eq!(loaded["key"]["status"], json!("inactive"));
    h.ok("/v1/mgmt/accesskey/activate", json!({"id": id})).await;
    h.ok("/v1/mgmt/accesskey/delete", json!({"id": id})).await;
    let (status, body) = h.get(&format!("/v1/mgmt/accesskey?id={id}")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn user_create_load_delete_and_duplicates() {
    let h = start().await;
    let created = h
        .ok(
            "/v1/mgmt/user/create",
            json!({"loginId": "a@x.io", "email": "a@x.io", "displayName": "A", "roleNames": ["Tenant Admin"]}),
        )
        .await;
    let user = &created["user"];
    let id = user["userId"].as_str().expect("userId").to_owned();
    assert!(id.starts_with('U') && id.len() == 28);
    assert_eq!(user["name"], json!("A"));
    assert_eq!(user["status"], json!("enabled"));
    assert_eq!(user["permissions"].as_array().map(Vec::len), Some(3));
    let (status, body) = h
        .post("/v1/mgmt/user/create", json!({"loginId": "a@x.io"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    let by_login = h.ok_get("/v1/mgmt/user?loginId=a%40x.io").await;
    assert_eq!(by_login["user"]["userId"], json!(id));
    let by_id = h.ok_get(&format!("/v1/mgmt/user?userId={id}")).await;
    assert_eq!(by_id["user"]["email"], json!("a@x.io"));
    h.ok("/v1/mgmt/user/delete", json!({"userId": id})).await;
    let (status, body) = h.get("/v1/mgmt/user?loginId=a%40x.io").await;
    assert_eq!(
        assert_error(status, &body, StatusCode::NOT_FOUND),
        "E112102"
    );
}

#[tokio::test]
async fn user_search_paginates_and_counts_total() {
    let h = start().await;
    for i in 0..5 {
        h.ok("/v1/mgmt/user/create", json!({"loginId": format!("u{i}")}))
            .await;
    }
    h.ok("/v1/mgmt/user/create/test", json!({"loginId": "tester"}))
        .await;
    let page = h
        .ok("/v2/mgmt/user/search", json!({"limit": 2, "page": 2}))
        .await;
    assert_eq!(page["total"], json!(5));
    let ids: Vec<&str> = page["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["loginIds"][0].as_str())
        .collect();
    assert_eq!(ids, ["u4"]);
    let tests = h
        .ok("/v2/mgmt/user/search", json!({"testUsersOnly": true}))
        .await;
    assert_eq!(tests["total"], json!(1));
    let none = h
        .ok("/v2/mgmt/user/search", json!({"loginIds": ["nobody"]}))
        .await;
    assert_eq!(none, json!({"users": [], "total": 0}));
}

#[tokio::test]
async fn access_key_rotate_and_batches() {
    let h = start().await;
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        let created = h
            .ok("/v1/mgmt/accesskey/create", json!({"name": name}))
            .await;
        ids.push(created["key"]["id"].as_str().expect("id").to_owned());
    }
    let rotated = h
        .ok("/v1/mgmt/accesskey/rotate", json!({"id": ids[0]}))
        .await;
    assert_eq!(rotated["key"]["id"], json!(ids[0]));
    assert!(!rotated["cleartext"].as_str().expect("cleartext").is_empty());
    h.ok("/v1/mgmt/accesskey/deactivate/batch", json!({"ids": ids}))
        .await;
    let found = h.ok("/v1/mgmt/accesskey/search", json!({})).await;
    assert!(
        found["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .all(|k| k["status"] == "inactive")
    );
    h.ok("/v1/mgmt/accesskey/activate/batch", json!({"ids": ids}))
        .await;
    let (status, body) = h
        .post(
            "/v1/mgmt/accesskey/delete/batch",
            json!({"ids": [ids[0], "Knope"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let still = h.ok("/v1/mgmt/accesskey/search", json!({})).await;
    assert_eq!(
        still["keys"].as_array().map(Vec::len),
        Some(2),
        "atomic batch"
    );
    h.ok("/v1/mgmt/accesskey/delete/batch", json!({"ids": ids}))
        .await;
    assert_eq!(
        h.ok("/v1/mgmt/accesskey/search", json!({})).await,
        json!({"keys": []})
    );
}

#[tokio::test]
async fn user_delete_batch() {
    let h = start().await;
    let mut ids = Vec::new();
    for login in ["x", "y"] {
        let created = h
            .ok("/v1/mgmt/user/create", json!({"loginId": login}))
            .await;
        ids.push(created["user"]["userId"].clone());
    }
    h.ok("/v1/mgmt/user/delete/batch", json!({"userIds": ids}))
        .await;
    let left = h.ok("/v2/mgmt/user/search", json!({})).await;
    assert_eq!(left["total"], json!(0));
}
