//! Dispatch: parse arguments, resolve the settings once, set up logging, run one command, map
//! its outcome to an exit code. Each command module reads top to bottom: load → act → render,
//! and never imports another command module (what they share lives in `pipeline`, `render`,
//! `report` and `printer`).

mod apply;
mod backup;
mod completions;
mod config;
mod doctor;
mod drift;
mod env;
mod env_diff;
mod export;
mod flow;
mod kind_diff_sync;
mod permission;
mod plan;
mod promote;
mod role;
mod schema;
mod tenant;

use std::ffi::OsString;

use clap::FromArgMatches;
use descope_mgmt_core::plan::ResourceKind;

use crate::cli::{
    BackupCommand, Cli, Command, ConfigCommand, EnvCommand, FlowCommand, PermissionCommand,
    RoleCommand, SchemaCommand, TenantCommand, ThemeCommand,
};
use crate::exit::{CliError, Exit};
use crate::settings::Settings;

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let parsed = crate::help::command()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` are answers, not failures; everything else is usage.
            let exit = if error.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = error.print();
            return exit;
        }
    };
    let settings = Settings::resolve(&cli.global);
    crate::logging::init(&settings);
    let outcome = dispatch(&settings, &cli.command);
    match outcome {
        Ok(exit) => exit,
        Err(error) => {
            settings.printer.error(&error);
            error.exit
        }
    }
}

/// `--format markdown` is a review comment about differences; other output has no such form.
fn speaks_markdown(command: &Command) -> bool {
    matches!(
        command,
        Command::Plan(_)
            | Command::Drift(_)
            | Command::Diff(_)
            | Command::Tenant(TenantCommand::Diff(_))
            | Command::Role(RoleCommand::Diff(_))
            | Command::Permission(PermissionCommand::Diff(_))
    )
}

fn dispatch(settings: &Settings, command: &Command) -> Result<Exit, CliError> {
    if settings.printer.format() == crate::cli::Format::Markdown && !speaks_markdown(command) {
        return Err(CliError::new(
            Exit::Usage,
            "--format markdown is for plan, drift and the diff subcommands",
        )
        .with_hint("use --format table, json or yaml"));
    }
    let done = |result: Result<(), CliError>| result.map(|()| Exit::Success);
    match command {
        Command::Config(ConfigCommand::Validate) => done(config::validate(settings)),
        Command::Config(ConfigCommand::Show(args)) => done(config::show(settings, args)),
        Command::Config(ConfigCommand::Schema) => done(config::schema(settings)),
        Command::Schema(SchemaCommand::Output) => done(schema::output(settings)),
        Command::Env(EnvCommand::List) => done(env::list(settings)),
        Command::Doctor => doctor::run(settings),
        Command::Plan(args) => plan::run(settings, args),
        Command::Apply(args) => apply::run(settings, args),
        Command::Drift(args) => drift::run(settings, args),
        Command::Diff(args) => env_diff::run(settings, args),
        Command::Promote(args) => promote::run(settings, args),
        Command::Export(args) => done(export::run(settings, args)),
        Command::Backup(BackupCommand::List) => done(backup::list(settings)),
        Command::Backup(BackupCommand::Create) => done(backup::create(settings)),
        Command::Backup(BackupCommand::Show { id }) => done(backup::show(settings, id)),
        Command::Backup(BackupCommand::Restore(args)) => backup::restore(settings, args),
        Command::Completions(args) => done(completions::completions(settings, args)),
        Command::Man(args) => done(completions::man(settings, args)),
        Command::Tenant(TenantCommand::List { sort }) => done(tenant::list(settings, *sort)),
        Command::Tenant(TenantCommand::Get { id }) => done(tenant::get(settings, id)),
        Command::Tenant(TenantCommand::Create(args)) => done(tenant::create(settings, args)),
        Command::Tenant(TenantCommand::Update(args)) => done(tenant::update(settings, args)),
        Command::Tenant(TenantCommand::Delete { id }) => done(tenant::delete(settings, id)),
        Command::Role(RoleCommand::List { sort }) => done(role::list(settings, *sort)),
        Command::Permission(PermissionCommand::List { sort }) => {
            done(permission::list(settings, *sort))
        }
        Command::Flow(FlowCommand::List) => done(flow::list(settings)),
        Command::Flow(FlowCommand::Get { id }) => done(flow::get(settings, id)),
        Command::Flow(FlowCommand::Export(args)) => done(flow::export(settings, args)),
        Command::Flow(FlowCommand::Import(args)) => flow::import(settings, args),
        Command::Flow(FlowCommand::Diff(args)) => flow::diff(settings, args),
        Command::Flow(FlowCommand::Sync(args)) => flow::sync(settings, args),
        Command::Theme(ThemeCommand::Sync { dry_run }) => flow::theme_sync(settings, *dry_run),
        Command::Theme(ThemeCommand::Export { out }) => {
            done(flow::theme_export(settings, out.as_deref()))
        }
        Command::Theme(ThemeCommand::Diff { detailed_exitcode }) => {
            flow::theme_diff(settings, *detailed_exitcode)
        }
        Command::Tenant(TenantCommand::Diff(args)) => {
            kind_diff_sync::diff(settings, ResourceKind::Tenant, args)
        }
        Command::Tenant(TenantCommand::Sync(args)) => {
            kind_diff_sync::sync(settings, ResourceKind::Tenant, args)
        }
        Command::Role(RoleCommand::Diff(args)) => {
            kind_diff_sync::diff(settings, ResourceKind::Role, args)
        }
        Command::Role(RoleCommand::Sync(args)) => {
            kind_diff_sync::sync(settings, ResourceKind::Role, args)
        }
        Command::Permission(PermissionCommand::Diff(args)) => {
            kind_diff_sync::diff(settings, ResourceKind::Permission, args)
        }
        Command::Permission(PermissionCommand::Sync(args)) => {
            kind_diff_sync::sync(settings, ResourceKind::Permission, args)
        }
    }
}

/// Loads the configuration (base view, or `env`'s view) or fails with exit 3 after printing
/// every diagnostic.
pub(crate) fn load_valid(
    settings: &Settings,
    env: Option<&str>,
) -> Result<descope_mgmt_core::config::DescopeConfig, CliError> {
    let mut views = load_valid_views(settings, &[env])?;
    Ok(views.remove(0))
}

/// [`load_valid`] for several views of the same file, each diagnostic printed once.
pub(crate) fn load_valid_views(
    settings: &Settings,
    envs: &[Option<&str>],
) -> Result<Vec<descope_mgmt_core::config::DescopeConfig>, CliError> {
    let mut shown: Vec<descope_mgmt_core::config::Diagnostic> = Vec::new();
    let mut views = Vec::new();
    for env in envs {
        let loaded = descope_mgmt_core::config::load(&settings.config, *env);
        let new: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|diagnostic| !shown.contains(diagnostic))
            .cloned()
            .collect();
        settings.printer.diagnostics(&new);
        shown.extend(new);
        let errors = loaded.errors().count();
        views.push(loaded.config.ok_or_else(|| {
            CliError::config_invalid(format!(
                "{} is invalid: {errors} error{}",
                settings.config.display(),
                plural(errors)
            ))
            .with_hint("run `descope-mgmt config validate` for the full report")
        })?);
    }
    Ok(views)
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
