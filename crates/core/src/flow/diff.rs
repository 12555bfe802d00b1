//! The difference between two normalised flows at the level people think in: tasks (by id, with
//! name and type; a changed task lists its changed fields), screens (by the task that shows them;
//! components by node id with their kind and name, text inline), connector and other references,
//! and — separately — canvas moves. Any field not named here still shows up as a plain field change,
//! so a field the server adds later cannot be silently missed. `Serialize` gives the JSON structure;
//! `Display` the text plan.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::normalize::{NormalizedFlow, task_order};
use crate::document::text;

/// Whether something is new, gone, or present on both sides with differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    fn sign(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        }
    }
}

/// One field: `None` is absent on that side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskChange {
    pub change: Change,
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub task_type: String,
    /// For a changed task only: `action`, `connector`, `arguments.*`, `conditions`, `next`,
    /// `errorHandlingV2.*`, `screen`, and any other field that differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// One screen component (a node of the screen's editor tree).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentChange {
    pub change: Change,
    pub id: String,
    /// The component's kind as the editor names it (`Email Input`, `Button`).
    pub component: String,
    /// Its input name or label, when it has one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenChange {
    pub change: Change,
    /// `task:<id>`: screens are known by the first task that shows them (see the normaliser).
    pub screen: String,
    /// The name of that task.
    pub title: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentChange>,
    /// Buttons and other interactions by id (`<id>.label`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<FieldChange>,
}

/// A name in `references` (`connectors`, `roles`, …) that one side uses and the other does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceChange {
    pub change: Change,
    pub kind: String,
    pub name: String,
}

/// Everything that differs between two flows. Empty lists mean no difference of that sort.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FlowDiff {
    /// `metadata.*`, `contents.startTask` and any other top-level field.
    pub fields: Vec<FieldChange>,
    pub tasks: Vec<TaskChange>,
    pub screens: Vec<ScreenChange>,
    pub references: Vec<ReferenceChange>,
    /// Tasks present on both sides whose canvas position alone moved.
    pub layout: Vec<String>,
}

impl FlowDiff {
    /// From `before` (usually the live flow) to `after` (usually the file).
    pub fn between(before: &NormalizedFlow, after: &NormalizedFlow) -> Self {
        let mut diff = Self::default();
        diff_top_level(&before.content, &after.content, &mut diff.fields);
        diff.tasks = diff_tasks(before, after);
        diff.screens = diff_screens(before, after);
        diff.references = diff_references(&before.content, &after.content);
        diff.layout = before
            .layout
            .iter()
            .filter(|(id, view)| after.layout.get(*id).is_some_and(|other| other != *view))
            .map(|(id, _)| id.clone())
            .collect();
        diff.layout.sort_by(|a, b| task_order(a, b));
        diff
    }

    /// True when only canvas positions differ (and something does).
    pub fn is_layout_only(&self) -> bool {
        !self.layout.is_empty() && !self.has_content_changes()
    }

    /// True when the flow does something different: anything but canvas moves.
    pub fn has_content_changes(&self) -> bool {
        !(self.fields.is_empty()
            && self.tasks.is_empty()
            && self.screens.is_empty()
            && self.references.is_empty())
    }

    /// Whether this difference counts as drift: content changes always, canvas moves only when
    /// `strict_layout` is set.
    pub fn counts(&self, strict_layout: bool) -> bool {
        self.has_content_changes() || (strict_layout && !self.layout.is_empty())
    }
}

fn diff_top_level(before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    for key in union_keys(before.as_object(), after.as_object()) {
        match key.as_str() {
            "screens" | "references" => {}
            "metadata" | "contents" => {
                let (b, a) = (before.get(&key), after.get(&key));
                let b = b.and_then(Value::as_object);
                let a = a.and_then(Value::as_object);
                for inner in union_keys(b, a) {
                    if key == "contents" && inner == "tasks" {
                        continue;
                    }
                    push_if_differs(
                        out,
                        format!("{key}.{inner}"),
                        b.and_then(|m| m.get(&inner)),
                        a.and_then(|m| m.get(&inner)),
                    );
                }
            }
            _ => push_if_differs(out, key.clone(), before.get(&key), after.get(&key)),
        }
    }
}

fn diff_tasks(before: &NormalizedFlow, after: &NormalizedFlow) -> Vec<TaskChange> {
    let empty = Map::new();
    let (b, a) = (
        before.tasks().unwrap_or(&empty),
        after.tasks().unwrap_or(&empty),
    );
    let mut ids: Vec<String> = union_keys(Some(b), Some(a)).into_iter().collect();
    ids.sort_by(|x, y| task_order(x, y));
    let mut changes = Vec::new();
    for id in ids {
        let (old, new) = (b.get(&id), a.get(&id));
        let (change, shown) = match (old, new) {
            (None, Some(task)) => (Change::Added, task),
            (Some(task), None) => (Change::Removed, task),
            (Some(old), Some(new)) if old != new => (Change::Changed, new),
            _ => continue,
        };
        let fields = match (old, new) {
            (Some(old), Some(new)) => task_fields(old, new),
            _ => Vec::new(),
        };
        changes.push(TaskChange {
            change,
            id,
            name: text(shown, "name").to_owned(),
            task_type: text(shown, "type").to_owned(),
            fields,
        });
    }
    changes
}

fn task_fields(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    for key in union_keys(old.as_object(), new.as_object()) {
        let (b, a) = (old.get(&key), new.get(&key));
        match key.as_str() {
            "next" => push_if_differs(
                &mut fields,
                "next".to_owned(),
                b.map(readable_rules).as_ref(),
                a.map(readable_rules).as_ref(),
            ),
            "screenId" => push_if_differs(&mut fields, "screen".to_owned(), b, a),
            "arguments" | "errorHandlingV2" | "errorHandling" => {
                let (bm, am) = (b.and_then(Value::as_object), a.and_then(Value::as_object));
                for inner in union_keys(bm, am) {
                    let label = if key == "arguments" && inner.to_lowercase().contains("connector")
                    {
                        format!("connector ({key}.{inner})")
                    } else {
                        format!("{key}.{inner}")
                    };
                    push_if_differs(
                        &mut fields,
                        label,
                        bm.and_then(|m| m.get(&inner)),
                        am.and_then(|m| m.get(&inner)),
                    );
                }
            }
            _ => push_if_differs(&mut fields, key.clone(), b, a),
        }
    }
    fields
}

/// `next.rules` as `interaction → task` lines, the way the editor draws the edges.
fn readable_rules(next: &Value) -> Value {
    let rules = next.get("rules").and_then(Value::as_array);
    Value::Array(
        rules
            .into_iter()
            .flatten()
            .map(|rule| {
                let via = text(rule, "interactionId");
                let to = text(rule, "taskId");
                Value::String(if via.is_empty() {
                    format!("→ {to}")
                } else {
                    format!("{via} → {to}")
                })
            })
            .collect(),
    )
}

fn diff_screens(before: &NormalizedFlow, after: &NormalizedFlow) -> Vec<ScreenChange> {
    fn by_name(flow: &NormalizedFlow) -> BTreeMap<&str, &Value> {
        flow.screens()
            .iter()
            .map(|screen| (text(screen, "screenId"), screen))
            .collect()
    }
    let (b, a) = (by_name(before), by_name(after));
    let mut names: Vec<&str> = b.keys().chain(a.keys()).copied().collect();
    names.sort_by(|x, y| task_order(x.trim_start_matches("task:"), y.trim_start_matches("task:")));
    names.dedup();
    let mut changes = Vec::new();
    for name in names {
        let (old, new) = (b.get(name), a.get(name));
        let change = match (old, new) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            (Some(o), Some(n)) if o != n => Change::Changed,
            _ => continue,
        };
        let showing_flow = if new.is_some() { after } else { before };
        let title = name
            .strip_prefix("task:")
            .and_then(|task| showing_flow.tasks()?.get(task))
            .map(|task| text(task, "name").to_owned())
            .unwrap_or_default();
        let (components, interactions) = match (old, new) {
            (Some(o), Some(n)) => (
                diff_components(o.get("contents"), n.get("contents")),
                diff_interactions(o.get("interactions"), n.get("interactions")),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        changes.push(ScreenChange {
            change,
            screen: name.to_owned(),
            title,
            components,
            interactions,
        });
    }
    changes
}

/// Changes to the editor tree of one screen, node by node.
pub fn diff_components(before: Option<&Value>, after: Option<&Value>) -> Vec<ComponentChange> {
    let (b, a) = (
        before.and_then(Value::as_object),
        after.and_then(Value::as_object),
    );
    let mut changes = Vec::new();
    for id in union_keys(b, a) {
        let (old, new) = (b.and_then(|m| m.get(&id)), a.and_then(|m| m.get(&id)));
        let (change, shown) = match (old, new) {
            (None, Some(node)) => (Change::Added, node),
            (Some(node), None) => (Change::Removed, node),
            (Some(o), Some(n)) if o != n => (Change::Changed, n),
            _ => continue,
        };
        let mut fields = Vec::new();
        if let (Some(o), Some(n)) = (old, new) {
            for key in union_keys(o.as_object(), n.as_object()) {
                if key == "props" {
                    let (bp, ap) = (
                        o.get("props").and_then(Value::as_object),
                        n.get("props").and_then(Value::as_object),
                    );
                    for prop in union_keys(bp, ap) {
                        let label = if prop == "children" {
                            "text".to_owned()
                        } else {
                            format!("props.{prop}")
                        };
                        push_if_differs(
                            &mut fields,
                            label,
                            bp.and_then(|m| m.get(&prop)),
                            ap.and_then(|m| m.get(&prop)),
                        );
                    }
                } else {
                    push_if_differs(&mut fields, key.clone(), o.get(&key), n.get(&key));
                }
            }
        }
        let props = shown.get("props");
        let name = props
            .and_then(|p| {
                ["name", "label", "children", "placeholder"]
                    .iter()
                    .find_map(|key| p.get(*key)?.as_str().filter(|s| !s.is_empty()))
            })
            .unwrap_or_default();
        let component = match text(shown, "displayName") {
            "" => shown
                .get("type")
                .map(|t| text(t, "resolvedName"))
                .unwrap_or_default(),
            display => display,
        };
        changes.push(ComponentChange {
            change,
            id,
            component: component.to_owned(),
            name: name.to_owned(),
            fields,
        });
    }
    changes
}

fn diff_interactions(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let index = |list: Option<&Value>| -> Map<String, Value> {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|item| (text(item, "id").to_owned(), item.clone()))
            .collect()
    };
    let (b, a) = (index(before), index(after));
    let mut fields = Vec::new();
    for id in union_keys(Some(&b), Some(&a)) {
        match (b.get(&id), a.get(&id)) {
            (Some(o), Some(n)) => {
                for key in union_keys(o.as_object(), n.as_object()) {
                    push_if_differs(&mut fields, format!("{id}.{key}"), o.get(&key), n.get(&key));
                }
            }
            (o, n) => {
                // An added or removed button is named by its label, not dumped whole.
                let label = |item: Option<&Value>| {
                    item.map(|i| match text(i, "label") {
                        "" => Value::String(id.clone()),
                        label => Value::String(label.to_owned()),
                    })
                };
                push_if_differs(
                    &mut fields,
                    id.clone(),
                    label(o).as_ref(),
                    label(n).as_ref(),
                );
            }
        }
    }
    fields
}

fn diff_references(before: &Value, after: &Value) -> Vec<ReferenceChange> {
    let names = |doc: &Value| -> BTreeSet<(String, String)> {
        doc.get("references")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .flat_map(|(kind, names)| {
                names
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |name| (kind.clone(), plain(name)))
            })
            .collect()
    };
    let (b, a) = (names(before), names(after));
    let removed = b.difference(&a).map(|r| (Change::Removed, r));
    let added = a.difference(&b).map(|r| (Change::Added, r));
    let mut changes: Vec<ReferenceChange> = removed
        .chain(added)
        .map(|(change, (kind, name))| ReferenceChange {
            change,
            kind: kind.clone(),
            name: name.clone(),
        })
        .collect();
    changes.sort_by(|x, y| (&x.kind, &x.name).cmp(&(&y.kind, &y.name)));
    changes
}

pub(crate) fn union_keys(
    a: Option<&Map<String, Value>>,
    b: Option<&Map<String, Value>>,
) -> BTreeSet<String> {
    a.into_iter()
        .chain(b)
        .flat_map(|map| map.keys().cloned())
        .collect()
}

pub(crate) fn push_if_differs(
    out: &mut Vec<FieldChange>,
    field: String,
    before: Option<&Value>,
    after: Option<&Value>,
) {
    if before != after {
        out.push(FieldChange {
            field,
            before: before.cloned(),
            after: after.cloned(),
        });
    }
}

/// A string without quotes, anything else as compact JSON.
pub(crate) fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A value for one line of text: quoted strings, compact JSON, long values cut with `…`.
pub(crate) fn inline(value: Option<&Value>) -> String {
    const LIMIT: usize = 120;
    let Some(value) = value else {
        return "(absent)".to_owned();
    };
    let shown = value.to_string();
    // Texts are shown whole: a changed sentence is the change. Structures are cut.
    if value.is_string() || shown.chars().count() <= LIMIT {
        shown
    } else {
        let cut: String = shown.chars().take(LIMIT).collect();
        format!("{cut}…")
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, indent: &str, fields: &[FieldChange]) -> fmt::Result {
    for field in fields {
        writeln!(
            f,
            "{indent}{}: {} → {}",
            field.field,
            inline(field.before.as_ref()),
            inline(field.after.as_ref())
        )?;
    }
    Ok(())
}

/// The text plan of a flow change, indented two spaces; nothing when there is no difference.
impl fmt::Display for FlowDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_fields(f, "  ", &self.fields)?;
        if !self.tasks.is_empty() {
            writeln!(f, "  tasks:")?;
        }
        for task in &self.tasks {
            writeln!(
                f,
                "    {} {} {:?} ({})",
                task.change.sign(),
                task.id,
                task.name,
                if task.task_type.is_empty() {
                    "untyped"
                } else {
                    &task.task_type
                }
            )?;
            write_fields(f, "        ", &task.fields)?;
        }
        if !self.screens.is_empty() {
            writeln!(f, "  screens:")?;
        }
        for screen in &self.screens {
            writeln!(
                f,
                "    {} {} {:?}",
                screen.change.sign(),
                screen.screen,
                screen.title
            )?;
            for component in &screen.components {
                let name = if component.name.is_empty() {
                    String::new()
                } else {
                    format!(" {:?}", component.name)
                };
                writeln!(
                    f,
                    "        {} {} {}{name}",
                    component.change.sign(),
                    component.component,
                    component.id
                )?;
                write_fields(f, "            ", &component.fields)?;
            }
            if !screen.interactions.is_empty() {
                writeln!(f, "        interactions:")?;
                write_fields(f, "            ", &screen.interactions)?;
            }
        }
        if !self.references.is_empty() {
            writeln!(f, "  references:")?;
        }
        for reference in &self.references {
            writeln!(
                f,
                "    {} {} {:?}",
                reference.change.sign(),
                reference.kind,
                reference.name
            )?;
        }
        if !self.layout.is_empty() {
            writeln!(
                f,
                "  layout only (canvas positions, not drift unless --strict-layout): {} moved",
                self.layout
                    .iter()
                    .map(|id| format!("task {id}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}
