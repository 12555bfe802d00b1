//! The `flows:` section (flow ids and their exported JSON files) and the `flows_dir:` shorthand
//! (every `*.json` in a folder, each flow's id taken from its document).

use std::path::PathBuf;

use super::{Decoder, Keys, Located};
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

impl<'n> Decoder<'_> {
    /// `flows_dir: DIR`: one flow per `*.json` file of the folder (not its subfolders), in file
    /// name order, with the id the document names. Each document passes the same checks as a
    /// `flows:` entry's; problems are reported at the `flows_dir` key, naming the file.
    pub(super) fn flows_dir(
        &mut self,
        node: &'n Node<'n>,
        path: &str,
    ) -> Vec<Located<'n, FlowConfig>> {
        let Some(relative) = self.string(node, path) else {
            return Vec::new();
        };
        let folder = self.config_dir.join(&relative);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&folder) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|file| file.is_file() && file.extension().is_some_and(|ext| ext == "json"))
                .collect(),
            Err(error) => {
                self.error_at(
                    node,
                    path,
                    format!("{} cannot be read as a folder: {error}", quote(&relative)),
                    Some("paths resolve from the configuration's directory".to_owned()),
                );
                return Vec::new();
            }
        };
        files.sort();
        let mut flows = Vec::new();
        for file in files {
            let shown = file
                .strip_prefix(&self.config_dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            let document = std::fs::read(&file)
                .map_err(|error| error.to_string())
                .inspect(|bytes| self.record_input(bytes))
                .and_then(|bytes| FlowDocument::parse(&bytes).map_err(|p| p.to_string()));
            let problems: Vec<String> = match &document {
                Ok(document) if document.flow_id().is_none() => vec![
                    "the document names no flow id (`flowId`); list it under `flows:` with an `id`"
                        .to_owned(),
                ],
                Ok(document) => document
                    .problems(None)
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                Err(problem) => vec![problem.clone()],
            };
            for problem in &problems {
                self.error_at(
                    node,
                    path,
                    format!("{}: {problem}", quote(&shown)),
                    Some(
                        "fix the flow in the Descope console and export it again, or edit the JSON"
                            .to_owned(),
                    ),
                );
            }
            if let (Ok(document), true) = (&document, problems.is_empty()) {
                flows.push(Located {
                    value: FlowConfig {
                        id: document.flow_id().unwrap_or_default().to_owned(),
                        file: file.clone(),
                        enabled: true,
                        environments: Scope::All,
                    },
                    path: format!("{path}: {shown}"),
                    node,
                });
            }
        }
        flows
    }
}
