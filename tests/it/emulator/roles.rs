//! Roles R1–R8 and permissions P1–P7.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{Harness, assert_error, start};

async fn role(h: &Harness, name: &str, tenant: &str) -> Option<Value> {
    let all = h.ok_get("/v1/mgmt/role/all").await;
    all["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["name"] == name && r["tenantId"] == tenant)
        .cloned()
}

#[tokio::test]
async fn seeded_role_and_permissions_have_full_shapes() {
    let h = start().await;
    let admin = role(&h, "Tenant Admin", "").await.expect("Tenant Admin");
    assert!(admin["id"].as_str().expect("id").starts_with("ROL"));
    assert_eq!(admin["id"].as_str().map(str::len), Some(30));
    for key in [
        "description",
        "permissionNames",
        "createdTime",
        "default",
        "private",
    ] {
        assert!(!admin[key].is_null(), "{key}");
    }
    let perms = h.ok_get("/v1/mgmt/permission/all").await;
    let names: Vec<&str> = perms["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter(|p| p["systemDefault"] == json!(true))
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["User Admin", "SSO Admin", "Impersonate"]);
}

#[tokio::test]
async fn role_create_update_delete_with_nulls_and_tenant_scope() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/permission/create",
        json!({"name": "Read", "description": null}),
    )
    .await;
    let created = h
        .ok(
            "/v1/mgmt/role/create",
            json!({"name": "Viewer", "description": null, "permissionNames": ["Read"], "tenantId": null, "default": null, "private": null}),
        )
        .await;
    assert_eq!(created["name"], json!("Viewer"));
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok(
        "/v1/mgmt/role/create",
        json!({"name": "Viewer", "tenantId": "t"}),
    )
    .await;
    let (status, body) = h
        .post("/v1/mgmt/role/create", json!({"name": "Viewer"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    h.ok(
        "/v1/mgmt/role/update",
        json!({"name": "Viewer", "newName": "Reader", "permissionNames": [], "description": "d"}),
    )
    .await;
    let reader = role(&h, "Reader", "").await.expect("renamed");
    assert_eq!(reader["permissionNames"], json!([]));
    assert!(
        role(&h, "Viewer", "t").await.is_some(),
        "tenant role untouched"
    );
    let (status, body) = h
        .post("/v1/mgmt/role/delete", json!({"name": "Viewer"}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    h.ok(
        "/v1/mgmt/role/delete",
        json!({"name": "Viewer", "tenantId": "t"}),
    )
    .await;
    assert!(role(&h, "Viewer", "t").await.is_none());
}

#[tokio::test]
async fn role_with_unknown_permission_is_rejected() {
    let h = start().await;
    let (status, body) = h
        .post(
            "/v1/mgmt/role/create",
            json!({"name": "X", "permissionNames": ["ghost"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn role_batches_are_atomic() {
    let h = start().await;
    let (status, _) = h
        .post(
            "/v1/mgmt/role/create/batch",
            json!({"roles": [{"name": "ok1"}, {"name": "bad", "permissionNames": ["ghost"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        role(&h, "ok1", "").await.is_none(),
        "partial batch was kept"
    );
    let created = h
        .ok(
            "/v1/mgmt/role/create/batch",
            json!({"roles": [{"name": "a"}, {"name": "b"}]}),
        )
        .await;
    assert_eq!(created["roles"].as_array().map(Vec::len), Some(2));
    h.ok(
        "/v1/mgmt/role/update/batch",
        json!({"roles": [{"name": "a", "newName": "a2"}]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/role/delete/batch",
        json!({"roleNames": ["a2", "b"]}),
    )
    .await;
    assert!(role(&h, "a2", "").await.is_none() && role(&h, "b", "").await.is_none());
}

#[tokio::test]
async fn role_search_filters() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok(
        "/v1/mgmt/role/create",
        json!({"name": "Editor", "tenantId": "t"}),
    )
    .await;
    let found = h
        .ok("/v1/mgmt/role/search", json!({"tenantIds": ["t"]}))
        .await;
    assert_eq!(found["roles"].as_array().map(Vec::len), Some(1));
    let found = h
        .ok(
            "/v1/mgmt/role/search",
            json!({"tenantIds": ["t"], "includeProjectRoles": true}),
        )
        .await;
    assert_eq!(found["roles"].as_array().map(Vec::len), Some(2));
    let found = h
        .ok("/v1/mgmt/role/search", json!({"roleNameLike": "admin"}))
        .await;
    assert_eq!(found["roles"][0]["name"], json!("Tenant Admin"));
    let none = h
        .ok("/v1/mgmt/role/search", json!({"roleNames": ["nobody"]}))
        .await;
    assert_eq!(none, json!({"roles": []}));
}

#[tokio::test]
async fn permission_rename_and_delete_propagate_to_roles() {
    let h = start().await;
    h.ok("/v1/mgmt/permission/create", json!({"name": "p"}))
        .await;
    let (status, body) = h
        .post("/v1/mgmt/permission/create", json!({"name": "p"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    h.ok(
        "/v1/mgmt/role/create",
        json!({"name": "r", "permissionNames": ["p"]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/permission/update",
        json!({"name": "p", "newName": "q", "description": "d"}),
    )
    .await;
    assert_eq!(
        role(&h, "r", "").await.expect("r")["permissionNames"],
        json!(["q"])
    );
    h.ok("/v1/mgmt/permission/delete", json!({"name": "q"}))
        .await;
    assert_eq!(
        role(&h, "r", "").await.expect("r")["permissionNames"],
        json!([])
    );
    h.ok(
        "/v1/mgmt/permission/create/batch",
        json!({"permissions": [{"name": "x"}, {"name": "y"}]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/permission/update/batch",
        json!({"permissions": [{"name": "x", "newName": "x2"}]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/permission/delete/batch",
        json!({"names": ["x2", "y"]}),
    )
    .await;
    let perms = h.ok_get("/v1/mgmt/permission/all").await;
    assert_eq!(perms["permissions"].as_array().map(Vec::len), Some(3));
}

/// Descope marks its own roles and permissions with `systemDefault: true`; a `SCIM` role appears
/// when SCIM is set up, which no management call does, so tests add it through the control API.
#[tokio::test]
async fn built_in_roles_carry_system_default_and_a_system_role_can_be_added() {
    let h = start().await;
    let admin = role(&h, "Tenant Admin", "").await.expect("Tenant Admin");
    assert_eq!(admin["systemDefault"], json!(true));
    h.ok("/v1/mgmt/role/create", json!({"name": "Mine"})).await;
    let mine = role(&h, "Mine", "").await.expect("Mine");
    assert_eq!(mine["systemDefault"], json!(false));
    let added = h
        .control(
            reqwest::Method::POST,
            "/emulator/system-roles",
            Some(json!({"name": "SCIM", "description": "SCIM provisioning"})),
        )
        .await;
    assert_eq!(added["name"], json!("SCIM"));
    let scim = role(&h, "SCIM", "").await.expect("SCIM");
    assert_eq!(scim["systemDefault"], json!(true));
    assert_eq!(scim["description"], json!("SCIM provisioning"));
    let (status, body) = h
        .post("/v1/mgmt/role/create", json!({"name": "SCIM"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
}
