//! `drift`: does the live state differ from the configuration? Exit 2 when it does, counting
//! live resources the configuration does not name; 0 when it does not.

use crate::cli::DriftArgs;
use crate::exit::{CliError, Exit};
use crate::pipeline::Selection;
use crate::pipeline::read::{Pending, all_envs, plan_one, show};
use crate::settings::Settings;

pub fn run(settings: &Settings, args: &DriftArgs) -> Result<Exit, CliError> {
    let selection = Selection::all_kinds(&args.target, args.selector.as_ref(), false)
        .with_strict_layout(args.strict_layout);
    if settings.all_envs() {
        return all_envs(settings, "drift", &selection, true, Pending::Differences);
    }
    let plan = plan_one(settings, &selection, |planned| {
        show(settings, "drift", planned)
    })?;
    Ok(Pending::Differences.exit(&plan, true))
}
