//! The plan as data: what the planner produces, the CLI renders and saves, and apply executes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::model::{AnyResource, FieldDiff, ResourceKind, ResourceRef};
pub use crate::resource::ResourceSet;

/// How to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Plan deletes of live resources absent from the desired state. Without it they are listed
    /// in [`Plan::unmanaged`] and left alone.
    pub prune: bool,
    /// Only these resources (`--target KIND:ID`); `None` means all.
    pub targets: Option<BTreeSet<ResourceRef>>,
    /// Only these kinds (`tenant sync` manages tenants alone and must never prune roles);
    /// `None` means all.
    pub kinds: Option<BTreeSet<ResourceKind>>,
    /// `--strict-layout`: a difference in editor layout alone (a flow's canvas positions, see
    /// [`crate::resource::KindRules::layout_diffs`]) is a change to apply.
    pub strict_layout: bool,
}

impl PlanOptions {
    pub fn includes_kind(&self, kind: ResourceKind) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&kind))
    }

    pub fn includes(&self, reference: &ResourceRef) -> bool {
        self.includes_kind(reference.kind)
            && self
                .targets
                .as_ref()
                .is_none_or(|targets| targets.contains(reference))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Unchanged => "unchanged",
        }
    }
}

/// One resource in the plan. `before` is the normalised live state (absent for a create),
/// `after` the normalised desired state (absent for a delete); `fields` lists what an update
/// changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ResourceKind,
    pub id: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDiff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<AnyResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<AnyResource>,
}

impl Change {
    pub fn reference(&self) -> ResourceRef {
        ResourceRef::new(self.kind, self.id.clone())
    }

    /// True for create, update and delete: the changes apply executes.
    pub fn is_write(&self) -> bool {
        self.action != Action::Unchanged
    }
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub unchanged: usize,
    /// Live resources absent from the desired state, left alone because the plan has no prune.
    pub unmanaged: usize,
}

/// The changes that would make the live state match the desired state, in a deterministic order
/// (kind in dependency order, then identity) that does not depend on the order the API returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Whether the plan was made with `--prune`: only then may it contain deletes.
    pub prune: bool,
    /// The `--target`s the plan was limited to, sorted; `None` when it covers everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<ResourceRef>>,
    pub changes: Vec<Change>,
    /// Live resources absent from the desired state: "would delete with --prune".
    #[serde(default)]
    pub unmanaged: Vec<ResourceRef>,
    /// Resources that differ in editor layout alone (a flow's canvas positions): listed apart,
    /// not changes, because the plan was made without `--strict-layout`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layout_only: Vec<ResourceRef>,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            unmanaged: self.unmanaged.len(),
            ..Summary::default()
        };
        for change in &self.changes {
            match change.action {
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Delete => summary.delete += 1,
                Action::Unchanged => summary.unchanged += 1,
            }
        }
        summary
    }

    /// No create, update or delete: applying would write nothing.
    pub fn is_empty(&self) -> bool {
        !self.changes.iter().any(Change::is_write)
    }

    /// The creates, updates and deletes, in plan order.
    pub fn writes(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|change| change.is_write())
    }
}
