//! Flow wire shapes (F1–F6): list metadata. The v1 (`{flow, screens}`) ↔ v2 (`ExportedFlow`)
//! document mapping, used when a server only speaks v1, is the domain's
//! (`descope_mgmt_core::flow`), shared with the reading of v1 files.

use serde_json::Value;

use super::{boolean, items, string};

/// One item of F1's `flows` (only the first four fields are reliable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowMeta {
    pub id: String,
    pub name: String,
    pub description: String,
    pub disabled: bool,
    /// What changes on every save, when the list says it: `etag`, else `modifiedTime`, else
    /// `version`. Lets a reader skip exporting a flow it has already read at this revision.
    pub revision: Option<String>,
}

impl FlowMeta {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            description: string(value, "description"),
            disabled: boolean(value, "disabled"),
            revision: ["etag", "modifiedTime", "version"]
                .into_iter()
                .map(|key| string(value, key))
                .find(|text| !text.is_empty()),
        }
    }

    pub fn list_from_response(body: &Value) -> Vec<Self> {
        items(body, "flows").iter().map(Self::from_json).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_revision_is_the_etag_else_the_modified_time_else_the_version() {
        let list = FlowMeta::list_from_response(&json!({"flows": [
            {"id": "a", "etag": "e1", "modifiedTime": "17", "version": 3},
            {"id": "b", "modifiedTime": "17", "version": 3},
            {"id": "c", "version": 3},
        ]}));
        let revisions: Vec<_> = list.iter().map(|f| f.revision.as_deref()).collect();
        assert_eq!(revisions, [Some("e1"), Some("17"), Some("3")]);
    }

    #[test]
    fn list_reads_meta() {
        let list = FlowMeta::list_from_response(
            &json!({"flows":[{"id":"a","name":"A","disabled":true}],"total":"1"}),
        );
        assert_eq!(
            list,
            vec![FlowMeta {
                id: "a".into(),
                name: "A".into(),
                description: String::new(),
                disabled: true,
                revision: None,
            }]
        );
    }
}
