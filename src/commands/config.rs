//! `config validate`, `config show` and `config schema`.

use descope_mgmt_core::config::{self, Diagnostic, schema};

use super::plural;
use descope_mgmt_core::plan::ResourceRef;

use crate::cli::ConfigShowArgs;
use crate::exit::{CliError, Exit};
use crate::pipeline;
use crate::report::{
    ConfigExplainReport, ConfigShowReport, DiagnosticEntry, FORMAT_VERSION, ProvenanceEntry,
    ValidateReport,
};
use crate::settings::{EnvTarget, Settings};

/// Validates the base view and every environment view that has an overlay (or, with `--env`,
/// that environment's view; `--env all`: every environment's view). Warnings go to stderr and
/// do not fail; any error exits 3, listing all of them.
pub fn validate(settings: &Settings) -> Result<(), CliError> {
    let path = &settings.config;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut summary = None;
    let views: Vec<Option<String>> = match &settings.env {
        Some(EnvTarget::All) => {
            let base = config::load(path, None);
            let mut views = vec![None];
            if let Some(config) = &base.config {
                views.extend(config.environments().keys().cloned().map(Some));
            } else {
                // Without a readable base, per-environment views would only repeat its errors.
                diagnostics.extend(base.diagnostics);
                views.clear();
            }
            views
        }
        Some(EnvTarget::One(env)) => vec![Some(env.as_str().to_owned())],
        None => std::iter::once(None)
            .chain(
                config::load::overlay_environments(path)
                    .into_iter()
                    .map(Some),
            )
            .collect(),
    };
    for view in &views {
        let loaded = config::load(path, view.as_deref());
        for diagnostic in loaded.diagnostics {
            if !diagnostics.contains(&diagnostic) {
                diagnostics.push(diagnostic);
            }
        }
        if summary.is_none() {
            summary = loaded.config;
        }
    }
    settings.printer.diagnostics(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let valid = errors == 0;

    let report = ValidateReport {
        format_version: FORMAT_VERSION,
        config: path.display().to_string(),
        environment: settings.env.as_ref().map(|target| match target {
            EnvTarget::All => "all".to_owned(),
            EnvTarget::One(env) => env.as_str().to_owned(),
        }),
        valid,
        errors,
        warnings,
        diagnostics: diagnostics.iter().map(DiagnosticEntry::from).collect(),
    };
    let counts = summary
        .as_ref()
        .filter(|_| valid)
        .map(|config| {
            [
                (config.environments().len(), "environment"),
                (config.permissions().len(), "permission"),
                (config.roles().len(), "role"),
                (config.tenants().len(), "tenant"),
                (config.flows().len(), "flow"),
            ]
            .iter()
            .map(|(count, noun)| format!("{count} {noun}{}", plural(*count)))
            .collect::<Vec<_>>()
            .join(", ")
        })
        .unwrap_or_default();
    settings.printer.report(&report, || {
        if valid {
            format!(
                "{}: valid ({counts}; {warnings} warning{})",
                path.display(),
                plural(warnings)
            )
        } else {
            String::new()
        }
    })?;
    if valid {
        Ok(())
    } else {
        Err(CliError::config_invalid(format!(
            "{} is invalid: {errors} error{}, {warnings} warning{}",
            path.display(),
            plural(errors),
            plural(warnings)
        )))
    }
}

/// The JSON Schema itself (a standard document, so no `format_version` wrapper).
pub fn schema(settings: &Settings) -> Result<(), CliError> {
    let schema = schema::json_schema();
    let text = match settings.printer.format() {
        crate::cli::Format::Yaml => crate::printer::to_yaml(&schema),
        _ => serde_json::to_string_pretty(&schema).map_err(std::io::Error::other)?,
    };
    settings.printer.data(&text)?;
    Ok(())
}

/// `config show --env E [KIND:ID] [--explain]`: the resolved configuration (YAML unless
/// `--format json`), or each field's value and origin.
pub fn show(settings: &Settings, args: &ConfigShowArgs) -> Result<(), CliError> {
    let env = settings.one_env()?.as_str();
    let explained = pipeline::explain(settings, env)?;
    if args.explain {
        let prefix = args.resource.as_ref().map(pipeline::provenance_prefix);
        let fields: Vec<ProvenanceEntry> = explained
            .fields
            .iter()
            .filter(|field| prefix.as_ref().is_none_or(|p| field.path.starts_with(p)))
            .map(ProvenanceEntry::from)
            .collect();
        if fields.is_empty() {
            return Err(not_configured(args, env));
        }
        let report = ConfigExplainReport {
            format_version: FORMAT_VERSION,
            env: env.to_owned(),
            fields,
        };
        settings.printer.report(&report, || {
            report
                .fields
                .iter()
                .map(ProvenanceEntry::line)
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        return Ok(());
    }
    let config = match &args.resource {
        None => explained.resolved,
        Some(resource) => {
            one_resource(&explained.resolved, resource).ok_or_else(|| not_configured(args, env))?
        }
    };
    let report = ConfigShowReport {
        format_version: FORMAT_VERSION,
        env: env.to_owned(),
        config,
    };
    settings
        .printer
        .report(&report, || crate::printer::to_yaml(&report.config))?;
    Ok(())
}

fn one_resource(resolved: &serde_json::Value, resource: &ResourceRef) -> Option<serde_json::Value> {
    let section = format!("{}s", resource.kind);
    let identity = config::merge::identity_key(&section)?;
    resolved[&section]
        .as_array()?
        .iter()
        .find(|item| item[identity] == resource.id.as_str())
        .cloned()
}

fn not_configured(args: &ConfigShowArgs, env: &str) -> CliError {
    let resource = args
        .resource
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    CliError::new(
        Exit::Usage,
        format!("`{resource}` is not in the configuration of `{env}`"),
    )
}
