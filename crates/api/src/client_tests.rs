//! Unit tests of the HTTP core against a scripted loopback server.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use descope_mgmt_core::port::{PortError, PortErrorKind, ResourcePort};
use descope_mgmt_core::resource::Tenant;
use descope_mgmt_core::secret::ManagementKey;
use serde_json::json;

use crate::mock::{MockServer, Reply};
use crate::{ApiError, ApiErrorKind, ClientConfig, DescopeClient, RateLimit, RetryPolicy};

const CANARY: &str = "K2canarySECRETkeyXYZ";

/// The per-attempt timeout of the scripted clients, and a reply delay an order of magnitude
/// longer: a loaded machine neither times out a prompt reply nor sees a delayed one arrive in time.
const TIMEOUT: Duration = Duration::from_secs(2);
const TIMED_OUT: Duration = Duration::from_secs(20);

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        first_delay: Duration::from_millis(2),
        later_delay: Duration::from_millis(10),
        max_elapsed: Duration::from_secs(20),
        default_retry_after: Duration::from_millis(5),
    }
}

/// A client whose every request the scripted server sees (no license handshake first).
fn client_for(url: &str) -> DescopeClient {
    DescopeClient::with_env(config_for(url), |_| None).unwrap()
}

fn config_for(url: &str) -> ClientConfig {
    ClientConfig::new("P2test", ManagementKey::new(CANARY))
        .with_base_url(url)
        .with_retry(fast_retry())
        .with_timeout(TIMEOUT)
        .with_rate_limit(RateLimit::new(1000, Duration::from_secs(1)).unwrap())
        .with_license_handshake(false)
}

fn tenant(id: &str) -> Tenant {
    Tenant {
        id: id.into(),
        name: format!("name-{id}"),
        ..Tenant::default()
    }
}

#[tokio::test]
async fn sends_auth_and_identification_headers() {
    let server = MockServer::start(vec![]).await;
    let client = client_for(&server.url());
    client.tenants().load_all().await.unwrap();
    let request = &server.received()[0];
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("authorization"), format!("Bearer P2test:{CANARY}"));
    assert_eq!(header("x-descope-sdk-name"), "descope-mgmt");
    assert_eq!(header("x-descope-sdk-version"), env!("CARGO_PKG_VERSION"));
    assert_eq!(header("x-descope-project-id"), "P2test");
    assert_eq!(
        header("user-agent"),
        format!("descope-mgmt/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(request.method, "GET");
    assert_eq!(request.path_and_query, "/v1/mgmt/tenant/all");
}

#[tokio::test]
async fn license_tier_is_sent_on_later_requests() {
    let server = MockServer::start(vec![Reply::json(200, r#"{"rateLimitTier":"tier2"}"#)]).await;
    let client = client_for(&server.url());
    assert_eq!(client.license().await.unwrap(), "tier2");
    client.roles().load_all().await.unwrap();
    let received = server.received();
    assert!(received[0].headers.get("x-descope-license").is_none());
    assert_eq!(received[1].headers["x-descope-license"], "tier2");
}

#[tokio::test]
async fn license_is_fetched_once_before_the_first_call_and_sent_on_every_call() {
    let server = MockServer::start(vec![Reply::json(200, r#"{"rateLimitTier":"tier3"}"#)]).await;
    let client = DescopeClient::with_env(
        config_for(&server.url()).with_license_handshake(true),
        |_| None,
    )
    .unwrap();
    let (tenant_api, role_api) = (client.tenants(), client.roles());
    let (tenants, roles) = tokio::join!(tenant_api.load_all(), role_api.load_all());
    tenants.unwrap();
    roles.unwrap();
    client.permissions().load_all().await.unwrap();
    let received = server.received();
    assert_eq!(received.len(), 4, "{:?}", server.paths());
    assert_eq!(received[0].path_and_query, "/v1/mgmt/license");
    assert!(received[0].headers.get("x-descope-license").is_none());
    for request in &received[1..] {
        assert_eq!(
            request.headers["x-descope-license"], "tier3",
            "{}",
            request.path_and_query
        );
    }
    // The handshake is a request of its own, not a call anyone asked for.
    assert_eq!((client.stats().calls, client.stats().requests), (3, 4));
}

#[tokio::test]
async fn a_failed_license_handshake_is_ignored_and_not_repeated() {
    let server = MockServer::start(vec![Reply::json(500, r#"{"errorCode":"E000000"}"#)]).await;
    let client = DescopeClient::with_env(
        config_for(&server.url()).with_license_handshake(true),
        |_| None,
    )
    .unwrap();
    client.tenants().load_all().await.unwrap();
    client.roles().load_all().await.unwrap();
    assert_eq!(
        server.paths(),
        vec![
            "/v1/mgmt/license",
            "/v1/mgmt/tenant/all",
            "/v1/mgmt/role/all"
        ]
    );
    assert!(
        server.received()[1..]
            .iter()
            .all(|r| r.headers.get("x-descope-license").is_none())
    );
}

#[tokio::test]
async fn flow_theme_and_snapshot_calls_outlast_the_per_attempt_timeout() {
    // The client's timeout (50 ms) is ten times shorter than the server's delay (500 ms), which
    // is far below the long-call floor (120 s).
    let slow = || Reply::json(200, "{}").delayed(Duration::from_millis(500));
    let server = MockServer::start(vec![slow(), slow(), slow(), slow(), slow(), slow()]).await;
    let config = config_for(&server.url()).with_timeout(Duration::from_millis(50));
    let client = DescopeClient::with_env(config, |_| None).unwrap();
    client.project().export_snapshot(None).await.unwrap();
    client.themes().export().await.unwrap();
    client.flows().list().await.unwrap();
    assert_eq!(server.received().len(), 3, "{:?}", server.paths());
    let error = client.tenants().load_all().await.unwrap_err();
    assert_eq!(error.kind, ApiErrorKind::Timeout);
}

#[tokio::test]
async fn clients_of_one_environment_can_share_a_limiter() {
    let shared = Arc::new(crate::RateLimiter::paced(RateLimit::default()).unwrap());
    let config = ClientConfig::new("P2test", ManagementKey::new(CANARY))
        .with_base_url("http://127.0.0.1:9")
        .with_limiter(Arc::clone(&shared));
    let first = DescopeClient::with_env(config.clone(), |_| None).unwrap();
    let second = DescopeClient::with_env(config, |_| None).unwrap();
    assert!(Arc::ptr_eq(first.limiter(), &shared));
    assert!(Arc::ptr_eq(second.limiter(), &shared));
}

#[tokio::test]
async fn base_url_comes_from_the_injected_environment() {
    let config = ClientConfig::new("P2test", ManagementKey::new(CANARY));
    let client = DescopeClient::with_env(config.clone(), |name| {
        (name == "DESCOPE_BASE_URI").then(|| "http://127.0.0.1:4480/".to_owned())
    })
    .unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:4480");
    let bad = DescopeClient::with_env(config.with_base_url("not a url"), |_| None).unwrap_err();
    assert_eq!(bad.kind, ApiErrorKind::Config);
}

#[tokio::test]
async fn retries_503_then_succeeds_and_counts_it() {
    let server = MockServer::start(vec![
        Reply::json(503, "{}"),
        Reply::json(522, "<html>cf</html>"),
        Reply::json(200, r#"{"tenants":[{"id":"T1","name":"A"}]}"#),
    ])
    .await;
    let client = client_for(&server.url());
    let tenants = client.tenants().load_all().await.unwrap();
    assert_eq!(tenants[0].id, "T1");
    let stats = client.stats();
    assert_eq!(
        (
            stats.calls,
            stats.requests,
            stats.retries,
            stats.rate_limited
        ),
        (1, 3, 2, 0)
    );
}

#[tokio::test]
async fn honours_429_retry_after_and_counts_it() {
    let server = MockServer::start(vec![
        Reply::json(
            429,
            r#"{"errorCode":"E130429","errorDescription":"Rate limit exceeded"}"#,
        )
        .header("retry-after", "0"),
    ])
    .await;
    let client = client_for(&server.url());
    client.permissions().load_all().await.unwrap();
    let stats = client.stats();
    assert_eq!(
        (stats.requests, stats.rate_limited, stats.retries),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400u16, 401, 403, 404] {
        let server = MockServer::start(vec![Reply::json(
            status,
            r#"{"errorCode":"E011004","errorDescription":"Invalid argument","errorMessage":"bad"}"#,
        )])
        .await;
        let client = client_for(&server.url());
        let error = client.roles().delete("viewer").await.unwrap_err();
        assert_eq!(server.received().len(), 1, "status {status}");
        assert_eq!(error.status, Some(status));
        assert_eq!(error.error_code.as_deref(), Some("E011004"));
        assert_eq!(error.operation, "role.delete");
        assert_eq!(error.path, "/v1/mgmt/role/delete");
        assert_eq!(error.retries, 0);
    }
}

#[tokio::test]
async fn exhausted_503_is_unavailable_with_the_retry_count() {
    let server = MockServer::start(vec![Reply::json(503, "{}"); 5]).await;
    let client = client_for(&server.url());
    let error: PortError = ResourcePort::<Tenant>::list(&client).await.unwrap_err();
    assert_eq!(error.kind, PortErrorKind::Unavailable);
    assert!(
        error.message.contains("after 2 retries"),
        "{}",
        error.message
    );
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn load_of_a_missing_tenant_is_none() {
    let server = MockServer::start(vec![Reply::json(404, r#"{"errorCode":"E011004"}"#)]).await;
    let client = client_for(&server.url());
    assert_eq!(
        ResourcePort::<Tenant>::load(&client, "T9").await.unwrap(),
        None
    );
    assert_eq!(server.paths(), vec!["/v1/mgmt/tenant?id=T9"]);
}

#[tokio::test]
async fn tenant_load_reads_wrapped_bodies() {
    let server = MockServer::start(vec![Reply::json(
        200,
        r#"{"tenant":{"id":"T1","name":"Acme","enforceSSO":true}}"#,
    )])
    .await;
    let client = client_for(&server.url());
    let tenant = ResourcePort::<Tenant>::load(&client, "T1")
        .await
        .unwrap()
        .unwrap();
    assert!(tenant.enforce_sso);
    assert_eq!(tenant.name, "Acme");
}

#[tokio::test]
async fn create_with_default_roles_sets_them_with_t10() {
    let server = MockServer::start(vec![Reply::json(200, r#"{"id":"T1"}"#)]).await;
    let client = client_for(&server.url());
    let mut with_roles = tenant("T1");
    with_roles.default_roles = vec!["viewer".into()];
    assert_eq!(client.tenants().create(&with_roles).await.unwrap(), "T1");
    let received = server.received();
    assert_eq!(received[0].path_and_query, "/v1/mgmt/tenant/create");
    assert_eq!(
        received[1].path_and_query,
        "/v1/mgmt/tenant/updateDefaultRoles"
    );
    let body: serde_json::Value = serde_json::from_str(&received[1].body).unwrap();
    assert_eq!(body, json!({"id":"T1","defaultRoles":["viewer"]}));
}

#[tokio::test]
async fn timed_out_create_that_landed_is_not_sent_again() {
    let server = MockServer::start(vec![
        Reply::json(200, r#"{"id":"T1"}"#).delayed(TIMED_OUT),
        Reply::json(200, r#"{"id":"T1","name":"name-T1"}"#),
    ])
    .await;
    let client = client_for(&server.url());
    assert_eq!(client.tenants().create(&tenant("T1")).await.unwrap(), "T1");
    assert_eq!(
        server.paths(),
        vec!["/v1/mgmt/tenant/create", "/v1/mgmt/tenant?id=T1"]
    );
}

#[tokio::test]
async fn timed_out_create_that_did_not_land_is_sent_again() {
    let server = MockServer::start(vec![
        Reply::json(200, r#"{"id":"T1"}"#).delayed(TIMED_OUT),
        Reply::json(
            404,
            r#"{"errorCode":"E011004","errorMessage":"Tenant not found"}"#,
        ),
        Reply::json(200, r#"{"id":"T1"}"#),
    ])
    .await;
    let client = client_for(&server.url());
    client.tenants().create(&tenant("T1")).await.unwrap();
    assert_eq!(
        server.paths(),
        vec![
            "/v1/mgmt/tenant/create",
            "/v1/mgmt/tenant?id=T1",
            "/v1/mgmt/tenant/create"
        ]
    );
}

#[tokio::test]
async fn timed_out_role_create_is_rechecked_by_listing() {
    let server = MockServer::start(vec![
        Reply::json(200, "{}").delayed(TIMED_OUT),
        Reply::json(200, r#"{"roles":[{"name":"viewer","tenantId":""}]}"#),
    ])
    .await;
    let client = client_for(&server.url());
    let role = descope_mgmt_core::resource::Role {
        name: "viewer".into(),
        ..Default::default()
    };
    client.roles().create(&role).await.unwrap();
    assert_eq!(
        server.paths(),
        vec!["/v1/mgmt/role/create", "/v1/mgmt/role/all"]
    );
}

#[tokio::test]
async fn idempotent_reads_retry_after_a_timeout() {
    let server = MockServer::start(vec![
        Reply::json(200, r#"{"permissions":[]}"#).delayed(TIMED_OUT),
        Reply::json(200, r#"{"permissions":[{"name":"p"}]}"#),
    ])
    .await;
    let client = client_for(&server.url());
    assert_eq!(client.permissions().load_all().await.unwrap().len(), 1);
}

#[tokio::test]
async fn delete_not_found_on_a_retry_counts_as_done() {
    let server = MockServer::start(vec![
        Reply::json(503, "{}"),
        Reply::json(404, r#"{"errorMessage":"Tenant not found"}"#),
    ])
    .await;
    let client = client_for(&server.url());
    client.tenants().delete("T1", false).await.unwrap();
    let server = MockServer::start(vec![Reply::json(404, "{}")]).await;
    let client = client_for(&server.url());
    let first_try = client.tenants().delete("T1", false).await.unwrap_err();
    assert!(first_try.is_not_found());
}

#[tokio::test]
async fn flow_export_falls_back_to_v1_when_v2_is_missing() {
    let server = MockServer::start(vec![
        Reply::json(404, "404 page not found"),
        Reply::json(
            200,
            r#"{"flow":{"id":"f","name":"F","dsl":{"startTask":"1"}},"screens":[{"id":"S1","htmlTemplate":{}}]}"#,
        ),
    ])
    .await;
    let client = client_for(&server.url());
    let flow = client.flows().export("f").await.unwrap();
    assert_eq!(flow["flowId"], "f");
    assert_eq!(flow["contents"]["startTask"], "1");
    assert_eq!(flow["screens"][0]["screenId"], "S1");
    assert_eq!(
        server.paths(),
        vec!["/v2/mgmt/flow/export", "/v1/mgmt/flow/export"]
    );
}

#[tokio::test]
async fn sso_delete_uses_delete_with_query() {
    let server = MockServer::start(vec![]).await;
    let client = client_for(&server.url());
    client.sso().delete("T1", Some("sso 2")).await.unwrap();
    let request = &server.received()[0];
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.path_and_query,
        "/v1/mgmt/sso/settings?tenantId=T1&ssoId=sso+2"
    );
}

#[tokio::test]
async fn non_json_success_body_is_a_decode_error() {
    let server = MockServer::start(vec![Reply::json(200, "<html>")]).await;
    let client = client_for(&server.url());
    let error = client.license().await.unwrap_err();
    assert_eq!(error.kind, ApiErrorKind::Decode);
}

/// A `tracing` writer into a shared buffer.
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
fn the_key_appears_in_no_error_and_no_log_line() {
    // A subscriber that sees every thread needs a process of its own: a thread-local one races
    // with other tests registering the same callsites and can miss the request spans.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "client::tests::key_secrecy_child",
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

/// The body of [`the_key_appears_in_no_error_and_no_log_line`]; does nothing unless run as its
/// child.
#[tokio::test]
async fn key_secrecy_child() {
    if std::env::var_os(SECRECY_CHILD).is_none() {
        return;
    }
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the child's only subscriber");

    let mut errors: Vec<ApiError> = Vec::new();
    let echo = format!(r#"{{"errorCode":"E011003","errorMessage":"bad key {CANARY}"}}"#);
    let scripts = vec![
        vec![Reply::json(401, &echo)],
        vec![Reply::json(404, "{}")],
        vec![Reply::json(400, r#"{"errorCode":"E011002"}"#)],
        // A Retry-After beyond the time budget (20 s) ends the call at once.
        vec![Reply::json(429, "{}").header("retry-after", "60")],
        vec![Reply::json(503, "<html>down</html>"); 3],
        vec![Reply::json(200, "{}").delayed(TIMED_OUT); 3],
    ];
    for script in scripts {
        let server = MockServer::start(script).await;
        let client = client_for(&server.url());
        errors.push(client.roles().delete("r").await.unwrap_err());
        let key_debug = format!("{client:?}");
        assert!(!key_debug.contains(CANARY));
    }
    // Bound but never listening: connections are refused, and no other process can take the
    // port while the socket lives.
    let bound = tokio::net::TcpSocket::new_v4().unwrap();
    bound.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let refused = format!("http://{}", bound.local_addr().unwrap());
    errors.push(client_for(&refused).tenants().load_all().await.unwrap_err());

    let kinds: Vec<_> = errors.iter().map(ApiError::port_kind).collect();
    assert_eq!(
        kinds,
        vec![
            PortErrorKind::Unauthorized,
            PortErrorKind::NotFound,
            PortErrorKind::Invalid,
            PortErrorKind::Unavailable,
            PortErrorKind::Unavailable,
            PortErrorKind::Unreachable,
            PortErrorKind::Unreachable,
        ]
    );
    for error in errors {
        let port = PortError::from(error.clone());
        for text in [
            error.to_string(),
            format!("{error:?}"),
            port.to_string(),
            format!("{port:?}"),
        ] {
            assert!(!text.contains(CANARY), "key leaked: {text}");
        }
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("descope_request"), "spans are logged");
    assert!(logs.contains("retrying"));
    assert!(!logs.contains(CANARY), "key leaked in logs");
}

/// Waits (bounded) until the scripted server has received `count` requests.
async fn until_received(server: &MockServer, count: usize) {
    for _ in 0..2000 {
        if server.received().len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the server never received {count} requests");
}

#[tokio::test]
async fn cancel_ends_a_retry_after_wait_at_once() {
    // Retry-After (60 s) is far longer than the bound the test waits (10 s).
    let server = MockServer::start(vec![
        Reply::json(429, r#"{"errorCode":"E130429"}"#).header("retry-after", "60"),
    ])
    .await;
    let config = config_for(&server.url()).with_retry(RetryPolicy::default());
    let client = DescopeClient::with_env(config, |_| None).unwrap();
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.tenants().load_all().await }
    });
    until_received(&server, 1).await;
    client.cancel_token().cancel();
    let error = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the wait ends on cancel")
        .unwrap()
        .unwrap_err();
    assert_eq!(error.kind, ApiErrorKind::Cancelled);
    assert!(error.to_string().contains("cancelled"), "{error}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn cancel_ends_a_limiter_wait_at_once() {
    let server = MockServer::start(vec![]).await;
    let config = config_for(&server.url())
        .with_rate_limit(RateLimit::new(1, Duration::from_secs(60)).unwrap());
    let client = DescopeClient::with_env(config, |_| None).unwrap();
    client.roles().load_all().await.unwrap();
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.roles().load_all().await }
    });
    tokio::task::yield_now().await;
    client.cancel_token().cancel();
    let error = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the wait ends on cancel")
        .unwrap()
        .unwrap_err();
    assert_eq!(error.kind, ApiErrorKind::Cancelled);
    assert_eq!(
        server.received().len(),
        1,
        "the waiting call was never sent"
    );
}

#[tokio::test]
async fn a_batch_endpoint_the_server_lacks_falls_back_to_single_calls() {
    let server = MockServer::start(vec![Reply::json(404, "404 page not found")]).await;
    let client = client_for(&server.url());
    let outcomes = client
        .permissions()
        .delete_batch(&["a".to_owned(), "b".to_owned()])
        .await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(
        server.paths(),
        vec![
            "/v1/mgmt/permission/delete/batch",
            "/v1/mgmt/permission/delete",
            "/v1/mgmt/permission/delete"
        ]
    );
}

#[tokio::test]
async fn an_unauthorised_batch_is_not_repeated_per_item() {
    let server = MockServer::start(vec![Reply::json(401, r#"{"errorCode":"E011003"}"#)]).await;
    let client = client_for(&server.url());
    let outcomes = client
        .roles()
        .delete_batch(&["a".to_owned(), "b".to_owned()])
        .await;
    assert_eq!(outcomes.len(), 2);
    assert!(
        outcomes
            .iter()
            .all(|o| o.as_ref().unwrap_err().status == Some(401))
    );
    assert_eq!(server.received().len(), 1);
}
