//! Running the real binary with a clean environment, and reading the shell examples of the
//! README, the help and the CI files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary in `dir` with an empty environment but `NO_COLOR`: a test sets every variable the
/// run depends on, so that nothing from the developer's or CI's shell changes its behaviour.
pub fn descope_mgmt(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_descope-mgmt"));
    command.current_dir(dir).env_clear().env("NO_COLOR", "1");
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

/// Splits an example line into arguments the way a shell would, up to the first redirection or
/// pipe (which belong to the shell, not to descope-mgmt).
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(ch);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(current);
    }
    let end = words
        .iter()
        .position(|word| {
            matches!(
                word.as_str(),
                "|" | ">" | ">>" | ";" | "&&" | "||" | "2>" | "2>&1"
            )
        })
        .unwrap_or(words.len());
    words.truncate(end);
    words
}
