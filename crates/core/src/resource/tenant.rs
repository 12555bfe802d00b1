//! The tenant kind: its live state and its rules (normal form, the roles it names).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{KindRules, ResourceKind, sort_dedup};
use crate::config::DescopeConfig;
use crate::plan::ResourceRef;

/// A tenant as Descope stores it (the fields descope-mgmt manages).
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
        self
    }
}

impl KindRules for Tenant {
    fn normalize(self) -> Self {
        self.normalized()
    }

    /// A tenant's default roles must exist before it.
    fn references(&self) -> Vec<ResourceRef> {
        self.default_roles
            .iter()
            .map(|name| ResourceRef::new(ResourceKind::Role, name))
            .collect()
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.tenants().iter().map(|t| t.to_resource()).collect()
    }
}
