//! `flow list | get | export | import | diff` and `theme export | diff`: flows and the theme of
//! one environment's project against their JSON files. Documents are read with
//! `descope_mgmt_core::flow` / `theme` (checked before anything is sent) and compared after the
//! normaliser, so server-set fields, key order and canvas moves (unless `--strict-layout`) are
//! not differences. Live flows come through the flow cache, so unchanged flows cost no export.

use std::path::Path;

use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::document::DocumentProblem;
use descope_mgmt_core::flow::{FlowCache, FlowDiff, FlowDocument, read_live_flows};
use descope_mgmt_core::theme::{ThemeDiff, ThemeDocument};
use serde_json::Value;

use crate::cli::{FlowDiffArgs, FlowExportArgs, FlowImportArgs};
use crate::connect::{Connected, runtime, with_connection};
use crate::exit::{CliError, Exit};
use crate::printer::yes_no;
use crate::report::{
    FORMAT_VERSION, FlowDiffEntry, FlowDiffReport, FlowEntry, FlowListReport, ThemeChangeEntry,
    ThemeDiffReport,
};
use crate::settings::{Settings, defined_environment};

/// Exports in flight at once; the client's rate limiter paces them further.
const EXPORT_CONCURRENCY: usize = 4;

/// Loads the environment's view of the configuration and runs `work` connected to it.
fn in_env<T>(
    settings: &Settings,
    work: impl AsyncFnOnce(&DescopeConfig, &Connected) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let env = settings.one_env()?.as_str();
    let config = crate::commands::load_valid(settings, Some(env))?;
    defined_environment(&config, env)?;
    runtime()?.block_on(with_connection(&config, env, async |conn| {
        work(&config, conn).await
    }))
}

pub fn list(settings: &Settings) -> Result<(), CliError> {
    in_env(settings, async |_, conn| {
        let mut flows = conn
            .client()
            .flows()
            .list()
            .await
            .map_err(|e| conn.api_error(e))?;
        flows.sort_by(|a, b| a.id.cmp(&b.id));
        let report = FlowListReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            flows: flows
                .iter()
                .map(|flow| FlowEntry {
                    id: flow.id.clone(),
                    name: flow.name.clone(),
                    disabled: flow.disabled,
                })
                .collect(),
        };
        let printer = &settings.printer;
        printer.report(&report, || {
            printer.table(
                &["ID", "NAME", "DISABLED"],
                flows
                    .iter()
                    .map(|f| vec![f.id.clone(), f.name.clone(), yes_no(f.disabled)])
                    .collect(),
            )
        })?;
        Ok(())
    })
}

pub fn get(settings: &Settings, id: &str) -> Result<(), CliError> {
    in_env(settings, async |_, conn| {
        let document = export_one(conn, id).await?;
        let flow = FlowDocument::from_json(document.clone()).map_err(|p| bad_live(conn, id, &p))?;
        let printer = &settings.printer;
        printer.report(&document, || {
            let json = flow.json();
            let count = |key: &str| {
                json.pointer(key).map_or(0, |v| match v {
                    Value::Object(map) => map.len(),
                    Value::Array(items) => items.len(),
                    _ => 0,
                })
            };
            format!(
                "flow {id}: {:?}, {} tasks, {} screens, {}",
                json.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                count("/contents/tasks"),
                count("/screens"),
                if json.pointer("/metadata/disabled") == Some(&Value::Bool(true)) {
                    "disabled"
                } else {
                    "enabled"
                }
            )
        })?;
        Ok(())
    })
}

pub fn export(settings: &Settings, args: &FlowExportArgs) -> Result<(), CliError> {
    in_env(settings, async |_, conn| {
        let api = conn.client().flows();
        if let Some(id) = &args.id {
            let document = export_one(conn, id).await?;
            return write_document(settings, args.out.as_deref(), &document);
        }
        let dir = args.out.as_deref().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::new(
                Exit::Error,
                format!("failed to create {}: {e}", dir.display()),
            )
        })?;
        let live = read_live_flows(&api, None, None, EXPORT_CONCURRENCY)
            .await
            .map_err(|e| conn.api_error(e))?;
        for (id, document) in &live.documents {
            write_document(settings, Some(&dir.join(format!("{id}.json"))), document)?;
        }
        settings.printer.note(format!(
            "exported {} flows to {}",
            live.documents.len(),
            dir.display()
        ));
        Ok(())
    })
}

pub fn import(settings: &Settings, args: &FlowImportArgs) -> Result<Exit, CliError> {
    // Checked before connecting: a broken file sends nothing.
    let document = read_flow_file(&args.file, &args.id)?;
    in_env(settings, async |_, conn| {
        if args.dry_run {
            let live = conn.client().flows().export(&args.id).await;
            let before = live
                .ok()
                .and_then(|json| FlowDocument::from_json(json).ok());
            match before {
                Some(before) => {
                    let diff = FlowDiff::between(&before.normalize(), &document.normalize());
                    settings
                        .printer
                        .data(&format!("~ flow {}\n{diff}", args.id))?;
                }
                None => settings.printer.data(&format!("+ flow {}", args.id))?,
            }
            return Ok(Exit::Success);
        }
        if conn.env().protected() {
            crate::confirm::confirm_protected(conn.env_name(), settings.yes)?;
        }
        let enabled = document.json().pointer("/metadata/disabled") != Some(&Value::Bool(true));
        conn.client()
            .flows()
            .import(&args.id, &document.for_import(&args.id, enabled))
            .await
            .map_err(|e| conn.api_error(e))?;
        settings.printer.note(format!(
            "imported flow {} into {}",
            args.id,
            conn.env_name()
        ));
        Ok(Exit::Success)
    })
}

pub fn diff(settings: &Settings, args: &FlowDiffArgs) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let entries: Vec<_> = config
            .flows()
            .iter()
            .filter(|flow| args.ids.is_empty() || args.ids.iter().any(|id| id == flow.id()))
            .collect();
        if let Some(unknown) = args
            .ids
            .iter()
            .find(|id| !entries.iter().any(|flow| flow.id() == id.as_str()))
        {
            return Err(CliError::new(
                Exit::Usage,
                format!(
                    "flow {unknown:?} is not in the configuration for env {}",
                    conn.env_name()
                ),
            ));
        }
        let mut desired = Vec::new();
        for entry in &entries {
            let document = read_flow_file(entry.file(), entry.id())?;
            let json = document.for_import(entry.id(), entry.enabled());
            desired.push((
                entry.id(),
                FlowDocument::from_json(json).map_err(|p| bad_file(entry.file(), &p))?,
            ));
        }
        let before_calls = conn.client().stats().requests;
        let wanted: Vec<String> = entries.iter().map(|f| f.id().to_owned()).collect();
        let cache = FlowCache::new(&crate::pipeline::state_dir(), conn.env_name()).ok();
        let live = read_live_flows(
            &conn.client().flows(),
            Some(&wanted),
            cache.as_ref(),
            EXPORT_CONCURRENCY,
        )
        .await
        .map_err(|e| conn.api_error(e))?;
        let api_calls = conn.client().stats().requests - before_calls;
        let mut flows = Vec::new();
        let mut text = String::new();
        let mut differs = false;
        for (id, document) in desired {
            let entry = match live.documents.get(id) {
                None => {
                    differs = true;
                    text.push_str(&format!(
                        "+ flow {id} (not in the project: import creates it)\n"
                    ));
                    FlowDiffEntry {
                        id: id.to_owned(),
                        status: "missing".into(),
                        diff: None,
                    }
                }
                Some(json) => {
                    let live_flow = FlowDocument::from_json(json.clone())
                        .map_err(|p| bad_live(conn, id, &p))?;
                    let diff = FlowDiff::between(&live_flow.normalize(), &document.normalize());
                    let status = if diff.counts(args.strict_layout) {
                        differs = true;
                        "changed"
                    } else if diff.is_layout_only() {
                        "layout_only"
                    } else {
                        "unchanged"
                    };
                    if status != "unchanged" {
                        text.push_str(&format!(
                            "~ flow {id}{}\n{diff}",
                            if status == "layout_only" {
                                " (layout only)"
                            } else {
                                ""
                            }
                        ));
                    }
                    FlowDiffEntry {
                        id: id.to_owned(),
                        status: status.into(),
                        diff: (status != "unchanged")
                            .then(|| serde_json::to_value(&diff).unwrap_or_default()),
                    }
                }
            };
            flows.push(entry);
        }
        let unchanged = flows.iter().filter(|f| f.status == "unchanged").count();
        text.push_str(&format!(
            "{} flows compared in env {}: {} unchanged; {api_calls} API calls ({} flow exports; unchanged flows read from the cache cost none)",
            flows.len(),
            conn.env_name(),
            unchanged,
            live.exports
        ));
        let report = FlowDiffReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            flows,
            api_calls,
        };
        settings.printer.report(&report, || text)?;
        Ok(if differs && args.detailed_exitcode {
            Exit::ChangesPending
        } else {
            Exit::Success
        })
    })
}

pub fn theme_export(settings: &Settings, out: Option<&Path>) -> Result<(), CliError> {
    in_env(settings, async |_, conn| {
        let theme = conn
            .client()
            .themes()
            .export()
            .await
            .map_err(|e| conn.api_error(e))?;
        write_document(settings, out, &theme)
    })
}

pub fn theme_diff(settings: &Settings, detailed_exitcode: bool) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let Some(entry) = config.theme() else {
            return Err(CliError::config_invalid(
                "the configuration has no `themes: {file}` to compare with",
            ));
        };
        let bytes = std::fs::read(entry.file())
            .map_err(|e| CliError::config_invalid(format!("{}: {e}", entry.file().display())))?;
        let desired = ThemeDocument::parse(&bytes).map_err(|p| bad_file(entry.file(), &p))?;
        let json = conn
            .client()
            .themes()
            .export()
            .await
            .map_err(|e| conn.api_error(e))?;
        let live = ThemeDocument::from_json(json).map_err(|p| {
            CliError::new(
                Exit::Error,
                format!("env {}: the live theme: {p}", conn.env_name()),
            )
        })?;
        let diff = ThemeDiff::between(&live.normalize(), &desired.normalize());
        let report = ThemeDiffReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            changes: diff
                .changes
                .iter()
                .map(|c| ThemeChangeEntry {
                    field: c.field.clone(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        };
        settings.printer.report(&report, || {
            if diff.is_empty() {
                format!("theme: no differences in env {}", conn.env_name())
            } else {
                format!("~ theme\n{diff}")
            }
        })?;
        Ok(if !diff.is_empty() && detailed_exitcode {
            Exit::ChangesPending
        } else {
            Exit::Success
        })
    })
}

async fn export_one(conn: &Connected, id: &str) -> Result<Value, CliError> {
    conn.client()
        .flows()
        .export(id)
        .await
        .map_err(|e| conn.api_error(e))
}

/// A flow file, checked as `config validate` checks it; any problem is exit 3 with the JSON path.
fn read_flow_file(path: &Path, id: &str) -> Result<FlowDocument, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::config_invalid(format!("{}: {e}", path.display())))?;
    let document = FlowDocument::parse(&bytes).map_err(|p| bad_file(path, &p))?;
    let problems = document.problems(Some(id));
    if let Some(first) = problems.first() {
        let rest: Vec<String> = problems[1..].iter().map(ToString::to_string).collect();
        let mut error = bad_file(path, first);
        if !rest.is_empty() {
            error = error.with_hint(format!("also: {}", rest.join("; ")));
        }
        return Err(error);
    }
    Ok(document)
}

fn bad_file(path: &Path, problem: &DocumentProblem) -> CliError {
    CliError::config_invalid(format!("{}: {problem}", path.display()))
}

fn bad_live(conn: &Connected, id: &str, problem: &DocumentProblem) -> CliError {
    CliError::new(
        Exit::Error,
        format!("env {}: flow {id} as exported: {problem}", conn.env_name()),
    )
}

/// Pretty JSON with a final newline, to `out` or stdout.
fn write_document(
    settings: &Settings,
    out: Option<&Path>,
    document: &Value,
) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(document)
        .map_err(|e| CliError::new(Exit::Error, format!("failed to encode the document: {e}")))?;
    text.push('\n');
    match out {
        None => Ok(settings.printer.data(&text)?),
        Some(path) => std::fs::write(path, text).map_err(|e| {
            CliError::new(
                Exit::Error,
                format!("failed to write {}: {e}", path.display()),
            )
        }),
    }
}
