//! A flow document as the tool keeps it: the v2 `ExportedFlow` JSON, held as-is so that nothing the
//! server sent is lost on a round trip, with the checks a file must pass before anything is sent.

use serde_json::Value;

use super::convert::v1_to_v2;
use crate::document::{DocumentProblem, member_path, parse_json, text};

/// Which export generation a file was written in; problems are reported in that file's own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowFormat {
    V1,
    V2,
}

/// One flow, as a v2 `ExportedFlow` (`{flowId, metadata, contents, screens, references}`).
#[derive(Debug, Clone, PartialEq)]
pub struct FlowDocument {
    json: Value,
    format: FlowFormat,
}

impl FlowDocument {
    /// Reads a flow export (v2, or v1 converted to v2). Errors are syntax errors with line and
    /// column, or a document that is not a single flow.
    pub fn parse(text: &[u8]) -> Result<Self, DocumentProblem> {
        Self::from_json(parse_json(text)?)
    }

    /// The document of an export answer or a file already parsed as JSON.
    pub fn from_json(json: Value) -> Result<Self, DocumentProblem> {
        let Some(object) = json.as_object() else {
            return Err(DocumentProblem::at(
                "$",
                "a flow export must be a JSON object",
            ));
        };
        if object.get("flows").is_some_and(Value::is_array) {
            return Err(DocumentProblem::at(
                "$.flows",
                "this is a widget export (several flows); name one exported flow",
            ));
        }
        if object.get("flow").is_some_and(Value::is_object) && object.get("contents").is_none() {
            return Ok(Self {
                json: v1_to_v2(&json),
                format: FlowFormat::V1,
            });
        }
        if object.get("contents").is_some() {
            return Ok(Self {
                json,
                format: FlowFormat::V2,
            });
        }
        Err(DocumentProblem::at(
            "$",
            "not a flow export: expected `contents` (v2) or `flow.dsl` (v1)",
        ))
    }

    /// The v2 JSON, as it is sent to the import endpoint.
    pub fn json(&self) -> &Value {
        &self.json
    }

    pub fn into_json(self) -> Value {
        self.json
    }

    pub fn format(&self) -> FlowFormat {
        self.format
    }

    /// The flow id written in the document, if any.
    pub fn flow_id(&self) -> Option<&str> {
        self.json
            .get("flowId")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
    }

    /// The document with the entry's id and `enabled` flag written in, as it is imported: the
    /// configuration entry decides both, whatever the file says.
    pub fn for_import(&self, flow_id: &str, enabled: bool) -> Value {
        let mut json = self.json.clone();
        if let Some(object) = json.as_object_mut() {
            object.insert("flowId".into(), Value::from(flow_id));
            let metadata = object
                .entry("metadata")
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Some(metadata) = metadata.as_object_mut() {
                metadata.insert("disabled".into(), Value::Bool(!enabled));
            }
        }
        json
    }

    /// Every problem that would make the server reject the flow or run it into a dead end: the
    /// document's id differs from `entry_id`, the start task is missing, a `next` rule (including a
    /// condition's branches) names no task, or a screen task names no screen.
    pub fn problems(&self, entry_id: Option<&str>) -> Vec<DocumentProblem> {
        let shape = Shape::of(self.format);
        let mut problems = Vec::new();
        if let (Some(entry_id), Some(document_id)) = (entry_id, self.flow_id())
            && entry_id != document_id
        {
            problems.push(DocumentProblem::at(
                shape.flow_id,
                format!(
                    "the document's flow id {document_id:?} differs from the entry's id {entry_id:?}"
                ),
            ));
        }
        let Some(tasks) = self
            .json
            .get("contents")
            .and_then(|contents| contents.get("tasks"))
            .and_then(Value::as_object)
        else {
            problems.push(DocumentProblem::at(
                member_path(shape.contents, "tasks"),
                "missing: a flow needs a `tasks` object",
            ));
            return problems;
        };
        let start_path = member_path(shape.contents, "startTask");
        match self.json["contents"]
            .get("startTask")
            .and_then(Value::as_str)
        {
            None => problems.push(DocumentProblem::at(
                start_path,
                "missing: name the first task",
            )),
            Some(start) if !tasks.contains_key(start) => problems.push(DocumentProblem::at(
                start_path,
                format!("{start:?} is not a task of this flow"),
            )),
            Some(_) => {}
        }
        let screens: Vec<&str> = self
            .screens()
            .iter()
            .map(|screen| text(screen, "screenId"))
            .collect();
        let tasks_path = member_path(shape.contents, "tasks");
        for (task_id, task) in tasks {
            let task_path = member_path(&tasks_path, task_id);
            if let Some(id) = task.get("id").and_then(Value::as_str)
                && id != task_id
            {
                problems.push(DocumentProblem::at(
                    format!("{task_path}.id"),
                    format!("{id:?} differs from the task's key {task_id:?}"),
                ));
            }
            for (index, rule) in rules(task).iter().enumerate() {
                let rule_path = format!("{task_path}.next.rules[{index}].taskId");
                match rule.get("taskId").and_then(Value::as_str) {
                    Some(target) if tasks.contains_key(target) => {}
                    Some(target) => problems.push(DocumentProblem::at(
                        rule_path,
                        format!("{target:?} is not a task of this flow"),
                    )),
                    None => problems.push(DocumentProblem::at(
                        rule_path,
                        "missing: every branch must lead to a task",
                    )),
                }
            }
            // Only screen tasks show a screen: console exports leave stray `screenId`s on
            // condition tasks (`"new-4"`), which the server ignores.
            if text(task, "type") == "screen" {
                let screen_path = format!("{task_path}.screenId");
                match task.get("screenId").and_then(Value::as_str) {
                    Some(screen) if screens.contains(&screen) => {}
                    Some(screen) => problems.push(DocumentProblem::at(
                        screen_path,
                        format!("screen {screen:?} is not in `screens`"),
                    )),
                    None => problems.push(DocumentProblem::at(
                        screen_path,
                        "missing: a screen task must name its screen",
                    )),
                }
            }
        }
        problems
    }

    pub(crate) fn screens(&self) -> &[Value] {
        self.json
            .get("screens")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

/// A task's `next.rules` (absent and `{}` mean no rules).
pub(crate) fn rules(task: &Value) -> &[Value] {
    task.get("next")
        .and_then(|next| next.get("rules"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Where the checked fields sit in each export generation.
struct Shape {
    flow_id: &'static str,
    contents: &'static str,
}

impl Shape {
    fn of(format: FlowFormat) -> Self {
        match format {
            FlowFormat::V2 => Self {
                flow_id: "$.flowId",
                contents: "$.contents",
            },
            FlowFormat::V1 => Self {
                flow_id: "$.flow.id",
                contents: "$.flow.dsl",
            },
        }
    }
}
