//! Typed readers shared by the section decoders: mappings with known keys, strings (with
//! `${VAR}` interpolation), booleans, numbers, lists, environment scopes, JSON values and
//! referenced JSON files, each reporting a located error instead of failing.

use std::path::PathBuf;

use super::read::{ReadError, io_reason, read_bounded};
use super::{Decoder, Keys, Located, MAX_CONFIG_BYTES_VARIABLE};
use crate::config::diagnostic::Severity;
use crate::config::interpolate::{Interpolated, InterpolationError, interpolate};
use crate::config::model::Scope;
use crate::config::rules::{self, quote};
use crate::config::yaml::{Entry, Node, Value};
use crate::secret::ManagementKey;

impl Decoder<'_> {
    pub(super) fn list<'n, T: Send>(
        &mut self,
        node: &'n Node<'n>,
        path: &str,
        decode: fn(&mut Self, &'n Node<'n>, &str) -> Option<T>,
    ) -> Vec<Located<'n, T>> {
        let items = match &node.value {
            Value::Seq(items) => items,
            // An emptied section (`tenants:` with everything commented out) means none.
            Value::Null => return Vec::new(),
            _ => {
                self.type_error(node, path, "a list");
                return Vec::new();
            }
        };
        let two_threads = items.len() >= self.parallel_lists_from
            && std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1);
        if !two_threads {
            return self.items(items, 0, items.len(), path, decode);
        }
        // Items decode independently: the later half on a second thread, into a fork whose
        // diagnostics and fingerprint inputs join this decoder's after the earlier half's.
        let (earlier, later) = items.split_at(items.len() / 2);
        let mut fork = self.fork();
        let (mut decoded, rest) = std::thread::scope(|scope| {
            let later = scope.spawn(|| fork.items(later, earlier.len(), later.len(), path, decode));
            // Room for both halves: growing to take the later one would briefly hold the list
            // twice over (tens of megabytes at 100,000 tenants).
            let decoded = self.items(earlier, 0, items.len(), path, decode);
            match later.join() {
                Ok(rest) => (decoded, rest),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        self.absorb(fork);
        decoded.extend(rest);
        decoded
    }

    /// [`Self::list`]'s work on `items`, the first of which is item `first` of the list, into a
    /// list with room for `capacity` items.
    fn items<'n, T>(
        &mut self,
        items: &'n [Node<'n>],
        first: usize,
        capacity: usize,
        path: &str,
        decode: fn(&mut Self, &'n Node<'n>, &str) -> Option<T>,
    ) -> Vec<Located<'n, T>> {
        let mut decoded = Vec::with_capacity(capacity);
        for (offset, item) in items.iter().enumerate() {
            let index = first + offset;
            let item_path = format!("{path}[{index}]");
            if let Some(value) = decode(self, item, &item_path) {
                decoded.push(Located {
                    value,
                    path: item_path,
                    node: item,
                });
            }
        }
        decoded
    }

    /// A path to a JSON document, relative to the configuration's directory: it must exist and
    /// parse as JSON. Returns the resolved path.
    pub(super) fn json_file(&mut self, node: &Node, path: &str) -> Option<PathBuf> {
        let relative = self.string(node, path)?;
        let resolved = self.config_dir.join(&relative);
        let limit = self.settings.max_config_bytes;
        let problem = match read_bounded(&resolved, limit) {
            Err(ReadError::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => Some((
                format!("{} does not exist", quote(&relative)),
                format!(
                    "paths resolve from the configuration's directory ({})",
                    self.config_dir.display()
                ),
            )),
            Err(ReadError::Io(error)) if error.kind() == std::io::ErrorKind::IsADirectory => {
                Some((
                    format!("{} is not a file", quote(&relative)),
                    "name an exported JSON document".to_owned(),
                ))
            }
            Err(ReadError::Io(error)) => Some((
                format!("{} cannot be read: {}", quote(&relative), io_reason(&error)),
                "check the file's permissions".to_owned(),
            )),
            Err(ReadError::TooLarge(_)) => Some((
                format!("{} is larger than {limit} bytes", quote(&relative)),
                format!(
                    "name an exported JSON document, or raise the limit with {MAX_CONFIG_BYTES_VARIABLE}"
                ),
            )),
            Ok(bytes) => {
                self.record_input(&bytes);
                serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
                    .err()
                    .map(|error| {
                        (
                            format!("{} is not valid JSON: {error}", quote(&relative)),
                            "export the document from Descope again, or fix the JSON".to_owned(),
                        )
                    })
            }
        };
        match problem {
            Some((message, hint)) => {
                self.error_at(node, path, message, Some(hint));
                None
            }
            None => Some(resolved),
        }
    }

    pub(super) fn scope(&mut self, node: &Node, path: &str) -> Scope {
        if !matches!(node.value, Value::Seq(_)) {
            self.type_error(node, path, "a list of environment names");
            return Scope::All;
        }
        Scope::Only(self.strings(node, path))
    }

    /// Checks a mapping's keys: unknown ones and missing required ones are errors.
    pub(super) fn mapping<'n>(
        &mut self,
        node: &'n Node<'n>,
        path: &str,
        keys: &Keys,
    ) -> Option<&'n [Entry<'n>]> {
        let Value::Map(entries) = &node.value else {
            self.type_error(node, path, "a mapping");
            return None;
        };
        for entry in entries {
            if !keys.accepted.contains(&entry.key.as_ref()) {
                self.push(
                    Severity::Error,
                    entry.value.source,
                    entry.key_position,
                    join(path, &entry.key),
                    "unknown field".to_owned(),
                    Some(format!("expected one of: {}", keys.accepted.join(", "))),
                );
            }
        }
        for key in keys.required {
            if !entries.iter().any(|entry| entry.key == *key) {
                self.error_at(
                    node,
                    &join(path, key),
                    "missing required field".to_owned(),
                    Some(format!("add `{key}: …`")),
                );
            }
        }
        Some(entries)
    }

    /// A string value, interpolated.
    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(raw) => self.interpolate(node, path, raw).map(|done| done.text),
            Value::Int(_) | Value::Float(..) | Value::Bool(_) => {
                let text = node.scalar_text().unwrap_or_default();
                self.error_at(
                    node,
                    path,
                    format!("expected a string, found {}", node.kind()),
                    Some(format!("quote it: \"{text}\"")),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a string");
                None
            }
        }
    }

    /// A string that must not be empty after trimming.
    pub(super) fn required_text(&mut self, node: &Node, path: &str) -> Option<String> {
        let text = self.string(node, path)?;
        if text.trim().is_empty() {
            self.error_at(node, path, "must not be empty".to_owned(), None);
            return None;
        }
        if let Some(violation) = rules::check_no_control_characters(path, &text) {
            self.violations(node, vec![violation]);
            return None;
        }
        Some(text)
    }

    pub(super) fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        let Value::Seq(items) = &node.value else {
            self.type_error(node, path, "a list of strings");
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map({
                let mut paths = PathBuilder::new(path);
                move |(index, item)| self.string(item, paths.index(index))
            })
            .collect()
    }

    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(value) => Some(*value),
            // `${FLAG:-false}` arrives as a string: accept it when it reads as a boolean.
            Value::Str(raw) if raw.contains("${") => {
                let text = self.interpolate(node, path, raw)?.text;
                match text.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => {
                        self.error_at(
                            node,
                            path,
                            format!("expected true or false, found {}", quote(&text)),
                            None,
                        );
                        None
                    }
                }
            }
            _ => {
                self.type_error(node, path, "true or false");
                None
            }
        }
    }

    pub(super) fn positive(&mut self, node: &Node, path: &str) -> Option<u32> {
        match &node.value {
            Value::Int(value) if *value >= 1 && *value <= i64::from(u32::MAX) => {
                u32::try_from(*value).ok()
            }
            Value::Int(value) => {
                self.error_at(
                    node,
                    path,
                    format!("{value} is out of range"),
                    Some("use a whole number of at least 1".to_owned()),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a whole number");
                None
            }
        }
    }

    /// Any YAML value as JSON, with strings interpolated.
    pub(super) fn json(&mut self, node: &Node, path: &str) -> serde_json::Value {
        use serde_json::Value as Json;
        match &node.value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => Json::from(*value),
            Value::Float(_, text) if is_integer_literal(text) => {
                // Beyond 64 bits: a float would silently change the value.
                self.error_at(
                    node,
                    path,
                    format!("{text} cannot be stored exactly as a number"),
                    Some(format!("quote it to keep it as text: \"{text}\"")),
                );
                Json::Null
            }
            Value::Float(value, text) => match serde_json::Number::from_f64(*value) {
                Some(number) => Json::Number(number),
                None => {
                    self.error_at(node, path, format!("{text} is not a finite number"), None);
                    Json::Null
                }
            },
            Value::Str(raw) => self
                .interpolate(node, path, raw)
                .map_or(Json::Null, |done| Json::String(done.text)),
            Value::Seq(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.json(item, &format!("{path}[{index}]")))
                    .collect(),
            ),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|entry| {
                        (
                            entry.key.to_string(),
                            self.json(&entry.value, &join(path, &entry.key)),
                        )
                    })
                    .collect(),
            ),
        }
    }

    pub(super) fn interpolate(
        &mut self,
        node: &Node,
        path: &str,
        raw: &str,
    ) -> Option<Interpolated> {
        match interpolate(raw, self.variables) {
            Ok(done) => {
                if done.used_variable && !is_secret_path(path) {
                    self.record_input(done.text.as_bytes());
                }
                Some(done)
            }
            Err(errors) => {
                for error in errors {
                    let (message, hint) = match error {
                        // A key pasted where its variable's name belongs: never echo it.
                        InterpolationError::Undefined(name) | InterpolationError::BadName(name)
                            if rules::looks_like_management_key(&name) =>
                        {
                            (
                                format!(
                                    "undefined variable {} (it looks like a management key, not a variable name)",
                                    ManagementKey::new(name).masked()
                                ),
                                "put the key in an environment variable or in .env, and write `${VARIABLE_NAME}` here".to_owned(),
                            )
                        }
                        InterpolationError::Undefined(name) => (
                            format!("undefined variable {name}"),
                            format!("set {name} in the environment or in .env beside the configuration, or give a default: ${{{name}:-value}}"),
                        ),
                        InterpolationError::Unterminated => (
                            "unterminated `${` in the value".to_owned(),
                            "close it with `}`, or write `$${` for a literal `${`".to_owned(),
                        ),
                        InterpolationError::BadName(name) => (
                            format!("{} is not a variable name", quote(&name)),
                            "variable names use letters, digits and `_`, and do not start with a digit".to_owned(),
                        ),
                    };
                    self.error_at(node, path, message, Some(hint));
                }
                None
            }
        }
    }
}

/// Field paths built in one reused buffer, so the hot loop over thousands of tenants does not
/// allocate a path string per field only to use it in the rare error.
pub(super) struct PathBuilder {
    buffer: String,
    base: usize,
}

impl PathBuilder {
    pub(super) fn new(path: &str) -> Self {
        let mut buffer = String::with_capacity(path.len() + 32);
        buffer.push_str(path);
        Self {
            base: buffer.len(),
            buffer,
        }
    }

    /// `path.key` (or `key` at the top level).
    pub(super) fn field(&mut self, key: &str) -> &str {
        self.buffer.truncate(self.base);
        if self.base > 0 {
            self.buffer.push('.');
        }
        self.buffer.push_str(key);
        &self.buffer
    }

    /// `path[index]`.
    pub(super) fn index(&mut self, index: usize) -> &str {
        use std::fmt::Write as _;
        self.buffer.truncate(self.base);
        let _ = write!(self.buffer, "[{index}]");
        &self.buffer
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// An integer as written (`-12`, `+7`, `1_000` is not one in YAML 1.2's core schema).
fn is_integer_literal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Values that must not reach the fingerprint: a key rotation must not invalidate saved plans,
/// and a digest of a secret is still derived from it.
fn is_secret_path(path: &str) -> bool {
    path.ends_with(".management_key")
}
