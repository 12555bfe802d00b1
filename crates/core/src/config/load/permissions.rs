//! The `permissions:` section.

use super::{Decoder, Keys};
use crate::config::model::PermissionConfig;
use crate::config::yaml::Node;

/// Keys a permission accepts.
pub(crate) const PERMISSION: Keys = Keys {
    accepted: &["name", "description", "environments"],
    required: &["name"],
};

impl Decoder<'_> {
    pub(super) fn permission(&mut self, node: &Node, path: &str) -> Option<PermissionConfig> {
        let entries = self.mapping(node, path, &PERMISSION)?;
        let mut permission = PermissionConfig::new("", "");
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "name" => {
                    permission.name = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "description" => {
                    permission.description =
                        self.string(&entry.value, &field_path).unwrap_or_default()
                }
                "environments" => permission.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(permission)
    }
}
