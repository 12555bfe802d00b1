//! Kept for the flow tests until they move onto `world::World`.
//! An emulator served from the test process, and a configuration whose environments point at
//! it, for tests that run the binary against a live project.

use std::path::Path;
use std::process::{Command, Stdio};

use descope_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use serde_json::Value;

use super::support::descope_mgmt;

pub const KEY: &str = "K2local";

/// An emulator on 127.0.0.1 with its own runtime, so blocking tests can run the binary while it
/// serves.
pub struct LiveEmulator {
    runtime: tokio::runtime::Runtime,
    emulator: Option<RunningEmulator>,
    url: String,
}

impl LiveEmulator {
    pub fn start() -> Self {
        Self::start_with(EmulatorConfig::default())
    }

    pub fn start_with(config: EmulatorConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime
            .block_on(Emulator::start(config))
            .expect("emulator starts");
        let url = emulator.url();
        Self {
            runtime,
            emulator: Some(emulator),
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET /emulator/stats`: counts of management calls served.
    pub fn stats(&self) -> Value {
        let url = format!("{}/emulator/stats", self.url);
        self.runtime.block_on(async {
            reqwest::get(url)
                .await
                .expect("stats reachable")
                .json()
                .await
                .expect("stats are JSON")
        })
    }

    pub fn writes(&self) -> u64 {
        self.stats()["writes"].as_u64().expect("writes counter")
    }

    /// Runs `future` on the emulator's runtime, from a blocking test.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for LiveEmulator {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            let _ = self.runtime.block_on(emulator.shutdown());
        }
    }
}

/// A config directory with `dev` (unprotected) and `prod` (protected) both on `emulator`'s
/// default project, their key read from `$KEY`.
pub fn config_for(emulator: &LiveEmulator) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = emulator.url();
    std::fs::write(
        dir.path().join("descope.yaml"),
        format!(
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: {url}\n  prod:\n    project_id: P2local\n    management_key: ${{KEY}}\n    base_url: {url}\n    protected: true\n"
        ),
    )
    .unwrap();
    dir
}

/// The binary in `dir` with `-c descope.yaml`, the key in `$KEY` and no terminal on stdin.
pub fn cli(dir: &Path, key: &str) -> Command {
    let mut command = descope_mgmt(dir);
    command
        .env("KEY", key)
        .env_remove("DESCOPE_BASE_URI")
        .stdin(Stdio::null())
        .args(["-c", "descope.yaml"]);
    command
}
