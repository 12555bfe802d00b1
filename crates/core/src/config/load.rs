//! Loading and validating a configuration: read `descope.yaml` (and, for one environment, its
//! overlay `environments/<env>.yaml`), merge, interpolate `${VAR}`, decode into the typed models
//! and check every rule, collecting every problem with its file, line, column and field path.
//! Nothing here panics on input and nothing is sent anywhere.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, Position, Severity, Violation};
use super::interpolate::{InterpolationError, Variables, interpolate};
use super::merge::merge_overlay;
use super::model::{
    Connection, DescopeConfig, EnvironmentConfig, FlowConfig, PermissionConfig, RateLimit,
    RoleConfig, Scope, TenantConfig, ThemeConfig,
};
use super::rules::{self, BUILTIN_PERMISSIONS, BUILTIN_ROLES, quote};
use super::yaml::{Entry, MAX_FILE_BYTES, Node, Value, load_yaml};
use crate::secret::ManagementKey;

/// The outcome of loading: the configuration when there is no error, and every diagnostic
/// (errors and warnings) in file order.
#[derive(Debug)]
pub struct Loaded {
    pub config: Option<DescopeConfig>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
}

/// Loads `path` with variables from the process environment and `.env` beside it. With `env`,
/// the result is that environment's view: its overlay merged in and only its resources kept.
pub fn load(path: &Path, env: Option<&str>) -> Loaded {
    match Variables::from_env_and_dotenv(config_dir(path)) {
        Ok(variables) => load_with(path, env, &variables),
        Err(message) => Loaded {
            config: None,
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                file: config_dir(path).join(".env"),
                position: Position { line: 1, column: 1 },
                path: String::new(),
                message,
                hint: None,
            }],
        },
    }
}

/// The directory relative paths in the configuration resolve from.
pub fn config_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The overlay file of `env` for the configuration at `path`.
pub fn overlay_path(path: &Path, env: &str) -> PathBuf {
    config_dir(path)
        .join("environments")
        .join(format!("{env}.yaml"))
}

/// Environments that have an overlay file beside the configuration.
pub fn overlay_environments(path: &Path) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(config_dir(path).join("environments")) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if let Some(env) = file_name.strip_suffix(".yaml") {
                names.push(env.to_owned());
            }
        }
    }
    names.sort();
    names
}

/// [`load`] with explicit variables.
pub fn load_with(path: &Path, env: Option<&str>, variables: &Variables) -> Loaded {
    let mut decoder = Decoder {
        files: vec![path.to_path_buf()],
        variables,
        config_dir: config_dir(path).to_path_buf(),
        diagnostics: Vec::new(),
    };
    let config = decoder.run(env);
    let mut diagnostics = decoder.diagnostics;
    diagnostics
        .sort_by(|a, b| (&a.file, a.position, a.severity).cmp(&(&b.file, b.position, b.severity)));
    diagnostics.dedup();
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Loaded {
        config: if has_errors { None } else { config },
        diagnostics,
    }
}

const TOP_LEVEL: &[&str] = &[
    "version",
    "environments",
    "permissions",
    "roles",
    "tenants",
    "flows",
    "themes",
];
const ENVIRONMENT: &[&str] = &[
    "project_id",
    "management_key",
    "emulator",
    "base_url",
    "protected",
    "rate_limit",
];
const TENANT: &[&str] = &[
    "id",
    "name",
    "domains",
    "self_provisioning",
    "custom_attributes",
    "default_roles",
    "enforce_sso",
    "disabled",
    "environments",
];
const ROLE: &[&str] = &["name", "description", "permissions", "environments"];
const PERMISSION: &[&str] = &["name", "description", "environments"];
const FLOW: &[&str] = &["id", "file", "enabled", "environments"];
const THEME: &[&str] = &["file"];
const RATE_LIMIT: &[&str] = &["requests", "per_seconds"];

/// A decoded item with where it came from, for the cross-reference checks.
struct Located<'n, T> {
    value: T,
    path: String,
    node: &'n Node<'n>,
}

struct Decoder<'v> {
    files: Vec<PathBuf>,
    variables: &'v Variables,
    config_dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

impl Decoder<'_> {
    fn run(&mut self, env: Option<&str>) -> Option<DescopeConfig> {
        let base_path = self.files[0].clone();
        let base_text = self.read(&base_path, 0)?;
        let mut overlay_text = None;
        if let Some(env) = env {
            if !is_environment_name(env) {
                self.file_error(
                    0,
                    format!("environment name {} is not valid", quote(env)),
                    "environment names use lowercase letters, digits, `-` and `_`",
                );
                return None;
            }
            let overlay_file = overlay_path(&base_path, env);
            if overlay_file.is_file() {
                self.files.push(overlay_file.clone());
                overlay_text = Some(self.read(&overlay_file, 1)?);
            }
        }
        // Both texts outlive the trees, which borrow their strings from them.
        let mut root = self.parse(&base_text, 0)?;
        if let Some(text) = &overlay_text {
            let overlay = self.parse(text, 1)?;
            if !matches!(overlay.value, Value::Map(_)) {
                self.error_at(
                    &overlay,
                    "",
                    format!("expected a mapping, found {}", overlay.kind()),
                    None,
                );
                return None;
            }
            root = merge_overlay(root, overlay);
        }
        self.decode_root(&root, env)
    }

    /// Reads one file as text; reports and returns `None` when it cannot.
    fn read(&mut self, path: &Path, source: usize) -> Option<String> {
        let reason = |error: std::io::Error| match error.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_owned(),
            kind => kind.to_string(),
        };
        let size = match std::fs::metadata(path) {
            Ok(metadata) => metadata.len(),
            Err(error) => {
                let hint = if source == 0 {
                    "pass --config FILE or set DESCOPE_MGMT_CONFIG"
                } else {
                    "check the file's permissions"
                };
                self.file_error(
                    source,
                    format!("cannot read the file: {}", reason(error)),
                    hint,
                );
                return None;
            }
        };
        if size > MAX_FILE_BYTES as u64 {
            self.file_error(
                source,
                format!("file is {size} bytes; at most {MAX_FILE_BYTES} bytes are accepted"),
                "split the configuration or remove generated content",
            );
            return None;
        }
        match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => Some(text),
            Ok(Err(_)) => {
                self.file_error(
                    source,
                    "the file is not UTF-8 text".to_owned(),
                    "save it as UTF-8",
                );
                None
            }
            Err(error) => {
                self.file_error(
                    source,
                    format!("cannot read the file: {}", reason(error)),
                    "check the file's permissions",
                );
                None
            }
        }
    }

    /// Parses one file's text; reports and returns `None` when it cannot.
    fn parse<'t>(&mut self, text: &'t str, source: usize) -> Option<Node<'t>> {
        match load_yaml(text, source) {
            Ok(Some(node)) => Some(node),
            Ok(None) => {
                self.file_error(
                    source,
                    "the file is empty".to_owned(),
                    "a configuration needs at least `version` and `environments`",
                );
                None
            }
            Err(error) => {
                self.push(
                    Severity::Error,
                    source,
                    error.position,
                    String::new(),
                    error.message,
                    error.hint,
                );
                None
            }
        }
    }

    fn decode_root(&mut self, root: &Node, env: Option<&str>) -> Option<DescopeConfig> {
        let entries = self.mapping(root, "", TOP_LEVEL, &["environments"])?;
        let mut version = DescopeConfig::DEFAULT_VERSION.to_owned();
        let mut environments = BTreeMap::new();
        let mut permissions = Vec::new();
        let mut roles = Vec::new();
        let mut tenants = Vec::new();
        let mut flows = Vec::new();
        let mut theme = None;
        let mut environments_node = None;
        for entry in entries {
            let node = &entry.value;
            let path = entry.key.as_ref();
            match path {
                "version" => {
                    if let Some(text) = node
                        .scalar_text()
                        .filter(|_| !matches!(node.value, Value::Null))
                    {
                        if text != DescopeConfig::DEFAULT_VERSION {
                            self.error_at(
                                node,
                                path,
                                format!("unsupported version {}", quote(&text)),
                                Some("this release reads version \"1.0\"".to_owned()),
                            );
                        }
                        version = text;
                    } else {
                        self.type_error(node, path, "a version string such as \"1.0\"");
                    }
                }
                "environments" => {
                    environments_node = Some(node);
                    environments = self.environments(node);
                }
                "permissions" => permissions = self.list(node, path, Self::permission),
                "roles" => roles = self.list(node, path, Self::role),
                "tenants" => tenants = self.list(node, path, Self::tenant),
                "flows" => flows = self.list(node, path, Self::flow),
                "themes" => theme = self.theme(node, path),
                _ => {}
            }
        }
        let known_envs: Vec<String> = environments.keys().cloned().collect();
        self.check_scopes(&permissions, &known_envs, |p| &p.environments);
        self.check_scopes(&roles, &known_envs, |r| &r.environments);
        self.check_scopes(&tenants, &known_envs, |t| &t.environments);
        self.check_scopes(&flows, &known_envs, |f| &f.environments);

        if let Some(env) = env {
            if !environments.contains_key(env) {
                let (source, position) = environments_node
                    .map(|node| (node.source, node.position))
                    .unwrap_or((0, Position { line: 1, column: 1 }));
                self.push(
                    Severity::Error,
                    source,
                    position,
                    "environments".to_owned(),
                    format!("environment {} is not defined", quote(env)),
                    Some(format!("defined environments: {}", known_envs.join(", "))),
                );
            }
            permissions.retain(|p| p.value.environments.includes(env));
            roles.retain(|r| r.value.environments.includes(env));
            tenants.retain(|t| t.value.environments.includes(env));
            flows.retain(|f| f.value.environments.includes(env));
        }

        self.check_duplicates(
            &permissions,
            "permission name",
            "name",
            |p| p.name.clone(),
            |p| &p.environments,
        );
        self.check_duplicates(
            &roles,
            "role name",
            "name",
            |r| r.name.clone(),
            |r| &r.environments,
        );
        self.check_duplicates(
            &tenants,
            "tenant id",
            "id",
            |t| t.id.clone(),
            |t| &t.environments,
        );
        self.check_duplicates(
            &tenants,
            "tenant name",
            "name",
            |t| t.name.clone(),
            |t| &t.environments,
        );
        self.check_duplicates(
            &flows,
            "flow id",
            "id",
            |f| f.id.clone(),
            |f| &f.environments,
        );
        self.check_references(&permissions, &roles, &tenants);

        Some(DescopeConfig {
            version,
            environments,
            permissions: permissions.into_iter().map(|p| p.value).collect(),
            roles: roles.into_iter().map(|r| r.value).collect(),
            tenants: tenants.into_iter().map(|t| t.value).collect(),
            flows: flows.into_iter().map(|f| f.value).collect(),
            theme,
        })
    }

    fn environments(&mut self, node: &Node) -> BTreeMap<String, EnvironmentConfig> {
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

    fn environment(&mut self, name: &str, node: &Node, path: &str) -> Option<EnvironmentConfig> {
        let entries = self.mapping(node, path, ENVIRONMENT, &[])?;
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
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                self.error_at(
                    node,
                    &url_path,
                    format!("{} is not an http(s) URL", quote(&url)),
                    Some("e.g. https://api.descope.com".to_owned()),
                );
            }
            Some(url)
        });
        let protected = match field("protected") {
            Some(node) => self
                .boolean(node, &format!("{path}.protected"))
                .unwrap_or(false),
            None => false,
        };
        let rate_limit = match field("rate_limit") {
            Some(node) => self.rate_limit(node, &format!("{path}.rate_limit")),
            None => RateLimit::default(),
        };
        if self.error_count() > errors_before {
            return None;
        }
        Some(EnvironmentConfig {
            connection: connection?,
            base_url,
            protected,
            rate_limit,
        })
    }

    fn management_key(&mut self, env: &str, node: &Node, path: &str) -> Option<ManagementKey> {
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
        if !interpolated.used_variable && !interpolated.text.is_empty() {
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

    fn rate_limit(&mut self, node: &Node, path: &str) -> RateLimit {
        let mut limit = RateLimit::default();
        let Some(entries) = self.mapping(node, path, RATE_LIMIT, &[]) else {
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

    fn list<'n, T>(
        &mut self,
        node: &'n Node<'n>,
        path: &str,
        decode: fn(&mut Self, &'n Node<'n>, &str) -> Option<T>,
    ) -> Vec<Located<'n, T>> {
        let items = match &node.value {
            Value::Seq(items) => items,
            // An emptied section (`tenants:` with everything commented out) means none.
            Value::Null => return Vec::new(),
            _ => {
                self.type_error(node, path, "a list");
                return Vec::new();
            }
        };
        let mut decoded = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            if let Some(value) = decode(self, item, &item_path) {
                decoded.push(Located {
                    value,
                    path: item_path,
                    node: item,
                });
            }
        }
        decoded
    }

    fn permission(&mut self, node: &Node, path: &str) -> Option<PermissionConfig> {
        let entries = self.mapping(node, path, PERMISSION, &["name"])?;
        let mut permission = PermissionConfig::new("", "");
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "name" => {
                    permission.name = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "description" => {
                    permission.description =
                        self.string(&entry.value, &field_path).unwrap_or_default()
                }
                "environments" => permission.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(permission)
    }

    fn role(&mut self, node: &Node, path: &str) -> Option<RoleConfig> {
        let entries = self.mapping(node, path, ROLE, &["name"])?;
        let mut role = RoleConfig::new("", "", Vec::new());
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "name" => {
                    role.name = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "description" => {
                    role.description = self.string(&entry.value, &field_path).unwrap_or_default()
                }
                "permissions" => role.permissions = self.strings(&entry.value, &field_path),
                "environments" => role.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(role)
    }

    fn tenant(&mut self, node: &Node, path: &str) -> Option<TenantConfig> {
        let entries = self.mapping(node, path, TENANT, &["id", "name"])?;
        let mut tenant = TenantConfig::builder("", "").build_unchecked();
        let mut domains_node = None;
        let mut paths = PathBuilder::new(path);
        for entry in entries {
            let value = &entry.value;
            let field_path = paths.field(&entry.key);
            match entry.key.as_ref() {
                "id" => {
                    if let Some(id) = self.string(value, field_path) {
                        self.violations(value, rules::check_tenant_id(field_path, &id));
                        tenant.id = id;
                    }
                }
                "name" => {
                    if let Some(name) = self.string(value, field_path) {
                        let (trimmed, found) = rules::check_name(field_path, &name);
                        self.violations(value, found);
                        tenant.name = trimmed;
                    }
                }
                "domains" => {
                    domains_node = Some(value);
                    if let Value::Seq(items) = &value.value {
                        let mut item_paths = PathBuilder::new(field_path);
                        for (index, item) in items.iter().enumerate() {
                            let item_path = item_paths.index(index);
                            if let Some(domain) = self.string(item, item_path) {
                                self.violations(item, rules::check_domain(item_path, &domain));
                                tenant.domains.push(domain);
                            }
                        }
                    } else {
                        self.type_error(value, field_path, "a list of domains");
                    }
                }
                "self_provisioning" => {
                    tenant.self_provisioning = self.boolean(value, field_path).unwrap_or(false)
                }
                "custom_attributes" => {
                    if let Value::Map(attributes) = &value.value {
                        let mut attribute_paths = PathBuilder::new(field_path);
                        for attribute in attributes {
                            let attribute_path = attribute_paths.field(&attribute.key);
                            let json = self.json(&attribute.value, attribute_path);
                            tenant
                                .custom_attributes
                                .insert(attribute.key.to_string(), json);
                        }
                    } else {
                        self.type_error(value, field_path, "a mapping");
                    }
                }
                "default_roles" => tenant.default_roles = self.strings(value, field_path),
                "enforce_sso" => {
                    tenant.enforce_sso = self.boolean(value, field_path).unwrap_or(false)
                }
                "disabled" => tenant.disabled = self.boolean(value, field_path).unwrap_or(false),
                "environments" => tenant.environments = self.scope(value, field_path),
                _ => {}
            }
        }
        if let Some(domains) = domains_node
            && !tenant.domains.is_empty()
            && !tenant.self_provisioning
        {
            self.push(
                Severity::Warning,
                domains.source,
                domains.position,
                format!("{path}.domains"),
                "domains have no effect without self_provisioning: true".to_owned(),
                Some("set `self_provisioning: true` or remove the domains".to_owned()),
            );
        }
        Some(tenant)
    }

    fn flow(&mut self, node: &Node, path: &str) -> Option<FlowConfig> {
        let entries = self.mapping(node, path, FLOW, &["id", "file"])?;
        let mut flow = FlowConfig {
            id: String::new(),
            file: PathBuf::new(),
            enabled: true,
            environments: Scope::All,
        };
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "id" => {
                    flow.id = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "file" => {
                    flow.file = self
                        .json_file(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "enabled" => flow.enabled = self.boolean(&entry.value, &field_path).unwrap_or(true),
                "environments" => flow.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(flow)
    }

    fn theme(&mut self, node: &Node, path: &str) -> Option<ThemeConfig> {
        let entries = self.mapping(node, path, THEME, &["file"])?;
        let file = entries.iter().find(|e| e.key == "file")?;
        let resolved = self.json_file(&file.value, &format!("{path}.file"))?;
        Some(ThemeConfig::new(resolved))
    }

    /// A path to a JSON document, relative to the configuration's directory: it must exist and
    /// parse as JSON. Returns the resolved path.
    fn json_file(&mut self, node: &Node, path: &str) -> Option<PathBuf> {
        let relative = self.string(node, path)?;
        let resolved = self.config_dir.join(&relative);
        let problem = match std::fs::metadata(&resolved) {
            Err(_) => Some((
                format!("{} does not exist", quote(&relative)),
                format!(
                    "paths resolve from the configuration's directory ({})",
                    self.config_dir.display()
                ),
            )),
            Ok(metadata) if !metadata.is_file() => Some((
                format!("{} is not a file", quote(&relative)),
                "name an exported JSON document".to_owned(),
            )),
            Ok(metadata) if metadata.len() > MAX_FILE_BYTES as u64 => Some((
                format!("{} is larger than {MAX_FILE_BYTES} bytes", quote(&relative)),
                "name an exported JSON document".to_owned(),
            )),
            Ok(_) => match std::fs::read(&resolved) {
                Err(error) => Some((
                    format!("{} cannot be read: {}", quote(&relative), error.kind()),
                    "check the file's permissions".to_owned(),
                )),
                Ok(bytes) => serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
                    .err()
                    .map(|error| {
                        (
                            format!("{} is not valid JSON: {error}", quote(&relative)),
                            "export the document from Descope again, or fix the JSON".to_owned(),
                        )
                    }),
            },
        };
        match problem {
            Some((message, hint)) => {
                self.error_at(node, path, message, Some(hint));
                None
            }
            None => Some(resolved),
        }
    }

    fn scope(&mut self, node: &Node, path: &str) -> Scope {
        if !matches!(node.value, Value::Seq(_)) {
            self.type_error(node, path, "a list of environment names");
            return Scope::All;
        }
        Scope::Only(self.strings(node, path))
    }

    fn check_scopes<T>(
        &mut self,
        items: &[Located<'_, T>],
        known: &[String],
        scope: fn(&T) -> &Scope,
    ) {
        for item in items {
            let Some(names) = scope(&item.value).names() else {
                continue;
            };
            let Some(Value::Seq(nodes)) = item.node.get("environments").map(|n| &n.value) else {
                continue;
            };
            for (index, (name, node)) in names.iter().zip(nodes).enumerate() {
                if !known.contains(name) {
                    self.error_at(
                        node,
                        &format!("{}.environments[{index}]", item.path),
                        format!("{} is not a defined environment", quote(name)),
                        Some(format!("defined environments: {}", known.join(", "))),
                    );
                }
            }
        }
    }

    fn check_duplicates<T>(
        &mut self,
        items: &[Located<'_, T>],
        what: &str,
        field: &str,
        key: fn(&T) -> String,
        scope: fn(&T) -> &Scope,
    ) {
        let mut seen: HashMap<String, Vec<usize>> = HashMap::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let name = key(&item.value);
            if name.is_empty() {
                continue;
            }
            let earlier = seen.entry(name.clone()).or_default();
            let clash = earlier
                .iter()
                .find(|&&other| scope(&items[other].value).overlaps(scope(&item.value)));
            if let Some(&other) = clash {
                let first = &items[other];
                let first_line = first
                    .node
                    .get(field)
                    .map_or(first.node.position.line, |n| n.position.line);
                let node = item.node.get(field).unwrap_or(item.node);
                let message = format!(
                    "duplicate {what} {} (first at {}, line {first_line})",
                    quote(&name),
                    first.path
                );
                self.error_at(
                    node,
                    &format!("{}.{field}", item.path),
                    message,
                    Some(format!("each {what} must be unique")),
                );
            }
            earlier.push(index);
        }
    }

    fn check_references(
        &mut self,
        permissions: &[Located<'_, PermissionConfig>],
        roles: &[Located<'_, RoleConfig>],
        tenants: &[Located<'_, TenantConfig>],
    ) {
        let mut known_permissions: Vec<&str> =
            permissions.iter().map(|p| p.value.name.as_str()).collect();
        known_permissions.extend(BUILTIN_PERMISSIONS);
        known_permissions.sort_unstable();
        for role in roles {
            let Some(Value::Seq(nodes)) = role.node.get("permissions").map(|n| &n.value) else {
                continue;
            };
            for (index, (name, node)) in role.value.permissions.iter().zip(nodes).enumerate() {
                if known_permissions.binary_search(&name.as_str()).is_err() {
                    self.error_at(
                        node,
                        &format!("{}.permissions[{index}]", role.path),
                        format!("{} is not a defined permission", quote(name)),
                        Some(format!(
                            "define it under `permissions`, or use a built-in one: {}",
                            BUILTIN_PERMISSIONS.join(", ")
                        )),
                    );
                }
            }
        }
        let mut known_roles: Vec<&str> = roles.iter().map(|r| r.value.name.as_str()).collect();
        known_roles.extend(BUILTIN_ROLES);
        known_roles.sort_unstable();
        for tenant in tenants {
            let Some(Value::Seq(nodes)) = tenant.node.get("default_roles").map(|n| &n.value) else {
                continue;
            };
            for (index, (name, node)) in tenant.value.default_roles.iter().zip(nodes).enumerate() {
                if known_roles.binary_search(&name.as_str()).is_err() {
                    self.error_at(
                        node,
                        &format!("{}.default_roles[{index}]", tenant.path),
                        format!("{} is not a defined role", quote(name)),
                        Some(format!(
                            "define it under `roles`, or use a built-in one: {}",
                            BUILTIN_ROLES.join(", ")
                        )),
                    );
                }
            }
        }
    }

    // ---- typed readers ------------------------------------------------------------------

    /// Checks a mapping's keys: unknown ones and missing required ones are errors.
    fn mapping<'n>(
        &mut self,
        node: &'n Node<'n>,
        path: &str,
        allowed: &[&str],
        required: &[&str],
    ) -> Option<&'n [Entry<'n>]> {
        let Value::Map(entries) = &node.value else {
            self.type_error(node, path, "a mapping");
            return None;
        };
        for entry in entries {
            if !allowed.contains(&entry.key.as_ref()) {
                self.push(
                    Severity::Error,
                    entry.value.source,
                    entry.key_position,
                    join(path, &entry.key),
                    "unknown field".to_owned(),
                    Some(format!("expected one of: {}", allowed.join(", "))),
                );
            }
        }
        for key in required {
            if !entries.iter().any(|entry| entry.key == *key) {
                self.error_at(
                    node,
                    &join(path, key),
                    "missing required field".to_owned(),
                    Some(format!("add `{key}: …`")),
                );
            }
        }
        Some(entries)
    }

    /// A string value, interpolated.
    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(raw) => self.interpolate(node, path, raw).map(|done| done.text),
            Value::Int(_) | Value::Float(..) | Value::Bool(_) => {
                let text = node.scalar_text().unwrap_or_default();
                self.error_at(
                    node,
                    path,
                    format!("expected a string, found {}", node.kind()),
                    Some(format!("quote it: \"{text}\"")),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a string");
                None
            }
        }
    }

    /// A string that must not be empty after trimming.
    fn required_text(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.string(node, path)?;
        if text.trim().is_empty() {
            self.error_at(node, path, "must not be empty".to_owned(), None);
            return None;
        }
        Some(text)
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        let Value::Seq(items) = &node.value else {
            self.type_error(node, path, "a list of strings");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map({
                let mut paths = PathBuilder::new(path);
                move |(index, item)| self.string(item, paths.index(index))
            })
            .collect()
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(value) => Some(*value),
            // `${FLAG:-false}` arrives as a string: accept it when it reads as a boolean.
            Value::Str(raw) if raw.contains("${") => {
                let text = self.interpolate(node, path, raw)?.text;
                match text.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => {
                        self.error_at(
                            node,
                            path,
                            format!("expected true or false, found {}", quote(&text)),
                            None,
                        );
                        None
                    }
                }
            }
            _ => {
                self.type_error(node, path, "true or false");
                None
            }
        }
    }

    fn positive(&mut self, node: &Node, path: &str) -> Option<u32> {
        match &node.value {
            Value::Int(value) if *value >= 1 && *value <= i64::from(u32::MAX) => {
                u32::try_from(*value).ok()
            }
            Value::Int(value) => {
                self.error_at(
                    node,
                    path,
                    format!("{value} is out of range"),
                    Some("use a whole number of at least 1".to_owned()),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a whole number");
                None
            }
        }
    }

    /// Any YAML value as JSON, with strings interpolated.
    fn json(&mut self, node: &Node, path: &str) -> serde_json::Value {
        use serde_json::Value as Json;
        match &node.value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => Json::from(*value),
            Value::Float(value, text) => match serde_json::Number::from_f64(*value) {
                Some(number) => Json::Number(number),
                None => {
                    self.error_at(node, path, format!("{text} is not a finite number"), None);
                    Json::Null
                }
            },
            Value::Str(raw) => self
                .interpolate(node, path, raw)
                .map_or(Json::Null, |done| Json::String(done.text)),
            Value::Seq(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.json(item, &format!("{path}[{index}]")))
                    .collect(),
            ),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|entry| {
                        (
                            entry.key.to_string(),
                            self.json(&entry.value, &join(path, &entry.key)),
                        )
                    })
                    .collect(),
            ),
        }
    }

    fn interpolate(
        &mut self,
        node: &Node,
        path: &str,
        raw: &str,
    ) -> Option<super::interpolate::Interpolated> {
        match interpolate(raw, self.variables) {
            Ok(done) => Some(done),
            Err(errors) => {
                for error in errors {
                    let (message, hint) = match error {
                        InterpolationError::Undefined(name) => (
                            format!("undefined variable {name}"),
                            format!("set {name} in the environment or in .env beside the configuration, or give a default: ${{{name}:-value}}"),
                        ),
                        InterpolationError::Unterminated => (
                            "unterminated `${` in the value".to_owned(),
                            "close it with `}`, or write `$${` for a literal `${`".to_owned(),
                        ),
                        InterpolationError::BadName(name) => (
                            format!("{} is not a variable name", quote(&name)),
                            "variable names use letters, digits and `_`, and do not start with a digit".to_owned(),
                        ),
                    };
                    self.error_at(node, path, message, Some(hint));
                }
                None
            }
        }
    }

    // ---- reporting ----------------------------------------------------------------------

    fn violations(&mut self, node: &Node, violations: Vec<Violation>) {
        for violation in violations {
            self.push(
                Severity::Error,
                node.source,
                node.position,
                violation.path,
                violation.message,
                violation.hint,
            );
        }
    }

    fn type_error(&mut self, node: &Node, path: &str, expected: &str) {
        self.error_at(
            node,
            path,
            format!("expected {expected}, found {}", node.kind()),
            None,
        );
    }

    fn error_at(&mut self, node: &Node, path: &str, message: String, hint: Option<String>) {
        self.push(
            Severity::Error,
            node.source,
            node.position,
            path.to_owned(),
            message,
            hint,
        );
    }

    fn file_error(&mut self, source: usize, message: String, hint: &str) {
        self.push(
            Severity::Error,
            source,
            Position { line: 1, column: 1 },
            String::new(),
            message,
            Some(hint.to_owned()),
        );
    }

    fn push(
        &mut self,
        severity: Severity,
        source: usize,
        position: Position,
        path: String,
        message: String,
        hint: Option<String>,
    ) {
        let file = self.files.get(source).cloned().unwrap_or_default();
        self.diagnostics.push(Diagnostic {
            severity,
            file,
            position,
            path,
            message,
            hint,
        });
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Field paths built in one reused buffer, so the hot loop over thousands of tenants does not
/// allocate a path string per field only to use it in the rare error.
struct PathBuilder {
    buffer: String,
    base: usize,
}

impl PathBuilder {
    fn new(path: &str) -> Self {
        let mut buffer = String::with_capacity(path.len() + 32);
        buffer.push_str(path);
        Self {
            base: buffer.len(),
            buffer,
        }
    }

    /// `path.key` (or `key` at the top level).
    fn field(&mut self, key: &str) -> &str {
        self.buffer.truncate(self.base);
        if self.base > 0 {
            self.buffer.push('.');
        }
        self.buffer.push_str(key);
        &self.buffer
    }

    /// `path[index]`.
    fn index(&mut self, index: usize) -> &str {
        use std::fmt::Write as _;
        self.buffer.truncate(self.base);
        let _ = write!(self.buffer, "[{index}]");
        &self.buffer
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn is_environment_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
