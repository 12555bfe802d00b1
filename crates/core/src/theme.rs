//! The project theme as code: the styles document (v1 `components`/`globals` modes and v2
//! `designTokens` modes), its volatile fields, and a diff with one line per design token or
//! component style (`light.colors.primary.main: #1a73e8 → #0b57d0`).

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::document::{DocumentProblem, canonical, parse_json};
use crate::flow::{
    FieldChange, SAVE_STAMP_FIELDS, Treatment, VolatileField, names_only, plain, push_if_differs,
    remove_matching,
};

/// The volatile fields of a theme document, in one place (with [`SAVE_STAMP_FIELDS`]).
pub const THEME_VOLATILE_FIELDS: &[VolatileField] = &[
    VolatileField {
        path: &["componentsVersion"],
        treatment: Treatment::Ignored,
        why: "the component library release the console last rendered with; the server bumps it",
    },
    VolatileField {
        path: &["id"],
        treatment: Treatment::Ignored,
        why: "the v1 export's theme id is generated per project",
    },
    VolatileField {
        path: &["references", "*", "*"],
        treatment: Treatment::Renamed,
        why: "connector and role ids differ per project; the server re-links them by name",
    },
];

/// The project theme, as the v2 styles document (`{styles, componentsVersion, references}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeDocument {
    json: Value,
}

impl ThemeDocument {
    pub fn parse(text: &[u8]) -> Result<Self, DocumentProblem> {
        Self::from_json(parse_json(text)?)
    }

    /// Accepts a styles export, the same wrapped in `{"theme": …}` (as the export endpoints
    /// answer), and the v1 `{id, cssTemplate}` shape, whose `cssTemplate` is the `styles`.
    pub fn from_json(json: Value) -> Result<Self, DocumentProblem> {
        let mut json = match json {
            Value::Object(mut map) if map.len() == 1 && map.contains_key("theme") => {
                map.remove("theme").unwrap_or_default()
            }
            other => other,
        };
        let Some(object) = json.as_object_mut() else {
            return Err(DocumentProblem::at(
                "$",
                "a theme export must be a JSON object",
            ));
        };
        if !object.contains_key("styles")
            && let Some(template) = object.remove("cssTemplate")
        {
            object.insert("styles".into(), template);
        }
        match object.get("styles") {
            Some(Value::Object(_)) => Ok(Self { json }),
            Some(_) => Err(DocumentProblem::at(
                "$.styles",
                "must be an object of modes (`light`, `dark`)",
            )),
            None => Err(DocumentProblem::at(
                "$",
                "not a theme export: expected `styles` (or a v1 `cssTemplate`)",
            )),
        }
    }

    /// The document as it is sent to the v2 import endpoint.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// The document under [`THEME_VOLATILE_FIELDS`], with key order and whole-number spelling
    /// ignored.
    pub fn normalize(&self) -> Value {
        let mut content = canonical(&self.json);
        for field in SAVE_STAMP_FIELDS.iter().chain(THEME_VOLATILE_FIELDS) {
            if field.treatment == Treatment::Ignored {
                remove_matching(&mut content, field.path, &mut |_, _| {});
            }
        }
        names_only(&mut content, "references");
        content
    }
}

/// One line per design token or component style that differs; `references` names too.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ThemeDiff {
    pub changes: Vec<FieldChange>,
}

impl ThemeDiff {
    /// From `before` (usually live) to `after` (usually the file), both normalised.
    pub fn between(before: &Value, after: &Value) -> Self {
        let mut changes = Vec::new();
        let empty = Map::new();
        let styles = |doc: &Value| doc.get("styles").and_then(Value::as_object).cloned();
        let (b, a) = (
            styles(before).unwrap_or_else(|| empty.clone()),
            styles(after).unwrap_or_else(|| empty.clone()),
        );
        leaves(
            "",
            Some(&Value::Object(b)),
            Some(&Value::Object(a)),
            &mut changes,
        );
        for key in crate::flow::union_keys(before.as_object(), after.as_object()) {
            if key != "styles" {
                push_if_differs(&mut changes, key.clone(), before.get(&key), after.get(&key));
            }
        }
        Self { changes }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Walks both trees down to their leaves (strings, numbers, lists) and records each leaf that
/// differs. A mode's `designTokens` level is left out of the path: in v2 themes every token sits
/// under it, and `light.colors.primary.main` is how people name a token.
fn leaves(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else {
        push_if_differs(out, path.to_owned(), before, after);
        return;
    };
    if b == a {
        return;
    }
    for key in crate::flow::union_keys(Some(b), Some(a)) {
        let depth = path.matches('.').count() + usize::from(!path.is_empty());
        let child = if depth == 1 && key == "designTokens" {
            path.to_owned()
        } else if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        leaves(&child, b.get(&key), a.get(&key), out);
    }
}

/// `light.colors.primary.main: #1a73e8 → #0b57d0`, one line each, indented two spaces.
impl fmt::Display for ThemeDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            let show = |value: &Option<Value>| value.as_ref().map_or("(absent)".to_owned(), plain);
            writeln!(
                f,
                "  {}: {} → {}",
                change.field,
                show(&change.before),
                show(&change.after)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn theme(json: Value) -> Value {
        ThemeDocument::from_json(json).unwrap().normalize()
    }

    #[test]
    fn one_line_per_design_token_without_the_design_tokens_level() {
        let before = theme(
            json!({"styles": {"light": {"designTokens": {"colors": {"primary": {"main": "#1a73e8"}}}}}}),
        );
        let after = theme(
            json!({"styles": {"light": {"designTokens": {"colors": {"primary": {"main": "#0b57d0"}}}}}}),
        );
        let diff = ThemeDiff::between(&before, &after);
        assert_eq!(
            diff.to_string(),
            "  light.colors.primary.main: #1a73e8 → #0b57d0\n"
        );
    }

    #[test]
    fn component_styles_of_a_v1_theme_are_named_by_their_path() {
        let before = theme(
            json!({"theme": {"id": "T1", "cssTemplate": {"dark": {"components": {"button": {"--r": "6px"}}}}}}),
        );
        let after = theme(
            json!({"componentsVersion": "9.9.9", "styles": {"dark": {"components": {"button": {"--r": "8px", "--c": "red"}}}}}),
        );
        assert_eq!(
            ThemeDiff::between(&before, &after).to_string(),
            "  dark.components.button.--c: (absent) → red\n  dark.components.button.--r: 6px → 8px\n"
        );
    }

    #[test]
    fn volatile_fields_and_reference_ids_are_not_changes() {
        let before = theme(json!({"id": "A", "componentsVersion": "1", "etag": "x",
            "references": {"connectors": {"c": "CI1"}}, "styles": {"light": {}}}));
        let after = theme(json!({"componentsVersion": "2", "version": 3,
            "references": {"connectors": {"c": "CI2"}}, "styles": {"light": {}}}));
        assert!(ThemeDiff::between(&before, &after).is_empty());
    }

    #[test]
    fn a_document_without_styles_is_rejected_with_its_path() {
        let problem = ThemeDocument::from_json(json!({"styles": []})).unwrap_err();
        assert_eq!(
            problem.to_string(),
            "$.styles: must be an object of modes (`light`, `dark`)"
        );
        assert!(ThemeDocument::parse(b"{\"flow\": {}}").is_err());
    }
}
