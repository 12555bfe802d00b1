//! The guards around apply, all local and synchronous: the blast-radius check on deletions,
//! backups of the live state before writing, the per-project lock and the audit log.
//! Backups and audit logs live under one state directory, locks in a per-user one (both chosen
//! by the CLI).

mod audit;
mod backup;
mod blast;
pub(crate) mod files;
mod lock;

#[cfg(test)]
mod tests;

pub use audit::{AuditRecord, append_audit, check_audit_writable, current_user};
pub use backup::{
    BACKUP_FORMAT_VERSION, BackupDocument, BackupEntry, BackupError, BackupOrigin, BackupRun,
    ListedBackup, backup_envs, backup_id, find_backup, list_backups, read_backup,
    touched_live_state, write_backup,
};
pub use blast::{DEFAULT_MAX_DELETES, SafetyRefusal, check_deletes};
pub use files::StateFileError;
pub use lock::{Holder, LockError, LockKey, ProjectLock};
