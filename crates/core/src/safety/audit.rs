//! The audit log: one JSON line per applied change in `<dir>/audit/<env>.jsonl`, saying who
//! changed what, when, and from which commit of the configuration.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{StateFileError, check_env_name, private_dir};
use crate::apply::Outcome;
use crate::plan::{Action, Change, ResourceKind};

/// One line of the audit log. Names the changed fields, not their values: the log is for "who
/// did what", the backup holds the states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub at: String,
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    pub kind: ResourceKind,
    pub id: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    pub outcome: Outcome,
}

impl AuditRecord {
    /// A record of `change` with its `outcome`, by the current user (`$USER`).
    pub fn new(
        change: &Change,
        outcome: &Outcome,
        git_commit: Option<String>,
        now: jiff::Timestamp,
    ) -> Self {
        Self {
            at: now.to_string(),
            user: current_user(),
            git_commit,
            kind: change.kind,
            id: change.id.clone(),
            action: change.action,
            fields: change
                .fields
                .iter()
                .map(|diff| diff.field.clone())
                .collect(),
            outcome: outcome.clone(),
        }
    }
}

/// `$USER`, else `$USERNAME`, else `unknown`.
pub fn current_user() -> String {
    ["USER", "USERNAME"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Checks that the environment's audit log can be appended to (creating it, empty, mode 0600),
/// so a write run refuses before its first write rather than writing unaudited changes.
pub fn check_audit_writable(dir: &Path, env: &str) -> Result<PathBuf, StateFileError> {
    open_audit(dir, env).map(|(_, path)| path)
}

/// Appends `record` as one line to the environment's audit log (created with mode 0600) and
/// returns the log's path. The line goes out in a single append write, so concurrent appenders
/// never interleave within a line.
pub fn append_audit(
    dir: &Path,
    env: &str,
    record: &AuditRecord,
) -> Result<PathBuf, StateFileError> {
    let (mut file, path) = open_audit(dir, env)?;
    let mut line = serde_json::to_vec(record).map_err(|source| StateFileError::Json {
        path: path.clone(),
        source,
    })?;
    line.push(b'\n');
    file.write_all(&line)
        .map_err(StateFileError::io("append to", &path))?;
    Ok(path)
}

fn open_audit(dir: &Path, env: &str) -> Result<(File, PathBuf), StateFileError> {
    check_env_name(env)?;
    let audit_dir = dir.join("audit");
    private_dir(&audit_dir)?;
    let path = audit_dir.join(format!("{env}.jsonl"));
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .map_err(StateFileError::io("append to", &path))?;
    Ok((file, path))
}
