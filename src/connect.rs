//! Reaching one environment's project: resolving `--env`, building its API client (rate limit,
//! base URL per design.md §5), starting the embedded emulator for `emulator: FILE` environments,
//! and shutting that emulator down again (compacting its state) whatever the command's outcome.
//! Also the mapping of API and port errors to exit codes and safe messages.
//!
//! Commands use [`run_in_env`] (sync, loads the configuration) or [`with_connection`] (async),
//! which always call [`Connected::close`]; [`connect`] is for callers that manage several
//! connections themselves (`--env all`) and must close each one.

use std::time::Duration;

use descope_emulator::{
    Emulator, EmulatorConfig, EmulatorError, ProjectCredentials, RunningEmulator,
};
use descope_mgmt_api::{ApiError, ApiErrorKind, ClientConfig, DescopeClient, RateLimit};
use descope_mgmt_core::config::{Connection, DescopeConfig, EnvironmentConfig};
use descope_mgmt_core::port::{PortError, PortErrorKind};
use descope_mgmt_core::secret::ManagementKey;
use tracing::Instrument;

use crate::exit::{CliError, Exit};
use crate::settings::{Settings, defined_environment};
use crate::signals::first_stop_signal;

/// One environment, connected: its client and, for `emulator:` environments, the embedded
/// emulator the client talks to.
#[derive(Debug)]
pub struct Connected {
    env_name: String,
    env: EnvironmentConfig,
    client: DescopeClient,
    emulator: Option<EmbeddedEmulator>,
}

/// The embedded emulator; it holds its state file's lock until it is shut down.
#[derive(Debug)]
struct EmbeddedEmulator {
    running: RunningEmulator,
}

impl Connected {
    pub fn env_name(&self) -> &str {
        &self.env_name
    }

    pub fn env(&self) -> &EnvironmentConfig {
        &self.env
    }

    pub fn client(&self) -> &DescopeClient {
        &self.client
    }

    /// Turns an API error into exit 1 with the operation, status, `errorCode` and message; an
    /// authorization failure also says where the key comes from (never the key itself).
    pub fn api_error(&self, error: ApiError) -> CliError {
        self.port_error(error.into())
    }

    /// Like [`Connected::api_error`] for errors that came through core's ports (which keep the
    /// client's error as their source, so the same hints apply).
    pub fn port_error(&self, error: PortError) -> CliError {
        let unreachable = error
            .source
            .as_deref()
            .and_then(|source| source.downcast_ref::<ApiError>())
            .is_some_and(|api| {
                matches!(api.kind, ApiErrorKind::Connection | ApiErrorKind::Timeout)
            });
        let cli = CliError::new(Exit::Error, format!("env {}: {}", self.env_name, error));
        if error.kind == PortErrorKind::Unauthorized {
            cli.with_hint(self.unauthorized_hint())
        } else if unreachable {
            cli.with_hint(self.unreachable_hint())
        } else {
            cli
        }
    }

    fn unreachable_hint(&self) -> String {
        match self.env.connection() {
            Connection::Project { .. } => format!(
                "no answer from {}: check the base_url of environment {:?} (else \
                 DESCOPE_BASE_URL / DESCOPE_BASE_URI) and the network",
                self.client.base_url(),
                self.env_name
            ),
            Connection::Emulator { .. } => {
                "the embedded emulator stopped answering: this is a bug".to_owned()
            }
        }
    }

    fn unauthorized_hint(&self) -> String {
        match self.env.connection() {
            Connection::Project { project_id, .. } => format!(
                "check the management key of environment {:?}: the variable its `management_key` \
                 names must hold a key of project {project_id}",
                self.env_name
            ),
            Connection::Emulator { .. } => {
                "the embedded emulator refused its own key: this is a bug".to_owned()
            }
        }
    }

    /// Stops the embedded emulator, letting in-flight calls finish and compacting its state
    /// file. A no-op for project environments.
    pub async fn close(self) -> Result<(), CliError> {
        match self.emulator {
            Some(emulator) => emulator.running.shutdown().await.map_err(|error| {
                CliError::new(
                    Exit::Error,
                    format!(
                        "env {}: the embedded emulator did not shut down cleanly: {error}",
                        self.env_name
                    ),
                )
            }),
            None => Ok(()),
        }
    }
}

/// Connects to `env_name`: for `emulator: FILE`, starts the embedded emulator on an ephemeral
/// loopback port with its state in FILE (parent directories created). The caller must
/// [`Connected::close`] the result; prefer [`with_connection`], which does.
pub async fn connect(config: &DescopeConfig, env_name: &str) -> Result<Connected, CliError> {
    connect_tuned(config, env_name, |client_config| client_config).await
}

/// [`connect`] with the client's configuration adjusted by `tune` (e.g. `doctor`, which wants
/// an answer at once rather than a call that rides out an outage).
pub async fn connect_tuned(
    config: &DescopeConfig,
    env_name: &str,
    tune: impl FnOnce(ClientConfig) -> ClientConfig,
) -> Result<Connected, CliError> {
    let env = defined_environment(config, env_name)?.clone();
    let rate_limit = client_rate_limit(&env, env_name)?;
    let (client_config, emulator) = match env.connection() {
        Connection::Project {
            project_id,
            management_key,
        } => {
            // An unset key variable (`${DESCOPE_PROD_MANAGEMENT_KEY:-}`) would otherwise reach the
            // API and come back as a 401 after a network round trip; it is a configuration gap.
            if management_key.expose().trim().is_empty() {
                return Err(CliError::config_invalid(format!(
                    "env {env_name}: management_key is empty"
                ))
                .with_hint(format!(
                    "set the variable that `environments.{env_name}.management_key` names, in the \
                     process environment or in a .env file beside the configuration"
                )));
            }
            let mut client_config = ClientConfig::new(project_id.clone(), management_key.clone());
            client_config.base_url = env.base_url().map(str::to_owned);
            (client_config, None)
        }
        Connection::Emulator { state_file } => {
            let emulator = start_emulator(env_name, state_file).await?;
            let credentials = ProjectCredentials::default_local();
            let client_config = ClientConfig::new(
                credentials.project_id,
                ManagementKey::new(credentials.management_key),
            )
            .with_base_url(emulator.running.url())
            // No CDN in front of it to pick a rate-limit bucket.
            .with_license_handshake(false);
            (client_config, Some(emulator))
        }
    };
    let mut client_config = match rate_limit {
        Some(limit) => client_config.with_rate_limit(limit),
        None => client_config.unpaced(),
    };
    if let Some(seconds) = env.timeout_seconds() {
        client_config = client_config.with_timeout(Duration::from_secs(u64::from(seconds)));
    }
    let client = match DescopeClient::new(tune(client_config)) {
        Ok(client) => client,
        Err(error) => {
            // The emulator must not outlive a failed connection.
            if let Some(emulator) = emulator {
                let _ = emulator.running.shutdown().await;
            }
            return Err(CliError::new(
                Exit::ConfigInvalid,
                format!("env {env_name}: {error}"),
            ));
        }
    };
    tracing::debug!(base_url = client.base_url(), "connected");
    Ok(Connected {
        env_name: env_name.to_owned(),
        env,
        client,
        emulator,
    })
}

/// Connects, runs `work`, and closes the connection whether `work` succeeded or not. The
/// command's own error wins over a failure to close (which is then only logged).
pub async fn with_connection<T>(
    config: &DescopeConfig,
    env_name: &str,
    work: impl AsyncFnOnce(&Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let span = tracing::info_span!("env", name = env_name);
    let connected = connect(config, env_name).instrument(span.clone()).await?;
    let outcome = work(&connected).instrument(span).await;
    close_after(connected, outcome).await
}

/// [`with_connection`] handing the configuration itself to `work`, which can drop it once it
/// has what it needs (at 100,000 tenants it is tens of megabytes a plan no longer reads).
pub async fn with_connection_owning<T>(
    config: DescopeConfig,
    env_name: &str,
    work: impl AsyncFnOnce(DescopeConfig, &Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let span = tracing::info_span!("env", name = env_name);
    let connected = connect(&config, env_name).instrument(span.clone()).await?;
    let outcome = work(config, &connected).instrument(span).await;
    close_after(connected, outcome).await
}

/// Closes `connected` after the work that gave `outcome`.
async fn close_after<T>(connected: Connected, outcome: Result<T, CliError>) -> Result<T, CliError> {
    let closed = connected.close().await;
    match (outcome, closed) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(close_error)) => Err(close_error),
        (Err(error), Ok(())) => Err(error),
        (Err(error), Err(close_error)) => {
            tracing::error!("{}", close_error.message);
            Err(error)
        }
    }
}

/// The whole life of a single-environment command: loads the configuration (exit 3 when
/// invalid), resolves `--env`, builds a runtime, connects, runs `work`, closes. Ctrl-C, SIGHUP
/// (exit 130) or SIGTERM (exit 143) stops `work` and still closes the connection, so the embedded emulator saves its state.
pub fn run_in_env<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(&Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let env_name = settings.one_env()?.as_str();
    let config = crate::commands::load_valid(settings, None)?;
    defined_environment(&config, env_name)?;
    runtime()?.block_on(with_connection(&config, env_name, async move |conn| {
        tokio::select! {
            outcome = work(conn) => outcome,
            signal = first_stop_signal() => Err(CliError::new(
                signal.exit(),
                format!("interrupted (env {})", conn.env_name()),
            )
            .with_hint("a call in flight may or may not have taken effect: read the resource again to check")),
        }
    }))
}

/// A runtime for one command. Multi-threaded so the embedded emulator keeps serving while a
/// command is busy, and so independent calls can run side by side.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| CliError::new(Exit::Error, format!("cannot start the runtime: {error}")))
}

/// The environment's pace ([`EnvironmentConfig::pacing`]): `None` for an embedded emulator whose
/// block sets no `rate_limit`.
fn client_rate_limit(
    env: &EnvironmentConfig,
    env_name: &str,
) -> Result<Option<RateLimit>, CliError> {
    let Some(limit) = env.pacing() else {
        return Ok(None);
    };
    RateLimit::new(
        limit.requests,
        Duration::from_secs(u64::from(limit.per_seconds)),
    )
    .map(Some)
    .map_err(|error| CliError::config_invalid(format!("env {env_name}: rate_limit: {error}")))
}

/// Starts the embedded emulator on an ephemeral loopback port. Two runs sharing one state file
/// would overwrite each other's changes, so the emulator locks the file for its life and a
/// second run is refused (exit 4) rather than left waiting; a file that is not an emulator state
/// file is a configuration error (exit 3) and is never touched.
async fn start_emulator(
    env_name: &str,
    state_file: &std::path::Path,
) -> Result<EmbeddedEmulator, CliError> {
    let failed = |what: String| {
        CliError::new(
            Exit::Error,
            format!("env {env_name}: cannot start the embedded emulator: {what}"),
        )
    };
    if let Some(parent) = state_file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|error| failed(format!("cannot create {}: {error}", parent.display())))?;
    }
    let config = EmulatorConfig {
        state_file: Some(state_file.to_path_buf()),
        ..EmulatorConfig::default()
    };
    let running = Emulator::start(config).await.map_err(|error| match error {
        EmulatorError::StateInUse { .. } => CliError::new(
            Exit::Refused,
            format!(
                "env {env_name}: {} is in use by another descope-mgmt run",
                state_file.display()
            ),
        )
        .with_hint("wait for the other run to finish, then try again"),
        EmulatorError::NotAStateFile { .. } => CliError::new(
            Exit::ConfigInvalid,
            format!("env {env_name}: emulator: {error}"),
        ),
        other => failed(other.to_string()),
    })?;
    Ok(EmbeddedEmulator { running })
}

#[cfg(test)]
mod tests {
    use descope_mgmt_core::resource::Tenant;

    use super::*;

    fn emulator_config(state_file: &std::path::Path) -> DescopeConfig {
        let environments = [("local".to_owned(), EnvironmentConfig::emulator(state_file))]
            .into_iter()
            .collect();
        DescopeConfig::new("1.0", environments, Vec::new(), Vec::new())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_command_still_shuts_the_emulator_down_with_its_state_saved() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("nested/dirs/local.json");
        let config = emulator_config(&state);
        let outcome: Result<(), CliError> = with_connection(&config, "local", async |conn| {
            let tenant = Tenant {
                id: "acme-corp".into(),
                name: "Acme".into(),
                ..Tenant::default()
            };
            conn.client()
                .tenants()
                .create(&tenant)
                .await
                .map_err(|e| conn.api_error(e))?;
            Err(CliError::new(
                Exit::Error,
                "the command failed after a write",
            ))
        })
        .await;
        assert_eq!(
            outcome.unwrap_err().message,
            "the command failed after a write"
        );
        // Shutdown compacts: the write is in the state file and the journal is empty again.
        let saved = std::fs::read_to_string(&state).unwrap();
        assert!(saved.contains("acme-corp"));
        let journal = std::fs::metadata(dir.path().join("nested/dirs/local.json.journal")).unwrap();
        assert_eq!(journal.len(), 0);
    }

    #[tokio::test]
    async fn unknown_environments_are_refused_before_connecting() {
        let config = emulator_config(std::path::Path::new("unused.json"));
        let unknown = connect(&config, "prod").await.unwrap_err();
        assert_eq!(unknown.exit, Exit::ConfigInvalid);
        assert_eq!(unknown.hint.as_deref(), Some("defined environments: local"));
    }
}
