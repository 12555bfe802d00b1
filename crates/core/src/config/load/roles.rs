//! The `roles:` section.

use super::{Decoder, Keys};
use crate::config::model::RoleConfig;
use crate::config::yaml::Node;

/// Keys a role accepts.
pub(crate) const ROLE: Keys = Keys {
    accepted: &[
        "name",
        "description",
        "permissions",
        "default",
        "private",
        "environments",
    ],
    required: &["name"],
};

impl Decoder<'_> {
    pub(super) fn role(&mut self, node: &Node, path: &str) -> Option<RoleConfig> {
        self.role_with(node, path, &ROLE)
    }

    /// A role with the keys of its place (a tenant's roles have no `environments`).
    pub(super) fn role_with(&mut self, node: &Node, path: &str, keys: &Keys) -> Option<RoleConfig> {
        let entries = self.mapping(node, path, keys)?;
        let mut role = RoleConfig::new("", "", Vec::new());
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "name" => {
                    role.name = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "description" => {
                    role.description = self.string(&entry.value, &field_path).unwrap_or_default()
                }
                "permissions" => role.permissions = self.strings(&entry.value, &field_path),
                "default" => role.default = self.boolean(&entry.value, &field_path),
                "private" => role.private = self.boolean(&entry.value, &field_path),
                "environments" => role.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(role)
    }
}
