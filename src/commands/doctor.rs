//! `doctor [--env E|all]`: is this checkout ready to plan and apply? Checks the configuration,
//! that each environment's variables are set, that its base URL answers, that its key is valid
//! for the project and can read each managed kind (one list call per kind, never a write), that
//! no other apply holds its lock, and that the local state directory is private. Prints one row
//! per check with a fix for each failure; exit 0 when all pass, 1 otherwise.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use descope_mgmt_api::{ApiErrorKind, DescopeClient, RetryPolicy};
use descope_mgmt_core::config::{Connection, DescopeConfig, EnvironmentConfig};
use descope_mgmt_core::plan::{ResourceKind, ResourceSet};
use descope_mgmt_core::port::PortErrorKind;
use descope_mgmt_core::safety::{LockKey, ProjectLock};

use crate::exit::{CliError, Exit};
use crate::pipeline::{FlowReads, load_for_env, lock_dir, read_live_state, skip_reason, state_dir};
use crate::report::{CheckEntry, DoctorReport, FORMAT_VERSION};
use crate::settings::{EnvTarget, Settings};

/// A check answers within this, or the base URL counts as not answering.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// More than this between the local and the server's clock fails the clock check (a `Date`
/// header has one-second resolution, and a round trip adds a little).
const MAX_CLOCK_SKEW_SECONDS: i64 = 30;

pub fn run(settings: &Settings) -> Result<Exit, CliError> {
    let mut checks = Vec::new();
    let config = crate::commands::load_valid(settings, None);
    checks.push(match &config {
        Ok(_) => pass(None, "configuration", settings.config.display().to_string()),
        Err(error) => fail(
            None,
            "configuration",
            error.message.clone(),
            "run `descope-mgmt config validate` and fix every error it lists",
        ),
    });
    if let Ok(config) = &config {
        let names: Vec<String> = match &settings.env {
            Some(EnvTarget::One(env)) => vec![env.as_str().to_owned()],
            Some(EnvTarget::All) | None => config.environments().keys().cloned().collect(),
        };
        let runtime = crate::connect::runtime()?;
        for name in names {
            match load_for_env(settings, &name) {
                Ok(view) => runtime.block_on(check_environment(&view, &name, &mut checks)),
                Err(error) => checks.push(fail(
                    Some(&name),
                    "configuration",
                    error.message,
                    "run `descope-mgmt config validate --env ENV`",
                )),
            }
        }
    }
    checks.push(check_state_dir(&state_dir()));

    let healthy = checks.iter().all(|check| check.status != "FAIL");
    let report = DoctorReport {
        format_version: FORMAT_VERSION,
        healthy,
        checks,
    };
    let printer = &settings.printer;
    printer.report(&report, || {
        printer.table(
            &["ENV", "CHECK", "STATUS", "DETAIL", "FIX"],
            report
                .checks
                .iter()
                .map(|check| {
                    vec![
                        check.env.clone().unwrap_or_else(|| "-".to_owned()),
                        check.check.clone(),
                        check.status.clone(),
                        check.detail.clone(),
                        check.fix.clone().unwrap_or_else(|| "-".to_owned()),
                    ]
                })
                .collect(),
        )
    })?;
    Ok(if healthy { Exit::Success } else { Exit::Error })
}

async fn check_environment(config: &DescopeConfig, name: &str, checks: &mut Vec<CheckEntry>) {
    let Some(env) = config.environment(name) else {
        return;
    };
    if let Some(reason) = skip_reason(env) {
        checks.push(fail(
            Some(name),
            "variables",
            reason,
            format!(
                "set the variables that `environments.{name}.project_id` and \
                 `environments.{name}.management_key` name (process environment or .env)"
            ),
        ));
        return;
    }
    checks.push(pass(Some(name), "variables", "project id and key are set"));
    // One attempt, a short timeout: a doctor reports an outage, it does not ride it out.
    let connected = crate::connect::connect_tuned(config, name, |client| {
        client
            .with_retry(RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            })
            .with_timeout(CHECK_TIMEOUT)
    })
    .await;
    let connected = match connected {
        Ok(connected) => connected,
        Err(error) => {
            checks.push(fail(
                Some(name),
                "reachable",
                error.message,
                "check the environment's settings",
            ));
            return;
        }
    };
    let base_url = connected.client().base_url().to_owned();
    let first = connected.client().tenants().load_all().await;
    match &first {
        Err(error) if matches!(error.kind, ApiErrorKind::Connection | ApiErrorKind::Timeout) => {
            checks.push(fail(
                Some(name),
                "reachable",
                format!("no answer from {base_url}"),
                format!(
                    "check `environments.{name}.base_url` (else DESCOPE_BASE_URL), the network \
                     and any proxy"
                ),
            ));
        }
        _ => {
            checks.push(pass(Some(name), "reachable", format!("{base_url} answers")));
            checks.push(match &first {
                Err(error) if error.port_kind() == PortErrorKind::Unauthorized => fail(
                    Some(name),
                    "key",
                    format!("refused ({})", error.status.unwrap_or(0)),
                    key_fix(env, name),
                ),
                _ => pass(Some(name), "key", "accepted for the project"),
            });
            if first.as_ref().is_ok() {
                check_reads(&connected, name, checks).await;
            }
            checks.push(check_clock(name, connected.client().server_date()));
        }
    }
    checks.push(check_lock(name, connected.client()));
    if let Err(error) = connected.close().await {
        tracing::warn!("{}", error.message);
    }
}

fn key_fix(env: &EnvironmentConfig, name: &str) -> String {
    match env.connection() {
        Connection::Project { project_id, .. } => format!(
            "the variable `environments.{name}.management_key` names must hold a management key \
             of project {project_id} (Descope console: Company settings, Management keys)"
        ),
        Connection::Emulator { .. } => "the embedded emulator refused its own key: a bug".into(),
    }
}

/// One list call per managed kind, through the same port `plan` reads with.
async fn check_reads(
    connected: &crate::connect::Connected,
    name: &str,
    checks: &mut Vec<CheckEntry>,
) {
    for kind in ResourceKind::ALL {
        let check = format!("read {kind}");
        // No flow is wanted in full: listing proves the key can read flows without an export
        // per flow.
        let listed = read_live_state(
            connected.client(),
            &[kind],
            &ResourceSet::default(),
            name,
            Some(&FlowReads::default()),
        )
        .await;
        checks.push(match listed {
            Ok(_) => pass(Some(name), &check, "listed"),
            Err(error) => fail(
                Some(name),
                &check,
                error.message,
                "give the management key read access to this kind",
            ),
        });
    }
}

/// The local clock against the server's `Date` header. Audit lines, backups and lock records carry
/// local timestamps; a clock far off makes them misleading next to the server's own logs.
fn check_clock(name: &str, server_date: Option<String>) -> CheckEntry {
    let Some(date) = server_date else {
        return pass(
            Some(name),
            "clock",
            "the server sent no Date header; not checked",
        );
    };
    let Ok(server) = jiff::fmt::rfc2822::parse(&date).map(|zoned| zoned.timestamp()) else {
        return pass(
            Some(name),
            "clock",
            format!("unreadable server date {date:?}; not checked"),
        );
    };
    let skew = jiff::Timestamp::now().as_second() - server.as_second();
    if skew.abs() > MAX_CLOCK_SKEW_SECONDS {
        fail(
            Some(name),
            "clock",
            format!("the local clock is {skew:+} s off the server's"),
            "synchronise the clock (NTP: `timedatectl set-ntp true`)",
        )
    } else {
        pass(
            Some(name),
            "clock",
            format!("within {MAX_CLOCK_SKEW_SECONDS} s of the server ({skew:+} s)"),
        )
    }
}

/// Another run holding the project's lock. Only looks: it takes no lock and creates no file.
fn check_lock(name: &str, client: &DescopeClient) -> CheckEntry {
    let key = LockKey::new(client.project_id(), client.base_url());
    match ProjectLock::holder(&lock_dir(), &key) {
        Ok(None) => pass(Some(name), "lock", "free"),
        Ok(Some(holder)) => fail(
            Some(name),
            "lock",
            format!(
                "project {} is locked by another run ({holder})",
                key.project_id
            ),
            "wait for the other run to finish, or end its process if it hangs",
        ),
        Err(error) => fail(Some(name), "lock", error.to_string(), "check the lock file"),
    }
}

/// The state directory holds backups of live data and audit logs: it must be writable and
/// private to its owner.
fn check_state_dir(dir: &Path) -> CheckEntry {
    let check = "state directory";
    let Ok(metadata) = std::fs::metadata(dir) else {
        return pass(
            None,
            check,
            format!("{} (created by the first apply)", dir.display()),
        );
    };
    let mode = metadata.permissions().mode() & 0o777;
    if !metadata.is_dir() {
        fail(
            None,
            check,
            format!("{} is not a directory", dir.display()),
            "move it away or set DESCOPE_MGMT_STATE_DIR",
        )
    } else if mode & 0o200 == 0 {
        fail(
            None,
            check,
            format!("{} is not writable ({mode:o})", dir.display()),
            format!("chmod u+w {}", dir.display()),
        )
    } else if mode & 0o077 != 0 {
        fail(
            None,
            check,
            format!(
                "{} is readable by others ({mode:o}); it holds backups",
                dir.display()
            ),
            format!("chmod 700 {}", dir.display()),
        )
    } else {
        pass(None, check, format!("{} ({mode:o})", dir.display()))
    }
}

fn pass(env: Option<&str>, check: &str, detail: impl Into<String>) -> CheckEntry {
    CheckEntry {
        env: env.map(str::to_owned),
        check: check.to_owned(),
        status: "ok".to_owned(),
        detail: detail.into(),
        fix: None,
    }
}

fn fail(
    env: Option<&str>,
    check: &str,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> CheckEntry {
    CheckEntry {
        env: env.map(str::to_owned),
        check: check.to_owned(),
        status: "FAIL".to_owned(),
        detail: detail.into(),
        fix: Some(fix.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_date(offset_seconds: i64) -> String {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(offset_seconds);
        jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&at)
            .unwrap()
    }

    #[test]
    fn a_clock_minutes_off_the_server_fails_with_a_fix() {
        let off = check_clock("dev", Some(http_date(-120)));
        assert_eq!(off.status, "FAIL", "{off:?}");
        assert!(
            off.detail.contains("+120 s") || off.detail.contains("+119 s"),
            "{off:?}"
        );
        assert!(off.fix.unwrap().contains("NTP"));
        assert_eq!(check_clock("dev", Some(http_date(0))).status, "ok");
        let unreadable = check_clock("dev", Some("yesterday".into()));
        assert!(unreadable.detail.contains("not checked"), "{unreadable:?}");
    }
}
