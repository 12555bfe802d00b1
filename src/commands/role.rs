//! `role list`: the project-level roles of one environment's project, read through the same port
//! as `role diff` (tenant-level roles belong to their tenant and are not managed as roles).
//! (`role diff` and `role sync` live in `kind_diff_sync.rs`.)

use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::{KindRules, Role};

use crate::cli::RoleSort;
use crate::connect::run_in_env;
use crate::exit::CliError;
use crate::printer::{dash_if_empty, yes_no};
use crate::report::{FORMAT_VERSION, RoleEntry, RoleListReport};
use crate::settings::Settings;

pub fn list(settings: &Settings, sort: RoleSort) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        let mut roles = ResourcePort::<Role>::list(conn.client())
            .await
            .map_err(|e| conn.port_error(e))?;
        match sort {
            RoleSort::Name => roles.sort_by(|a, b| a.name.cmp(&b.name)),
            RoleSort::Description => {
                roles.sort_by(|a, b| (&a.description, &a.name).cmp(&(&b.description, &b.name)));
            }
        }
        for role in &mut roles {
            role.permission_names.sort();
        }
        let report = RoleListReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            roles: roles
                .iter()
                .map(|role| RoleEntry {
                    name: role.name.clone(),
                    description: role.description.clone(),
                    permissions: role.permission_names.clone(),
                    default: role.default.unwrap_or_default(),
                    private: role.private.unwrap_or_default(),
                    built_in: role.is_system_default(),
                })
                .collect(),
        };
        let printer = &settings.printer;
        printer.report(&report, || {
            printer.table(
                &[
                    "NAME",
                    "DESCRIPTION",
                    "PERMISSIONS",
                    "DEFAULT",
                    "PRIVATE",
                    "BUILT-IN",
                ],
                roles
                    .iter()
                    .map(|role| {
                        vec![
                            role.name.clone(),
                            role.description.clone(),
                            dash_if_empty(role.permission_names.join(", ")),
                            yes_no(role.default.unwrap_or_default()),
                            yes_no(role.private.unwrap_or_default()),
                            yes_no(role.is_system_default()),
                        ]
                    })
                    .collect(),
            )
        })?;
        Ok(())
    })
}
