//! Client throughput against the local emulator (design §10), printed as plain figures:
//!
//! (a) 20 ms of server latency, no quota: 1,000 tenant creates with concurrency 32, against the
//!     bound N × latency / concurrency (target ≤ 2×).
//! (b) a server quota Q equal to the client's limit: N tenant creates, against 1.1 × N / Q, with
//!     zero 429s.
//!
//! Run with `cargo bench --bench client_throughput`.

use std::time::{Duration, Instant};

use descope_emulator::{Emulator, EmulatorConfig, RateLimit as ServerQuota};
use descope_mgmt_api::{ClientConfig, DescopeClient, RateLimit};
use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::Tenant;
use descope_mgmt_core::secret::ManagementKey;
use futures::StreamExt;

fn tenant(n: usize) -> Tenant {
    Tenant {
        id: format!("bench-{n}"),
        name: format!("Bench tenant {n}"),
        ..Tenant::default()
    }
}

async fn create_all(client: &DescopeClient, calls: usize, concurrency: usize) -> Duration {
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(0..calls)
        .map(|n| {
            let tenants = client.clone();
            async move { ResourcePort::<Tenant>::create(&tenants, &tenant(n)).await }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 0, "every create succeeds");
    elapsed
}

async fn latency_bound() {
    const CALLS: usize = 1000;
    const CONCURRENCY: usize = 32;
    let latency = Duration::from_millis(20);
    let emulator = Emulator::start(EmulatorConfig {
        latency,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let config = ClientConfig::new("P2local", ManagementKey::new("K2local"))
        .with_base_url(emulator.url())
        .with_rate_limit(RateLimit::new(1_000_000, Duration::from_secs(1)).unwrap());
    let client = DescopeClient::with_env(config, |_| None).expect("client");
    let elapsed = create_all(&client, CALLS, CONCURRENCY).await;
    let bound = latency * CALLS as u32 / CONCURRENCY as u32;
    let ratio = elapsed.as_secs_f64() / bound.as_secs_f64();
    println!(
        "(a) {CALLS} creates, latency {latency:?}, concurrency {CONCURRENCY}: elapsed {:.0} ms, \
         bound {} ms, ratio {ratio:.2} (target <= 2.0) {}",
        elapsed.as_secs_f64() * 1000.0,
        bound.as_millis(),
        if ratio <= 2.0 { "PASS" } else { "FAIL" }
    );
    println!("    client stats: {:?}", client.stats());
    emulator.shutdown().await.expect("shutdown");
}

async fn quota_bound() {
    const CALLS: usize = 150;
    const CONCURRENCY: usize = 32;
    let limit = RateLimit::new(50, Duration::from_secs(1)).unwrap();
    let emulator = Emulator::start(EmulatorConfig {
        rate_limit: Some(ServerQuota {
            requests: limit.requests,
            per: limit.per,
        }),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let config = ClientConfig::new("P2local", ManagementKey::new("K2local"))
        .with_base_url(emulator.url())
        .with_rate_limit(limit);
    let client = DescopeClient::with_env(config, |_| None).expect("client");
    let burst = {
        let probe = descope_mgmt_api::RateLimiter::paced(limit).unwrap();
        let mut burst = 0;
        while probe.try_acquire().is_ok() {
            burst += 1;
        }
        burst
    };
    let elapsed = create_all(&client, CALLS, CONCURRENCY).await;
    let quota_secs = limit.per.as_secs_f64() / f64::from(limit.requests);
    let bound = 1.1 * CALLS as f64 * quota_secs;
    // The paced limiter lets `burst` calls through at once, then one every 1.05 × per / Q.
    let expected = (CALLS - burst) as f64 * quota_secs * 1.05;
    let stats = client.stats();
    let server = server_stats(&emulator.url()).await;
    println!(
        "(b) {CALLS} creates under a quota of {} per {:?} (client limit equal): elapsed {:.0} ms, \
         bound 1.1 x N/Q = {:.0} ms, ratio to N/Q {:.2}; paced expectation (N - burst {burst}) x \
         1.05 x per/Q = {:.0} ms; 429s seen by the client: {} {}\n    server stats: {}",
        limit.requests,
        limit.per,
        elapsed.as_secs_f64() * 1000.0,
        bound * 1000.0,
        elapsed.as_secs_f64() / (CALLS as f64 * quota_secs),
        expected * 1000.0,
        stats.rate_limited,
        if elapsed.as_secs_f64() <= bound && stats.rate_limited == 0 {
            "PASS"
        } else {
            "FAIL"
        },
        server
    );
    println!("    client stats: {stats:?}");
    emulator.shutdown().await.expect("shutdown");
}

/// The emulator's `/emulator/stats`, printed as the server-side evidence.
async fn server_stats(url: &str) -> String {
    match reqwest::get(format!("{url}/emulator/stats")).await {
        Ok(response) => response.text().await.unwrap_or_default(),
        Err(error) => format!("stats unavailable: {error}"),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        latency_bound().await;
        quota_bound().await;
    });
}
