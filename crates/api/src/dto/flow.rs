//! Flow wire shapes (F1–F6): list metadata. The v1 (`{flow, screens}`) ↔ v2 (`ExportedFlow`)
//! document mapping, used when a server only speaks v1, is the domain's
//! (`descope_mgmt_core::flow`), shared with the reading of v1 files.

use serde_json::Value;

use super::{boolean, items, string};

/// One item of F1's `flows` (only these four fields are reliable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowMeta {
    pub id: String,
    pub name: String,
    pub description: String,
    pub disabled: bool,
}

impl FlowMeta {
    pub fn from_json(value: &Value) -> Self {
        Self {
            id: string(value, "id"),
            name: string(value, "name"),
            description: string(value, "description"),
            disabled: boolean(value, "disabled"),
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
                disabled: true
            }]
        );
    }
}
