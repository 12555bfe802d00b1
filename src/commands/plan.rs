//! `plan` (every kind): what `apply` would change with the same flags, for one environment or,
//! with `--env all`, every environment as one matrix; `--out FILE` saves it for `apply FILE`.

use crate::cli::PlanArgs;
use crate::exit::{CliError, Exit};
use crate::pipeline::read::{Pending, all_envs, plan_one, show};
use crate::pipeline::{Selection, plan_file};
use crate::settings::Settings;

pub fn run(settings: &Settings, args: &PlanArgs) -> Result<Exit, CliError> {
    let selection = Selection::all_kinds(&args.target, args.selector.as_ref(), args.prune);
    if settings.all_envs() {
        if args.out.is_some() {
            return Err(CliError::new(
                Exit::Usage,
                "--out saves the plan of one environment, not of --env all",
            ));
        }
        return all_envs(
            settings,
            "plan",
            &selection,
            args.detailed_exitcode,
            Pending::Writes,
        );
    }
    let plan = plan_one(settings, &selection, |planned| {
        show(settings, "plan", planned)?;
        if let Some(out) = &args.out {
            plan_file::save(settings, out, planned)?;
            settings
                .printer
                .note(format!("plan saved to {}", out.display()));
        }
        Ok(())
    })?;
    Ok(Pending::Writes.exit(&plan, args.detailed_exitcode))
}
