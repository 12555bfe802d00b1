//! The sign-in blocks: a tenant's `session:`, `sso:` and `roles:`, and `password_policy:` (at
//! the top level and per tenant). Each field is typed and range-checked here; that mapped roles
//! exist is checked with the other references in [`super::checks`].

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value as Json, json};

use super::fields::join;
use super::{Decoder, Keys};
use crate::config::model::RoleConfig;
use crate::config::rules::{self, quote};
use crate::config::tenant_auth::{
    DurationRange, INACTIVITY_RANGE, REFRESH_TOKEN_RANGE, SESSION_TOKEN_RANGE, STEPUP_TOKEN_RANGE,
    SessionConfig, SettingDuration, SsoConfig, SsoKind, SsoRoleMapping, SsoSecret,
};
use crate::config::yaml::{Entry, Node, Value};

pub(crate) const SESSION: Keys = Keys {
    accepted: &[
        "enabled",
        "session_token_expiration",
        "refresh_token_expiration",
        "stepup_token_expiration",
        "enable_inactivity",
        "inactivity_timeout",
        "jit_provisioning",
        "sso_setup_suite",
    ],
    required: &[],
};

/// Which configurations a field of `sso:` belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Both,
    Oidc,
    Saml,
}

#[derive(Clone, Copy)]
enum FieldKind {
    Text,
    Url,
    Bool,
    Texts,
    OneOf(&'static [&'static str]),
    ManyOf(&'static [&'static str]),
    Certificate,
    Certificates,
    Secret,
}

/// The plain `settings` fields of the configure calls: YAML key, wire key, kind, protocol.
const SSO_FIELDS: &[(&str, &str, FieldKind, Protocol)] = &[
    (
        "redirect_url",
        "redirectUrl",
        FieldKind::Url,
        Protocol::Both,
    ),
    ("name", "name", FieldKind::Text, Protocol::Oidc),
    ("client_id", "clientId", FieldKind::Text, Protocol::Oidc),
    (
        "client_secret",
        "clientSecret",
        FieldKind::Secret,
        Protocol::Oidc,
    ),
    ("auth_url", "authUrl", FieldKind::Url, Protocol::Oidc),
    ("token_url", "tokenUrl", FieldKind::Url, Protocol::Oidc),
    (
        "user_data_url",
        "userDataUrl",
        FieldKind::Url,
        Protocol::Oidc,
    ),
    ("jwks_url", "JWKsUrl", FieldKind::Url, Protocol::Oidc),
    ("issuer", "issuer", FieldKind::Url, Protocol::Oidc),
    ("scope", "scope", FieldKind::Texts, Protocol::Oidc),
    (
        "callback_domain",
        "callbackDomain",
        FieldKind::Text,
        Protocol::Oidc,
    ),
    (
        "prompt",
        "prompt",
        FieldKind::ManyOf(&["none", "login", "consent", "select_account"]),
        Protocol::Oidc,
    ),
    (
        "grant_type",
        "grantType",
        FieldKind::OneOf(&["authorization_code", "implicit"]),
        Protocol::Oidc,
    ),
    (
        "manage_provider_tokens",
        "manageProviderTokens",
        FieldKind::Bool,
        Protocol::Oidc,
    ),
    ("use_pkce", "usePkce", FieldKind::Bool, Protocol::Oidc),
    (
        "metadata_url",
        "idpMetadataUrl",
        FieldKind::Url,
        Protocol::Saml,
    ),
    ("idp_url", "idpUrl", FieldKind::Url, Protocol::Saml),
    ("idp_entity_id", "entityId", FieldKind::Text, Protocol::Saml),
    (
        "idp_certificate",
        "idpCert",
        FieldKind::Certificate,
        Protocol::Saml,
    ),
    (
        "idp_additional_certificates",
        "idpAdditionalCerts",
        FieldKind::Certificates,
        Protocol::Saml,
    ),
    ("sp_acs_url", "spACSUrl", FieldKind::Url, Protocol::Saml),
    (
        "sp_entity_id",
        "spEntityId",
        FieldKind::Text,
        Protocol::Saml,
    ),
    (
        "disable_sign_request",
        "disableSignRequest",
        FieldKind::Bool,
        Protocol::Saml,
    ),
];

pub(crate) const SSO: Keys = Keys {
    accepted: &[
        "type",
        "sso_id",
        "domains",
        "attribute_mapping",
        "role_mappings",
        "default_roles",
        "redirect_url",
        "name",
        "client_id",
        "client_secret",
        "auth_url",
        "token_url",
        "user_data_url",
        "jwks_url",
        "issuer",
        "scope",
        "callback_domain",
        "prompt",
        "grant_type",
        "manage_provider_tokens",
        "use_pkce",
        "metadata_url",
        "idp_url",
        "idp_entity_id",
        "idp_certificate",
        "idp_additional_certificates",
        "sp_acs_url",
        "sp_entity_id",
        "disable_sign_request",
    ],
    required: &["type"],
};

/// Attribute names of both protocols; the decoder narrows them to the configuration's type.
pub(crate) const ATTRIBUTE_MAPPING: Keys = Keys {
    accepted: &[
        "login_id",
        "name",
        "given_name",
        "middle_name",
        "family_name",
        "email",
        "verified_email",
        "username",
        "phone_number",
        "verified_phone",
        "picture",
        "group",
    ],
    required: &[],
};
const OIDC_ONLY_ATTRIBUTES: &[&str] = &["login_id", "verified_email", "username", "verified_phone"];
const SAML_ONLY_ATTRIBUTES: &[&str] = &["group"];

pub(crate) const ROLE_MAPPING: Keys = Keys {
    accepted: &["groups", "role"],
    required: &["groups", "role"],
};

pub(crate) const PASSWORD_POLICY: Keys = Keys {
    accepted: &[
        "enabled",
        "min_length",
        "lowercase",
        "uppercase",
        "number",
        "non_alphanumeric",
        "expiration",
        "expiration_weeks",
        "reuse",
        "reuse_amount",
        "lock",
        "lock_attempts",
    ],
    required: &[],
};

/// A tenant-scoped role: a project role's fields without `environments` (it lives with its
/// tenant).
pub(crate) const TENANT_ROLE: Keys = Keys {
    accepted: &["name", "description", "permissions"],
    required: &["name"],
};

impl Decoder<'_> {
    pub(super) fn session(&mut self, node: &Node, path: &str) -> Option<SessionConfig> {
        let entries = self.mapping(node, path, &SESSION)?;
        let mut session = SessionConfig::default();
        for entry in entries {
            let value = &entry.value;
            let field_path = join(path, &entry.key);
            match entry.key.as_ref() {
                "enabled" => session.enabled = self.boolean(value, &field_path),
                "session_token_expiration" => {
                    session.session_token_expiration =
                        self.duration(value, &field_path, SESSION_TOKEN_RANGE)
                }
                "refresh_token_expiration" => {
                    session.refresh_token_expiration =
                        self.duration(value, &field_path, REFRESH_TOKEN_RANGE)
                }
                "stepup_token_expiration" => {
                    session.stepup_token_expiration =
                        self.duration(value, &field_path, STEPUP_TOKEN_RANGE)
                }
                "enable_inactivity" => session.enable_inactivity = self.boolean(value, &field_path),
                "inactivity_timeout" => {
                    session.inactivity_timeout = self.duration(value, &field_path, INACTIVITY_RANGE)
                }
                "jit_provisioning" => session.jit_provisioning = self.boolean(value, &field_path),
                "sso_setup_suite" => session.sso_setup_suite = self.boolean(value, &field_path),
                _ => {}
            }
        }
        // A session outliving the refresh token that renews it would end at the refresh anyway.
        if let (Some(session_token), Some(refresh_token)) = (
            session.session_token_expiration,
            session.refresh_token_expiration,
        ) && session_token.total_minutes() > refresh_token.total_minutes()
            && let Some(node) = node.get("session_token_expiration")
        {
            self.error_at(
                node,
                &join(path, "session_token_expiration"),
                format!(
                    "{session_token} is longer than refresh_token_expiration ({refresh_token})"
                ),
                Some("a session token cannot outlive the refresh token".to_owned()),
            );
        }
        Some(session)
    }

    fn duration(
        &mut self,
        node: &Node,
        path: &str,
        range: DurationRange,
    ) -> Option<SettingDuration> {
        let text = match &node.value {
            Value::Int(_) => {
                self.error_at(
                    node,
                    path,
                    "a duration needs a unit".to_owned(),
                    Some("write e.g. 30d, 12h, 15m or 2w".to_owned()),
                );
                return None;
            }
            _ => self.string(node, path)?,
        };
        let checked = SettingDuration::parse(&text)
            .and_then(|duration| range.check(duration).map(|()| duration));
        match checked {
            Ok(duration) => Some(duration),
            Err(message) => {
                self.error_at(node, path, format!("{}: {message}", quote(&text)), None);
                None
            }
        }
    }

    /// `sso:`: one configuration (a mapping) or several (a list, each with its `sso_id`).
    pub(super) fn sso_list(&mut self, node: &Node, path: &str) -> Vec<SsoConfig> {
        let configs: Vec<SsoConfig> = match &node.value {
            Value::Map(_) => self.sso(node, path).into_iter().collect(),
            Value::Seq(items) => {
                let mut configs = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{index}]");
                    let Some(config) = self.sso(item, &item_path) else {
                        continue;
                    };
                    if items.len() > 1 && config.sso_id.is_none() {
                        self.error_at(
                            item,
                            &join(&item_path, "sso_id"),
                            "missing required field".to_owned(),
                            Some("each of several SSO configurations needs its own sso_id".into()),
                        );
                    }
                    configs.push(config);
                }
                self.check_sso_uniqueness(items, path, &configs);
                configs
            }
            Value::Null => Vec::new(),
            _ => {
                self.type_error(node, path, "an SSO configuration or a list of them");
                Vec::new()
            }
        };
        configs
    }

    fn check_sso_uniqueness(&mut self, items: &[Node], path: &str, configs: &[SsoConfig]) {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut domains: HashMap<&str, usize> = HashMap::new();
        for (index, (config, item)) in configs.iter().zip(items).enumerate() {
            if let Some(id) = &config.sso_id
                && let Some(first) = ids.insert(id, index)
                && let Some(node) = item.get("sso_id")
            {
                self.error_at(
                    node,
                    &format!("{path}[{index}].sso_id"),
                    format!("duplicate sso_id {} (first at {path}[{first}])", quote(id)),
                    None,
                );
            }
            for domain in config.domains.iter().flatten() {
                if let Some(first) = domains.insert(domain, index)
                    && first != index
                    && let Some(node) = item.get("domains")
                {
                    self.error_at(
                        node,
                        &format!("{path}[{index}].domains"),
                        format!(
                            "SSO domain {} is already routed to {path}[{first}]",
                            quote(domain)
                        ),
                        Some("a domain can sign in through one configuration only".into()),
                    );
                }
            }
        }
    }

    fn sso(&mut self, node: &Node, path: &str) -> Option<SsoConfig> {
        let entries = self.mapping(node, path, &SSO)?;
        let kind_text = entries
            .iter()
            .find(|entry| entry.key == "type")
            .and_then(|entry| {
                let text = self.string(&entry.value, &join(path, "type"))?;
                if !matches!(text.as_str(), "oidc" | "saml") {
                    self.error_at(
                        &entry.value,
                        &join(path, "type"),
                        format!("unknown SSO type {}", quote(&text)),
                        Some("use oidc or saml".to_owned()),
                    );
                    return None;
                }
                Some(text)
            })?;
        let protocol = if kind_text == "oidc" {
            Protocol::Oidc
        } else {
            Protocol::Saml
        };
        let mut config = SsoConfig {
            sso_id: None,
            kind: SsoKind::Oidc,
            domains: None,
            settings: BTreeMap::new(),
            role_mappings: Vec::new(),
            default_roles: Vec::new(),
            secrets: BTreeMap::new(),
        };
        for entry in entries {
            let value = &entry.value;
            let field_path = join(path, &entry.key);
            match entry.key.as_ref() {
                "type" => {}
                "sso_id" => config.sso_id = self.required_text(value, &field_path),
                "domains" => {
                    let domains = self.strings(value, &field_path);
                    if let Value::Seq(nodes) = &value.value {
                        for (index, (domain, item)) in domains.iter().zip(nodes).enumerate() {
                            let item_path = format!("{field_path}[{index}]");
                            self.violations(item, rules::check_domain(&item_path, domain));
                        }
                    }
                    config.domains = Some(domains);
                }
                "attribute_mapping" => {
                    let key = if protocol == Protocol::Oidc {
                        "userAttrMapping"
                    } else {
                        "attributeMapping"
                    };
                    if let Some(mapping) = self.attribute_mapping(value, &field_path, protocol) {
                        config.settings.insert(key, mapping);
                    }
                }
                "role_mappings" => config.role_mappings = self.role_mappings(value, &field_path),
                "default_roles" => config.default_roles = self.strings(value, &field_path),
                key => {
                    if let Some(&(_, wire, kind, applies)) =
                        SSO_FIELDS.iter().find(|(yaml, ..)| *yaml == key)
                    {
                        if applies != Protocol::Both && applies != protocol {
                            self.wrong_protocol(entry, &field_path, &kind_text);
                            continue;
                        }
                        self.sso_field(&mut config, value, &field_path, wire, kind);
                    }
                }
            }
        }
        config.kind = match protocol {
            Protocol::Saml if node.get("metadata_url").is_some() => SsoKind::SamlMetadata,
            Protocol::Saml => SsoKind::SamlManual,
            _ => SsoKind::Oidc,
        };
        self.check_sso_required(node, path, config.kind);
        Some(config)
    }

    fn wrong_protocol(&mut self, entry: &Entry, path: &str, kind: &str) {
        let other = if kind == "oidc" { "saml" } else { "oidc" };
        self.push(
            crate::config::diagnostic::Severity::Error,
            entry.value.source,
            entry.key_position,
            path.to_owned(),
            format!("{} is a field of type: {other}, not {kind}", entry.key),
            None,
        );
    }

    fn check_sso_required(&mut self, node: &Node, path: &str, kind: SsoKind) {
        let required: &[&str] = match kind {
            SsoKind::Oidc => &["name", "client_id"],
            SsoKind::SamlManual => &["idp_url", "idp_entity_id", "idp_certificate"],
            SsoKind::SamlMetadata => &[],
        };
        for key in required {
            if node.get(key).is_none() {
                let hint = if kind == SsoKind::SamlManual {
                    "a SAML configuration gives either metadata_url, or idp_url, idp_entity_id and idp_certificate"
                } else {
                    "an OIDC configuration needs a display name and the client id"
                };
                self.error_at(
                    node,
                    &join(path, key),
                    "missing required field".to_owned(),
                    Some(hint.to_owned()),
                );
            }
        }
        if kind == SsoKind::SamlMetadata {
            for key in ["idp_url", "idp_entity_id", "idp_certificate"] {
                if let Some(value) = node.get(key) {
                    self.error_at(
                        value,
                        &join(path, key),
                        "not used with metadata_url".to_owned(),
                        Some("the metadata document provides it; remove one of the two".to_owned()),
                    );
                }
            }
        }
    }

    fn sso_field(
        &mut self,
        config: &mut SsoConfig,
        node: &Node,
        path: &str,
        wire: &'static str,
        kind: FieldKind,
    ) {
        let value = match kind {
            FieldKind::Secret => {
                if let Some(secret) = self.secret(node, path) {
                    config.secrets.insert(wire, secret);
                }
                return;
            }
            FieldKind::Text => self.required_text(node, path).map(Json::String),
            FieldKind::Url => self.url(node, path).map(Json::String),
            FieldKind::Bool => self.boolean(node, path).map(Json::Bool),
            FieldKind::Texts => Some(json!(self.strings(node, path))),
            FieldKind::OneOf(allowed) => self.choice(node, path, allowed).map(Json::String),
            FieldKind::ManyOf(allowed) => {
                let Value::Seq(items) = &node.value else {
                    self.type_error(node, path, "a list");
                    return;
                };
                let chosen: Vec<String> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(index, item)| {
                        self.choice(item, &format!("{path}[{index}]"), allowed)
                    })
                    .collect();
                Some(json!(chosen))
            }
            FieldKind::Certificate => self.certificate(node, path).map(Json::String),
            FieldKind::Certificates => {
                let Value::Seq(items) = &node.value else {
                    self.type_error(node, path, "a list of PEM certificates");
                    return;
                };
                let certificates: Vec<String> = items
                    .iter()
                    .enumerate()
                    .filter_map(|(index, item)| self.certificate(item, &format!("{path}[{index}]")))
                    .collect();
                Some(json!(certificates))
            }
        };
        if let Some(value) = value {
            config.settings.insert(wire, value);
        }
    }

    fn choice(&mut self, node: &Node, path: &str, allowed: &[&str]) -> Option<String> {
        let text = self.string(node, path)?;
        if allowed.contains(&text.as_str()) {
            return Some(text);
        }
        self.error_at(
            node,
            path,
            format!("{} is not allowed", quote(&text)),
            Some(format!("use one of: {}", allowed.join(", "))),
        );
        None
    }

    /// An absolute `https` URL; plain `http` only for a local IdP under test.
    fn url(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.string(node, path)?;
        match check_url(&text) {
            Ok(()) => Some(text),
            Err(message) => {
                self.error_at(
                    node,
                    path,
                    format!("{} {message}", quote(&text)),
                    Some("write an absolute https:// URL (http:// only for localhost)".into()),
                );
                None
            }
        }
    }

    fn certificate(&mut self, node: &Node, path: &str) -> Option<String> {
        // A certificate may be long and a private key is secret: neither is quoted back.
        let text = self.string(node, path)?;
        match check_certificate(&text) {
            Ok(()) => Some(text.trim().to_owned()),
            Err(message) => {
                self.error_at(node, path, message, None);
                None
            }
        }
    }

    /// A secret: the whole value is one `${VAR}` (or `${VAR:-placeholder}`), never a literal, and
    /// no message ever repeats what was written.
    fn secret(&mut self, node: &Node, path: &str) -> Option<SsoSecret> {
        let hint = Some(format!(
            "write `{}: ${{VARIABLE}}` and set VARIABLE in the environment or .env",
            path.rsplit('.').next().unwrap_or(path)
        ));
        let Value::Str(raw) = &node.value else {
            self.error_at(
                node,
                path,
                "a secret must come from a ${VAR} reference".to_owned(),
                hint,
            );
            return None;
        };
        let trimmed = raw.trim();
        let single_reference = trimmed.starts_with("${")
            && trimmed.ends_with('}')
            && trimmed.matches("${").count() == 1;
        if !single_reference {
            self.error_at(
                node,
                path,
                "a secret must not be written in the file; it must come from a ${VAR} reference"
                    .to_owned(),
                hint,
            );
            return None;
        }
        let text = self.interpolate(node, path, raw)?.text;
        if text.is_empty() {
            self.error_at(
                node,
                path,
                "the secret's variable is empty".to_owned(),
                Some("set the variable, or give a placeholder default: ${VAR:-placeholder}".into()),
            );
            return None;
        }
        Some(SsoSecret::new(text))
    }

    fn attribute_mapping(&mut self, node: &Node, path: &str, protocol: Protocol) -> Option<Json> {
        let entries = self.mapping(node, path, &ATTRIBUTE_MAPPING)?;
        let foreign = if protocol == Protocol::Oidc {
            SAML_ONLY_ATTRIBUTES
        } else {
            OIDC_ONLY_ATTRIBUTES
        };
        let mut mapping = serde_json::Map::new();
        for entry in entries {
            let field_path = join(path, &entry.key);
            if foreign.contains(&entry.key.as_ref()) {
                let kind = if protocol == Protocol::Oidc {
                    "oidc"
                } else {
                    "saml"
                };
                self.wrong_protocol(entry, &field_path, kind);
                continue;
            }
            if !ATTRIBUTE_MAPPING.accepted.contains(&entry.key.as_ref()) {
                continue;
            }
            if let Some(claim) = self.required_text(&entry.value, &field_path) {
                mapping.insert(camel_case(&entry.key), Json::String(claim));
            }
        }
        Some(Json::Object(mapping))
    }

    fn role_mappings(&mut self, node: &Node, path: &str) -> Vec<SsoRoleMapping> {
        let Value::Seq(items) = &node.value else {
            self.type_error(node, path, "a list of {groups, role} mappings");
            return Vec::new();
        };
        let mut mappings = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            let Some(entries) = self.mapping(item, &item_path, &ROLE_MAPPING) else {
                continue;
            };
            let mut mapping = SsoRoleMapping {
                groups: Vec::new(),
                role: String::new(),
            };
            for entry in entries {
                let field_path = join(&item_path, &entry.key);
                match entry.key.as_ref() {
                    "groups" => mapping.groups = self.strings(&entry.value, &field_path),
                    "role" => {
                        mapping.role = self
                            .required_text(&entry.value, &field_path)
                            .unwrap_or_default()
                    }
                    _ => {}
                }
            }
            mappings.push(mapping);
        }
        mappings
    }

    pub(super) fn tenant_roles(&mut self, node: &Node, path: &str) -> Vec<RoleConfig> {
        let roles: Vec<RoleConfig> = self
            .list(node, path, |decoder, item, item_path| {
                decoder.role_with(item, item_path, &TENANT_ROLE)
            })
            .into_iter()
            .map(|role| role.value)
            .collect();
        if let Value::Seq(items) = &node.value {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (index, (role, item)) in roles.iter().zip(items).enumerate() {
                if let Some(first) = seen.insert(&role.name, index)
                    && let Some(name_node) = item.get("name")
                {
                    self.error_at(
                        name_node,
                        &format!("{path}[{index}].name"),
                        format!(
                            "duplicate role name {} in this tenant (first at {path}[{first}])",
                            quote(&role.name)
                        ),
                        None,
                    );
                }
            }
        }
        roles
    }
}

/// `login_id` → `loginId`: attribute names on the wire are camel case.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

pub(crate) fn check_url(text: &str) -> Result<(), &'static str> {
    let (scheme, rest) = text.split_once("://").ok_or("is not an absolute URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            if !port.chars().all(|c| c.is_ascii_digit()) && !authority.starts_with('[') {
                return Err("has an invalid port");
            }
            host
        }
        _ => authority,
    };
    if host.is_empty() || text.chars().any(char::is_whitespace) || authority.contains('@') {
        return Err("has no valid host");
    }
    match scheme {
        "https" => Ok(()),
        "http" if LOCAL_HOSTS.contains(&host) => Ok(()),
        "http" => Err("is not https (plain http is accepted for localhost only)"),
        _ => Err("is not an https URL"),
    }
}

/// One PEM `CERTIFICATE` block with a base64 body; a private key is refused outright.
pub(crate) fn check_certificate(text: &str) -> Result<(), String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    if text.contains("PRIVATE KEY") {
        return Err(
            "holds a private key; only the IdP's public certificate belongs here".to_owned(),
        );
    }
    let body = text
        .trim()
        .strip_prefix(BEGIN)
        .and_then(|rest| rest.strip_suffix(END))
        .ok_or_else(|| format!("is not a PEM certificate ({BEGIN} … {END})"))?;
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let padding = compact.len() - compact.trim_end_matches('=').len();
    let valid = !compact.is_empty()
        && compact.len().is_multiple_of(4)
        && padding <= 2
        && compact
            .trim_end_matches('=')
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/');
    if valid {
        Ok(())
    } else {
        Err("is not a PEM certificate: its body is not valid base64".to_owned())
    }
}

/// The `sso:` keys a configuration of the given protocol takes, with the configure call's wire
/// names, secrets left out: what writing a live configuration back as YAML (`export`) maps.
pub fn sso_plain_fields(oidc: bool) -> impl Iterator<Item = (&'static str, &'static str)> {
    let wanted = if oidc { Protocol::Oidc } else { Protocol::Saml };
    SSO_FIELDS
        .iter()
        .filter(move |(_, _, kind, protocol)| {
            !matches!(kind, FieldKind::Secret)
                && (*protocol == wanted || *protocol == Protocol::Both)
        })
        .map(|(yaml, wire, ..)| (*yaml, *wire))
}

/// The `attribute_mapping` keys a configuration of the given protocol takes, with their wire
/// names.
pub fn sso_attribute_names(oidc: bool) -> impl Iterator<Item = (&'static str, String)> {
    let foreign = if oidc {
        SAML_ONLY_ATTRIBUTES
    } else {
        OIDC_ONLY_ATTRIBUTES
    };
    ATTRIBUTE_MAPPING
        .accepted
        .iter()
        .copied()
        .filter(move |name| !foreign.contains(name))
        .map(|name| (name, camel_case(name)))
}
