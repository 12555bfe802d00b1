use serde_json::{Value, json};

use super::*;

#[test]
fn every_kind_round_trips_through_its_name_in_serde_and_on_the_command_line() {
    for kind in ResourceKind::ALL {
        let serde_name = serde_json::to_value(kind).unwrap();
        assert_eq!(serde_name, serde_json::json!(kind.as_str()), "{kind:?}");
        assert_eq!(kind.as_str().parse::<ResourceKind>().unwrap(), kind);
        assert_eq!(kind.to_string(), kind.as_str());
    }
}

#[test]
fn an_unknown_kind_is_refused_with_every_kind_listed() {
    let error = "flowz".parse::<ResourceKind>().unwrap_err().to_string();
    assert_eq!(
        error,
        "unknown resource kind `flowz` (expected permission, role, tenant, flow, theme or password_policy)"
    );
}

#[test]
fn the_declaration_gives_sections_identities_and_dependencies() {
    let described: Vec<_> = ResourceKind::ALL
        .iter()
        .map(|kind| (kind.section(), kind.identity_field(), kind.depends_on()))
        .collect();
    assert_eq!(
        described,
        [
            ("permissions", Some("name"), &[][..]),
            ("roles", Some("name"), &[ResourceKind::Permission][..]),
            ("tenants", Some("id"), &[ResourceKind::Role][..]),
            ("flows", Some("id"), &[][..]),
            ("themes", None, &[][..]),
            ("password_policy", None, &[][..]),
        ]
    );
}

#[test]
fn a_resource_names_only_kinds_its_kind_depends_on() {
    let samples = [
        Role {
            name: "viewer".into(),
            permission_names: vec!["read".into()],
            ..Role::default()
        }
        .into_any(),
        Tenant {
            id: "acme".into(),
            default_roles: vec!["viewer".into()],
            ..Tenant::default()
        }
        .into_any(),
    ];
    for sample in samples {
        let references = sample.references();
        assert!(!references.is_empty());
        for reference in references {
            assert!(
                sample.kind().depends_on().contains(&reference.kind),
                "{} names {reference}",
                sample.reference()
            );
        }
    }
}

#[test]
fn every_kind_round_trips_through_its_backup_state() {
    let set = ResourceSet {
        permissions: vec![Permission {
            name: "read".into(),
            description: "Reads".into(),
            system_default: Some(false),
        }],
        roles: vec![Role {
            name: "viewer".into(),
            ..Role::default()
        }],
        tenants: vec![Tenant {
            id: "acme".into(),
            name: "Acme".into(),
            ..Tenant::default()
        }],
        flows: vec![Flow {
            id: "sign-in".into(),
            document: json!({"flowId": "sign-in", "contents": {"startTask": "a", "tasks": {}}}),
        }],
        themes: vec![Theme {
            document: json!({"styles": {"light": {"colors": {"primary": {"main": "#1a73e8"}}}}}),
        }],
        password_policy: vec![PasswordPolicy {
            fields: [("minLength".to_owned(), json!(12))].into(),
        }],
    };
    assert_eq!(set.len(), ResourceKind::ALL.len());
    for resource in set.iter_any() {
        let state = resource.state_json();
        let back = AnyResource::from_state(resource.kind(), state).unwrap();
        assert_eq!(back, resource);
    }
}

#[test]
fn a_typed_resource_is_found_only_in_its_own_kind() {
    let tenant = Tenant {
        id: "acme".into(),
        ..Tenant::default()
    };
    assert_eq!(
        Tenant::from_any(tenant.clone().into_any()),
        Some(tenant.clone())
    );
    assert_eq!(Role::from_any(tenant.into_any()), None);
}

fn flow_with(task_name: &str, left: i64, stamp: &str) -> Flow {
    Flow {
        id: "welcome".into(),
        document: json!({
            "flowId": "welcome",
            "etag": stamp,
            "contents": {
                "startTask": "1",
                "tasks": {
                    "1": {"id": "1", "name": task_name, "type": "action",
                          "view": {"left": left, "top": 10}}
                }
            }
        }),
    }
}

#[test]
fn flows_compare_by_the_normaliser_and_diff_by_task() {
    let live = flow_with("Send OTP", 10, "etag-1");
    assert_eq!(
        live,
        flow_with("Send OTP", 10, "etag-2"),
        "a save stamp is no change"
    );
    assert_eq!(
        live,
        flow_with("Send OTP", 99, "etag-1"),
        "a canvas move is no change"
    );
    let edited = flow_with("Send magic link", 10, "etag-1");
    assert_ne!(live, edited);
    let fields: Vec<String> = live.diff(&edited).into_iter().map(|d| d.field).collect();
    assert_eq!(fields, ["tasks.1 (Send magic link, action)"]);
}

#[test]
fn a_canvas_move_is_a_planned_change_only_with_strict_layout() {
    use crate::plan::{Action, PlanOptions, plan};
    let set = |flow: Flow| ResourceSet {
        flows: vec![flow],
        ..ResourceSet::default()
    };
    let live = set(flow_with("Send OTP", 10, "etag-1"));
    let moved = set(flow_with("Send OTP", 99, "etag-2"));
    let lenient = plan(&moved, &live, &PlanOptions::default());
    assert_eq!(lenient.changes[0].action, Action::Unchanged);
    assert_eq!(
        lenient.layout_only,
        [ResourceRef::new(ResourceKind::Flow, "welcome")],
        "listed apart, not a change"
    );
    let strict = PlanOptions {
        strict_layout: true,
        ..PlanOptions::default()
    };
    let strict = plan(&moved, &live, &strict);
    assert_eq!(strict.changes[0].action, Action::Update);
    assert!(strict.layout_only.is_empty());
    let fields: Vec<(String, Value, Value)> = strict.changes[0]
        .fields
        .iter()
        .map(|d| (d.field.clone(), d.before.clone(), d.after.clone()))
        .collect();
    assert_eq!(
        fields,
        [(
            "tasks.1.view (layout only)".to_owned(),
            json!({"left": 10, "top": 10}),
            json!({"left": 99, "top": 10})
        )]
    );
    let edited = set(flow_with("Send magic link", 99, "etag-2"));
    let fields: Vec<String> = plan(
        &edited,
        &live,
        &PlanOptions {
            strict_layout: true,
            ..PlanOptions::default()
        },
    )
    .changes[0]
        .fields
        .iter()
        .map(|d| d.field.clone())
        .collect();
    assert_eq!(
        fields,
        [
            "tasks.1 (Send magic link, action)",
            "tasks.1.view (layout only)"
        ],
        "a content change lists the move beside it"
    );
}

#[test]
fn a_theme_diff_names_the_design_token() {
    let theme = |color: &str| Theme {
        document: json!({"styles": {"light": {"colors": {"primary": {"main": color}}}}}),
    };
    let diff = theme("#1a73e8").diff(&theme("#0b57d0"));
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].field, "light.colors.primary.main");
    assert!(Theme::KIND.identity_field().is_none());
}

#[test]
fn default_flows_and_the_theme_are_descopes_own() {
    assert!(!flow_with("x", 0, "").is_system_default());
    let mut default = flow_with("x", 0, "");
    default.id = "sign-up-or-in".into();
    assert!(default.is_system_default());
}
