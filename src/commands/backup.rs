//! `backup list | create | show ID | restore ID`: the backups under the state directory
//! (`backups/<env>/<id>.json`, written before every apply and by `backup create`), and the way
//! back. `restore` plans with the backup as the desired state, for the kinds it holds, and goes
//! through the write half of the pipeline exactly as `apply` does (blast radius, protected
//! confirmation, lock, a new backup first, audit, `--dry-run`). A backup of another project or
//! another format version is refused with exit 3 before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Instant;

use descope_mgmt_core::plan::{Action, PlanOptions, ResourceKind};
use descope_mgmt_core::safety::{
    BackupDocument, BackupError, BackupOrigin, ListedBackup, backup_envs, backup_id, find_backup,
    list_backups, read_backup, write_backup,
};

use crate::cli::RestoreArgs;
use crate::exit::{CliError, Exit};
use crate::pipeline::{self, snapshot, state_dir};
use crate::report::{
    BackupCreatedReport, BackupListReport, BackupRunEntry, BackupShowReport, BackupSummary,
    FORMAT_VERSION,
};
use crate::settings::{EnvTarget, Settings, WriteSettings};

/// Reads only local files: backups matter most when the configuration or the project is
/// broken, so neither is needed to list them.
pub fn list(settings: &Settings) -> Result<(), CliError> {
    let env = settings.one_env()?.as_str();
    let listed = list_backups(&state_dir(), env).map_err(state_error)?;
    let report = BackupListReport {
        format_version: FORMAT_VERSION,
        env: env.to_owned(),
        backups: listed.iter().map(|backup| summary(env, backup)).collect(),
    };
    let printer = &settings.printer;
    printer.report(&report, || {
        let rows = report
            .backups
            .iter()
            .map(|backup| {
                vec![
                    backup.id.clone(),
                    backup.created_at.clone().unwrap_or_default(),
                    backup
                        .run
                        .as_ref()
                        .map(|run| format!("{} ({})", run.command, run.user))
                        .unwrap_or_default(),
                    backup
                        .error
                        .clone()
                        .map_or_else(|| counts_text(&backup.counts), |e| format!("unusable: {e}")),
                ]
            })
            .collect();
        printer.table(&["ID", "CREATED", "RUN", "RESOURCES"], rows)
    })?;
    Ok(())
}

/// Takes the project's lock while reading, so the backup never catches an apply halfway.
pub fn create(settings: &Settings) -> Result<(), CliError> {
    pipeline::in_env(settings, async |_, connected| {
        let env = connected.env_name();
        let dir = state_dir();
        let _lock = pipeline::lock_project(connected.client(), env, &settings.printer)?;
        let kinds = ResourceKind::ALL.to_vec();
        let live = snapshot::read_project(connected.client(), &kinds, env).await?;
        let origin = BackupOrigin {
            env: env.to_owned(),
            project_id: connected.client().project_id().to_owned(),
            run: pipeline::write::this_run(settings),
            kinds,
        };
        let resources: Vec<_> = live.iter_any().collect();
        let path =
            write_backup(&dir, &origin, &resources, jiff::Timestamp::now()).map_err(state_error)?;
        let listed = ListedBackup {
            id: backup_id(&path).unwrap_or_default(),
            document: read_backup(&path),
            path,
        };
        let report = BackupCreatedReport {
            format_version: FORMAT_VERSION,
            id: listed.id.clone(),
            backup: summary(env, &listed),
        };
        settings.printer.report(&report, || {
            format!(
                "backup {} of `{env}`: {}\n{}",
                report.id,
                counts_text(&report.backup.counts),
                report.backup.path
            )
        })?;
        Ok(())
    })
}

pub fn show(settings: &Settings, id: &str) -> Result<(), CliError> {
    let env = match &settings.env {
        Some(EnvTarget::One(env)) => Some(env.as_str()),
        _ => None,
    };
    let (env, path) = locate(env, id)?;
    let document = read_backup(&path).map_err(backup_error)?;
    let report = BackupShowReport {
        format_version: FORMAT_VERSION,
        id: id.to_owned(),
        backup: serde_json::to_value(&document).unwrap_or_default(),
    };
    settings.printer.report(&report, || {
        let mut text = format!(
            "backup {id} of `{env}` (project {}), taken {} by {} ({})\n{}",
            document.project_id,
            document.created_at,
            document.run.user,
            document.run.command,
            counts_text(&counts_by_name(&document))
        );
        for entry in &document.resources {
            text.push_str(&format!("\n  {} {}", entry.kind, entry.id));
        }
        text
    })?;
    Ok(())
}

pub fn restore(settings: &Settings, args: &RestoreArgs) -> Result<Exit, CliError> {
    let flags = WriteSettings::resolve(&args.write);
    let started = Instant::now();
    let env = settings.one_env()?.as_str().to_owned();
    let config = pipeline::load_for_env(settings, &env)?;
    // The environment's own backups first; a backup of another environment of the same project
    // (one project behind two names) is found too, and the project check below refuses any other.
    let path = match find_backup(&state_dir(), &env, &args.id).map_err(state_error)? {
        Some(path) => path,
        None => locate(None, &args.id)?.1,
    };
    let document = read_backup(&path).map_err(backup_error)?;
    let desired = document.to_resource_set().map_err(|error| {
        CliError::config_invalid(format!(
            "backup {} holds a state this descope-mgmt cannot read: {error}; nothing was sent",
            args.id
        ))
    })?;
    crate::connect::runtime()?.block_on(crate::connect::with_connection(
        &config,
        &env,
        async |connected| {
            let project = connected.client().project_id();
            if project != document.project_id {
                return Err(CliError::config_invalid(format!(
                    "backup {} is of project {}, but `{env}` is project {project}; nothing was sent",
                    args.id, document.project_id
                ))
                .with_hint("restore a backup of this environment's project (`descope-mgmt backup list --env ENV`)"));
            }
            settings.printer.note(format!(
                "restoring backup {} (taken {} by {}) to `{env}`",
                args.id, document.created_at, document.run.user
            ));
            // A kind the backup holds only part of (flows an apply had no need to export) is
            // restored but never pruned: what the backup did not read was not "created since".
            let whole: BTreeSet<ResourceKind> = document.kinds.iter().copied().collect();
            let kinds: BTreeSet<ResourceKind> = whole
                .iter()
                .copied()
                .chain(desired.iter_any().map(|resource| resource.kind()))
                .collect();
            let options = PlanOptions {
                prune: args.prune,
                targets: None,
                kinds: Some(kinds.clone()),
                strict_layout: true,
            };
            let planned = pipeline::plan_desired(
                desired,
                connected,
                pipeline::with_sso_configs(connected.client(), &config),
                kinds.into_iter().collect(),
                None,
                options,
            )
            .await?;
            let mut planned = planned;
            planned.plan.changes.retain(|change| {
                change.action != Action::Delete || whole.contains(&change.kind)
            });
            pipeline::write::run(settings, &planned, &flags, started).await
        },
    ))
}

/// The backup `id` names: in `env`'s backups, else in whichever environment has it.
fn locate(env: Option<&str>, id: &str) -> Result<(String, PathBuf), CliError> {
    let dir = state_dir();
    let envs = env.map_or_else(|| backup_envs(&dir), |env| vec![env.to_owned()]);
    let mut found = Vec::new();
    for env in envs {
        if let Some(path) = find_backup(&dir, &env, id).map_err(state_error)? {
            found.push((env, path));
        }
    }
    match found.len() {
        0 => Err(not_found(id, env)),
        1 => Ok(found.remove(0)),
        _ => Err(CliError::new(
            Exit::Usage,
            format!(
                "backup {id} exists in several environments ({}); name one with --env",
                found
                    .iter()
                    .map(|(env, _)| env.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn summary(env: &str, backup: &ListedBackup) -> BackupSummary {
    let mut summary = BackupSummary {
        id: backup.id.clone(),
        env: env.to_owned(),
        path: backup.path.display().to_string(),
        created_at: None,
        project_id: None,
        run: None,
        kinds: Vec::new(),
        counts: BTreeMap::new(),
        error: None,
    };
    match &backup.document {
        Ok(document) => {
            summary.created_at = Some(document.created_at.clone());
            summary.project_id = Some(document.project_id.clone());
            summary.run = Some(BackupRunEntry {
                command: document.run.command.clone(),
                user: document.run.user.clone(),
                git_commit: document.run.git_commit.clone(),
            });
            summary.kinds = document.kinds.iter().map(ToString::to_string).collect();
            summary.counts = counts_by_name(document);
        }
        Err(error) => summary.error = Some(error.to_string()),
    }
    summary
}

fn counts_by_name(document: &BackupDocument) -> BTreeMap<String, usize> {
    document
        .counts()
        .into_iter()
        .map(|(kind, count)| (kind.to_string(), count))
        .collect()
}

/// `permission 2, role 2, tenant 40`, in kind order.
fn counts_text(counts: &BTreeMap<String, usize>) -> String {
    ResourceKind::ALL
        .iter()
        .filter_map(|kind| {
            counts
                .get(kind.as_str())
                .map(|count| format!("{kind} {count}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_found(id: &str, env: Option<&str>) -> CliError {
    let place = env.map_or_else(String::new, |env| format!(" of `{env}`"));
    CliError::config_invalid(format!("no backup {id}{place}; nothing was sent"))
        .with_hint("`descope-mgmt backup list --env ENV` lists the ids")
}

/// A backup that cannot be used is bad input (exit 3); a file that cannot be read is an error.
fn backup_error(error: BackupError) -> CliError {
    match error {
        BackupError::File(descope_mgmt_core::safety::StateFileError::Io { .. }) => {
            CliError::new(Exit::Error, error.to_string())
        }
        other => CliError::config_invalid(format!("{other}; nothing was sent")),
    }
}

fn state_error(error: descope_mgmt_core::safety::StateFileError) -> CliError {
    CliError::new(Exit::Error, error.to_string())
}
