//! `${VAR}` and `${VAR:-default}` interpolation. Values come from the process environment, then
//! from a `.env` file beside the configuration (parsed, never loaded into the process
//! environment, so the process environment wins). `$${` is a literal `${`.

use std::collections::HashMap;
use std::path::Path;

/// Where variable values come from. Values may be secrets: `Debug` shows names only.
#[derive(Clone, Default)]
pub struct Variables {
    dotenv: HashMap<String, String>,
    /// Replaces the process environment when set: tests stay independent of the machine.
    process: Option<HashMap<String, String>>,
}

impl Variables {
    /// The process environment plus `dir/.env` when present. A `.env` that cannot be read or
    /// parsed is reported as an error message (without its contents).
    pub fn from_env_and_dotenv(dir: &Path) -> Result<Self, String> {
        let path = dir.join(".env");
        let mut dotenv = HashMap::new();
        if path.is_file() {
            let iter = dotenvy::from_path_iter(&path)
                .map_err(|error| format!("cannot read {}: {}", path.display(), safe(&error)))?;
            for item in iter {
                let (key, value) = item.map_err(|error| {
                    format!("cannot parse {}: {}", path.display(), safe(&error))
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

/// The interpolated text, and whether any `${…}` reference was in it. The text may be a secret:
/// `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    pub used_variable: bool,
}

/// Replaces every `${VAR}` / `${VAR:-default}` and unescapes `$${`; collects every problem.
/// `${VAR:-default}` uses the default when VAR is unset or empty, as the shell does.
pub fn interpolate(
    input: &str,
    variables: &Variables,
) -> Result<Interpolated, Vec<InterpolationError>> {
    if !input.contains('$') {
        return Ok(Interpolated {
            text: input.to_owned(),
            used_variable: false,
        });
    }
    let mut text = String::with_capacity(input.len());
    let mut errors = Vec::new();
    let mut used_variable = false;
    let mut rest = input;
    while let Some(index) = rest.find('$') {
        text.push_str(&rest[..index]);
        let after = &rest[index..];
        if let Some(escaped_rest) = after.strip_prefix("$${") {
            text.push_str("${");
            rest = escaped_rest;
        } else if let Some(body_and_more) = after.strip_prefix("${") {
            used_variable = true;
            let Some(end) = body_and_more.find('}') else {
                errors.push(InterpolationError::Unterminated);
                rest = "";
                break;
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
                    (Some(value), Some(default)) if value.is_empty() => text.push_str(default),
                    (Some(value), _) => text.push_str(&value),
                    (None, Some(default)) => text.push_str(default),
                    (None, None) => errors.push(InterpolationError::Undefined(name.to_owned())),
                }
            }
            rest = &body_and_more[end + 1..];
        } else {
            text.push('$');
            rest = &after[1..];
        }
    }
    text.push_str(rest);
    if errors.is_empty() {
        Ok(Interpolated {
            text,
            used_variable,
        })
    } else {
        Err(errors)
    }
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
    fn marks_use_of_variables() {
        assert!(!interpolate("plain", &vars(&[])).unwrap().used_variable);
        assert!(interpolate("${X:-a}", &vars(&[])).unwrap().used_variable);
        assert!(!interpolate("$${X}", &vars(&[])).unwrap().used_variable);
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
