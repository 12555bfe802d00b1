//! The saved plan (`plan --out FILE`, read by `apply FILE`): the plan plus the kinds whose live
//! state it read, so `apply` re-reads the same kinds to check that the plan is still fresh.
//! It is core's plan as serde writes it: a file this tool writes and reads back, not a report.

use std::path::Path;

use descope_mgmt_core::plan::{Plan, ResourceKind};
use serde::{Deserialize, Serialize};

use super::Planned;
use crate::exit::{CliError, Exit};
use crate::report::FORMAT_VERSION;

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u64,
    pub env: String,
    pub kinds: Vec<ResourceKind>,
    pub plan: Plan,
}

/// Writes `planned` to `path`.
pub fn save(path: &Path, planned: &Planned) -> Result<(), CliError> {
    let file = PlanFile {
        format_version: FORMAT_VERSION,
        env: planned.env.clone(),
        kinds: planned.kinds.clone(),
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

/// Reads a saved plan and checks its format version.
pub fn read(path: &Path) -> Result<PlanFile, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot read the plan {}: {error}", path.display()),
        )
    })?;
    let file: PlanFile = serde_json::from_str(&text).map_err(|error| {
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
    Ok(file)
}
