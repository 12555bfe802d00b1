//! `plan` (every kind) and the read-only half shared by `drift` and the `diff` subcommands:
//! plan one environment or, with `--env all`, every environment concurrently into one matrix.

use std::path::Path;

use descope_mgmt_core::plan::{Plan, ResourceKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::{ColorChoice, GlobalArgs, PlanArgs};
use crate::exit::{CliError, Exit};
use crate::output;
use crate::pipeline::{self, Planned, Selection};
use crate::render::plan::{self as render, Palette};

/// `--env all`: the pseudo-environment that means every one.
pub const ALL_ENVS: &str = "all";

/// A saved plan (`plan --out`): the plan document plus the kinds whose live state it read, so
/// `apply PLANFILE` re-reads the same kinds to check freshness.
#[derive(Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub format_version: u64,
    pub env: String,
    pub kinds: Vec<ResourceKind>,
    pub plan: Plan,
}

pub fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<Exit, CliError> {
    let selection = Selection::all_kinds(&args.target, false);
    if global.env.as_deref() == Some(ALL_ENVS) {
        if args.out.is_some() {
            return Err(CliError::new(
                Exit::Usage,
                "--out saves the plan of one environment, not of --env all",
            ));
        }
        return all_envs(global, &selection, args.detailed_exitcode, false);
    }
    let plan = plan_one(global, &selection, |planned| {
        show(global, planned)?;
        if let Some(out) = &args.out {
            save(out, planned)?;
            eprintln!("plan saved to {}", out.display());
        }
        Ok(())
    })?;
    Ok(pending_exit(&plan, args.detailed_exitcode))
}

/// Exit 2 when `detailed` and the plan would write.
pub fn pending_exit(plan: &Plan, detailed: bool) -> Exit {
    if detailed && !plan.is_empty() {
        Exit::ChangesPending
    } else {
        Exit::Success
    }
}

/// load → connect → read → plan for `--env`, then `show` it; returns the plan once the
/// connection is closed.
pub fn plan_one(
    global: &GlobalArgs,
    selection: &Selection,
    show: impl FnOnce(&Planned) -> Result<(), CliError>,
) -> Result<Plan, CliError> {
    pipeline::in_env(global, async |config, connected| {
        let planned = pipeline::plan_env(config, connected, selection).await?;
        show(&planned)?;
        Ok(planned.plan)
    })
}

pub fn palette(color: ColorChoice) -> Palette {
    use std::io::IsTerminal;
    Palette::new(match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    })
}

/// Renders one environment's plan on stdout in the chosen format.
pub fn show(global: &GlobalArgs, planned: &Planned) -> Result<(), CliError> {
    output::emit(
        global.format,
        render::document(&planned.env, &planned.plan),
        || render::human(&planned.env, &planned.plan, palette(global.color)),
    )?;
    Ok(())
}

fn save(path: &Path, planned: &Planned) -> Result<(), CliError> {
    let file = PlanFile {
        format_version: output::FORMAT_VERSION,
        env: planned.env.clone(),
        kinds: planned.kinds.clone(),
        plan: planned.plan.clone(),
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|error| CliError::new(Exit::Error, error.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot write the plan to {}: {error}", path.display()),
        )
    })
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
/// `count_unmanaged`: drift also counts live resources absent from the config as pending.
pub fn all_envs(
    global: &GlobalArgs,
    selection: &Selection,
    detailed: bool,
    count_unmanaged: bool,
) -> Result<Exit, CliError> {
    let base = super::load_valid(global, None)?;
    let names: Vec<String> = base.environments().keys().cloned().collect();
    let runtime = crate::connect::runtime()?;
    let mut outcomes: Vec<(String, EnvOutcome)> = Vec::new();
    let mut jobs = Vec::new();
    for name in names {
        let config = match pipeline::load_for_env(global, &name) {
            Ok(config) => config,
            Err(error) => {
                outcomes.push((name, EnvOutcome::Failed(error)));
                continue;
            }
        };
        let env = config.environment(&name).cloned();
        if let Some(reason) = env.as_ref().and_then(pipeline::skip_reason) {
            outcomes.push((name, EnvOutcome::Skipped(reason)));
            continue;
        }
        let selection = selection.clone();
        jobs.push(async move {
            let result = match crate::connect::connect(&config, &name).await {
                Ok(connected) => {
                    let result = pipeline::plan_env(&config, &connected, &selection).await;
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
    let mut documents = Vec::new();
    for (name, outcome) in &outcomes {
        match outcome {
            EnvOutcome::Planned(planned) => {
                let summary = planned.plan.summary();
                let pending =
                    !planned.plan.is_empty() || (count_unmanaged && summary.unmanaged > 0);
                if pending && detailed && exit == Exit::Success {
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
                let mut document = render::document(name, &planned.plan);
                document["status"] = json!("ok");
                documents.push(document);
            }
            EnvOutcome::Skipped(reason) => {
                rows.push(skipped_row(name, &format!("skipped: {reason}")));
                documents.push(json!({"env": name, "status": "skipped", "reason": reason}));
            }
            EnvOutcome::Failed(error) => {
                exit = worst(exit, error.exit);
                rows.push(skipped_row(name, &format!("error: {}", error.message)));
                documents.push(json!({"env": name, "status": "error", "reason": error.message}));
            }
        }
    }
    output::emit(global.format, json!({"environments": documents}), || {
        output::table(
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
            global.color,
        )
    })?;
    Ok(exit)
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
