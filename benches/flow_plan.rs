//! Benchmark of `descope-mgmt plan` on 50 configured, unchanged flows against an in-process
//! emulator with 20 ms of latency per call (issue 11: a warm cache makes it one flow call).
//! Runs the real (release) binary as a child process, alternating a cold run (flow cache
//! emptied) and a warm one, and fails unless the cold run makes one list call and 50 exports and
//! the warm one the list call alone. Wall times vary with the machine's load; the warm/cold
//! ratio, measured in the same run, is the figure.
//!
//! `cargo bench --bench flow_plan` (the corpus is found by walking up to
//! `shared/data/descope-exports`, or through `DESCOPE_EXPORTS_DIR`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use descope_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

const FLOWS: usize = 50;
const RUNS: usize = 7;
const LATENCY: Duration = Duration::from_millis(20);

fn corpus_flow() -> Value {
    let dir = std::env::var("DESCOPE_EXPORTS_DIR").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|dir| dir.join("shared/data/descope-exports"))
                .find(|dir| dir.is_dir())
                .expect("the export corpus: set DESCOPE_EXPORTS_DIR")
        },
        PathBuf::from,
    );
    let bytes = std::fs::read(dir.join("terraform-provider-descope/connectorflow.json"))
        .expect("corpus flow");
    serde_json::from_slice(&bytes).expect("corpus flow JSON")
}

/// `descope.yaml` declaring `FLOWS` copies of the corpus flow, each in its own file.
fn write_config(dir: &Path, url: &str) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("flows")).expect("bench directory");
    let template = corpus_flow();
    let mut text = format!(
        "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: P2local\n    management_key: ${{BENCH_KEY}}\n    base_url: {url}\n    rate_limit: {{requests: 10000, per_seconds: 1}}\nflows:\n"
    );
    for index in 0..FLOWS {
        let id = format!("flow-{index:02}");
        let mut flow = template.clone();
        flow["flowId"] = json!(id);
        std::fs::write(dir.join(format!("flows/{id}.json")), flow.to_string()).expect("flow");
        text.push_str(&format!("  - id: {id}\n    file: flows/{id}.json\n"));
    }
    let path = dir.join("descope.yaml");
    std::fs::write(&path, text).expect("write the config");
    path
}

fn command(binary: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .args(["-c", "descope.yaml", "--color", "never", "--no-progress"])
        .args(args)
        .env_clear()
        .env("BENCH_KEY", "K2local")
        .env("DESCOPE_MGMT_STATE_DIR", dir.join("state"))
        .stdin(Stdio::null());
    command
}

async fn run(mut command: Command, expected: i32) -> Duration {
    let started = Instant::now();
    // The emulator serves from this runtime while the child runs, so wait off-runtime.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run the binary");
    let elapsed = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(expected),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

/// Flow list and export calls since the last reset.
async fn flow_calls(http: &reqwest::Client, url: &str) -> (u64, u64) {
    let stats: Value = http
        .get(format!("{url}/emulator/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON");
    let route = |name: &str| stats["byRoute"][name].as_u64().unwrap_or(0);
    (
        route("POST /v1/mgmt/flow/list"),
        route("POST /v2/mgmt/flow/export"),
    )
}

async fn reset(http: &reqwest::Client, url: &str) {
    http.post(format!("{url}/emulator/stats/reset"))
        .send()
        .await
        .expect("stats reset");
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let emulator = Emulator::start(EmulatorConfig {
        latency: LATENCY,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts");
    let url = emulator.url();
    let http = reqwest::Client::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-flow-plan");
    write_config(&dir, &url);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_descope-mgmt"));
    run(
        command(&binary, &dir, &["apply", "--env", "dev", "--yes"]),
        0,
    )
    .await;

    let plan = ["plan", "--env", "dev", "--detailed-exitcode"];
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for round in 0..=RUNS {
        let _ = std::fs::remove_dir_all(dir.join("state/cache"));
        reset(&http, &url).await;
        let cold_time = run(command(&binary, &dir, &plan), 0).await;
        assert_eq!(flow_calls(&http, &url).await, (1, FLOWS as u64), "cold");
        reset(&http, &url).await;
        let warm_time = run(command(&binary, &dir, &plan), 0).await;
        assert_eq!(
            flow_calls(&http, &url).await,
            (1, 0),
            "warm: the list call alone"
        );
        println!(
            "round {round}: cold {:.0} ms, warm {:.0} ms",
            cold_time.as_secs_f64() * 1e3,
            warm_time.as_secs_f64() * 1e3
        );
        // Round 0 warms the page cache and the emulator.
        if round > 0 {
            cold.push(cold_time);
            warm.push(warm_time);
        }
    }
    let (cold, warm) = (median(cold), median(warm));
    println!(
        "plan of {FLOWS} unchanged flows, {} ms latency: cold cache median {:.0} ms (1 list + {FLOWS} exports), warm cache median {:.0} ms (1 list call): warm/cold {:.2}",
        LATENCY.as_millis(),
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3,
        warm.as_secs_f64() / cold.as_secs_f64()
    );
    let _ = emulator.shutdown().await;
}
