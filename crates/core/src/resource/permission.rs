//! The permission kind: its live state and its rules.

use serde::{Deserialize, Serialize};

use super::{KindRules, system_default_by_flag_or_name};
use crate::config::DescopeConfig;
use crate::config::rules::BUILTIN_PERMISSIONS;

/// A permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Permission {
    pub name: String,
    pub description: String,
    /// The wire's `systemDefault`: Descope made this permission. Read only; `None` when the
    /// server did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_default: Option<bool>,
}

impl KindRules for Permission {
    fn normalize(self) -> Self {
        self
    }

    fn is_system_default(&self) -> bool {
        system_default_by_flag_or_name(self.system_default, &self.name, &BUILTIN_PERMISSIONS)
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.permissions().iter().map(|p| p.to_resource()).collect()
    }

    fn carry_unmanaged(mut self, live: &Self) -> Self {
        self.system_default = live.system_default;
        self
    }
}
