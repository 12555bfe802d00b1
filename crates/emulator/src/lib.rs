//! `descope-emulator`: a local implementation of the Descope Management API wire protocol, for
//! tests, benchmarks, the embedded `local` environment and users' offline CI.
//!
//! [`Emulator::start`] binds, serves in the background of the current tokio runtime and hands
//! back a [`RunningEmulator`]; [`RunningEmulator::shutdown`] stops it and compacts its state file.

mod api;
mod faults;
mod seed;
mod server;
mod store;
mod wire;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use api::routes;
pub use server::Stats;

/// One emulated project and the management key that unlocks it.
#[derive(Clone)]
pub struct ProjectCredentials {
    pub project_id: String,
    pub management_key: String,
}

impl std::fmt::Debug for ProjectCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectCredentials")
            .field("project_id", &self.project_id)
            .field("management_key", &"<redacted>")
            .finish()
    }
}

impl ProjectCredentials {
    pub fn new(project_id: impl Into<String>, management_key: impl Into<String>) -> Self {
        ProjectCredentials {
            project_id: project_id.into(),
            management_key: management_key.into(),
        }
    }

    /// The project every emulator serves when none is configured.
    pub fn default_local() -> Self {
        Self::new("P2local", "K2local")
    }
}

/// At most `requests` management calls per `per` window; the excess gets 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub listen: SocketAddr,
    /// Empty means the single default project `P2local` / `K2local`.
    pub projects: Vec<ProjectCredentials>,
    pub state_file: Option<PathBuf>,
    pub rate_limit: Option<RateLimit>,
    pub latency: Duration,
    /// Probability in `[0, 1]` that a management call fails with 503.
    pub fail_rate: f64,
    /// Seeds the 503 draw so a run's failure pattern is reproducible.
    pub seed: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            projects: Vec::new(),
            state_file: None,
            rate_limit: None,
            latency: Duration::ZERO,
            fail_rate: 0.0,
            seed: 0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("state file error: {0}")]
    State(String),
    /// The state path holds a file the emulator did not write; it is left untouched.
    #[error(
        "{}: not a descope-emulator state file ({reason}); refusing to load or overwrite it. \
         Point the state at a new file or at one written by descope-emulator",
        path.display()
    )]
    NotAStateFile { path: PathBuf, reason: String },
    /// Another running emulator (e.g. another descope-mgmt run's embedded one) holds the state.
    #[error("{} is in use by another running emulator", path.display())]
    StateInUse { path: PathBuf },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("server error: {0}")]
    Server(String),
}

impl EmulatorError {
    pub(crate) fn state(path: &Path, e: std::io::Error) -> Self {
        EmulatorError::State(format!("{}: {e}", path.display()))
    }
}

#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds `config.listen` and serves on the current tokio runtime until shutdown.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        if !(0.0..=1.0).contains(&config.fail_rate) || config.fail_rate.is_nan() {
            return Err(EmulatorError::Config(format!(
                "fail rate must be within 0.0..=1.0, got {}",
                config.fail_rate
            )));
        }
        if let Some(limit) = config.rate_limit
            && (limit.requests == 0 || limit.per.is_zero())
        {
            return Err(EmulatorError::Config(
                "rate limit needs at least one request per non-zero window".into(),
            ));
        }
        let state = Arc::new(server::AppState::new(&config)?);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(state.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
        });
        Ok(RunningEmulator {
            addr,
            state,
            stop: stop_tx,
            task,
        })
    }
}

/// A serving emulator. Dropping it without [`shutdown`](Self::shutdown) leaves the server task
/// running until the runtime ends (state stays durable through the journal either way).
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    state: Arc<server::AppState>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Counters of the management calls served so far.
    pub fn stats(&self) -> Stats {
        self.state.stats()
    }

    /// Stops at once, as `kill -9` would: no compaction, the journal left as it is and the state
    /// file released. For crash tests.
    pub fn kill(self) {
        self.task.abort();
        self.state.abandon();
    }

    /// Stops accepting, lets in-flight calls finish, then compacts the state file.
    pub async fn shutdown(self) -> Result<(), EmulatorError> {
        let _ = self.stop.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(EmulatorError::Server(e.to_string())),
            Err(e) => return Err(EmulatorError::Server(e.to_string())),
        }
        self.state.compact()
    }
}
