//! The saved plan (`plan --out FILE`, read by `apply FILE`): the plan plus the kinds whose live
//! state it read, so `apply` re-reads the same kinds to check that the plan is still fresh.
//! It is core's plan as serde writes it: a file this tool writes and reads back, not a report.

use std::path::Path;

use descope_mgmt_core::config;
use descope_mgmt_core::plan::{Plan, ResourceKind};
use serde::{Deserialize, Serialize};

use super::Planned;
use crate::exit::{CliError, Exit};
use crate::report::FORMAT_VERSION;
use crate::settings::Settings;

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u64,
    pub env: String,
    pub kinds: Vec<ResourceKind>,
    /// The environment's [`config::Loaded::fingerprint`] when the plan was made: `apply`
    /// refuses the plan once the configuration changed.
    #[serde(default)]
    pub config_fingerprint: String,
    /// [`config::plan_seal`] of that fingerprint and `plan`: shows hand edits of the plan.
    #[serde(default)]
    pub seal: String,
    pub plan: Plan,
}

/// The configuration's fingerprint for `env`, as [`config::load`] computes it.
fn config_fingerprint(settings: &Settings, env: &str) -> String {
    config::load(&settings.config, Some(env)).fingerprint
}

/// Writes `planned` to `path`, sealed with the configuration it was made from.
pub fn save(settings: &Settings, path: &Path, planned: &Planned) -> Result<(), CliError> {
    let plan_json = serde_json::to_value(&planned.plan)
        .map_err(|error| CliError::new(Exit::Error, error.to_string()))?
        .to_string();
    let config_fingerprint = config_fingerprint(settings, &planned.env);
    let file = PlanFile {
        format_version: FORMAT_VERSION,
        env: planned.env.clone(),
        kinds: planned.kinds.clone(),
        seal: config::plan_seal(&config_fingerprint, &plan_json),
        config_fingerprint,
        plan: planned.plan.clone(),
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|error| CliError::new(Exit::Error, error.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot write the plan to {}: {error}", path.display()),
        )
    })
}

/// Reads a saved plan, checks its format version, and refuses it (exit 4) when the
/// configuration changed since it was saved or the file was edited.
pub fn read(settings: &Settings, path: &Path) -> Result<PlanFile, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot read the plan {}: {error}", path.display()),
        )
    })?;
    let document: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("{} is not a plan file: {error}", path.display()),
        )
    })?;
    // The plan's JSON as written, so the seal does not depend on how serde reorders fields.
    let plan_json = document
        .get("plan")
        .map(ToString::to_string)
        .unwrap_or_default();
    let file: PlanFile = serde_json::from_value(document).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("{} is not a plan file: {error}", path.display()),
        )
    })?;
    if file.format_version != FORMAT_VERSION {
        return Err(CliError::new(
            Exit::Error,
            format!(
                "{} has format_version {}, this version reads {FORMAT_VERSION}",
                path.display(),
                file.format_version,
            ),
        ));
    }
    let refused = |message: &str| {
        Err(CliError::new(Exit::Refused, message.to_owned())
            .with_hint("run `descope-mgmt plan --out FILE` again"))
    };
    if file.config_fingerprint.is_empty() || file.seal.is_empty() {
        return refused("the plan file has no seal (saved by an older version)");
    }
    if config_fingerprint(settings, &file.env) != file.config_fingerprint {
        return refused("the configuration changed since the plan was saved");
    }
    if config::plan_seal(&file.config_fingerprint, &plan_json) != file.seal {
        return refused("the plan file was changed after it was saved");
    }
    Ok(file)
}
