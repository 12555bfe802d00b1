//! `role list`: the roles of one environment's project, project-level and tenant-level.
//! (`role diff` and `role sync` live in `tenant_sync.rs`.)

use serde_json::json;

use crate::cli::GlobalArgs;
use crate::connect::run_in_env;
use crate::exit::CliError;
use crate::output;

pub fn list(global: &GlobalArgs) -> Result<(), CliError> {
    run_in_env(global, async |conn| {
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
        let document = json!({
            "env": conn.env_name(),
            "roles": roles.iter().map(|role| json!({
                "name": role.name,
                "description": role.description,
                "permissions": role.permission_names,
                "tenant_id": (!role.tenant_id.is_empty()).then_some(&role.tenant_id),
                "default": role.default,
                "private": role.private,
            })).collect::<Vec<_>>(),
        });
        output::emit(global.format, document, || {
            output::table(
                &["NAME", "DESCRIPTION", "PERMISSIONS", "TENANT", "DEFAULT"],
                roles
                    .iter()
                    .map(|role| {
                        vec![
                            role.name.clone(),
                            role.description.clone(),
                            dash_if_empty(role.permission_names.join(", ")),
                            dash_if_empty(role.tenant_id.clone()),
                            if role.default { "yes" } else { "no" }.to_owned(),
                        ]
                    })
                    .collect(),
                global.color,
            )
        })?;
        Ok(())
    })
}

pub(super) fn dash_if_empty(text: String) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        text
    }
}
