//! `role list`: the roles of one environment's project, project-level and tenant-level.
//! (`role diff` and `role sync` live in `kind_diff_sync.rs`.)

use crate::connect::run_in_env;
use crate::exit::CliError;
use crate::printer::{dash_if_empty, yes_no};
use crate::report::{FORMAT_VERSION, RoleEntry, RoleListReport};
use crate::settings::Settings;

pub fn list(settings: &Settings) -> Result<(), CliError> {
    run_in_env(settings, async |conn| {
        let mut roles = conn
            .client()
            .roles()
            .load_all()
            .await
            .map_err(|e| conn.api_error(e))?;
        // Project-level roles first, then by tenant; names sorted within each.
        roles.sort_by(|a, b| (&a.tenant_id, &a.name).cmp(&(&b.tenant_id, &b.name)));
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
                    tenant_id: (!role.tenant_id.is_empty()).then(|| role.tenant_id.clone()),
                    default: role.default,
                    private: role.private,
                })
                .collect(),
        };
        let printer = &settings.printer;
        printer.report(&report, || {
            printer.table(
                &["NAME", "DESCRIPTION", "PERMISSIONS", "TENANT", "DEFAULT"],
                roles
                    .iter()
                    .map(|role| {
                        vec![
                            role.name.clone(),
                            role.description.clone(),
                            dash_if_empty(role.permission_names.join(", ")),
                            dash_if_empty(role.tenant_id.clone()),
                            yes_no(role.default),
                        ]
                    })
                    .collect(),
            )
        })?;
        Ok(())
    })
}
