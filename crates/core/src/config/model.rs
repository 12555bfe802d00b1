//! The typed configuration: what a user writes in `descope.yaml`, after interpolation, overlay
//! merging and validation. Models are immutable once built: fields are private and there is no
//! `&mut` API. Constructors check the same rules as the YAML loader ([`super::rules`]).
//!
//! A flow is `FlowConfig { id, file, enabled }`: the id is the flow's identity in Descope, and
//! the template-specific settings live inside the exported JSON document `file` rather than in
//! the YAML, so the document a console export produces is exactly what is imported back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::resource::{self, TenantRole};
use crate::secret::ManagementKey;

use super::diagnostic::{Violation, Violations};
use super::rules;
use super::tenant_auth::{PasswordPolicy, SessionConfig, SsoConfig};

/// The whole configuration of one file (and, when loaded for an environment, its overlay).
#[derive(Debug, Clone, PartialEq)]
pub struct DescopeConfig {
    pub(crate) version: String,
    pub(crate) environments: BTreeMap<String, EnvironmentConfig>,
    pub(crate) permissions: Vec<PermissionConfig>,
    pub(crate) roles: Vec<RoleConfig>,
    pub(crate) tenants: Vec<TenantConfig>,
    pub(crate) flows: Vec<FlowConfig>,
    pub(crate) theme: Option<ThemeConfig>,
    pub(crate) password_policy: Option<PasswordPolicy>,
    /// The templates each tenant was built from, by tenant id (for selectors and provenance).
    pub(crate) tenant_templates: BTreeMap<String, Vec<String>>,
}

impl DescopeConfig {
    pub const DEFAULT_VERSION: &'static str = "1.0";

    /// A configuration from its required parts; permissions, roles and theme are optional
    /// sections, added with the `with_*` methods.
    pub fn new(
        version: impl Into<String>,
        environments: BTreeMap<String, EnvironmentConfig>,
        tenants: Vec<TenantConfig>,
        flows: Vec<FlowConfig>,
    ) -> Self {
        Self {
            version: version.into(),
            environments,
            permissions: Vec::new(),
            roles: Vec::new(),
            tenants,
            flows,
            theme: None,
            password_policy: None,
            tenant_templates: BTreeMap::new(),
        }
    }

    /// The templates tenant `id` was built from, in the order they applied.
    pub fn templates_of(&self, id: &str) -> &[String] {
        self.tenant_templates.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn with_permissions(mut self, permissions: Vec<PermissionConfig>) -> Self {
        self.permissions = permissions;
        self
    }

    pub fn with_roles(mut self, roles: Vec<RoleConfig>) -> Self {
        self.roles = roles;
        self
    }

    pub fn with_theme(mut self, theme: Option<ThemeConfig>) -> Self {
        self.theme = theme;
        self
    }

    pub fn version(&self) -> &str {
        &self.version
    }
    pub fn environments(&self) -> &BTreeMap<String, EnvironmentConfig> {
        &self.environments
    }
    pub fn environment(&self, name: &str) -> Option<&EnvironmentConfig> {
        self.environments.get(name)
    }
    pub fn permissions(&self) -> &[PermissionConfig] {
        &self.permissions
    }
    pub fn roles(&self) -> &[RoleConfig] {
        &self.roles
    }
    pub fn tenants(&self) -> &[TenantConfig] {
        &self.tenants
    }
    pub fn flows(&self) -> &[FlowConfig] {
        &self.flows
    }
    pub fn theme(&self) -> Option<&ThemeConfig> {
        self.theme.as_ref()
    }
    /// The project-level password policy (`password_policy:` at the top level).
    pub fn password_policy(&self) -> Option<&PasswordPolicy> {
        self.password_policy.as_ref()
    }

    /// The view of one environment: only resources that apply to it.
    /// Whether every resource here exists in `env`: then [`Self::for_environment`] would be a
    /// copy of the whole configuration (the loader already keeps only `env`'s resources when
    /// it loads `env`'s view).
    pub fn is_view_of(&self, env: &str) -> bool {
        self.permissions
            .iter()
            .all(|p| p.environments.includes(env))
            && self.roles.iter().all(|r| r.environments.includes(env))
            && self.tenants.iter().all(|t| t.environments.includes(env))
            && self.flows.iter().all(|f| f.environments.includes(env))
    }

    pub fn for_environment(&self, env: &str) -> Self {
        Self {
            version: self.version.clone(),
            environments: self.environments.clone(),
            permissions: filter(&self.permissions, env, |p| &p.environments),
            roles: filter(&self.roles, env, |r| &r.environments),
            tenants: filter(&self.tenants, env, |t| &t.environments),
            flows: filter(&self.flows, env, |f| &f.environments),
            theme: self.theme.clone(),
            password_policy: self.password_policy.clone(),
            tenant_templates: self.tenant_templates.clone(),
        }
    }
}

fn filter<T: Clone>(items: &[T], env: &str, scope: impl Fn(&T) -> &Scope) -> Vec<T> {
    items
        .iter()
        .filter(|item| scope(item).includes(env))
        .cloned()
        .collect()
}

/// The environments a resource exists in: all of them unless an `environments` list is given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Only(Vec<String>),
}

impl Scope {
    pub fn includes(&self, env: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(envs) => envs.iter().any(|candidate| candidate == env),
        }
    }

    /// Whether some environment holds both (two same-named resources conflict only then).
    pub fn overlaps(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::All, _) | (_, Scope::All) => true,
            (Scope::Only(mine), Scope::Only(theirs)) => mine.iter().any(|env| theirs.contains(env)),
        }
    }

    pub fn names(&self) -> Option<&[String]> {
        match self {
            Scope::All => None,
            Scope::Only(envs) => Some(envs),
        }
    }
}

pub use super::base_url::DEFAULT_BASE_URL;

/// How to reach an environment's project.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// A Descope project, reached with a management key.
    Project {
        project_id: String,
        management_key: ManagementKey,
    },
    /// The embedded emulator, its state kept in this file (resolved from the config directory).
    Emulator { state_file: PathBuf },
}

/// Requests per window for one environment's API client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per_seconds: u32,
}

impl Default for RateLimit {
    /// 200 requests per 60 seconds: Descope's documented management-API quota for the lowest
    /// tier, so a default run never draws 429s.
    fn default() -> Self {
        Self {
            requests: 200,
            per_seconds: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentConfig {
    pub(crate) connection: Connection,
    pub(crate) base_url: Option<String>,
    pub(crate) protected: bool,
    /// `None` when the block sets no `rate_limit` (see [`EnvironmentConfig::pacing`]).
    pub(crate) rate_limit: Option<RateLimit>,
    /// Per-attempt timeout of the API client; `None` for its default.
    pub(crate) timeout_seconds: Option<u32>,
    /// Changes in flight at once during an apply; `None` for [`EnvironmentConfig::concurrency`]'s default.
    pub(crate) concurrency: Option<u32>,
}

/// The most changes in flight at once when nothing says otherwise.
pub const MAX_DEFAULT_CONCURRENCY: u32 = 32;

impl EnvironmentConfig {
    /// A project environment: the project id and the management key that authenticates for it.
    pub fn project(project_id: impl Into<String>, management_key: ManagementKey) -> Self {
        Self::with_connection(Connection::Project {
            project_id: project_id.into(),
            management_key,
        })
    }

    pub fn emulator(state_file: impl Into<PathBuf>) -> Self {
        Self::with_connection(Connection::Emulator {
            state_file: state_file.into(),
        })
    }

    fn with_connection(connection: Connection) -> Self {
        Self {
            connection,
            base_url: None,
            protected: false,
            rate_limit: None,
            timeout_seconds: None,
            concurrency: None,
        }
    }

    pub fn with_base_url(mut self, base_url: Option<String>) -> Self {
        self.base_url = base_url;
        self
    }
    pub fn with_protected(mut self, protected: bool) -> Self {
        self.protected = protected;
        self
    }
    pub fn with_rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }
    pub fn with_timeout_seconds(mut self, seconds: Option<u32>) -> Self {
        self.timeout_seconds = seconds;
        self
    }
    pub fn with_concurrency(mut self, concurrency: Option<u32>) -> Self {
        self.concurrency = concurrency;
        self
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }
    pub fn project_id(&self) -> Option<&str> {
        match &self.connection {
            Connection::Project { project_id, .. } => Some(project_id),
            Connection::Emulator { .. } => None,
        }
    }
    pub fn management_key(&self) -> Option<&ManagementKey> {
        match &self.connection {
            Connection::Project { management_key, .. } => Some(management_key),
            Connection::Emulator { .. } => None,
        }
    }
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }
    pub fn protected(&self) -> bool {
        self.protected
    }

    /// The URL the API client calls ([`super::base_url::resolve_base_url`], variables read
    /// through `env`); `None` for emulator environments (the port is ephemeral).
    pub fn resolved_base_url(&self, env: impl Fn(&str) -> Option<String>) -> Option<String> {
        let project_id = self.project_id()?;
        Some(super::base_url::resolve_base_url(
            self.base_url.as_deref(),
            project_id,
            env,
        ))
    }
    /// The rate limit of the block, or the default of 200 per 60 s.
    pub fn rate_limit(&self) -> RateLimit {
        self.rate_limit.unwrap_or_default()
    }

    /// The client-side pace: the block's `rate_limit`, else the default for a Descope project;
    /// `None` (not paced) for the embedded emulator unless its block sets one, since a limiter
    /// there protects nothing.
    pub fn pacing(&self) -> Option<RateLimit> {
        match self.connection {
            Connection::Project { .. } => Some(self.rate_limit()),
            Connection::Emulator { .. } => self.rate_limit,
        }
    }

    pub fn timeout_seconds(&self) -> Option<u32> {
        self.timeout_seconds
    }

    /// Changes in flight at once: the block's `concurrency`, else as many as the pace grants
    /// per second (more would only queue on the limiter at the usual sub-second latency),
    /// between 1 and [`MAX_DEFAULT_CONCURRENCY`]; an unpaced environment gets the maximum.
    pub fn concurrency(&self) -> u32 {
        if let Some(concurrency) = self.concurrency {
            return concurrency;
        }
        match self.pacing() {
            None => MAX_DEFAULT_CONCURRENCY,
            Some(limit) => limit
                .requests
                .div_ceil(limit.per_seconds.max(1))
                .clamp(1, MAX_DEFAULT_CONCURRENCY),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionConfig {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) environments: Scope,
}

impl PermissionConfig {
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            environments: Scope::All,
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn environments(&self) -> &Scope {
        &self.environments
    }
    pub fn to_resource(&self) -> resource::Permission {
        resource::Permission {
            name: self.name.clone(),
            description: self.description.clone(),
            system_default: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleConfig {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) permissions: Vec<String>,
    /// `None`: not managed, the live value stays.
    pub(crate) default: Option<bool>,
    pub(crate) private: Option<bool>,
    pub(crate) environments: Scope,
}

impl RoleConfig {
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        permissions: Vec<String>,
    ) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            permissions,
            default: None,
            private: None,
            environments: Scope::All,
        }
    }
    /// Manages the role's `default` flag (assigned to new users) and `private` flag.
    pub fn with_flags(mut self, default: Option<bool>, private: Option<bool>) -> Self {
        self.default = default;
        self.private = private;
        self
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn permissions(&self) -> &[String] {
        &self.permissions
    }
    pub fn environments(&self) -> &Scope {
        &self.environments
    }
    pub fn to_resource(&self) -> resource::Role {
        resource::Role {
            name: self.name.clone(),
            description: self.description.clone(),
            permission_names: self.permissions.clone(),
            default: self.default,
            private: self.private,
            system_default: None,
        }
        .normalized()
    }
}

/// A tenant. Build one with [`TenantConfig::builder`], which checks the field rules of
/// [`super::rules`] (the same ones the YAML loader applies).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantConfig {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) domains: Vec<String>,
    pub(crate) self_provisioning: bool,
    pub(crate) custom_attributes: BTreeMap<String, serde_json::Value>,
    pub(crate) default_roles: Vec<String>,
    pub(crate) enforce_sso: bool,
    pub(crate) disabled: bool,
    /// The optional fields below are `None` when the YAML leaves them out: not managed, the live
    /// value stays.
    pub(crate) enforce_sso_exclusions: Option<Vec<String>>,
    pub(crate) federated_app_ids: Option<Vec<String>>,
    pub(crate) role_inheritance: Option<String>,
    pub(crate) parent: Option<String>,
    pub(crate) environments: Scope,
    pub(crate) roles: Vec<RoleConfig>,
    pub(crate) session: Option<SessionConfig>,
    pub(crate) sso: Vec<SsoConfig>,
    pub(crate) password_policy: Option<PasswordPolicy>,
}

impl TenantConfig {
    pub fn builder(id: impl Into<String>, name: impl Into<String>) -> TenantConfigBuilder {
        TenantConfigBuilder {
            tenant: TenantConfig {
                id: id.into(),
                name: name.into(),
                domains: Vec::new(),
                self_provisioning: false,
                custom_attributes: BTreeMap::new(),
                default_roles: Vec::new(),
                enforce_sso: false,
                disabled: false,
                enforce_sso_exclusions: None,
                federated_app_ids: None,
                role_inheritance: None,
                parent: None,
                environments: Scope::All,
                roles: Vec::new(),
                session: None,
                sso: Vec::new(),
                password_policy: None,
            },
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn domains(&self) -> &[String] {
        &self.domains
    }
    pub fn self_provisioning(&self) -> bool {
        self.self_provisioning
    }
    pub fn custom_attributes(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.custom_attributes
    }
    pub fn default_roles(&self) -> &[String] {
        &self.default_roles
    }
    pub fn enforce_sso(&self) -> bool {
        self.enforce_sso
    }
    pub fn disabled(&self) -> bool {
        self.disabled
    }
    pub fn environments(&self) -> &Scope {
        &self.environments
    }
    /// Roles that exist only inside this tenant (created with its id).
    pub fn roles(&self) -> &[RoleConfig] {
        &self.roles
    }
    /// The `session:` block; `None` means the tenant's settings are not read at all.
    pub fn session(&self) -> Option<&SessionConfig> {
        self.session.as_ref()
    }
    /// The tenant's SSO configurations (`sso:`), empty when the block is absent.
    pub fn sso(&self) -> &[SsoConfig] {
        &self.sso
    }
    /// The tenant's own password policy, overriding the project's.
    pub fn password_policy(&self) -> Option<&PasswordPolicy> {
        self.password_policy.as_ref()
    }

    /// The live-state shape: `domains` travel as `selfProvisioningDomains` only when
    /// `self_provisioning` is true (design.md §3).
    pub fn to_resource(&self) -> resource::Tenant {
        resource::Tenant {
            id: self.id.clone(),
            name: self.name.clone(),
            self_provisioning_domains: if self.self_provisioning {
                self.domains.clone()
            } else {
                Vec::new()
            },
            custom_attributes: self.custom_attributes.clone(),
            enforce_sso: self.enforce_sso,
            disabled: self.disabled,
            default_roles: self.default_roles.clone(),
            enforce_sso_exclusions: self.enforce_sso_exclusions.clone(),
            federated_app_ids: self.federated_app_ids.clone(),
            role_inheritance: self.role_inheritance.clone(),
            parent: self.parent.clone(),
            session: self
                .session
                .as_ref()
                .map(|session| Box::new(session.to_resource())),
            sso: (!self.sso.is_empty()).then(|| {
                self.sso
                    .iter()
                    .map(|sso| (sso.key(), sso.to_resource()))
                    .collect()
            }),
            password_policy: self
                .password_policy
                .as_ref()
                .map(PasswordPolicy::to_resource),
            roles: (!self.roles.is_empty()).then(|| {
                self.roles
                    .iter()
                    .map(|role| {
                        let scoped =
                            TenantRole::new(role.description.clone(), role.permissions.clone());
                        (role.name.clone(), scoped)
                    })
                    .collect()
            }),
            has_sso: false,
            unmodelled: BTreeMap::new(),
        }
        .normalized()
    }

    /// Checks the field rules of [`super::rules`]; returns the tenant with its name trimmed.
    pub(crate) fn checked(mut self) -> Result<Self, Violations> {
        let mut found = rules::check_tenant_id("id", &self.id);
        let (trimmed, name_violations) = rules::check_name("name", &self.name);
        self.name = trimmed;
        found.extend(name_violations);
        for (index, domain) in self.domains.iter().enumerate() {
            found.extend(rules::check_domain(&format!("domains[{index}]"), domain));
        }
        if found.is_empty() {
            Ok(self)
        } else {
            Err(Violations(found))
        }
    }
}

/// Builds a [`TenantConfig`]; unset fields take the YAML defaults (empty lists, `false`, every
/// environment), so a built tenant equals one decoded from the same YAML.
#[derive(Debug, Clone)]
pub struct TenantConfigBuilder {
    tenant: TenantConfig,
}

impl TenantConfigBuilder {
    pub fn domains<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenant.domains = domains.into_iter().map(Into::into).collect();
        self
    }
    pub fn self_provisioning(mut self, enabled: bool) -> Self {
        self.tenant.self_provisioning = enabled;
        self
    }
    pub fn custom_attributes(mut self, attributes: BTreeMap<String, serde_json::Value>) -> Self {
        self.tenant.custom_attributes = attributes;
        self
    }
    pub fn default_roles<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenant.default_roles = roles.into_iter().map(Into::into).collect();
        self
    }
    pub fn enforce_sso(mut self, enforce: bool) -> Self {
        self.tenant.enforce_sso = enforce;
        self
    }
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.tenant.disabled = disabled;
        self
    }
    pub fn enforce_sso_exclusions(mut self, user_ids: Vec<String>) -> Self {
        self.tenant.enforce_sso_exclusions = Some(user_ids);
        self
    }
    pub fn federated_app_ids(mut self, app_ids: Vec<String>) -> Self {
        self.tenant.federated_app_ids = Some(app_ids);
        self
    }
    pub fn role_inheritance(mut self, inheritance: impl Into<String>) -> Self {
        self.tenant.role_inheritance = Some(inheritance.into());
        self
    }
    pub fn parent(mut self, parent_id: impl Into<String>) -> Self {
        self.tenant.parent = Some(parent_id.into());
        self
    }
    pub fn environments(mut self, environments: Scope) -> Self {
        self.tenant.environments = environments;
        self
    }
    pub fn build(self) -> Result<TenantConfig, Violations> {
        self.tenant.checked()
    }

    /// For the loader, which checks each field itself to place errors at their lines.
    pub(crate) fn build_unchecked(self) -> TenantConfig {
        self.tenant
    }
}

/// A flow: an exported Descope flow document kept as a JSON file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowConfig {
    pub(crate) id: String,
    pub(crate) file: PathBuf,
    pub(crate) enabled: bool,
    pub(crate) environments: Scope,
}

impl FlowConfig {
    /// `enabled` defaults to true: listing a flow means wanting it live.
    pub fn new(id: impl Into<String>, file: impl Into<PathBuf>) -> Result<Self, Violations> {
        let id = id.into();
        if id.trim().is_empty() {
            return Err(Violations(vec![Violation::new("id", "must not be empty")]));
        }
        Ok(Self {
            id,
            file: file.into(),
            enabled: true,
            environments: Scope::All,
        })
    }
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The flow document, resolved against the configuration's directory when loaded.
    pub fn file(&self) -> &Path {
        &self.file
    }
    pub fn enabled(&self) -> bool {
        self.enabled
    }
    pub fn environments(&self) -> &Scope {
        &self.environments
    }
}

/// The project theme: an exported styles document kept as a JSON file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeConfig {
    pub(crate) file: PathBuf,
}

impl ThemeConfig {
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into() }
    }
    pub fn file(&self) -> &Path {
        &self.file
    }
}
