//! Reading the files of one load: the base configuration and, for one environment, its overlay
//! (size-checked, UTF-8), parsed into positioned nodes and merged into one tree.

use std::path::Path;

use super::Decoder;
use super::environments::is_environment_name;
use super::overlay_path;
use crate::config::diagnostic::Severity;
use crate::config::merge::merge_overlay;
use crate::config::model::DescopeConfig;
use crate::config::rules::quote;
use crate::config::yaml::{MAX_FILE_BYTES, Node, Value, load_yaml};

impl Decoder<'_> {
    pub(super) fn run(&mut self, env: Option<&str>) -> Option<DescopeConfig> {
        let base_path = self.files[0].clone();
        let base_text = self.read(&base_path, 0)?;
        let mut overlay_text = None;
        if let Some(env) = env {
            if !is_environment_name(env) {
                self.file_error(
                    0,
                    format!("environment name {} is not valid", quote(env)),
                    "environment names use lowercase letters, digits, `-` and `_`",
                );
                return None;
            }
            let overlay_file = overlay_path(&base_path, env);
            if overlay_file.is_file() {
                self.files.push(overlay_file.clone());
                overlay_text = Some(self.read(&overlay_file, 1)?);
            }
        }
        // Both texts outlive the trees, which borrow their strings from them.
        let mut root = self.parse(&base_text, 0)?;
        if let Some(text) = &overlay_text {
            let overlay = self.parse(text, 1)?;
            if !matches!(overlay.value, Value::Map(_)) {
                self.error_at(
                    &overlay,
                    "",
                    format!("expected a mapping, found {}", overlay.kind()),
                    None,
                );
                return None;
            }
            root = merge_overlay(root, overlay);
        }
        self.decode_root(&root, env)
    }

    /// Reads one file as text; reports and returns `None` when it cannot.
    pub(super) fn read(&mut self, path: &Path, source: usize) -> Option<String> {
        let reason = |error: std::io::Error| match error.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_owned(),
            kind => kind.to_string(),
        };
        let size = match std::fs::metadata(path) {
            Ok(metadata) => metadata.len(),
            Err(error) => {
                let hint = if source == 0 {
                    "pass --config FILE or set DESCOPE_MGMT_CONFIG"
                } else {
                    "check the file's permissions"
                };
                self.file_error(
                    source,
                    format!("cannot read the file: {}", reason(error)),
                    hint,
                );
                return None;
            }
        };
        if size > MAX_FILE_BYTES as u64 {
            self.file_error(
                source,
                format!("file is {size} bytes; at most {MAX_FILE_BYTES} bytes are accepted"),
                "split the configuration or remove generated content",
            );
            return None;
        }
        match std::fs::read(path).map(String::from_utf8) {
            Ok(Ok(text)) => Some(text),
            Ok(Err(_)) => {
                self.file_error(
                    source,
                    "the file is not UTF-8 text".to_owned(),
                    "save it as UTF-8",
                );
                None
            }
            Err(error) => {
                self.file_error(
                    source,
                    format!("cannot read the file: {}", reason(error)),
                    "check the file's permissions",
                );
                None
            }
        }
    }

    /// Parses one file's text; reports and returns `None` when it cannot.
    pub(super) fn parse<'t>(&mut self, text: &'t str, source: usize) -> Option<Node<'t>> {
        match load_yaml(text, source) {
            Ok(Some(node)) => Some(node),
            Ok(None) => {
                self.file_error(
                    source,
                    "the file is empty".to_owned(),
                    "a configuration needs at least `version` and `environments`",
                );
                None
            }
            Err(error) => {
                self.push(
                    Severity::Error,
                    source,
                    error.position,
                    String::new(),
                    error.message,
                    error.hint,
                );
                None
            }
        }
    }
}
