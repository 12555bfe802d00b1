//! The `tenants:` section: each tenant's fields and their per-item rules (id, name, domains).

use super::fields::PathBuilder;
use super::{Decoder, Keys};
use crate::config::diagnostic::Severity;
use crate::config::model::TenantConfig;
use crate::config::rules;
use crate::config::yaml::{Node, Value};

/// Every key of a tenant, its identity (`id`, `name`) first: templates accept the rest.
pub(crate) const TENANT_FIELDS: &[&str] = &[
    "id",
    "name",
    "domains",
    "self_provisioning",
    "custom_attributes",
    "default_roles",
    "enforce_sso",
    "disabled",
    "enforce_sso_exclusions",
    "federated_app_ids",
    "role_inheritance",
    "parent",
    "environments",
    "roles",
    "session",
    "sso",
    "password_policy",
    "template",
    "templates",
];

/// Keys a tenant accepts.
pub(crate) const TENANT: Keys = Keys {
    accepted: TENANT_FIELDS,
    required: &["id", "name"],
};

/// The values Descope accepts for `roleInheritance` (`""` is the default: inherit).
pub(crate) const ROLE_INHERITANCE: [&str; 3] = ["", "none", "userOnly"];

impl Decoder<'_> {
    pub(super) fn tenant(&mut self, node: &Node, path: &str) -> Option<TenantConfig> {
        let entries = self.mapping(node, path, &TENANT)?;
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
                "enforce_sso_exclusions" => {
                    tenant.enforce_sso_exclusions = Some(self.strings(value, field_path))
                }
                "federated_app_ids" => {
                    tenant.federated_app_ids = Some(self.strings(value, field_path))
                }
                "role_inheritance" => {
                    if let Some(inheritance) = self.string(value, field_path) {
                        if !ROLE_INHERITANCE.contains(&inheritance.as_str()) {
                            self.error_at(
                                value,
                                field_path,
                                format!("unknown role_inheritance {}", rules::quote(&inheritance)),
                                Some(format!(
                                    "one of: {}",
                                    ROLE_INHERITANCE.map(rules::quote).join(", ")
                                )),
                            );
                        }
                        tenant.role_inheritance = Some(inheritance);
                    }
                }
                "parent" => tenant.parent = self.string(value, field_path),
                "environments" => tenant.environments = self.scope(value, field_path),
                "roles" => tenant.roles = self.tenant_roles(value, field_path),
                "session" => tenant.session = self.session(value, field_path),
                "sso" => tenant.sso = self.sso_list(value, field_path),
                "password_policy" => {
                    tenant.password_policy = self.password_policy(value, field_path)
                }
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
}
