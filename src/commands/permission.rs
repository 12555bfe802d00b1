//! `permission list`: the permissions of one environment's project.
//! (`permission diff` and `permission sync` live in `kind_diff_sync.rs`.)

use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::{KindRules, Permission};

use crate::cli::PermissionSort;
use crate::connect::run_in_env;
use crate::exit::CliError;
use crate::printer::{dash_if_empty, yes_no};
use crate::report::{FORMAT_VERSION, PermissionEntry, PermissionListReport};
use crate::settings::Settings;

pub fn list(settings: &Settings, sort: PermissionSort) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        // The same port the planner reads, so `list` shows what `diff` compares.
        let mut permissions = ResourcePort::<Permission>::list(conn.client())
            .await
            .map_err(|e| conn.port_error(e))?;
        permissions.sort_by(|a, b| a.name.cmp(&b.name));
        if sort == PermissionSort::Description {
            permissions.sort_by(|a, b| a.description.cmp(&b.description));
        }
        let report = PermissionListReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            permissions: permissions
                .iter()
                .map(|permission| PermissionEntry {
                    name: permission.name.clone(),
                    description: permission.description.clone(),
                    built_in: permission.is_system_default(),
                })
                .collect(),
        };
        let printer = &settings.printer;
        printer.report(&report, || {
            printer.table(
                &["NAME", "DESCRIPTION", "BUILT-IN"],
                permissions
                    .iter()
                    .map(|permission| {
                        vec![
                            permission.name.clone(),
                            dash_if_empty(permission.description.clone()),
                            yes_no(permission.is_system_default()),
                        ]
                    })
                    .collect(),
            )
        })?;
        Ok(())
    })
}
