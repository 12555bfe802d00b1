//! `flow list | get | export | import | diff | sync` and `theme export | diff | sync`: flows and the theme of
//! one environment's project against their JSON files. Documents are read with
//! `descope_mgmt_core::flow` / `theme` (checked before anything is sent) and compared after the
//! normaliser, so server-set fields, key order and canvas moves (unless `--strict-layout`) are
//! not differences. Live flows come through the flow cache, so unchanged flows cost no export.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use descope_mgmt_api::endpoints::flows::EXPORT_CONCURRENCY;
use descope_mgmt_core::config::DescopeConfig;
use descope_mgmt_core::document::DocumentProblem;
use descope_mgmt_core::flow::{FlowCache, FlowDiff, FlowDocument, read_live_flows};
use descope_mgmt_core::plan::{PlanOptions, ResourceKind, ResourceSet, plan};
use descope_mgmt_core::port::ResourcePort;
use descope_mgmt_core::resource::{Flow, Resource as _, Theme};
use descope_mgmt_core::safety::DEFAULT_MAX_DELETES;
use descope_mgmt_core::theme::{ThemeDiff, ThemeDocument};
use serde_json::Value;

use crate::cli::{FlowDiffArgs, FlowExportArgs, FlowImportArgs, FlowSyncArgs, Format};
use crate::connect::Connected;
use crate::exit::{CliError, Exit};
use crate::pipeline::{Planned, in_env, write};
use crate::printer::yes_no;
use crate::report::{
    FORMAT_VERSION, FlowDiffEntry, FlowDiffReport, FlowEntry, FlowListReport, ThemeChangeEntry,
    ThemeDiffReport,
};
use crate::settings::{Settings, WriteSettings};

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
        let live = read_live_flows(&api, |_| true, None, EXPORT_CONCURRENCY)
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
        let enabled = document.json().pointer("/metadata/disabled") != Some(&Value::Bool(true));
        let desired = Flow::new(&args.id, document.for_import(&args.id, enabled));
        let live = ResourcePort::<Flow>::load(conn.client(), &args.id)
            .await
            .map_err(|e| CliError::new(Exit::Error, format!("env {}: {e}", conn.env_name())))?;
        // The file is imported as it is, canvas positions included.
        let sets = [
            ResourceSet::from_iter([desired.into_any()]),
            live.into_iter().map(Flow::into_any).collect(),
        ];
        write_through_pipeline(settings, conn, sets, true, false).await
    })
}

/// One configured flow against its live counterpart.
struct Compared {
    id: String,
    status: &'static str,
    diff: Option<FlowDiff>,
    /// The document as it is imported (the entry's id and `enabled` written in).
    desired: Value,
    live: Option<Value>,
}

impl Compared {
    fn counts(&self) -> bool {
        matches!(self.status, "changed" | "missing")
    }

    fn text(&self) -> String {
        match (&self.diff, self.status) {
            (_, "missing") => format!(
                "+ flow {} (not in the project: import creates it)\n",
                self.id
            ),
            (_, "unchanged") => String::new(),
            (Some(diff), "layout_only") => format!("~ flow {} (layout only)\n{diff}", self.id),
            (Some(diff), _) => format!("~ flow {}\n{diff}", self.id),
            (None, _) => String::new(),
        }
    }
}

struct Comparison {
    flows: Vec<Compared>,
    exports: usize,
    api_calls: u64,
}

/// Reads the configured flows (`ids`, or all) from their files and from the project (through the
/// cache), and compares each pair after the normaliser.
async fn compare(
    config: &DescopeConfig,
    conn: &Connected,
    ids: &[String],
    strict_layout: bool,
) -> Result<Comparison, CliError> {
    let entries: Vec<_> = config
        .flows()
        .iter()
        .filter(|flow| ids.is_empty() || ids.iter().any(|id| id == flow.id()))
        .collect();
    if let Some(unknown) = ids
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
        desired.push((entry.id(), document.for_import(entry.id(), entry.enabled())));
    }
    let before_calls = conn.client().stats().requests;
    let wanted: Vec<String> = entries.iter().map(|f| f.id().to_owned()).collect();
    let cache = FlowCache::new(&crate::pipeline::state_dir(), conn.env_name()).ok();
    let live = read_live_flows(
        &conn.client().flows(),
        |id| wanted.iter().any(|wanted| wanted == id),
        cache.as_ref(),
        EXPORT_CONCURRENCY,
    )
    .await
    .map_err(|e| conn.api_error(e))?;
    let api_calls = conn.client().stats().requests - before_calls;
    let mut flows = Vec::new();
    for (id, json) in desired {
        let document = FlowDocument::from_json(json.clone()).map_err(|p| bad_live(conn, id, &p))?;
        let live_json = live.documents.get(id).cloned();
        let (status, diff) = match &live_json {
            None => ("missing", None),
            Some(live_json) => {
                let live_flow = FlowDocument::from_json(live_json.clone())
                    .map_err(|p| bad_live(conn, id, &p))?;
                let diff = FlowDiff::between(&live_flow.normalize(), &document.normalize());
                let status = if diff.counts(strict_layout) {
                    "changed"
                } else if diff.is_layout_only() {
                    "layout_only"
                } else {
                    "unchanged"
                };
                (status, Some(diff))
            }
        };
        flows.push(Compared {
            id: id.to_owned(),
            status,
            diff,
            desired: json,
            live: live_json,
        });
    }
    Ok(Comparison {
        flows,
        exports: live.exports,
        api_calls,
    })
}

pub fn diff(settings: &Settings, args: &FlowDiffArgs) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let compared = compare(&config, conn, &args.ids, args.strict_layout).await?;
        let mut text: String = compared.flows.iter().map(Compared::text).collect();
        let unchanged = compared
            .flows
            .iter()
            .filter(|f| f.status == "unchanged")
            .count();
        text.push_str(&format!(
            "{} flows compared in env {}: {unchanged} unchanged; {} API calls ({} flow exports; \
             unchanged flows read from the cache cost none)",
            compared.flows.len(),
            conn.env_name(),
            compared.api_calls,
            compared.exports
        ));
        let differs = compared.flows.iter().any(Compared::counts);
        let report = FlowDiffReport {
            format_version: FORMAT_VERSION,
            env: conn.env_name().to_owned(),
            flows: compared
                .flows
                .iter()
                .map(|flow| FlowDiffEntry {
                    id: flow.id.clone(),
                    status: flow.status.to_owned(),
                    diff: flow
                        .diff
                        .as_ref()
                        .filter(|_| flow.status != "unchanged")
                        .map(|diff| serde_json::to_value(diff).unwrap_or_default()),
                })
                .collect(),
            api_calls: compared.api_calls,
        };
        settings.printer.report(&report, || text)?;
        Ok(if differs && args.detailed_exitcode {
            Exit::ChangesPending
        } else {
            Exit::Success
        })
    })
}

pub fn sync(settings: &Settings, args: &FlowSyncArgs) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let compared = compare(&config, conn, &args.ids, args.strict_layout).await?;
        let to_import: Vec<&Compared> = compared.flows.iter().filter(|f| f.counts()).collect();
        if settings.printer.format() == Format::Table {
            if to_import.is_empty() {
                settings
                    .printer
                    .data(&format!("flows: no changes in env {}", conn.env_name()))?;
                return Ok(Exit::Success);
            }
            settings
                .printer
                .data(&to_import.iter().map(|f| f.text()).collect::<String>())?;
        }
        let desired = to_import
            .iter()
            .map(|f| Flow::new(&f.id, f.desired.clone()).into_any())
            .collect();
        let live = to_import
            .iter()
            .filter_map(|f| Some(Flow::new(&f.id, f.live.clone()?).into_any()))
            .collect();
        write_through_pipeline(
            settings,
            conn,
            [desired, live],
            args.strict_layout,
            args.dry_run,
        )
        .await
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

/// The configured theme file and the live theme, both read.
async fn theme_pair(
    config: &DescopeConfig,
    conn: &Connected,
) -> Result<(ThemeDocument, Value, ThemeDiff), CliError> {
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
    let live = ThemeDocument::from_json(json.clone()).map_err(|p| {
        CliError::new(
            Exit::Error,
            format!("env {}: the live theme: {p}", conn.env_name()),
        )
    })?;
    let diff = ThemeDiff::between(&live.normalize(), &desired.normalize());
    Ok((desired, json, diff))
}

pub fn theme_diff(settings: &Settings, detailed_exitcode: bool) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let (_, _, diff) = theme_pair(&config, conn).await?;
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
        settings
            .printer
            .report(&report, || theme_text(conn, &diff))?;
        Ok(if !diff.is_empty() && detailed_exitcode {
            Exit::ChangesPending
        } else {
            Exit::Success
        })
    })
}

pub fn theme_sync(settings: &Settings, dry_run: bool) -> Result<Exit, CliError> {
    in_env(settings, async |config, conn| {
        let (desired, live, diff) = theme_pair(&config, conn).await?;
        if settings.printer.format() == Format::Table {
            settings.printer.data(&theme_text(conn, &diff))?;
            if diff.is_empty() {
                return Ok(Exit::Success);
            }
        }
        let desired = ResourceSet::from_iter([Theme {
            document: desired.json().clone(),
        }
        .into_any()]);
        let live = ResourceSet::from_iter([Theme { document: live }.into_any()]);
        write_through_pipeline(settings, conn, [desired, live], false, dry_run).await
    })
}

/// Writes `desired` over `live` (flows, or the theme) through the write half of the pipeline, as
/// `apply` does: the protected-environment guard, the environment lock, a backup of the live
/// documents it overwrites, one audit line per import, and the run summary. Nothing is deleted:
/// live resources absent from `desired` are left alone. In the table format the command has
/// already shown its own, finer diff; the other formats get `apply`'s JSON document.
async fn write_through_pipeline(
    settings: &Settings,
    conn: &Connected,
    [desired, live]: [ResourceSet; 2],
    strict_layout: bool,
    dry_run: bool,
) -> Result<Exit, CliError> {
    let started = Instant::now();
    let kinds: BTreeSet<ResourceKind> = desired.iter_any().map(|r| r.kind()).collect();
    let options = PlanOptions {
        kinds: Some(kinds.clone()),
        strict_layout,
        ..PlanOptions::default()
    };
    let planned = Planned {
        env: conn.env_name().to_owned(),
        protected: conn.env().protected(),
        plan: plan(&desired, &live, &options),
        client: conn.client().clone(),
        partial_kinds: kinds.iter().copied().collect(),
        kinds: kinds.into_iter().collect(),
        concurrency: conn.env().concurrency(),
        pacing: conn.env().pacing(),
        read_requests: conn.client().stats().requests,
        // The backup holds the documents this write overwrites, not the whole project.
        live,
    };
    let flags = WriteSettings {
        dry_run,
        allow_delete: false,
        max_deletes: DEFAULT_MAX_DELETES,
        report: None,
        concurrency: None,
    };
    if settings.printer.format() != Format::Table {
        return write::run(settings, &planned, &flags, started).await;
    }
    if dry_run {
        settings.printer.note("dry run: nothing was sent");
        return Ok(Exit::Success);
    }
    write::guards(settings, &planned, &flags)?;
    let summary = write::execute(settings, &planned, &flags, started).await?;
    write::finish(settings, &summary, &flags)?;
    Ok(summary.exit())
}

fn theme_text(conn: &Connected, diff: &ThemeDiff) -> String {
    if diff.is_empty() {
        format!("theme: no differences in env {}", conn.env_name())
    } else {
        format!("~ theme\n{diff}")
    }
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
