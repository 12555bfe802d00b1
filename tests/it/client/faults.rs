//! The client under the emulator's faults: rate limiting, random 503s, latency, a wrong key and
//! a timeout; and the management key never showing in errors or logs.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use descope_emulator::{EmulatorConfig, RateLimit};
use descope_mgmt_api::{ApiErrorKind, RetryPolicy};
use descope_mgmt_core::port::{PortError, PortErrorKind, ResourcePort};
use descope_mgmt_core::resource::Tenant;
use futures::StreamExt;
use futures::future::join_all;

use super::support::{
    KEY, client, count, emulator, emulator_stats, quick_config, route_count, tenant,
};

/// The `n`th tenant of a batch: `t{n}`, "Tenant {n}".
fn numbered(n: usize) -> Tenant {
    tenant(&format!("t{n}"), &format!("Tenant {n}"))
}

#[tokio::test]
async fn rate_limited_calls_wait_for_retry_after_and_succeed() {
    let emulator = emulator(EmulatorConfig {
        rate_limit: Some(RateLimit {
            requests: 2,
            per: Duration::from_secs(1),
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(quick_config(&emulator.url(), KEY));
    for n in 0..5 {
        ResourcePort::<Tenant>::create(&client, &numbered(n))
            .await
            .unwrap();
    }
    let stats = client.stats();
    assert!(stats.rate_limited >= 1, "{stats:?}");
    assert_eq!(stats.retries, stats.rate_limited);
    assert_eq!(
        ResourcePort::<Tenant>::list(&client).await.unwrap().len(),
        5
    );
}

#[tokio::test]
async fn a_server_quota_far_below_the_clients_is_learnt_and_every_create_lands() {
    // The server allows 10 per 1 s; the client is configured for 10,000 per 1 s.
    let emulator = emulator(EmulatorConfig {
        rate_limit: Some(RateLimit {
            requests: 10,
            per: Duration::from_secs(1),
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(quick_config(&emulator.url(), KEY));
    let results: Vec<_> = futures::stream::iter(0..40)
        .map(|n| {
            let client = client.clone();
            async move { ResourcePort::<Tenant>::create(&client, &numbered(n)).await }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for result in results {
        result.unwrap();
    }
    let stats = client.stats();
    // Only the first burst may be refused (at most the 8 in flight); learnt, the pace stays
    // under the quota from then on. Pausing without slowing down was refused 14 times here.
    assert!(stats.rate_limited <= 8, "{stats:?}");
    let learnt = client.limiter().limit();
    assert!(
        f64::from(learnt.requests) / learnt.per.as_secs_f64() <= 10.0,
        "{learnt:?}"
    );
    assert_eq!(
        ResourcePort::<Tenant>::list(&client).await.unwrap().len(),
        40
    );
}

#[tokio::test]
async fn random_503s_are_retried_without_duplicates() {
    let emulator = emulator(EmulatorConfig {
        fail_rate: 0.2,
        seed: 42,
        ..EmulatorConfig::default()
    })
    .await;
    // Sized so that an unlucky run is rarer than one in a million: with 80 creates (and a list
    // before and after) at 20 % 503s, no 503 at all has odds 0.8^82 ≈ 1e-8, and any call failing
    // 12 attempts in a row 82 × 0.2^12 ≈ 3e-7.
    let client = client(quick_config(&emulator.url(), KEY).with_retry(RetryPolicy {
        max_attempts: 12,
        first_delay: Duration::from_millis(5),
        later_delay: Duration::from_millis(5),
        max_elapsed: Duration::from_secs(60),
        default_retry_after: Duration::from_secs(1),
    }));
    let before = ResourcePort::<Tenant>::list(&client).await.unwrap().len();
    let creates = (0..80).map(|n| {
        let tenants = client.clone();
        async move { ResourcePort::<Tenant>::create(&tenants, &numbered(n)).await }
    });
    for result in join_all(creates).await {
        result.unwrap();
    }
    let after = ResourcePort::<Tenant>::list(&client).await.unwrap();
    assert_eq!(after.len(), before + 80);
    assert!(
        client.stats().retries >= 1,
        "a 20% failure rate over 80+ calls retries"
    );
    let stats = emulator_stats(&emulator).await;
    assert!(
        route_count(&stats, "POST /v1/mgmt/tenant/create") > 80,
        "{stats}"
    );
}

#[tokio::test]
async fn latency_slows_calls_but_they_succeed() {
    let emulator = emulator(EmulatorConfig {
        latency: Duration::from_millis(100),
        ..EmulatorConfig::default()
    })
    .await;
    let client = client(quick_config(&emulator.url(), KEY));
    let creates = (0..8).map(|n| {
        let tenants = client.clone();
        async move { ResourcePort::<Tenant>::create(&tenants, &numbered(n)).await }
    });
    assert!(join_all(creates).await.iter().all(Result::is_ok));
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn a_wrong_key_fails_once_with_a_clear_error() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = client(quick_config(&emulator.url(), "K2wrongCANARYkey"));
    let error = ResourcePort::<Tenant>::list(&client).await.unwrap_err();
    assert_eq!(error.kind, PortErrorKind::Unauthorized);
    assert!(
        error.message.contains("tenant.load_all"),
        "{}",
        error.message
    );
    assert!(error.message.contains("401") || error.message.contains("403"));
    assert_eq!(count(&emulator_stats(&emulator).await, "requests"), 1);
    assert_eq!(client.stats().requests, 1);
}

#[tokio::test]
async fn a_slow_server_times_out_after_bounded_retries() {
    let emulator = emulator(EmulatorConfig {
        latency: Duration::from_millis(1500),
        ..EmulatorConfig::default()
    })
    .await;
    let config = quick_config(&emulator.url(), KEY)
        .with_timeout(Duration::from_millis(200))
        .with_retry(RetryPolicy {
            max_attempts: 2,
            first_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        });
    let client = client(config);
    let error = client.tenants().load_all().await.unwrap_err();
    assert_eq!(error.kind, ApiErrorKind::Timeout);
    assert_eq!(error.retries, 1);
    assert_eq!(PortError::from(error).kind, PortErrorKind::Unreachable);
    assert_eq!(client.stats().requests, 2);
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Set in the child process that runs [`key_secrecy_child`].
const SECRECY_CHILD: &str = "DESCOPE_MGMT_TEST_SECRECY_CHILD";

#[test]
fn the_key_never_shows_in_errors_or_logs() {
    // A subscriber that sees every thread needs a process of its own: a thread-local one races
    // with other tests registering the same callsites and can miss the request logs.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "client::faults::key_secrecy_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SECRECY_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test: {stdout}"
    );
}

/// The body of [`the_key_never_shows_in_errors_or_logs`]; does nothing unless run as its child.
#[tokio::test]
async fn key_secrecy_child() {
    if std::env::var_os(SECRECY_CHILD).is_none() {
        return;
    }
    const CANARY: &str = "K2canaryLEAKcheck0001";
    let healthy = emulator(EmulatorConfig::default()).await;
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the child's only subscriber");

    let mut texts = Vec::new();
    let mut record = |error: descope_mgmt_api::ApiError| {
        let port = PortError::from(error.clone());
        texts.extend([
            error.to_string(),
            format!("{error:?}"),
            port.to_string(),
            format!("{port:?}"),
        ]);
    };

    // Wrong key.
    let wrong = client(quick_config(&healthy.url(), CANARY));
    record(wrong.tenants().load_all().await.unwrap_err());
    assert!(!format!("{wrong:?}").contains(CANARY));

    // 404 and 400 with the canary as the project's real key.
    let own = emulator(EmulatorConfig {
        projects: vec![descope_emulator::ProjectCredentials {
            project_id: "P2local".into(),
            management_key: CANARY.into(),
        }],
        ..EmulatorConfig::default()
    })
    .await;
    let ok = client(quick_config(&own.url(), CANARY));
    record(ok.tenants().delete("missing", false).await.unwrap_err());
    record(ok.tenants().create(&Tenant::default()).await.unwrap_err());

    // 429 and 503 exhausted, timeout, connection refused.
    let faulty = |config: EmulatorConfig| async move {
        emulator(EmulatorConfig {
            projects: vec![descope_emulator::ProjectCredentials {
                project_id: "P2local".into(),
                management_key: CANARY.into(),
            }],
            ..config
        })
        .await
    };
    let exhausted = RetryPolicy {
        max_attempts: 2,
        first_delay: Duration::from_millis(5),
        max_elapsed: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    let limited = faulty(EmulatorConfig {
        rate_limit: Some(RateLimit {
            requests: 1,
            per: Duration::from_secs(60),
        }),
        ..EmulatorConfig::default()
    })
    .await;
    let c = client(quick_config(&limited.url(), CANARY).with_retry(exhausted));
    c.tenants().load_all().await.unwrap();
    record(c.tenants().load_all().await.unwrap_err());

    let failing = faulty(EmulatorConfig {
        fail_rate: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    let c = client(quick_config(&failing.url(), CANARY).with_retry(exhausted));
    record(c.tenants().load_all().await.unwrap_err());

    let slow = faulty(EmulatorConfig {
        latency: Duration::from_millis(1000),
        ..EmulatorConfig::default()
    })
    .await;
    let c = client(
        quick_config(&slow.url(), CANARY)
            .with_retry(exhausted)
            .with_timeout(Duration::from_millis(100)),
    );
    record(c.tenants().load_all().await.unwrap_err());

    let (_bound, address) = crate::net::refusing_address();
    let refused = format!("http://{address}");
    let c = client(quick_config(&refused, CANARY).with_retry(exhausted));
    record(c.tenants().load_all().await.unwrap_err());

    assert_eq!(texts.len(), 7 * 4);
    for text in &texts {
        assert!(!text.contains(CANARY), "key leaked: {text}");
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("descope_request"));
    assert!(!logs.contains(CANARY), "key leaked in logs");
}
