//! What changes when resources of one project are compared with, or copied into, another
//! (`diff --from A --to B`, `promote`): the values that must differ between projects.
//!
//! - **Project ids** ([`map_project_id`]): any text holding the source project's id (a redirect
//!   URL, a custom attribute) holds the target's id instead, so it is neither reported as a
//!   difference nor copied verbatim.
//! - **Connector references** of flows ([`relink_connectors`]): a flow names its connectors in
//!   `references.connectors` (name → project-specific id); the target's connector of the same
//!   name takes the place of each id. The flow normaliser already compares references by name
//!   only, so ids never show as differences; a copy must still carry the target's ids.
//! - **Named resources** ([`with_missing_references`]): copying a tenant whose default role the
//!   target lacks would fail, so the role (and its permissions) come along.
//! - **A configuration side** ([`complete_from_live`]): fields the configuration leaves unmanaged
//!   take the other side's live value, as they do in a plan.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::plan::{AnyResource, ResourceRef, ResourceSet};
use crate::resource::Flow;

/// `set` with every occurrence of `from` in its strings replaced by `to`. Nothing changes when
/// either id is unknown (an emulator environment) or both are the same project.
pub fn map_project_id(set: ResourceSet, from: Option<&str>, to: Option<&str>) -> ResourceSet {
    let (Some(from), Some(to)) = (from, to) else {
        return set;
    };
    if from.is_empty() || from == to {
        return set;
    }
    set.iter_any()
        .map(|resource| {
            let kind = resource.kind();
            let mut state = resource.state_json();
            replace_in_strings(&mut state, from, to);
            // The replacement keeps every value's type, so the state still decodes; should it
            // not, the resource is kept unmapped rather than lost.
            AnyResource::from_state(kind, state).unwrap_or(resource)
        })
        .collect()
}

fn replace_in_strings(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(text) if text.contains(from) => *text = text.replace(from, to),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| replace_in_strings(item, from, to)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|item| replace_in_strings(item, from, to)),
        _ => {}
    }
}

/// The connector names a flow references (`references.connectors`, a name → id object or a list
/// of names), sorted.
pub fn connector_names(flow: &Flow) -> Vec<String> {
    let mut names: Vec<String> = match flow.document.pointer("/references/connectors") {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    names.sort();
    names.dedup();
    names
}

/// A connector reference the target project cannot satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingConnector {
    pub flow: String,
    pub connector: String,
}

impl std::fmt::Display for MissingConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "flow {} references connector `{}`, which the target project does not have",
            self.flow, self.connector
        )
    }
}

/// Points every connector reference of `flows` at the target's connector of the same name
/// (`connectors`: name → id in the target). Every reference no target connector satisfies is
/// returned, and then no flow is changed.
pub fn relink_connectors(
    flows: &mut [Flow],
    connectors: &BTreeMap<String, String>,
) -> Result<(), Vec<MissingConnector>> {
    let missing: Vec<MissingConnector> = flows
        .iter()
        .flat_map(|flow| {
            connector_names(flow)
                .into_iter()
                .filter(|name| !connectors.contains_key(name))
                .map(|connector| MissingConnector {
                    flow: flow.id.clone(),
                    connector,
                })
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    for flow in flows {
        if let Some(Value::Object(map)) = flow.document.pointer_mut("/references/connectors") {
            for (name, id) in map.iter_mut() {
                if let Some(target_id) = connectors.get(name) {
                    *id = Value::String(target_id.clone());
                }
            }
        }
    }
    Ok(())
}

/// The connectors (name → id) a project snapshot lists: every object with a string `id` and
/// `name` in a file under `connectors/`. The snapshot layout of connectors is not documented
/// precisely (an index `connectors.json` and one file per connector), so any nesting is read.
pub fn connectors_in_snapshot(files: &Map<String, Value>) -> BTreeMap<String, String> {
    fn collect(value: &Value, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                if let (Some(Value::String(id)), Some(Value::String(name))) =
                    (map.get("id"), map.get("name"))
                {
                    out.insert(name.clone(), id.clone());
                }
                map.values().for_each(|child| collect(child, out));
            }
            Value::Array(items) => items.iter().for_each(|child| collect(child, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for (path, content) in files {
        if path.starts_with("connectors/") {
            collect(content, &mut out);
        }
    }
    out
}

/// `named` and, transitively, every resource a named one references (a tenant's default roles, a
/// role's permissions) that `source` has and `target` lacks.
pub fn with_missing_references(
    named: &BTreeSet<ResourceRef>,
    source: &ResourceSet,
    target: &ResourceSet,
) -> BTreeSet<ResourceRef> {
    let source: BTreeMap<ResourceRef, AnyResource> = source
        .iter_any()
        .map(|resource| (resource.reference(), resource))
        .collect();
    let present: BTreeSet<ResourceRef> = target.references().map(|(r, _)| r).collect();
    let mut selected = named.clone();
    let mut pending: Vec<ResourceRef> = named.iter().cloned().collect();
    while let Some(reference) = pending.pop() {
        let Some(resource) = source.get(&reference) else {
            continue;
        };
        for needed in resource.references() {
            if !present.contains(&needed)
                && source.contains_key(&needed)
                && selected.insert(needed.clone())
            {
                pending.push(needed);
            }
        }
    }
    selected
}

/// `configured` (a desired state built from a configuration) with every field it leaves
/// unmanaged taken from the resource of the same identity in `live`, so that comparing it with
/// `live` reports only what the configuration says.
pub fn complete_from_live(configured: ResourceSet, live: &ResourceSet) -> ResourceSet {
    let live: BTreeMap<_, AnyResource> = live
        .iter_any()
        .map(|resource| (resource.reference(), resource))
        .collect();
    configured
        .iter_any()
        .map(|resource| match live.get(&resource.reference()) {
            Some(other) => resource.carry_unmanaged(other),
            None => resource,
        })
        .collect()
}

#[cfg(test)]
mod tests;
