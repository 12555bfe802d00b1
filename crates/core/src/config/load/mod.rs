//! Loading and validating a configuration: read `descope.yaml` (and, for one environment, its
//! overlay `environments/<env>.yaml`), merge, interpolate `${VAR}`, decode into the typed models
//! and check every rule, collecting every problem with its file, line, column and field path.
//! Nothing here panics on input and nothing is sent anywhere.
//!
//! Split by job: [`read`] reads the files and merges the overlay; the per-section decoders
//! ([`environments`], [`permissions`], [`roles`], [`tenants`] with its sign-in blocks in [`tenant_auth`], [`flows`], [`themes`]) turn nodes
//! into models with the typed readers of [`fields`]; [`checks`] runs the cross-item rules;
//! [`report`] records diagnostics. Positioned nodes come from [`super::yaml`].

mod checks;
mod environments;
mod fields;
mod flows;
mod password_policy;
mod permissions;
mod policies;
pub mod provenance;
mod read;
mod report;
mod roles;
mod templates;
mod tenant_auth;
pub use tenant_auth::{sso_attribute_names, sso_plain_fields};
mod tenants;
mod themes;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, Position, Severity};
use super::interpolate::Variables;
use super::model::DescopeConfig;
use super::rules::quote;
use super::yaml::{Node, Value};
use crate::resource::ResourceKind;

/// Every mapping the loader reads, by the name of its JSON Schema definition (`""` is the root),
/// so a test can hold the schema and the decoders to the same keys.
#[cfg(test)]
pub(crate) const MAPPINGS: &[(&str, &Keys)] = &[
    ("", &TOP_LEVEL),
    ("EnvironmentFile", &environments::ENVIRONMENT),
    ("RateLimitFile", &environments::RATE_LIMIT),
    ("PermissionFile", &permissions::PERMISSION),
    ("RoleFile", &roles::ROLE),
    ("TenantFile", &tenants::TENANT),
    ("FlowFile", &flows::FLOW),
    ("ThemeFile", &themes::THEME),
    ("TenantRoleFile", &tenant_auth::TENANT_ROLE),
    ("SessionFile", &tenant_auth::SESSION),
    ("SsoFile", &tenant_auth::SSO),
    ("AttributeMappingFile", &tenant_auth::ATTRIBUTE_MAPPING),
    ("RoleMappingFile", &tenant_auth::ROLE_MAPPING),
    ("PasswordPolicyFile", &tenant_auth::PASSWORD_POLICY),
    ("TemplateFile", &templates::TEMPLATE),
    ("PolicyFile", &policies::POLICY),
];

/// The outcome of loading: the configuration when there is no error, and every diagnostic
/// (errors and warnings) in file order.
#[derive(Debug)]
pub struct Loaded {
    pub config: Option<DescopeConfig>,
    pub diagnostics: Vec<Diagnostic>,
    /// `sha256:<hex>` of everything the view was made from: the bytes of each file read (base,
    /// overlay, flow and theme documents) and every interpolated value but management keys. A
    /// saved plan carries it so that `apply` can refuse a plan whose configuration changed.
    pub fingerprint: String,
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

/// Loads `path` with variables from the process environment and `.env` beside it, and the
/// settings from the process environment. With `env`, the result is that environment's view: its
/// overlay merged in and only its resources kept.
pub fn load(path: &Path, env: Option<&str>) -> Loaded {
    let setting = std::env::var(MAX_CONFIG_BYTES_VARIABLE).ok();
    let settings = match Settings::from_value(setting.as_deref()) {
        Ok(settings) => settings,
        Err(message) => {
            return Loaded::failed(path.to_path_buf(), Position { line: 1, column: 1 }, message);
        }
    };
    match Variables::from_env_and_dotenv(config_dir(path)) {
        Ok(variables) => load_with_settings(path, env, &variables, &settings),
        Err(error) => Loaded::failed(beside(path, ".env"), error.position, error.message),
    }
}

/// The environment variable that sets [`Settings::max_config_bytes`].
pub const MAX_CONFIG_BYTES_VARIABLE: &str = "DESCOPE_MGMT_MAX_CONFIG_BYTES";
/// Fits a 100,000-tenant portfolio with room for a few more fields per tenant.
pub const DEFAULT_MAX_CONFIG_BYTES: u64 = 64 * 1024 * 1024;

/// Settings of a load that come from the operator rather than the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The largest file read: the configuration, an overlay, a flow or theme document. Larger
    /// files (and endless ones: pipes, devices) are refused after reading one byte more.
    pub max_config_bytes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_config_bytes: DEFAULT_MAX_CONFIG_BYTES,
        }
    }
}

impl Settings {
    /// Settings from the value of [`MAX_CONFIG_BYTES_VARIABLE`] (unset: the default).
    pub fn from_value(max_config_bytes: Option<&str>) -> Result<Self, String> {
        let Some(text) = max_config_bytes else {
            return Ok(Self::default());
        };
        match text.trim().parse::<u64>() {
            Ok(bytes) if bytes > 0 => Ok(Self {
                max_config_bytes: bytes,
            }),
            _ => Err(format!(
                "{MAX_CONFIG_BYTES_VARIABLE}={} is not a positive number of bytes (default {DEFAULT_MAX_CONFIG_BYTES})",
                quote(text)
            )),
        }
    }
}

impl Loaded {
    /// A load that failed before any file was read, with one error about `file`.
    fn failed(file: PathBuf, position: Position, message: String) -> Self {
        Self {
            config: None,
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                file,
                position,
                path: String::new(),
                message,
                hint: None,
            }],
            fingerprint: String::new(),
        }
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
    beside(path, &format!("environments/{env}.yaml"))
}

/// `relative` in the configuration's directory, written as the user would: `.env` rather than
/// `./.env` for a configuration given without a directory.
fn beside(path: &Path, relative: &str) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(relative),
        _ => PathBuf::from(relative),
    }
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

/// [`load`] with explicit variables and the default settings.
pub fn load_with(path: &Path, env: Option<&str>, variables: &Variables) -> Loaded {
    load_with_settings(path, env, variables, &Settings::default())
}

/// [`load`] with explicit variables and settings.
pub fn load_with_settings(
    path: &Path,
    env: Option<&str>,
    variables: &Variables,
    settings: &Settings,
) -> Loaded {
    finish(Decoder::new(path, variables, *settings), env)
}

/// [`load_with`] decoding every list on one thread, as a reference for the two-thread path.
#[cfg(test)]
pub(crate) fn load_on_one_thread(path: &Path, env: Option<&str>, variables: &Variables) -> Loaded {
    let mut decoder = Decoder::new(path, variables, Settings::default());
    decoder.parallel_lists_from = usize::MAX;
    finish(decoder, env)
}

/// Runs `decoder` over `env`'s view and sorts out what it found.
fn finish(mut decoder: Decoder<'_>, env: Option<&str>) -> Loaded {
    let config = decoder.run(env);
    let mut diagnostics = std::mem::take(&mut decoder.diagnostics);
    diagnostics
        .sort_by(|a, b| (&a.file, a.position, a.severity).cmp(&(&b.file, b.position, b.severity)));
    // One problem in a template is met again in every tenant that uses it: report it once.
    diagnostics.dedup_by(|later, earlier| {
        (&later.file, later.position, &later.message)
            == (&earlier.file, earlier.position, &earlier.message)
    });
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let fingerprint = sha256_text(decoder.fingerprint);
    Loaded {
        config: if has_errors { None } else { config },
        diagnostics,
        fingerprint,
    }
}

/// The seal of a saved plan: `sha256:<hex>` of the configuration's [`Loaded::fingerprint`] and
/// the plan's JSON together, so that a plan edited by hand is refused instead of acted on.
pub fn plan_seal(config_fingerprint: &str, plan_json: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [config_fingerprint, plan_json] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    sha256_text(hasher)
}

fn sha256_text(hasher: Sha256) -> String {
    use std::fmt::Write as _;
    hasher
        .finalize()
        .iter()
        .fold(String::from("sha256:"), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Top-level keys of the configuration.
pub(crate) const TOP_LEVEL: Keys = Keys {
    accepted: &[
        "version",
        "environments",
        "permissions",
        "roles",
        "tenants",
        "flows",
        "flows_dir",
        "themes",
        "password_policy",
        "templates",
        "policies",
    ],
    required: &["environments"],
};

/// The keys one mapping accepts and the ones it requires: the single declaration the decoders
/// check input against and the JSON Schema is tested against.
pub(crate) struct Keys {
    pub accepted: &'static [&'static str],
    pub required: &'static [&'static str],
}

/// A decoded item with where it came from, for the cross-reference checks.
struct Located<'n, T> {
    value: T,
    path: String,
    node: &'n Node<'n>,
}

struct Decoder<'v> {
    files: Vec<PathBuf>,
    variables: &'v Variables,
    settings: Settings,
    fingerprint: Sha256,
    /// Inputs kept in order instead of hashed: a decoder working on the later part of a list
    /// beside this one hands them over to be hashed after the earlier part's.
    deferred_inputs: Option<Vec<Vec<u8>>>,
    /// Lists this long or longer are decoded in two halves on two threads.
    parallel_lists_from: usize,
    config_dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

/// A list of 100,000 tenants takes about a fifth of `config validate`; below a few thousand
/// items a second thread is not worth starting.
const PARALLEL_LISTS_FROM: usize = 4_096;

impl<'v> Decoder<'v> {
    fn new(path: &Path, variables: &'v Variables, settings: Settings) -> Self {
        Self {
            files: vec![path.to_path_buf()],
            variables,
            settings,
            fingerprint: Sha256::new(),
            deferred_inputs: None,
            parallel_lists_from: PARALLEL_LISTS_FROM,
            config_dir: config_dir(path).to_path_buf(),
            diagnostics: Vec::new(),
        }
    }

    /// A decoder for part of a list beside this one: same files and variables, its own
    /// diagnostics, its inputs kept for [`Self::absorb`].
    fn fork(&self) -> Self {
        Self {
            files: self.files.clone(),
            variables: self.variables,
            settings: self.settings,
            fingerprint: Sha256::new(),
            deferred_inputs: Some(Vec::new()),
            parallel_lists_from: self.parallel_lists_from,
            config_dir: self.config_dir.clone(),
            diagnostics: Vec::new(),
        }
    }

    /// Takes over what a [`Self::fork`] found, as if this decoder had decoded its part next.
    fn absorb(&mut self, fork: Self) {
        self.diagnostics.extend(fork.diagnostics);
        for input in fork.deferred_inputs.into_iter().flatten() {
            self.record_input(&input);
        }
    }
}

impl Decoder<'_> {
    fn decode_root(
        &mut self,
        root: &Node,
        env: Option<&str>,
        template_use: templates::TemplateUse,
    ) -> Option<DescopeConfig> {
        let entries = self.mapping(root, "", &TOP_LEVEL)?;
        let mut version = DescopeConfig::DEFAULT_VERSION.to_owned();
        let mut environments = BTreeMap::new();
        let mut permissions = Vec::new();
        let mut roles = Vec::new();
        let mut tenants = Vec::new();
        let mut flows = Vec::new();
        let mut folder_flows = Vec::new();
        let mut theme = None;
        let mut password_policy = None;
        let mut policies = Vec::new();
        let mut environments_node = None;
        for entry in entries {
            let node = &entry.value;
            let path = entry.key.as_ref();
            match path {
                "version" => {
                    // Only a string: `version: 1.0` is the number 1, and `1.10` would be 1.1.
                    if let Value::Str(text) = &node.value {
                        let text = text.to_string();
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
                        let hint = match &node.value {
                            Value::Int(_) | Value::Float(..) => node
                                .scalar_text()
                                .map(|text| format!("quote it: \"{text}\"")),
                            _ => None,
                        };
                        self.error_at(
                            node,
                            path,
                            format!(
                                "expected a version string such as \"1.0\", found {}",
                                node.kind()
                            ),
                            hint,
                        );
                    }
                }
                "environments" => {
                    environments_node = Some(node);
                    environments = self.environments(node);
                }
                "permissions" => permissions = self.list(node, path, Self::permission),
                "roles" => roles = self.list(node, path, Self::role),
                "tenants" => tenants = self.list(node, path, Self::tenant),
                "flows" => flows
                    .splice(0..0, self.list(node, path, Self::flow))
                    .for_each(drop),
                "flows_dir" => flows.extend(self.flows_dir(node, path)),
                "themes" => theme = self.theme(node, path),
                "password_policy" => password_policy = self.password_policy(node, path),
                "policies" => policies = self.list(node, path, Self::policy),
                _ => {}
            }
        }
        // Listed flows first, then the folder's, whatever the order of the keys.
        flows.append(&mut folder_flows);
        // An environment whose block has errors is still defined: its own errors say what is
        // wrong, and "not defined" elsewhere would be false.
        let known_envs = environments::declared_environments(environments_node);
        self.check_scopes(&permissions, &known_envs, |p| &p.environments);
        self.check_scopes(&roles, &known_envs, |r| &r.environments);
        self.check_scopes(&tenants, &known_envs, |t| &t.environments);
        self.check_scopes(&flows, &known_envs, |f| &f.environments);
        self.check_scopes(&policies, &known_envs, |p| &p.environments);

        if let Some(env) = env {
            if !known_envs.iter().any(|known| known == env) {
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

        self.check_identity_duplicates(
            ResourceKind::Permission,
            &permissions,
            |p| p.name.as_str(),
            |p| &p.environments,
        );
        self.check_identity_duplicates(
            ResourceKind::Role,
            &roles,
            |r| r.name.as_str(),
            |r| &r.environments,
        );
        self.check_identity_duplicates(
            ResourceKind::Tenant,
            &tenants,
            |t| t.id.as_str(),
            |t| &t.environments,
        );
        self.check_duplicates(
            &tenants,
            "tenant name",
            "name",
            |t| t.name.as_str(),
            |t| &t.environments,
        );
        self.check_duplicates(
            &flows,
            "flow id",
            "id",
            |f| f.id.as_str(),
            |f| &f.environments,
        );
        self.check_references(&permissions, &roles, &tenants);
        let policy_envs = env.map_or(known_envs, |env| vec![env.to_owned()]);
        self.check_policies(&policies, &tenants, &roles, &policy_envs, &template_use);

        Some(DescopeConfig {
            version,
            environments,
            permissions: permissions.into_iter().map(|p| p.value).collect(),
            roles: roles.into_iter().map(|r| r.value).collect(),
            tenants: tenants.into_iter().map(|t| t.value).collect(),
            flows: flows.into_iter().map(|f| f.value).collect(),
            theme,
            password_policy,
            tenant_templates: template_use,
        })
    }
}
