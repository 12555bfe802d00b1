//! Command-line arguments (clap derive). Global flags are `global = true` so they work before
//! or after the subcommand (`descope-mgmt --env prod config validate` and
//! `descope-mgmt config validate --env prod` mean the same).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use descope_mgmt_core::config::selector::Selector;
use descope_mgmt_core::plan::ResourceRef;

use crate::env_vars;

#[derive(Debug, Parser)]
#[command(
    name = "descope-mgmt",
    version,
    about = "Manage Descope tenants, roles, permissions, flows and themes as code, across environments",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Configuration file; relative paths inside it resolve from its directory.
    #[arg(
        short = 'c',
        long,
        env = env_vars::DESCOPE_MGMT_CONFIG,
        default_value = "config/descope.yaml",
        global = true
    )]
    pub config: PathBuf,

    /// Environment to work on (a name under `environments`; `all` where a command says so).
    #[arg(short = 'e', long = "env", env = env_vars::DESCOPE_MGMT_ENV, global = true)]
    pub env: Option<String>,

    /// Output format of data on stdout (`markdown`: plan, drift and diff, for a PR comment).
    #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
    pub format: Format,

    /// Plans: one line per change, without the fields of creates and deletes.
    #[arg(long, global = true)]
    pub compact: bool,

    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short = 'v', long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// When to use colors.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Never draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Answer yes to confirmations (needed for protected environments without a TTY).
    #[arg(long, global = true)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Yaml,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check and describe the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Environments of the configuration.
    #[command(subcommand)]
    Env(EnvCommand),
    /// Tenants of one environment's project.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Project-level roles of one environment's project.
    #[command(subcommand)]
    Role(RoleCommand),
    /// Permissions of one environment's project.
    #[command(subcommand)]
    Permission(PermissionCommand),
    /// Flows of one environment's project: list, export, import, and diff against the files.
    #[command(subcommand)]
    Flow(FlowCommand),
    /// The project theme: export, and diff against the file.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Show what `apply` with the same flags would change, for every kind (tenants, roles,
    /// permissions, flows, the theme).
    Plan(PlanArgs),
    /// Make the live state match the configuration, or apply a saved plan.
    Apply(ApplyArgs),
    /// Show every difference between the configuration and the live project, live resources the
    /// configuration does not name included; exit 2 on any.
    Drift(DriftArgs),
    /// Compare two environments for every kind: live projects, or `config:ENV` for what the
    /// configuration wants there; exit 2 on any difference, 0 when they are equal.
    Diff(EnvDiffArgs),
    /// Copy live resources of one environment into another, through the target's plan and
    /// guards (protected confirmation, lock, backup, audit); nothing is deleted without --prune.
    Promote(PromoteArgs),
    /// Write the live project as a configuration (descope.yaml, flows and theme as JSON) that
    /// plans empty against it.
    Export(ExportArgs),
    /// Backups of the live project: list them, take one, show one, restore one.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Check that the configuration, credentials, network and local state are ready; a fix for
    /// each failure (every environment unless --env names one).
    Doctor,
    /// Print the JSON Schemas of what the tool writes (`schema output`).
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Print a shell completion script to stdout.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout, or write one page per command with --out.
    #[command(hide = true)]
    Man(ManArgs),
}

/// `plan`: takes the selection flags of `apply`, so it shows what `apply` with them would do.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Save the plan to this file for `apply PLANFILE`.
    #[arg(long, value_name = "PLANFILE")]
    pub out: Option<PathBuf>,
    /// Include the deletions `apply --prune` would make.
    #[arg(long)]
    pub prune: bool,
    /// Only these resources (repeatable), e.g. `tenant:acme-corp`.
    #[arg(long, value_name = "KIND:ID")]
    pub target: Vec<ResourceRef>,
    /// Only the configured tenants this expression selects, e.g. `tier=enterprise`,
    /// `region in (eu,uk)`, `template=starter`, `!disabled` (terms joined by `,` must all hold).
    /// Other kinds are left out (role and permission commands refuse it), and nothing outside
    /// the selection is changed or pruned.
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
    /// Count canvas moves (a flow's task positions) as changes.
    #[arg(long)]
    pub strict_layout: bool,
    /// Exit 2 when changes are pending, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// After the plan, where each planned value came from (as `config show --explain`).
    #[arg(long)]
    pub explain: bool,
    /// Send every configured SSO secret again (`client_secret`), although the API cannot show
    /// whether it changed; the plan shows "secret replaced", never the value.
    #[arg(long)]
    pub rotate_secrets: bool,
}

/// `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `plan --out`; refused (exit 4) when the live state changed since.
    #[arg(
        value_name = "PLANFILE",
        conflicts_with_all = ["prune", "target", "selector", "strict_layout", "rotate_secrets"]
    )]
    pub planfile: Option<PathBuf>,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Delete live resources that the configuration does not name.
    #[arg(long)]
    pub prune: bool,
    /// Only these resources (repeatable), e.g. `tenant:acme-corp`.
    #[arg(long, value_name = "KIND:ID")]
    pub target: Vec<ResourceRef>,
    /// Only the configured tenants this expression selects, e.g. `tier=enterprise`,
    /// `region in (eu,uk)`, `template=starter`, `!disabled` (terms joined by `,` must all hold).
    /// Other kinds are left out (role and permission commands refuse it), and nothing outside
    /// the selection is changed or pruned.
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
    /// Count canvas moves (a flow's task positions) as changes.
    #[arg(long)]
    pub strict_layout: bool,
    /// Send every configured SSO secret again (`client_secret`), although the API cannot show
    /// whether it changed; the plan shows "secret replaced", never the value.
    #[arg(long)]
    pub rotate_secrets: bool,
}

/// Flags shared by `apply` and the `sync` subcommands.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Print what would be done; send no write at all.
    #[arg(long)]
    pub dry_run: bool,
    /// Allow deletions in a protected environment.
    #[arg(long)]
    pub allow_delete: bool,
    /// Refuse to delete more resources than this.
    #[arg(long, value_name = "N", default_value_t = descope_mgmt_core::safety::DEFAULT_MAX_DELETES)]
    pub max_deletes: usize,
    /// Write the run summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Changes in flight at once [default: the environment's `concurrency`, else what its rate
    /// limit grants per second, 1 to 32]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write into (created if missing; refused when not empty unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only these kinds, comma-separated, e.g. `role,permission` [default: every kind].
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub kinds: Vec<descope_mgmt_core::plan::ResourceKind>,
    /// Write into a folder that is not empty, overwriting the files an export writes.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// List the environment's backups, oldest first: when, the run that made them, kinds and
    /// counts (no call to the project).
    List,
    /// Back up the whole live project of the environment now, without applying anything.
    Create,
    /// Show what one backup holds (`--format json`: the whole document).
    Show {
        /// A backup id from `backup list` (with --env, looked up in that environment only).
        id: String,
    },
    /// Plan with a backup as the desired state and apply it under the guards of `apply`.
    Restore(RestoreArgs),
}

/// `backup restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup id from `backup list --env ENV`.
    pub id: String,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Also delete what was created, in the kinds the backup holds, since it was taken.
    #[arg(long)]
    pub prune: bool,
}

/// `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Only these resources (repeatable), e.g. `tenant:acme-corp`.
    #[arg(long, value_name = "KIND:ID")]
    pub target: Vec<ResourceRef>,
    /// Only the configured tenants this expression selects, e.g. `tier=enterprise`,
    /// `region in (eu,uk)`, `template=starter`, `!disabled` (terms joined by `,` must all hold).
    /// Other kinds are left out (role and permission commands refuse it), and nothing outside
    /// the selection is changed or pruned.
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
    /// Count canvas moves (a flow's task positions) as changes.
    #[arg(long)]
    pub strict_layout: bool,
}

/// `diff --from ENV --to ENV`.
#[derive(Debug, Args)]
pub struct EnvDiffArgs {
    /// The environment compared from: a live project (`dev`) or a configuration
    /// (`config:dev`).
    #[arg(long, value_name = "ENV|config:ENV")]
    pub from: String,
    /// The environment compared to, in the same forms.
    #[arg(long, value_name = "ENV|config:ENV")]
    pub to: String,
    /// Only these resources (repeatable), e.g. `tenant:acme-corp`.
    #[arg(long, value_name = "KIND:ID")]
    pub target: Vec<ResourceRef>,
    /// Only the tenants this expression selects in the configuration of the --from
    /// environment, e.g. `tier=enterprise`; other kinds are left out (as on `plan`).
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
}

/// `promote --from ENV --to ENV [KIND:ID...]`.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The environment whose live resources are copied.
    #[arg(long, value_name = "ENV")]
    pub from: String,
    /// The environment they are copied into.
    #[arg(long, value_name = "ENV")]
    pub to: String,
    /// Only these resources (default: every resource of every kind), e.g. `flow:sign-in`.
    #[arg(value_name = "KIND:ID")]
    pub resources: Vec<ResourceRef>,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Also delete what the target has and the source does not.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration (all problems at once); with --env, that environment's view
    /// (its overlay merged, only its resources).
    Validate,
    /// Print an environment's fully resolved configuration (templates, overlay and variables
    /// applied, defaults filled in, management keys masked), or one resource of it.
    Show(ConfigShowArgs),
    /// Print the JSON Schema of the configuration file.
    Schema,
}

/// `config show`.
#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// Only this resource, e.g. `tenant:acme-corp`.
    #[arg(value_name = "KIND:ID")]
    pub resource: Option<ResourceRef>,
    /// Each field's final value and where it came from: base file, overlay, template, `${VAR}`
    /// or default, with file:line:col.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// JSON Schemas of every `--format json` document and of the `--report` file, by command.
    Output,
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// List environments (management keys masked).
    List,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// List the environment's tenants (one API call), sorted by id.
    List {
        /// Order of the rows.
        #[arg(long, value_enum, default_value_t = TenantSort::Id)]
        sort: TenantSort,
    },
    /// Show one tenant.
    Get {
        /// Tenant id.
        id: String,
    },
    /// Create a tenant (checked with the same rules as the configuration).
    Create(TenantCreateArgs),
    /// Change fields of a tenant (loads it, applies the changes, writes it back in full).
    Update(TenantUpdateArgs),
    /// Delete a tenant (a protected environment asks for confirmation).
    Delete {
        /// Tenant id.
        id: String,
    },
    /// Show every difference between the configuration's tenants and the live ones (drift for
    /// tenants only); exit 2 on any with --detailed-exitcode.
    Diff(SyncDiffArgs),
    /// Make the environment's tenants match the configuration.
    Sync(SyncArgs),
}

/// Orders of `tenant list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TenantSort {
    Id,
    Name,
}

/// Orders of `role list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleSort {
    Name,
    Description,
}

/// Orders of `permission list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PermissionSort {
    Name,
    Description,
}

#[derive(Debug, Args)]
pub struct TenantCreateArgs {
    /// Tenant id: lowercase letters, digits and hyphens, 3-50 characters.
    #[arg(long)]
    pub id: String,
    /// Display name, 1-100 characters.
    #[arg(long)]
    pub name: String,
    /// Self-provisioning domain (repeatable); effective only with --self-provisioning.
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// Let users of the domains join the tenant on their own.
    #[arg(long)]
    pub self_provisioning: bool,
    /// Custom attribute `key=value` (a string) or `key:=JSON` (typed); repeatable.
    #[arg(long = "attr", value_name = "KEY=VALUE")]
    pub attributes: Vec<String>,
    /// Role given to new members (repeatable).
    #[arg(long = "default-role", value_name = "ROLE")]
    pub default_roles: Vec<String>,
    /// Require SSO for the tenant's users.
    #[arg(long)]
    pub enforce_sso: bool,
}

#[derive(Debug, Args)]
pub struct TenantUpdateArgs {
    /// Tenant id.
    pub id: String,
    /// New display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Replace the self-provisioning domains with these (repeatable).
    #[arg(
        long = "domain",
        value_name = "DOMAIN",
        conflicts_with = "clear_domains"
    )]
    pub domains: Vec<String>,
    /// Remove every self-provisioning domain.
    #[arg(long)]
    pub clear_domains: bool,
    /// Turn self-provisioning on or off (off clears the domains).
    #[arg(long, value_name = "BOOL")]
    pub self_provisioning: Option<bool>,
    /// Disable or enable the tenant.
    #[arg(long, value_name = "BOOL")]
    pub disabled: Option<bool>,
    /// Require SSO or not.
    #[arg(long, value_name = "BOOL")]
    pub enforce_sso: Option<bool>,
    /// Set custom attribute `key=value` (a string) or `key:=JSON` (typed); repeatable.
    #[arg(long = "attr", value_name = "KEY=VALUE")]
    pub attributes: Vec<String>,
    /// Remove a custom attribute (repeatable).
    #[arg(long = "remove-attr", value_name = "KEY")]
    pub remove_attributes: Vec<String>,
    /// Replace the default roles with these (repeatable).
    #[arg(
        long = "default-role",
        value_name = "ROLE",
        conflicts_with = "clear_default_roles"
    )]
    pub default_roles: Vec<String>,
    /// Remove every default role.
    #[arg(long)]
    pub clear_default_roles: bool,
}

/// Flags of `diff` for one resource kind: the same selection flags as `sync`.
#[derive(Debug, Args)]
pub struct SyncDiffArgs {
    /// Exit 2 when there is any difference (live resources the configuration does not name
    /// included), 0 when there is none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Show the deletions `sync --prune` would make.
    #[arg(long)]
    pub prune: bool,
    /// Only these resources (ids or names; repeatable).
    #[arg(long = "target", value_name = "ID", num_args = 1..)]
    pub targets: Vec<String>,
    /// Only the configured tenants this expression selects, e.g. `tier=enterprise`,
    /// `region in (eu,uk)`, `template=starter`, `!disabled` (terms joined by `,` must all hold).
    /// Other kinds are left out (role and permission commands refuse it), and nothing outside
    /// the selection is changed or pruned.
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
}

/// Flags of `sync` for one resource kind.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub write: WriteArgs,
    /// Delete live resources that the configuration does not have.
    #[arg(long)]
    pub prune: bool,
    /// Only these resources (ids or names; repeatable).
    #[arg(long = "target", value_name = "ID", num_args = 1..)]
    pub targets: Vec<String>,
    /// Only the configured tenants this expression selects, e.g. `tier=enterprise`,
    /// `region in (eu,uk)`, `template=starter`, `!disabled` (terms joined by `,` must all hold).
    /// Other kinds are left out (role and permission commands refuse it), and nothing outside
    /// the selection is changed or pruned.
    #[arg(long, value_name = "EXPR")]
    pub selector: Option<Selector>,
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List the environment's roles, sorted by name.
    List {
        /// Order of the rows.
        #[arg(long, value_enum, default_value_t = RoleSort::Name)]
        sort: RoleSort,
    },
    /// Show every difference between the configuration's roles and the live ones (drift for roles
    /// only); exit 2 on any with --detailed-exitcode.
    Diff(SyncDiffArgs),
    /// Make the environment's roles match the configuration.
    Sync(SyncArgs),
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// List the environment's flows (one API call).
    List,
    /// Show one live flow: a summary, or the whole document with --format json|yaml.
    Get { id: String },
    /// Write a live flow's v2 document to FILE (stdout without --out); --all writes every flow
    /// to DIR/<id>.json.
    Export(FlowExportArgs),
    /// Import FILE (a v2 or v1 flow export) as flow ID, after checking it.
    Import(FlowImportArgs),
    /// Show how the environment's flows differ from their files, by task and screen.
    Diff(FlowDiffArgs),
    /// Import every configured flow whose file differs from the live flow (live documents are
    /// backed up first). Flows are never deleted.
    Sync(FlowSyncArgs),
}

#[derive(Debug, Args)]
pub struct FlowSyncArgs {
    /// Only these flows (default: every flow the configuration names for the environment).
    pub ids: Vec<String>,
    /// Also import flows whose only difference is canvas positions.
    #[arg(long)]
    pub strict_layout: bool,
    /// Print what would be imported; send no write at all.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct FlowExportArgs {
    /// The flow to export.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub id: Option<String>,
    /// Every flow of the project, one file each (needs --out DIR).
    #[arg(long, requires = "out")]
    pub all: bool,
    /// The file (with an ID) or directory (with --all) to write.
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FlowImportArgs {
    pub id: String,
    pub file: PathBuf,
    /// Check the file and show the difference; send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct FlowDiffArgs {
    /// Only these flows (default: every flow the configuration names for the environment).
    pub ids: Vec<String>,
    /// Count canvas moves (task positions) as differences.
    #[arg(long)]
    pub strict_layout: bool,
    /// Exit 2 when there are differences, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Write the live theme (styles) document to FILE (stdout without --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Show how the live theme differs from the configured file, one line per design token.
    Diff {
        /// Exit 2 when there are differences, 0 when there are none.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Import the configured theme file when it differs from the live theme (the live theme is
    /// backed up first).
    Sync {
        /// Print the difference; send no write at all.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PermissionCommand {
    /// List the environment's permissions, sorted by name.
    List {
        /// Order of the rows.
        #[arg(long, value_enum, default_value_t = PermissionSort::Name)]
        sort: PermissionSort,
    },
    /// Show every difference between the configuration's permissions and the live ones (drift
    /// for permissions only); exit 2 on any with --detailed-exitcode.
    Diff(SyncDiffArgs),
    /// Make the environment's permissions match the configuration.
    Sync(SyncArgs),
}

/// `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `descope-mgmt.1` and one page per subcommand into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
