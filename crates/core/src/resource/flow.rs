//! The flow kind: a flow document as the project holds it, compared through the flow normaliser
//! ([`crate::flow::normalize_flow`]) and diffed at the level of tasks, screens and references
//! ([`crate::flow::FlowDiff`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::KindRules;
use crate::config::DescopeConfig;
use crate::flow::{FlowDiff, FlowDocument, normalize_flow};
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
/// flows differ. Layout-only changes are therefore not changes of the plan (`--strict-layout`
/// applies to `flow diff`, which shows them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    pub id: String,
    pub document: Value,
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

    /// Tasks, screens and references changed, one field diff each, so a plan names what people
    /// changed instead of "the document differs".
    fn field_diffs(&self, after: &Self) -> Vec<FieldDiff> {
        let diff = FlowDiff::between(
            &normalize_flow(&self.document),
            &normalize_flow(&after.document),
        );
        let as_object = |fields: &[crate::flow::FieldChange], after: bool| -> Value {
            fields
                .iter()
                .map(|f| {
                    let side = if after { &f.after } else { &f.before };
                    (f.field.clone(), side.clone().unwrap_or(Value::Null))
                })
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let presence = |change: crate::flow::Change, after: bool| -> Value {
            use crate::flow::Change;
            match (change, after) {
                (Change::Added, true) | (Change::Removed, false) => Value::from("present"),
                _ => Value::Null,
            }
        };
        let mut out: Vec<FieldDiff> = diff
            .fields
            .iter()
            .map(|f| FieldDiff {
                field: f.field.clone(),
                before: f.before.clone().unwrap_or(Value::Null),
                after: f.after.clone().unwrap_or(Value::Null),
            })
            .collect();
        for task in &diff.tasks {
            let field = format!("tasks.{} ({}, {})", task.id, task.name, task.task_type);
            let (before, after) = match task.change {
                crate::flow::Change::Changed => {
                    (as_object(&task.fields, false), as_object(&task.fields, true))
                }
                change => (presence(change, false), presence(change, true)),
            };
            out.push(FieldDiff {
                field,
                before,
                after,
            });
        }
        for screen in &diff.screens {
            let field = format!("screens.{} ({})", screen.screen, screen.title);
            let (before, after) = match screen.change {
                crate::flow::Change::Changed => {
                    let components: Vec<String> = screen
                        .components
                        .iter()
                        .map(|c| format!("{:?} {} {}", c.change, c.component, c.name).trim().to_owned())
                        .collect();
                    let mut before = as_object(&screen.interactions, false);
                    let mut after_value = as_object(&screen.interactions, true);
                    if !components.is_empty() {
                        before["components"] = Value::Null;
                        after_value["components"] = Value::from(components);
                    }
                    (before, after_value)
                }
                change => (presence(change, false), presence(change, true)),
            };
            out.push(FieldDiff {
                field,
                before,
                after,
            });
        }
        for reference in &diff.references {
            out.push(FieldDiff {
                field: format!("references.{}.{}", reference.kind, reference.name),
                before: presence(reference.change, false),
                after: presence(reference.change, true),
            });
        }
        out
    }
}
