//! `permission list`: the permissions of one environment's project.
//! (`permission diff` and `permission sync` live in `tenant_sync.rs`.)

use serde_json::json;

use super::role::dash_if_empty;
use crate::cli::GlobalArgs;
use crate::connect::run_in_env;
use crate::exit::CliError;
use crate::output;

pub fn list(global: &GlobalArgs) -> Result<(), CliError> {
    run_in_env(global, async |conn| {
        let mut permissions = conn
            .client()
            .permissions()
            .load_all()
            .await
            .map_err(|e| conn.api_error(e))?;
        permissions.sort_by(|a, b| a.name.cmp(&b.name));
        let document = json!({
            "env": conn.env_name(),
            "permissions": permissions.iter().map(|permission| json!({
                "name": permission.name,
                "description": permission.description,
                "built_in": permission.system_default,
            })).collect::<Vec<_>>(),
        });
        output::emit(global.format, document, || {
            output::table(
                &["NAME", "DESCRIPTION", "BUILT-IN"],
                permissions
                    .iter()
                    .map(|permission| {
                        vec![
                            permission.name.clone(),
                            dash_if_empty(permission.description.clone()),
                            if permission.system_default {
                                "yes"
                            } else {
                                "no"
                            }
                            .to_owned(),
                        ]
                    })
                    .collect(),
                global.color,
            )
        })?;
        Ok(())
    })
}
