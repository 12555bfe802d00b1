//! One write run per project at a time on a machine: an advisory lock on
//! `<locks dir>/<project>-<hash>.lock`, keyed by the project id and the API endpoint (not by an
//! environment's name, which differs between configurations and checkouts), held for the life of
//! a [`ProjectLock`].
//!
//! The lock is `flock(2)`-style, so the OS releases it when its holder dies. A clean release
//! removes the file; a file still there when the lock is taken was left by a run that died, and
//! is taken over ([`ProjectLock::taken_over`] says from whom). The file is never followed through
//! a symbolic link: someone who can plant one must not make us truncate another file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::files::{StateFileError, private_dir};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "project {project} at {endpoint} is locked by another run ({holder}); wait for it to finish (lock file: {})",
        .path.display()
    )]
    Held {
        project: String,
        endpoint: String,
        path: PathBuf,
        holder: Box<Holder>,
    },
    #[error(
        "refusing the lock file {}: it is a symbolic link (remove it; the tool creates its own)",
        .0.display()
    )]
    Symlink(PathBuf),
    #[error(transparent)]
    File(#[from] StateFileError),
}

/// Who holds (or held) a lock, as its file records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub since: Option<String>,
    pub env: Option<String>,
    pub cwd: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(pid) = self.pid {
            parts.push(format!("pid {pid}"));
        }
        if let Some(since) = &self.since {
            parts.push(format!("since {since}"));
        }
        if let Some(env) = &self.env {
            parts.push(format!("env {env}"));
        }
        if let Some(cwd) = &self.cwd {
            parts.push(format!("from {cwd}"));
        }
        if parts.is_empty() {
            f.write_str("holder unknown")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// What a lock is about: one project on one API endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockKey {
    pub project_id: String,
    pub endpoint: String,
}

impl LockKey {
    pub fn new(project_id: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Self {
            project_id: project_id.into(),
            endpoint: endpoint.into().trim_end_matches('/').to_owned(),
        }
    }

    /// `<project>-<hash>.lock`: the readable part is the project id cut to safe characters; the
    /// hash of the full key keeps two keys that read alike apart.
    pub fn file_name(&self) -> String {
        let readable: String = self
            .project_id
            .chars()
            .take(64)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let digest = Sha256::digest(format!("{}\n{}", self.project_id, self.endpoint));
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        format!("{readable}-{hash}.lock")
    }
}

/// The lock of one project. Released (and its file removed) when dropped; the OS releases it
/// if the process dies.
#[derive(Debug)]
pub struct ProjectLock {
    file: File,
    path: PathBuf,
    taken_over: Option<Holder>,
}

/// Bounds the retries when holders keep releasing between our open and our lock.
const MAX_OPEN_ATTEMPTS: usize = 64;

impl ProjectLock {
    /// Takes the lock in `dir` (created private) without waiting. Fails with
    /// [`LockError::Held`], naming the holder, when another `ProjectLock` (in this process or
    /// another) holds it.
    pub fn acquire(dir: &Path, key: &LockKey, env: &str) -> Result<ProjectLock, LockError> {
        private_dir(dir)?;
        let path = dir.join(key.file_name());
        for _ in 0..MAX_OPEN_ATTEMPTS {
            // No truncate on open: until we hold the lock, the content belongs to the holder.
            let mut file = open_no_follow(&path, true)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        project: key.project_id.clone(),
                        endpoint: key.endpoint.clone(),
                        path,
                        holder: Box::new(read_holder(&mut file)),
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(StateFileError::Io {
                        action: "lock",
                        path,
                        source,
                    }
                    .into());
                }
            }
            // A holder that released between our open and our lock removed the file: our lock is
            // on a file nobody else will open, so start again on the path's current file.
            if !same_file(&file, &path) {
                continue;
            }
            let left = read_holder(&mut file);
            let taken_over = (left != Holder::default()).then_some(left);
            let cwd = std::env::current_dir()
                .map(|dir| dir.display().to_string())
                .unwrap_or_default();
            let record = format!(
                "pid={}\nsince={}\nenv={env}\ncwd={cwd}\n",
                std::process::id(),
                jiff::Timestamp::now()
            );
            file.set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| file.write_all(record.as_bytes()))
                .map_err(StateFileError::io("write lock file", &path))?;
            return Ok(ProjectLock {
                file,
                path,
                taken_over,
            });
        }
        Err(StateFileError::Io {
            action: "lock",
            path,
            source: io::Error::other("the lock file kept being replaced"),
        }
        .into())
    }

    /// Who holds the lock now, without taking it and without creating anything.
    pub fn holder(dir: &Path, key: &LockKey) -> Result<Option<Holder>, LockError> {
        let path = dir.join(key.file_name());
        let mut file = match open_no_follow(&path, false) {
            Err(LockError::File(StateFileError::Io { source, .. }))
                if source.kind() == io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            other => other?,
        };
        match file.try_lock() {
            Ok(()) => Ok(None),
            Err(TryLockError::WouldBlock) => Ok(Some(read_holder(&mut file))),
            Err(TryLockError::Error(source)) => Err(StateFileError::Io {
                action: "lock",
                path,
                source,
            }
            .into()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run that died holding this lock, when this one took it over.
    pub fn taken_over(&self) -> Option<&Holder> {
        self.taken_over.as_ref()
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Removed while still held, so nobody can open it between the release and the removal
        // and then hold a lock on a file the next run no longer sees.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open_no_follow(path: &Path, create: bool) -> Result<File, LockError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|source| {
            if source.raw_os_error() == Some(libc::ELOOP) {
                LockError::Symlink(path.to_owned())
            } else {
                StateFileError::Io {
                    action: "open lock file",
                    path: path.to_owned(),
                    source,
                }
                .into()
            }
        })
}

fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

fn read_holder(file: &mut File) -> Holder {
    let mut content = String::new();
    if file.seek(SeekFrom::Start(0)).is_err() || file.read_to_string(&mut content).is_err() {
        return Holder::default();
    }
    let value = |key: &str| {
        content
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    Holder {
        pid: value("pid").and_then(|pid| pid.parse().ok()),
        since: value("since"),
        env: value("env"),
        cwd: value("cwd"),
    }
}
