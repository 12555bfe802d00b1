//! `drift`: does the live state differ from the configuration? Exit 2 when it does, counting
//! live resources the configuration does not name; 0 when it does not.

use crate::cli::{DriftArgs, GlobalArgs};
use crate::exit::{CliError, Exit};
use crate::pipeline::Selection;

use super::plan::{ALL_ENVS, all_envs, plan_one, show};

pub fn run(global: &GlobalArgs, args: &DriftArgs) -> Result<Exit, CliError> {
    let selection = Selection::all_kinds(&args.target, false);
    if global.env.as_deref() == Some(ALL_ENVS) {
        return all_envs(global, &selection, true, true);
    }
    let plan = plan_one(global, &selection, |planned| show(global, planned))?;
    let drifted = !plan.is_empty() || !plan.unmanaged.is_empty();
    Ok(if drifted {
        Exit::ChangesPending
    } else {
        Exit::Success
    })
}
