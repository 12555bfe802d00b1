//! The write half of the pipeline: guards → lock → backup → apply → summary → exit code.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use descope_mgmt_core::apply::{ApplyOptions, ApplyReport, ApplyStatus, Outcome, apply};
use descope_mgmt_core::plan::{Action, Plan};
use descope_mgmt_core::safety::{
    EnvLock, LockError, check_deletes, touched_live_state, write_backup,
};
use serde_json::{Value, json};

use super::{Planned, state_dir};
use crate::cli::GlobalArgs;
use crate::exit::{CliError, Exit};
use crate::progress::{ApplyProgress, Audit};

/// Flags of the commands that write.
#[derive(Debug, Clone)]
pub struct WriteFlags {
    pub dry_run: bool,
    pub allow_delete: bool,
    pub max_deletes: usize,
    pub report: Option<PathBuf>,
}

/// What a finished (or refused before starting) write run produced.
#[derive(Debug)]
pub struct RunSummary {
    pub env: String,
    pub status: ApplyStatus,
    pub report: ApplyReport,
    pub unchanged: usize,
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub limiter_wait: Duration,
    pub wall: Duration,
    pub backup: Option<PathBuf>,
}

impl RunSummary {
    fn count(&self, action: Action) -> usize {
        self.report
            .results
            .iter()
            .filter(|result| result.action == action && result.outcome.is_success())
            .count()
    }

    /// The `--report` document (also embedded in JSON output):
    /// `{"env", "status", "created", "updated", "deleted", "unchanged", "failed", "skipped",
    ///   "api": {"requests", "retries", "rate_limited", "limiter_wait_ms"}, "wall_ms",
    ///   "backup", "results": [{"kind", "id", "action", "outcome": {"status", ...}}]}`.
    pub fn json(&self) -> Value {
        json!({
            "env": self.env,
            "status": self.status,
            "created": self.count(Action::Create),
            "updated": self.count(Action::Update),
            "deleted": self.count(Action::Delete),
            "unchanged": self.unchanged,
            "failed": self.report.failed(),
            "skipped": self.report.skipped(),
            "api": {
                "requests": self.requests,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "limiter_wait_ms": self.limiter_wait.as_millis() as u64,
            },
            "wall_ms": self.wall.as_millis() as u64,
            "backup": self.backup,
            "results": self.report.results,
        })
    }

    pub fn text(&self) -> String {
        let mut text = format!(
            "Applied to {} in {:.2}s: {} created, {} updated, {} deleted, {} unchanged, {} failed, {} skipped\nAPI: {} calls, {} retries, {} rate-limited (429), {:.2}s waiting on the limiter",
            self.env,
            self.wall.as_secs_f64(),
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Delete),
            self.unchanged,
            self.report.failed(),
            self.report.skipped(),
            self.requests,
            self.retries,
            self.rate_limited,
            self.limiter_wait.as_secs_f64(),
        );
        for result in &self.report.results {
            match &result.outcome {
                Outcome::Failed { message, .. } => text.push_str(&format!(
                    "\n  failed: {} {} {}: {message}",
                    result.action.as_str(),
                    result.kind,
                    result.id
                )),
                Outcome::Skipped { reason } => text.push_str(&format!(
                    "\n  skipped: {} {} {}: {}",
                    result.action.as_str(),
                    result.kind,
                    result.id,
                    serde_json::to_string(reason).unwrap_or_default()
                )),
                Outcome::Succeeded { .. } => {}
            }
        }
        text
    }

    pub fn exit(&self) -> Exit {
        match self.status {
            ApplyStatus::Success => Exit::Success,
            ApplyStatus::Partial => Exit::PartialApply,
            ApplyStatus::Interrupted => Exit::Interrupted,
        }
    }
}

/// Refuses the run before anything is written: the blast-radius check, then the protected
/// environment's confirmation.
pub fn guards(global: &GlobalArgs, planned: &Planned, flags: &WriteFlags) -> Result<(), CliError> {
    check_deletes(
        &planned.plan,
        flags.max_deletes,
        planned.protected,
        flags.allow_delete,
    )
    .map_err(|refusal| CliError::new(Exit::Refused, refusal.to_string()))?;
    if planned.protected {
        crate::confirm::confirm_protected(&planned.env, global.yes)?;
    }
    Ok(())
}

/// The configuration's git commit, for audit lines; none outside a repository.
fn git_commit(config: &Path) -> Option<String> {
    let dir = config.parent().filter(|dir| !dir.as_os_str().is_empty())?;
    let output = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|commit| !commit.is_empty())
}

/// lock → backup → apply (Ctrl-C cancels; in-flight calls finish) → summary. Call after
/// [`guards`]; a plan without writes returns at once without touching anything.
pub async fn execute(
    global: &GlobalArgs,
    planned: &Planned,
    started: Instant,
) -> Result<RunSummary, CliError> {
    let plan: &Plan = &planned.plan;
    let unchanged = plan.summary().unchanged;
    let dir = state_dir();
    let mut summary = RunSummary {
        env: planned.env.clone(),
        status: ApplyStatus::Success,
        report: ApplyReport::default(),
        unchanged,
        requests: 0,
        retries: 0,
        rate_limited: 0,
        limiter_wait: Duration::ZERO,
        wall: Duration::ZERO,
        backup: None,
    };
    if !plan.is_empty() {
        // Registered before the first write so that no Ctrl-C from here on kills the process
        // mid-change: it only stops new changes from starting.
        let mut interrupt = tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::interrupt(),
        )
        .map_err(|error| CliError::new(Exit::Error, format!("cannot watch for Ctrl-C: {error}")))?;
        let _lock = EnvLock::acquire(&dir, &planned.env).map_err(|error| match error {
            LockError::Held { .. } => CliError::new(Exit::Refused, error.to_string()),
            LockError::File(_) => CliError::new(Exit::Error, error.to_string()),
        })?;
        let backup = write_backup(
            &dir,
            &planned.env,
            &touched_live_state(plan),
            jiff::Timestamp::now(),
        )
        .map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("backup failed, nothing written: {error}"),
            )
        })?;
        eprintln!("backup: {}", backup.display());
        summary.backup = Some(backup);

        let progress = ApplyProgress::new(
            global.no_progress,
            global.quiet,
            Audit {
                dir: dir.clone(),
                env: planned.env.clone(),
                git_commit: git_commit(&global.config),
            },
        );
        // The client's own token, so a Ctrl-C also ends its Retry-After and limiter waits.
        let cancel = planned.project.cancel_token();
        let report = {
            let handler = {
                let cancel = cancel.clone();
                tokio::spawn(async move {
                    if interrupt.recv().await.is_some() {
                        eprintln!("interrupted: letting in-flight calls finish…");
                        cancel.cancel();
                    }
                })
            };
            let report = apply(
                plan,
                &planned.project,
                &ApplyOptions::default(),
                &progress,
                &cancel,
            )
            .await;
            handler.abort();
            report
        };
        progress.finish();
        if let Some(error) = progress.audit_error() {
            eprintln!("warning: could not write the audit log: {error}");
        }
        summary.status = report.exit_status();
        summary.report = report;
    }
    let stats = planned.project.stats();
    summary.requests = stats.requests;
    summary.retries = stats.retries;
    summary.rate_limited = stats.rate_limited;
    summary.limiter_wait = stats.limiter_wait;
    summary.wall = started.elapsed();
    Ok(summary)
}

/// Prints the run summary on stderr and writes `--report FILE`.
pub fn finish(summary: &RunSummary, flags: &WriteFlags, quiet: bool) -> Result<(), CliError> {
    if !quiet || summary.status != ApplyStatus::Success {
        eprintln!("{}", summary.text());
    }
    if let Some(path) = &flags.report {
        let mut document = json!({"format_version": crate::output::FORMAT_VERSION});
        if let (Some(object), Value::Object(fields)) = (document.as_object_mut(), summary.json()) {
            object.extend(fields);
        }
        let text = serde_json::to_string_pretty(&document).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("cannot write the report {}: {error}", path.display()),
            )
        })?;
    }
    Ok(())
}
