//! Reading the files of one load: the base configuration and, for one environment, its overlay
//! (size-checked, UTF-8), parsed into positioned nodes and merged into one tree.

use std::io::Read as _;
use std::path::Path;

use sha2::Digest as _;

use super::environments::{CONNECTION_KEYS, is_environment_name, overlay_environment_keys};
use super::overlay_path;
use super::{Decoder, MAX_CONFIG_BYTES_VARIABLE};
use crate::config::diagnostic::Severity;
use crate::config::merge::merge_overlay;
use crate::config::model::DescopeConfig;
use crate::config::rules::quote;
use crate::config::yaml::{Node, Value, load_yaml};

impl Decoder<'_> {
    pub(super) fn run(&mut self, env: Option<&str>) -> Option<DescopeConfig> {
        self.with_tree(env, |decoder, root| {
            let template_use = decoder.resolve_templates(root);
            decoder.decode_root(root, env, template_use)
        })?
    }

    /// Reads the base and `env`'s overlay, merges them and hands the merged tree (templates not
    /// yet resolved) to `then`; the texts the tree borrows from live only this long.
    pub(super) fn with_tree<R>(
        &mut self,
        env: Option<&str>,
        then: impl FnOnce(&mut Self, &mut Node<'_>) -> R,
    ) -> Option<R> {
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
            // Anything at the overlay's path is read: a directory there is a mistake to report,
            // not an environment without an overlay.
            if overlay_file.exists() {
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
            if !self.overlay_keeps_connections(&overlay) {
                return None;
            }
            root = merge_overlay(root, overlay);
        }
        Some(then(self, &mut root))
    }

    /// Reads one file as text, at most the size limit plus one byte whatever the file is (a
    /// pipe or a device may never end); reports and returns `None` when it cannot.
    pub(super) fn read(&mut self, path: &Path, source: usize) -> Option<String> {
        let limit = self.settings.max_config_bytes;
        let bytes = match read_bounded(path, limit) {
            Ok(bytes) => bytes,
            Err(ReadError::TooLarge(size)) => {
                let size = match size {
                    Some(size) => format!("file is {size} bytes"),
                    None => format!("file has more than {limit} bytes"),
                };
                self.file_error(
                    source,
                    format!("{size}; at most {limit} bytes are accepted"),
                    &format!(
                        "split the configuration, or raise the limit with {MAX_CONFIG_BYTES_VARIABLE}"
                    ),
                );
                return None;
            }
            Err(ReadError::Io(error)) => {
                let hint = if source == 0 && error.kind() == std::io::ErrorKind::NotFound {
                    "pass --config FILE or set DESCOPE_MGMT_CONFIG"
                } else {
                    "check the path and the file's permissions"
                };
                self.file_error(
                    source,
                    format!("cannot read the file: {}", io_reason(&error)),
                    hint,
                );
                return None;
            }
        };
        self.record_input(&bytes);
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                self.file_error(
                    source,
                    "the file is not UTF-8 text".to_owned(),
                    "save it as UTF-8",
                );
                None
            }
        }
    }

    /// Where an environment connects is the base file's alone: an overlay that changed it would
    /// send a plan to a server that `env list` and a review of the base file never show. Reports
    /// each connection setting in the overlay; true when there is none.
    fn overlay_keeps_connections(&mut self, overlay: &Node) -> bool {
        let Some(Value::Map(environments)) = overlay.get("environments").map(|node| &node.value)
        else {
            return true;
        };
        let errors_before = self.error_count();
        for environment in environments {
            let Value::Map(settings) = &environment.value.value else {
                continue;
            };
            for setting in settings {
                if CONNECTION_KEYS.contains(&setting.key.as_ref()) {
                    self.push(
                        Severity::Error,
                        setting.value.source,
                        setting.key_position,
                        format!("environments.{}.{}", environment.key, setting.key),
                        "connection settings cannot be changed in an overlay".to_owned(),
                        Some(format!(
                            "set {} in the base configuration; an overlay may change {}",
                            CONNECTION_KEYS.join(", "),
                            overlay_environment_keys().collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
        }
        self.error_count() == errors_before
    }

    /// Adds one input (a file's bytes, an interpolated value) to the fingerprint, length first so
    /// that inputs cannot run into each other.
    pub(super) fn record_input(&mut self, bytes: &[u8]) {
        if let Some(deferred) = &mut self.deferred_inputs {
            deferred.push(bytes.to_vec());
            return;
        }
        self.fingerprint.update((bytes.len() as u64).to_le_bytes());
        self.fingerprint.update(bytes);
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

/// Why a bounded read failed.
pub(super) enum ReadError {
    /// Larger than the limit: its size when the file system knows it (a regular file).
    TooLarge(Option<u64>),
    Io(std::io::Error),
}

/// Reads at most `limit + 1` bytes of `path`: enough to tell a file within the limit from one
/// beyond it without trusting the size the file system reports (pipes and devices report 0).
pub(super) fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if metadata.is_dir() {
        return Err(ReadError::Io(std::io::Error::from(
            std::io::ErrorKind::IsADirectory,
        )));
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(ReadError::TooLarge(Some(metadata.len())));
    }
    let capacity = if metadata.is_file() {
        metadata.len()
    } else {
        0
    };
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

/// An I/O error in words, without the OS error number.
pub(super) fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "file not found".to_owned(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        kind => kind.to_string(),
    }
}
