//! The one pipeline behind `plan`, `apply`, `drift` and the `tenant|role|permission diff|sync`
//! commands (design.md §4, §6, §9):
//!
//! load config for the environment (exit 3, nothing sent) → desired [`ResourceSet`] → connect →
//! read the live state (one list call per kind) → [`plan`] → render → for writes: guards
//! (blast radius, protected confirmation) → env lock → backup → apply (audit per change,
//! Ctrl-C cancels) → run summary → exit code.
//!
//! Local state (locks, backups, audit logs) lives in `.descope-mgmt/` in the current working
//! directory, or in `$DESCOPE_MGMT_STATE_DIR` when that is set: one place per checkout, the
//! same place `git status` shows, independent of where the config file sits.
//!
//! What the commands share beyond that lives here too, so no command imports another:
//! [`read`] (plan one or every environment and show it), [`plan_file`] (the saved plan) and
//! [`write`] (the write half, behind `apply` and every `sync`).

pub mod plan_file;
pub mod project;
pub mod read;
pub mod write;

use std::collections::BTreeSet;
use std::path::PathBuf;

use descope_mgmt_core::apply::read_actual_kinds;
use descope_mgmt_core::config::rules::{BUILTIN_PERMISSIONS, BUILTIN_ROLES};
use descope_mgmt_core::config::{Connection, DescopeConfig, EnvironmentConfig};
use descope_mgmt_core::plan::{Plan, PlanOptions, ResourceKind, ResourceRef, ResourceSet, plan};

use crate::connect::Connected;
use crate::env_vars;
use crate::exit::{CliError, Exit};
use crate::settings::Settings;
pub use project::ClientProject;

/// Where locks, backups and audit logs go.
pub fn state_dir() -> PathBuf {
    env_vars::get(env_vars::DESCOPE_MGMT_STATE_DIR)
        .map_or_else(|| PathBuf::from(".descope-mgmt"), PathBuf::from)
}

/// What a command works on: which kinds, which resources, whether to prune.
#[derive(Debug, Clone)]
pub struct Selection {
    pub kinds: BTreeSet<ResourceKind>,
    pub targets: Option<BTreeSet<ResourceRef>>,
    pub prune: bool,
}

impl Selection {
    pub fn all_kinds(targets: &[ResourceRef], prune: bool) -> Self {
        Self {
            kinds: ResourceKind::ALL.into_iter().collect(),
            targets: (!targets.is_empty()).then(|| targets.iter().cloned().collect()),
            prune,
        }
    }

    /// One kind, `--target ID` naming resources of that kind.
    pub fn one_kind(kind: ResourceKind, ids: &[String], prune: bool) -> Self {
        Self {
            kinds: BTreeSet::from([kind]),
            targets: (!ids.is_empty())
                .then(|| ids.iter().map(|id| ResourceRef::new(kind, id)).collect()),
            prune,
        }
    }

    fn options(&self) -> PlanOptions {
        PlanOptions {
            prune: self.prune,
            targets: self.targets.clone(),
            kinds: Some(self.kinds.clone()),
        }
    }

    pub fn kind_list(&self) -> Vec<ResourceKind> {
        self.kinds.iter().copied().collect()
    }
}

/// The desired state of `env`: the resources whose `environments` include it, in the live-state
/// shape (tenant `domains` become self-provisioning domains only when self provisioning is on).
pub fn desired_set(config: &DescopeConfig, env: &str) -> ResourceSet {
    let view = config.for_environment(env);
    ResourceSet {
        permissions: view.permissions().iter().map(|p| p.to_resource()).collect(),
        roles: view.roles().iter().map(|r| r.to_resource()).collect(),
        tenants: view.tenants().iter().map(|t| t.to_resource()).collect(),
    }
}

/// Built-in permissions and roles belong to Descope: unless the config declares one, it is
/// neither "unmanaged" drift nor something `--prune` may delete.
fn drop_builtins(actual: &mut ResourceSet, desired: &ResourceSet) {
    let declared_permission = |name: &str| desired.permissions.iter().any(|p| p.name == name);
    let declared_role = |name: &str| desired.roles.iter().any(|r| r.name == name);
    actual.permissions.retain(|p| {
        !BUILTIN_PERMISSIONS.contains(&p.name.as_str()) || declared_permission(&p.name)
    });
    actual
        .roles
        .retain(|r| !BUILTIN_ROLES.contains(&r.name.as_str()) || declared_role(&r.name));
}

/// Loads the configuration for `env` (exit 3 on any error, before anything is sent) and checks
/// the environment exists.
pub fn load_for_env(settings: &Settings, env: &str) -> Result<DescopeConfig, CliError> {
    let config = crate::commands::load_valid(settings, Some(env))?;
    crate::settings::defined_environment(&config, env)?;
    Ok(config)
}

/// Why an environment cannot be reached without trying (no credentials configured).
pub fn skip_reason(env: &EnvironmentConfig) -> Option<String> {
    match env.connection() {
        Connection::Project {
            project_id,
            management_key,
        } => {
            if project_id.trim().is_empty() {
                Some("project_id is empty".to_owned())
            } else if management_key.expose().trim().is_empty() {
                Some("management_key is empty".to_owned())
            } else {
                None
            }
        }
        Connection::Emulator { .. } => None,
    }
}

/// A plan for one environment, with what it takes to apply it.
#[derive(Debug)]
pub struct Planned {
    pub env: String,
    pub protected: bool,
    pub plan: Plan,
    pub project: ClientProject,
    pub kinds: Vec<ResourceKind>,
}

/// Reads the live state of the selected kinds, one list call per kind.
pub async fn read_live(
    project: &ClientProject,
    kinds: &[ResourceKind],
    desired: &ResourceSet,
    env: &str,
) -> Result<ResourceSet, CliError> {
    let mut actual = read_actual_kinds(project, kinds).await.map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot read the live state of `{env}`: {error}"),
        )
    })?;
    drop_builtins(&mut actual, desired);
    Ok(actual)
}

/// desired → read → plan, for one connected environment.
pub async fn plan_env(
    config: &DescopeConfig,
    connected: &Connected,
    selection: &Selection,
) -> Result<Planned, CliError> {
    let env = connected.env_name();
    let desired = desired_set(config, env);
    let project = ClientProject::new(connected.client().clone());
    let kinds = selection.kind_list();
    let actual = read_live(&project, &kinds, &desired, env).await?;
    let plan = plan(&desired, &actual, &selection.options());
    Ok(Planned {
        env: env.to_owned(),
        protected: connected.env().protected(),
        plan,
        project,
        kinds,
    })
}

/// load → connect → read → plan → `work` → close, for `--env`.
pub fn in_env<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(&DescopeConfig, &Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let env = settings.one_env()?.as_str();
    let config = load_for_env(settings, env)?;
    crate::connect::runtime()?.block_on(crate::connect::with_connection(
        &config,
        env,
        async |connected| work(&config, connected).await,
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use descope_mgmt_core::config::{PermissionConfig, RoleConfig, Scope, TenantConfig};
    use descope_mgmt_core::resource::{Permission, Role};

    use super::*;

    fn config() -> DescopeConfig {
        let tenants = vec![
            TenantConfig::builder("acme-corp", "Acme")
                .domains(["Acme.com"])
                .self_provisioning(true)
                .build()
                .unwrap(),
            TenantConfig::builder("no-provisioning", "No Provisioning")
                .domains(["np.example.com"])
                .build()
                .unwrap(),
            TenantConfig::builder("prod-only", "Prod Only")
                .environments(Scope::Only(vec!["prod".into()]))
                .build()
                .unwrap(),
        ];
        DescopeConfig::new("1.0", BTreeMap::new(), tenants, Vec::new())
            .with_permissions(vec![PermissionConfig::new("reports.read", "")])
            .with_roles(vec![RoleConfig::new(
                "viewer",
                "",
                vec!["reports.read".into()],
            )])
    }

    #[test]
    fn desired_set_respects_environments_and_self_provisioning() {
        let dev = desired_set(&config(), "dev");
        let ids: Vec<&str> = dev.tenants.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["acme-corp", "no-provisioning"]);
        assert_eq!(dev.tenants[0].self_provisioning_domains, ["acme.com"]);
        assert!(dev.tenants[1].self_provisioning_domains.is_empty());
        assert_eq!(dev.roles.len(), 1);
        assert_eq!(dev.permissions.len(), 1);
        assert_eq!(desired_set(&config(), "prod").tenants.len(), 3);
    }

    #[test]
    fn built_ins_are_dropped_from_the_live_state_unless_declared() {
        let builtin_permission = Permission {
            name: "User Admin".into(),
            description: String::new(),
        };
        let builtin_role = Role {
            name: "Tenant Admin".into(),
            ..Role::default()
        };
        let live = ResourceSet {
            permissions: vec![builtin_permission.clone()],
            roles: vec![builtin_role.clone()],
            tenants: Vec::new(),
        };
        let mut actual = live.clone();
        drop_builtins(&mut actual, &ResourceSet::default());
        assert!(actual.is_empty());

        let mut actual = live.clone();
        let declared = ResourceSet {
            roles: vec![builtin_role],
            ..ResourceSet::default()
        };
        drop_builtins(&mut actual, &declared);
        assert_eq!(actual.roles.len(), 1, "a declared built-in is managed");
        assert!(actual.permissions.is_empty());
    }
}
