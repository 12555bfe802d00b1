//! The flow kind: a flow document as the project holds it, compared through the flow normaliser
//! ([`crate::flow::normalize_flow`]) and diffed at the level of tasks, screens and references
//! ([`crate::flow::FlowDiff`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::KindRules;
use crate::config::DescopeConfig;
use crate::flow::{Change, FieldChange, FlowDiff, FlowDocument, normalize_flow};
use crate::plan::FieldDiff;

/// The flows Descope puts in every new project. They are never unmanaged drift and never
/// pruned unless the configuration declares them: deleting one breaks the project's hosted
/// login pages.
pub const DEFAULT_FLOW_IDS: [&str; 5] =
    ["sign-up-or-in", "sign-in", "sign-up", "step-up", "update-user"];

/// One flow: its id and its v2 document, with `flowId` and `metadata.disabled` as the
/// configuration decides them (see [`FlowDocument::for_import`]).
///
/// Equality is the normaliser's: server stamps, key order and canvas positions never make two
/// flows differ. Canvas moves are [`KindRules::layout_diffs`], changes of a plan only under
/// `--strict-layout`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub id: String,
    pub document: Value,
}

impl Flow {
    pub fn new(id: &str, document: Value) -> Self {
        Self {
            id: id.to_owned(),
            document,
        }
    }
}

impl PartialEq for Flow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && normalize_flow(&self.document).content == normalize_flow(&other.document).content
    }
}

impl Eq for Flow {}

impl KindRules for Flow {
    fn normalize(self) -> Self {
        self
    }

    fn is_system_default(&self) -> bool {
        DEFAULT_FLOW_IDS.contains(&self.id.as_str())
    }

    fn desired(config: &DescopeConfig) -> Vec<Self> {
        config
            .flows()
            .iter()
            .filter_map(|entry| {
                // The loader has already read and checked every flow file; one that vanished
                // since is left out rather than planned as an empty flow.
                let document = std::fs::read(entry.file())
                    .ok()
                    .and_then(|bytes| FlowDocument::parse(&bytes).ok());
                if document.is_none() {
                    tracing::warn!(flow = entry.id(), file = %entry.file().display(), "flow file no longer readable");
                }
                Some(Flow {
                    id: entry.id().to_owned(),
                    document: document?.for_import(entry.id(), entry.enabled()),
                })
            })
            .collect()
    }

    /// One entry per task whose canvas position alone moved, named `tasks.ID.view (layout only)`.
    fn layout_diffs(&self, after: &Self) -> Vec<FieldDiff> {
        let (before, after) = (
            normalize_flow(&self.document),
            normalize_flow(&after.document),
        );
        let side = |flow: &crate::flow::NormalizedFlow, task: &str| {
            flow.layout.get(task).cloned().unwrap_or(Value::Null)
        };
        FlowDiff::between(&before, &after)
            .layout
            .into_iter()
            .map(|task| FieldDiff {
                field: format!("tasks.{task}.view (layout only)"),
                before: side(&before, &task),
                after: side(&after, &task),
            })
            .collect()
    }

    /// Tasks, screens and references changed, one field diff each, so a plan names what people
    /// changed instead of "the document differs".
    fn field_diffs(&self, after: &Self) -> Vec<FieldDiff> {
        let diff = FlowDiff::between(
            &normalize_flow(&self.document),
            &normalize_flow(&after.document),
        );
        let mut out: Vec<FieldDiff> = diff
            .fields
            .iter()
            .map(|f| FieldDiff {
                field: f.field.clone(),
                before: f.before.clone().unwrap_or(Value::Null),
                after: f.after.clone().unwrap_or(Value::Null),
            })
            .collect();
        out.extend(diff.tasks.iter().map(|task| {
            summary_entry(
                format!("tasks.{} ({}, {})", task.id, task.name, task.task_type),
                task.change,
                || sides(&task.fields),
            )
        }));
        out.extend(diff.screens.iter().map(|screen| {
            summary_entry(
                format!("screens.{} ({})", screen.screen, screen.title),
                screen.change,
                || {
                    let (mut before, mut after) = sides(&screen.interactions);
                    let components: Vec<String> = screen
                        .components
                        .iter()
                        .map(|c| format!("{:?} {} {}", c.change, c.component, c.name))
                        .map(|line| line.trim().to_owned())
                        .collect();
                    if !components.is_empty() {
                        before["components"] = Value::Null;
                        after["components"] = Value::from(components);
                    }
                    (before, after)
                },
            )
        }));
        out.extend(diff.references.iter().map(|reference| {
            summary_entry(
                format!("references.{}.{}", reference.kind, reference.name),
                reference.change,
                || (Value::Null, Value::Null),
            )
        }));
        out
    }
}

/// One line of a summarised flow diff: an item added or removed shows as `present` on its side;
/// a changed one shows the sides `changed` gives.
fn summary_entry(
    field: String,
    change: Change,
    changed: impl FnOnce() -> (Value, Value),
) -> FieldDiff {
    let (before, after) = match change {
        Change::Changed => changed(),
        Change::Added => (Value::Null, Value::from("present")),
        Change::Removed => (Value::from("present"), Value::Null),
    };
    FieldDiff {
        field,
        before,
        after,
    }
}

/// The before and after values of changed fields, each side as one object by field name.
fn sides(fields: &[FieldChange]) -> (Value, Value) {
    let side = |pick: fn(&FieldChange) -> &Option<Value>| -> Value {
        fields
            .iter()
            .map(|f| (f.field.clone(), pick(f).clone().unwrap_or(Value::Null)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    (side(|f| &f.before), side(|f| &f.after))
}
