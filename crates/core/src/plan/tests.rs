use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::resource::{Permission, Role, Tenant};
use crate::test_fixtures::{permission, role, tenant};

fn tenants(list: Vec<Tenant>) -> ResourceSet {
    ResourceSet {
        tenants: list,
        ..ResourceSet::default()
    }
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|change| (change.reference().to_string(), change.action))
        .collect()
}

#[test]
fn creates_updates_and_leaves_unchanged() {
    let desired = tenants(vec![
        tenant("new", "New"),
        tenant("same", "Same"),
        tenant("renamed", "After"),
    ]);
    let actual = tenants(vec![tenant("same", "Same"), tenant("renamed", "Before")]);
    let plan = plan(&desired, &actual, &PlanOptions::default());
    assert_eq!(
        actions(&plan),
        vec![
            ("tenant:new".to_owned(), Action::Create),
            ("tenant:renamed".to_owned(), Action::Update),
            ("tenant:same".to_owned(), Action::Unchanged),
        ]
    );
    let update = &plan.changes[1];
    assert_eq!(
        update.fields,
        vec![FieldDiff {
            field: "name".to_owned(),
            before: json!("Before"),
            after: json!("After"),
        }]
    );
    assert_eq!(update.before, Some(tenant("renamed", "Before").into_any()));
    assert_eq!(update.after, Some(tenant("renamed", "After").into_any()));
    assert_eq!(
        plan.summary(),
        Summary {
            create: 1,
            update: 1,
            delete: 0,
            unchanged: 1,
            unmanaged: 0
        }
    );
    assert!(!plan.is_empty());
}

#[test]
fn absent_from_desired_is_unmanaged_without_prune_and_deleted_with_it() {
    let actual = tenants(vec![tenant("orphan", "Orphan")]);
    let without = plan(&ResourceSet::default(), &actual, &PlanOptions::default());
    assert!(without.changes.is_empty());
    assert_eq!(
        without.unmanaged,
        vec![ResourceRef::new(ResourceKind::Tenant, "orphan")]
    );
    assert!(without.is_empty());
    assert_eq!(without.summary().unmanaged, 1);

    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let with = plan(&ResourceSet::default(), &actual, &options);
    assert_eq!(
        actions(&with),
        vec![("tenant:orphan".to_owned(), Action::Delete)]
    );
    assert!(with.unmanaged.is_empty());
    assert!(with.prune);
    assert_eq!(
        with.changes[0].before,
        Some(tenant("orphan", "Orphan").into_any())
    );
    assert_eq!(with.changes[0].after, None);
}

fn tenant_with_every_field() -> Tenant {
    Tenant {
        id: "acme".to_owned(),
        name: "Acme".to_owned(),
        self_provisioning_domains: vec!["acme.com".to_owned()],
        custom_attributes: BTreeMap::from([("type".to_owned(), json!("portfolio"))]),
        enforce_sso: false,
        disabled: false,
        default_roles: vec!["viewer".to_owned()],
        enforce_sso_exclusions: Some(vec!["U1".to_owned()]),
        federated_app_ids: Some(vec!["app-1".to_owned()]),
        role_inheritance: Some(String::new()),
        parent: Some(String::new()),
        session: None,
        sso: None,
        password_policy: None,
        roles: None,
        has_sso: false,
        unmodelled: BTreeMap::new(),
    }
}

#[test]
fn a_session_setting_the_configuration_leaves_out_keeps_its_live_value_and_no_diff() {
    use crate::resource::TenantSession;
    let mut live = tenant_with_every_field();
    live.session = Some(Box::new(TenantSession {
        enabled: Some(true),
        refresh_token_expiration: Some("7 days".into()),
        inactivity_timeout: Some("45 minutes".into()),
        ..TenantSession::default()
    }));
    let mut wanted = tenant_with_every_field();
    wanted.session = Some(Box::new(TenantSession {
        refresh_token_expiration: Some("30 days".into()),
        ..TenantSession::default()
    }));
    let plan = plan(
        &ResourceSet {
            tenants: vec![wanted],
            ..ResourceSet::default()
        },
        &ResourceSet {
            tenants: vec![live],
            ..ResourceSet::default()
        },
        &PlanOptions::default(),
    );
    let fields: Vec<&str> = plan.changes[0]
        .fields
        .iter()
        .map(|diff| diff.field.as_str())
        .collect();
    assert_eq!(fields, ["session.refresh_token_expiration"]);
    let Some(AnyResource::Tenant(after)) = &plan.changes[0].after else {
        panic!("an update");
    };
    let session = after.session.as_deref().expect("session");
    assert_eq!(session.inactivity_timeout.as_deref(), Some("45 minutes"));
}

#[test]
fn each_tenant_field_is_reported_by_name() {
    let before = tenant_with_every_field();
    type Edit = Box<dyn Fn(&mut Tenant)>;
    let cases: Vec<(&str, Edit, serde_json::Value, serde_json::Value)> = vec![
        (
            "name",
            Box::new(|t| t.name = "Acme Inc".into()),
            json!("Acme"),
            json!("Acme Inc"),
        ),
        (
            "self_provisioning_domains",
            Box::new(|t| t.self_provisioning_domains.push("acme.org".into())),
            json!(["acme.com"]),
            json!(["acme.com", "acme.org"]),
        ),
        (
            "custom_attributes",
            Box::new(|t| {
                t.custom_attributes.insert("type".into(), json!("direct"));
            }),
            json!({"type": "portfolio"}),
            json!({"type": "direct"}),
        ),
        (
            "enforce_sso",
            Box::new(|t| t.enforce_sso = true),
            json!(false),
            json!(true),
        ),
        (
            "disabled",
            Box::new(|t| t.disabled = true),
            json!(false),
            json!(true),
        ),
        (
            "enforce_sso_exclusions",
            Box::new(|t| t.enforce_sso_exclusions = Some(vec!["U2".into()])),
            json!(["U1"]),
            json!(["U2"]),
        ),
        (
            "federated_app_ids",
            Box::new(|t| t.federated_app_ids = Some(Vec::new())),
            json!(["app-1"]),
            json!([]),
        ),
        (
            "role_inheritance",
            Box::new(|t| t.role_inheritance = Some("userOnly".into())),
            json!(""),
            json!("userOnly"),
        ),
        (
            "default_roles",
            Box::new(|t| t.default_roles.clear()),
            json!(["viewer"]),
            json!([]),
        ),
    ];
    for (field, edit, before_value, after_value) in cases {
        let mut after = before.clone();
        edit(&mut after);
        assert_eq!(
            before.diff(&after),
            vec![FieldDiff {
                field: field.to_owned(),
                before: before_value,
                after: after_value,
            }],
            "field {field}"
        );
    }
}

#[test]
fn role_and_permission_fields_are_reported_by_name() {
    let before = role("admin", &["a"]);
    let mut after = role("admin", &["b", "a"]);
    after.description = "Admins".into();
    let fields: Vec<String> = before.diff(&after).into_iter().map(|d| d.field).collect();
    assert_eq!(fields, vec!["description", "permission_names"]);

    let mut described = permission("read");
    described.description = "Read".into();
    assert_eq!(
        permission("read").diff(&described),
        vec![FieldDiff {
            field: "description".into(),
            before: json!(""),
            after: json!("Read"),
        }]
    );
}

#[test]
fn reordered_or_recased_domains_and_reordered_lists_are_no_difference() {
    let mut live = tenant_with_every_field();
    live.self_provisioning_domains = vec!["B.example".into(), "acme.COM".into(), "acme.com".into()];
    live.default_roles = vec!["viewer".into(), "admin".into()];
    let mut desired = tenant_with_every_field();
    desired.self_provisioning_domains = vec!["acme.com".into(), "b.example".into()];
    desired.default_roles = vec!["admin".into(), "viewer".into(), "admin".into()];
    assert!(live.diff(&desired).is_empty());

    let plan = plan(
        &tenants(vec![desired]),
        &tenants(vec![live]),
        &PlanOptions::default(),
    );
    assert_eq!(
        actions(&plan),
        vec![("tenant:acme".to_owned(), Action::Unchanged)]
    );
    assert!(plan.is_empty());
}

#[test]
fn custom_attribute_key_order_is_no_difference() {
    let mut first = tenant("acme", "Acme");
    let mut second = first.clone();
    first
        .custom_attributes
        .insert("nested".into(), json!({"a": 1, "b": 2}));
    second
        .custom_attributes
        .insert("nested".into(), json!({"b": 2, "a": 1}));
    assert!(first.diff(&second).is_empty());
    assert_eq!(
        fingerprint(&first.into_any()),
        fingerprint(&second.into_any())
    );
}

#[test]
fn kinds_come_in_dependency_order_then_identity() {
    let desired = ResourceSet {
        permissions: vec![permission("z.write"), permission("a.read")],
        roles: vec![role("viewer", &["a.read"]), role("admin", &["z.write"])],
        tenants: vec![tenant("beta", "B"), tenant("alpha", "A")],
        ..ResourceSet::default()
    };
    let plan = plan(&desired, &ResourceSet::default(), &PlanOptions::default());
    let order: Vec<String> = plan
        .changes
        .iter()
        .map(|c| c.reference().to_string())
        .collect();
    assert_eq!(
        order,
        [
            "permission:a.read",
            "permission:z.write",
            "role:admin",
            "role:viewer",
            "tenant:alpha",
            "tenant:beta"
        ]
    );
}

#[test]
fn targets_limit_the_plan() {
    let desired = ResourceSet {
        roles: vec![role("admin", &[])],
        tenants: vec![tenant("alpha", "A"), tenant("beta", "B")],
        ..ResourceSet::default()
    };
    let actual = tenants(vec![tenant("gamma", "G")]);
    let options = PlanOptions {
        prune: true,
        targets: Some(BTreeSet::from([
            "tenant:beta".parse().unwrap(),
            "tenant:gamma".parse().unwrap(),
        ])),
        ..PlanOptions::default()
    };
    let plan = plan(&desired, &actual, &options);
    assert_eq!(
        actions(&plan),
        vec![
            ("tenant:beta".to_owned(), Action::Create),
            ("tenant:gamma".to_owned(), Action::Delete)
        ]
    );
    assert_eq!(plan.targets.as_ref().map(Vec::len), Some(2));
}

#[test]
fn kinds_limit_the_plan_so_tenant_sync_never_prunes_roles() {
    let actual = ResourceSet {
        roles: vec![role("Tenant Admin", &[])],
        tenants: vec![tenant("old", "Old")],
        ..ResourceSet::default()
    };
    let options = PlanOptions {
        prune: true,
        kinds: Some(BTreeSet::from([ResourceKind::Tenant])),
        ..PlanOptions::default()
    };
    let plan = plan(&ResourceSet::default(), &actual, &options);
    assert_eq!(
        actions(&plan),
        vec![("tenant:old".to_owned(), Action::Delete)]
    );
}

#[test]
fn target_syntax_is_kind_colon_id() {
    assert_eq!(
        "role:billing-admin".parse::<ResourceRef>(),
        Ok(ResourceRef::new(ResourceKind::Role, "billing-admin"))
    );
    assert_eq!(
        "flowz:x".parse::<ResourceRef>(),
        Err(ParseRefError::UnknownKind("flowz".into()))
    );
    assert_eq!(
        "flow:sign-in".parse::<ResourceRef>(),
        Ok(ResourceRef::new(ResourceKind::Flow, "sign-in"))
    );
    assert_eq!(
        "theme".parse::<ResourceRef>(),
        Ok(ResourceRef::new(ResourceKind::Theme, "theme"))
    );
    assert_eq!(
        "tenant".parse::<ResourceRef>(),
        Err(ParseRefError::Malformed("tenant".into()))
    );
    assert_eq!(
        "tenant:".parse::<ResourceRef>(),
        Err(ParseRefError::Malformed("tenant:".into()))
    );
}

#[test]
fn plan_json_is_snake_case_and_round_trips() {
    let desired = tenants(vec![tenant("acme", "After")]);
    let actual = tenants(vec![tenant("acme", "Before"), tenant("orphan", "O")]);
    let plan = plan(&desired, &actual, &PlanOptions::default());
    let value = serde_json::to_value(&plan).unwrap();
    assert_eq!(
        value,
        json!({
            "prune": false,
            "changes": [{
                "kind": "tenant",
                "id": "acme",
                "action": "update",
                "fields": [{"field": "name", "before": "Before", "after": "After"}],
                "before": {"kind": "tenant", "id": "acme", "name": "Before",
                    "self_provisioning_domains": [], "custom_attributes": {},
                    "enforce_sso": false, "disabled": false, "default_roles": []},
                "after": {"kind": "tenant", "id": "acme", "name": "After",
                    "self_provisioning_domains": [], "custom_attributes": {},
                    "enforce_sso": false, "disabled": false, "default_roles": []}
            }],
            "unmanaged": [{"kind": "tenant", "id": "orphan"}]
        })
    );
    let back: Plan = serde_json::from_value(value).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn fingerprints_cover_touched_resources_only() {
    let desired = tenants(vec![
        tenant("new", "N"),
        tenant("same", "S"),
        tenant("upd", "After"),
    ]);
    let actual = tenants(vec![
        tenant("same", "S"),
        tenant("upd", "Before"),
        tenant("gone", "G"),
    ]);
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let plan = plan(&desired, &actual, &options);
    let prints = plan.fingerprints();
    let summary: Vec<(String, bool)> = prints
        .iter()
        .map(|p| (p.resource.to_string(), p.sha256.is_some()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("tenant:gone".to_owned(), true),
            ("tenant:new".to_owned(), false),
            ("tenant:upd".to_owned(), true),
        ]
    );
    let sha = prints[0].sha256.as_deref().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(
        sha.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
}

#[test]
fn check_fresh_accepts_an_unchanged_world_and_names_what_moved() {
    let desired = tenants(vec![tenant("new", "N"), tenant("upd", "After")]);
    let actual = tenants(vec![tenant("upd", "Before"), tenant("other", "O")]);
    let plan = plan(&desired, &actual, &PlanOptions::default());
    assert_eq!(check_fresh(&plan, &actual), Ok(()));

    // A change to a resource the plan does not touch is not staleness.
    let untouched_moved = tenants(vec![tenant("upd", "Before"), tenant("other", "Changed")]);
    assert_eq!(check_fresh(&plan, &untouched_moved), Ok(()));

    let moved = tenants(vec![
        tenant("upd", "Someone else"),
        tenant("new", "Sneaked in"),
    ]);
    let error = check_fresh(&plan, &moved).unwrap_err();
    assert_eq!(
        error.changed,
        vec![
            ResourceRef::new(ResourceKind::Tenant, "new"),
            ResourceRef::new(ResourceKind::Tenant, "upd")
        ]
    );
    assert!(
        error.to_string().contains("tenant:new, tenant:upd"),
        "{error}"
    );

    let vanished = tenants(vec![]);
    let error = check_fresh(&plan, &vanished).unwrap_err();
    assert_eq!(
        error.changed,
        vec![ResourceRef::new(ResourceKind::Tenant, "upd")],
        "{error}"
    );
}

/// Applies a plan to a set the way a perfect server would, for the convergence property.
fn apply_to_set(plan: &Plan, actual: &ResourceSet) -> ResourceSet {
    let mut by_ref: BTreeMap<ResourceRef, AnyResource> =
        actual.iter_any().map(|r| (r.reference(), r)).collect();
    for change in plan.writes() {
        match change.action {
            Action::Create | Action::Update => {
                by_ref.insert(change.reference(), change.after.clone().unwrap());
            }
            Action::Delete => {
                by_ref.remove(&change.reference());
            }
            Action::Unchanged => {}
        }
    }
    by_ref.into_values().collect()
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "d", "e"]).prop_map(str::to_owned)
}

fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 0..4)
}

fn arb_tenant() -> impl Strategy<Value = Tenant> {
    (
        word(),
        word(),
        prop::collection::vec(
            prop::sample::select(vec!["a.com", "A.com", "b.org", "B.ORG"]),
            0..4,
        ),
        prop::collection::btree_map(
            word(),
            prop::sample::select(vec![json!(1), json!("x"), json!({"k": [1, 2]})]),
            0..3,
        ),
        any::<bool>(),
        any::<bool>(),
        words(),
    )
        .prop_map(
            |(id, name, domains, attrs, enforce_sso, disabled, default_roles)| Tenant {
                id,
                name,
                self_provisioning_domains: domains.into_iter().map(str::to_owned).collect(),
                custom_attributes: attrs,
                enforce_sso,
                disabled,
                default_roles,
                ..Tenant::default()
            },
        )
}

fn arb_role() -> impl Strategy<Value = Role> {
    (word(), word(), words()).prop_map(|(name, description, permission_names)| Role {
        name,
        description,
        permission_names,
        ..Role::default()
    })
}

fn arb_permission() -> impl Strategy<Value = Permission> {
    (word(), word()).prop_map(|(name, description)| Permission {
        name,
        description,
        ..Permission::default()
    })
}

/// Live state never holds two resources of one kind with the same identity.
fn unique<R: Resource>(list: Vec<R>) -> Vec<R> {
    let map: BTreeMap<String, R> = list
        .into_iter()
        .map(|r| (r.identity().to_owned(), r))
        .collect();
    map.into_values().collect()
}

pub(crate) fn arb_set() -> impl Strategy<Value = ResourceSet> {
    (
        prop::collection::vec(arb_permission(), 0..5),
        prop::collection::vec(arb_role(), 0..5),
        prop::collection::vec(arb_tenant(), 0..6),
    )
        .prop_map(|(permissions, roles, tenants)| ResourceSet {
            permissions: unique(permissions),
            roles: unique(roles),
            tenants: unique(tenants),
            ..ResourceSet::default()
        })
}

proptest! {
    #[test]
    fn planning_a_state_against_itself_is_empty(set in arb_set(), prune in any::<bool>()) {
        let options = PlanOptions { prune, ..PlanOptions::default() };
        let plan = plan(&set, &set, &options);
        prop_assert!(plan.is_empty());
        prop_assert!(plan.unmanaged.is_empty());
        prop_assert_eq!(plan.summary().unchanged, set.len());
    }

    #[test]
    fn applying_a_pruning_plan_then_planning_again_is_empty(desired in arb_set(), actual in arb_set()) {
        let options = PlanOptions { prune: true, ..PlanOptions::default() };
        let first = plan(&desired, &actual, &options);
        let after = apply_to_set(&first, &actual);
        let second = plan(&desired, &after, &options);
        prop_assert!(second.is_empty(), "{:?}", second);
    }

    #[test]
    fn plan_order_does_not_depend_on_the_order_of_actual(
        desired in arb_set(),
        actual in arb_set(),
        seed in any::<u64>(),
        prune in any::<bool>(),
    ) {
        let options = PlanOptions { prune, ..PlanOptions::default() };
        let mut shuffled = actual.clone();
        shuffle(&mut shuffled.permissions, seed);
        shuffle(&mut shuffled.roles, seed.rotate_left(7));
        shuffle(&mut shuffled.tenants, seed.rotate_left(13));
        for tenant in &mut shuffled.tenants {
            shuffle(&mut tenant.self_provisioning_domains, seed);
            shuffle(&mut tenant.default_roles, seed);
        }
        prop_assert_eq!(plan(&desired, &actual, &options), plan(&desired, &shuffled, &options));
    }

    #[test]
    fn check_fresh_accepts_the_state_the_plan_was_made_from(desired in arb_set(), actual in arb_set()) {
        let options = PlanOptions { prune: true, ..PlanOptions::default() };
        let plan = plan(&desired, &actual, &options);
        prop_assert_eq!(check_fresh(&plan, &actual), Ok(()));
        let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
        prop_assert_eq!(check_fresh(&back, &actual), Ok(()));
    }
}

/// A deterministic Fisher–Yates shuffle from a seed (a tiny LCG), so proptest can shrink it.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for index in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let other = (state >> 33) as usize % (index + 1);
        items.swap(index, other);
    }
}
