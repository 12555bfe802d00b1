//! `${VAR}` and `${VAR:-default}` interpolation. Values come from the process environment, then
//! from a `.env` file beside the configuration (parsed, never loaded into the process
//! environment, so the process environment wins). `$${` is a literal `${`.

use std::collections::HashMap;
use std::path::Path;

use super::diagnostic::Position;

/// Where variable values come from. Values may be secrets: `Debug` shows names only.
#[derive(Clone, Default)]
pub struct Variables {
    dotenv: HashMap<String, String>,
    /// Replaces the process environment when set: tests stay independent of the machine.
    process: Option<HashMap<String, String>>,
}

impl Variables {
    /// The process environment plus `dir/.env` when present. A `.env` that cannot be read or
    /// parsed is reported with the position of the problem (never with its contents).
    pub fn from_env_and_dotenv(dir: &Path) -> Result<Self, DotenvError> {
        let path = dir.join(".env");
        let mut dotenv = HashMap::new();
        if path.is_file() {
            let at_start = |message: String| DotenvError {
                message,
                position: Position { line: 1, column: 1 },
            };
            let iter = dotenvy::from_path_iter(&path)
                .map_err(|error| at_start(format!("cannot read the file: {}", safe(&error))))?;
            for item in iter {
                let (key, value) = item.map_err(|error| {
                    let contents = std::fs::read_to_string(&path).unwrap_or_default();
                    DotenvError {
                        message: "cannot parse the file: syntax error (the line is not shown: it may hold a secret)".to_owned(),
                        position: dotenv_error_position(&contents, &error),
                    }
                })?;
                dotenv.insert(key, value);
            }
        }
        Ok(Self {
            dotenv,
            process: None,
        })
    }

    /// Only the given values, ignoring the process environment (for tests and embedding).
    pub fn from_map(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            dotenv: HashMap::new(),
            process: Some(values.into_iter().collect()),
        }
    }

    pub fn get(&self, name: &str) -> Option<String> {
        let from_process = match &self.process {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        from_process.or_else(|| self.dotenv.get(name).cloned())
    }
}

impl std::fmt::Debug for Variables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.dotenv.keys().collect();
        names.sort();
        f.debug_struct("Variables")
            .field("dotenv_names", &names)
            .field(
                "process",
                &if self.process.is_some() {
                    "given map"
                } else {
                    "process environment"
                },
            )
            .finish()
    }
}

/// A `.env` that cannot be read or parsed: what is wrong and where, without the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    pub message: String,
    pub position: Position,
}

/// Where dotenvy's error points: it gives the text it was parsing (a line, a value, or for an
/// unterminated quote everything to the end) and an offset in it, but not the line number, so
/// the text is found in the file. An offset at the very end (an unterminated quote) points at
/// where that text starts instead.
fn dotenv_error_position(contents: &str, error: &dotenvy::Error) -> Position {
    let dotenvy::Error::LineParse(text, offset) = error else {
        return Position { line: 1, column: 1 };
    };
    let Some(start) = contents.find(text.as_str()) else {
        return Position { line: 1, column: 1 };
    };
    let offset = if *offset >= text.len() { 0 } else { *offset };
    let at = start + text.get(..offset).map_or(0, str::len);
    let before = &contents[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position::at(line, column)
}

// dotenvy's line-parse errors quote the offending line, which may hold a secret.
fn safe(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(_, index) => format!("syntax error at character {index}"),
        dotenvy::Error::Io(io) => io.kind().to_string(),
        _ => "invalid file".to_owned(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolationError {
    Undefined(String),
    Unterminated,
    BadName(String),
}

/// The interpolated text, whether any `${…}` reference was in it, and whether any of it was
/// written in the file itself (outside a variable's value: plain text or a default), which is
/// what makes a secret "written literally". The text may be a secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    pub used_variable: bool,
    pub written_in_file: bool,
}

/// Replaces every `${VAR}` / `${VAR:-default}` and unescapes `$${`; collects every problem.
/// `${VAR:-default}` uses the default when VAR is unset or empty, as the shell does; the default
/// may itself hold references (`${A:-${B}}`), resolved only when it is used.
pub fn interpolate(
    input: &str,
    variables: &Variables,
) -> Result<Interpolated, Vec<InterpolationError>> {
    let mut done = Interpolated {
        text: String::with_capacity(input.len()),
        used_variable: false,
        written_in_file: false,
    };
    if !input.contains('$') {
        done.text.push_str(input);
        done.written_in_file = !input.is_empty();
        return Ok(done);
    }
    let mut errors = Vec::new();
    expand(input, variables, &mut done, &mut errors);
    if errors.is_empty() {
        Ok(done)
    } else {
        Err(errors)
    }
}

fn expand(
    input: &str,
    variables: &Variables,
    done: &mut Interpolated,
    errors: &mut Vec<InterpolationError>,
) {
    let mut rest = input;
    while let Some(index) = rest.find('$') {
        push_written(done, &rest[..index]);
        let after = &rest[index..];
        if let Some(escaped_rest) = after.strip_prefix("$${") {
            push_written(done, "${");
            rest = escaped_rest;
        } else if let Some(body_and_more) = after.strip_prefix("${") {
            done.used_variable = true;
            let Some(end) = closing_brace(body_and_more) else {
                errors.push(InterpolationError::Unterminated);
                return;
            };
            let body = &body_and_more[..end];
            let (name, default) = match body.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (body, None),
            };
            if !is_variable_name(name) {
                errors.push(InterpolationError::BadName(name.to_owned()));
            } else {
                match (variables.get(name), default) {
                    (Some(value), Some(default)) if value.is_empty() => {
                        expand(default, variables, done, errors)
                    }
                    (Some(value), _) => done.text.push_str(&value),
                    (None, Some(default)) => expand(default, variables, done, errors),
                    (None, None) => errors.push(InterpolationError::Undefined(name.to_owned())),
                }
            }
            rest = &body_and_more[end + 1..];
        } else {
            push_written(done, "$");
            rest = &after[1..];
        }
    }
    push_written(done, rest);
}

fn push_written(done: &mut Interpolated, text: &str) {
    if !text.is_empty() {
        done.text.push_str(text);
        done.written_in_file = true;
    }
}

/// The index of the `}` that closes a reference whose body starts `text`, counting references
/// nested in a default.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'$' if bytes.get(index + 1) == Some(&b'{') => {
                depth += 1;
                index += 1;
            }
            b'}' if depth == 0 => return Some(index),
            b'}' => depth -= 1,
            _ => {}
        }
        index += 1;
    }
    None
}

impl std::fmt::Debug for Interpolated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interpolated")
            .field("used_variable", &self.used_variable)
            .finish_non_exhaustive()
    }
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(first) if first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Variables {
        Variables::from_map(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn run(input: &str, pairs: &[(&str, &str)]) -> Result<String, Vec<InterpolationError>> {
        interpolate(input, &vars(pairs)).map(|done| done.text)
    }

    #[test]
    fn replaces_variables_and_defaults() {
        assert_eq!(run("a-${X}-b", &[("X", "1")]).unwrap(), "a-1-b");
        assert_eq!(run("${X:-fallback}", &[]).unwrap(), "fallback");
        assert_eq!(run("${X:-fallback}", &[("X", "")]).unwrap(), "fallback");
        assert_eq!(run("${X:-}", &[]).unwrap(), "");
        assert_eq!(run("${X}${Y}", &[("X", "1"), ("Y", "2")]).unwrap(), "12");
    }

    #[test]
    fn escapes_and_lone_dollars_stay() {
        assert_eq!(run("$${X}", &[]).unwrap(), "${X}");
        assert_eq!(run("cost $5", &[]).unwrap(), "cost $5");
        assert_eq!(run("end$", &[]).unwrap(), "end$");
    }

    #[test]
    fn every_undefined_variable_is_named() {
        assert_eq!(
            run("${A} ${B}", &[]).unwrap_err(),
            vec![
                InterpolationError::Undefined("A".into()),
                InterpolationError::Undefined("B".into())
            ]
        );
        assert_eq!(
            run("${A", &[]).unwrap_err(),
            vec![InterpolationError::Unterminated]
        );
        assert_eq!(
            run("${1A}", &[]).unwrap_err(),
            vec![InterpolationError::BadName("1A".into())]
        );
    }

    #[test]
    fn defaults_may_hold_references() {
        assert_eq!(run("${A:-${B}}", &[("B", "b")]).unwrap(), "b");
        assert_eq!(run("${A:-${B}}", &[("A", "a")]).unwrap(), "a");
        assert_eq!(run("${A:-x${B:-${C}}y}", &[("C", "c")]).unwrap(), "xcy");
        // A default that is not used is not resolved.
        assert_eq!(run("${A:-${B}}-z", &[("A", "a")]).unwrap(), "a-z");
        assert_eq!(
            run("${A:-${B}}", &[]).unwrap_err(),
            vec![InterpolationError::Undefined("B".into())]
        );
        assert_eq!(
            run("${A:-${B}", &[]).unwrap_err(),
            vec![InterpolationError::Unterminated]
        );
    }

    #[test]
    fn marks_text_written_in_the_file() {
        let written = |input: &str, pairs: &[(&str, &str)]| {
            interpolate(input, &vars(pairs)).unwrap().written_in_file
        };
        assert!(written("K2literal", &[]));
        assert!(written("${X:-K2literal}", &[]));
        assert!(written("${X:-${Y:-K2literal}}", &[]));
        assert!(!written("${X}", &[("X", "K2fromvariable")]));
        assert!(!written("${X:-K2literal}", &[("X", "K2fromvariable")]));
        assert!(!written("${X:-}", &[]));
    }

    #[test]
    fn marks_use_of_variables() {
        assert!(!interpolate("plain", &vars(&[])).unwrap().used_variable);
        assert!(interpolate("${X:-a}", &vars(&[])).unwrap().used_variable);
        assert!(!interpolate("$${X}", &vars(&[])).unwrap().used_variable);
    }

    #[test]
    fn dotenv_errors_point_at_their_line_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "A=1\n# note\nB=fine\nC=bad value K2secretSECRET\n",
        )
        .unwrap();
        let error = Variables::from_env_and_dotenv(dir.path()).unwrap_err();
        assert_eq!(error.position.line, 4, "{error:?}");
        assert!(error.position.column > 1, "{error:?}");
        assert!(!error.message.contains("K2secret"), "{error:?}");
    }

    #[test]
    fn process_environment_wins_over_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "DESCOPE_MGMT_TEST_ONLY_IN_DOTENV=from-file\nPATH=from-file\n",
        )
        .unwrap();
        let variables = Variables::from_env_and_dotenv(dir.path()).unwrap();
        assert_eq!(
            variables.get("DESCOPE_MGMT_TEST_ONLY_IN_DOTENV").as_deref(),
            Some("from-file")
        );
        assert_ne!(variables.get("PATH").as_deref(), Some("from-file"));
        assert!(!format!("{variables:?}").contains("from-file"));
        // The process environment is not changed by reading the file.
        assert!(std::env::var("DESCOPE_MGMT_TEST_ONLY_IN_DOTENV").is_err());
    }
}
