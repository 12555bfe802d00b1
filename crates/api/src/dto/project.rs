//! Project snapshot (J1–J3) and license shapes.

use serde_json::{Map, Value};

use super::{boolean, object, string, strings};

/// J3's answer: validation failures come back as 200 with `ok: false`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotValidation {
    pub ok: bool,
    pub failures: Vec<String>,
    /// `{connectors, oauthProviders, outboundApps, externalAuth}` lists of secrets to supply.
    pub missing_secrets: Map<String, Value>,
}

impl SnapshotValidation {
    pub fn from_json(value: &Value) -> Self {
        Self {
            ok: boolean(value, "ok"),
            failures: strings(value, "failures"),
            missing_secrets: object(value, "missingSecrets"),
        }
    }
}

/// J1's `files`: relative path → JSON object or string.
pub fn snapshot_files(body: &Value) -> Map<String, Value> {
    object(body, "files")
}

/// The license handshake's `rateLimitTier`.
pub fn rate_limit_tier(body: &Value) -> String {
    string(body, "rateLimitTier")
}
