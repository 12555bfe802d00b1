//! `config validate` and `config schema`.

use descope_mgmt_core::config::{self, Diagnostic, schema};
use serde_json::json;

use super::plural;
use crate::cli::GlobalArgs;
use crate::exit::CliError;
use crate::output;

/// Validates the base view and every environment view that has an overlay (or, with `--env`,
/// that environment's view; `--env all`: every environment's view). Warnings go to stderr and
/// do not fail; any error exits 3, listing all of them.
pub fn validate(global: &GlobalArgs) -> Result<(), CliError> {
    let path = &global.config;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut summary = None;
    let views: Vec<Option<String>> = match global.env.as_deref() {
        Some("all") => {
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
        Some(env) => vec![Some(env.to_owned())],
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
    output::print_diagnostics(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let valid = errors == 0;

    let document = json!({
        "config": path.display().to_string(),
        "environment": global.env,
        "valid": valid,
        "errors": errors,
        "warnings": warnings,
        "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
    });
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
    output::emit(global.format, document, || {
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

fn diagnostic_json(diagnostic: &Diagnostic) -> serde_json::Value {
    json!({
        "severity": diagnostic.severity.to_string(),
        "file": diagnostic.file.display().to_string(),
        "line": diagnostic.position.line,
        "column": diagnostic.position.column,
        "path": diagnostic.path,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    })
}

/// The JSON Schema itself (a standard document, so no `format_version` wrapper).
pub fn schema(global: &GlobalArgs) -> Result<(), CliError> {
    let schema = schema::json_schema();
    let text = match global.format {
        crate::cli::Format::Yaml => output::to_yaml(&schema),
        _ => serde_json::to_string_pretty(&schema).map_err(std::io::Error::other)?,
    };
    output::write_stdout(&text)?;
    Ok(())
}
