//! `apply [PLANFILE]`: plan (or load a saved plan and refuse it if stale), then the write half
//! of the pipeline. Also the body of every `sync` subcommand.

use std::path::Path;
use std::time::Instant;

use descope_mgmt_core::plan::check_fresh;
use serde_json::json;

use crate::cli::{ApplyArgs, GlobalArgs};
use crate::exit::{CliError, Exit};
use crate::output;
use crate::pipeline::write::{self, WriteFlags};
use crate::pipeline::{self, Planned, Selection};
use crate::render::plan as render;

use super::plan::{PlanFile, palette};

pub fn run(global: &GlobalArgs, args: &ApplyArgs) -> Result<Exit, CliError> {
    let flags = WriteFlags {
        dry_run: args.write.dry_run,
        allow_delete: args.write.allow_delete,
        max_deletes: args.write.max_deletes,
        report: args.write.report.clone(),
    };
    let started = Instant::now();
    let runtime = pipeline::runtime()?;
    let planned = match &args.planfile {
        Some(path) => runtime.block_on(load_fresh(global, path))?,
        None => {
            let env = pipeline::env_name(global)?;
            let config = pipeline::load_for_env(global, &env)?;
            let selection = Selection::all_kinds(&args.target, args.prune);
            runtime.block_on(pipeline::plan_env(&config, &env, &selection))?
        }
    };
    sync(global, &runtime, &planned, &flags, started)
}

/// Shows the plan, then (unless `--dry-run`) guards, applies and reports.
pub fn sync(
    global: &GlobalArgs,
    runtime: &tokio::runtime::Runtime,
    planned: &Planned,
    flags: &WriteFlags,
    started: Instant,
) -> Result<Exit, CliError> {
    if global.format == crate::cli::Format::Table {
        output::write_stdout(&render::human(
            &planned.env,
            &planned.plan,
            palette(global.color),
        ))?;
    }
    if flags.dry_run {
        if global.format != crate::cli::Format::Table {
            let mut document = render::document(&planned.env, &planned.plan);
            document["dry_run"] = json!(true);
            output::emit(global.format, document, String::new)?;
        } else {
            eprintln!("dry run: nothing was sent");
        }
        return Ok(Exit::Success);
    }
    write::guards(global, planned, flags)?;
    let summary = write::execute(runtime, global, planned, started)?;
    if global.format != crate::cli::Format::Table {
        let mut document = render::document(&planned.env, &planned.plan);
        document["result"] = summary.json();
        output::emit(global.format, document, String::new)?;
    }
    write::finish(&summary, flags, global.quiet)?;
    Ok(summary.exit())
}

/// Reads a saved plan, connects to its environment, re-reads the live state of the kinds it
/// covers and refuses it (exit 4) when anything it touches changed since.
async fn load_fresh(global: &GlobalArgs, path: &Path) -> Result<Planned, CliError> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("cannot read the plan {}: {error}", path.display()),
        )
    })?;
    let file: PlanFile = serde_json::from_str(&text).map_err(|error| {
        CliError::new(
            Exit::Error,
            format!("{} is not a plan file: {error}", path.display()),
        )
    })?;
    if file.format_version != output::FORMAT_VERSION {
        return Err(CliError::new(
            Exit::Error,
            format!(
                "{} has format_version {}, this version reads {}",
                path.display(),
                file.format_version,
                output::FORMAT_VERSION
            ),
        ));
    }
    if let Some(env) = &global.env
        && env != &file.env
    {
        return Err(CliError::new(
            Exit::Refused,
            format!("the plan is for `{}`, not `{env}`", file.env),
        ));
    }
    let config = pipeline::load_for_env(global, &file.env)?;
    let environment = config.environment(&file.env).ok_or_else(|| {
        CliError::config_invalid(format!("environment `{}` is not defined", file.env))
    })?;
    let project = pipeline::connect(&file.env, environment)?;
    let desired = pipeline::desired_set(&config, &file.env);
    let actual = pipeline::read_live(&project, &file.kinds, &desired, &file.env).await?;
    check_fresh(&file.plan, &actual).map_err(|stale| {
        CliError::new(Exit::Refused, format!("the plan is stale: {stale}"))
            .with_hint("run `descope-mgmt plan --out FILE` again")
    })?;
    Ok(Planned {
        env: file.env,
        protected: environment.protected(),
        plan: file.plan,
        project,
        kinds: file.kinds,
    })
}
