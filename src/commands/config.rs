//! `config validate` and `config schema`.

use descope_mgmt_core::config::{self, Diagnostic, schema};

use super::plural;
use crate::exit::CliError;
use crate::report::{DiagnosticEntry, FORMAT_VERSION, ValidateReport};
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
