//! The `flows:` section: flow ids and their exported JSON files.

use std::path::PathBuf;

use super::{Decoder, Keys};
use crate::config::model::{FlowConfig, Scope};
use crate::config::yaml::Node;

/// Keys a flow accepts.
pub(crate) const FLOW: Keys = Keys {
    accepted: &["id", "file", "enabled", "environments"],
    required: &["id", "file"],
};

impl Decoder<'_> {
    pub(super) fn flow(&mut self, node: &Node, path: &str) -> Option<FlowConfig> {
        let entries = self.mapping(node, path, &FLOW)?;
        let mut flow = FlowConfig {
            id: String::new(),
            file: PathBuf::new(),
            enabled: true,
            environments: Scope::All,
        };
        for entry in entries {
            let field_path = format!("{path}.{}", entry.key);
            match entry.key.as_ref() {
                "id" => {
                    flow.id = self
                        .required_text(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "file" => {
                    flow.file = self
                        .json_file(&entry.value, &field_path)
                        .unwrap_or_default()
                }
                "enabled" => flow.enabled = self.boolean(&entry.value, &field_path).unwrap_or(true),
                "environments" => flow.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        Some(flow)
    }
}
