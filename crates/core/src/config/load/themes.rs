//! The `themes:` section: the exported theme JSON file.

use super::{Decoder, Keys};
use crate::config::model::ThemeConfig;
use crate::config::yaml::Node;

/// Keys the themes block accepts.
pub(crate) const THEME: Keys = Keys {
    accepted: &["file"],
    required: &["file"],
};

impl Decoder<'_> {
    pub(super) fn theme(&mut self, node: &Node, path: &str) -> Option<ThemeConfig> {
        let entries = self.mapping(node, path, &THEME)?;
        let file = entries.iter().find(|e| e.key == "file")?;
        let resolved = self.json_file(&file.value, &format!("{path}.file"))?;
        Some(ThemeConfig::new(resolved))
    }
}
