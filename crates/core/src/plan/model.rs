//! The vocabulary of a plan: references to resources (`KIND:ID`) and field-level differences.
//! The kinds themselves come from the registry in [`crate::resource`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use crate::resource::{AnyResource, Resource, ResourceKind};

/// A `--target` or kind name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseRefError {
    #[error("unknown resource kind `{0}` (expected {kinds})", kinds = ResourceKind::names())]
    UnknownKind(String),
    #[error("invalid target `{0}`: expected KIND:ID, for example tenant:acme-corp")]
    Malformed(String),
}

impl FromStr for ResourceKind {
    type Err = ParseRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| ParseRefError::UnknownKind(text.to_owned()))
    }
}

/// Names one resource: its kind and identity (tenant id, role name, permission name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    pub kind: ResourceKind,
    pub id: String,
}

impl ResourceRef {
    pub fn new(kind: ResourceKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// Parses `KIND:ID`, the syntax of `--target`; a singleton kind (one resource per project) may
/// be named alone.
impl FromStr for ResourceRef {
    type Err = ParseRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(kind) = text.parse::<ResourceKind>()
            && kind.identity_field().is_none()
        {
            return Ok(Self::new(kind, kind.as_str()));
        }
        let (kind, id) = text
            .split_once(':')
            .filter(|(_, id)| !id.is_empty())
            .ok_or_else(|| ParseRefError::Malformed(text.to_owned()))?;
        Ok(Self::new(kind.parse()?, id))
    }
}

/// One field that differs between the live state (`before`) and the desired state (`after`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// Field differences between two already-normalised resources. Equal ones (the common case in a
/// large plan) are settled by `==` without building JSON.
pub(crate) fn field_diff<R: Resource>(before: &R, after: &R) -> Vec<FieldDiff> {
    if before == after {
        Vec::new()
    } else {
        json_field_diff(before, after)
    }
}

/// Compares two values field by field through their JSON form, so every field of every kind is
/// covered without a hand-written comparison that could forget a field added later.
fn json_field_diff<T: Serialize>(before: &T, after: &T) -> Vec<FieldDiff> {
    let (Ok(serde_json::Value::Object(before)), Ok(serde_json::Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    after
        .iter()
        .filter_map(|(field, after_value)| {
            let before_value = before.get(field).unwrap_or(&serde_json::Value::Null);
            (before_value != after_value).then(|| FieldDiff {
                field: field.clone(),
                before: before_value.clone(),
                after: after_value.clone(),
            })
        })
        .collect()
}
