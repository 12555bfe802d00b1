//! Tenant loads per second over loopback: `cargo bench -p descope-emulator`.
//!
//! Starts an in-process emulator, creates 1,000 tenants (with reqwest), then drives
//! `GET /v1/mgmt/tenant?id=` from several concurrent keep-alive connections for a fixed number of
//! requests and prints the rate. Client and server share the machine, so the figure is a lower
//! bound for the server.

use std::sync::Arc;
use std::time::Duration;

use descope_emulator::{Emulator, EmulatorConfig};

mod support;
use support::{AUTH, fan_out};

const TENANTS: usize = 1_000;
const CONNECTIONS: usize = 16;
const WARMUP: usize = 2_000;
const REQUESTS: usize = 60_000;

async fn drive(addr: std::net::SocketAddr, ids: &Arc<Vec<String>>, total: usize) -> Duration {
    let ids = ids.clone();
    fan_out(addr, CONNECTIONS, total, move |i| {
        let id = &ids[i % ids.len()];
        ("GET", format!("/v1/mgmt/tenant?id={id}"), None)
    })
    .await
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .expect("emulator");
        let base = emulator.url();
        let client = reqwest::Client::new();
        let mut ids = Vec::with_capacity(TENANTS);
        for i in 0..TENANTS {
            let resp: serde_json::Value = client
                .post(format!("{base}/v1/mgmt/tenant/create"))
                .header("Authorization", AUTH)
                .json(&serde_json::json!({"name": format!("tenant {i}"), "selfProvisioningDomains": [format!("t{i}.example.com")]}))
                .send()
                .await
                .expect("create")
                .json()
                .await
                .expect("json");
            ids.push(resp["id"].as_str().expect("id").to_owned());
        }
        let ids = Arc::new(ids);
        drive(emulator.addr(), &ids, WARMUP).await;
        let elapsed = drive(emulator.addr(), &ids, REQUESTS).await;
        let rate = REQUESTS as f64 / elapsed.as_secs_f64();
        println!(
            "tenant_load: {REQUESTS} loads over {CONNECTIONS} connections in {:.2}s = {rate:.0} loads/s",
            elapsed.as_secs_f64()
        );
        emulator.shutdown().await.expect("shutdown");
    });
}
