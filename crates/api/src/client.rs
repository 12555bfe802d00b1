//! The HTTP core every endpoint goes through: identification and auth headers, the shared
//! limiter, the per-request timeout, retries that never repeat a write of unknown outcome,
//! one tracing span per attempt, and the counters behind [`DescopeClient::stats`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tracing::{Instrument, field};

use descope_mgmt_core::apply::CancelToken;
use descope_mgmt_core::config::tenant_auth::SsoConfig;
use descope_mgmt_core::secret::ManagementKey;

use crate::config::{ClientConfig, LONG_CALL_TIMEOUT, process_env};
use crate::error::{ApiError, ApiErrorKind};
use crate::limit::{Grant, RateLimiter};
use crate::retry::{RetryPolicy, is_ambiguous_status, is_transient_status, parse_retry_after};

pub const SDK_NAME: &str = "descope-mgmt";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

const LICENSE_PATH: &str = "/v1/mgmt/license";

/// Counters of one client since it was built, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Calls the code asked for, each counted once however many attempts it took.
    pub calls: u64,
    /// HTTP requests sent (every attempt counts, the license handshake too).
    pub requests: u64,
    /// Attempts after the first one of a call.
    pub retries: u64,
    /// 429 responses received.
    pub rate_limited: u64,
    /// Wall-clock time during which at least one request waited for the client-side limiter.
    pub limiter_wait: Duration,
}

/// What a client's requests are waiting on at one instant, for a progress display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitsNow {
    /// Requests waiting for a slot of the client-side limiter.
    pub on_limiter: usize,
    /// Time left in a pause the server asked for with `Retry-After` (every request waits it out).
    pub retry_after: Option<Duration>,
}

#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    limiter_wait: std::sync::Mutex<crate::wait_clock::WaitClock>,
    /// The `Date` header of the latest response, for a clock-skew check.
    server_date: std::sync::Mutex<Option<String>>,
}

/// How a request may be repeated when its first attempt fails in a way that leaves the
/// outcome unknown (timeout or a connection lost after sending).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Reads and full overwrites: repeating has the same effect as doing it once.
    Safe,
    /// A delete: repeating is safe, and "not found" after a retry means the first one worked.
    Delete,
    /// A create: never sent twice blindly; the caller re-checks (see [`DescopeClient::create`]).
    Create,
}

/// A request the client should send: method, path and optional query/body.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub operation: &'static str,
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<&'a Value>,
    pub repeat: Repeat,
}

impl<'a> Call<'a> {
    pub fn get(operation: &'static str, path: &'a str, query: &'a [(&'a str, &'a str)]) -> Self {
        Self {
            operation,
            method: Method::GET,
            path,
            query,
            body: None,
            repeat: Repeat::Safe,
        }
    }

    pub fn post(operation: &'static str, path: &'a str, body: &'a Value, repeat: Repeat) -> Self {
        Self {
            operation,
            method: Method::POST,
            path,
            query: &[],
            body: Some(body),
            repeat,
        }
    }
}

/// Why an attempt's outcome is unknown: only a create cares.
enum Attempt {
    /// A success, its body not yet parsed: each caller parses it into the shape it needs.
    Done {
        status: u16,
        body: Vec<u8>,
    },
    Failed {
        error: ApiError,
        retry: RetryKind,
    },
}

enum RetryKind {
    Never,
    /// Not processed by the server: repeat whatever the request.
    Transient {
        delay_hint: Option<Duration>,
        rate_limited: bool,
    },
    /// May have been processed: repeat only what is safe to repeat.
    Unknown,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    project_id: String,
    key: ManagementKey,
    limiter: Arc<RateLimiter>,
    retry: RetryPolicy,
    timeout: Duration,
    counters: Counters,
    license_handshake: bool,
    /// Ends the client's waits (limiter, retries) early; in-flight requests still finish.
    cancel: CancelToken,
    /// The rate-limit tier from the license handshake, sent on every later request as the SDKs
    /// do so the CDN applies the right bucket. Set once per client: by the first call's
    /// handshake (`None` when it failed) or by an explicit [`DescopeClient::license`].
    license: tokio::sync::OnceCell<Option<HeaderValue>>,
}

/// A Descope Management API client for one project. Cheap to clone; clones share the
/// connection pool, the limiter and the counters.
#[derive(Clone)]
pub struct DescopeClient {
    inner: Arc<Inner>,
    /// The configured SSO configurations by (tenant id, wire `ssoId`): the only place their
    /// secrets are, since the tenant states the planner hands the port never hold one.
    sso_configs: Arc<BTreeMap<(String, String), SsoConfig>>,
}

impl fmt::Debug for DescopeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DescopeClient")
            .field("base_url", &self.inner.base_url)
            .field("project_id", &self.inner.project_id)
            .field("key", &self.inner.key)
            .field("limiter", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

impl DescopeClient {
    /// Builds a client, resolving the base URL from the process environment when the config
    /// has none.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        Self::with_env(config, process_env)
    }

    /// Like [`DescopeClient::new`] with an injected environment lookup.
    pub fn with_env(
        config: ClientConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ApiError> {
        let base_url = config.resolve_base_url(env);
        let config_error =
            |message: String| ApiError::new(ApiErrorKind::Config, "client.new", "-", "-", message);
        let limiter = match config.limiter {
            Some(limiter) => limiter,
            None => Arc::new(match config.rate_limit {
                Some(limit) => {
                    RateLimiter::paced(limit).map_err(|e| config_error(e.to_string()))?
                }
                None => RateLimiter::unpaced(),
            }),
        };
        let headers = identification_headers(&config.project_id, &config.management_key)
            .map_err(config_error)?;
        // The per-attempt timeout is set per request: long calls get more.
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(format!("{SDK_NAME}/{SDK_VERSION}"))
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| config_error(format!("cannot build the HTTP client: {e}")))?;
        reqwest::Url::parse(&base_url)
            .map_err(|e| config_error(format!("invalid base URL {base_url:?}: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                project_id: config.project_id,
                key: config.management_key,
                limiter,
                retry: config.retry,
                timeout: config.timeout,
                counters: Counters::default(),
                license_handshake: config.license_handshake,
                cancel: CancelToken::new(),
                license: tokio::sync::OnceCell::new(),
            }),
            sso_configs: Arc::default(),
        })
    }

    /// The same client, writing SSO configurations from `configs` (tenant id, configuration).
    pub fn with_sso_configs<'a>(
        mut self,
        configs: impl IntoIterator<Item = (&'a str, &'a SsoConfig)>,
    ) -> Self {
        self.sso_configs = Arc::new(
            configs
                .into_iter()
                .map(|(tenant, sso)| {
                    let id = sso.sso_id.clone().unwrap_or_default();
                    ((tenant.to_owned(), id), sso.clone())
                })
                .collect(),
        );
        self
    }

    /// The configured SSO configuration of a tenant by wire `ssoId`, secrets included.
    pub(crate) fn sso_config(&self, tenant_id: &str, sso_id: &str) -> Option<&SsoConfig> {
        self.sso_configs
            .get(&(tenant_id.to_owned(), sso_id.to_owned()))
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    /// Cancelling it ends every wait of this client and its clones at once (a 429's
    /// `Retry-After`, a backoff, a limiter slot) with [`ApiErrorKind::Cancelled`]; requests
    /// already sent are not aborted, so their outcome is known. Use it as the apply's token so
    /// that Ctrl-C stops both new changes and waiting ones.
    pub fn cancel_token(&self) -> CancelToken {
        self.inner.cancel.clone()
    }

    /// The `Date` header (an HTTP date) of the latest response, if the server sent one.
    pub fn server_date(&self) -> Option<String> {
        self.inner
            .counters
            .server_date
            .lock()
            .ok()
            .and_then(|date| date.clone())
    }

    pub fn stats(&self) -> ClientStats {
        let counters = &self.inner.counters;
        ClientStats {
            calls: counters.calls.load(Ordering::Relaxed),
            requests: counters.requests.load(Ordering::Relaxed),
            retries: counters.retries.load(Ordering::Relaxed),
            rate_limited: counters.rate_limited.load(Ordering::Relaxed),
            limiter_wait: counters
                .limiter_wait
                .lock()
                .map_or(Duration::ZERO, |clock| {
                    clock.elapsed(std::time::Instant::now())
                }),
        }
    }

    /// What the requests are waiting on right now.
    pub fn waits_now(&self) -> WaitsNow {
        WaitsNow {
            on_limiter: self
                .inner
                .counters
                .limiter_wait
                .lock()
                .map_or(0, |clock| clock.waiting()),
            retry_after: self
                .inner
                .limiter
                .pause_remaining(std::time::Instant::now()),
        }
    }

    /// Sends a call, retrying what is transient within the policy's bounds. A create whose
    /// outcome is unknown comes back as an error with [`ApiErrorKind::Timeout`] or
    /// [`ApiErrorKind::Connection`]; use [`DescopeClient::create`] to handle it.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Value, ApiError> {
        self.send_as(call).await
    }

    /// [`DescopeClient::send`], the success body deserialised straight into `T`: a large answer
    /// (a 100,000-tenant list) never exists as a `serde_json::Value` tree.
    pub(crate) async fn send_as<T: serde::de::DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<T, ApiError> {
        self.send_with_seed(call, std::marker::PhantomData).await
    }

    /// [`DescopeClient::send_as`] through a seed that may first look at the whole body (a list
    /// answer counts its items to size the list once).
    pub(crate) async fn send_with_seed<S: BodySeed>(
        &self,
        call: Call<'_>,
        seed: S,
    ) -> Result<S::Value, ApiError> {
        self.inner.counters.calls.fetch_add(1, Ordering::Relaxed);
        if self.inner.license_handshake && call.path != LICENSE_PATH {
            self.ensure_license().await;
        }
        let body = self.send_with_retries(call.clone()).await?;
        let body = if body.trim_ascii().is_empty() {
            b"{}".as_slice()
        } else {
            &body
        };
        seed.read(body).map_err(|e| {
            ApiError::new(
                ApiErrorKind::Decode,
                call.operation,
                method_name(&call.method),
                call.path,
                format!("response is not JSON: {e}"),
            )
        })
    }

    async fn send_with_retries(&self, call: Call<'_>) -> Result<Vec<u8>, ApiError> {
        let policy = self.inner.retry;
        let started = Instant::now();
        let mut attempt: u32 = 1;
        // 429s are bounded by time (`max_elapsed`), not by count: a server that allows less
        // than configured is waited out while the limiter slows to its pace.
        let mut counted_attempts: u32 = 0;
        loop {
            let outcome = self.attempt(&call, attempt).await;
            let (mut error, retry) = match outcome {
                Attempt::Done { body, .. } => return Ok(body),
                Attempt::Failed { error, retry } => (error, retry),
            };
            error.retries = attempt - 1;
            if call.repeat == Repeat::Delete && attempt > 1 && error.is_not_found() {
                // An earlier attempt already deleted it.
                return Ok(Vec::new());
            }
            let rate_limited = matches!(
                retry,
                RetryKind::Transient {
                    rate_limited: true,
                    ..
                }
            );
            if !rate_limited {
                counted_attempts += 1;
            }
            let delay = match retry {
                RetryKind::Never => return Err(error),
                RetryKind::Unknown if call.repeat == Repeat::Create => return Err(error),
                RetryKind::Unknown => self.backoff(counted_attempts),
                RetryKind::Transient { delay_hint, .. } if rate_limited => {
                    let mut rng = rand::rng();
                    policy.rate_limited_delay(delay_hint, &mut rng)
                }
                RetryKind::Transient { .. } => self.backoff(counted_attempts),
            };
            if counted_attempts >= policy.max_attempts
                || started.elapsed() + delay > policy.max_elapsed
            {
                return Err(error);
            }
            tracing::debug!(
                operation = call.operation,
                method = %call.method,
                path = call.path,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "retrying"
            );
            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                biased;
                () = self.inner.cancel.cancelled() => {
                    error.kind = ApiErrorKind::Cancelled;
                    error.message = format!("while waiting to retry after: {}", error.message);
                    return Err(error);
                }
                () = tokio::time::sleep(delay) => {}
            }
            attempt += 1;
        }
    }

    /// Sends a create; when its outcome is unknown, asks `exists` whether it landed before
    /// sending it again, so nothing is created twice.
    pub(crate) async fn create<F, Fut>(&self, call: Call<'_>, exists: F) -> Result<Value, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<bool, ApiError>>,
    {
        let max_rounds = self.inner.retry.max_attempts.max(1);
        let mut retries = 0;
        let mut round = 1;
        loop {
            match self.send(call.clone()).await {
                Ok(value) => return Ok(value),
                Err(mut error) if is_outcome_unknown(&error) && round < max_rounds => {
                    retries += error.retries + 1;
                    tracing::debug!(operation = call.operation, error = %error, "create outcome unknown; re-checking");
                    match exists().await {
                        Ok(true) => return Ok(Value::Object(Default::default())),
                        Ok(false) => {
                            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
                            round += 1;
                        }
                        Err(_) => {
                            error.retries = retries - 1;
                            return Err(error);
                        }
                    }
                }
                Err(mut error) => {
                    error.retries += retries;
                    return Err(error);
                }
            }
        }
    }

    /// `GET /v1/mgmt/license` without retries: the project's rate-limit tier (`tier1`…`tier4`),
    /// which later requests carry in `x-descope-license` unless a tier is already known.
    pub(crate) async fn fetch_license_tier(&self) -> Result<String, ApiError> {
        let (tier, header) = self.request_license().await?;
        let _already_known = self.inner.license.set(header);
        Ok(tier)
    }

    /// The tier header, fetched by the first call of the client; a failed handshake is only
    /// logged, as the SDKs do, and not repeated: the header selects the CDN's rate-limit
    /// bucket, it is never required.
    async fn ensure_license(&self) {
        self.inner
            .license
            .get_or_init(|| async {
                match self.request_license().await {
                    Ok((_, header)) => header,
                    Err(error) => {
                        tracing::debug!(error = %error, "license handshake failed; continuing without x-descope-license");
                        None
                    }
                }
            })
            .await;
    }

    async fn request_license(&self) -> Result<(String, Option<HeaderValue>), ApiError> {
        let call = Call::get("license", LICENSE_PATH, &[]);
        match self.attempt(&call, 1).await {
            Attempt::Done { body, .. } => {
                let body: Value = parse_success_body(&call, &body)?;
                let tier = crate::dto::project::rate_limit_tier(&body);
                let header = HeaderValue::from_str(&tier)
                    .ok()
                    .filter(|_| !tier.is_empty());
                Ok((tier, header))
            }
            Attempt::Failed { error, .. } => Err(error),
        }
    }

    /// The wait after the `failed`-th failure that counts against `max_attempts`.
    fn backoff(&self, failed: u32) -> Duration {
        let mut rng = rand::rng();
        self.inner.retry.backoff(failed.saturating_sub(1), &mut rng)
    }

    async fn attempt(&self, call: &Call<'_>, attempt: u32) -> Attempt {
        // A free slot is taken even after a cancel, so a started change can finish its
        // follow-up call; only waiting for one is cut short. The wait clock runs only once the
        // limiter has made this request wait: timing a slot that was free at once would count
        // the scheduler's delays on a loaded machine as pacing. It stops when the guard drops,
        // cancelled or not.
        let mut acquire = std::pin::pin!(self.inner.limiter.acquire());
        if let std::task::Poll::Ready(grant) = futures::poll!(acquire.as_mut()) {
            return self.exchange_with(call, attempt, grant).await;
        }
        let waiting = crate::wait_clock::Waiting::start(&self.inner.counters.limiter_wait);
        let grant = tokio::select! {
            biased;
            grant = acquire => grant,
            () = self.inner.cancel.cancelled() => {
                let error = ApiError::new(
                    ApiErrorKind::Cancelled,
                    call.operation,
                    method_name(&call.method),
                    call.path,
                    "before sending, while waiting for the client's rate limiter",
                );
                return Attempt::Failed { error, retry: RetryKind::Never };
            }
        };
        drop(waiting);
        self.exchange_with(call, attempt, grant).await
    }

    /// One attempt once the limiter granted its slot, traced.
    async fn exchange_with(&self, call: &Call<'_>, attempt: u32, grant: Grant) -> Attempt {
        let span = tracing::info_span!(
            "descope_request",
            operation = call.operation,
            method = %call.method,
            path = call.path,
            attempt,
            status = field::Empty,
            duration_ms = field::Empty,
            error_code = field::Empty,
        );
        let started = Instant::now();
        let outcome = self
            .exchange(call, grant.epoch)
            .instrument(span.clone())
            .await;
        let duration_ms = started.elapsed().as_millis() as u64;
        span.record("duration_ms", duration_ms);
        match &outcome {
            Attempt::Failed { error, .. } => {
                if let Some(status) = error.status {
                    span.record("status", status);
                }
                if let Some(code) = &error.error_code {
                    span.record("error_code", code.as_str());
                }
                span.in_scope(|| tracing::debug!(error = %error, "request failed"));
            }
            Attempt::Done { status, .. } => {
                span.record("status", *status);
                span.in_scope(|| tracing::trace!("request succeeded"));
            }
        }
        outcome
    }

    async fn exchange(&self, call: &Call<'_>, epoch: u64) -> Attempt {
        let method = method_name(&call.method);
        let url = format!("{}{}", self.inner.base_url, call.path);
        let mut request = self.inner.http.request(call.method.clone(), &url);
        if !call.query.is_empty() {
            request = request.query(call.query);
        }
        if let Some(body) = call.body {
            request = request.json(body);
        }
        if let Some(Some(tier)) = self.inner.license.get() {
            request = request.header("x-descope-license", tier.clone());
        }
        request = request.timeout(self.timeout_of(call.path));
        self.inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return self.transport_failure(call, &error),
        };
        let status = response.status();
        if let Some(date) = response
            .headers()
            .get(header::DATE)
            .and_then(|value| value.to_str().ok())
            && let Ok(mut slot) = self.inner.counters.server_date.lock()
        {
            *slot = Some(date.to_owned());
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(Some(v)));
        if status == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after.unwrap_or(self.inner.retry.default_retry_after);
            self.inner.limiter.rate_limited(epoch, wait);
        } else {
            self.inner.limiter.served(epoch);
        }
        let body = match read_body(response).await {
            Ok(body) => body,
            Err(error) => return self.transport_failure(call, &error),
        };
        if status.is_success() {
            return Attempt::Done {
                status: status.as_u16(),
                body,
            };
        }
        let body = String::from_utf8_lossy(&body);
        let mut error =
            ApiError::from_response(call.operation, method, call.path, status.as_u16(), &body);
        error.message = self.redact(&error.message);
        let code = status.as_u16();
        let retry = if status == StatusCode::TOO_MANY_REQUESTS {
            self.inner
                .counters
                .rate_limited
                .fetch_add(1, Ordering::Relaxed);
            RetryKind::Transient {
                delay_hint: retry_after,
                rate_limited: true,
            }
        } else if is_ambiguous_status(code) {
            RetryKind::Unknown
        } else if is_transient_status(code) {
            RetryKind::Transient {
                delay_hint: None,
                rate_limited: false,
            }
        } else {
            RetryKind::Never
        };
        Attempt::Failed { error, retry }
    }

    fn transport_failure(&self, call: &Call<'_>, error: &reqwest::Error) -> Attempt {
        let method = method_name(&call.method);
        // Connecting failed: nothing was sent, so anything may be repeated.
        if error.is_connect() {
            let message = format!("cannot connect to {}", self.inner.base_url);
            return Attempt::Failed {
                error: ApiError::new(
                    ApiErrorKind::Connection,
                    call.operation,
                    method,
                    call.path,
                    message,
                ),
                retry: RetryKind::Transient {
                    delay_hint: None,
                    rate_limited: false,
                },
            };
        }
        let (kind, message) = if error.is_timeout() {
            (
                ApiErrorKind::Timeout,
                format!("no response within {:?}", self.inner.timeout),
            )
        } else {
            (
                ApiErrorKind::Connection,
                self.redact(&format!("connection lost: {}", error_chain(error))),
            )
        };
        Attempt::Failed {
            error: ApiError::new(kind, call.operation, method, call.path, message),
            retry: RetryKind::Unknown,
        }
    }

    fn timeout_of(&self, path: &str) -> Duration {
        if is_long_call(path) {
            self.inner.timeout.max(LONG_CALL_TIMEOUT)
        } else {
            self.inner.timeout
        }
    }

    /// A belt-and-braces guard: should a server ever echo the key, it still never leaves here.
    fn redact(&self, text: &str) -> String {
        let key = self.inner.key.expose();
        if key.is_empty() {
            return text.to_owned();
        }
        text.replace(key, "***")
    }
}

/// Flow, theme and snapshot calls move whole documents that the server validates.
fn is_long_call(path: &str) -> bool {
    let mut segments = path.split('/').skip(3);
    match segments.next() {
        Some("flow" | "theme") => true,
        Some("project") => segments.next() == Some("snapshot"),
        _ => false,
    }
}

/// The method's name as a static string, so errors stay small and allocation-free.
fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        _ => "OTHER",
    }
}

fn is_outcome_unknown(error: &ApiError) -> bool {
    match error.kind {
        ApiErrorKind::Timeout | ApiErrorKind::Connection => true,
        ApiErrorKind::Status => error.status.is_some_and(is_ambiguous_status),
        ApiErrorKind::Decode | ApiErrorKind::Config | ApiErrorKind::Cancelled => false,
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The whole body as bytes, not text (the 32 MB answer listing 100,000 tenants is not copied
/// into a `String` before parsing), in one buffer sized from `Content-Length` rather than grown
/// by doubling, which holds the old and the doubled buffer at each growth. The announced size
/// only sizes the first buffer, up to a bound, so a server that overstates it costs no more
/// than that.
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    const MAX_PRESIZE: u64 = 256 * 1024 * 1024;
    let announced = response.content_length().unwrap_or(0).min(MAX_PRESIZE);
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// How a success body becomes a value: any `DeserializeOwned` type reads it directly; a seed
/// may read it more than once.
pub(crate) trait BodySeed {
    type Value;
    fn read(self, body: &[u8]) -> Result<Self::Value, serde_json::Error>;
}

impl<T: serde::de::DeserializeOwned> BodySeed for std::marker::PhantomData<T> {
    type Value = T;
    fn read(self, body: &[u8]) -> Result<T, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

/// Success bodies are JSON; an empty body counts as `{}` (void operations).
fn parse_success_body<T: serde::de::DeserializeOwned>(
    call: &Call<'_>,
    body: &[u8],
) -> Result<T, ApiError> {
    let body = if body.trim_ascii().is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ApiErrorKind::Decode,
            call.operation,
            method_name(&call.method),
            call.path,
            format!("response is not JSON: {e}"),
        )
    })
}

fn identification_headers(project_id: &str, key: &ManagementKey) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    let bearer = if project_id.is_empty() {
        format!("Bearer {}", key.expose())
    } else {
        format!("Bearer {project_id}:{}", key.expose())
    };
    let mut authorization = HeaderValue::from_str(&bearer).map_err(|_| {
        "the project id or management key contains characters not allowed in an HTTP header"
            .to_owned()
    })?;
    authorization.set_sensitive(true);
    headers.insert(header::AUTHORIZATION, authorization);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("x-descope-sdk-name", HeaderValue::from_static(SDK_NAME));
    headers.insert(
        "x-descope-sdk-version",
        HeaderValue::from_static(SDK_VERSION),
    );
    let project = HeaderValue::from_str(project_id)
        .map_err(|_| format!("project id {project_id:?} is not a valid header value"))?;
    headers.insert("x-descope-project-id", project);
    Ok(headers)
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
