//! Fault injection: rate limit, seeded 503s, latency, runtime reconfiguration.

use std::time::{Duration, Instant};

use descope_emulator::{EmulatorConfig, RateLimit};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{Harness, assert_error, start, start_with};

#[tokio::test]
async fn rate_limit_returns_429_with_e130429_and_retry_after() {
    let h = start_with(EmulatorConfig {
        rate_limit: Some(RateLimit {
            requests: 2,
            per: Duration::from_secs(30),
        }),
        ..EmulatorConfig::default()
    })
    .await;
    for _ in 0..2 {
        h.ok_get("/v1/mgmt/tenant/all").await;
    }
    let resp = h
        .http
        .get(h.url("/v1/mgmt/tenant/all"))
        .header("Authorization", "Bearer P2local:K2local")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp
        .headers()
        .get("Retry-After")
        .expect("Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&retry), "{retry}");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["errorCode"], json!("E130429"));
}

async fn failure_pattern(h: &Harness, n: usize) -> Vec<bool> {
    let mut pattern = Vec::with_capacity(n);
    for _ in 0..n {
        let (status, body) = h.get("/v1/mgmt/tenant/all").await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE);
        }
        pattern.push(status == StatusCode::SERVICE_UNAVAILABLE);
    }
    pattern
}

#[tokio::test]
async fn seeded_503s_are_reproducible() {
    let config = EmulatorConfig {
        fail_rate: 0.5,
        seed: 42,
        ..EmulatorConfig::default()
    };
    let first = failure_pattern(&start_with(config.clone()).await, 40).await;
    let second = failure_pattern(&start_with(config).await, 40).await;
    assert_eq!(first, second);
    assert!(
        first.iter().any(|f| *f) && first.iter().any(|f| !*f),
        "{first:?}"
    );
}

#[tokio::test]
async fn faults_can_be_changed_at_run_time() {
    let h = start().await;
    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"failRate": 1.0, "seed": 7})),
    )
    .await;
    let (status, _) = h.get("/v1/mgmt/tenant/all").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"failRate": 0.0, "rateLimit": {"requests": 1, "perSeconds": 60}})),
    )
    .await;
    h.ok_get("/v1/mgmt/tenant/all").await;
    let (status, _) = h.get("/v1/mgmt/tenant/all").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"rateLimit": null})),
    )
    .await;
    h.ok_get("/v1/mgmt/tenant/all").await;
}

#[tokio::test]
async fn latency_delays_management_calls() {
    let h = start_with(EmulatorConfig {
        latency: Duration::from_millis(150),
        ..EmulatorConfig::default()
    })
    .await;
    let started = Instant::now();
    h.ok_get("/v1/mgmt/tenant/all").await;
    // A lower bound only: the delay is a sleep inside the server, so it cannot be shorter.
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// Descope documents neither status, so a client must not rely on 409/404: the emulator can be
/// told to answer 400 for both, keeping the error body.
#[tokio::test]
async fn duplicate_and_missing_can_answer_400_instead_of_409_and_404() {
    let h = start().await;
    let settings = h
        .control(
            Method::POST,
            "/emulator/faults",
            Some(json!({"conflictStatus": 400, "notFoundStatus": 400})),
        )
        .await;
    assert_eq!(settings["conflictStatus"], json!(400));
    assert_eq!(settings["notFoundStatus"], json!(400));
    h.ok("/v1/mgmt/tenant/create", json!({"id": "a", "name": "A"}))
        .await;
    let (status, body) = h
        .post("/v1/mgmt/tenant/create", json!({"id": "a", "name": "A"}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h.get("/v1/mgmt/tenant?id=nope").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h
        .post("/v1/mgmt/role/delete", json!({"name": "Ghost"}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = h.post("/v1/mgmt/no/such/route", json!({})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);

    // Other settings leave the switch alone; it is turned back explicitly.
    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"latencyMs": 0})),
    )
    .await;
    let (status, _) = h.get("/v1/mgmt/tenant?id=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"conflictStatus": 409, "notFoundStatus": 404})),
    )
    .await;
    let (status, _) = h.get("/v1/mgmt/tenant?id=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = h
        .post("/v1/mgmt/tenant/create", json!({"id": "a", "name": "A"}))
        .await;
    assert_error(status, &body, StatusCode::CONFLICT);
}

#[tokio::test]
async fn status_switch_accepts_only_client_error_statuses() {
    let h = start().await;
    let resp = h
        .http
        .post(h.url("/emulator/faults"))
        .json(&json!({"conflictStatus": 500}))
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

/// A server without the batch endpoints, so a client's fallback to single calls can be tested.
#[tokio::test]
async fn batch_endpoints_can_be_refused_as_unknown_routes() {
    let h = start().await;
    let batch = json!({"roles": [{"name": "a"}, {"name": "b"}]});
    let settings = h
        .control(
            Method::POST,
            "/emulator/faults",
            Some(json!({"refuseBatches": true})),
        )
        .await;
    assert_eq!(settings["refuseBatches"], json!(true));
    let (status, body) = h.post("/v1/mgmt/role/create/batch", batch.clone()).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    // Single calls are still served.
    h.ok("/v1/mgmt/role/create", json!({"name": "single"}))
        .await;

    h.control(
        Method::POST,
        "/emulator/faults",
        Some(json!({"refuseBatches": false})),
    )
    .await;
    h.ok("/v1/mgmt/role/create/batch", batch).await;
}
