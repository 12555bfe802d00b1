//! The `environments:` section: names, connection (project credentials or emulator), base URL,
//! protection, rate limit, per-attempt timeout and apply concurrency of each environment.

use std::collections::BTreeMap;

use super::{Decoder, Keys};
use crate::config::diagnostic::Severity;
use crate::config::model::{Connection, EnvironmentConfig, RateLimit};
use crate::config::rules::{self, quote};
use crate::config::yaml::{Node, Value};
use crate::secret::ManagementKey;

/// Keys an environment block accepts.
pub(crate) const ENVIRONMENT: Keys = Keys {
    accepted: &[
        "project_id",
        "management_key",
        "emulator",
        "base_url",
        "protected",
        "rate_limit",
        "timeout_seconds",
        "concurrency",
    ],
    required: &[],
};
/// The keys that say where an environment connects: only the base file may set them.
pub(super) const CONNECTION_KEYS: &[&str] =
    &["project_id", "management_key", "emulator", "base_url"];

/// The environment keys an overlay may change: all but the connection.
pub(super) fn overlay_environment_keys() -> impl Iterator<Item = &'static str> {
    ENVIRONMENT
        .accepted
        .iter()
        .copied()
        .filter(|key| !CONNECTION_KEYS.contains(key))
}

/// Keys a `rate_limit` block accepts.
pub(crate) const RATE_LIMIT: Keys = Keys {
    accepted: &["requests", "per_seconds"],
    required: &[],
};

impl Decoder<'_> {
    pub(super) fn environments(&mut self, node: &Node) -> BTreeMap<String, EnvironmentConfig> {
        let mut environments = BTreeMap::new();
        let Value::Map(entries) = &node.value else {
            self.type_error(node, "environments", "a mapping of environment names");
            return environments;
        };
        for entry in entries {
            let path = format!("environments.{}", entry.key);
            if !is_environment_name(&entry.key) || entry.key == "all" {
                self.push(
                    Severity::Error,
                    entry.value.source,
                    entry.key_position,
                    path.clone(),
                    format!("{} is not a valid environment name", quote(&entry.key)),
                    Some("use lowercase letters, digits, `-` and `_`; `all` is reserved for --env all".to_owned()),
                );
                continue;
            }
            if let Some(environment) = self.environment(&entry.key, &entry.value, &path) {
                environments.insert(entry.key.to_string(), environment);
            }
        }
        environments
    }

    pub(super) fn environment(
        &mut self,
        name: &str,
        node: &Node,
        path: &str,
    ) -> Option<EnvironmentConfig> {
        let entries = self.mapping(node, path, &ENVIRONMENT)?;
        let errors_before = self.error_count();
        let field = |key: &str| entries.iter().find(|e| e.key == key).map(|e| &e.value);
        let emulator = field("emulator");
        let project_id = field("project_id");
        let key = field("management_key");
        let connection = match (emulator, project_id, key) {
            (Some(emulator), None, None) => {
                let file = self.string(emulator, &format!("{path}.emulator"))?;
                Some(Connection::Emulator {
                    state_file: self.config_dir.join(file),
                })
            }
            (None, Some(project_id), Some(key)) => {
                let project_id_node = project_id;
                let project_id = self.string(project_id_node, &format!("{path}.project_id"));
                let key = self.management_key(name, key, &format!("{path}.management_key"));
                if project_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
                    self.error_at(
                        project_id_node,
                        &format!("{path}.project_id"),
                        "must not be empty".to_owned(),
                        Some("set the project id, e.g. via ${VAR}".to_owned()),
                    );
                }
                Some(Connection::Project {
                    project_id: project_id?,
                    management_key: key?,
                })
            }
            (Some(_), _, _) => {
                self.error_at(
                    node,
                    path,
                    "has both `emulator` and project credentials".to_owned(),
                    Some("use `emulator: FILE` for the local emulator, or `project_id` and `management_key` for a Descope project".to_owned()),
                );
                None
            }
            (None, project_id, _) => {
                let missing = if project_id.is_none() {
                    "project_id"
                } else {
                    "management_key"
                };
                self.error_at(
                    node,
                    &format!("{path}.{missing}"),
                    "missing required field".to_owned(),
                    Some("an environment needs `project_id` and `management_key`, or `emulator: FILE`".to_owned()),
                );
                None
            }
        };
        let base_url = field("base_url").and_then(|node| {
            let url_path = format!("{path}.base_url");
            let url = self.string(node, &url_path)?;
            let problem = rules::check_base_url(&url_path, &url);
            self.violations(node, problem.into_iter().collect());
            Some(url)
        });
        let protected = match field("protected") {
            Some(node) => self
                .boolean(node, &format!("{path}.protected"))
                .unwrap_or(false),
            None => false,
        };
        let rate_limit =
            field("rate_limit").map(|node| self.rate_limit(node, &format!("{path}.rate_limit")));
        let timeout_seconds = field("timeout_seconds")
            .and_then(|node| self.positive(node, &format!("{path}.timeout_seconds")));
        let concurrency = field("concurrency")
            .and_then(|node| self.positive(node, &format!("{path}.concurrency")));
        if self.error_count() > errors_before {
            return None;
        }
        Some(EnvironmentConfig {
            connection: connection?,
            base_url,
            protected,
            rate_limit,
            timeout_seconds,
            concurrency,
        })
    }

    pub(super) fn management_key(
        &mut self,
        env: &str,
        node: &Node,
        path: &str,
    ) -> Option<ManagementKey> {
        let Value::Str(raw) = &node.value else {
            // Never echo the value: it may be a key written as a number by mistake.
            self.error_at(
                node,
                path,
                format!("expected a string, found {}", node.kind()),
                None,
            );
            return None;
        };
        let interpolated = self.interpolate(node, path, raw)?;
        if interpolated.written_in_file && !interpolated.text.is_empty() {
            let variable = format!(
                "DESCOPE_{}_MANAGEMENT_KEY",
                env.to_ascii_uppercase().replace('-', "_")
            );
            self.push(
                Severity::Warning,
                node.source,
                node.position,
                path.to_owned(),
                "management key is written literally in the file".to_owned(),
                Some(format!(
                    "write `${{{variable}}}` and set {variable} in the environment or in .env"
                )),
            );
        }
        Some(ManagementKey::new(interpolated.text))
    }

    pub(super) fn rate_limit(&mut self, node: &Node, path: &str) -> RateLimit {
        let mut limit = RateLimit::default();
        let Some(entries) = self.mapping(node, path, &RATE_LIMIT) else {
            return limit;
        };
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            let value = self.positive(&entry.value, &field_path);
            match (entry.key.as_ref(), value) {
                ("requests", Some(value)) => limit.requests = value,
                ("per_seconds", Some(value)) => limit.per_seconds = value,
                _ => {}
            }
        }
        limit
    }
}

/// The valid environment names the `environments:` mapping declares, decodable or not.
pub(super) fn declared_environments(node: Option<&Node>) -> Vec<String> {
    let Some(Value::Map(entries)) = node.map(|node| &node.value) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|entry| is_environment_name(&entry.key) && entry.key != "all")
        .map(|entry| entry.key.to_string())
        .collect()
}

pub(super) fn is_environment_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
