//! The `themes:` section: the exported theme JSON file.

use super::{Decoder, Keys};
use crate::config::model::ThemeConfig;
use crate::config::rules::quote;
use crate::config::yaml::Node;
use crate::theme::ThemeDocument;

/// Keys the themes block accepts.
pub(crate) const THEME: Keys = Keys {
    accepted: &["file"],
    required: &["file"],
};

impl Decoder<'_> {
    pub(super) fn theme(&mut self, node: &Node, path: &str) -> Option<ThemeConfig> {
        let entries = self.mapping(node, path, &THEME)?;
        let file = entries.iter().find(|e| e.key == "file")?;
        let field_path = format!("{path}.file");
        let resolved = self.json_file(&file.value, &field_path)?;
        // `json_file` has just read it; a file that vanished since is reported there.
        if let Ok(bytes) = std::fs::read(&resolved)
            && let Err(problem) = ThemeDocument::parse(&bytes)
        {
            let shown = resolved.strip_prefix(&self.config_dir).unwrap_or(&resolved);
            self.error_at(
                &file.value,
                &field_path,
                format!("{}: {problem}", quote(&shown.display().to_string())),
                Some("export the theme (styles) from Descope again".to_owned()),
            );
            return None;
        }
        Some(ThemeConfig::new(resolved))
    }
}
