//! What a client needs to reach one Descope project: credentials, base URL resolution (explicit
//! → `DESCOPE_BASE_URL` → `DESCOPE_BASE_URI` → region derived from the project id → default),
//! pacing, retries and timeout.

use std::sync::Arc;
use std::time::Duration;

use descope_mgmt_core::secret::ManagementKey;

use crate::limit::{RateLimit, RateLimiter};
use crate::retry::RetryPolicy;

pub const DEFAULT_BASE_URL: &str = "https://api.descope.com";
/// Per attempt, as the official SDKs use.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The least per-attempt timeout of flow, theme and snapshot calls, whose bodies are large and
/// whose server side validates whole documents.
pub const LONG_CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// Settings of one client (one environment).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub project_id: String,
    pub management_key: ManagementKey,
    /// The environment's `base_url`; `None` falls back to the environment variables and then to
    /// the project id's region.
    pub base_url: Option<String>,
    pub rate_limit: RateLimit,
    /// A limiter shared with other clients of the same environment; when set, `rate_limit` is
    /// ignored.
    pub limiter: Option<Arc<RateLimiter>>,
    pub retry: RetryPolicy,
    /// Per attempt, connection included (flow, theme and snapshot calls get at least
    /// [`LONG_CALL_TIMEOUT`]).
    pub timeout: Duration,
    /// Fetch the license tier before the first call and send it in `x-descope-license`, as the
    /// SDKs do; off for servers that ignore it (the embedded emulator) and scripted tests.
    pub license_handshake: bool,
}

impl ClientConfig {
    pub fn new(project_id: impl Into<String>, management_key: ManagementKey) -> Self {
        Self {
            project_id: project_id.into(),
            management_key,
            base_url: None,
            rate_limit: RateLimit::default(),
            limiter: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            license_handshake: true,
        }
    }

    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    pub fn with_rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    pub fn with_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_license_handshake(mut self, enabled: bool) -> Self {
        self.license_handshake = enabled;
        self
    }

    /// The base URL this config resolves to, reading variables through `env` (injectable so
    /// tests never depend on the process environment).
    pub fn resolve_base_url(&self, env: impl Fn(&str) -> Option<String>) -> String {
        resolve_base_url(self.base_url.as_deref(), &self.project_id, env)
    }
}

/// Base URL precedence of design §5: explicit, `DESCOPE_BASE_URL` (Go SDK, CLI, Terraform),
/// `DESCOPE_BASE_URI` (Python SDK), region from a ≥ 32-char project id, default. Empty values
/// count as unset; a trailing `/` is dropped so paths can be appended.
pub fn resolve_base_url(
    explicit: Option<&str>,
    project_id: &str,
    env: impl Fn(&str) -> Option<String>,
) -> String {
    let chosen = explicit
        .map(str::to_owned)
        .filter(|url| !url.trim().is_empty())
        .or_else(|| env("DESCOPE_BASE_URL").filter(|url| !url.trim().is_empty()))
        .or_else(|| env("DESCOPE_BASE_URI").filter(|url| !url.trim().is_empty()))
        .or_else(|| region_base_url(project_id))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    chosen.trim().trim_end_matches('/').to_owned()
}

/// Ids of 32 characters or more carry a region code in characters 1..5 (after the `P`).
fn region_base_url(project_id: &str) -> Option<String> {
    if project_id.chars().count() < 32 {
        return None;
    }
    let region: String = project_id.chars().skip(1).take(4).collect();
    Some(format!("https://api.{region}.descope.com"))
}

/// The process environment, for production use of [`ClientConfig::resolve_base_url`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const SHORT_ID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";
    const REGION_ID: &str = "Puse12aAc4T2V93bddihGEx2Ryhc8e5Z";

    #[test]
    fn explicit_base_url_wins_over_everything() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", "http://from-url"),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(
            resolve_base_url(Some("http://127.0.0.1:4480/"), REGION_ID, env),
            "http://127.0.0.1:4480"
        );
    }

    #[test]
    fn descope_base_url_comes_before_descope_base_uri() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", "http://from-url"),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(resolve_base_url(None, REGION_ID, env), "http://from-url");
    }

    #[test]
    fn descope_base_uri_is_used_when_base_url_is_unset_or_empty() {
        let env = env_of(&[
            ("DESCOPE_BASE_URL", ""),
            ("DESCOPE_BASE_URI", "http://from-uri"),
        ]);
        assert_eq!(resolve_base_url(None, SHORT_ID, env), "http://from-uri");
    }

    #[test]
    fn long_project_id_selects_its_region() {
        assert_eq!(
            resolve_base_url(None, REGION_ID, env_of(&[])),
            "https://api.use1.descope.com"
        );
    }

    #[test]
    fn short_project_id_uses_the_default() {
        assert_eq!(
            resolve_base_url(None, SHORT_ID, env_of(&[])),
            DEFAULT_BASE_URL
        );
        assert_eq!(
            resolve_base_url(Some(""), "P2local", env_of(&[])),
            DEFAULT_BASE_URL
        );
    }

    #[test]
    fn config_debug_never_shows_the_key() {
        let config = ClientConfig::new("P2local", ManagementKey::new("K2canarySECRET"));
        assert!(!format!("{config:?}").contains("canary"));
        assert_eq!(config.timeout, Duration::from_secs(60), "the SDKs' timeout");
        assert!(config.license_handshake);
        assert_eq!(config.rate_limit, RateLimit::default());
    }
}
