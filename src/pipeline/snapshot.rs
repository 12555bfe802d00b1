//! Whole projects as states to compare or copy, behind `diff --from/--to` and `promote`: a side
//! is a live environment (every resource of the selected kinds, built-ins included, read as a
//! desired state) or `config:ENV` (the configuration's desired state for ENV). Both sides are
//! open at once, each on its own connection.

use descope_mgmt_core::apply::read_actual_kinds;
use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::cross_project::{complete_from_live, map_project_id};
use descope_mgmt_core::environment::drop_system_defaults;
use descope_mgmt_core::plan::{Plan, PlanOptions, ResourceKind, ResourceSet, plan};

use super::{Selection, desired_set, load_for_env};
use crate::connect::{Connected, with_connection};
use crate::exit::{CliError, Exit};
use crate::settings::Settings;

/// What `config:ENV` starts with.
const CONFIG_PREFIX: &str = "config:";

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// The live project of an environment.
    Live(String),
    /// What the configuration wants in an environment.
    Config(String),
}

impl Side {
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix(CONFIG_PREFIX) {
            Some(env) => Self::Config(env.to_owned()),
            None => Self::Live(text.to_owned()),
        }
    }

    pub fn env(&self) -> &str {
        match self {
            Self::Live(env) | Self::Config(env) => env,
        }
    }

    /// As the user wrote it: `dev` or `config:dev`.
    pub fn label(&self) -> String {
        match self {
            Self::Live(env) => env.clone(),
            Self::Config(env) => format!("{CONFIG_PREFIX}{env}"),
        }
    }
}

/// A side with its environment's configuration and, for a live side, its connection.
pub struct Opened<'a> {
    pub side: &'a Side,
    pub config: &'a DescopeConfig,
    pub connected: Option<&'a Connected>,
}

impl Opened<'_> {
    /// The project id of the side's environment (none for an embedded emulator).
    pub fn project_id(&self) -> Option<&str> {
        self.config.environment(self.side.env())?.project_id()
    }

    /// The side's state for `kinds`: the whole live project (one list per kind, every flow's
    /// document), or the configuration's desired state.
    pub async fn state(&self, kinds: &[ResourceKind]) -> Result<ResourceSet, CliError> {
        let env = self.side.env();
        let Some(connected) = self.connected else {
            return Ok(desired_set(self.config, env));
        };
        read_actual_kinds(connected.client(), kinds)
            .await
            .map_err(|error| {
                CliError::new(
                    Exit::Error,
                    format!("cannot read the live state of `{env}`: {error}"),
                )
            })
    }
}

/// Loads both sides' configurations (exit 3 before anything is sent), connects to the live
/// ones, runs `work` and closes every connection.
pub fn with_sides<T>(
    settings: &Settings,
    from: &Side,
    to: &Side,
    work: impl AsyncFnOnce(Opened<'_>, Opened<'_>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let from_config = load_for_env(settings, from.env())?;
    let to_config = load_for_env(settings, to.env())?;
    crate::connect::runtime()?.block_on(with_side(&from_config, from, async |from_connected| {
        with_side(&to_config, to, async |to_connected| {
            work(
                Opened {
                    side: from,
                    config: &from_config,
                    connected: from_connected,
                },
                Opened {
                    side: to,
                    config: &to_config,
                    connected: to_connected,
                },
            )
            .await
        })
        .await
    }))
}

async fn with_side<T>(
    config: &DescopeConfig,
    side: &Side,
    work: impl AsyncFnOnce(Option<&Connected>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    match side {
        Side::Live(env) => {
            with_connection(config, env, async |connected| work(Some(connected)).await).await
        }
        Side::Config(_) => work(None).await,
    }
}

/// The differences between two sides as a plan whose desired state is `to` and whose live
/// state is `from` (so a create is only in `to`, a delete only in `from`), every kind of
/// `selection`, deletes included. The sides are made comparable first:
///
/// - the `from` project's id becomes the `to` project's id wherever it appears;
/// - a configuration side takes the fields it leaves unmanaged from the live side, and built-ins
///   it does not declare are dropped from the live side (as `drift` does).
pub async fn compare(
    from: &Opened<'_>,
    to: &Opened<'_>,
    selection: &Selection,
) -> Result<Plan, CliError> {
    let kinds = selection.kind_list();
    let (from_state, to_state) = futures::try_join!(from.state(&kinds), to.state(&kinds))?;
    let from_state = map_project_id(from_state, from.project_id(), to.project_id());
    let (from_state, to_state) = match (from.connected, to.connected) {
        (None, Some(_)) => configured_against_live(from_state, to_state),
        (Some(_), None) => {
            let (to_state, from_state) = configured_against_live(to_state, from_state);
            (from_state, to_state)
        }
        _ => (from_state, to_state),
    };
    let options = PlanOptions {
        prune: true,
        ..selection.options(from.config)
    };
    Ok(plan(&to_state, &from_state, &options))
}

/// `(configured, live)` made comparable: see [`compare`].
fn configured_against_live(
    configured: ResourceSet,
    mut live: ResourceSet,
) -> (ResourceSet, ResourceSet) {
    drop_system_defaults(&mut live, &configured);
    (complete_from_live(configured, &live), live)
}
