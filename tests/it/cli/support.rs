//! Running the real binary with a clean environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with variables that would change its behaviour removed.
pub fn descope_mgmt(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_descope-mgmt"));
    command
        .current_dir(dir)
        .env_remove("DESCOPE_MGMT_CONFIG")
        .env_remove("DESCOPE_BASE_URL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    command
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}
