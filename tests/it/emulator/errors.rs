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

/// Every route, fed hostile bodies and queries, answers with a client error or success and a
/// JSON object body, and the server keeps serving.
#[tokio::test]
async fn every_route_survives_hostile_input() {
    let h = start().await;
    h.ok("/v1/mgmt/tenant/create", json!({"id": "t", "name": "T"}))
        .await;
    let wrong_types = json!({
        "id": [1], "name": {"a": 1}, "tenantId": 5, "flowId": true, "loginId": [], "userId": 1.5,
        "flow": "x", "screens": {"a": 1}, "theme": [], "files": "x", "settings": 3, "roles": {"a": 1},
        "permissions": "p", "ids": "x", "names": [1], "roleNames": "r", "userTenants": ["t"],
        "keyTenants": [1], "permissionNames": [null, 1], "selfProvisioningDomains": [[]],
        "customAttributes": [], "limit": "many", "page": -1, "expireTime": "soon", "cascade": "yes",
        "defaultRoles": {"x": 1}, "domains": 7, "newName": [], "description": {}, "status": 1,
    });
    let nested_nulls = json!({
        "flow": {"screens": [null, 1], "metadata": [], "contents": 2}, "screens": [null, "s"],
        "theme": {"cssTemplate": [], "styles": 1}, "settings": {"name": null, "roleMappings": [1]},
        "roles": [null, 1, {"name": null}], "permissions": [[]], "files": {"flows/x.json": 1, "styles/styles.json": []},
    });
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"text\"".to_vec(),
        b"{\"unterminated\": ".to_vec(),
        b"\xff\xfe".to_vec(),
        "[".repeat(10_000).into_bytes(),
        serde_json::to_vec(&wrong_types).expect("json"),
        serde_json::to_vec(&nested_nulls).expect("json"),
    ];
    let client = &h.http;
    for (method, path) in descope_emulator::routes() {
        let method: Method = method.parse().expect("method");
        for query in [
            "",
            "?id=&tenantId=&loginId=",
            "?id=t&tenantId=t&ssoId=%ff&loginId=%00",
        ] {
            for body in &bodies {
                let resp = client
                    .request(method.clone(), h.url(&format!("{path}{query}")))
                    .header("Authorization", "Bearer P2local:K2local")
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {path}{query}: {e}"));
                let status = resp.status();
                let text = resp.text().await.expect("body");
                assert!(
                    !status.is_server_error(),
                    "{method} {path}{query} with {:?}: {status} {text}",
                    String::from_utf8_lossy(&body[..body.len().min(60)])
                );
                let value: serde_json::Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {text}"));
                assert!(value.is_object(), "{method} {path}: {text}");
                if !status.is_success() {
                    assert!(value["errorCode"].is_string(), "{method} {path}: {text}");
                }
            }
        }
    }
    h.ok_get("/v1/mgmt/tenant/all").await;
}
