//! Fingerprints of live resources, so that a plan saved with `plan --out` can be checked for
//! staleness before `apply PLANFILE` acts on it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::change::{Action, Plan, ResourceSet};
use super::model::{AnyResource, ResourceRef};

/// What a plan expects one touched live resource to be: `sha256` of its canonical JSON, or
/// `None` when the plan expects it to be absent (a create).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub resource: ResourceRef,
    pub sha256: Option<String>,
}

/// The live state moved on since the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe_stale(.changed))]
pub struct StaleError {
    /// Each resource whose live state no longer matches the plan, in plan order.
    pub changed: Vec<ResourceRef>,
}

fn describe_stale(changed: &[ResourceRef]) -> String {
    let names: Vec<String> = changed.iter().map(ToString::to_string).collect();
    format!(
        "the plan is stale: {} changed since it was made ({}); plan again",
        if changed.len() == 1 {
            "1 resource".to_owned()
        } else {
            format!("{} resources", changed.len())
        },
        names.join(", ")
    )
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sha256 {
            Some(sha) => write!(f, "{} {sha}", self.resource),
            None => write!(f, "{} absent", self.resource),
        }
    }
}

/// The sha256 (lowercase hex) of the resource's canonical JSON: normalised, object keys sorted
/// at every depth, no whitespace. Independent of field and list order as the server returns them.
pub fn fingerprint(resource: &AnyResource) -> String {
    let value = serde_json::to_value(resource.clone().normalized()).unwrap_or_default();
    let digest = Sha256::digest(canonical_json(&value).as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// JSON with sorted object keys: `serde_json` here keeps insertion order (`preserve_order`), so
/// custom attribute maps read from different sources could otherwise hash differently.
fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut members: Vec<(&String, &serde_json::Value)> = map.iter().collect();
            members.sort_unstable_by_key(|(key, _)| *key);
            out.push('{');
            for (position, (key, member)) in members.into_iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(member, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        serde_json::Value::String(text) => write_string(text, out),
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A JSON string literal with serde_json's escaping.
fn write_string(text: &str, out: &mut String) {
    // Serialising a `&str` cannot fail.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

impl Plan {
    /// A fingerprint for every resource the plan writes, in plan order.
    pub fn fingerprints(&self) -> Vec<Fingerprint> {
        self.writes()
            .map(|change| Fingerprint {
                resource: change.reference(),
                sha256: match change.action {
                    Action::Create => None,
                    _ => change.before.as_ref().map(fingerprint),
                },
            })
            .collect()
    }
}

/// Refuses a plan whose touched resources changed since it was made (a resource to create now
/// exists, one to update or delete changed or vanished).
pub fn check_fresh(plan: &Plan, current_actual: &ResourceSet) -> Result<(), StaleError> {
    let expected = plan.fingerprints();
    if expected.is_empty() {
        return Ok(());
    }
    let wanted: BTreeSet<&ResourceRef> = expected.iter().map(|print| &print.resource).collect();
    // Only the touched resources are cloned and hashed, not the whole live state.
    let current: BTreeMap<ResourceRef, String> = current_actual
        .references()
        .filter(|(reference, _)| wanted.contains(reference))
        .map(|(reference, index)| {
            let resource = current_actual.get_any(reference.kind, index);
            (reference, fingerprint(&resource))
        })
        .collect();
    let changed: Vec<ResourceRef> = expected
        .into_iter()
        .filter(|print| current.get(&print.resource) != print.sha256.as_ref())
        .map(|print| print.resource)
        .collect();
    if changed.is_empty() {
        Ok(())
    } else {
        Err(StaleError { changed })
    }
}
