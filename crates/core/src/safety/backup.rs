//! Backups: before any write, the live state of everything a plan touches is saved to
//! `<dir>/backups/<env>/<timestamp>.json`, owner-only and atomically, so `restore` can plan the
//! way back.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{StateFileError, check_env_name, private_dir};
use crate::plan::{AnyResource, Plan, ResourceKind, ResourceSet};

pub const BACKUP_FORMAT_VERSION: u32 = 1;

/// A backup file. Holds resource states only: no credentials, no project key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupDocument {
    pub format_version: u32,
    pub env: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub resources: Vec<BackupEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupEntry {
    pub kind: ResourceKind,
    pub id: String,
    pub state: serde_json::Value,
}

impl BackupDocument {
    /// The saved states, ready to be planned as a desired state by `restore`.
    pub fn to_resource_set(&self) -> Result<ResourceSet, serde_json::Error> {
        self.resources
            .iter()
            .map(|entry| AnyResource::from_state(entry.kind, entry.state.clone()))
            .collect()
    }
}

/// The live state a plan's writes will change or remove: what a backup must hold. Creates have
/// no live state; restoring undoes them by pruning.
pub fn touched_live_state(plan: &Plan) -> Vec<AnyResource> {
    plan.writes()
        .filter_map(|change| change.before.clone())
        .collect()
}

/// Writes a backup of `resources` and returns its path.
///
/// Atomic: the document is written to a temporary file in the same directory, flushed to disk
/// and renamed into place, so a reader never sees a partial backup. The file is mode 0600.
/// Two backups in the same second get distinct names (`…Z-2.json`); callers hold the
/// project's [`super::ProjectLock`], so no other writer races for the name.
pub fn write_backup(
    dir: &Path,
    env: &str,
    resources: &[AnyResource],
    now: jiff::Timestamp,
) -> Result<PathBuf, StateFileError> {
    check_env_name(env)?;
    let backup_dir = dir.join("backups").join(env);
    private_dir(&backup_dir)?;

    let document = BackupDocument {
        format_version: BACKUP_FORMAT_VERSION,
        env: env.to_owned(),
        created_at: now.to_string(),
        resources: resources
            .iter()
            .map(|resource| BackupEntry {
                kind: resource.kind(),
                id: resource.identity().to_owned(),
                state: resource.state_json(),
            })
            .collect(),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&document).map_err(|source| StateFileError::Json {
            path: backup_dir.clone(),
            source,
        })?;
    bytes.push(b'\n');

    let stem = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let target = (1..)
        .map(|n| match n {
            1 => backup_dir.join(format!("{stem}.json")),
            n => backup_dir.join(format!("{stem}-{n}.json")),
        })
        .find(|candidate| !candidate.exists())
        .unwrap_or_else(|| backup_dir.join(format!("{stem}.json")));
    let temporary = backup_dir.join(format!(".{stem}.{}.tmp", std::process::id()));

    let written = write_synced(&temporary, &bytes).and_then(|()| {
        fs::rename(&temporary, &target).map_err(StateFileError::io("rename backup to", &target))
    });
    if let Err(error) = written {
        // Best effort: the original error is what the operator needs to see.
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // Make the rename itself durable.
    File::open(&backup_dir)
        .and_then(|directory| directory.sync_all())
        .map_err(StateFileError::io("sync directory", &backup_dir))?;
    Ok(target)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StateFileError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(StateFileError::io("create", path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(StateFileError::io("write", path))
}

/// Reads a backup written by [`write_backup`].
pub fn read_backup(path: &Path) -> Result<BackupDocument, StateFileError> {
    let bytes = fs::read(path).map_err(StateFileError::io("read", path))?;
    serde_json::from_slice(&bytes).map_err(|source| StateFileError::Json {
        path: path.to_owned(),
        source,
    })
}
