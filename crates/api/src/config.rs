//! What a client needs to reach one Descope project: credentials, base URL resolution (explicit
//! → `DESCOPE_BASE_URL` → `DESCOPE_BASE_URI` → region derived from the project id → default),
//! pacing, retries and timeout.

use std::sync::Arc;
use std::time::Duration;

use descope_mgmt_core::secret::ManagementKey;

use crate::limit::{RateLimit, RateLimiter};
use crate::retry::RetryPolicy;

pub use descope_mgmt_core::config::base_url::{DEFAULT_BASE_URL, process_env, resolve_base_url};

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
    /// The client-side pace; `None` sends without pacing (the embedded emulator).
    pub rate_limit: Option<RateLimit>,
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
            rate_limit: Some(RateLimit::default()),
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
        self.rate_limit = Some(rate_limit);
        self
    }

    /// No client-side pacing (a 429 still pauses the client until the server's window reopens).
    pub fn unpaced(mut self) -> Self {
        self.rate_limit = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_never_shows_the_key() {
        let config = ClientConfig::new("P2local", ManagementKey::new("K2canarySECRET"));
        assert!(!format!("{config:?}").contains("canary"));
        assert_eq!(config.timeout, Duration::from_secs(60), "the SDKs' timeout");
        assert!(config.license_handshake);
        assert_eq!(config.rate_limit, Some(RateLimit::default()));
    }
}
