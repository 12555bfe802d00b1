//! Starting emulators and calling them like an SDK would.

use descope_emulator::{Emulator, EmulatorConfig, ProjectCredentials, RunningEmulator};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const PROJECT: &str = "P2local";
pub const KEY: &str = "K2local";

pub struct Harness {
    pub emulator: RunningEmulator,
    pub http: reqwest::Client,
    pub project: String,
    pub key: String,
}

pub async fn start() -> Harness {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Harness {
    let (project, key) = match config.projects.first() {
        Some(ProjectCredentials {
            project_id,
            management_key,
        }) => (project_id.clone(), management_key.clone()),
        None => (PROJECT.to_owned(), KEY.to_owned()),
    };
    let emulator = Emulator::start(config).await.expect("emulator starts");
    Harness {
        emulator,
        http: reqwest::Client::new(),
        project,
        key,
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.emulator.url(), path)
    }

    pub async fn call_as(
        &self,
        project: &str,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Authorization", format!("Bearer {project}:{key}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.expect("body read");
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {text}"));
        (status, value)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_as(&self.project, &self.key, method, path, body)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    /// POST that must succeed; returns the body.
    pub async fn ok(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.post(path, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {value}");
        value
    }

    pub async fn ok_get(&self, path: &str) -> Value {
        let (status, value) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {value}");
        value
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("json")
    }
}

/// Asserts a Descope error body with the given status and returns its errorCode.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode) -> String {
    assert_eq!(status, expected, "unexpected status, body: {body}");
    for field in ["errorCode", "errorDescription", "errorMessage"] {
        assert!(body[field].is_string(), "missing {field} in {body}");
    }
    body["errorCode"].as_str().unwrap_or_default().to_owned()
}
