//! Control endpoints under `/emulator/`: stats, reset, state dump.

use reqwest::Method;
use serde_json::json;

use super::support::start;

#[tokio::test]
async fn stats_count_requests_writes_and_routes_and_can_be_reset() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"name": "A"})).await;
    h.ok_get("/v1/mgmt/tenant/all").await;
    h.ok("/v1/mgmt/tenant/search", json!({})).await;
    h.ok("/v2/mgmt/flow/export", json!({"flowId": "sign-up-or-in"}))
        .await;
    let stats = h.control(Method::GET, "/emulator/stats", None).await;
    assert_eq!(stats["requests"], json!(4));
    assert_eq!(stats["writes"], json!(1));
    assert_eq!(stats["byRoute"]["POST /v1/mgmt/tenant/create"], json!(1));
    assert_eq!(stats["byRoute"]["GET /v1/mgmt/tenant/all"], json!(1));
    assert_eq!(stats["byRoute"]["POST /v2/mgmt/flow/export"], json!(1));
    assert_eq!(h.emulator.stats().writes, 1);
    h.control(Method::POST, "/emulator/stats/reset", None).await;
    let stats = h.control(Method::GET, "/emulator/stats", None).await;
    assert_eq!(stats, json!({"requests": 0, "writes": 0, "byRoute": {}}));
}

#[tokio::test]
async fn reset_restores_the_seeded_project_and_state_dumps_it() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "A"}))
        .await;
    let state = h.control(Method::GET, "/emulator/state", None).await;
    assert!(state["projects"]["P2local"]["tenants"]["t"].is_object());
    h.control(Method::POST, "/emulator/reset", None).await;
    assert_eq!(
        h.ok_get("/v1/mgmt/tenant/all").await,
        json!({"tenants": []})
    );
    let roles = h.ok_get("/v1/mgmt/role/all").await;
    assert!(
        roles["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .any(|r| r["name"] == "Tenant Admin")
    );
}
