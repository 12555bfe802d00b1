use serde_json::json;

use super::*;
use crate::plan::ResourceKind;
use crate::resource::{Permission, Role, Tenant};

fn tenant(id: &str, attribute: &str) -> Tenant {
    Tenant {
        id: id.into(),
        name: id.into(),
        custom_attributes: [("callback".to_owned(), json!(attribute))].into(),
        ..Tenant::default()
    }
}

fn flow(connectors: Value) -> Flow {
    Flow {
        id: "sign-in".into(),
        document: json!({"flowId": "sign-in", "references": {"connectors": connectors}}),
    }
}

#[test]
fn the_source_project_id_becomes_the_targets_in_every_string() {
    let set = ResourceSet {
        tenants: vec![tenant("acme", "https://auth.example.com/P2dev/callback")],
        ..ResourceSet::default()
    };
    let mapped = map_project_id(set.clone(), Some("P2dev"), Some("P2prod"));
    assert_eq!(
        mapped.tenants[0].custom_attributes["callback"],
        json!("https://auth.example.com/P2prod/callback")
    );
    assert_eq!(map_project_id(set.clone(), None, Some("P2prod")), set);
    assert_eq!(
        map_project_id(set.clone(), Some("P2dev"), Some("P2dev")),
        set
    );
}

#[test]
fn connector_ids_become_the_targets_ids_by_name() {
    let mut flows = vec![flow(json!({"HTTP": "CIsource", "Slack": "CIslack"}))];
    let target = BTreeMap::from([
        ("HTTP".to_owned(), "CItarget".to_owned()),
        ("Slack".to_owned(), "CIslack2".to_owned()),
    ]);
    relink_connectors(&mut flows, &target).unwrap();
    assert_eq!(
        flows[0].document["references"]["connectors"],
        json!({"HTTP": "CItarget", "Slack": "CIslack2"})
    );
}

#[test]
fn every_reference_the_target_cannot_satisfy_is_named_and_nothing_changes() {
    let original = vec![flow(json!({"HTTP": "CIsource", "Slack": "CIslack"}))];
    let mut flows = original.clone();
    let target = BTreeMap::from([("HTTP".to_owned(), "CItarget".to_owned())]);
    let missing = relink_connectors(&mut flows, &target).unwrap_err();
    assert_eq!(
        missing.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["flow sign-in references connector `Slack`, which the target project does not have"]
    );
    assert_eq!(flows[0].document, original[0].document);
}

#[test]
fn a_list_of_connector_names_is_checked_too() {
    let mut flows = vec![flow(json!(["HTTP"]))];
    assert_eq!(connector_names(&flows[0]), ["HTTP"]);
    assert!(relink_connectors(&mut flows, &BTreeMap::new()).is_err());
}

#[test]
fn connectors_are_read_from_any_file_under_connectors() {
    let files = json!({
        "connectors/connectors.json": {"connectors": [{"id": "CI1", "name": "HTTP", "type": "http"}]},
        "connectors/slack.json": {"id": "CI2", "name": "Slack"},
        "flows/sign-in.json": {"id": "sign-in", "name": "Sign in"},
    });
    let found = connectors_in_snapshot(files.as_object().unwrap());
    assert_eq!(
        found,
        BTreeMap::from([
            ("HTTP".to_owned(), "CI1".to_owned()),
            ("Slack".to_owned(), "CI2".to_owned()),
        ])
    );
}

#[test]
fn a_configured_side_takes_unmanaged_fields_from_the_live_side() {
    let live = Tenant {
        role_inheritance: Some("userOnly".into()),
        ..tenant("acme", "x")
    };
    let configured = ResourceSet {
        tenants: vec![tenant("acme", "x"), tenant("globex", "y")],
        ..ResourceSet::default()
    };
    let live_set = ResourceSet {
        tenants: vec![live.clone()],
        ..ResourceSet::default()
    };
    let completed = complete_from_live(configured, &live_set);
    assert_eq!(completed.tenants[0], live);
    assert_eq!(completed.tenants[1].role_inheritance, None);
}

#[test]
fn a_named_tenant_brings_the_roles_and_permissions_the_target_lacks() {
    let source = ResourceSet {
        permissions: vec![Permission {
            name: "reports.read".into(),
            ..Permission::default()
        }],
        roles: vec![
            Role {
                name: "viewer".into(),
                permission_names: vec!["reports.read".into()],
                ..Role::default()
            },
            Role {
                name: "editor".into(),
                ..Role::default()
            },
        ],
        tenants: vec![Tenant {
            default_roles: vec!["viewer".into(), "editor".into()],
            ..tenant("acme", "x")
        }],
        ..ResourceSet::default()
    };
    let target = ResourceSet {
        roles: vec![Role {
            name: "editor".into(),
            ..Role::default()
        }],
        ..ResourceSet::default()
    };
    let named = BTreeSet::from([ResourceRef::new(ResourceKind::Tenant, "acme")]);
    let selected: Vec<String> = with_missing_references(&named, &source, &target)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        selected,
        ["permission:reports.read", "role:viewer", "tenant:acme"]
    );
}
