//! The `flows:` section: flow ids and their exported JSON files.

use std::path::PathBuf;

use super::{Decoder, Keys};
use crate::config::model::{FlowConfig, Scope};
use crate::config::rules::quote;
use crate::config::yaml::Node;
use crate::flow::FlowDocument;

/// Keys a flow accepts.
pub(crate) const FLOW: Keys = Keys {
    accepted: &["id", "file", "enabled", "environments"],
    required: &["id", "file"],
};

impl Decoder<'_> {
    pub(super) fn flow(&mut self, node: &Node, path: &str) -> Option<FlowConfig> {
        let entries = self.mapping(node, path, &FLOW)?;
        let mut file_node = None;
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
                        .unwrap_or_default();
                    file_node = Some((&entry.value, field_path));
                }
                "enabled" => flow.enabled = self.boolean(&entry.value, &field_path).unwrap_or(true),
                "environments" => flow.environments = self.scope(&entry.value, &field_path),
                _ => {}
            }
        }
        if let Some((node, field_path)) = file_node
            && !flow.file.as_os_str().is_empty()
        {
            self.flow_document(node, &field_path, &flow);
        }
        Some(flow)
    }

    /// The checks of the flow document itself (see [`FlowDocument::problems`]), reported at the
    /// entry's `file:` with the JSON path inside the document.
    fn flow_document(&mut self, node: &Node, path: &str, flow: &FlowConfig) {
        let Ok(bytes) = std::fs::read(&flow.file) else {
            return; // `json_file` has just read it; a file that vanished since is reported there.
        };
        let entry_id = (!flow.id.is_empty()).then_some(flow.id.as_str());
        let problems = match FlowDocument::parse(&bytes) {
            Ok(document) => document.problems(entry_id),
            Err(problem) => vec![problem],
        };
        let shown = flow
            .file
            .strip_prefix(&self.config_dir)
            .unwrap_or(&flow.file);
        for problem in problems {
            self.error_at(
                node,
                path,
                format!("{}: {problem}", quote(&shown.display().to_string())),
                Some(
                    "fix the flow in the Descope console and export it again, or edit the JSON"
                        .to_owned(),
                ),
            );
        }
    }
}
