//! The `policies:` section (the language is in [`crate::config::policy`]), and checking every
//! policy against the decoded resources of each environment, reported at the value's position.

use super::templates::TemplateUse;
use super::{Decoder, Keys, Located};
use crate::config::diagnostic::Severity;
use crate::config::model::{RoleConfig, Scope, TenantConfig};
use crate::config::policy::{
    self, Expectation, Policy, PolicyKind, Requirement, is_known_field, role_field, tenant_field,
};
use crate::config::rules::quote;
use crate::config::selector::Selector;
use crate::config::yaml::{Node, Value};

/// Keys a policy accepts.
pub(crate) const POLICY: Keys = Keys {
    accepted: &[
        "name",
        "kind",
        "environments",
        "selector",
        "require",
        "level",
        "message",
    ],
    required: &["name", "require"],
};

/// The operators a requirement may use instead of a plain value.
const OPERATORS: &[&str] = &["present", "in", "contains", "not_contains"];

impl Decoder<'_> {
    pub(super) fn policy(&mut self, node: &Node, path: &str) -> Option<Policy> {
        let entries = self.mapping(node, path, &POLICY)?;
        let errors_before = self.error_count();
        let field = |key: &str| entries.iter().find(|e| e.key == key).map(|e| &e.value);
        let name = field("name")
            .and_then(|n| self.required_text(n, &format!("{path}.name")))
            .unwrap_or_default();
        let kind = match field("kind") {
            None => PolicyKind::Tenant,
            Some(node) => match self.string(node, &format!("{path}.kind")).as_deref() {
                Some("tenant") => PolicyKind::Tenant,
                Some("role") => PolicyKind::Role,
                Some(other) => {
                    self.error_at(
                        node,
                        &format!("{path}.kind"),
                        format!("{} is not a policy kind", quote(other)),
                        Some("use `tenant` or `role`".to_owned()),
                    );
                    PolicyKind::Tenant
                }
                None => PolicyKind::Tenant,
            },
        };
        let environments = field("environments").map_or(Scope::All, |n| {
            self.scope(n, &format!("{path}.environments"))
        });
        let selector = field("selector").and_then(|node| {
            let selector_path = format!("{path}.selector");
            let text = self.string(node, &selector_path)?;
            if kind == PolicyKind::Role {
                self.error_at(
                    node,
                    &selector_path,
                    "selectors choose tenants; a role policy cannot have one".to_owned(),
                    None,
                );
                return None;
            }
            match Selector::parse(&text) {
                Ok(selector) => Some(selector),
                Err(error) => {
                    self.error_at(
                        node,
                        &selector_path,
                        format!("invalid selector at {error}"),
                        Some("e.g. `tier=enterprise`, `region in (eu,uk)`, `!disabled`".to_owned()),
                    );
                    None
                }
            }
        });
        let require = field("require")
            .map(|node| self.requirements(node, &format!("{path}.require"), kind))
            .unwrap_or_default();
        let level = match field("level") {
            None => Severity::Error,
            Some(node) => match self.string(node, &format!("{path}.level")).as_deref() {
                Some("error") => Severity::Error,
                Some("warn") => Severity::Warning,
                Some(other) => {
                    self.error_at(
                        node,
                        &format!("{path}.level"),
                        format!("{} is not a policy level", quote(other)),
                        Some("use `error` (blocks) or `warn` (prints)".to_owned()),
                    );
                    Severity::Error
                }
                None => Severity::Error,
            },
        };
        let message = field("message")
            .and_then(|n| self.string(n, &format!("{path}.message")))
            .unwrap_or_else(|| "the policy is not met".to_owned());
        if self.error_count() > errors_before {
            return None;
        }
        Some(Policy {
            name,
            kind,
            environments,
            selector,
            require,
            level,
            message,
        })
    }

    fn requirements(&mut self, node: &Node, path: &str, kind: PolicyKind) -> Vec<Requirement> {
        let Value::Map(entries) = &node.value else {
            self.type_error(node, path, "a mapping of field to requirement");
            return Vec::new();
        };
        let mut requirements = Vec::new();
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            if !is_known_field(kind, &entry.key) {
                let fields = match kind {
                    PolicyKind::Tenant => policy::TENANT_FIELDS,
                    PolicyKind::Role => policy::ROLE_FIELDS,
                };
                self.push(
                    Severity::Error,
                    entry.value.source,
                    entry.key_position,
                    field_path,
                    "not a field a policy can check".to_owned(),
                    Some(format!(
                        "one of: {}{}",
                        fields.join(", "),
                        if kind == PolicyKind::Tenant {
                            ", custom_attributes.KEY"
                        } else {
                            ""
                        }
                    )),
                );
                continue;
            }
            let expectation = match &entry.value.value {
                Value::Map(operator)
                    if operator.len() == 1 && OPERATORS.contains(&operator[0].key.as_ref()) =>
                {
                    let value = self.json(&operator[0].value, &field_path);
                    match (operator[0].key.as_ref(), value) {
                        ("present", serde_json::Value::Bool(wanted)) => {
                            Expectation::Present(wanted)
                        }
                        ("in", serde_json::Value::Array(options)) => Expectation::In(options),
                        ("contains", item) => Expectation::Contains(item),
                        ("not_contains", item) => Expectation::NotContains(item),
                        (operator, _) => {
                            self.error_at(
                                &entry.value,
                                &field_path,
                                format!(
                                    "`{operator}` needs {}",
                                    if operator == "in" {
                                        "a list"
                                    } else {
                                        "true or false"
                                    }
                                ),
                                None,
                            );
                            continue;
                        }
                    }
                }
                Value::Map(_) => {
                    self.error_at(
                        &entry.value,
                        &field_path,
                        "expected a value or one operator".to_owned(),
                        Some(format!("operators: {}", OPERATORS.join(", "))),
                    );
                    continue;
                }
                _ => Expectation::Equals(self.json(&entry.value, &field_path)),
            };
            requirements.push(Requirement {
                field: entry.key.to_string(),
                expectation,
            });
        }
        requirements
    }

    /// Checks each policy for each environment it covers (`env`, or every defined one for the
    /// base view), against the resources of that environment.
    pub(super) fn check_policies(
        &mut self,
        policies: &[Located<'_, Policy>],
        tenants: &[Located<'_, TenantConfig>],
        roles: &[Located<'_, RoleConfig>],
        environments: &[String],
        template_use: &TemplateUse,
    ) {
        // A tenant's fields and templates are the same in every environment of this view, so
        // each (policy, tenant) pair is judged once; environments only decide where it is reported.
        let broken: Vec<Vec<(usize, usize)>> = policies
            .iter()
            .map(|policy| {
                let policy = &policy.value;
                if policy.kind != PolicyKind::Tenant
                    || !environments
                        .iter()
                        .any(|env| policy.environments.includes(env))
                {
                    return Vec::new();
                }
                let mut broken = Vec::new();
                for (t, tenant) in tenants.iter().enumerate() {
                    let templates = template_use
                        .get(tenant.value.id())
                        .map_or(&[][..], Vec::as_slice);
                    if !policy
                        .selector
                        .as_ref()
                        .is_none_or(|selector| selector.matches(&tenant.value, templates))
                    {
                        continue;
                    }
                    for (r, requirement) in policy.require.iter().enumerate() {
                        let value = tenant_field(&tenant.value, &requirement.field);
                        if !requirement.holds(value.as_ref()) {
                            broken.push((t, r));
                        }
                    }
                }
                broken
            })
            .collect();
        for env in environments {
            for (policy, broken) in policies.iter().map(|p| &p.value).zip(&broken) {
                if policy.applies_to_tenant_kind_in(env) {
                    for &(t, r) in broken {
                        let tenant = &tenants[t];
                        if tenant.value.environments().includes(env) {
                            let what = format!("tenant {}", quote(tenant.value.id()));
                            self.policy_violation(policy, &policy.require[r], tenant, &what, env);
                        }
                    }
                }
                if !policy.applies_to_role(env) {
                    continue;
                }
                for role in roles {
                    if !role.value.environments().includes(env) {
                        continue;
                    }
                    for requirement in &policy.require {
                        let value = role_field(&role.value, &requirement.field);
                        if !requirement.holds(value.as_ref()) {
                            let what = format!("role {}", quote(role.value.name()));
                            self.policy_violation(policy, requirement, role, &what, env);
                        }
                    }
                }
            }
        }
    }

    /// Reports a broken requirement at the node that set the field (a template's or overlay's
    /// when the value came from there), or at the resource when the field is absent.
    fn policy_violation<T>(
        &mut self,
        policy: &Policy,
        requirement: &Requirement,
        item: &Located<'_, T>,
        what: &str,
        env: &str,
    ) {
        let mut node = item.node;
        let mut path = item.path.clone();
        for key in requirement.field.split('.') {
            match node.get(key) {
                Some(child) => {
                    node = child;
                    path = format!("{path}.{key}");
                }
                None => break,
            }
        }
        self.push(
            policy.level,
            node.source,
            node.position,
            path,
            format!(
                "policy {}: {} ({what} in {env})",
                quote(&policy.name),
                policy.message
            ),
            Some(format!(
                "requires {}: {}",
                requirement.field,
                describe(&requirement.expectation)
            )),
        );
    }
}

fn describe(expectation: &Expectation) -> String {
    match expectation {
        Expectation::Equals(value) => value.to_string(),
        Expectation::Present(true) => "present".to_owned(),
        Expectation::Present(false) => "absent".to_owned(),
        Expectation::In(options) => format!(
            "one of {}",
            options
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Expectation::Contains(item) => format!("contains {item}"),
        Expectation::NotContains(item) => format!("does not contain {item}"),
    }
}
