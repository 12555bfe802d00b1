//! `<kind> diff` and `<kind> sync` for every resource kind (`tenant`, `role`, `permission`, …):
//! the pipeline limited to one kind, so that `tenant sync --prune` can never delete a role, and
//! `--target ID` names resources of that kind.

use std::time::Instant;

use descope_mgmt_core::plan::ResourceKind;

use crate::cli::{SyncArgs, SyncDiffArgs};
use crate::exit::{CliError, Exit};
use crate::pipeline::read::{Pending, all_envs, plan_one, show};
use crate::pipeline::{self, Selection};
use crate::settings::{Settings, WriteSettings};

/// `<kind> diff`: every difference of one kind; exit 2 with `--detailed-exitcode` when there is
/// any, live resources the configuration does not name included (as `drift`).
pub fn diff(
    settings: &Settings,
    kind: ResourceKind,
    args: &SyncDiffArgs,
) -> Result<Exit, CliError> {
    let selection = Selection::one_kind(kind, &args.targets, args.selector.as_ref(), args.prune)?;
    let title = format!("{kind} diff");
    if settings.all_envs() {
        return all_envs(
            settings,
            &title,
            &selection,
            args.detailed_exitcode,
            Pending::Differences,
        );
    }
    let plan = plan_one(settings, &selection, |planned| {
        show(settings, &title, planned)
    })?;
    Ok(Pending::Differences.exit(&plan, args.detailed_exitcode))
}

/// `<kind> sync`: plan one kind, then the write half of the pipeline.
pub fn sync(settings: &Settings, kind: ResourceKind, args: &SyncArgs) -> Result<Exit, CliError> {
    let started = Instant::now();
    let flags = WriteSettings::resolve(&args.write);
    let selection = Selection::one_kind(kind, &args.targets, args.selector.as_ref(), args.prune)?;
    pipeline::in_env(settings, async |config, connected| {
        let planned = pipeline::plan_env_owning(config, connected, &selection).await?;
        pipeline::write::run(settings, &planned, &flags, started).await
    })
}
