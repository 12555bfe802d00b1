//! The vocabulary of a plan: resource kinds, references, the [`Resource`] trait that lets every
//! kind plug into the planner, and field-level differences.

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::resource::{Permission, Role, Tenant};

/// A kind of resource. The declaration order is the dependency order: roles name permissions and
/// tenants name roles, so creates run in this order and deletes in reverse. Plans sort by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Permission,
    Role,
    Tenant,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 3] = [Self::Permission, Self::Role, Self::Tenant];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permission => "permission",
            Self::Role => "role",
            Self::Tenant => "tenant",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--target` or kind name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseRefError {
    #[error("unknown resource kind `{0}` (expected permission, role or tenant)")]
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

/// Parses `KIND:ID`, the syntax of `--target`.
impl FromStr for ResourceRef {
    type Err = ParseRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
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

/// Any resource, tagged with its kind: what a plan stores as before/after states and what a
/// backup records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnyResource {
    Permission(Permission),
    Role(Role),
    Tenant(Tenant),
}

impl AnyResource {
    pub fn kind(&self) -> ResourceKind {
        match self {
            Self::Permission(_) => ResourceKind::Permission,
            Self::Role(_) => ResourceKind::Role,
            Self::Tenant(_) => ResourceKind::Tenant,
        }
    }

    pub fn identity(&self) -> &str {
        match self {
            Self::Permission(permission) => permission.identity(),
            Self::Role(role) => role.identity(),
            Self::Tenant(tenant) => tenant.identity(),
        }
    }

    pub fn reference(&self) -> ResourceRef {
        ResourceRef::new(self.kind(), self.identity())
    }

    pub fn normalized(self) -> Self {
        match self {
            Self::Permission(permission) => Self::Permission(permission.normalize()),
            Self::Role(role) => Self::Role(role.normalize()),
            Self::Tenant(tenant) => Self::Tenant(tenant.normalize()),
        }
    }

    /// The other resources this one names, which must exist before it: a role's permissions, a
    /// tenant's default roles.
    pub fn references(&self) -> Vec<ResourceRef> {
        match self {
            Self::Permission(_) => Vec::new(),
            Self::Role(role) => role
                .permission_names
                .iter()
                .map(|name| ResourceRef::new(ResourceKind::Permission, name))
                .collect(),
            Self::Tenant(tenant) => tenant
                .default_roles
                .iter()
                .map(|name| ResourceRef::new(ResourceKind::Role, name))
                .collect(),
        }
    }

    /// The state without the kind tag, as a JSON object (what backups store under `state`).
    pub fn state_json(&self) -> serde_json::Value {
        let value = match self {
            Self::Permission(permission) => serde_json::to_value(permission),
            Self::Role(role) => serde_json::to_value(role),
            Self::Tenant(tenant) => serde_json::to_value(tenant),
        };
        // Serialising these plain structs (string keys, no custom impls) cannot fail.
        value.unwrap_or(serde_json::Value::Null)
    }
}

/// What the planner needs from a resource kind. Implemented for [`Tenant`], [`Role`] and
/// [`Permission`]; a new kind implements it, adds a variant to [`AnyResource`] and a list to
/// [`super::ResourceSet`].
pub trait Resource:
    Clone + PartialEq + fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    const KIND: ResourceKind;

    fn kind(&self) -> ResourceKind {
        Self::KIND
    }

    /// The key that identifies the resource within its kind (tenant id, role name, ...).
    fn identity(&self) -> &str;

    /// The canonical form that comparison uses: whatever the server may reorder or re-case is
    /// put in one order and case.
    fn normalize(self) -> Self;

    /// Field-level differences from `self` (before) to `other` (after), in declaration order.
    /// Both sides are normalised first, so order and case that carry no meaning never differ.
    fn diff(&self, other: &Self) -> Vec<FieldDiff> {
        field_diff(&self.clone().normalize(), &other.clone().normalize())
    }

    fn into_any(self) -> AnyResource;
}

impl Resource for Tenant {
    const KIND: ResourceKind = ResourceKind::Tenant;

    fn identity(&self) -> &str {
        &self.id
    }

    fn normalize(self) -> Self {
        self.normalized()
    }

    fn into_any(self) -> AnyResource {
        AnyResource::Tenant(self)
    }
}

impl Resource for Role {
    const KIND: ResourceKind = ResourceKind::Role;

    fn identity(&self) -> &str {
        &self.name
    }

    fn normalize(self) -> Self {
        self.normalized()
    }

    fn into_any(self) -> AnyResource {
        AnyResource::Role(self)
    }
}

impl Resource for Permission {
    const KIND: ResourceKind = ResourceKind::Permission;

    fn identity(&self) -> &str {
        &self.name
    }

    fn normalize(self) -> Self {
        self
    }

    fn into_any(self) -> AnyResource {
        AnyResource::Permission(self)
    }
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
