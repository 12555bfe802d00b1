//! The live-state shape of each resource kind that descope-mgmt manages, as the planner compares
//! it: close to the wire (what Descope stores), independent of YAML and of HTTP.
//!
//! Config models (what users write) convert into these; the API client converts wire DTOs into
//! these. Set-like lists (domains, default roles, permission names) are kept sorted and
//! deduplicated by [`Tenant::normalized`] and friends so that comparison never depends on the
//! order a server returns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// A project-level role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Role {
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
}

impl Role {
    pub fn normalized(mut self) -> Self {
        sort_dedup(&mut self.permission_names);
        self
    }
}

/// A permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Permission {
    pub name: String,
    pub description: String,
}

fn sort_dedup(list: &mut Vec<String>) {
    list.sort();
    list.dedup();
}
