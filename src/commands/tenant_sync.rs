//! `tenant|role|permission diff` and `sync`: the configuration compared with, and applied to,
//! one environment. Placeholders until the plan/apply pipeline lands (branch `cli-sync` replaces
//! this file); each refuses with a clear error instead of pretending to work.

use crate::cli::{GlobalArgs, SyncArgs, SyncDiffArgs};
use crate::exit::{CliError, Exit};

fn not_available(command: &str) -> CliError {
    CliError::new(Exit::Error, format!("`{command}` is not available yet"))
        .with_hint("use `descope-mgmt plan` / `apply` once they are available")
}

pub fn tenant_diff(_global: &GlobalArgs, _args: &SyncDiffArgs) -> Result<(), CliError> {
    Err(not_available("tenant diff"))
}

pub fn tenant_sync(_global: &GlobalArgs, _args: &SyncArgs) -> Result<(), CliError> {
    Err(not_available("tenant sync"))
}

pub fn role_diff(_global: &GlobalArgs, _args: &SyncDiffArgs) -> Result<(), CliError> {
    Err(not_available("role diff"))
}

pub fn role_sync(_global: &GlobalArgs, _args: &SyncArgs) -> Result<(), CliError> {
    Err(not_available("role sync"))
}

pub fn permission_diff(_global: &GlobalArgs, _args: &SyncDiffArgs) -> Result<(), CliError> {
    Err(not_available("permission diff"))
}

pub fn permission_sync(_global: &GlobalArgs, _args: &SyncArgs) -> Result<(), CliError> {
    Err(not_available("permission sync"))
}
