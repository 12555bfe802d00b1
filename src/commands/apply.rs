//! `apply [PLANFILE]`: plan (or load a saved plan and refuse it if stale), then the write half
//! of the pipeline. Also the body of every `sync` subcommand.

use std::path::Path;
use std::time::Instant;

use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::plan::check_fresh;
use serde_json::json;

use crate::cli::{ApplyArgs, GlobalArgs};
use crate::connect::Connected;
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
    match &args.planfile {
        Some(path) => {
            let file = read_plan_file(global, path)?;
            let config = pipeline::load_for_env(global, &file.env)?;
            let env = file.env.clone();
            crate::connect::runtime()?.block_on(crate::connect::with_connection(
                &config,
                &env,
                async |connected| {
                    let planned = fresh(&config, connected, file).await?;
                    sync(global, &planned, &flags, started).await
                },
            ))
        }
        None => {
            let selection = Selection::all_kinds(&args.target, args.prune);
            pipeline::in_env(global, async |config, connected| {
                let planned = pipeline::plan_env(config, connected, &selection).await?;
                sync(global, &planned, &flags, started).await
            })
        }
    }
}

/// Shows the plan, then (unless `--dry-run`) guards, applies and reports.
pub async fn sync(
    global: &GlobalArgs,
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
        if let Err(refusal) = descope_mgmt_core::safety::check_deletes(
            &planned.plan,
            flags.max_deletes,
            planned.protected,
            flags.allow_delete,
        ) {
            eprintln!("note: without --dry-run this would be refused: {refusal}");
        }
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
    let summary = write::execute(global, planned, started).await?;
    if global.format != crate::cli::Format::Table {
        let mut document = render::document(&planned.env, &planned.plan);
        document["result"] = summary.json();
        output::emit(global.format, document, String::new)?;
    }
    write::finish(&summary, flags, global.quiet)?;
    Ok(summary.exit())
}

/// Reads and checks a saved plan; `--env`, when given, must name the plan's environment.
fn read_plan_file(global: &GlobalArgs, path: &Path) -> Result<PlanFile, CliError> {
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
    Ok(file)
}

/// Re-reads the live state of the kinds a saved plan covers and refuses it (exit 4) when
/// anything it touches changed since it was made.
async fn fresh(
    config: &DescopeConfig,
    connected: &Connected,
    file: PlanFile,
) -> Result<Planned, CliError> {
    let client = connected.client().clone();
    let desired = pipeline::desired_set(config, &file.env);
    let actual = pipeline::read_live(&client, &file.kinds, &desired, &file.env).await?;
    check_fresh(&file.plan, &actual).map_err(|stale| {
        CliError::new(Exit::Refused, format!("the plan is stale: {stale}"))
            .with_hint("run `descope-mgmt plan --out FILE` again")
    })?;
    Ok(Planned {
        env: file.env,
        protected: connected.env().protected(),
        plan: file.plan,
        client,
        kinds: file.kinds,
    })
}
