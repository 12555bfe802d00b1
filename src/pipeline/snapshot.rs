//! Reading a whole live project into a desired-state [`ResourceSet`]: what `export`, `backup
//! create`, the full backup before every apply, and `diff --from`/`promote` start from.
//!
//! A snapshot holds what a project owner made: built-in roles and permissions (Descope's
//! `systemDefault`) are left out, flows and the theme are kept (the default flows and the theme
//! are Descope's to start with, but owners edit them, and restoring must bring edits back). Each
//! kind's list is normalised and sorted by identity, so two snapshots of the same project are
//! equal and serialise to the same bytes.

use descope_mgmt_api::DescopeClient;
use descope_mgmt_core::environment::drop_system_defaults;
use descope_mgmt_core::plan::{ResourceKind, ResourceSet};

use crate::exit::CliError;

/// The live state of `kinds` in `client`'s project, without built-in roles and permissions,
/// normalised and sorted (one list call per kind; one call per flow).
pub async fn read_project(
    client: &DescopeClient,
    kinds: &[ResourceKind],
    env: &str,
) -> Result<ResourceSet, CliError> {
    let live = super::read_raw(client, kinds, env).await?;
    Ok(owned_by_project(live))
}

/// The documents owners edit in place (flows, the theme) of `live`: kept through the built-in
/// filter by snapshots and backups, though the planner leaves undeclared ones alone.
pub fn documents_of(live: &ResourceSet) -> ResourceSet {
    ResourceSet {
        flows: live.flows.clone(),
        themes: live.themes.clone(),
        ..ResourceSet::default()
    }
}

/// `live` without what Descope made itself, except the documents owners edit in place (flows,
/// the theme); normalised and sorted by identity.
pub fn owned_by_project(mut live: ResourceSet) -> ResourceSet {
    // Declaring the live flows and theme is what keeps them through the built-in filter.
    let edited_in_place = documents_of(&live);
    drop_system_defaults(&mut live, &edited_in_place);
    let mut resources: Vec<_> = live
        .iter_any()
        .map(|resource| resource.normalized())
        .collect();
    resources.sort_by_key(|resource| resource.reference());
    resources.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use descope_mgmt_core::resource::{Flow, Permission, Role, Theme};
    use serde_json::json;

    use super::*;

    fn role(name: &str, system_default: Option<bool>) -> Role {
        Role {
            name: name.to_owned(),
            system_default,
            ..Role::default()
        }
    }

    #[test]
    fn a_snapshot_keeps_what_owners_made_and_edit_sorted_by_identity() {
        let live = ResourceSet {
            permissions: vec![Permission {
                name: "User Admin".to_owned(),
                description: String::new(),
                system_default: Some(true),
            }],
            roles: vec![
                role("viewer", None),
                role("Tenant Admin", Some(true)),
                role("analyst", Some(false)),
            ],
            flows: vec![Flow {
                id: "sign-up-or-in".to_owned(),
                document: json!({"flowId": "sign-up-or-in"}),
            }],
            themes: vec![Theme {
                document: json!({"styles": {}}),
            }],
            ..ResourceSet::default()
        };
        let snapshot = owned_by_project(live);
        let roles: Vec<&str> = snapshot.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(roles, ["analyst", "viewer"]);
        assert!(snapshot.permissions.is_empty(), "built-in permission kept");
        assert_eq!(
            snapshot.flows.len(),
            1,
            "a default flow owners edit is kept"
        );
        assert_eq!(snapshot.themes.len(), 1, "the theme is kept");
    }
}
