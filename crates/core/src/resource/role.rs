//! The role kind (project-level roles): its live state and its rules.

use serde::{Deserialize, Serialize};

use super::{KindRules, ResourceKind, sort_dedup};
use crate::config::DescopeConfig;
use crate::plan::ResourceRef;

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

impl KindRules for Role {
    fn normalize(self) -> Self {
        self.normalized()
    }

    /// A role's permissions must exist before it.
    fn references(&self) -> Vec<ResourceRef> {
        self.permission_names
            .iter()
            .map(|name| ResourceRef::new(ResourceKind::Permission, name))
            .collect()
    }

    fn is_system_default(&self) -> bool {
        crate::config::rules::BUILTIN_ROLES.contains(&self.name.as_str())
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.roles().iter().map(|r| r.to_resource()).collect()
    }
}
