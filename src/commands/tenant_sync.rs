//! `tenant|role|permission diff` and `sync`: the pipeline limited to one kind, so that
//! `tenant sync --prune` can never delete a role, and `--target ID` names resources of that kind.

use std::time::Instant;

use descope_mgmt_core::plan::ResourceKind;

use crate::cli::{GlobalArgs, SyncArgs, SyncDiffArgs};
use crate::exit::{CliError, Exit};
use crate::pipeline::write::WriteFlags;
use crate::pipeline::{self, Selection};

use super::plan::{ALL_ENVS, all_envs, pending_exit, plan_one, show};

/// `<kind> diff`: the plan of one kind; exit 2 with `--detailed-exitcode` when it would write.
pub fn diff(
    global: &GlobalArgs,
    kind: ResourceKind,
    args: &SyncDiffArgs,
) -> Result<Exit, CliError> {
    let selection = Selection::one_kind(kind, &args.targets, false);
    if global.env.as_deref() == Some(ALL_ENVS) {
        return all_envs(global, &selection, args.detailed_exitcode, false);
    }
    let plan = plan_one(global, &selection, |planned| show(global, planned))?;
    Ok(pending_exit(&plan, args.detailed_exitcode))
}

/// `<kind> sync`: plan one kind, then the write half of the pipeline.
pub fn sync(global: &GlobalArgs, kind: ResourceKind, args: &SyncArgs) -> Result<Exit, CliError> {
    let started = Instant::now();
    let flags = WriteFlags {
        dry_run: args.dry_run,
        allow_delete: args.allow_delete,
        max_deletes: args.max_deletes,
        report: args.report.clone(),
    };
    let selection = Selection::one_kind(kind, &args.targets, args.prune);
    pipeline::in_env(global, async |config, connected| {
        let planned = pipeline::plan_env(config, connected, &selection).await?;
        super::apply::sync(global, &planned, &flags, started).await
    })
}
