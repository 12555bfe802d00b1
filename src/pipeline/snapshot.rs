//! Reading a whole live project into a desired-state [`ResourceSet`]: what `export`, `backup
//! create`, the full backup before every apply, and `diff --from`/`promote` start from; and the
//! two sides of `diff --from/--to` and `promote`, each a live environment or `config:ENV` (the
//! configuration's desired state for ENV), open at once on their own connections.
//!
//! A snapshot holds what a project owner made: built-in roles and permissions (Descope's
//! `systemDefault`) are left out, flows and the theme are kept (the default flows and the theme
//! are Descope's to start with, but owners edit them, and restoring must bring edits back). Each
//! kind's list is normalised and sorted by identity, so two snapshots of the same project are
//! equal and serialise to the same bytes.

use descope_mgmt_api::DescopeClient;
use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::cross_project::{complete_from_live, map_project_id};
use descope_mgmt_core::environment::drop_system_defaults;
use descope_mgmt_core::plan::{Plan, PlanOptions, ResourceKind, ResourceSet, plan};

use super::{Selection, desired_set};
use crate::connect::{Connected, with_connection};
use crate::exit::CliError;
use crate::settings::Settings;

/// The live state of `kinds` in `client`'s project, without built-in roles and permissions,
/// normalised and sorted (one list call per kind; one call per flow).
pub async fn read_project(
    client: &DescopeClient,
    kinds: &[ResourceKind],
    env: &str,
) -> Result<ResourceSet, CliError> {
    let live = super::read_raw(client, kinds, env).await?;
    Ok(owned_by_project(live))
}

/// The documents owners edit in place (flows, the theme) of `live`: kept through the built-in
/// filter by snapshots and backups, though the planner leaves undeclared ones alone.
pub fn documents_of(live: &ResourceSet) -> ResourceSet {
    ResourceSet {
        flows: live.flows.clone(),
        themes: live.themes.clone(),
        ..ResourceSet::default()
    }
}

/// `live` without what Descope made itself, except the documents owners edit in place (flows,
/// the theme); normalised and sorted by identity.
pub fn owned_by_project(mut live: ResourceSet) -> ResourceSet {
    // Declaring the live flows and theme is what keeps them through the built-in filter.
    let edited_in_place = documents_of(&live);
    drop_system_defaults(&mut live, &edited_in_place);
    let mut resources: Vec<_> = live
        .iter_any()
        .map(|resource| resource.normalized())
        .collect();
    resources.sort_by_key(|resource| resource.reference());
    resources.into_iter().collect()
}

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

    /// The side's state for `kinds`: the live project as [`read_project`] reads it, or the
    /// configuration's desired state.
    pub async fn state(&self, kinds: &[ResourceKind]) -> Result<ResourceSet, CliError> {
        let env = self.side.env();
        match self.connected {
            Some(connected) => read_project(connected.client(), kinds, env).await,
            None => Ok(desired_set(self.config, env)),
        }
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
    let mut views =
        crate::commands::load_valid_views(settings, &[Some(from.env()), Some(to.env())])?;
    let (to_config, from_config) = (views.remove(1), views.remove(0));
    for (config, side) in [(&from_config, from), (&to_config, to)] {
        crate::settings::defined_environment(config, side.env())?;
    }
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

#[cfg(test)]
mod tests {
    use descope_mgmt_core::resource::{Flow, Permission, Role, Theme};
    use serde_json::json;

    use super::*;

    fn role(name: &str, system_default: Option<bool>) -> Role {
        Role {
            name: name.to_owned(),
            system_default,
            ..Role::default()
        }
    }

    #[test]
    fn a_snapshot_keeps_what_owners_made_and_edit_sorted_by_identity() {
        let live = ResourceSet {
            permissions: vec![Permission {
                name: "User Admin".to_owned(),
                description: String::new(),
                system_default: Some(true),
            }],
            roles: vec![
                role("viewer", None),
                role("Tenant Admin", Some(true)),
                role("analyst", Some(false)),
            ],
            flows: vec![Flow {
                id: "sign-up-or-in".to_owned(),
                document: json!({"flowId": "sign-up-or-in"}),
            }],
            themes: vec![Theme {
                document: json!({"styles": {}}),
            }],
            ..ResourceSet::default()
        };
        let snapshot = owned_by_project(live);
        let roles: Vec<&str> = snapshot.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(roles, ["analyst", "viewer"]);
        assert!(snapshot.permissions.is_empty(), "built-in permission kept");
        assert_eq!(
            snapshot.flows.len(),
            1,
            "a default flow owners edit is kept"
        );
        assert_eq!(snapshot.themes.len(), 1, "the theme is kept");
    }
}
