//! Builders of live resources for the crate's unit tests, written once: a field added to a kind
//! changes one builder, not one per test module. Every other field is the kind's default.

use crate::resource::{Permission, Role, Tenant};

pub(crate) fn tenant(id: &str, name: &str) -> Tenant {
    Tenant {
        id: id.to_owned(),
        name: name.to_owned(),
        ..Tenant::default()
    }
}

/// A tenant whose users get `roles` by default.
pub(crate) fn tenant_with_roles(id: &str, name: &str, roles: &[&str]) -> Tenant {
    Tenant {
        default_roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        ..tenant(id, name)
    }
}

/// A role granting `permissions`, with no description.
pub(crate) fn role(name: &str, permissions: &[&str]) -> Role {
    Role {
        name: name.to_owned(),
        permission_names: permissions.iter().map(|p| (*p).to_owned()).collect(),
        ..Role::default()
    }
}

/// A permission with no description.
pub(crate) fn permission(name: &str) -> Permission {
    Permission {
        name: name.to_owned(),
        ..Permission::default()
    }
}
