//! File-system helpers shared by backups, locks and the audit log: environment names that are
//! safe as path components, private directories, and errors that name the path.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// A failure to read or write the tool's own state files.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error(
        "invalid environment name `{0}`: use 1 to 64 letters, digits, `-` or `_` (it names files)"
    )]
    InvalidEnvName(String),
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("failed to parse {}: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl StateFileError {
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Self + use<> {
        let path = path.to_owned();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}

/// Environment names become file names; refusing anything else rules out `../` tricks.
pub(crate) fn check_env_name(env: &str) -> Result<(), StateFileError> {
    let valid = (1..=64).contains(&env.len())
        && env
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if valid {
        Ok(())
    } else {
        Err(StateFileError::InvalidEnvName(env.to_owned()))
    }
}

/// Creates `dir` and its parents, new directories readable by the owner only (backups hold the
/// live configuration of a project).
pub(crate) fn private_dir(dir: &Path) -> Result<(), StateFileError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(StateFileError::io("create directory", dir))
}
