//! The blast-radius check: which deletions a plan may carry before apply runs it.

use crate::plan::{Action, Plan};

/// `--max-deletes` when not given.
pub const DEFAULT_MAX_DELETES: usize = 10;

/// Apply refused to run a plan (the CLI exits 4).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetyRefusal {
    #[error(
        "refusing to delete {count} resource(s): the plan was not made with --prune (was it edited?)"
    )]
    DeletesWithoutPrune { count: usize },
    #[error(
        "refusing to delete {count} resource(s) in a protected environment: pass --allow-delete to allow it"
    )]
    ProtectedDeletes { count: usize },
    #[error(
        "refusing to delete {count} resources, more than the limit of {max}: pass --max-deletes {count} to allow it"
    )]
    TooManyDeletes { count: usize, max: usize },
}

/// Checks the deletions of `plan`: only a pruning plan may delete, a protected environment also
/// needs `allow_delete`, and never more than `max_deletes` at once.
pub fn check_deletes(
    plan: &Plan,
    max_deletes: usize,
    protected: bool,
    allow_delete: bool,
) -> Result<(), SafetyRefusal> {
    let count = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Delete)
        .count();
    if count == 0 {
        return Ok(());
    }
    if !plan.prune {
        return Err(SafetyRefusal::DeletesWithoutPrune { count });
    }
    if protected && !allow_delete {
        return Err(SafetyRefusal::ProtectedDeletes { count });
    }
    if count > max_deletes {
        return Err(SafetyRefusal::TooManyDeletes {
            count,
            max: max_deletes,
        });
    }
    Ok(())
}
