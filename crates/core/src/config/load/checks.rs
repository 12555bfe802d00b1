//! Cross-item checks run once every section is decoded: environment scopes name defined
//! environments, names and ids are unique where their scopes overlap, and roles and tenants
//! reference permissions and roles that exist (a tenant's default and SSO-mapped roles may also
//! be its own scoped roles).

use std::collections::HashMap;

use super::{Decoder, Located};
use crate::config::model::{PermissionConfig, RoleConfig, Scope, TenantConfig};
use crate::config::rules::{BUILTIN_PERMISSIONS, BUILTIN_ROLES, quote};
use crate::config::yaml::{Node, Value};
use crate::resource::ResourceKind;

impl Decoder<'_> {
    pub(super) fn check_scopes<T>(
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

    /// Two resources of `kind` with the same identity in overlapping environments: the field
    /// and the wording come from the kind registry.
    pub(super) fn check_identity_duplicates<T>(
        &mut self,
        kind: ResourceKind,
        items: &[Located<'_, T>],
        key: fn(&T) -> &str,
        scope: fn(&T) -> &Scope,
    ) {
        let field = kind.identity_field().unwrap_or("id");
        let what = format!("{kind} {field}");
        self.check_duplicates(items, &what, field, key, scope);
    }

    /// Items sharing a key in overlapping scopes, each reported against the first it clashes
    /// with. One map entry per distinct key and a chain through the items that share it keep
    /// this to a hash per item, with no copy of the keys (100,000 tenants are checked twice).
    pub(super) fn check_duplicates<T>(
        &mut self,
        items: &[Located<'_, T>],
        what: &str,
        field: &str,
        key: fn(&T) -> &str,
        scope: fn(&T) -> &Scope,
    ) {
        const NONE: usize = usize::MAX;
        let mut latest_with_key: HashMap<&str, usize> = HashMap::with_capacity(items.len());
        // For each item, the previous item with the same key (NONE: it is the first).
        let mut previous_with_key = vec![NONE; items.len()];
        for (index, item) in items.iter().enumerate() {
            let name = key(&item.value);
            if name.is_empty() {
                continue;
            }
            if let Some(latest) = latest_with_key.insert(name, index) {
                previous_with_key[index] = latest;
            }
        }
        for (index, item) in items.iter().enumerate() {
            let mut clash = None;
            let mut other = previous_with_key[index];
            // Walk back to the earliest item that overlaps, as a reader would look for it.
            while other != NONE {
                if scope(&items[other].value).overlaps(scope(&item.value)) {
                    clash = Some(other);
                }
                other = previous_with_key[other];
            }
            let Some(other) = clash else {
                continue;
            };
            let name = key(&item.value);
            let first = &items[other];
            let first_line = first
                .node
                .get(field)
                .map_or(first.node.position.line, |n| n.position.line);
            let node = item.node.get(field).unwrap_or(item.node);
            let message = format!(
                "duplicate {what} {} (first at {}, line {first_line})",
                quote(name),
                first.path
            );
            self.error_at(
                node,
                &format!("{}.{field}", item.path),
                message,
                Some(format!("each {what} must be unique")),
            );
        }
    }

    pub(super) fn check_references(
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
            self.check_tenant_role_permissions(tenant, &known_permissions);
            let own: Vec<&str> = tenant.value.roles.iter().map(|r| r.name.as_str()).collect();
            let mut references = Vec::new();
            if let Some(Value::Seq(nodes)) = tenant.node.get("default_roles").map(|n| &n.value) {
                for (index, node) in nodes.iter().enumerate() {
                    references.push((node, format!("{}.default_roles[{index}]", tenant.path)));
                }
            }
            sso_role_references(
                tenant.node,
                &format!("{}.sso", tenant.path),
                &mut references,
            );
            for (node, path) in references {
                let Value::Str(name) = &node.value else {
                    continue;
                };
                if known_roles.binary_search(&name.as_ref()).is_err()
                    && !own.contains(&name.as_ref())
                {
                    self.error_at(
                        node,
                        &path,
                        format!("{} is not a defined role", quote(name)),
                        Some(format!(
                            "define it under `roles` or the tenant's `roles`, or use a built-in one: {}",
                            BUILTIN_ROLES.join(", ")
                        )),
                    );
                }
            }
        }
    }

    fn check_tenant_role_permissions(
        &mut self,
        tenant: &Located<'_, TenantConfig>,
        known_permissions: &[&str],
    ) {
        let Some(Value::Seq(role_nodes)) = tenant.node.get("roles").map(|n| &n.value) else {
            return;
        };
        for (role_index, role_node) in role_nodes.iter().enumerate() {
            let Some(Value::Seq(nodes)) = role_node.get("permissions").map(|n| &n.value) else {
                continue;
            };
            for (index, node) in nodes.iter().enumerate() {
                let Value::Str(name) = &node.value else {
                    continue;
                };
                if known_permissions.binary_search(&name.as_ref()).is_err() {
                    self.error_at(
                        node,
                        &format!("{}.roles[{role_index}].permissions[{index}]", tenant.path),
                        format!("{} is not a defined permission", quote(name)),
                        Some("define it under `permissions`".to_owned()),
                    );
                }
            }
        }
    }
}

/// The role-name nodes of a tenant's `sso:` (one configuration or a list), with their paths.
fn sso_role_references<'n>(
    tenant: &'n Node<'n>,
    path: &str,
    out: &mut Vec<(&'n Node<'n>, String)>,
) {
    let configs: Vec<(&Node, String)> = match tenant.get("sso").map(|n| (n, &n.value)) {
        Some((node, Value::Map(_))) => vec![(node, path.to_owned())],
        Some((_, Value::Seq(items))) => items
            .iter()
            .enumerate()
            .map(|(index, item)| (item, format!("{path}[{index}]")))
            .collect(),
        _ => Vec::new(),
    };
    for (config, config_path) in configs {
        if let Some(Value::Seq(mappings)) = config.get("role_mappings").map(|n| &n.value) {
            for (index, mapping) in mappings.iter().enumerate() {
                if let Some(role) = mapping.get("role") {
                    out.push((role, format!("{config_path}.role_mappings[{index}].role")));
                }
            }
        }
        if let Some(Value::Seq(names)) = config.get("default_roles").map(|n| &n.value) {
            for (index, name) in names.iter().enumerate() {
                out.push((name, format!("{config_path}.default_roles[{index}]")));
            }
        }
    }
}
