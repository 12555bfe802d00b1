//! Authentication, project isolation and hostile input: always a Descope error body, never a
//! panic.

use descope_emulator::{EmulatorConfig, ProjectCredentials};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{assert_error, start, start_with};

fn two_projects() -> EmulatorConfig {
    EmulatorConfig {
        projects: vec![
            ProjectCredentials::new("P2one", "K2one"),
            ProjectCredentials::new("P2two", "K2two"),
        ],
        ..EmulatorConfig::default()
    }
}

#[tokio::test]
async fn wrong_or_missing_key_is_401_and_foreign_key_is_403() {
    let h = start_with(two_projects()).await;
    let (status, body) = h
        .call_as("P2one", "K2wrong", Method::GET, "/v1/mgmt/tenant/all", None)
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED);
    let (status, body) = h
        .call_as("P2one", "K2two", Method::GET, "/v1/mgmt/tenant/all", None)
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN);
    let resp = h
        .http
        .get(h.url("/v1/mgmt/tenant/all"))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["errorCode"].is_string());
    assert!(!body.to_string().contains("K2one"), "key leaked: {body}");
}

#[tokio::test]
async fn projects_have_separate_state() {
    let h = start_with(two_projects()).await;
    let (status, _) = h
        .call_as(
            "P2one",
            "K2one",
            Method::POST,
            "/v1/mgmt/tenant/create",
            Some(json!({"id": "shared", "name": "One"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, two) = h
        .call_as("P2two", "K2two", Method::GET, "/v1/mgmt/tenant/all", None)
        .await;
    assert_eq!(two, json!({"tenants": []}));
    let (status, _) = h
        .call_as(
            "P2two",
            "K2two",
            Method::POST,
            "/v1/mgmt/tenant/create",
            Some(json!({"id": "shared", "name": "Two"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn post_without_body_is_an_empty_object() {
    let h = start().await;
    let resp = h
        .http
        .post(h.url("/v1/mgmt/flow/list"))
        .header("Authorization", "Bearer P2local:K2local")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["total"].as_u64().expect("total") >= 1);
}

async fn raw_post(
    h: &super::support::Harness,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let resp = h
        .http
        .post(h.url(path))
        .header("Authorization", "Bearer P2local:K2local")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    (status, resp.json().await.expect("json error body"))
}

#[tokio::test]
async fn malformed_json_and_wrong_types_are_400() {
    let h = start().await;
    let (status, body) = raw_post(&h, "/v1/mgmt/tenant/create", b"{\"name\": ".to_vec()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = raw_post(&h, "/v1/mgmt/tenant/create", b"[1,2]".to_vec()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h.post("/v1/mgmt/tenant/create", json!({"name": 42})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/create",
            json!({"name": "x", "selfProvisioningDomains": "a.com"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h
        .post(
            "/v1/mgmt/tenant/create",
            json!({"name": "ok", "unknownField": {"deep": [1]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn oversized_body_is_413_with_descope_body() {
    let h = start().await;
    let mut big = b"{\"name\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 11 * 1024 * 1024));
    big.extend(b"\"}");
    let (status, body) = raw_post(&h, "/v1/mgmt/tenant/create", big).await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn unknown_paths_and_methods_are_4xx_with_descope_body() {
    let h = start().await;
    let (status, body) = h.post("/v1/mgmt/nothing/here", json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = h.get("/v1/mgmt/tenant/create").await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    let resp = h.http.get(h.url("/elsewhere")).send().await.expect("sent");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["errorCode"].is_string());
}

#[tokio::test]
async fn license_reports_a_tier() {
    let h = start().await;
    let body = h.ok_get("/v1/mgmt/license").await;
    assert!(
        body["rateLimitTier"]
            .as_str()
            .expect("tier")
            .starts_with("tier")
    );
}
