//! Starting an emulator and a client pointed at it.

use std::time::Duration;

use descope_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use descope_mgmt_api::{ClientConfig, DescopeClient, RateLimit, RetryPolicy};
use descope_mgmt_core::resource::Tenant;
use descope_mgmt_core::secret::ManagementKey;
use serde_json::Value;

pub const PROJECT: &str = "P2local";
pub const KEY: &str = "K2local";

pub async fn emulator(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.expect("emulator starts")
}

/// Retries fast enough for tests; limits generous enough not to pace; no license handshake, so
/// the emulator's counters see only the calls a test makes.
pub fn quick_config(url: &str, key: &str) -> ClientConfig {
    ClientConfig::new(PROJECT, ManagementKey::new(key))
        .with_base_url(url)
        .with_rate_limit(RateLimit::new(10_000, Duration::from_secs(1)).unwrap())
        .with_retry(RetryPolicy {
            max_attempts: 6,
            first_delay: Duration::from_millis(5),
            later_delay: Duration::from_millis(50),
            max_elapsed: Duration::from_secs(30),
            default_retry_after: Duration::from_secs(1),
        })
        .with_timeout(Duration::from_secs(10))
        .with_license_handshake(false)
}

pub fn client(config: ClientConfig) -> DescopeClient {
    DescopeClient::with_env(config, |_| None).expect("client builds")
}

/// The emulator's `GET /emulator/stats`.
pub async fn emulator_stats(emulator: &RunningEmulator) -> Value {
    reqwest::get(format!("{}/emulator/stats", emulator.url()))
        .await
        .expect("stats reachable")
        .json()
        .await
        .expect("stats are JSON")
}

pub fn count(stats: &Value, key: &str) -> u64 {
    stats[key].as_u64().unwrap_or(0)
}

pub fn route_count(stats: &Value, route: &str) -> u64 {
    stats["byRoute"][route].as_u64().unwrap_or(0)
}

/// A tenant with only an id and a name: what the client tests create, load and delete.
pub fn tenant(id: &str, name: &str) -> Tenant {
    Tenant {
        id: id.into(),
        name: name.into(),
        ..Tenant::default()
    }
}
