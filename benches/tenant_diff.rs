//! Benchmark of `descope-mgmt tenant diff` on 10,000 tenants (design.md §10: ≤ 1 s, one list
//! call). Starts an in-process emulator, loads the same 10,000 tenants into it over HTTP, then
//! runs the real (release) binary as a child process against it, so the figure covers process
//! start, loading and validating the config, the list call, planning and rendering.
//!
//! `cargo bench --bench tenant_diff` — prints each run's wall time and the emulator's counters,
//! and fails if a run makes anything but exactly one call (`GET /v1/mgmt/tenant/all`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use descope_emulator::{Emulator, EmulatorConfig};
use futures::stream::{self, StreamExt};
use serde_json::{Value, json};

const TENANTS: usize = 10_000;
const RUNS: usize = 7;
const TARGET: Duration = Duration::from_secs(1);
const AUTH: &str = "Bearer P2local:K2local";

fn tenant_id(index: usize) -> String {
    format!("tenant-{index:05}")
}

fn tenant_name(index: usize) -> String {
    format!("Tenant {index:05}")
}

fn write_config(dir: &Path, url: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("bench directory");
    let mut text = String::with_capacity(TENANTS * 80);
    let _ = write!(
        text,
        "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{BENCH_KEY}}\n    base_url: {url}\ntenants:\n"
    );
    for index in 0..TENANTS {
        let _ = write!(
            text,
            "  - id: {}\n    name: {}\n    domains: [t{index}.example.com]\n    self_provisioning: true\n",
            tenant_id(index),
            tenant_name(index)
        );
    }
    let path = dir.join("descope.yaml");
    std::fs::write(&path, text).expect("write the config");
    path
}

async fn load_tenants(http: &reqwest::Client, url: &str) {
    let started = Instant::now();
    let failures = stream::iter(0..TENANTS)
        .map(|index| async move {
            let body = json!({
                "id": tenant_id(index),
                "name": tenant_name(index),
                "selfProvisioningDomains": [format!("t{index}.example.com")],
            });
            let response = http
                .post(format!("{url}/v1/mgmt/tenant/create"))
                .header("Authorization", AUTH)
                .json(&body)
                .send()
                .await;
            matches!(response, Ok(response) if response.status().is_success())
        })
        .buffer_unordered(32)
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    assert_eq!(failures, 0, "every tenant must load");
    println!(
        "loaded {TENANTS} tenants into the emulator in {:.2}s",
        started.elapsed().as_secs_f64()
    );
}

async fn stats(http: &reqwest::Client, url: &str) -> Value {
    http.get(format!("{url}/emulator/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let url = emulator.url();
    let http = reqwest::Client::new();
    load_tenants(&http, &url).await;

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-tenant-diff");
    let config = write_config(&dir, &url);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_descope-mgmt"));
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        http.post(format!("{url}/emulator/stats/reset"))
            .send()
            .await
            .expect("stats reset");
        let started = Instant::now();
        let mut command = diff_command(&binary, &config);
        // The emulator serves from this runtime while the child runs, so wait off-runtime.
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("run the binary");
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "tenant diff failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "Plan: 0 to create, 0 to update, 0 to delete, {TENANTS} unchanged."
            )),
            "unexpected plan: {}",
            stdout.lines().last().unwrap_or_default()
        );
        let counters = stats(&http, &url).await;
        // One list call, plus the client's license handshake (once per connection, as the SDKs).
        assert_eq!(
            counters["requests"], 2,
            "one list call and the handshake: {counters}"
        );
        assert_eq!(counters["byRoute"]["GET /v1/mgmt/license"], 1, "{counters}");
        assert_eq!(
            counters["byRoute"]["GET /v1/mgmt/tenant/all"], 1,
            "{counters}"
        );
        if run == 0 {
            println!(
                "warm-up: {:.0} ms; emulator stats: {counters}",
                elapsed.as_secs_f64() * 1e3
            );
            continue;
        }
        println!("run {run}: {:.0} ms", elapsed.as_secs_f64() * 1e3);
        times.push(elapsed);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "tenant diff, {TENANTS} tenants: median {:.0} ms, min {:.0} ms, max {:.0} ms (target ≤ {} ms) — {}",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        TARGET.as_millis(),
        if median <= TARGET {
            "OK"
        } else {
            "OVER TARGET"
        }
    );
    let _ = emulator.shutdown().await;
}

fn diff_command(binary: &Path, config: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .args(["tenant", "diff", "--env", "dev", "--color", "never", "-c"])
        .arg(config)
        .env("BENCH_KEY", "K2local")
        .env_remove("DESCOPE_MGMT_CONFIG")
        .env_remove("DESCOPE_BASE_URL")
        .stdin(Stdio::null());
    command
}
