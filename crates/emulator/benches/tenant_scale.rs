//! The emulator at 100,000 tenants (issue 15): `cargo bench -p descope-emulator --bench tenant_scale`.
//!
//! Writes a state file holding 100,000 tenants (seeding through the state file keeps the setup to
//! seconds), starts an in-process emulator on it, and measures over loopback:
//! * load-all (`GET /v1/mgmt/tenant/all`, whole answer read), median of several runs — target ≤ 250 ms;
//! * tenant creates over 16 keep-alive connections — target ≥ 5,000/s.
//!
//! In the same run, creates against an empty emulator, so that the ratio shows whether the
//! cost of a create grows with the state. Client and server share the machine, so the figures are
//! lower bounds for the server. Not run in CI.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use descope_emulator::{Emulator, EmulatorConfig};

mod support;
use support::{Connection, fan_out};

const STORED: usize = 100_000;
const CONNECTIONS: usize = 16;
const CREATES: usize = 20_000;
const LOAD_ALL_RUNS: usize = 5;

fn tenant(i: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("T{i:027}"), "name": format!("stored tenant {i}"),
        "selfProvisioningDomains": [format!("s{i}.example.com")], "customAttributes": {"tier": "gold"},
        "authType": "none", "domains": [], "createdTime": 1_726_067_547, "disabled": false,
        "enforceSSO": false, "enforceSSOExclusions": [], "federatedAppIds": [], "parent": "",
        "successors": [], "defaultRoles": [], "roleInheritance": "",
    })
}

fn write_state(path: &Path, tenants: usize) {
    let mut collection = serde_json::Map::new();
    for i in 0..tenants {
        let t = tenant(i);
        collection.insert(t["id"].as_str().expect("id").to_owned(), t);
    }
    let doc = serde_json::json!({
        "format": "descope-emulator-state", "version": 1,
        "projects": {"P2local": {"tenants": collection}},
    });
    std::fs::write(path, serde_json::to_vec(&doc).expect("json")).expect("write state");
}

async fn creates(addr: std::net::SocketAddr, label: &str) -> f64 {
    let label = label.to_owned();
    let elapsed = fan_out(addr, CONNECTIONS, CREATES, move |i| {
        let body = format!(
            r#"{{"name":"{label} {i}","selfProvisioningDomains":["n{i}.example.com"],"enforceSSO":false,"disabled":false}}"#
        );
        ("POST", "/v1/mgmt/tenant/create".to_owned(), Some(body.into_bytes()))
    })
    .await;
    CREATES as f64 / elapsed.as_secs_f64()
}

async fn load_all_median(addr: std::net::SocketAddr, expected: usize) -> Duration {
    let mut conn = Connection::open(addr).await;
    let mut times = Vec::with_capacity(LOAD_ALL_RUNS);
    for _ in 0..LOAD_ALL_RUNS {
        let started = Instant::now();
        let answer = conn.send("GET", "/v1/mgmt/tenant/all", None).await;
        times.push(started.elapsed());
        // Checked outside the timing: the figure is the server's answer, read in full.
        let parsed: serde_json::Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(parsed["tenants"].as_array().map(Vec::len), Some(expected));
    }
    times.sort();
    times[LOAD_ALL_RUNS / 2]
}

async fn started_on(state: PathBuf) -> descope_emulator::RunningEmulator {
    Emulator::start(EmulatorConfig {
        state_file: Some(state),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator")
}

fn main() {
    let dir = std::env::temp_dir().join(format!("descope-emulator-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let empty = started_on(dir.join("empty.json")).await;
        let rate_empty = creates(empty.addr(), "fresh").await;
        empty.shutdown().await.expect("shutdown");

        let state = dir.join("scale.json");
        let seeding = Instant::now();
        write_state(&state, STORED);
        let full = started_on(state).await;
        let seeded = seeding.elapsed();
        let load_all = load_all_median(full.addr(), STORED).await;
        let rate_full = creates(full.addr(), "new").await;
        full.shutdown().await.expect("shutdown");

        println!("tenant_scale: seeded {STORED} tenants through the state file in {:.2}s", seeded.as_secs_f64());
        println!(
            "tenant_scale: load-all of {STORED} tenants: median {:.0} ms of {LOAD_ALL_RUNS} (target <= 250 ms)",
            load_all.as_secs_f64() * 1000.0
        );
        println!(
            "tenant_scale: {CREATES} creates over {CONNECTIONS} connections with {STORED} stored: {rate_full:.0}/s (target >= 5000/s)"
        );
        println!(
            "tenant_scale: same creates on an empty emulator: {rate_empty:.0}/s; ratio stored/empty = {:.2}",
            rate_full / rate_empty
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
}
