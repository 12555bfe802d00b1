//! Settings resolved once from the parsed arguments and the process environment, before any
//! command runs (uv's `*Settings::resolve`): which environment(s), how output looks (format,
//! color, quiet, progress) and what a write run may do. No other module compares `--env` with
//! `all`, checks that an environment exists, or decides whether to use color.
//!
//! Precedence, for every setting: flag > environment variable (see `env_vars`) > default. The
//! configuration file never supplies a default environment, so a protected environment is only
//! ever chosen by name.

use std::io::IsTerminal;
use std::path::PathBuf;

use descope_mgmt_core::config::{DescopeConfig, EnvironmentConfig};

use crate::cli::{ColorChoice, GlobalArgs, LogFormat, WriteArgs};
use crate::env_vars;
use crate::exit::{CliError, Exit};
use crate::printer::{Printer, ProgressMode};

/// `--env all`: every environment of the configuration.
const ALL_ENVIRONMENTS: &str = "all";

/// The name of one environment of the configuration (never `all`, which the loader rejects as a
/// name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvName(String);

impl EnvName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EnvName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What `--env` (or `DESCOPE_MGMT_ENV`) selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvTarget {
    One(EnvName),
    All,
}

/// Logging on stderr.
#[derive(Debug, Clone, Copy)]
pub struct LogSettings {
    /// The `tracing` level when `RUST_LOG` is not set.
    pub level: &'static str,
    pub format: LogFormat,
    pub color: bool,
}

/// Everything a command needs to know about how it was invoked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: PathBuf,
    pub env: Option<EnvTarget>,
    /// `--yes`: confirmations of protected environments are answered.
    pub yes: bool,
    pub log: LogSettings,
    pub printer: Printer,
}

impl Settings {
    /// Resolves the global flags once. Every field of [`GlobalArgs`] is destructured, so a new
    /// flag cannot be silently ignored.
    pub fn resolve(args: &GlobalArgs) -> Self {
        let GlobalArgs {
            config,
            env,
            format,
            compact,
            verbose,
            quiet,
            log_format,
            color,
            no_progress,
            yes,
        } = args;
        let no_color = env_vars::is_set(env_vars::NO_COLOR);
        let stdout_color = decide_color(*color, no_color, std::io::stdout().is_terminal());
        let stderr_terminal = std::io::stderr().is_terminal();
        let stderr_color = decide_color(*color, no_color, stderr_terminal);
        let progress = if *quiet {
            ProgressMode::Hidden
        } else if !*no_progress && stderr_terminal {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        };
        let level = if *quiet {
            "error"
        } else {
            match verbose {
                0 => "warn",
                1 => "info",
                2 => "debug",
                _ => "trace",
            }
        };
        Self {
            config: config.clone(),
            env: env.as_deref().map(env_target),
            yes: *yes,
            log: LogSettings {
                level,
                format: *log_format,
                color: stderr_color,
            },
            printer: Printer::new(*format, stdout_color, *quiet, progress).compact(*compact),
        }
    }

    /// The one environment a command works on: required, and not `all`.
    pub fn one_env(&self) -> Result<&EnvName, CliError> {
        match &self.env {
            Some(EnvTarget::One(name)) => Ok(name),
            Some(EnvTarget::All) => Err(CliError::new(
                Exit::Usage,
                "--env all is not supported by this command; name one environment",
            )),
            None => Err(
                CliError::new(Exit::Usage, "this command needs --env ENV").with_hint(format!(
                    "`descope-mgmt env list` shows the environments; {} sets a default",
                    env_vars::DESCOPE_MGMT_ENV
                )),
            ),
        }
    }

    /// Whether `--env all` was given.
    pub fn all_envs(&self) -> bool {
        self.env == Some(EnvTarget::All)
    }
}

fn env_target(value: &str) -> EnvTarget {
    if value == ALL_ENVIRONMENTS {
        EnvTarget::All
    } else {
        EnvTarget::One(EnvName(value.to_owned()))
    }
}

/// `--color` wins; under `auto`, color only on a terminal and only without `NO_COLOR`.
fn decide_color(choice: ColorChoice, no_color: bool, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color,
    }
}

/// The configuration of environment `name`; an unknown name is a configuration error (exit 3)
/// that lists the known ones. The one place that checks an environment exists.
pub fn defined_environment<'a>(
    config: &'a DescopeConfig,
    name: &str,
) -> Result<&'a EnvironmentConfig, CliError> {
    config.environment(name).ok_or_else(|| {
        let known: Vec<&str> = config.environments().keys().map(String::as_str).collect();
        CliError::config_invalid(format!("environment {name:?} is not defined"))
            .with_hint(format!("defined environments: {}", known.join(", ")))
    })
}

/// What a write run may do (`apply` and every `sync`).
#[derive(Debug, Clone)]
pub struct WriteSettings {
    pub dry_run: bool,
    pub allow_delete: bool,
    pub max_deletes: usize,
    pub report: Option<PathBuf>,
    /// `--concurrency`, which overrides the environment's.
    pub concurrency: Option<u32>,
}

impl WriteSettings {
    pub fn resolve(args: &WriteArgs) -> Self {
        let WriteArgs {
            dry_run,
            allow_delete,
            max_deletes,
            report,
            concurrency,
        } = args;
        Self {
            dry_run: *dry_run,
            allow_delete: *allow_delete,
            max_deletes: *max_deletes,
            report: report.clone(),
            concurrency: *concurrency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_the_only_pseudo_environment() {
        assert_eq!(env_target("all"), EnvTarget::All);
        assert_eq!(
            env_target("prod"),
            EnvTarget::One(EnvName("prod".to_owned()))
        );
    }

    #[test]
    fn color_follows_the_flag_then_no_color_then_the_terminal() {
        assert!(decide_color(ColorChoice::Always, true, false));
        assert!(!decide_color(ColorChoice::Never, false, true));
        assert!(decide_color(ColorChoice::Auto, false, true));
        assert!(!decide_color(ColorChoice::Auto, true, true));
        assert!(!decide_color(ColorChoice::Auto, false, false));
    }
}
