//! Provenance (`config show --explain`, `plan --explain`): the resolved configuration of one
//! environment, and for each field its final value and where it came from (the base file, the
//! overlay, a named template, a `${VAR}`, or a default) with file, line and column.
//!
//! It needs no bookkeeping during a normal load: the merged tree already keeps each node's file
//! and position (overlay nodes replace base nodes whole, template nodes are copied with theirs),
//! so it is enough to note which positions sit inside `templates:` before they are resolved,
//! then read origins off the resolved tree. Secrets (management keys, client secrets) are masked.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value as Json, json};

use super::{Decoder, Settings, config_dir, load_with_settings};
use crate::config::diagnostic::{Diagnostic, Position};
use crate::config::interpolate::{Variables, interpolate};
use crate::config::merge::identity_key;
use crate::config::yaml::{Node, Value};
use crate::secret::ManagementKey;

/// Where one field's final value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Base,
    Overlay,
    Template,
    Variable,
    Default,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Overlay => "overlay",
            Self::Template => "template",
            Self::Variable => "variable",
            Self::Default => "default",
        }
    }
}

/// One field of the resolved configuration and its origin. `path` names resources by identity
/// (`tenants.acme-corp.custom_attributes.tier`); a default sits at its resource's position.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldOrigin {
    pub path: String,
    pub value: Json,
    pub origin: Origin,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// An environment's resolved configuration and the origin of each of its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// Templates, overlay and variables applied, defaults filled in, secrets masked.
    pub resolved: Json,
    pub fields: Vec<FieldOrigin>,
}

/// Tenant fields that have a default when nothing sets them, and that default.
fn tenant_default(field: &str) -> Json {
    match field {
        "domains" | "default_roles" => json!([]),
        "custom_attributes" => json!({}),
        _ => Json::Bool(false),
    }
}

const TENANT_DEFAULTED: [&str; 6] = [
    "disabled",
    "enforce_sso",
    "self_provisioning",
    "domains",
    "default_roles",
    "custom_attributes",
];

/// [`explain_with`] with variables from the process environment and `.env` beside `path`.
/// Errors are the loader's diagnostics: an invalid configuration is not explained.
pub fn explain(path: &Path, env: &str) -> Result<Explained, Vec<Diagnostic>> {
    let variables = Variables::from_env_and_dotenv(config_dir(path)).map_err(|_| Vec::new())?;
    explain_with(path, env, &variables)
}

pub fn explain_with(
    path: &Path,
    env: &str,
    variables: &Variables,
) -> Result<Explained, Vec<Diagnostic>> {
    let settings = Settings::default();
    let loaded = load_with_settings(path, Some(env), variables, &settings);
    if loaded.config.is_none() {
        return Err(loaded.diagnostics);
    }
    let mut decoder = Decoder::new(path, variables, settings);
    let explained = decoder.with_tree(Some(env), |decoder, root| {
        let templates = template_positions(root);
        decoder.resolve_templates(root);
        let mut walker = Walker {
            files: &decoder.files,
            variables,
            env,
            templates,
            fields: Vec::new(),
        };
        let resolved = walker.root(root);
        Explained {
            resolved,
            fields: walker.fields,
        }
    });
    explained.ok_or(loaded.diagnostics)
}

/// Which template each node inside `templates:` belongs to, by file and position.
fn template_positions(root: &Node) -> HashMap<(usize, Position), String> {
    let mut positions = HashMap::new();
    if let Some(Node {
        value: Value::Map(templates),
        ..
    }) = root.get("templates")
    {
        for template in templates {
            mark(&template.value, &template.key, &mut positions);
        }
    }
    positions
}

fn mark(node: &Node, name: &str, positions: &mut HashMap<(usize, Position), String>) {
    positions.insert((node.source, node.position), name.to_owned());
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .for_each(|entry| mark(&entry.value, name, positions)),
        Value::Seq(items) => items.iter().for_each(|item| mark(item, name, positions)),
        _ => {}
    }
}

struct Walker<'w> {
    files: &'w [PathBuf],
    variables: &'w Variables,
    env: &'w str,
    templates: HashMap<(usize, Position), String>,
    fields: Vec<FieldOrigin>,
}

impl Walker<'_> {
    fn root(&mut self, root: &Node) -> Json {
        let mut resolved = Map::new();
        let Value::Map(entries) = &root.value else {
            return Json::Object(resolved);
        };
        for entry in entries {
            let key = entry.key.as_ref();
            let value = match (key, identity_key(key), &entry.value.value) {
                ("environments", _, Value::Map(envs)) => {
                    let mut kept = Map::new();
                    let wanted = self.env;
                    for env in envs.iter().filter(|env| env.key == wanted) {
                        let path = format!("environments.{}", env.key);
                        kept.insert(env.key.to_string(), self.node(&env.value, &path, &env.key));
                    }
                    Json::Object(kept)
                }
                (_, Some(identity), Value::Seq(items)) => {
                    let mut kept = Vec::new();
                    for item in items.iter().filter(|item| in_env(item, self.env)) {
                        kept.push(self.resource(key, identity, item));
                    }
                    Json::Array(kept)
                }
                _ => self.node(&entry.value, key, key),
            };
            resolved.insert(key.to_owned(), value);
        }
        Json::Object(resolved)
    }

    fn resource(&mut self, section: &str, identity: &str, item: &Node) -> Json {
        let id = item
            .get(identity)
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let path = format!("{section}.{id}");
        let mut value = self.node(item, &path, "");
        if let Json::Object(fields) = &mut value {
            // Templates' fields come first in the tree; a reader looks for the identity first.
            let mut ordered = Map::new();
            for key in [identity, "name"] {
                if let Some(found) = fields.remove(key) {
                    ordered.insert(key.to_owned(), found);
                }
            }
            ordered.append(fields);
            *fields = ordered;
        }
        if section == "tenants"
            && let Json::Object(fields) = &mut value
        {
            for field in TENANT_DEFAULTED {
                if !fields.contains_key(field) {
                    let default = tenant_default(field);
                    fields.insert(field.to_owned(), default.clone());
                    self.record(item, format!("{path}.{field}"), default, Origin::Default);
                }
            }
        }
        value
    }

    /// The resolved value of `node`; a mapping is walked, anything else (lists included, since
    /// lists replace whole) is one field.
    fn node(&mut self, node: &Node, path: &str, key: &str) -> Json {
        if let Value::Map(entries) = &node.value
            && !entries.is_empty()
        {
            let mut object = Map::new();
            for entry in entries {
                let child = format!("{path}.{}", entry.key);
                object.insert(
                    entry.key.to_string(),
                    self.node(&entry.value, &child, &entry.key),
                );
            }
            return Json::Object(object);
        }
        let mut variables = Vec::new();
        let mut value = self.value(node, &mut variables);
        if is_secret(key) {
            value = match value {
                // A key's prefix tells keys apart without exposing them (as `env list` does); any
                // other secret (an SSO client secret) has no such prefix, so none of it is shown.
                Json::String(text) if !text.is_empty() && key == "management_key" => {
                    Json::String(ManagementKey::new(text).masked())
                }
                Json::String(text) if !text.is_empty() => Json::String(SENSITIVE.to_owned()),
                other => other,
            };
        }
        let origin = if variables.is_empty() {
            self.layer(node)
        } else {
            Origin::Variable
        };
        self.record(node, path.to_owned(), value.clone(), origin);
        if let Some(field) = self.fields.last_mut() {
            field.variables = variables;
        }
        value
    }

    fn value(&self, node: &Node, variables: &mut Vec<String>) -> Json {
        match &node.value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => json!(value),
            Value::Float(value, _) => json!(value),
            Value::Str(raw) => {
                variables.extend(referenced_variables(raw));
                match interpolate(raw, self.variables) {
                    Ok(done) => Json::String(done.text),
                    Err(_) => Json::String(raw.to_string()),
                }
            }
            Value::Seq(items) => Json::Array(
                items
                    .iter()
                    .map(|item| self.value(item, variables))
                    .collect(),
            ),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|entry| (entry.key.to_string(), self.value(&entry.value, variables)))
                    .collect(),
            ),
        }
    }

    fn layer(&self, node: &Node) -> Origin {
        if self.templates.contains_key(&(node.source, node.position)) {
            Origin::Template
        } else if node.source == 0 {
            Origin::Base
        } else {
            Origin::Overlay
        }
    }

    fn record(&mut self, node: &Node, path: String, value: Json, origin: Origin) {
        let template = self.templates.get(&(node.source, node.position)).cloned();
        self.fields.push(FieldOrigin {
            path,
            value,
            origin,
            template,
            variables: Vec::new(),
            file: self
                .files
                .get(node.source)
                .map(|file| file.display().to_string())
                .unwrap_or_default(),
            line: node.position.line as usize,
            column: node.position.column as usize,
        });
    }
}

/// Whether a resource is part of `env` (no `environments:` means every one).
fn in_env(item: &Node, env: &str) -> bool {
    match item.get("environments").map(|scope| &scope.value) {
        Some(Value::Seq(envs)) => envs
            .iter()
            .any(|scoped| scoped.scalar_text().as_deref() == Some(env)),
        _ => true,
    }
}

/// What stands in for a secret that is not a management key, as in plans.
const SENSITIVE: &str = "(sensitive)";

fn is_secret(key: &str) -> bool {
    key == "management_key" || key.ends_with("secret")
}

/// The names of the `${VAR}` / `${VAR:-default}` references in `text` (`$${` is a literal).
fn referenced_variables(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let escaped = rest[..start].ends_with('$');
        rest = &rest[start + 2..];
        if escaped {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 && !names.iter().any(|name| name == &rest[..end]) {
            names.push(rest[..end].to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::{Origin, explain_with, referenced_variables};
    use crate::config::interpolate::Variables;

    #[test]
    fn a_secret_from_a_variable_is_masked_and_its_variable_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("descope.yaml");
        std::fs::write(
            &path,
            "version: \"1.0\"\nenvironments:\n  dev:\n    project_id: ${PROJECT}\n    management_key: ${DEV_KEY}\n",
        )
        .unwrap();
        let variables = Variables::from_map([
            ("PROJECT".to_owned(), "P2project".to_owned()),
            ("DEV_KEY".to_owned(), "K2verysecretkey".to_owned()),
        ]);
        let explained = explain_with(&path, "dev", &variables).unwrap();
        let field = |path: &str| {
            explained
                .fields
                .iter()
                .find(|field| field.path == path)
                .unwrap()
                .clone()
        };
        let key = field("environments.dev.management_key");
        assert_eq!(key.origin, Origin::Variable);
        assert_eq!(key.variables, ["DEV_KEY"]);
        assert_eq!(key.value, "K2ve…");
        assert_eq!((key.line, key.column), (5, 21));
        assert_eq!(field("environments.dev.project_id").value, "P2project");
        assert!(!format!("{explained:?}").contains("K2verysecretkey"));
    }

    #[test]
    fn references_are_named_once_and_escapes_skipped() {
        assert_eq!(
            referenced_variables("${A}-${B:-${C}}-$${D}-${A}"),
            ["A", "B", "C"]
        );
        assert!(referenced_variables("plain").is_empty());
    }
}
