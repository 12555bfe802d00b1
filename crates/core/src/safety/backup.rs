//! Backups: before any write (and on `backup create`), the whole live state of the kinds a run
//! reads is saved to `<dir>/backups/<env>/<timestamp>.json`, owner-only and atomically, with the
//! project it came from and the run that made it, so `backup restore` can plan the way back.
//! Also listing, finding and reading them, refusing files of another format version.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{StateFileError, check_env_name, private_dir};
use crate::plan::{AnyResource, Plan, ResourceKind, ResourceSet};

/// Version 2 added what `backup restore` needs: the project, the kinds whose whole state the
/// backup holds, and the run that made it. Version 1 files held only what an apply touched.
pub const BACKUP_FORMAT_VERSION: u32 = 2;

/// A backup file. Holds resource states only: no credentials, no project key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupDocument {
    pub format_version: u32,
    pub env: String,
    /// The project the states were read from: restoring into another project is refused.
    pub project_id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub run: BackupRun,
    /// The kinds whose whole live state `resources` holds, so a restore may delete what was
    /// created in them since.
    pub kinds: Vec<ResourceKind>,
    pub resources: Vec<BackupEntry>,
}

/// Who made a backup and with which command line (flags only hold paths and names, never a
/// key: keys come from the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRun {
    pub command: String,
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
}

/// What a caller says about a backup it writes.
#[derive(Debug, Clone)]
pub struct BackupOrigin {
    pub env: String,
    pub project_id: String,
    pub run: BackupRun,
    pub kinds: Vec<ResourceKind>,
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

    /// How many resources of each kind the backup holds; every kind it covers is present.
    pub fn counts(&self) -> BTreeMap<ResourceKind, usize> {
        let mut counts: BTreeMap<ResourceKind, usize> =
            self.kinds.iter().map(|kind| (*kind, 0)).collect();
        for entry in &self.resources {
            *counts.entry(entry.kind).or_default() += 1;
        }
        counts
    }
}

/// Why a backup file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    File(#[from] StateFileError),
    #[error(
        "{} has backup format version {found}; this descope-mgmt reads version {BACKUP_FORMAT_VERSION} only{}",
        path.display(),
        if *found < u64::from(BACKUP_FORMAT_VERSION) { " (older apply backups and the document backups of flow/theme sync cannot be restored)" } else { " (written by a newer descope-mgmt: upgrade to use it)" }
    )]
    UnknownVersion { path: PathBuf, found: u64 },
    #[error("{} is not a descope-mgmt backup (no format_version)", path.display())]
    NotABackup { path: PathBuf },
}

/// One file of `backups/<env>/`: its id (the file name without `.json`) and what reading it gave.
#[derive(Debug)]
pub struct ListedBackup {
    pub id: String,
    pub path: PathBuf,
    pub document: Result<BackupDocument, BackupError>,
}

/// The backups of `env`, oldest first (ids sort by time).
pub fn list_backups(dir: &Path, env: &str) -> Result<Vec<ListedBackup>, StateFileError> {
    check_env_name(env)?;
    let backup_dir = dir.join("backups").join(env);
    let entries = match fs::read_dir(&backup_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(StateFileError::io("read", &backup_dir)(error)),
    };
    let mut listed = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(StateFileError::io("read", &backup_dir))?
            .path();
        let Some(id) = backup_id(&path) else {
            continue;
        };
        listed.push(ListedBackup {
            id,
            document: read_backup(&path),
            path,
        });
    }
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(listed)
}

/// The id of a backup file: its name without `.json`; `None` for other files (temporaries).
pub fn backup_id(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let id = name.strip_suffix(".json")?;
    (!id.starts_with('.')).then(|| id.to_owned())
}

/// Where backup `id` of `env` is, if it exists; `id` must be a plain file name, so no path
/// outside the backups folder can be named.
pub fn find_backup(dir: &Path, env: &str, id: &str) -> Result<Option<PathBuf>, StateFileError> {
    check_env_name(env)?;
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte))
        && !id.starts_with('.');
    if !plain {
        return Ok(None);
    }
    let path = dir.join("backups").join(env).join(format!("{id}.json"));
    Ok(path.is_file().then_some(path))
}

/// The environments that have a backups folder.
pub fn backup_envs(dir: &Path) -> Vec<String> {
    let mut envs: Vec<String> = fs::read_dir(dir.join("backups"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
                .filter_map(|entry| entry.file_name().into_string().ok())
                .filter(|env| check_env_name(env).is_ok())
                .collect()
        })
        .unwrap_or_default();
    envs.sort();
    envs
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
    origin: &BackupOrigin,
    resources: &[AnyResource],
    now: jiff::Timestamp,
) -> Result<PathBuf, StateFileError> {
    let env = origin.env.as_str();
    check_env_name(env)?;
    let backup_dir = dir.join("backups").join(env);
    private_dir(&backup_dir)?;

    let document = BackupDocument {
        format_version: BACKUP_FORMAT_VERSION,
        env: env.to_owned(),
        project_id: origin.project_id.clone(),
        created_at: now.to_string(),
        run: origin.run.clone(),
        kinds: origin.kinds.clone(),
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

/// Reads a backup written by [`write_backup`]; a file of another format version is refused by
/// its version, before its shape is checked.
pub fn read_backup(path: &Path) -> Result<BackupDocument, BackupError> {
    let bytes = fs::read(path).map_err(StateFileError::io("read", path))?;
    let json_error = |source| StateFileError::Json {
        path: path.to_owned(),
        source,
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(json_error)?;
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        None => Err(BackupError::NotABackup {
            path: path.to_owned(),
        }),
        Some(found) if found != u64::from(BACKUP_FORMAT_VERSION) => {
            Err(BackupError::UnknownVersion {
                path: path.to_owned(),
                found,
            })
        }
        Some(_) => Ok(serde_json::from_value(value).map_err(json_error)?),
    }
}
