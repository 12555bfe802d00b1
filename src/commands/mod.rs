//! Dispatch: parse arguments, set up logging, run one command, map its outcome to an exit code.
//! Each command module reads top to bottom: load → act → render.

pub mod apply;
mod completions;
mod config;
pub mod drift;
mod env;
mod permission;
pub mod plan;
mod role;
mod tenant;
mod tenant_sync;

use std::ffi::OsString;

use clap::FromArgMatches;
use descope_mgmt_core::plan::ResourceKind;

use crate::cli::{
    Cli, Command, ConfigCommand, EnvCommand, PermissionCommand, RoleCommand, TenantCommand,
};
use crate::exit::{CliError, Exit};

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
    crate::logging::init(&cli.global);
    let result = match &cli.command {
        Command::Config(ConfigCommand::Validate) => config::validate(&cli.global),
        Command::Config(ConfigCommand::Schema) => config::schema(&cli.global),
        Command::Env(EnvCommand::List) => env::list(&cli.global),
        Command::Plan(args) => return finish(plan::run(&cli.global, args)),
        Command::Apply(args) => return finish(apply::run(&cli.global, args)),
        Command::Drift(args) => return finish(drift::run(&cli.global, args)),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        Command::Tenant(TenantCommand::List) => tenant::list(&cli.global),
        Command::Tenant(TenantCommand::Get { id }) => tenant::get(&cli.global, id),
        Command::Tenant(TenantCommand::Create(args)) => tenant::create(&cli.global, args),
        Command::Tenant(TenantCommand::Update(args)) => tenant::update(&cli.global, args),
        Command::Tenant(TenantCommand::Delete { id }) => tenant::delete(&cli.global, id),
        Command::Role(RoleCommand::List) => role::list(&cli.global),
        Command::Permission(PermissionCommand::List) => permission::list(&cli.global),
        // diff / sync: the pipeline limited to one kind (tenant_sync.rs).
        Command::Tenant(TenantCommand::Diff(args)) => {
            return finish(tenant_sync::diff(&cli.global, ResourceKind::Tenant, args));
        }
        Command::Tenant(TenantCommand::Sync(args)) => {
            return finish(tenant_sync::sync(&cli.global, ResourceKind::Tenant, args));
        }
        Command::Role(RoleCommand::Diff(args)) => {
            return finish(tenant_sync::diff(&cli.global, ResourceKind::Role, args));
        }
        Command::Role(RoleCommand::Sync(args)) => {
            return finish(tenant_sync::sync(&cli.global, ResourceKind::Role, args));
        }
        Command::Permission(PermissionCommand::Diff(args)) => {
            return finish(tenant_sync::diff(
                &cli.global,
                ResourceKind::Permission,
                args,
            ));
        }
        Command::Permission(PermissionCommand::Sync(args)) => {
            return finish(tenant_sync::sync(
                &cli.global,
                ResourceKind::Permission,
                args,
            ));
        }
    };
    finish(result.map(|()| Exit::Success))
}

/// Prints a failure on stderr and picks the exit code.
fn finish(result: Result<Exit, CliError>) -> Exit {
    match result {
        Ok(exit) => exit,
        Err(error) => {
            eprintln!("{error}");
            error.exit
        }
    }
}

/// Loads the configuration (base view) or fails with exit 3 after printing every diagnostic.
pub(crate) fn load_valid(
    global: &crate::cli::GlobalArgs,
    env: Option<&str>,
) -> Result<descope_mgmt_core::config::DescopeConfig, CliError> {
    let loaded = descope_mgmt_core::config::load(&global.config, env);
    crate::output::print_diagnostics(&loaded.diagnostics);
    let errors = loaded.errors().count();
    loaded.config.ok_or_else(|| {
        CliError::config_invalid(format!(
            "{} is invalid: {errors} error{}",
            global.config.display(),
            plural(errors)
        ))
        .with_hint("run `descope-mgmt config validate` for the full report")
    })
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
