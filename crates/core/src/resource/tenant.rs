//! The tenant kind: its live state and its rules (normal form, the roles it names, which fields
//! the configuration may leave to the live value, and the parent that only a create can set).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tenant_auth::{keyed_diffs, prefixed_diffs};
use super::{KindRules, ResourceKind, TenantRole, TenantSession, TenantSso, carry, sort_dedup};
use crate::config::DescopeConfig;
use crate::plan::{FieldDiff, ResourceRef, json_field_diff};

/// A tenant as Descope stores it. The `Option` fields are optional in the configuration: `None`
/// in a desired state means "leave the live value alone"; a live state read from the server
/// always has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Tenant {
    pub id: String,
    pub name: String,
    /// Travels as `selfProvisioningDomains`: the config's `domains` when `self_provisioning`
    /// is true, else empty.
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: BTreeMap<String, serde_json::Value>,
    pub enforce_sso: bool,
    pub disabled: bool,
    pub default_roles: Vec<String>,
    /// User ids exempt from SSO enforcement (`enforceSSOExclusions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_sso_exclusions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_app_ids: Option<Vec<String>>,
    /// `""`, `none` or `userOnly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_inheritance: Option<String>,
    /// The parent tenant's id (sub-tenants), `""` for a top-level tenant. Descope sets it on
    /// create only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The tenant's session settings; read only when the configuration declares `session:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Box<TenantSession>>,
    /// The tenant's SSO configurations by `ssoId` ([`super::DEFAULT_SSO_ID`] for the default
    /// one); read only when the configuration declares `sso:` (or, with `--prune`, when the
    /// tenant has SSO the configuration no longer declares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<BTreeMap<String, TenantSso>>,
    /// Roles that exist only inside this tenant, by name; read only when the configuration
    /// declares the tenant's `roles:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<BTreeMap<String, TenantRole>>,
    /// The tenant's own password policy by wire field (`minLength`); read only when the
    /// configuration declares the tenant's `password_policy:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<BTreeMap<String, serde_json::Value>>,
    /// Whether the wire `authType` is `saml` or `oidc`: read only, never written or compared;
    /// it tells whether a tenant without `sso:` has SSO to prune.
    #[serde(skip)]
    pub has_sso: bool,
    /// Fields the server returned that descope-mgmt does not model, by wire name: sent back
    /// unchanged on update so that a newer server's field is never cleared by an older client.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unmodelled: BTreeMap<String, serde_json::Value>,
}

impl Tenant {
    /// Sorts and deduplicates set-like lists, and lowercases domains (DNS is case-insensitive),
    /// so that two tenants equal in meaning compare equal.
    pub fn normalized(mut self) -> Self {
        for domain in &mut self.self_provisioning_domains {
            *domain = domain.to_ascii_lowercase();
        }
        sort_dedup(&mut self.self_provisioning_domains);
        sort_dedup(&mut self.default_roles);
        for list in [&mut self.enforce_sso_exclusions, &mut self.federated_app_ids]
            .into_iter()
            .flatten()
        {
            sort_dedup(list);
        }
        self
    }
}

impl KindRules for Tenant {
    fn normalize(self) -> Self {
        self.normalized()
    }

    /// A tenant's default roles must exist before it (its own scoped roles are written with it).
    fn references(&self) -> Vec<ResourceRef> {
        self.default_roles
            .iter()
            .filter(|name| !self.roles.as_ref().is_some_and(|own| own.contains_key(*name)))
            .map(|name| ResourceRef::new(ResourceKind::Role, name))
            .collect()
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.tenants().iter().map(|t| t.to_resource()).collect()
    }

    fn carry_unmanaged(mut self, live: &Self) -> Self {
        carry(&mut self.enforce_sso_exclusions, &live.enforce_sso_exclusions);
        carry(&mut self.federated_app_ids, &live.federated_app_ids);
        carry(&mut self.role_inheritance, &live.role_inheritance);
        carry(&mut self.parent, &live.parent);
        self.unmodelled.clone_from(&live.unmodelled);
        carry(&mut self.sso, &live.sso);
        carry(&mut self.roles, &live.roles);
        self.password_policy = match (self.password_policy, &live.password_policy) {
            (Some(mut desired), Some(live)) => {
                for (key, value) in live {
                    desired.entry(key.clone()).or_insert_with(|| value.clone());
                }
                Some(desired)
            }
            (desired, live) => desired.or_else(|| live.clone()),
        };
        self.has_sso = live.has_sso;
        self.session = match (self.session, &live.session) {
            (Some(desired), Some(live)) => Some(desired.carry_from(live)),
            (desired, live) => desired.or_else(|| live.clone()),
        };
        self
    }

    /// The sign-in parts are compared field by field (`session.refresh_token_expiration`), so
    /// a plan names the one setting that moved rather than the whole block.
    fn field_diffs(&self, after: &Self) -> Vec<FieldDiff> {
        let parts = |tenant: &Self| Self {
            session: None,
            sso: None,
            password_policy: None,
            roles: None,
            ..tenant.clone()
        };
        let mut diffs = json_field_diff(&parts(self), &parts(after));
        diffs.extend(prefixed_diffs(
            "session",
            self.session.as_deref(),
            after.session.as_deref(),
        ));
        diffs.extend(prefixed_diffs(
            "password_policy",
            self.password_policy.as_ref(),
            after.password_policy.as_ref(),
        ));
        diffs.extend(keyed_diffs("roles", &self.roles, &after.roles));
        diffs.extend(keyed_diffs("sso", &self.sso, &after.sso));
        diffs
    }

    fn update_refused(&self, live: &Self) -> Option<String> {
        let wanted = self.parent.as_deref()?;
        let current = live.parent.as_deref().unwrap_or_default();
        (wanted != current).then(|| {
            let describe = |parent: &str| match parent {
                "" => "no parent".to_owned(),
                parent => format!("parent `{parent}`"),
            };
            format!(
                "tenant {} has {} but the configuration wants {}: Descope sets a tenant's parent \
                 only when it is created, so the tenant must be deleted and recreated",
                self.id,
                describe(current),
                describe(wanted)
            )
        })
    }
}
