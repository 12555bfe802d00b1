//! The read-only half shared by `plan`, `drift` and the `diff` subcommands: plan one
//! environment and show it, or, with `--env all`, plan every environment concurrently into one
//! matrix.

use descope_mgmt_core::plan::Plan;

use super::{Planned, Selection};
use crate::cli::Format;
use crate::exit::{CliError, Exit};
use crate::render::markdown::{self, EnvPlan};
use crate::render::plan as render;
use crate::report::{FORMAT_VERSION, MatrixEntry, MatrixReport, PlanReportOut};
use crate::settings::Settings;

/// What makes a command report "changes pending" (exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// `plan`: what `apply` with the same flags would write.
    Writes,
    /// `diff` and `drift`: every difference, live resources the configuration does not name
    /// included.
    Differences,
}

impl Pending {
    pub fn in_plan(self, plan: &Plan) -> bool {
        !plan.is_empty() || (self == Self::Differences && !plan.unmanaged.is_empty())
    }

    /// Exit 2 when `detailed` and the plan has what this counts; else 0.
    pub fn exit(self, plan: &Plan, detailed: bool) -> Exit {
        if detailed && self.in_plan(plan) {
            Exit::ChangesPending
        } else {
            Exit::Success
        }
    }
}

/// load → connect → read → plan for `--env`, then `show` it; returns the plan once the
/// connection is closed.
pub fn plan_one(
    settings: &Settings,
    selection: &Selection,
    show: impl FnOnce(&Planned) -> Result<(), CliError>,
) -> Result<Plan, CliError> {
    super::in_env(settings, async |config, connected| {
        let planned = super::plan_env_owning(config, connected, selection).await?;
        show(&planned)?;
        Ok(planned.plan)
    })
}

/// Renders one environment's plan on stdout in the chosen format; `title` names the command
/// (`plan`, `drift`, `tenant diff`) in the markdown comment.
pub fn show(settings: &Settings, title: &str, planned: &Planned) -> Result<(), CliError> {
    let printer = &settings.printer;
    if printer.format() == Format::Markdown {
        let envs = [(
            planned.env.as_str(),
            EnvPlan::Planned(&planned.plan, planned.calls().text()),
        )];
        return print_markdown(settings, title, &envs);
    }
    let calls = planned.calls();
    let text = || {
        format!(
            "{}{}\n",
            render::human(&planned.env, &planned.plan, printer.palette()),
            calls.text()
        )
    };
    printer.report_with(
        || PlanReportOut::new(&planned.env, &planned.plan, calls.clone()),
        text,
    )?;
    Ok(())
}

fn print_markdown(
    settings: &Settings,
    title: &str,
    envs: &[(&str, EnvPlan<'_>)],
) -> Result<(), CliError> {
    let printer = &settings.printer;
    let comment = markdown::comment(title, envs, printer.palette(), markdown::SIZE_CAP);
    printer.data(&comment)?;
    Ok(())
}

/// One environment's row of the `--env all` matrix.
enum EnvOutcome {
    Planned(Box<Planned>),
    Skipped(String),
    Failed(CliError),
}

/// Plans every environment concurrently and prints one matrix. An environment without
/// credentials (empty project id or key) is "skipped", not an error: a checkout usually has
/// credentials for some environments only. Any other failure is shown in its row and makes
/// the exit code 1 (3 for invalid configuration) once every row is printed.
pub fn all_envs(
    settings: &Settings,
    title: &str,
    selection: &Selection,
    detailed: bool,
    pending: Pending,
) -> Result<Exit, CliError> {
    let base = crate::commands::load_valid(settings, None)?;
    let names: Vec<String> = base.environments().keys().cloned().collect();
    let runtime = crate::connect::runtime()?;
    let mut outcomes: Vec<(String, EnvOutcome)> = Vec::new();
    let mut jobs = Vec::new();
    for name in names {
        let config = match super::load_for_env(settings, &name) {
            Ok(config) => config,
            Err(error) => {
                outcomes.push((name, EnvOutcome::Failed(error)));
                continue;
            }
        };
        let env = config.environment(&name).cloned();
        if let Some(reason) = env.as_ref().and_then(super::skip_reason) {
            outcomes.push((name, EnvOutcome::Skipped(reason)));
            continue;
        }
        let selection = selection.clone();
        jobs.push(async move {
            let result = match crate::connect::connect(&config, &name).await {
                Ok(connected) => {
                    let result = super::plan_env(&config, &connected, &selection).await;
                    let closed = connected.close().await;
                    result.and_then(|planned| closed.map(|()| planned))
                }
                Err(error) => Err(error),
            };
            (
                name,
                match result {
                    Ok(planned) => EnvOutcome::Planned(Box::new(planned)),
                    Err(error) => EnvOutcome::Failed(error),
                },
            )
        });
    }
    outcomes.extend(runtime.block_on(futures::future::join_all(jobs)));
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));

    let mut exit = Exit::Success;
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    for (name, outcome) in &outcomes {
        match outcome {
            EnvOutcome::Planned(planned) => {
                let summary = planned.plan.summary();
                if detailed && pending.in_plan(&planned.plan) && exit == Exit::Success {
                    exit = Exit::ChangesPending;
                }
                rows.push(vec![
                    name.clone(),
                    summary.create.to_string(),
                    summary.update.to_string(),
                    summary.delete.to_string(),
                    summary.unchanged.to_string(),
                    summary.unmanaged.to_string(),
                    "ok".to_owned(),
                ]);
                entries.push(MatrixEntry {
                    env: name.clone(),
                    status: "ok".to_owned(),
                    reason: None,
                    plan: Some((&planned.plan).into()),
                    summary: Some((&planned.plan).into()),
                    calls: Some(planned.calls()),
                });
            }
            EnvOutcome::Skipped(reason) => {
                rows.push(skipped_row(name, &format!("skipped: {reason}")));
                entries.push(not_planned(name, "skipped", reason));
            }
            EnvOutcome::Failed(error) => {
                exit = worst(exit, error.exit);
                rows.push(skipped_row(name, &format!("error: {}", error.message)));
                entries.push(not_planned(name, "error", &error.message));
            }
        }
    }
    let report = MatrixReport {
        format_version: FORMAT_VERSION,
        environments: entries,
    };
    let printer = &settings.printer;
    if printer.format() == Format::Markdown {
        let envs: Vec<(&str, EnvPlan<'_>)> = outcomes
            .iter()
            .map(|(name, outcome)| {
                let row = match outcome {
                    EnvOutcome::Planned(planned) => {
                        EnvPlan::Planned(&planned.plan, planned.calls().text())
                    }
                    EnvOutcome::Skipped(reason) => {
                        EnvPlan::NotPlanned(format!("skipped: {reason}"))
                    }
                    EnvOutcome::Failed(error) => {
                        EnvPlan::NotPlanned(format!("error: {}", error.message))
                    }
                };
                (name.as_str(), row)
            })
            .collect();
        print_markdown(settings, title, &envs)?;
        return Ok(exit);
    }
    printer.report(&report, || {
        printer.table(
            &[
                "ENV",
                "CREATE",
                "UPDATE",
                "DELETE",
                "UNCHANGED",
                "NOT IN CONFIG",
                "STATUS",
            ],
            rows,
        )
    })?;
    Ok(exit)
}

fn not_planned(env: &str, status: &str, reason: &str) -> MatrixEntry {
    MatrixEntry {
        env: env.to_owned(),
        status: status.to_owned(),
        reason: Some(reason.to_owned()),
        plan: None,
        summary: None,
        calls: None,
    }
}

fn skipped_row(name: &str, status: &str) -> Vec<String> {
    let mut row = vec![name.to_owned()];
    row.extend(std::iter::repeat_n("-".to_owned(), 5));
    row.push(status.to_owned());
    row
}

/// Errors win over "changes pending"; invalid configuration is reported as such.
fn worst(current: Exit, new: Exit) -> Exit {
    match (current, new) {
        (Exit::ConfigInvalid, _) | (_, Exit::ConfigInvalid) => Exit::ConfigInvalid,
        _ => Exit::Error,
    }
}
