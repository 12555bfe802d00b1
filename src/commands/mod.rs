//! Dispatch: parse arguments, set up logging, run one command, map its outcome to an exit code.
//! Each command module reads top to bottom: load → act → render.

mod config;
mod env;
mod permission;
mod role;
mod tenant;
mod tenant_sync;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{
    Cli, Command, ConfigCommand, EnvCommand, PermissionCommand, RoleCommand, TenantCommand,
};
use crate::exit::{CliError, Exit};

pub fn run(args: impl IntoIterator<Item = OsString>) -> Exit {
    let cli = match Cli::try_parse_from(args) {
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
        Command::Tenant(TenantCommand::List) => tenant::list(&cli.global),
        Command::Tenant(TenantCommand::Get { id }) => tenant::get(&cli.global, id),
        Command::Tenant(TenantCommand::Create(args)) => tenant::create(&cli.global, args),
        Command::Tenant(TenantCommand::Update(args)) => tenant::update(&cli.global, args),
        Command::Tenant(TenantCommand::Delete { id }) => tenant::delete(&cli.global, id),
        Command::Role(RoleCommand::List) => role::list(&cli.global),
        Command::Permission(PermissionCommand::List) => permission::list(&cli.global),
        // diff / sync: owned by the pipeline (tenant_sync.rs).
        Command::Tenant(TenantCommand::Diff(args)) => tenant_sync::tenant_diff(&cli.global, args),
        Command::Tenant(TenantCommand::Sync(args)) => tenant_sync::tenant_sync(&cli.global, args),
        Command::Role(RoleCommand::Diff(args)) => tenant_sync::role_diff(&cli.global, args),
        Command::Role(RoleCommand::Sync(args)) => tenant_sync::role_sync(&cli.global, args),
        Command::Permission(PermissionCommand::Diff(args)) => {
            tenant_sync::permission_diff(&cli.global, args)
        }
        Command::Permission(PermissionCommand::Sync(args)) => {
            tenant_sync::permission_sync(&cli.global, args)
        }
    };
    match result {
        Ok(()) => Exit::Success,
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
