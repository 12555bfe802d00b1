//! The write half of the pipeline, behind `apply` and every `sync`: show the plan → guards →
//! lock → backup → apply → summary → exit code.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use descope_mgmt_core::apply::{
    ApplyOptions, ApplyReport, ApplyStatus, FailureKind, Outcome, apply, estimate_calls,
};
use descope_mgmt_core::plan::{Action, Plan};
use descope_mgmt_core::safety::{
    BackupOrigin, BackupRun, check_audit_writable, check_deletes, current_user, write_backup,
};

use super::{Planned, state_dir};
use crate::exit::{CliError, Exit};
use crate::progress::{ApplyProgress, Audit};
use crate::render::plan as render;
use crate::report::{
    self as report, ApiEntry, FORMAT_VERSION, ResultEntry, RunReport, skip_reason_text, status_name,
};
use crate::settings::{Settings, WriteSettings};
use crate::signals::{StopSignal, StopSignals};

/// Shows the plan, then (unless `--dry-run`) guards, applies and reports.
pub async fn run(
    settings: &Settings,
    planned: &Planned,
    flags: &WriteSettings,
    started: Instant,
) -> Result<Exit, CliError> {
    let printer = &settings.printer;
    let human = printer.format() == crate::cli::Format::Table;
    let calls = planned.calls();
    if human {
        printer.data(&format!(
            "{}{}\n",
            render::human(&planned.env, &planned.plan, printer.palette()),
            calls.text()
        ))?;
    }
    if flags.dry_run {
        if let Err(refusal) = check_deletes(
            &planned.plan,
            flags.max_deletes,
            planned.protected,
            flags.allow_delete,
        ) {
            printer.note(format!(
                "note: without --dry-run this would be refused: {refusal}"
            ));
        }
        if human {
            printer.note("dry run: nothing was sent");
        } else {
            printer.report(
                &report::ApplyReport::new(&planned.env, &planned.plan, calls, None),
                String::new,
            )?;
        }
        return Ok(Exit::Success);
    }
    guards(settings, planned, flags)?;
    let summary = execute(settings, planned, flags, started).await?;
    if !human {
        let document =
            report::ApplyReport::new(&planned.env, &planned.plan, calls, Some(summary.report()));
        printer.report(&document, String::new)?;
    }
    finish(settings, &summary, flags)?;
    Ok(summary.exit())
}

/// What a finished (or refused before starting) write run produced.
#[derive(Debug)]
pub struct RunSummary {
    pub env: String,
    pub status: ApplyStatus,
    pub report: ApplyReport,
    pub unchanged: usize,
    /// Calls the run asked for; `requests` counts each attempt.
    pub calls: u64,
    pub requests: u64,
    /// Of `requests`, those sent to read the live state before the first write.
    pub read_requests: u64,
    /// The calls the plan takes when nothing fails.
    pub minimum_write_calls: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub limiter_wait: Duration,
    pub wall: Duration,
    pub backup: Option<PathBuf>,
    /// The signal that stopped the run, which decides its exit code.
    pub stop_signal: Option<StopSignal>,
}

impl RunSummary {
    fn count(&self, action: Action) -> usize {
        self.report
            .results
            .iter()
            .filter(|result| result.action == action && result.outcome.is_success())
            .count()
    }

    fn write_requests(&self) -> u64 {
        self.requests.saturating_sub(self.read_requests)
    }

    /// The `--report` document, also `result` in the JSON output.
    pub fn report(&self) -> RunReport {
        RunReport {
            format_version: FORMAT_VERSION,
            env: self.env.clone(),
            status: status_name(self.status),
            created: self.count(Action::Create),
            updated: self.count(Action::Update),
            deleted: self.count(Action::Delete),
            unchanged: self.unchanged,
            failed: self.report.failed(),
            skipped: self.report.skipped(),
            api: ApiEntry {
                calls: self.calls,
                requests: self.requests,
                read_requests: self.read_requests,
                write_requests: self.write_requests(),
                minimum_write_calls: self.minimum_write_calls,
                retries: self.retries,
                rate_limited: self.rate_limited,
                limiter_wait_ms: u64::try_from(self.limiter_wait.as_millis()).unwrap_or(u64::MAX),
            },
            wall_ms: u64::try_from(self.wall.as_millis()).unwrap_or(u64::MAX),
            backup: self.backup.as_ref().map(|path| path.display().to_string()),
            results: self
                .report
                .results
                .iter()
                .map(|result| ResultEntry {
                    kind: result.kind.to_string(),
                    id: result.id.clone(),
                    action: result.action.into(),
                    outcome: (&result.outcome).into(),
                })
                .collect(),
        }
    }

    pub fn text(&self) -> String {
        let mut text = format!(
            "Applied to {} in {:.2}s: {} created, {} updated, {} deleted, {} unchanged, {} failed, {} skipped\nAPI: {} calls ({} to read, {} to write; the plan needed {}), {} retries, {} rate-limited (429), {:.2}s waiting on the limiter",
            self.env,
            self.wall.as_secs_f64(),
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Delete),
            self.unchanged,
            self.report.failed(),
            self.report.skipped(),
            self.requests,
            self.read_requests,
            self.write_requests(),
            self.minimum_write_calls,
            self.retries,
            self.rate_limited,
            self.limiter_wait.as_secs_f64(),
        );
        for result in &self.report.results {
            match &result.outcome {
                // The resource exists: saying "failed" would send the operator to re-create it.
                Outcome::Failed {
                    message,
                    error: FailureKind::Incomplete,
                } => text.push_str(&format!(
                    "\n  {}, work left: {} {}: {message}",
                    done_word(result.action),
                    result.kind,
                    result.id
                )),
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
                    skip_reason_text(reason)
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
            ApplyStatus::Interrupted => {
                self.stop_signal.map_or(Exit::Interrupted, StopSignal::exit)
            }
        }
    }
}

/// "created", "updated", "deleted": what a change did when it landed.
fn done_word(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Delete => "deleted",
        Action::Unchanged => "unchanged",
    }
}

/// Refuses the run before anything is written: the blast-radius check, then the protected
/// environment's confirmation.
pub fn guards(
    settings: &Settings,
    planned: &Planned,
    flags: &WriteSettings,
) -> Result<(), CliError> {
    check_deletes(
        &planned.plan,
        flags.max_deletes,
        planned.protected,
        flags.allow_delete,
    )
    .map_err(|refusal| CliError::new(Exit::Refused, refusal.to_string()))?;
    if let Some(path) = &flags.report {
        check_writable(path).map_err(|error| {
            CliError::new(
                Exit::Error,
                format!(
                    "cannot write the report {}: {error}; nothing was sent",
                    path.display()
                ),
            )
        })?;
    }
    if planned.protected {
        crate::confirm::confirm_protected(&planned.env, settings.yes)?;
    }
    Ok(())
}

/// Opens `path` for writing without changing it, so a report that cannot be written is found
/// before the run writes anything rather than after (the run's outcome would be lost).
fn check_writable(path: &Path) -> std::io::Result<()> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    if !existed {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

/// This process as a backup records it: its command line (flags hold names and paths, never a
/// key), the user and the configuration's commit.
pub fn this_run(settings: &Settings) -> BackupRun {
    BackupRun {
        // `args_os`: a path argument that is not UTF-8 must not panic the run.
        command: std::env::args_os()
            .skip(1)
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        user: current_user(),
        git_commit: git_commit(&settings.config),
    }
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

/// lock → backup → apply (Ctrl-C, or a failed write to stdout/stderr, cancels; in-flight calls
/// finish) → summary. Call after [`guards`]; a plan without writes returns at once without
/// touching anything.
pub async fn execute(
    settings: &Settings,
    planned: &Planned,
    flags: &WriteSettings,
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
        calls: 0,
        requests: 0,
        read_requests: planned.read_requests,
        minimum_write_calls: estimate_calls(plan, &planned.client),
        retries: 0,
        rate_limited: 0,
        limiter_wait: Duration::ZERO,
        wall: Duration::ZERO,
        backup: None,
        stop_signal: None,
    };
    if !plan.is_empty() {
        // Registered before the first write so that no Ctrl-C, SIGTERM or SIGHUP from here on
        // kills the process mid-change: the first only stops new changes from starting.
        let signals = StopSignals::install()?;
        let _lock = super::lock_project(&planned.client, &planned.env, &settings.printer)?;
        let origin = BackupOrigin {
            env: planned.env.clone(),
            project_id: planned.client.project_id().to_owned(),
            run: this_run(settings),
            kinds: planned
                .kinds
                .iter()
                .copied()
                .filter(|kind| !planned.partial_kinds.contains(kind))
                .collect(),
        };
        let whole: Vec<_> = planned.live.iter_any().collect();
        let backup =
            write_backup(&dir, &origin, &whole, jiff::Timestamp::now()).map_err(|error| {
                CliError::new(
                    Exit::Error,
                    format!("backup failed, nothing written: {error}"),
                )
            })?;
        // Checked after the backup (which makes no API call) so a failed backup leaves no trace,
        // and before the first write, so no change goes out unaudited.
        check_audit_writable(&dir, &planned.env).map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("cannot write the audit log, nothing written: {error}"),
            )
        })?;
        let printer = &settings.printer;
        printer.note(format!("backup: {}", backup.display()));
        summary.backup = Some(backup);

        let progress = ApplyProgress::new(
            printer.clone(),
            Audit {
                dir: dir.clone(),
                env: planned.env.clone(),
                git_commit: git_commit(&settings.config),
            },
        );
        progress.watch_waits(&planned.client);
        // The client's own token, so a Ctrl-C also ends its Retry-After and limiter waits.
        let cancel = planned.client.cancel_token();
        let report = {
            // A signal, or an output stream that fails mid-run (stderr closed or full,
            // `2>&1 | head`), stops the run like Ctrl-C: writing on without anyone seeing the
            // outcome is worse.
            let (handler, received) = signals.cancel_on_first(cancel.clone(), printer.clone());
            let report = apply(
                plan,
                &planned.client,
                &ApplyOptions {
                    concurrency: flags.concurrency.unwrap_or(planned.concurrency) as usize,
                },
                &progress,
                &cancel,
            )
            .await;
            handler.abort();
            summary.stop_signal = received.get().copied();
            report
        };
        progress.finish();
        if let Some(error) = progress.audit_error() {
            printer.error(format!("warning: could not write the audit log: {error}"));
        }
        summary.status = report.exit_status();
        summary.report = report;
    }
    let stats = planned.client.stats();
    summary.calls = stats.calls;
    summary.requests = stats.requests;
    summary.retries = stats.retries;
    summary.rate_limited = stats.rate_limited;
    summary.limiter_wait = stats.limiter_wait;
    summary.wall = started.elapsed();
    Ok(summary)
}

/// Prints the run summary on stderr (with `-q` only when something went wrong) and writes
/// `--report FILE`.
pub fn finish(
    settings: &Settings,
    summary: &RunSummary,
    flags: &WriteSettings,
) -> Result<(), CliError> {
    if summary.status == ApplyStatus::Success {
        settings.printer.note(summary.text());
    } else {
        settings.printer.error(summary.text());
    }
    if let Some(path) = &flags.report {
        let text = serde_json::to_string_pretty(&summary.report()).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|error| {
            CliError::new(
                Exit::Error,
                format!("cannot write the report {}: {error}", path.display()),
            )
        })?;
    }
    Ok(())
}
