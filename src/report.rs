//! The output contract: one typed, versioned report per `--format json|yaml` document and for the
//! `--report FILE` of a write run. Core's internal structs are converted into these, never
//! serialised as the public format, so a refactoring of core cannot change what CI parses.
//!
//! Every report starts with `format_version` ([`FORMAT_VERSION`]), bumped only on incompatible
//! changes. The types deny unknown fields, so the mirror tests that parse each command's output
//! into them fail on any unannounced change; `descope-mgmt schema output` prints their JSON
//! Schemas ([`output_schemas`]).

use std::collections::BTreeMap;

use descope_mgmt_core::apply::{ApplyStatus, Outcome, SkipReason};
use descope_mgmt_core::config::Diagnostic;
use descope_mgmt_core::config::load::provenance::FieldOrigin;
use descope_mgmt_core::plan::{Action, Change, Plan, ResourceRef};
use descope_mgmt_core::resource::Tenant;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of every JSON/YAML document on stdout and of `--report` files.
pub const FORMAT_VERSION: u64 = 1;

/// Declares report structs with the attributes every one of them shares.
macro_rules! report_types {
    ($($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* })*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
            #[serde(deny_unknown_fields)]
            pub struct $name { $($body)* }
        )*
    };
}

report_types! {
    /// `config validate`.
    pub struct ValidateReport {
        pub format_version: u64,
        pub config: String,
        /// The `--env` view validated (`all`: every view), if any.
        pub environment: Option<String>,
        pub valid: bool,
        pub errors: usize,
        pub warnings: usize,
        pub diagnostics: Vec<DiagnosticEntry>,
    }

    /// One problem in the configuration.
    pub struct DiagnosticEntry {
        /// `error` or `warning`.
        pub severity: String,
        pub file: String,
        pub line: usize,
        pub column: usize,
        /// Field path such as `tenants[3].domains[0]`; empty for whole-file problems.
        pub path: String,
        pub message: String,
        pub hint: Option<String>,
    }

    /// `env list`.
    pub struct EnvListReport {
        pub format_version: u64,
        pub environments: Vec<EnvironmentEntry>,
    }

    /// One environment; the management key only ever masked (`K2ab…`) or `(not set)`.
    pub struct EnvironmentEntry {
        pub name: String,
        /// `project` or `emulator`.
        pub kind: String,
        pub project_id: Option<String>,
        pub base_url: Option<String>,
        pub emulator_state: Option<String>,
        pub protected: bool,
        pub rate_limit: RateLimitEntry,
        pub management_key: Option<String>,
    }

    pub struct RateLimitEntry {
        pub requests: u32,
        pub per_seconds: u32,
    }

    /// `doctor`: `healthy` when every check passed (exit 0).
    pub struct DoctorReport {
        pub format_version: u64,
        pub healthy: bool,
        pub checks: Vec<CheckEntry>,
    }

    /// One check: `status` is `ok` or `FAIL`; a failure carries its `fix`.
    pub struct CheckEntry {
        /// The environment checked; none for checks of the checkout.
        pub env: Option<String>,
        pub check: String,
        pub status: String,
        pub detail: String,
        pub fix: Option<String>,
    }

    /// `flow list`.
    pub struct FlowListReport {
        pub format_version: u64,
        pub env: String,
        pub flows: Vec<FlowEntry>,
    }

    /// One flow of `flow list`.
    pub struct FlowEntry {
        pub id: String,
        pub name: String,
        pub disabled: bool,
    }

    /// `flow diff`: per flow, `unchanged`, `changed`, `layout_only` (canvas moves only, not a
    /// difference unless `--strict-layout`) or `missing` (not in the project: import creates it),
    /// with the structured diff (tasks, screens, references, layout) when there is one.
    pub struct FlowDiffReport {
        pub format_version: u64,
        pub env: String,
        pub flows: Vec<FlowDiffEntry>,
        /// API calls this command made (one list, plus one export per flow not cached).
        pub api_calls: u64,
    }

    pub struct FlowDiffEntry {
        pub id: String,
        pub status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub diff: Option<Value>,
    }

    /// `theme diff`: one entry per design token or component style that differs.
    pub struct ThemeDiffReport {
        pub format_version: u64,
        pub env: String,
        pub changes: Vec<ThemeChangeEntry>,
    }

    pub struct ThemeChangeEntry {
        pub field: String,
        pub before: Option<Value>,
        pub after: Option<Value>,
    }

    /// `tenant list`.
    pub struct TenantListReport {
        pub format_version: u64,
        pub env: String,
        pub tenants: Vec<TenantEntry>,
    }

    /// `tenant get`.
    pub struct TenantGetReport {
        pub format_version: u64,
        pub env: String,
        pub tenant: TenantEntry,
    }

    /// `tenant create`.
    pub struct TenantCreatedReport {
        pub format_version: u64,
        pub env: String,
        pub created: TenantEntry,
    }

    /// `tenant update`: `updated` is false when the tenant already was as requested.
    pub struct TenantUpdatedReport {
        pub format_version: u64,
        pub env: String,
        pub updated: bool,
        pub tenant: TenantEntry,
    }

    /// `export`.
    pub struct ExportReport {
        pub format_version: u64,
        pub env: String,
        /// The folder written to.
        pub out: String,
        /// Every file written, relative to `out`, in the order written.
        pub files: Vec<String>,
        /// Resources exported per kind.
        pub counts: BTreeMap<String, usize>,
    }

    /// `backup list`.
    pub struct BackupListReport {
        pub format_version: u64,
        pub env: String,
        /// Oldest first.
        pub backups: Vec<BackupSummary>,
    }

    /// One backup file: what it holds and what made it, or why it cannot be used.
    pub struct BackupSummary {
        /// What `backup show` and `backup restore` take.
        pub id: String,
        pub env: String,
        pub path: String,
        pub created_at: Option<String>,
        pub project_id: Option<String>,
        pub run: Option<BackupRunEntry>,
        /// The kinds whose whole live state the backup holds.
        pub kinds: Vec<String>,
        /// Resources per kind.
        pub counts: BTreeMap<String, usize>,
        /// Set when the file cannot be used (another format version, not a backup).
        pub error: Option<String>,
    }

    /// The run that made a backup.
    pub struct BackupRunEntry {
        /// Its command line (never a key: keys come from the configuration).
        pub command: String,
        pub user: String,
        pub git_commit: Option<String>,
    }

    /// `backup create`.
    pub struct BackupCreatedReport {
        pub format_version: u64,
        pub backup: BackupSummary,
        pub id: String,
    }

    /// `backup show`: the backup document itself (format version 2 of the backup file).
    pub struct BackupShowReport {
        pub format_version: u64,
        pub id: String,
        pub backup: Value,
    }

    /// `tenant delete`.
    pub struct TenantDeletedReport {
        pub format_version: u64,
        pub env: String,
        pub deleted: String,
    }

    /// A tenant as the list/get/create/update commands show it.
    pub struct TenantEntry {
        pub id: String,
        pub name: String,
        pub domains: Vec<String>,
        pub self_provisioning: bool,
        pub custom_attributes: BTreeMap<String, Value>,
        pub enforce_sso: bool,
        pub disabled: bool,
        pub default_roles: Vec<String>,
    }

    /// `role list`.
    pub struct RoleListReport {
        pub format_version: u64,
        pub env: String,
        pub roles: Vec<RoleEntry>,
    }

    pub struct RoleEntry {
        pub name: String,
        pub description: String,
        pub permissions: Vec<String>,
        pub default: bool,
        pub private: bool,
        /// Made by Descope (the wire's `systemDefault`): never pruned, never reported as drift.
        pub built_in: bool,
    }

    /// `permission list`.
    pub struct PermissionListReport {
        pub format_version: u64,
        pub env: String,
        pub permissions: Vec<PermissionEntry>,
    }

    pub struct PermissionEntry {
        pub name: String,
        pub description: String,
        pub built_in: bool,
    }

    /// `plan`, `drift` and the `diff` subcommands, for one environment.
    pub struct PlanReport {
        pub format_version: u64,
        pub env: String,
        pub plan: PlanEntry,
        pub summary: SummaryEntry,
        pub calls: CallsEntry,
        /// With `plan --explain`: where each value of the created and updated resources came
        /// from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub explain: Option<Vec<ProvenanceEntry>>,
    }

    /// `config show`: an environment's resolved configuration, or one resource of it.
    pub struct ConfigShowReport {
        pub format_version: u64,
        pub env: String,
        pub config: Value,
    }

    /// `config show --explain`: each field of the resolved configuration and its origin.
    pub struct ConfigExplainReport {
        pub format_version: u64,
        pub env: String,
        pub fields: Vec<ProvenanceEntry>,
    }

    /// One field's final value and where it came from.
    pub struct ProvenanceEntry {
        /// Resources by identity: `tenants.acme-corp.custom_attributes.tier`.
        pub path: String,
        /// Secrets masked.
        pub value: Value,
        /// `base`, `overlay`, `template`, `variable` or `default`.
        pub origin: String,
        /// The template the value came from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub template: Option<String>,
        /// The `${VAR}`s the value was made from.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub variables: Vec<String>,
        pub file: String,
        pub line: usize,
        pub column: usize,
    }

    /// `apply` and the `sync` subcommands: the plan, then what the run did (absent for a dry run).
    pub struct ApplyReport {
        pub format_version: u64,
        pub env: String,
        pub plan: PlanEntry,
        pub summary: SummaryEntry,
        pub calls: CallsEntry,
        pub dry_run: bool,
        pub result: Option<RunReport>,
    }

    /// `diff --from A --to B`: every resource that is not the same in both environments.
    pub struct EnvDiffReport {
        pub format_version: u64,
        /// The two sides as given: an environment (`dev`) or a configuration (`config:dev`).
        pub from: String,
        pub to: String,
        pub differences: Vec<EnvDifferenceEntry>,
        pub summary: EnvDiffSummary,
    }

    /// One resource that differs, matched by identity (tenant id, role and permission name,
    /// flow id, the theme).
    pub struct EnvDifferenceEntry {
        pub kind: String,
        pub id: String,
        /// `only_in_from`, `only_in_to` or `different`.
        pub status: String,
        /// For `different`: the fields that differ (flows by task and screen, themes by token).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub fields: Vec<EnvFieldEntry>,
    }

    /// A field's value on each side.
    pub struct EnvFieldEntry {
        pub field: String,
        pub from: Value,
        pub to: Value,
    }

    /// Counts of [`EnvDiffReport`].
    pub struct EnvDiffSummary {
        pub only_in_from: usize,
        pub only_in_to: usize,
        pub different: usize,
        pub equal: usize,
    }

    /// `plan`, `drift` and `diff` with `--env all`: one entry per environment.
    pub struct MatrixReport {
        pub format_version: u64,
        pub environments: Vec<MatrixEntry>,
    }

    /// One environment of the matrix: its plan when `status` is `ok`, else the `reason`.
    pub struct MatrixEntry {
        pub env: String,
        /// `ok`, `skipped` (no credentials configured) or `error`.
        pub status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub plan: Option<PlanEntry>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub summary: Option<SummaryEntry>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub calls: Option<CallsEntry>,
    }

    /// The changes that would make one environment match the configuration.
    pub struct PlanEntry {
        /// Made with `--prune`: only then may it contain deletes.
        pub prune: bool,
        /// The `--target`s it is limited to, when any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub targets: Option<Vec<ResourceEntry>>,
        pub changes: Vec<ChangeEntry>,
        /// Live resources the configuration does not name (deleted only with `--prune`).
        pub unmanaged: Vec<ResourceEntry>,
        /// Flows whose canvas positions alone differ: not changes unless `--strict-layout`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub layout_only: Vec<ResourceEntry>,
    }

    /// One resource: its kind (`tenant`, `role`, `permission`, …) and identity.
    pub struct ResourceEntry {
        pub kind: String,
        pub id: String,
    }

    /// One resource's change. `before` is the live state (absent for a create), `after` the
    /// desired state (absent for a delete): objects whose fields depend on the kind.
    pub struct ChangeEntry {
        pub kind: String,
        pub id: String,
        pub action: ActionName,
        /// For an update: the fields that change.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub fields: Vec<FieldEntry>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub before: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub after: Option<Value>,
    }

    pub struct FieldEntry {
        pub field: String,
        pub before: Value,
        pub after: Value,
    }

    /// Counts per action.
    pub struct SummaryEntry {
        pub create: usize,
        pub update: usize,
        pub delete: usize,
        pub unchanged: usize,
        /// Live resources the configuration does not name.
        pub unmanaged: usize,
    }

    /// The API calls of a plan: those it made to read the live state, and those applying it
    /// takes, in calls and in time under the environment's rate limit.
    pub struct CallsEntry {
        /// HTTP requests the plan sent to read the live state.
        pub read: u64,
        /// Calls applying the plan takes when nothing fails and nothing moved since: one per
        /// change (two for a tenant whose default roles are set), one per role or permission
        /// batch.
        pub apply: u64,
        /// What those calls cost of the rate limit: `apply × per_seconds / requests`, in
        /// seconds (a run can be quicker while the limiter's burst lasts). Absent when the
        /// environment is not paced.
        pub apply_seconds: Option<f64>,
        /// The environment's pace; absent when it is not paced.
        pub rate_limit: Option<RateLimitEntry>,
    }

    /// What a write run did: the `--report FILE` document, and `result` in `apply`'s JSON.
    pub struct RunReport {
        pub format_version: u64,
        pub env: String,
        /// `success`, `partial` (exit 5) or `interrupted` (exit 130).
        pub status: String,
        pub created: usize,
        pub updated: usize,
        pub deleted: usize,
        pub unchanged: usize,
        pub failed: usize,
        pub skipped: usize,
        pub api: ApiEntry,
        /// Wall-clock time of the whole command.
        pub wall_ms: u64,
        /// The backup of the touched live state, when anything was written.
        pub backup: Option<String>,
        pub results: Vec<ResultEntry>,
    }

    /// API calls of the run.
    pub struct ApiEntry {
        /// Calls the run asked for, each counted once however many attempts it took.
        pub calls: u64,
        /// HTTP requests of the whole run, reads, retries and re-checks included.
        pub requests: u64,
        /// Requests sent to read the live state before applying.
        pub read_requests: u64,
        /// Requests sent while applying.
        pub write_requests: u64,
        /// The calls applying the plan takes when nothing fails: `write_requests` above it
        /// means retries, refused batches sent again one by one, or convergence reads.
        pub minimum_write_calls: u64,
        pub retries: u64,
        pub rate_limited: u64,
        /// Wall-clock time during which at least one call waited on the rate limiter.
        pub limiter_wait_ms: u64,
    }

    /// One change of the run and its outcome.
    pub struct ResultEntry {
        pub kind: String,
        pub id: String,
        pub action: ActionName,
        pub outcome: OutcomeEntry,
    }

    /// `status` is `succeeded` (with an optional `note`), `failed` (with `message` and `error`)
    /// or `skipped` (with `reason`).
    pub struct OutcomeEntry {
        pub status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub message: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub error: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reason: Option<String>,
    }
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl From<Action> for ActionName {
    fn from(action: Action) -> Self {
        match action {
            Action::Create => Self::Create,
            Action::Update => Self::Update,
            Action::Delete => Self::Delete,
            Action::Unchanged => Self::Unchanged,
        }
    }
}

impl From<&Diagnostic> for DiagnosticEntry {
    fn from(diagnostic: &Diagnostic) -> Self {
        Self {
            severity: diagnostic.severity.to_string(),
            file: diagnostic.file.display().to_string(),
            line: diagnostic.position.line as usize,
            column: diagnostic.position.column as usize,
            path: diagnostic.path.clone(),
            message: diagnostic.message.clone(),
            hint: diagnostic.hint.clone(),
        }
    }
}

impl From<&Tenant> for TenantEntry {
    fn from(tenant: &Tenant) -> Self {
        Self {
            id: tenant.id.clone(),
            name: tenant.name.clone(),
            domains: tenant.self_provisioning_domains.clone(),
            self_provisioning: !tenant.self_provisioning_domains.is_empty(),
            custom_attributes: tenant
                .custom_attributes
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            enforce_sso: tenant.enforce_sso,
            disabled: tenant.disabled,
            default_roles: tenant.default_roles.clone(),
        }
    }
}

impl From<&ResourceRef> for ResourceEntry {
    fn from(reference: &ResourceRef) -> Self {
        Self {
            kind: reference.kind.to_string(),
            id: reference.id.clone(),
        }
    }
}

impl From<&Change> for ChangeEntry {
    fn from(change: &Change) -> Self {
        let state = |resource: &Option<descope_mgmt_core::plan::AnyResource>| {
            resource.as_ref().map(|resource| resource.state_json())
        };
        Self {
            kind: change.kind.to_string(),
            id: change.id.clone(),
            action: change.action.into(),
            fields: change
                .fields
                .iter()
                .map(|field| FieldEntry {
                    field: field.field.clone(),
                    before: field.before.clone(),
                    after: field.after.clone(),
                })
                .collect(),
            before: state(&change.before),
            after: state(&change.after),
        }
    }
}

impl From<&Plan> for PlanEntry {
    fn from(plan: &Plan) -> Self {
        Self {
            prune: plan.prune,
            targets: plan
                .targets
                .as_ref()
                .map(|targets| targets.iter().map(ResourceEntry::from).collect()),
            changes: plan.changes.iter().map(ChangeEntry::from).collect(),
            unmanaged: plan.unmanaged.iter().map(ResourceEntry::from).collect(),
            layout_only: plan.layout_only.iter().map(ResourceEntry::from).collect(),
        }
    }
}

impl From<&Plan> for SummaryEntry {
    fn from(plan: &Plan) -> Self {
        let summary = plan.summary();
        Self {
            create: summary.create,
            update: summary.update,
            delete: summary.delete,
            unchanged: summary.unchanged,
            unmanaged: summary.unmanaged,
        }
    }
}

impl PlanReport {
    pub fn new(env: &str, plan: &Plan, calls: CallsEntry) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            env: env.to_owned(),
            plan: plan.into(),
            summary: plan.into(),
            calls,
            explain: None,
        }
    }
}

/// A [`PlanReport`] as it is written: each change becomes its [`ChangeEntry`] only while it is
/// written, so a 100,000-tenant plan never holds every live and desired state as JSON values at
/// once (300 MB of them). Serialises exactly as the `PlanReport` it stands for; a test holds
/// the two to the same JSON.
#[derive(Debug, Serialize)]
pub struct PlanReportOut<'a> {
    format_version: u64,
    env: &'a str,
    plan: PlanEntryOut<'a>,
    summary: SummaryEntry,
    calls: CallsEntry,
}

#[derive(Debug, Serialize)]
struct PlanEntryOut<'a> {
    prune: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    targets: Option<Vec<ResourceEntry>>,
    changes: ChangesOut<'a>,
    unmanaged: Vec<ResourceEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    layout_only: Vec<ResourceEntry>,
}

#[derive(Debug)]
struct ChangesOut<'a>(&'a [Change]);

impl Serialize for ChangesOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut changes = serializer.serialize_seq(Some(self.0.len()))?;
        for change in self.0 {
            changes.serialize_element(&ChangeEntry::from(change))?;
        }
        changes.end()
    }
}

impl<'a> PlanReportOut<'a> {
    pub fn new(env: &'a str, plan: &'a Plan, calls: CallsEntry) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            env,
            plan: PlanEntryOut {
                prune: plan.prune,
                targets: plan
                    .targets
                    .as_ref()
                    .map(|targets| targets.iter().map(ResourceEntry::from).collect()),
                changes: ChangesOut(&plan.changes),
                unmanaged: plan.unmanaged.iter().map(ResourceEntry::from).collect(),
                layout_only: plan.layout_only.iter().map(ResourceEntry::from).collect(),
            },
            summary: plan.into(),
            calls,
        }
    }
}

impl CallsEntry {
    /// `API: 3 calls to read; applying takes ≈ 29 calls, about 9 s at 200 per 60 s`.
    pub fn text(&self) -> String {
        let cost = match (self.apply, &self.rate_limit, self.apply_seconds) {
            (0, _, _) => "applying makes no call".to_owned(),
            (calls, Some(limit), Some(seconds)) => format!(
                "applying takes ≈ {calls} {}, {} at {} per {} s",
                plural(calls, "call"),
                if seconds < 1.0 {
                    "under 1 s".to_owned()
                } else {
                    format!("about {} s", seconds.round())
                },
                limit.requests,
                limit.per_seconds
            ),
            (calls, _, _) => format!(
                "applying takes ≈ {calls} {} (not paced)",
                plural(calls, "call")
            ),
        };
        format!(
            "API: {} {} to read; {cost}",
            self.read,
            plural(self.read, "call")
        )
    }
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

impl From<&FieldOrigin> for ProvenanceEntry {
    fn from(field: &FieldOrigin) -> Self {
        Self {
            path: field.path.clone(),
            value: field.value.clone(),
            origin: field.origin.as_str().to_owned(),
            template: field.template.clone(),
            variables: field.variables.clone(),
            file: field.file.clone(),
            line: field.line,
            column: field.column,
        }
    }
}

impl ProvenanceEntry {
    /// `path = value  origin  file:line:col`, one line of the human form.
    pub fn line(&self) -> String {
        let mut origin = self.origin.clone();
        if let Some(template) = &self.template {
            origin = format!("{origin} {template}");
        }
        if !self.variables.is_empty() {
            let names: Vec<String> = self.variables.iter().map(|v| format!("${{{v}}}")).collect();
            origin = format!("{origin} {}", names.join(" "));
        }
        format!(
            "{} = {}  [{origin}]  {}:{}:{}",
            self.path, self.value, self.file, self.line, self.column
        )
    }
}

impl ApplyReport {
    pub fn new(env: &str, plan: &Plan, calls: CallsEntry, result: Option<RunReport>) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            env: env.to_owned(),
            plan: plan.into(),
            summary: plan.into(),
            calls,
            dry_run: result.is_none(),
            result,
        }
    }
}

impl EnvDiffReport {
    /// The differences of `plan`, made with the `to` side as the desired state and the `from`
    /// side as the live one: what it would create is only in `to`, what it would delete only in
    /// `from`.
    pub fn new(from: &str, to: &str, plan: &Plan) -> Self {
        let mut summary = EnvDiffSummary {
            only_in_from: 0,
            only_in_to: 0,
            different: 0,
            equal: 0,
        };
        let mut differences = Vec::new();
        for change in &plan.changes {
            let status = match change.action {
                Action::Create => {
                    summary.only_in_to += 1;
                    "only_in_to"
                }
                Action::Delete => {
                    summary.only_in_from += 1;
                    "only_in_from"
                }
                Action::Update => {
                    summary.different += 1;
                    "different"
                }
                Action::Unchanged => {
                    summary.equal += 1;
                    continue;
                }
            };
            differences.push(EnvDifferenceEntry {
                kind: change.kind.to_string(),
                id: change.id.clone(),
                status: status.to_owned(),
                fields: change
                    .fields
                    .iter()
                    .map(|field| EnvFieldEntry {
                        field: field.field.clone(),
                        from: field.before.clone(),
                        to: field.after.clone(),
                    })
                    .collect(),
            });
        }
        Self {
            format_version: FORMAT_VERSION,
            from: from.to_owned(),
            to: to.to_owned(),
            differences,
            summary,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }
}

/// The snake_case name serde gives a unit-like enum value.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

pub fn status_name(status: ApplyStatus) -> String {
    serde_name(&status)
}

impl From<&Outcome> for OutcomeEntry {
    fn from(outcome: &Outcome) -> Self {
        let empty = Self {
            status: String::new(),
            note: None,
            message: None,
            error: None,
            reason: None,
        };
        match outcome {
            Outcome::Succeeded { note } => Self {
                status: "succeeded".to_owned(),
                note: note.clone(),
                ..empty
            },
            Outcome::Failed { message, error } => Self {
                status: "failed".to_owned(),
                message: Some(message.clone()),
                error: Some(serde_name(error)),
                ..empty
            },
            Outcome::Skipped { reason } => Self {
                status: "skipped".to_owned(),
                reason: Some(skip_reason_text(reason)),
                ..empty
            },
        }
    }
}

/// A skip reason in words ("cancelled", "dependency role:viewer was not applied").
pub fn skip_reason_text(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Cancelled => "cancelled before it started".to_owned(),
        SkipReason::DependencyFailed { dependency } => {
            format!("dependency {dependency} was not applied")
        }
        SkipReason::ServerUnreachable { first_failure } => format!(
            "not attempted: the server stopped answering (first at {first_failure}); rerun apply once it is back"
        ),
    }
}

/// The JSON Schema of every report, keyed by the command that writes it.
pub fn output_schemas() -> Value {
    let schema = |generated: schemars::Schema| generated.to_value();
    let reports: Vec<(&str, Value)> = vec![
        (
            "config validate",
            schema(schemars::schema_for!(ValidateReport)),
        ),
        ("env list", schema(schemars::schema_for!(EnvListReport))),
        ("doctor", schema(schemars::schema_for!(DoctorReport))),
        ("plan", schema(schemars::schema_for!(PlanReport))),
        (
            "config show",
            schema(schemars::schema_for!(ConfigShowReport)),
        ),
        (
            "config show --explain",
            schema(schemars::schema_for!(ConfigExplainReport)),
        ),
        ("drift", schema(schemars::schema_for!(PlanReport))),
        ("<kind> diff", schema(schemars::schema_for!(PlanReport))),
        (
            "plan --env all",
            schema(schemars::schema_for!(MatrixReport)),
        ),
        (
            "drift --env all",
            schema(schemars::schema_for!(MatrixReport)),
        ),
        (
            "<kind> diff --env all",
            schema(schemars::schema_for!(MatrixReport)),
        ),
        ("apply", schema(schemars::schema_for!(ApplyReport))),
        ("diff", schema(schemars::schema_for!(EnvDiffReport))),
        ("promote", schema(schemars::schema_for!(ApplyReport))),
        ("<kind> sync", schema(schemars::schema_for!(ApplyReport))),
        ("apply --report", schema(schemars::schema_for!(RunReport))),
        ("flow list", schema(schemars::schema_for!(FlowListReport))),
        ("flow diff", schema(schemars::schema_for!(FlowDiffReport))),
        ("theme diff", schema(schemars::schema_for!(ThemeDiffReport))),
        (
            "tenant list",
            schema(schemars::schema_for!(TenantListReport)),
        ),
        ("tenant get", schema(schemars::schema_for!(TenantGetReport))),
        (
            "tenant create",
            schema(schemars::schema_for!(TenantCreatedReport)),
        ),
        (
            "tenant update",
            schema(schemars::schema_for!(TenantUpdatedReport)),
        ),
        (
            "tenant delete",
            schema(schemars::schema_for!(TenantDeletedReport)),
        ),
        ("role list", schema(schemars::schema_for!(RoleListReport))),
        ("export", schema(schemars::schema_for!(ExportReport))),
        (
            "backup list",
            schema(schemars::schema_for!(BackupListReport)),
        ),
        (
            "backup create",
            schema(schemars::schema_for!(BackupCreatedReport)),
        ),
        (
            "backup show",
            schema(schemars::schema_for!(BackupShowReport)),
        ),
        ("backup restore", schema(schemars::schema_for!(ApplyReport))),
        (
            "permission list",
            schema(schemars::schema_for!(PermissionListReport)),
        ),
    ];
    let mut map = serde_json::Map::new();
    map.insert("format_version".to_owned(), FORMAT_VERSION.into());
    map.insert(
        "reports".to_owned(),
        Value::Object(
            reports
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        ),
    );
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_report_written_as_it_goes_is_the_plan_report() {
        use descope_mgmt_core::plan::{PlanOptions, ResourceKind, ResourceSet, plan};
        use descope_mgmt_core::resource::Resource as _;
        let tenant = |id: &str, name: &str| {
            Tenant {
                id: id.into(),
                name: name.into(),
                self_provisioning_domains: vec![format!("{id}.example.com")],
                ..Tenant::default()
            }
            .into_any()
        };
        let desired: ResourceSet = [tenant("a", "A"), tenant("b", "B2"), tenant("c", "C")]
            .into_iter()
            .collect();
        let actual: ResourceSet = [tenant("b", "B"), tenant("c", "C"), tenant("d", "D")]
            .into_iter()
            .collect();
        let targeted = [
            ResourceRef::new(ResourceKind::Tenant, "b"),
            ResourceRef::new(ResourceKind::Tenant, "d"),
        ];
        for (prune, targets) in [
            (false, None),
            (true, None),
            (true, Some(targeted.into_iter().collect())),
        ] {
            let options = PlanOptions {
                prune,
                targets,
                ..PlanOptions::default()
            };
            let plan = plan(&desired, &actual, &options);
            assert!(!plan.changes.is_empty());
            let whole = PlanReport::new("dev", &plan, calls(3, Some((200, 60))));
            let written = PlanReportOut::new("dev", &plan, calls(3, Some((200, 60))));
            assert_eq!(
                serde_json::to_string_pretty(&written).unwrap(),
                serde_json::to_string_pretty(&whole).unwrap()
            );
        }
    }

    fn calls(apply: u64, rate_limit: Option<(u32, u32)>) -> CallsEntry {
        CallsEntry {
            read: 5,
            apply,
            apply_seconds: rate_limit.map(|(requests, per_seconds)| {
                apply as f64 * f64::from(per_seconds) / f64::from(requests)
            }),
            rate_limit: rate_limit.map(|(requests, per_seconds)| RateLimitEntry {
                requests,
                per_seconds,
            }),
        }
    }

    #[test]
    fn the_cost_line_names_calls_and_time_at_the_pace_or_says_it_is_unpaced() {
        assert_eq!(
            calls(29, Some((200, 60))).text(),
            "API: 5 calls to read; applying takes ≈ 29 calls, about 9 s at 200 per 60 s"
        );
        assert_eq!(
            calls(1, Some((200, 60))).text(),
            "API: 5 calls to read; applying takes ≈ 1 call, under 1 s at 200 per 60 s"
        );
        assert_eq!(
            calls(29, None).text(),
            "API: 5 calls to read; applying takes ≈ 29 calls (not paced)"
        );
        assert_eq!(
            calls(0, None).text(),
            "API: 5 calls to read; applying makes no call"
        );
    }
}
