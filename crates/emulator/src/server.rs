//! The HTTP front: authentication, faults, request counting, body limits and the control
//! endpoints under `/emulator/`. Management paths are dispatched to [`crate::api`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body as HttpBody;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{self, Handler, Req, Route};
use crate::faults::{Faults, Verdict};
use crate::seed;
use crate::store::{Store, Tx};
use crate::wire::{ApiError, Body, now_epoch_seconds};
use crate::{EmulatorConfig, EmulatorError, ProjectCredentials, RateLimit};

/// Requests larger than this are refused with 413 before they are buffered any further.
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Counts of management calls (`/v1/...` and `/v2/...`) received, whatever their outcome.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub requests: u64,
    /// Calls that may change state: every non-GET call except search, list, export, validate
    /// and load.
    pub writes: u64,
    /// Keyed `"METHOD /path"`.
    #[serde(rename = "byRoute")]
    pub by_route: BTreeMap<String, u64>,
}

#[derive(Debug)]
pub(crate) struct AppState {
    credentials: Vec<ProjectCredentials>,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    stats: Mutex<Stats>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock cannot leave the plain data here half-updated in a way that
    // matters more than refusing all further requests would.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(config: &EmulatorConfig) -> Result<AppState, EmulatorError> {
        let credentials = if config.projects.is_empty() {
            vec![ProjectCredentials::default_local()]
        } else {
            config.projects.clone()
        };
        for c in &credentials {
            if c.project_id.is_empty() || c.management_key.is_empty() {
                return Err(EmulatorError::Config(
                    "project id and management key must be non-empty".into(),
                ));
            }
        }
        let mut store = Store::open(config.state_file.clone())?;
        for c in &credentials {
            if !store.projects.contains_key(&c.project_id) {
                seed_into(&mut store, &c.project_id)
                    .map_err(|e| EmulatorError::State(e.to_string()))?;
            }
        }
        Ok(AppState {
            credentials,
            store: Mutex::new(store),
            faults: Mutex::new(Faults::new(
                config.rate_limit,
                config.latency,
                config.fail_rate,
                config.seed,
            )),
            stats: Mutex::new(Stats::default()),
        })
    }

    pub fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    pub fn compact(&self) -> Result<(), EmulatorError> {
        lock(&self.store).compact()
    }

    pub fn abandon(&self) {
        lock(&self.store).abandon();
    }
}

fn seed_into(store: &mut Store, project_id: &str) -> std::io::Result<()> {
    let project = store.projects.entry(project_id.to_owned()).or_default();
    let mut tx = Tx::new(project);
    seed::seed_project(&mut tx, now_epoch_seconds());
    let changes = std::mem::take(&mut tx.changes);
    store.persist(project_id, &changes)
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// A management call's answer: a JSON value, or JSON already serialised from the store.
enum Reply {
    Json(Value),
    Raw(Vec<u8>),
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    bytes_response(status, bytes)
}

fn bytes_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error_response(error: &ApiError) -> Response {
    let mut response = json_response(error.status, &error.body());
    if let Some(secs) = error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

fn is_write(method: &Method, path: &str) -> bool {
    if method == Method::GET || method == Method::HEAD {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    !matches!(last, "search" | "list" | "export" | "validate" | "load")
}

async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(rest) = path.strip_prefix("/emulator/") {
        return match control(&state, request.method().clone(), rest, request).await {
            Ok(body) => json_response(StatusCode::OK, &body),
            Err(e) => error_response(&e),
        };
    }
    if path.starts_with("/v1/") || path.starts_with("/v2/") {
        let method = request.method().clone();
        return match management(&state, &path, request).await {
            Ok(Reply::Json(body)) => json_response(StatusCode::OK, &body),
            Ok(Reply::Raw(bytes)) => bytes_response(StatusCode::OK, bytes),
            Err(mut e) => {
                e.status = lock(&state.faults).status_for(e.status, e.code);
                if e.status.is_server_error() && e.code != "E011503" {
                    tracing::warn!(%method, %path, status = e.status.as_u16(), code = e.code, message = %e.message, "call failed");
                } else {
                    tracing::debug!(%method, %path, status = e.status.as_u16(), code = e.code, message = %e.message, "call rejected");
                }
                error_response(&e)
            }
        };
    }
    error_response(&unknown_route(&path))
}

fn unknown_route(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        crate::faults::UNKNOWN_ROUTE_CODE,
        "Unknown route",
        format!("no such endpoint: {path}"),
    )
}

async fn management(state: &AppState, path: &str, request: Request) -> Result<Reply, ApiError> {
    let method = request.method().clone();
    {
        let mut stats = lock(&state.stats);
        stats.requests += 1;
        if is_write(&method, path) {
            stats.writes += 1;
        }
        *stats
            .by_route
            .entry(format!("{method} {path}"))
            .or_insert(0) += 1;
    }
    let latency = lock(&state.faults).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let verdict = lock(&state.faults).judge(Instant::now());
    match verdict {
        Verdict::Serve => {}
        Verdict::RateLimited { retry_after_secs } => {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "E130429",
                "Rate limit exceeded",
                "API rate limit exceeded.",
            );
            e.retry_after = Some(retry_after_secs);
            return Err(e);
        }
        Verdict::Unavailable => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "E011503",
                "Service unavailable",
                "injected failure (fail rate)",
            ));
        }
    }
    let project_id = authenticate(&state.credentials, request.headers())?;
    if path.ends_with("/batch") && lock(&state.faults).refuse_batches {
        return Err(unknown_route(path));
    }
    let Some(route) = api::route(&method, path) else {
        return Err(if api::path_known(path) {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "E011405",
                "Method not allowed",
                format!("{method} is not supported on {path}"),
            )
        } else {
            unknown_route(path)
        });
    };
    let query: HashMap<String, String> = Query::try_from_uri(request.uri())
        .map(|Query(q)| q)
        .map_err(|e| ApiError::invalid(format!("bad query string: {e}")))?;
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body).await?;
    let body = if method == Method::GET || method == Method::DELETE {
        Body::default()
    } else {
        Body::parse(&body)?
    };
    let req = Req {
        body,
        query,
        now: now_epoch_seconds(),
    };
    match route {
        Route::Json(handler) => transact(state, &project_id, handler, &req).map(Reply::Json),
        Route::Raw(handler) => {
            let mut store = lock(&state.store);
            let project = store.projects.entry(project_id).or_default();
            handler(&Tx::new(project), &req).map(Reply::Raw)
        }
    }
}

/// Runs one handler against one project atomically: a failure is rolled back, a success is
/// journaled before the reply leaves.
fn transact(
    state: &AppState,
    project_id: &str,
    handler: Handler,
    req: &Req,
) -> Result<Value, ApiError> {
    let mut store = lock(&state.store);
    let project = store.projects.entry(project_id.to_owned()).or_default();
    let mut tx = Tx::new(project);
    let result = handler(&mut tx, req);
    if result.is_err() {
        tx.rollback();
    }
    let changes = std::mem::take(&mut tx.changes);
    store.persist(project_id, &changes).map_err(journal_error)?;
    result
}

fn journal_error(e: std::io::Error) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "E011500",
        "Internal error",
        format!("cannot write journal: {e}"),
    )
}

async fn read_body(headers: &HeaderMap, body: HttpBody) -> Result<axum::body::Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "E011413",
            "Request too large",
            format!("request body exceeds {MAX_BODY_BYTES} bytes"),
        )
    };
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > MAX_BODY_BYTES as u64
    {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| too_large())
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "E011401", "Unauthorized", message)
}

/// `Authorization: Bearer <projectId>:<managementKey>` → the project id. A key that is valid for
/// another configured project is 403; anything else wrong is 401. Messages never echo the key.
fn authenticate(
    credentials: &[ProjectCredentials],
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("missing Authorization header"))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| unauthorized("Authorization must be a Bearer token"))?
        .trim();
    let (project_id, key) = token
        .split_once(':')
        .ok_or_else(|| unauthorized("bearer token must be <projectId>:<managementKey>"))?;
    if credentials
        .iter()
        .any(|c| c.project_id == project_id && c.management_key == key)
    {
        return Ok(project_id.to_owned());
    }
    if credentials.iter().any(|c| c.management_key == key) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "E011403",
            "Forbidden",
            format!("management key is not valid for project {project_id}"),
        ));
    }
    Err(unauthorized("invalid management key"))
}

async fn control(
    state: &AppState,
    method: Method,
    rest: &str,
    request: Request,
) -> Result<Value, ApiError> {
    match (method.as_str(), rest) {
        ("POST", "reset") => {
            let mut store = lock(&state.store);
            let ids: Vec<String> = store.projects.keys().cloned().collect();
            for id in ids {
                store.drop_project(&id).map_err(journal_error)?;
            }
            for c in &state.credentials {
                seed_into(&mut store, &c.project_id).map_err(journal_error)?;
            }
            Ok(json!({}))
        }
        ("POST", "system-roles") => {
            let (parts, body) = request.into_parts();
            let bytes = read_body(&parts.headers, body).await?;
            let body = Body::parse(&bytes)?;
            let project_id = match body.str("projectId")? {
                Some(id) if !id.is_empty() => id,
                _ => state.credentials[0].project_id.clone(),
            };
            if !state.credentials.iter().any(|c| c.project_id == project_id) {
                return Err(ApiError::not_found("Project", &project_id));
            }
            let req = Req {
                body,
                query: HashMap::new(),
                now: now_epoch_seconds(),
            };
            transact(state, &project_id, api::roles::create_system_role, &req)
        }
        ("GET", "state") => Ok(lock(&state.store).dump()),
        ("GET", "stats") => Ok(serde_json::to_value(state.stats()).unwrap_or_default()),
        ("POST", "stats/reset") => {
            *lock(&state.stats) = Stats::default();
            Ok(json!({}))
        }
        ("GET", "faults") => Ok(faults_value(&lock(&state.faults))),
        ("POST", "faults") => {
            let (parts, body) = request.into_parts();
            let bytes = read_body(&parts.headers, body).await?;
            let body = Body::parse(&bytes)?;
            let mut faults = lock(&state.faults);
            let rate_limit = match body.0.get("rateLimit") {
                None => faults.rate_limit,
                Some(Value::Null) => None,
                Some(v) => {
                    let rl = Body::from_value(v)?;
                    let requests = rl.int("requests")?.unwrap_or(0);
                    let per = rl.int("perSeconds")?.unwrap_or(0);
                    if requests <= 0 || per <= 0 || requests > i64::from(u32::MAX) {
                        return Err(ApiError::invalid(
                            "rateLimit needs positive requests and perSeconds",
                        ));
                    }
                    Some(RateLimit {
                        requests: requests as u32,
                        per: Duration::from_secs(per as u64),
                    })
                }
            };
            let latency = match body.int("latencyMs")? {
                Some(ms) if ms >= 0 => Duration::from_millis(ms as u64),
                Some(_) => return Err(ApiError::invalid("latencyMs must be >= 0")),
                None => faults.latency,
            };
            let fail_rate = match body.get("failRate") {
                None => faults.fail_rate,
                Some(v) => match v.as_f64() {
                    Some(p) if (0.0..=1.0).contains(&p) => p,
                    _ => return Err(ApiError::invalid("failRate must be a number in 0..=1")),
                },
            };
            let seed = match body.int("seed")? {
                Some(s) => s as u64,
                None => faults.seed,
            };
            let refuse_batches = match body.get("refuseBatches") {
                None => faults.refuse_batches,
                Some(Value::Bool(refuse)) => *refuse,
                Some(_) => return Err(ApiError::invalid("refuseBatches must be true or false")),
            };
            let conflict = client_error_status(&body, "conflictStatus")?;
            let not_found = client_error_status(&body, "notFoundStatus")?;
            faults.reconfigure(rate_limit, latency, fail_rate, seed);
            faults.refuse_batches = refuse_batches;
            if let Some(status) = conflict {
                faults.conflict_status = status;
            }
            if let Some(status) = not_found {
                faults.not_found_status = status;
            }
            Ok(faults_value(&faults))
        }
        _ => Err(unknown_route(&format!("/emulator/{rest}"))),
    }
}

fn client_error_status(body: &Body, key: &str) -> Result<Option<StatusCode>, ApiError> {
    match body.int(key)? {
        None => Ok(None),
        Some(code) => u16::try_from(code)
            .ok()
            .and_then(|c| StatusCode::from_u16(c).ok())
            .filter(StatusCode::is_client_error)
            .map(Some)
            .ok_or_else(|| ApiError::invalid(format!("{key} must be a 4xx status"))),
    }
}

fn faults_value(f: &Faults) -> Value {
    json!({
        "conflictStatus": f.conflict_status.as_u16(),
        "notFoundStatus": f.not_found_status.as_u16(),
        "refuseBatches": f.refuse_batches,
        "rateLimit": f.rate_limit.map(|r| json!({"requests": r.requests, "perSeconds": r.per.as_secs()})),
        "latencyMs": f.latency.as_millis() as u64,
        "failRate": f.fail_rate,
        "seed": f.seed,
    })
}
