//! The permission kind: its live state and its rules.

use serde::{Deserialize, Serialize};

use super::KindRules;
use crate::config::DescopeConfig;

/// A permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub struct Permission {
    pub name: String,
    pub description: String,
}

impl KindRules for Permission {
    fn normalize(self) -> Self {
        self
    }

    fn is_system_default(&self) -> bool {
        crate::config::rules::BUILTIN_PERMISSIONS.contains(&self.name.as_str())
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config.permissions().iter().map(|p| p.to_resource()).collect()
    }
}
