//! `apply [PLANFILE]`: plan (or load a saved plan and refuse it if stale), then the write half
//! of the pipeline.

use std::path::Path;
use std::time::Instant;

use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::plan::check_fresh;

use crate::cli::ApplyArgs;
use crate::connect::Connected;
use crate::exit::{CliError, Exit};
use crate::pipeline::plan_file::{self, PlanFile};
use crate::pipeline::{self, Planned, Selection};
use crate::settings::{EnvTarget, Settings, WriteSettings};

pub fn run(settings: &Settings, args: &ApplyArgs) -> Result<Exit, CliError> {
    let flags = WriteSettings::resolve(&args.write);
    let started = Instant::now();
    match &args.planfile {
        Some(path) => {
            let file = read_plan_file(settings, path)?;
            let config = pipeline::load_for_env(settings, &file.env)?;
            let env = file.env.clone();
            crate::connect::runtime()?.block_on(crate::connect::with_connection(
                &config,
                &env,
                async |connected| {
                    let planned = fresh(&config, connected, file).await?;
                    pipeline::write::run(settings, &planned, &flags, started).await
                },
            ))
        }
        None => {
            let selection = Selection::all_kinds(&args.target, args.selector.as_ref(), args.prune)
                .with_rotate_secrets(args.rotate_secrets)
                .with_strict_layout(args.strict_layout);
            pipeline::in_env(settings, async |config, connected| {
                let planned = pipeline::plan_env_owning(config, connected, &selection).await?;
                pipeline::write::run(settings, &planned, &flags, started).await
            })
        }
    }
}

/// Reads and checks a saved plan; `--env`, when given, must name the plan's environment.
fn read_plan_file(settings: &Settings, path: &Path) -> Result<PlanFile, CliError> {
    let file = plan_file::read(settings, path)?;
    match &settings.env {
        Some(EnvTarget::One(env)) if env.as_str() != file.env => Err(CliError::new(
            Exit::Refused,
            format!("the plan is for `{}`, not `{env}`", file.env),
        )),
        Some(EnvTarget::All) => Err(CliError::new(
            Exit::Usage,
            "--env all cannot apply a saved plan, which is for one environment",
        )),
        _ => Ok(file),
    }
}

/// Re-reads the live state of the kinds a saved plan covers and refuses it (exit 4) when
/// anything it touches changed since it was made.
async fn fresh(
    config: &DescopeConfig,
    connected: &Connected,
    file: PlanFile,
) -> Result<Planned, CliError> {
    let client = pipeline::with_sso_configs(connected.client(), config);
    let mut desired = pipeline::desired_set(config, &file.env);
    let flows = pipeline::FlowReads::touched_by(&file.plan);
    let live = pipeline::read_live(
        &client,
        &file.kinds,
        &mut desired,
        file.plan.prune,
        &file.env,
        Some(&flows),
    )
    .await?;
    check_fresh(&file.plan, &live.actual).map_err(|stale| {
        CliError::new(Exit::Refused, stale.to_string())
            .with_hint("run `descope-mgmt plan --out FILE` again")
    })?;
    let read_requests = client.stats().requests;
    Ok(Planned {
        env: file.env,
        protected: connected.env().protected(),
        plan: file.plan,
        client,
        kinds: file.kinds,
        concurrency: connected.env().concurrency(),
        pacing: connected.env().pacing(),
        read_requests,
        partial_kinds: live.partial_kinds(),
        live: pipeline::whole_live_state(live.actual, live.documents),
    })
}
