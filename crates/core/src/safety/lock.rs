//! One apply per environment at a time on a machine: an advisory lock on
//! `<dir>/locks/<env>.lock`, held for the life of an [`EnvLock`].

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::files::{StateFileError, check_env_name, private_dir};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "environment `{env}` is locked by another apply ({}); wait for it to finish (lock file: {})",
        holder_description(.holder_pid, .holder_since),
        .path.display()
    )]
    Held {
        env: String,
        path: PathBuf,
        holder_pid: Option<u32>,
        holder_since: Option<String>,
    },
    #[error(transparent)]
    File(#[from] StateFileError),
}

fn holder_description(pid: &Option<u32>, since: &Option<String>) -> String {
    match (pid, since) {
        (Some(pid), Some(since)) => format!("pid {pid}, since {since}"),
        (Some(pid), None) => format!("pid {pid}"),
        _ => "holder unknown".to_owned(),
    }
}

/// The lock of one environment. Released when dropped (and by the OS if the process dies, so a
/// crash never leaves an environment locked).
#[derive(Debug)]
pub struct EnvLock {
    file: File,
    path: PathBuf,
}

impl EnvLock {
    /// Takes the lock without waiting. Fails with [`LockError::Held`], naming the holder's pid,
    /// when another `EnvLock` (in this process or another) holds it.
    pub fn acquire(dir: &Path, env: &str) -> Result<EnvLock, LockError> {
        check_env_name(env)?;
        let lock_dir = dir.join("locks");
        private_dir(&lock_dir)?;
        let path = lock_dir.join(format!("{env}.lock"));
        // No truncate on open: until we hold the lock, the content belongs to the holder.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(StateFileError::io("open lock file", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let (holder_pid, holder_since) = read_holder(&mut file);
                return Err(LockError::Held {
                    env: env.to_owned(),
                    path,
                    holder_pid,
                    holder_since,
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
        let record = format!(
            "pid={}\nsince={}\n",
            std::process::id(),
            jiff::Timestamp::now()
        );
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(record.as_bytes()))
            .map_err(StateFileError::io("write lock file", &path))?;
        Ok(EnvLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for EnvLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first just makes it immediate.
        let _ = self.file.unlock();
    }
}

fn read_holder(file: &mut File) -> (Option<u32>, Option<String>) {
    let mut content = String::new();
    if file.read_to_string(&mut content).is_err() {
        return (None, None);
    }
    let value = |key: &str| {
        content
            .lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_owned)
    };
    (
        value("pid").and_then(|pid| pid.parse().ok()),
        value("since"),
    )
}
