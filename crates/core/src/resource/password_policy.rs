//! The project's password policy (`password_policy:` at the top level): a singleton kind, whose
//! fields are the password settings call's by wire name. A tenant's own policy is a part of the
//! tenant kind instead.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::KindRules;
use crate::config::DescopeConfig;

/// The project-level policy: the managed fields in a desired state, every field live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PasswordPolicy {
    #[serde(flatten)]
    pub fields: BTreeMap<String, Json>,
}

impl KindRules for PasswordPolicy {
    fn normalize(self) -> Self {
        self
    }

    /// Every project has a policy; one the configuration does not declare is not drift, and a
    /// policy cannot be deleted.
    fn is_system_default(&self) -> bool {
        true
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config
            .password_policy()
            .map(|policy| PasswordPolicy {
                fields: policy.to_resource(),
            })
            .into_iter()
            .collect()
    }

    /// The policy call overwrites every field, so the ones the configuration leaves out are
    /// sent back with their live value.
    fn carry_unmanaged(mut self, live: &Self) -> Self {
        for (key, value) in &live.fields {
            self.fields
                .entry(key.clone())
                .or_insert_with(|| value.clone());
        }
        self
    }
}
