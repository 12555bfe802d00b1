//! The role kind (project-level roles): its live state and its rules.

use serde::{Deserialize, Serialize};

use super::{KindRules, ResourceKind, carry, sort_dedup, system_default_by_flag_or_name};
use crate::config::DescopeConfig;
use crate::config::rules::BUILTIN_ROLES;
use crate::plan::ResourceRef;

/// A project-level role. `None` in an optional field of a desired state means "leave the live
/// value alone".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Role {
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    /// Assigned automatically to new users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// The wire's `systemDefault`: Descope made this role. Read only; `None` when the server did
    /// not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_default: Option<bool>,
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
        system_default_by_flag_or_name(self.system_default, &self.name, &BUILTIN_ROLES)
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.roles().iter().map(|r| r.to_resource()).collect()
    }

    fn carry_unmanaged(mut self, live: &Self) -> Self {
        carry(&mut self.default, &live.default);
        carry(&mut self.private, &live.private);
        self.system_default = live.system_default;
        self
    }
}
