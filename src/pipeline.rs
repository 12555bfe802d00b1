//! The one pipeline behind `plan`, `apply`, `drift` and the `tenant|role|permission diff|sync`
//! commands (design.md §4, §6, §9):
//!
//! load config for the environment (exit 3, nothing sent) → desired [`ResourceSet`] → connect →
//! read the live state (one list call per kind; for flows also one export per flow the command
//! may change, skipped when the revision cache has it, see [`FlowReads`]) → [`plan`] → render →
//! for writes: guards (blast radius, protected confirmation) → env lock → backup → apply (audit
//! per change, Ctrl-C cancels) → run summary → exit code.
//!
//! Backups and audit logs live in `.descope-mgmt/` in the current working directory, or in
//! `$DESCOPE_MGMT_STATE_DIR` when that is set: one place per checkout, the same place `git status`
//! shows, independent of where the config file sits. Locks are per project, not per checkout, so
//! they live in one per-user place ([`lock_dir`]) that every checkout on the machine shares.
//!
//! What the commands share beyond that lives here too, so no command imports another:
//! [`read`] (plan one or every environment and show it), [`plan_file`] (the saved plan),
//! [`write`] (the write half, behind `apply`, `promote` and every `sync`) and [`snapshot`] (whole
//! projects as the sides of `diff --from/--to` and `promote`).

pub mod plan_file;
pub mod read;
pub mod snapshot;
pub mod write;

use std::collections::BTreeSet;
use std::path::PathBuf;

use descope_mgmt_api::DescopeClient;
use descope_mgmt_api::endpoints::flows::EXPORT_CONCURRENCY;
use descope_mgmt_core::apply::{estimate_calls, read_actual_kinds};
use descope_mgmt_core::config::load::provenance::{self, Explained};
use descope_mgmt_core::config::selector::Selector;
use descope_mgmt_core::config::{DescopeConfig, RateLimit};
use descope_mgmt_core::environment::drop_system_defaults;
pub use descope_mgmt_core::environment::{desired_set, skip_reason};
use descope_mgmt_core::flow::{FlowCache, read_live_flows};
use descope_mgmt_core::plan::{
    Plan, PlanOptions, ResourceKind, ResourceRef, ResourceSet, plan, refusals,
};
use descope_mgmt_core::port::{PortError, PortResult};
use descope_mgmt_core::resource::{DEFAULT_FLOW_IDS, Flow, SECRET_REPLACED};
use descope_mgmt_core::safety::{LockError, LockKey, ProjectLock};
use descope_mgmt_core::tenant_auth::read_tenant_auth;

use crate::connect::Connected;
use crate::env_vars;
use crate::exit::{CliError, Exit};
use crate::report::{CallsEntry, RateLimitEntry};
use crate::settings::Settings;

/// Where locks, backups and audit logs go.
pub fn state_dir() -> PathBuf {
    env_vars::get(env_vars::DESCOPE_MGMT_STATE_DIR)
        .map_or_else(|| PathBuf::from(".descope-mgmt"), PathBuf::from)
}

/// Where project locks go: `$DESCOPE_MGMT_LOCK_DIR`, else `$XDG_STATE_HOME/descope-mgmt/locks`,
/// else `~/.local/state/descope-mgmt/locks`; with none of these set (a bare container), the
/// state directory's `locks/`, which still serialises runs from one checkout.
pub fn lock_dir() -> PathBuf {
    if let Some(dir) = env_vars::get(env_vars::DESCOPE_MGMT_LOCK_DIR) {
        return PathBuf::from(dir);
    }
    // The XDG spec: a relative value is invalid and must be ignored.
    let state_home = env_vars::get(env_vars::XDG_STATE_HOME)
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| {
            env_vars::get(env_vars::HOME).map(|home| PathBuf::from(home).join(".local/state"))
        });
    match state_home {
        Some(dir) => dir.join("descope-mgmt").join("locks"),
        None => state_dir().join("locks"),
    }
}

/// Takes the lock of the project `client` talks to before a command writes to it: exit 4 while
/// another run (from any checkout or configuration on this machine) holds it, exit 1 when the
/// lock file cannot be used. A lock left by a run that died is taken over, with a note.
pub fn lock_project(
    client: &DescopeClient,
    env: &str,
    printer: &crate::printer::Printer,
) -> Result<ProjectLock, CliError> {
    let key = LockKey::new(client.project_id(), client.base_url());
    let lock = ProjectLock::acquire(&lock_dir(), &key, env).map_err(|error| match error {
        LockError::Held { .. } => CliError::new(Exit::Refused, error.to_string()).with_hint(
            "runs on one project take turns; across machines, serialise them in CI (README: \"Locks\")",
        ),
        LockError::Symlink(_) | LockError::File(_) => CliError::new(Exit::Error, error.to_string()),
    })?;
    if let Some(holder) = lock.taken_over() {
        printer.note(format!(
            "note: took over the lock of project {} left by a run that is no longer running ({holder})",
            key.project_id
        ));
    }
    Ok(lock)
}

/// What a direct write command (`tenant create`, `flow import`, `theme sync`, …) does before its
/// first write: the protected environment's confirmation, then the project's lock, held until
/// the returned guard drops.
pub fn before_write(connected: &Connected, settings: &Settings) -> Result<ProjectLock, CliError> {
    if connected.env().protected() {
        crate::confirm::confirm_protected(connected.env_name(), settings.yes)?;
    }
    lock_project(connected.client(), connected.env_name(), &settings.printer)
}

/// What a command works on: which kinds, which resources, whether to prune.
#[derive(Debug, Clone)]
pub struct Selection {
    pub kinds: BTreeSet<ResourceKind>,
    pub targets: Option<BTreeSet<ResourceRef>>,
    /// `--selector`: only the configured tenants it picks. It is resolved against each
    /// environment's configuration, since overlays can change what a tenant matches.
    pub selector: Option<Selector>,
    pub prune: bool,
    /// `--strict-layout`: a flow whose canvas positions alone moved is a change.
    pub strict_layout: bool,
    /// `--rotate-secrets`: send every configured SSO secret again, shown as "secret replaced".
    pub rotate_secrets: bool,
}

impl Selection {
    pub fn with_rotate_secrets(mut self, rotate_secrets: bool) -> Self {
        self.rotate_secrets = rotate_secrets;
        self
    }

    /// The same selection, counting canvas moves as changes when `strict` (`--strict-layout`).
    pub fn with_strict_layout(mut self, strict: bool) -> Self {
        self.strict_layout = strict;
        self
    }

    pub fn all_kinds(targets: &[ResourceRef], selector: Option<&Selector>, prune: bool) -> Self {
        Self {
            kinds: ResourceKind::ALL.into_iter().collect(),
            targets: (!targets.is_empty()).then(|| targets.iter().cloned().collect()),
            selector: selector.cloned(),
            prune,
            strict_layout: false,
            rotate_secrets: false,
        }
    }

    /// One kind, `--target ID` naming resources of that kind. A selector picks tenants, so it
    /// is a usage error for any other kind rather than a silently empty selection.
    pub fn one_kind(
        kind: ResourceKind,
        ids: &[String],
        selector: Option<&Selector>,
        prune: bool,
    ) -> Result<Self, CliError> {
        if selector.is_some() && kind != ResourceKind::Tenant {
            return Err(CliError::new(
                Exit::Usage,
                format!("--selector selects tenants; `{kind}` commands take --target instead"),
            ));
        }
        Ok(Self {
            kinds: BTreeSet::from([kind]),
            targets: (!ids.is_empty())
                .then(|| ids.iter().map(|id| ResourceRef::new(kind, id)).collect()),
            selector: selector.cloned(),
            prune,
            strict_layout: false,
            rotate_secrets: false,
        })
    }

    /// The planner's options for `config`'s view of one environment. A selector narrows the
    /// targets to the tenants it picks (intersected with `--target`), so live tenants outside
    /// it are never planned, changed or pruned.
    pub fn options(&self, config: &DescopeConfig) -> PlanOptions {
        let targets = match &self.selector {
            None => self.targets.clone(),
            Some(selector) => Some(
                selector
                    .select(config)
                    .into_iter()
                    .map(|tenant| ResourceRef::new(ResourceKind::Tenant, tenant.id()))
                    .filter(|reference| {
                        self.targets
                            .as_ref()
                            .is_none_or(|targets| targets.contains(reference))
                    })
                    .collect(),
            ),
        };
        PlanOptions {
            prune: self.prune,
            targets,
            kinds: Some(self.kinds.clone()),
            strict_layout: self.strict_layout,
        }
    }

    pub fn kind_list(&self) -> Vec<ResourceKind> {
        self.kinds.iter().copied().collect()
    }
}

/// Loads the configuration for `env` (exit 3 on any error, before anything is sent) and checks
/// the environment exists.
pub fn load_for_env(settings: &Settings, env: &str) -> Result<DescopeConfig, CliError> {
    let config = crate::commands::load_valid(settings, Some(env))?;
    crate::settings::defined_environment(&config, env)?;
    Ok(config)
}

/// A plan for one environment, with what it takes to apply it.
#[derive(Debug)]
pub struct Planned {
    pub env: String,
    pub protected: bool,
    pub plan: Plan,
    /// The project the plan was made against; it also counts the run's calls for the summary.
    pub client: DescopeClient,
    pub kinds: Vec<ResourceKind>,
    /// The environment's apply concurrency (`--concurrency` overrides it).
    pub concurrency: u32,
    /// The environment's client-side pace; `None` when not paced.
    pub pacing: Option<RateLimit>,
    /// HTTP requests sent to read the live state the plan was made from.
    pub read_requests: u64,
    /// The whole live state of `kinds` when the plan was made: what the backup before the first
    /// write holds, so that `backup restore` can bring all of it back.
    pub live: ResourceSet,
    /// Kinds of which `live` holds only part (flows the run had no need to export): their backup
    /// restores what it holds but never counts the rest as "created since", so a restore with
    /// `--prune` cannot delete a flow the backup simply did not read.
    pub partial_kinds: Vec<ResourceKind>,
}

impl Planned {
    /// What the plan cost to read and what applying it will cost.
    pub fn calls(&self) -> CallsEntry {
        let apply = estimate_calls(&self.plan, &self.client);
        CallsEntry {
            read: self.read_requests,
            apply,
            // Each call uses `per_seconds / requests` of the quota: the steady pace, which is
            // what a run of any size pays once the limiter's small burst is spent.
            apply_seconds: self.pacing.map(|limit| {
                apply as f64 * f64::from(limit.per_seconds) / f64::from(limit.requests.max(1))
            }),
            rate_limit: self.pacing.map(|limit| RateLimitEntry {
                requests: limit.requests,
                per_seconds: limit.per_seconds,
            }),
        }
    }
}

impl Live {
    /// [`Planned::partial_kinds`] of this read.
    pub fn partial_kinds(&self) -> Vec<ResourceKind> {
        if self.unread_flows.is_empty() {
            Vec::new()
        } else {
            vec![ResourceKind::Flow]
        }
    }
}

/// Which live flows a command reads in full. A flow costs one export (unless the revision cache
/// has it), so only the flows a plan may change are read; every other listed flow is known by
/// its id alone, which is all `drift` and a plan without `--prune` need to name it.
#[derive(Debug, Clone, Default)]
pub struct FlowReads {
    /// The configured or targeted flows.
    pub ids: BTreeSet<String>,
    /// Also every live flow a prune could delete: all but the project's default flows that the
    /// configuration does not declare (those are never pruned, so never read).
    pub prunable: bool,
}

impl FlowReads {
    /// What a plan with `options` may change; `None` when it leaves flows out altogether (then
    /// not even the list is read).
    fn for_plan(options: &PlanOptions, desired: &ResourceSet) -> Option<Self> {
        if !options
            .kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&ResourceKind::Flow))
        {
            return None;
        }
        match &options.targets {
            Some(targets) => {
                let ids: BTreeSet<String> = targets
                    .iter()
                    .filter(|target| target.kind == ResourceKind::Flow)
                    .map(|target| target.id.clone())
                    .collect();
                (!ids.is_empty()).then_some(Self {
                    ids,
                    prunable: false,
                })
            }
            None => Some(Self {
                ids: desired.flows.iter().map(|flow| flow.id.clone()).collect(),
                prunable: options.prune,
            }),
        }
    }

    /// The flows a saved plan touches, for its freshness check.
    pub fn touched_by(plan: &Plan) -> Self {
        Self {
            ids: plan
                .changes
                .iter()
                .filter(|change| change.kind == ResourceKind::Flow)
                .map(|change| change.id.clone())
                .collect(),
            prunable: false,
        }
    }

    fn wants(&self, id: &str) -> bool {
        self.ids.contains(id) || (self.prunable && !DEFAULT_FLOW_IDS.contains(&id))
    }
}

/// The live state a command read.
#[derive(Debug)]
pub struct Live {
    pub actual: ResourceSet,
    /// Live flows listed but not read (see [`FlowReads`]), Descope's default flows left out: the
    /// flows the configuration does not name.
    pub unread_flows: Vec<String>,
    /// The built-in documents read (the theme, default flows the configuration declares or a
    /// prune reads) that `actual` leaves out because `desired` does not declare them: with
    /// `actual` they are the whole live state a backup holds ([`whole_live_state`]).
    pub documents: ResourceSet,
}

/// Reads the live state of the selected kinds: one list call per kind, and for flows the list
/// then the documents of `flows` (through the revision cache, a few exports at a time), all
/// concurrently; then the sign-in parts of the tenants that declare them.
///
/// SSO configurations the configuration does not name are copied into `desired` unless `prune`
/// (see `descope_mgmt_core::tenant_auth`).
pub async fn read_live(
    client: &DescopeClient,
    kinds: &[ResourceKind],
    desired: &mut ResourceSet,
    prune: bool,
    env: &str,
    flows: Option<&FlowReads>,
) -> Result<Live, CliError> {
    let mut live = read_live_state(client, kinds, desired, env, flows)
        .await
        .map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("cannot read the live state of `{env}`: {error}"),
            )
        })?;
    read_tenant_auth(client, desired, &mut live.actual, prune)
        .await
        .map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("cannot read the tenants' sign-in settings in `{env}`: {error}"),
            )
        })?;
    Ok(live)
}

/// The live state of `kinds` as the project returns it (one list call per kind; one call per
/// flow), built-ins included.
pub async fn read_raw(
    client: &DescopeClient,
    kinds: &[ResourceKind],
    env: &str,
) -> Result<ResourceSet, CliError> {
    read_actual_kinds(client, kinds).await.map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot read the live state of `{env}`: {error}"),
        )
    })
}

/// The planner's live state plus the built-in documents it left out.
pub fn whole_live_state(actual: ResourceSet, documents: ResourceSet) -> ResourceSet {
    let present: BTreeSet<ResourceRef> = actual.references().map(|(r, _)| r).collect();
    let mut whole = actual;
    for document in documents.iter_any() {
        if !present.contains(&document.reference()) {
            whole.push(document);
        }
    }
    whole
}

/// [`read_live`] with the port's error as it came.
pub async fn read_live_state(
    client: &DescopeClient,
    kinds: &[ResourceKind],
    desired: &ResourceSet,
    env: &str,
    flows: Option<&FlowReads>,
) -> PortResult<Live> {
    let others: Vec<ResourceKind> = kinds
        .iter()
        .copied()
        .filter(|kind| *kind != ResourceKind::Flow)
        .collect();
    let flows = flows.filter(|_| kinds.contains(&ResourceKind::Flow));
    let read_flows = async {
        let Some(reads) = flows else {
            return Ok(None);
        };
        let cache = FlowCache::new(&state_dir(), env).ok();
        read_live_flows(
            &client.flows(),
            |id| reads.wants(id),
            cache.as_ref(),
            EXPORT_CONCURRENCY,
        )
        .await
        .map(Some)
        .map_err(PortError::from)
    };
    let (actual, live_flows) = futures::join!(read_actual_kinds(client, &others), read_flows);
    let mut actual = actual?;
    let mut unread_flows = Vec::new();
    if let (Some(reads), Some(live_flows)) = (flows, live_flows?) {
        unread_flows = live_flows
            .listed
            .iter()
            .filter(|listed| !reads.wants(&listed.id))
            .filter(|listed| !DEFAULT_FLOW_IDS.contains(&listed.id.as_str()))
            .map(|listed| listed.id.clone())
            .collect();
        actual.flows = live_flows
            .documents
            .into_iter()
            .map(|(id, document)| Flow { id, document })
            .collect();
    }
    let documents = snapshot::documents_of(&actual);
    drop_system_defaults(&mut actual, desired);
    Ok(Live {
        actual,
        unread_flows,
        documents,
    })
}

/// desired → read → plan, for one connected environment.
pub async fn plan_env(
    config: &DescopeConfig,
    connected: &Connected,
    selection: &Selection,
) -> Result<Planned, CliError> {
    desired_of(config, connected, selection)
        .plan(connected, selection)
        .await
}

/// [`plan_env`] that drops the configuration once the desired state is built from it, before
/// the live state is read: a large configuration is not held next to both states and the plan.
pub async fn plan_env_owning(
    config: DescopeConfig,
    connected: &Connected,
    selection: &Selection,
) -> Result<Planned, CliError> {
    let desired = desired_of(&config, connected, selection);
    drop(config);
    desired.plan(connected, selection).await
}

/// What a plan of a configuration needs from it.
struct Desired {
    set: ResourceSet,
    /// The connection's client, able to write the configuration's SSO secrets.
    client: DescopeClient,
    options: PlanOptions,
}

impl Desired {
    async fn plan(self, connected: &Connected, selection: &Selection) -> Result<Planned, CliError> {
        plan_desired(
            self.set,
            connected,
            self.client,
            selection.kind_list(),
            selection.targets.as_ref(),
            self.options,
        )
        .await
    }
}

fn desired_of(config: &DescopeConfig, connected: &Connected, selection: &Selection) -> Desired {
    let mut set = desired_set(config, connected.env_name());
    if selection.rotate_secrets {
        mark_rotated_secrets(config, &mut set);
    }
    Desired {
        set,
        client: with_sso_configs(connected.client(), config),
        options: selection.options(config),
    }
}

/// read → plan for any desired state (the configuration's, a backup's) through `client` (the
/// connection's, able to write the configuration's SSO secrets): `named` are the resources the
/// user named with `--target`, each of which must exist on one side.
pub async fn plan_desired(
    mut desired: ResourceSet,
    connected: &Connected,
    client: DescopeClient,
    kinds: Vec<ResourceKind>,
    named: Option<&BTreeSet<ResourceRef>>,
    options: PlanOptions,
) -> Result<Planned, CliError> {
    let env = connected.env_name();
    let flow_reads = FlowReads::for_plan(&options, &desired);
    let live = read_live(
        &client,
        &kinds,
        &mut desired,
        options.prune,
        env,
        flow_reads.as_ref(),
    )
    .await?;
    let partial_kinds = live.partial_kinds();
    let Live {
        actual,
        unread_flows,
        documents,
    } = live;
    if let Some(missing) = named.into_iter().flatten().find(|target| {
        !desired
            .references()
            .chain(actual.references())
            .any(|(reference, _)| reference == **target)
    }) {
        // A mistyped target would otherwise select nothing and report "no changes".
        return Err(CliError::new(
            Exit::Usage,
            format!(
                "no such resource: {missing} (neither in the configuration nor live in `{env}`)"
            ),
        ));
    }
    let refused = refusals(&desired, &actual, &options);
    if !refused.is_empty() {
        return Err(CliError::new(
            Exit::Refused,
            format!("cannot plan `{env}`: {}", refused.join("; ")),
        ));
    }
    let mut plan = plan(&desired, &actual, &options);
    let read_requests = client.stats().requests;
    // Unread flows are exactly those the options leave to the list: not configured, not
    // targeted, not to be pruned. They are named like any live resource the configuration lacks.
    plan.unmanaged.extend(
        unread_flows
            .into_iter()
            .map(|id| ResourceRef::new(ResourceKind::Flow, id)),
    );
    plan.unmanaged.sort();
    Ok(Planned {
        env: env.to_owned(),
        protected: connected.env().protected(),
        plan,
        client,
        kinds,
        concurrency: connected.env().concurrency(),
        pacing: connected.env().pacing(),
        read_requests,
        live: whole_live_state(actual, documents),
        partial_kinds,
    })
}

/// The connection's client, able to write the SSO configurations of `config` (secrets included).
pub fn with_sso_configs(client: &DescopeClient, config: &DescopeConfig) -> DescopeClient {
    client.clone().with_sso_configs(
        config
            .tenants()
            .iter()
            .flat_map(|tenant| tenant.sso().iter().map(|sso| (tenant.id(), sso))),
    )
}

/// `--rotate-secrets`: every configured SSO configuration that has a secret carries the
/// "secret replaced" mark, so the plan shows it and apply sends the secret again.
fn mark_rotated_secrets(config: &DescopeConfig, desired: &mut ResourceSet) {
    for tenant in config.tenants() {
        let Some(wanted) = desired
            .tenants
            .iter_mut()
            .find(|wanted| wanted.id == tenant.id())
            .and_then(|wanted| wanted.sso.as_mut())
        else {
            continue;
        };
        for sso in tenant.sso().iter().filter(|sso| !sso.secrets.is_empty()) {
            if let Some(entry) = wanted.get_mut(&sso.key()) {
                entry.credentials = Some(SECRET_REPLACED.to_owned());
            }
        }
    }
}

/// load → connect → read → plan → `work` → close, for `--env`.
pub fn in_env<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(DescopeConfig, &Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let env = settings.one_env()?.as_str();
    let config = load_for_env(settings, env)?;
    crate::connect::runtime()?.block_on(crate::connect::with_connection_owning(config, env, work))
}

/// The resolved configuration of `env` and where each field came from (`--explain`); exit 3
/// after printing the diagnostics when the configuration is invalid.
pub fn explain(settings: &Settings, env: &str) -> Result<Explained, CliError> {
    load_for_env(settings, env)?;
    provenance::explain(&settings.config, env).map_err(|diagnostics| {
        settings.printer.diagnostics(&diagnostics);
        CliError::config_invalid(format!("{} is invalid", settings.config.display()))
    })
}

/// The prefix of the provenance paths of one resource: `tenants.acme-corp.`.
pub fn provenance_prefix(resource: &ResourceRef) -> String {
    format!("{}s.{}.", resource.kind, resource.id)
}
