//! Password settings W1–W2, project level and per tenant.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, start};

#[tokio::test]
async fn password_settings_per_project_and_tenant_overwrite_in_full() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "u", "name": "U"}))
        .await;
    let project = h.ok_get("/v1/mgmt/password/settings").await;
    for key in [
        "enabled",
        "minLength",
        "lowercase",
        "uppercase",
        "number",
        "nonAlphanumeric",
        "expiration",
        "expirationWeeks",
        "reuse",
        "reuseAmount",
        "lock",
        "lockAttempts",
    ] {
        assert!(!project[key].is_null(), "{key} in {project}");
    }
    h.ok(
        "/v1/mgmt/password/settings",
        json!({"tenantId": "", "enabled": true, "minLength": 12, "uppercase": true, "lock": true, "lockAttempts": 5}),
    )
    .await;
    let project = h.ok_get("/v1/mgmt/password/settings?tenantId=").await;
    assert_eq!(project["minLength"], json!(12));
    assert_eq!(project["lockAttempts"], json!(5));

    // A tenant without its own policy answers with the project's.
    let inherited = h.ok_get("/v1/mgmt/password/settings?tenantId=u").await;
    assert_eq!(inherited, project);

    h.ok(
        "/v1/mgmt/password/settings",
        json!({"tenantId": "t", "enabled": true, "minLength": 16, "number": true}),
    )
    .await;
    let tenant = h.ok_get("/v1/mgmt/password/settings?tenantId=t").await;
    assert_eq!(tenant["minLength"], json!(16));
    assert_eq!(tenant["number"], json!(true));
    assert_eq!(
        tenant["uppercase"],
        json!(false),
        "absent is cleared, not inherited"
    );
    assert_eq!(tenant["lockAttempts"], json!(0));
    assert_eq!(
        h.ok_get("/v1/mgmt/password/settings").await["minLength"],
        json!(12),
        "the project policy is untouched"
    );

    let (status, body) = h.get("/v1/mgmt/password/settings?tenantId=nope").await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = h
        .post(
            "/v1/mgmt/password/settings",
            json!({"tenantId": "t", "minLength": "long"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let stats = h.control(Method::GET, "/emulator/stats", None).await;
    assert_eq!(
        stats["byRoute"]["POST /v1/mgmt/password/settings"],
        json!(3)
    );
}
