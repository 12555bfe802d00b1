//! What counts as a change to a flow. The one list of volatile fields is [`FLOW_VOLATILE_FIELDS`]
//! (each with why it is volatile); the normaliser applies exactly that list, plus spellings that
//! mean the same to the server:
//!
//! - key order, whitespace, `null` members and `3` vs `3.0` (see [`crate::document::canonical`]);
//! - `next: {}` and `next: {rules: []}`; a rule's `interactionId: ""` and no `interactionId`;
//! - a screen's missing `interactions` and `[]`;
//! - metadata flags and texts at their zero value (`false`, `""`, `[]`) and absent ones, which the
//!   server stores as the same default;
//! - the order of `screens` and of `references` lists.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::document::FlowDocument;
use crate::document::canonical;

/// What the normaliser does with a volatile field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Left out of the comparison.
    Ignored,
    /// Moved to the layout: a difference there alone is a layout-only change.
    Layout,
    /// Replaced by a name that is stable across projects (see the field's reason).
    Renamed,
}

/// A field that the server sets or derives, so a difference in it is not a change someone made.
#[derive(Debug, Clone, Copy)]
pub struct VolatileField {
    /// Path segments from the document root; `*` is any member or element.
    pub path: &'static [&'static str],
    pub treatment: Treatment,
    pub why: &'static str,
}

impl VolatileField {
    /// `$.contents.tasks.*.view`.
    pub fn display_path(&self) -> String {
        let mut out = String::from("$");
        for segment in self.path {
            let _ = write!(out, ".{segment}");
        }
        out
    }
}

/// The stamps a server writes on every save of a flow or theme document (top level); both
/// normalisers apply them before their own list.
pub const SAVE_STAMP_FIELDS: &[VolatileField] = &[
    VolatileField {
        path: &["etag"],
        treatment: Treatment::Ignored,
        why: "a server revision tag, new on every save",
    },
    VolatileField {
        path: &["modifiedTime"],
        treatment: Treatment::Ignored,
        why: "set by the server on every save",
    },
    VolatileField {
        path: &["version"],
        treatment: Treatment::Ignored,
        why: "a save counter the server bumps on every import",
    },
];

/// The volatile fields of a flow document, in one place (with [`SAVE_STAMP_FIELDS`]).
pub const FLOW_VOLATILE_FIELDS: &[VolatileField] = &[
    VolatileField {
        path: &["flowId"],
        treatment: Treatment::Ignored,
        why: "the configuration entry names the flow; import overwrites the document's id with it",
    },
    VolatileField {
        path: &["metadata", "etag"],
        treatment: Treatment::Ignored,
        why: "a server revision tag, new on every save",
    },
    VolatileField {
        path: &["metadata", "modifiedTime"],
        treatment: Treatment::Ignored,
        why: "set by the server on every save",
    },
    VolatileField {
        path: &["metadata", "version"],
        treatment: Treatment::Ignored,
        why: "a save counter the server bumps on every import",
    },
    VolatileField {
        path: &["metadata", "componentsVersion"],
        treatment: Treatment::Ignored,
        why: "the component library release the console last rendered with; the server bumps it",
    },
    VolatileField {
        path: &["contents", "tasks", "*", "view"],
        treatment: Treatment::Layout,
        why: "a task's position on the editor canvas; it does not change what the flow does",
    },
    VolatileField {
        path: &["contents", "tasks", "*", "inputKeys"],
        treatment: Treatment::Ignored,
        why: "derived by the console from the screen's inputs",
    },
    VolatileField {
        path: &["contents", "tasks", "*", "allInputKeys"],
        treatment: Treatment::Ignored,
        why: "derived by the console from the screen's inputs",
    },
    VolatileField {
        path: &["contents", "tasks", "*", "calculatedInputKeys"],
        treatment: Treatment::Ignored,
        why: "a console marker that the input keys above were derived",
    },
    VolatileField {
        path: &["contents", "tasks", "*", "contextKeys"],
        treatment: Treatment::Ignored,
        why: "derived by the console from the `{{…}}` placeholders of the screen",
    },
    VolatileField {
        path: &["screens", "*", "screenId"],
        treatment: Treatment::Renamed,
        why: "generated per project (`SC…`); a screen is known by the task that shows it",
    },
    VolatileField {
        path: &["references", "*", "*"],
        treatment: Treatment::Renamed,
        why: "connector and role ids differ per project; the server re-links them by name",
    },
];

/// A flow reduced to what counts: `content` (compare for drift) and `layout` (canvas positions
/// by task id, compared only under `--strict-layout`).
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedFlow {
    pub content: Value,
    pub layout: BTreeMap<String, Value>,
}

impl NormalizedFlow {
    pub fn tasks(&self) -> Option<&Map<String, Value>> {
        self.content.get("contents")?.get("tasks")?.as_object()
    }

    pub fn screens(&self) -> &[Value] {
        self.content["screens"]
            .as_array()
            .map_or(&[], Vec::as_slice)
    }
}

impl FlowDocument {
    /// The document under [`FLOW_VOLATILE_FIELDS`] and the equivalences in the module doc.
    pub fn normalize(&self) -> NormalizedFlow {
        normalize_flow(self.json())
    }
}

/// See [`FlowDocument::normalize`]; this takes a v2 document already parsed.
pub fn normalize_flow(document: &Value) -> NormalizedFlow {
    let mut content = canonical(document);
    let mut layout = BTreeMap::new();
    for field in SAVE_STAMP_FIELDS.iter().chain(FLOW_VOLATILE_FIELDS) {
        match field.treatment {
            Treatment::Ignored => remove_matching(&mut content, field.path, &mut |_, _| {}),
            Treatment::Layout => remove_matching(&mut content, field.path, &mut |keys, value| {
                layout.insert(keys.join("/"), value);
            }),
            Treatment::Renamed => {}
        }
    }
    spell_alike(&mut content);
    name_screens_by_task(&mut content);
    names_only(&mut content, "references");
    NormalizedFlow { content, layout }
}

/// Removes every member matching `pattern`, giving each removed value and the keys the
/// wildcards matched to `sink`.
pub(crate) fn remove_matching(
    value: &mut Value,
    pattern: &[&str],
    sink: &mut dyn FnMut(&[String], Value),
) {
    fn walk(
        value: &mut Value,
        pattern: &[&str],
        keys: &mut Vec<String>,
        sink: &mut dyn FnMut(&[String], Value),
    ) {
        let Some((first, rest)) = pattern.split_first() else {
            return;
        };
        match (value, *first) {
            (Value::Object(map), "*") => {
                for (key, child) in map.iter_mut() {
                    keys.push(key.clone());
                    walk(child, rest, keys, sink);
                    keys.pop();
                }
            }
            (Value::Array(items), "*") => {
                for (index, child) in items.iter_mut().enumerate() {
                    keys.push(index.to_string());
                    walk(child, rest, keys, sink);
                    keys.pop();
                }
            }
            (Value::Object(map), key) if rest.is_empty() => {
                if let Some(removed) = map.shift_remove(key) {
                    sink(keys, removed);
                }
            }
            (Value::Object(map), key) => {
                if let Some(child) = map.get_mut(key) {
                    walk(child, rest, keys, sink);
                }
            }
            _ => {}
        }
    }
    walk(value, pattern, &mut Vec::new(), sink);
}

fn spell_alike(content: &mut Value) {
    if let Some(metadata) = content.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.retain(|_, value| !is_zero(value));
    }
    let Some(object) = content.as_object_mut() else {
        return;
    };
    object
        .entry("screens")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(tasks) = object
        .get_mut("contents")
        .and_then(|contents| contents.get_mut("tasks"))
        .and_then(Value::as_object_mut)
    {
        for task in tasks.values_mut().filter_map(Value::as_object_mut) {
            let next = task
                .entry("next")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(next) = next.as_object_mut() {
                let rules = next
                    .entry("rules")
                    .or_insert_with(|| Value::Array(Vec::new()));
                for rule in rules.as_array_mut().into_iter().flatten() {
                    if let Some(rule) = rule.as_object_mut()
                        && rule.get("interactionId").and_then(Value::as_str) == Some("")
                    {
                        rule.remove("interactionId");
                    }
                }
            }
        }
    }
    for screen in object["screens"].as_array_mut().into_iter().flatten() {
        if let Some(screen) = screen.as_object_mut() {
            screen
                .entry("interactions")
                .or_insert_with(|| Value::Array(Vec::new()));
        }
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => !flag,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Null => true,
        Value::Number(_) => false,
    }
}

/// The stable name of a screen: `task:<id>` of the first task (in task order) that shows it.
/// Screens nobody shows keep their own id. Tasks' `screenId`s follow the rename, and the screen
/// list is sorted by name.
fn name_screens_by_task(content: &mut Value) {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    if let Some(tasks) = content
        .get("contents")
        .and_then(|contents| contents.get("tasks"))
        .and_then(Value::as_object)
    {
        let mut showing: Vec<(&String, &str)> = tasks
            .iter()
            .filter_map(|(id, task)| Some((id, task.get("screenId")?.as_str()?)))
            .collect();
        showing.sort_by(|a, b| task_order(a.0, b.0));
        for (task_id, screen_id) in showing {
            names
                .entry(screen_id.to_owned())
                .or_insert_with(|| format!("task:{task_id}"));
        }
    }
    if let Some(tasks) = content
        .get_mut("contents")
        .and_then(|contents| contents.get_mut("tasks"))
        .and_then(Value::as_object_mut)
    {
        for task in tasks.values_mut() {
            if let Some(screen) = task.get_mut("screenId")
                && let Some(name) = screen.as_str().and_then(|id| names.get(id))
            {
                *screen = Value::String(name.clone());
            }
        }
    }
    if let Some(screens) = content.get_mut("screens").and_then(Value::as_array_mut) {
        for screen in screens.iter_mut() {
            if let Some(id) = screen.get_mut("screenId")
                && let Some(name) = id.as_str().and_then(|id| names.get(id))
            {
                *id = Value::String(name.clone());
            }
        }
        screens.sort_by(|a, b| {
            let key = |s: &Value| s["screenId"].as_str().unwrap_or_default().to_owned();
            key(a).cmp(&key(b))
        });
    }
}

/// Task ids in the order people read them: numbers numerically (`2` before `10`), then the rest.
pub(crate) fn task_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(id: &str) -> (u64, &str) {
        let digits = id.split('.').next().unwrap_or(id);
        (digits.parse().unwrap_or(u64::MAX), id)
    }
    key(a).cmp(&key(b))
}

/// `references.<kind>`: a name → id object becomes its sorted names, a list is sorted, and empty
/// kinds are dropped (an export lists every kind, a converted v1 file none).
pub(crate) fn names_only(content: &mut Value, key: &str) {
    let Some(references) = content.get_mut(key).and_then(Value::as_object_mut) else {
        return;
    };
    for value in references.values_mut() {
        let mut names: Vec<Value> = match value {
            Value::Object(map) => map.keys().cloned().map(Value::String).collect(),
            Value::Array(items) => std::mem::take(items),
            _ => continue,
        };
        names.sort_by_key(ToString::to_string);
        *value = Value::Array(names);
    }
    references.retain(|_, value| !is_zero(value));
}
