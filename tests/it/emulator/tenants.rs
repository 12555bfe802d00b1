//! Tenants T1–T10: shapes, overwrite vs patch, cascade, search and settings.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, start};

#[tokio::test]
async fn create_generates_prefixed_id_and_load_is_flat_with_zero_values() {
    let h = start().await;
    let created = h
        .ok(
            "/v1/mgmt/tenant/create",
            json!({"name": "Acme", "id": null, "selfProvisioningDomains": ["acme.com"], "enforceSSO": false}),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with('T') && id.len() == 28, "{id}");
    let tenant = h.ok_get(&format!("/v1/mgmt/tenant?id={id}")).await;
    assert_eq!(tenant["id"], json!(id));
    assert_eq!(tenant["name"], json!("Acme"));
    assert_eq!(tenant["selfProvisioningDomains"], json!(["acme.com"]));
    assert_eq!(tenant["customAttributes"], json!({}));
    assert_eq!(tenant["authType"], json!("none"));
    assert_eq!(tenant["domains"], json!([]));
    assert!(tenant["createdTime"].as_i64().expect("epoch seconds") > 1_600_000_000);
    assert!(tenant["createdTime"].as_i64().unwrap_or_default() < 100_000_000_000);
    for key in ["disabled", "enforceSSO"] {
        assert_eq!(tenant[key], json!(false), "{key}");
    }
    for key in [
        "enforceSSOExclusions",
        "federatedAppIds",
        "successors",
        "defaultRoles",
    ] {
        assert_eq!(tenant[key], json!([]), "{key}");
    }
    assert_eq!(tenant["parent"], json!(""));
    assert_eq!(tenant["roleInheritance"], json!(""));
}

#[tokio::test]
async fn create_with_caller_id_returns_it_and_duplicates_conflict() {
    let h = start().await;
    let created = h
        .ok(
            "/v1/mgmt/tenant/create",
            json!({"name": "Acme", "id": "acme"}),
        )
        .await;
    assert_eq!(created, json!({"id": "acme"}));
    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/create",
            json!({"name": "Other", "id": "acme"}),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
    let (status, body) = h
        .post("/v1/mgmt/tenant/create", json!({"name": "Acme"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
}

#[tokio::test]
async fn create_without_name_is_400_missing_argument() {
    let h = start().await;
    let (status, body) = h.post("/v1/mgmt/tenant/create", json!({"id": "x"})).await;
    assert_eq!(
        assert_error(status, &body, StatusCode::BAD_REQUEST),
        "E011002"
    );
}

#[tokio::test]
async fn update_overwrites_every_field_and_patch_only_present_ones() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"name": "Acme", "id": "acme", "selfProvisioningDomains": ["a.com"], "enforceSSO": true, "disabled": true}),
    )
    .await;
    assert_eq!(
        h.ok(
            "/v1/mgmt/tenant/update",
            json!({"id": "acme", "name": "Acme 2"})
        )
        .await,
        json!({})
    );
    let t = h.ok_get("/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["name"], json!("Acme 2"));
    assert_eq!(t["selfProvisioningDomains"], json!([]));
    assert_eq!(t["enforceSSO"], json!(false));
    assert_eq!(t["disabled"], json!(false));

    let (status, _) = h
        .call(
            Method::PATCH,
            "/v1/mgmt/tenant/patch",
            Some(json!({"id": "acme", "disabled": true, "name": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let t = h.ok_get("/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["name"], json!("Acme 2"));
    assert_eq!(t["disabled"], json!(true));
}

#[tokio::test]
async fn missing_tenant_is_404_for_load_update_and_delete() {
    let h = start().await;
    let (status, body) = h.get("/v1/mgmt/tenant?id=nope").await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = h
        .post("/v1/mgmt/tenant/update", json!({"id": "nope", "name": "x"}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = h
        .post("/v1/mgmt/tenant/delete", json!({"id": "nope"}))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn load_all_keeps_creation_order_and_search_filters() {
    let h = start().await;
    assert_eq!(
        h.ok_get("/v1/mgmt/tenant/all").await,
        json!({"tenants": []})
    );
    for (id, name, domain) in [
        ("z", "Zed", "z.com"),
        ("a", "Alpha", "a.com"),
        ("m", "Mid", "a.com"),
    ] {
        h.ok(
            "/v1/mgmt/tenant/create",
            json!({"id": id, "name": name, "selfProvisioningDomains": [domain]}),
        )
        .await;
    }
    let all = h.ok_get("/v1/mgmt/tenant/all").await;
    let ids: Vec<&str> = all["tenants"]
        .as_array()
        .expect("tenants")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, ["z", "a", "m"]);
    let found = h
        .ok(
            "/v1/mgmt/tenant/search",
            json!({"tenantSelfProvisioningDomains": ["a.com"], "tenantIds": null}),
        )
        .await;
    assert_eq!(found["tenants"].as_array().map(Vec::len), Some(2));
    let none = h
        .ok("/v1/mgmt/tenant/search", json!({"tenantNames": ["nobody"]}))
        .await;
    assert_eq!(none, json!({"tenants": []}));
}

#[tokio::test]
async fn delete_cascade_removes_users_and_keys_only_in_that_tenant() {
    let h = start().await;
    for id in ["t1", "t2"] {
        h.ok("/v1/mgmt/tenant/create", json!({"id": id, "name": id}))
            .await;
    }
    h.ok(
        "/v1/mgmt/user/create",
        json!({"loginId": "only", "userTenants": [{"tenantId": "t1", "roleNames": []}]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/user/create",
        json!({"loginId": "both", "userTenants": [{"tenantId": "t1"}, {"tenantId": "t2"}]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/delete",
        json!({"id": "t1", "cascade": true}),
    )
    .await;
    let (status, _) = h.get("/v1/mgmt/user?loginId=only").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let both = h.ok_get("/v1/mgmt/user?loginId=both").await;
    assert_eq!(
        both["user"]["userTenants"].as_array().map(Vec::len),
        Some(1)
    );
    let (status, _) = h.get("/v1/mgmt/tenant?id=t1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn settings_have_defaults() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "acme", "name": "Acme", "selfProvisioningDomains": ["acme.com"]}),
    )
    .await;
    let s = h.ok_get("/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(s["JITDisabled"], json!(false));
    assert_eq!(s["selfProvisioningDomains"], json!(["acme.com"]));
    assert_eq!(s["enabled"], json!(false));
}

/// `@descope/node-sdk` 2.13.0 types these two settings fields with a capital first letter and sends
/// them verbatim, so without the alias a Node caller's inactivity settings would silently vanish.
#[tokio::test]
async fn settings_accept_the_node_sdk_spelling_of_inactivity_fields() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "acme", "name": "Acme"}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/settings",
        json!({"tenantId": "acme", "enableInactivity": true, "InactivityTime": 10, "InactivityTimeUnit": "minutes"}),
    )
    .await;
    let s = h.ok_get("/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(s["enableInactivity"], json!(true));
    assert_eq!(s["inactivityTime"], json!(10));
    assert_eq!(s["inactivityTimeUnit"], json!("minutes"));
    assert!(s.get("InactivityTime").is_none(), "{s}");

    h.ok(
        "/v1/mgmt/tenant/settings",
        json!({"tenantId": "acme", "inactivityTime": 20, "InactivityTime": 30, "InactivityTimeUnit": null}),
    )
    .await;
    let s = h.ok_get("/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(
        s["inactivityTime"],
        json!(20),
        "the canonical spelling wins"
    );
    assert_eq!(
        s["inactivityTimeUnit"],
        json!(""),
        "a null alias is absent, so the write clears the field"
    );

    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/settings",
            json!({"tenantId": "acme", "InactivityTime": "ten"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn default_roles_must_exist() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "acme", "name": "Acme"}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/updateDefaultRoles",
        json!({"id": "acme", "defaultRoles": ["Tenant Admin"]}),
    )
    .await;
    let t = h.ok_get("/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["defaultRoles"], json!(["Tenant Admin"]));
    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/updateDefaultRoles",
            json!({"id": "acme", "defaultRoles": ["Ghost"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
}

/// Descope's T2 overwrites the whole tenant (Go SDK: "All parameters are required and will
/// override whatever value is currently set"), so a client that forgets a field loses it. The
/// emulator must lose it too, or a lossy client would pass its tests.
#[tokio::test]
async fn update_clears_every_field_the_body_leaves_out() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "root", "name": "Root"}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "acme", "name": "Acme", "parent": "root", "customAttributes": {"tier": "gold"},
               "enforceSSOExclusions": ["U1"], "federatedAppIds": ["app1"], "roleInheritance": "userOnly"}),
    )
    .await;
    let t = h.ok_get("/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["parent"], json!("root"));
    assert_eq!(t["enforceSSOExclusions"], json!(["U1"]));
    assert_eq!(t["federatedAppIds"], json!(["app1"]));
    assert_eq!(t["roleInheritance"], json!("userOnly"));
    let root = h.ok_get("/v1/mgmt/tenant?id=root").await;
    assert_eq!(root["successors"], json!(["acme"]));

    h.ok(
        "/v1/mgmt/tenant/update",
        json!({"id": "acme", "name": "Acme 2"}),
    )
    .await;
    let t = h.ok_get("/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["customAttributes"], json!({}));
    assert_eq!(t["enforceSSOExclusions"], json!([]));
    assert_eq!(t["federatedAppIds"], json!([]));
    assert_eq!(t["roleInheritance"], json!(""));
    assert_eq!(t["parent"], json!("root"), "parent is set on create only");
}

/// The settings call is a full write like T2: a field left out goes back to its zero value.
#[tokio::test]
async fn settings_update_overwrites_and_clears_absent_fields() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "acme", "name": "Acme", "selfProvisioningDomains": ["acme.com"]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/settings",
        json!({"tenantId": "acme", "enabled": true, "sessionTokenExpiration": 30,
               "sessionTokenExpirationUnit": "minutes", "selfProvisioningDomains": ["b.com"]}),
    )
    .await;
    h.ok(
        "/v1/mgmt/tenant/settings",
        json!({"tenantId": "acme", "JITDisabled": true, "selfProvisioningDomains": ["b.com"]}),
    )
    .await;
    let s = h.ok_get("/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(s["JITDisabled"], json!(true));
    assert_eq!(s["enabled"], json!(false));
    assert_eq!(s["sessionTokenExpiration"], json!(0));
    assert_eq!(s["sessionTokenExpirationUnit"], json!(""));
    assert_eq!(s["selfProvisioningDomains"], json!(["b.com"]));
}

/// Successors are what a parent answers for its children, in creation order, in every read (they
/// are derived from the children, no longer stored on the parent).
#[tokio::test]
async fn successors_follow_children_in_load_load_all_and_search() {
    let h = start().await;
    h.ok(
        "/v1/mgmt/tenant/create",
        json!({"id": "root", "name": "Root"}),
    )
    .await;
    for child in ["c2", "c1", "c3"] {
        h.ok(
            "/v1/mgmt/tenant/create",
            json!({"id": child, "name": child, "parent": "root"}),
        )
        .await;
    }
    h.ok("/v1/mgmt/tenant/delete", json!({"id": "c1"})).await;
    let loaded = h.ok_get("/v1/mgmt/tenant?id=root").await;
    assert_eq!(loaded["successors"], json!(["c2", "c3"]));
    let all = h.ok_get("/v1/mgmt/tenant/all").await;
    let from_all = all["tenants"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["id"] == json!("root")))
        .cloned()
        .expect("root in load-all");
    assert_eq!(from_all, loaded, "load-all answers the same tenant as load");
    let leaf = all["tenants"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["id"] == json!("c2")))
        .cloned()
        .expect("c2 in load-all");
    assert_eq!(leaf["successors"], json!([]));
    assert_eq!(leaf["parent"], json!("root"));
    let found = h
        .ok("/v1/mgmt/tenant/search", json!({"tenantIds": ["root"]}))
        .await;
    assert_eq!(found["tenants"][0]["successors"], json!(["c2", "c3"]));
    let (status, _) = h
        .post(
            "/v1/mgmt/tenant/create",
            json!({"id": "orphan", "name": "Orphan", "parent": "missing"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
