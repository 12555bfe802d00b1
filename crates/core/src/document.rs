//! What flow and theme documents share: reading JSON with line:column on a syntax error, problems
//! located by a JSON path (`$.contents.tasks["2.end"].next.rules[0].taskId`), and the canonical form
//! under which key order, whitespace, `null` members and the spelling of whole numbers (`3` or
//! `3.0`) never count as a difference.

use std::fmt;

use serde_json::{Number, Value};

/// A problem in a JSON document: where (a JSON path, or line and column for a syntax error) and
/// what. Messages quote ids and field names, never whole values, so no secret can leak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentProblem {
    /// `$` is the document root.
    pub path: String,
    /// Set for syntax errors, where no path exists yet.
    pub line_column: Option<(usize, usize)>,
    pub message: String,
}

impl DocumentProblem {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line_column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for DocumentProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_column {
            Some((line, column)) => write!(f, "{line}:{column}: {}", self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Parses JSON text; a syntax error becomes a problem with its line and column.
pub fn parse_json(text: &[u8]) -> Result<Value, DocumentProblem> {
    serde_json::from_slice(text).map_err(|error| DocumentProblem {
        path: "$".to_owned(),
        line_column: Some((error.line(), error.column())),
        message: format!("not valid JSON: {error}"),
    })
}

/// `base` followed by the member `key`: `.key` when the key reads as an identifier, else `["key"]`.
pub fn member_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{base}.{key}")
    } else {
        format!("{base}[{}]", Value::String(key.to_owned()))
    }
}

/// The canonical form: object keys sorted, `null` members dropped (absent and `null` mean the
/// same to the server), and whole floats written as integers (exporters differ on `3` vs `3.0`).
pub fn canonical(value: &Value) -> Value {
    let mut copy = value.clone();
    canonicalize(&mut copy);
    copy
}

/// [`canonical`] in place.
pub fn canonicalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, member| !member.is_null());
            map.sort_keys();
            map.values_mut().for_each(canonicalize);
        }
        Value::Array(items) => items.iter_mut().for_each(canonicalize),
        Value::Number(number) => *number = canonical_number(number),
        _ => {}
    }
}

fn canonical_number(number: &Number) -> Number {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "only whole floats inside the i64 range are converted, which is exact"
    )]
    match number.as_f64() {
        Some(float)
            if !number.is_i64()
                && !number.is_u64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15 =>
        {
            Number::from(float as i64)
        }
        _ => number.clone(),
    }
}

/// A string field of an object, or `""`.
pub(crate) fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let problem = parse_json(b"{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(problem.line_column, Some((3, 3)));
        assert!(problem.to_string().starts_with("3:3: not valid JSON"));
    }

    #[test]
    fn member_paths_quote_keys_that_are_not_identifiers() {
        assert_eq!(member_path("$", "contents"), "$.contents");
        assert_eq!(member_path("$.tasks", "2.end"), "$.tasks[\"2.end\"]");
        assert_eq!(member_path("$.tasks", "2"), "$.tasks[\"2\"]");
    }

    #[test]
    fn canonical_form_ignores_key_order_nulls_and_whole_number_spelling() {
        let a: Value = serde_json::from_str(r#"{"b": 1.0, "a": {"y": null, "x": [2]}}"#).unwrap();
        let b = json!({"a": {"x": [2.0]}, "b": 1});
        assert_eq!(canonical(&a).to_string(), canonical(&b).to_string());
        assert_eq!(
            canonical(&json!(1205.7043546907537)),
            json!(1205.7043546907537)
        );
    }
}
