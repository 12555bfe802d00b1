use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

use super::*;
use crate::memory::MemoryProject;
use crate::plan::{
    Action, AnyResource, Change, Plan, PlanOptions, ResourceKind, ResourceRef, ResourceSet, plan,
};
use crate::port::{PortErrorKind, ResourcePort};
use crate::resource::{Permission, Resource, Role, Tenant};
use crate::test_fixtures::{permission, role, tenant, tenant_with_roles};
use serde_json::json;

fn prune() -> PlanOptions {
    PlanOptions {
        prune: true,
        ..PlanOptions::default()
    }
}

/// The project as the planner sees it: normalised and sorted, for whole-state comparison.
async fn state(project: &MemoryProject) -> ResourceSet {
    normalized(&read_actual(project).await.unwrap())
}

fn normalized(set: &ResourceSet) -> ResourceSet {
    let mut any: Vec<AnyResource> = set.iter_any().map(AnyResource::normalized).collect();
    any.sort_by_key(AnyResource::reference);
    any.into_iter().collect()
}

async fn plan_and_apply(
    desired: &ResourceSet,
    project: &MemoryProject,
    options: &ApplyOptions,
    progress: &dyn Progress,
    cancel: &CancelToken,
) -> (Plan, ApplyReport) {
    let actual = read_actual(project).await.unwrap();
    let plan = plan(desired, &actual, &prune());
    let report = apply(&plan, project, options, progress, cancel).await;
    (plan, report)
}

/// Plans against the project and applies with default options, no progress and no cancel.
async fn converge(desired: &ResourceSet, project: &MemoryProject) -> (Plan, ApplyReport) {
    plan_and_apply(
        desired,
        project,
        &ApplyOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
}

/// Applies `plan` with default options, no progress and no cancel.
async fn apply_quietly(plan: &Plan, project: &MemoryProject) -> ApplyReport {
    apply(
        plan,
        project,
        &ApplyOptions::default(),
        &NoProgress,
        &CancelToken::new(),
    )
    .await
}

/// A live project with something to update, something to delete and something to keep.
fn live_project() -> MemoryProject {
    MemoryProject::default()
        .with([
            tenant_with_roles("acme", "Acme", &["viewer"]),
            tenant_with_roles("old-co", "Old", &["legacy"]),
            tenant("steady", "Steady"),
        ])
        .with([role("viewer", &["read"]), role("legacy", &["legacy.use"])])
        .with([permission("read"), permission("legacy.use")])
}

fn desired_state() -> ResourceSet {
    ResourceSet {
        permissions: vec![permission("read"), permission("write")],
        roles: vec![
            role("viewer", &["read"]),
            role("editor", &["read", "write"]),
        ],
        tenants: vec![
            tenant_with_roles("acme", "Acme Corporation", &["viewer", "editor"]),
            tenant_with_roles("new-co", "New", &["editor"]),
            tenant("steady", "Steady"),
        ],
        ..ResourceSet::default()
    }
}

#[tokio::test]
async fn applies_creates_updates_and_deletes_then_has_nothing_left_to_do() {
    let project = live_project();
    let desired = desired_state();
    let (plan, report) = converge(&desired, &project).await;
    let summary = plan.summary();
    assert_eq!((summary.create, summary.update, summary.delete), (3, 1, 3));
    assert_eq!(report.results.len(), 7);
    assert_eq!(
        (report.succeeded(), report.failed(), report.skipped()),
        (7, 0, 0)
    );
    assert_eq!(report.exit_status(), ApplyStatus::Success);
    assert!(!report.interrupted);
    assert_eq!(project.write_count(), 7);
    assert_eq!(state(&project).await, normalized(&desired));

    let writes_before = project.write_count();
    let (second_plan, second_report) = converge(&desired, &project).await;
    assert!(second_plan.is_empty(), "{second_plan:?}");
    assert!(second_report.results.is_empty());
    assert_eq!(project.write_count(), writes_before);
}

/// Records the order changes start in, and cancels after a number of finished changes.
#[derive(Default)]
struct Recorder {
    total: AtomicUsize,
    started: Mutex<Vec<String>>,
    finished: Mutex<Vec<(String, Outcome)>>,
    cancel_after: Option<(usize, CancelToken)>,
}

impl Progress for Recorder {
    fn total(&self, count: usize) {
        self.total.store(count, Ordering::SeqCst);
    }

    fn started(&self, change: &Change) {
        self.started.lock().unwrap().push(format!(
            "{} {}",
            change.action.as_str(),
            change.reference()
        ));
    }

    fn finished(&self, change: &Change, outcome: &Outcome) {
        let mut finished = self.finished.lock().unwrap();
        finished.push((change.reference().to_string(), outcome.clone()));
        if let Some((after, cancel)) = &self.cancel_after
            && finished.len() >= *after
        {
            cancel.cancel();
        }
    }
}

#[tokio::test]
async fn creates_and_updates_run_in_dependency_order_and_deletes_in_reverse() {
    let project = live_project();
    let recorder = Recorder::default();
    let (_, report) = plan_and_apply(
        &desired_state(),
        &project,
        &ApplyOptions { concurrency: 1 },
        &recorder,
        &CancelToken::new(),
    )
    .await;
    assert_eq!(report.exit_status(), ApplyStatus::Success);
    assert_eq!(recorder.total.load(Ordering::SeqCst), 7);
    assert_eq!(
        *recorder.started.lock().unwrap(),
        [
            "create permission:write",
            "create role:editor",
            "update tenant:acme",
            "create tenant:new-co",
            "delete tenant:old-co",
            "delete role:legacy",
            "delete permission:legacy.use",
        ]
    );
    assert_eq!(recorder.finished.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn a_failed_change_leaves_independent_ones_applied_and_skips_its_dependents() {
    let project = live_project();
    project.fail_writes_to("write", PortErrorKind::Unavailable);
    let (_, report) = converge(&desired_state(), &project).await;
    let outcomes: BTreeMap<String, Outcome> = report
        .results
        .iter()
        .map(|r| (format!("{}:{}", r.kind, r.id), r.outcome.clone()))
        .collect();
    assert!(matches!(
        &outcomes["permission:write"],
        Outcome::Failed { error: FailureKind::Unavailable, message } if message.contains("write")
    ));
    let skipped_for = |dependency: &str| Outcome::Skipped {
        reason: SkipReason::DependencyFailed {
            dependency: dependency.parse().unwrap(),
        },
    };
    // editor names the failed permission; acme and new-co name editor.
    assert_eq!(outcomes["role:editor"], skipped_for("permission:write"));
    assert_eq!(outcomes["tenant:acme"], skipped_for("role:editor"));
    assert_eq!(outcomes["tenant:new-co"], skipped_for("role:editor"));
    // Independent of the failure: done.
    for done in ["tenant:old-co", "role:legacy", "permission:legacy.use"] {
        assert!(outcomes[done].is_success(), "{done}: {:?}", outcomes[done]);
    }
    assert_eq!(
        (report.succeeded(), report.failed(), report.skipped()),
        (3, 1, 3)
    );
    assert_eq!(report.exit_status(), ApplyStatus::Partial);
    assert!(!report.interrupted);

    // Once the cause is gone, a re-run converges.
    project.heal("write");
    let (_, rerun) = converge(&desired_state(), &project).await;
    assert_eq!(rerun.exit_status(), ApplyStatus::Success);
    assert_eq!(rerun.results.len(), 4);
    assert_eq!(state(&project).await, normalized(&desired_state()));
}

#[tokio::test]
async fn a_role_still_named_by_a_tenant_whose_update_failed_is_not_deleted() {
    let project = MemoryProject::default()
        .with([tenant_with_roles("acme", "Acme", &["legacy"])])
        .with([role("legacy", &[])]);
    project.fail_writes_to("acme", PortErrorKind::Invalid);
    let desired = ResourceSet {
        tenants: vec![tenant("acme", "Acme")],
        ..ResourceSet::default()
    };
    let (_, report) = converge(&desired, &project).await;
    assert_eq!(
        report.results[0].outcome,
        Outcome::Skipped {
            reason: SkipReason::DependencyFailed {
                dependency: ResourceRef::new(ResourceKind::Tenant, "acme")
            }
        }
    );
    assert_eq!(project.all::<Role>(), vec![role("legacy", &[])]);
}

#[tokio::test]
async fn cancelled_halfway_then_rerun_converges_without_duplicates_or_losses() {
    for stop_after in 1..7 {
        let project = live_project();
        let cancel = CancelToken::new();
        let recorder = Recorder {
            cancel_after: Some((stop_after, cancel.clone())),
            ..Recorder::default()
        };
        let (_, report) = plan_and_apply(
            &desired_state(),
            &project,
            &ApplyOptions { concurrency: 1 },
            &recorder,
            &cancel,
        )
        .await;
        assert!(report.interrupted);
        assert_eq!(report.exit_status(), ApplyStatus::Interrupted);
        assert_eq!(report.succeeded(), stop_after);
        assert_eq!(report.skipped(), 7 - stop_after);
        assert!(report.results.iter().all(|r| r.outcome.is_success()
            || r.outcome
                == Outcome::Skipped {
                    reason: SkipReason::Cancelled
                }));
        assert_eq!(project.write_count(), stop_after as u64);

        let (second_plan, rerun) = converge(&desired_state(), &project).await;
        assert_eq!(second_plan.writes().count(), 7 - stop_after);
        assert_eq!(rerun.exit_status(), ApplyStatus::Success);
        assert_eq!(project.write_count(), 7);
        assert_eq!(state(&project).await, normalized(&desired_state()));
    }
}

#[tokio::test]
async fn cancelled_before_start_writes_nothing() {
    let project = live_project();
    let cancel = CancelToken::new();
    cancel.cancel();
    let recorder = Recorder::default();
    let (_, report) = plan_and_apply(
        &desired_state(),
        &project,
        &ApplyOptions::default(),
        &recorder,
        &cancel,
    )
    .await;
    assert_eq!(project.write_count(), 0);
    assert_eq!(report.skipped(), 7);
    assert!(recorder.started.lock().unwrap().is_empty());
    assert_eq!(recorder.finished.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn a_create_that_finds_the_resource_converges_on_it() {
    // The plan was made when neither existed; since then both appeared, one as desired.
    let desired = ResourceSet {
        tenants: vec![tenant("differs", "Wanted"), tenant("same", "Same")],
        ..ResourceSet::default()
    };
    let plan = plan(&desired, &ResourceSet::default(), &prune());
    let project = MemoryProject::default()
        .with([tenant("differs", "Someone else's"), tenant("same", "Same")]);
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success);
    let notes: Vec<Option<String>> = report
        .results
        .iter()
        .map(|r| match &r.outcome {
            Outcome::Succeeded { note } => note.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        notes,
        [
            Some("already existed; updated to the desired state".to_owned()),
            Some("already existed with the desired state".to_owned())
        ]
    );
    // Two failed creates and one update.
    assert_eq!(project.write_count(), 3);
    assert_eq!(state(&project).await, normalized(&desired));
}

#[tokio::test]
async fn roles_and_permissions_that_already_exist_converge_too() {
    let desired = ResourceSet {
        permissions: vec![permission("read")],
        roles: vec![role("viewer", &["read"])],
        ..ResourceSet::default()
    };
    let plan = plan(&desired, &ResourceSet::default(), &prune());
    let project = MemoryProject::default()
        .with([Permission {
            name: "read".into(),
            description: "stale".into(),
            ..Permission::default()
        }])
        .with([role("viewer", &["read"])]);
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success);
    assert_eq!(state(&project).await, normalized(&desired));
}

#[tokio::test]
async fn a_delete_of_something_gone_and_an_update_of_something_gone_converge() {
    let actual = ResourceSet {
        tenants: vec![tenant("gone", "Gone"), tenant("vanished", "Before")],
        ..ResourceSet::default()
    };
    let desired = ResourceSet {
        tenants: vec![tenant("vanished", "After")],
        ..ResourceSet::default()
    };
    let plan = plan(&desired, &actual, &prune());
    let project = MemoryProject::default();
    let report = apply_quietly(&plan, &project).await;
    let by_id: BTreeMap<&str, &Outcome> = report
        .results
        .iter()
        .map(|r| (r.id.as_str(), &r.outcome))
        .collect();
    assert_eq!(
        by_id["gone"],
        &Outcome::Succeeded {
            note: Some("already absent".into())
        }
    );
    assert_eq!(
        by_id["vanished"],
        &Outcome::Succeeded {
            note: Some("re-created: it had been deleted since the plan".into())
        }
    );
    assert_eq!(project.all::<Tenant>(), vec![tenant("vanished", "After")]);
}

#[tokio::test]
async fn a_malformed_change_fails_without_any_call() {
    let plan = Plan {
        prune: false,
        targets: None,
        changes: vec![Change {
            kind: ResourceKind::Tenant,
            id: "acme".into(),
            action: Action::Create,
            fields: Vec::new(),
            before: None,
            after: Some(tenant("other", "Other").into_any()),
        }],
        unmanaged: Vec::new(),
        layout_only: Vec::new(),
    };
    let project = MemoryProject::default();
    let report = apply_quietly(&plan, &project).await;
    assert!(matches!(
        &report.results[0].outcome,
        Outcome::Failed { error: FailureKind::MalformedPlan, message } if message.contains("tenant:other")
    ));
    assert_eq!(project.write_count(), 0);
}

#[tokio::test]
async fn concurrency_is_bounded_and_used() {
    let desired = ResourceSet {
        tenants: (0..40).map(|n| tenant(&format!("t{n:02}"), "T")).collect(),
        ..ResourceSet::default()
    };
    for limit in [1, 3, 8] {
        let project = MemoryProject::default().yield_in_writes();
        let (_, report) = plan_and_apply(
            &desired,
            &project,
            &ApplyOptions { concurrency: limit },
            &NoProgress,
            &CancelToken::new(),
        )
        .await;
        assert_eq!(report.succeeded(), 40);
        assert_eq!(project.max_in_flight_writes(), limit);
    }
}

#[tokio::test]
async fn the_report_serialises_in_snake_case() {
    let project = MemoryProject::default();
    project.fail_writes_to("bad", PortErrorKind::Unauthorized);
    let desired = ResourceSet {
        tenants: vec![tenant("bad", "Bad"), tenant("good", "Good")],
        ..ResourceSet::default()
    };
    let (_, report) = converge(&desired, &project).await;
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::json!({
            "results": [
                {"kind": "tenant", "id": "bad", "action": "create",
                 "outcome": {"status": "failed", "message": "injected failure on write 1 to bad",
                             "error": "unauthorized"}},
                {"kind": "tenant", "id": "good", "action": "create",
                 "outcome": {"status": "succeeded"}}
            ],
            "interrupted": false
        })
    );
    let skipped = Outcome::Skipped {
        reason: SkipReason::DependencyFailed {
            dependency: ResourceRef::new(ResourceKind::Role, "editor"),
        },
    };
    assert_eq!(
        serde_json::to_value(&skipped).unwrap(),
        serde_json::json!({"status": "skipped",
            "reason": {"type": "dependency_failed", "dependency": {"kind": "role", "id": "editor"}}})
    );
}

#[tokio::test]
async fn read_actual_kinds_reads_only_what_is_asked() {
    let project = live_project();
    let tenants_only = read_actual_kinds(&project, &[ResourceKind::Tenant])
        .await
        .unwrap();
    assert_eq!(tenants_only.tenants.len(), 3);
    assert!(tenants_only.roles.is_empty() && tenants_only.permissions.is_empty());
    assert_eq!(
        ResourcePort::<Tenant>::list(&project).await.unwrap(),
        tenants_only.tenants
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// What configuration validation lets through: every role and permission a resource names is
/// declared. A project refuses names of missing resources, so only such sets can converge.
fn consistent(mut set: ResourceSet) -> ResourceSet {
    let permissions: Vec<String> = set.permissions.iter().map(|p| p.name.clone()).collect();
    for role in &mut set.roles {
        role.permission_names
            .retain(|name| permissions.contains(name));
    }
    let roles: Vec<String> = set.roles.iter().map(|r| r.name.clone()).collect();
    for tenant in &mut set.tenants {
        tenant.default_roles.retain(|name| roles.contains(name));
    }
    set
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn applying_to_memory_then_planning_again_is_empty(
        desired in crate::plan::tests::arb_set().prop_map(consistent),
        actual in crate::plan::tests::arb_set(),
        concurrency in 1usize..6,
        batches in any::<bool>(),
    ) {
        runtime().block_on(async {
            let project = MemoryProject::default().with_set(&actual).yield_in_writes();
            let project = if batches { project.with_batches() } else { project };
            let (first, report) = plan_and_apply(
                &desired, &project, &ApplyOptions { concurrency }, &NoProgress, &CancelToken::new(),
            ).await;
            prop_assert_eq!(report.exit_status(), ApplyStatus::Success);
            // Whatever the plan, the estimate is what the run took.
            prop_assert_eq!(project.write_count(), estimate_calls(&first, &project));
            if !batches {
                prop_assert_eq!(project.write_count() as usize, first.writes().count());
            }
            let again = plan(&desired, &read_actual(&project).await.unwrap(), &prune());
            prop_assert!(again.is_empty(), "{:?}", again);
            Ok(())
        })?;
    }
}

#[test]
fn the_apply_future_is_send_so_any_runtime_can_drive_it() {
    fn assert_send<T: Send>(_: &T) {}
    let project = MemoryProject::default();
    let plan = plan(&ResourceSet::default(), &ResourceSet::default(), &prune());
    let cancel = CancelToken::new();
    let options = ApplyOptions::default();
    let future = apply(&plan, &project, &options, &NoProgress, &cancel);
    assert_send(&future);
    let read = read_actual(&project);
    assert_send(&read);
}

fn three_tenants() -> Vec<Tenant> {
    vec![tenant("a1", "A"), tenant("b2", "B"), tenant("c3", "C")]
}

#[tokio::test]
async fn the_nth_write_can_be_made_to_fail() {
    let project = MemoryProject::default();
    project.fail_nth_write(2, PortErrorKind::Unavailable);
    let desired = ResourceSet {
        tenants: three_tenants(),
        ..ResourceSet::default()
    };
    let (_, report) = plan_and_apply(
        &desired,
        &project,
        &ApplyOptions { concurrency: 1 },
        &NoProgress,
        &CancelToken::new(),
    )
    .await;
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|r| !r.outcome.is_success())
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(failed, ["b2"]);
    assert_eq!(project.write_count(), 3);
    assert_eq!(project.all::<Tenant>().len(), 2);
}

#[tokio::test]
async fn cancelling_with_changes_in_flight_lets_them_finish_and_rerun_converges() {
    let desired = ResourceSet {
        tenants: (0..30).map(|n| tenant(&format!("t{n:02}"), "T")).collect(),
        ..ResourceSet::default()
    };
    let project = MemoryProject::default().yield_in_writes();
    let cancel = CancelToken::new();
    let recorder = Recorder {
        cancel_after: Some((5, cancel.clone())),
        ..Recorder::default()
    };
    let (_, report) = plan_and_apply(
        &desired,
        &project,
        &ApplyOptions { concurrency: 4 },
        &recorder,
        &cancel,
    )
    .await;
    assert!(report.interrupted);
    // Everything started was finished and written; nothing after the cancel started.
    let started = recorder.started.lock().unwrap().len();
    assert_eq!(report.succeeded(), started);
    assert!((5..=5 + 3).contains(&started), "{started}");
    assert_eq!(project.all::<Tenant>().len(), started);
    assert_eq!(report.skipped(), 30 - started);

    let (_, rerun) = plan_and_apply(
        &desired,
        &project,
        &ApplyOptions { concurrency: 4 },
        &NoProgress,
        &CancelToken::new(),
    )
    .await;
    assert_eq!(rerun.succeeded(), 30 - started);
    assert_eq!(state(&project).await, normalized(&desired));
    assert_eq!(project.write_count(), 30);
}

#[tokio::test]
async fn cancelled_resolves_every_waiting_clone_and_later_callers_at_once() {
    let token = CancelToken::new();
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let token = token.clone();
            tokio::spawn(async move { token.cancelled().await })
        })
        .collect();
    tokio::task::yield_now().await;
    assert!(waiters.iter().all(|w| !w.is_finished()));
    token.clone().cancel();
    for waiter in waiters {
        // A bound, not a timing assertion: without the fix this hangs rather than fails.
        tokio::time::timeout(std::time::Duration::from_secs(10), waiter)
            .await
            .expect("woken by cancel")
            .unwrap();
    }
    token.cancelled().await;
    assert!(token.is_cancelled());
}

/// A live tenant whose fields outside the configuration hold arbitrary values.
fn arb_live_tenant() -> impl Strategy<Value = Tenant> {
    let ids = prop::collection::vec("[A-Z][0-9]{1,3}", 0..3);
    (
        ids.clone(),
        ids,
        prop::sample::select(vec!["", "none", "userOnly"]),
        prop::sample::select(vec!["", "parent-tenant"]),
        prop::collection::btree_map(
            "[a-z]{1,8}",
            prop::sample::select(vec![json!(1), json!("x"), json!([true])]),
            0..3,
        ),
    )
        .prop_map(|(exclusions, apps, inheritance, parent, unmodelled)| {
            Tenant {
                id: "acme".into(),
                name: "Acme".into(),
                enforce_sso_exclusions: Some(exclusions),
                federated_app_ids: Some(apps),
                role_inheritance: Some(inheritance.into()),
                parent: Some(parent.into()),
                unmodelled,
                ..Tenant::default()
            }
            .normalized()
        })
}

fn arb_live_role() -> impl Strategy<Value = Role> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(default, private, system_default)| Role {
            default: Some(default),
            private: Some(private),
            system_default,
            ..role("viewer", &[])
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Descope's updates overwrite the whole object (and `MemoryProject` does the same), so a
    /// field the configuration does not manage survives only if the update sends it back.
    #[test]
    fn a_managed_change_leaves_every_unmanaged_field_as_it_was(
        live_tenant in arb_live_tenant(),
        live_role in arb_live_role(),
    ) {
        runtime().block_on(async {
            let project = MemoryProject::default()
                .with([live_tenant.clone()])
                .with([live_role.clone()]);
            // What a configuration that manages only the basics produces.
            let desired = ResourceSet {
                tenants: vec![Tenant { name: "Acme Renamed".into(), ..tenant("acme", "") }],
                roles: vec![Role { description: "Reworded".into(), ..role("viewer", &[]) }],
                ..ResourceSet::default()
            };
            let (plan, report) = plan_and_apply(
                &desired, &project, &ApplyOptions::default(), &NoProgress, &CancelToken::new(),
            ).await;
            prop_assert_eq!(report.exit_status(), ApplyStatus::Success);
            prop_assert_eq!(plan.summary().update, 2);
            for change in plan.writes() {
                let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
                prop_assert!(fields == ["name"] || fields == ["description"], "{:?}", fields);
            }

            let tenant_after = project.all::<Tenant>().remove(0);
            prop_assert_eq!(&tenant_after.name, "Acme Renamed");
            prop_assert_eq!(
                Tenant { name: live_tenant.name.clone(), ..tenant_after },
                live_tenant
            );
            let role_after = project.all::<Role>().remove(0);
            prop_assert_eq!(&role_after.description, "Reworded");
            prop_assert_eq!(
                Role { description: live_role.description.clone(), ..role_after },
                live_role
            );
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn a_tenant_parent_change_is_refused_not_planned_as_a_silent_update() {
    let live = Tenant {
        parent: Some("old-parent".into()),
        ..tenant("acme", "Acme")
    };
    let desired = ResourceSet {
        tenants: vec![Tenant {
            parent: Some("new-parent".into()),
            ..tenant("acme", "Acme")
        }],
        ..ResourceSet::default()
    };
    let actual = ResourceSet {
        tenants: vec![live.clone()],
        ..ResourceSet::default()
    };
    let refused = crate::plan::refusals(&desired, &actual, &PlanOptions::default());
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].contains("must be deleted and recreated"),
        "{refused:?}"
    );
    assert!(refused[0].contains("`old-parent`") && refused[0].contains("`new-parent`"));

    let unmanaged = ResourceSet {
        tenants: vec![tenant("acme", "Acme")],
        ..ResourceSet::default()
    };
    assert!(crate::plan::refusals(&unmanaged, &actual, &PlanOptions::default()).is_empty());
}

#[tokio::test]
async fn a_built_in_role_outside_every_list_survives_a_prune() {
    let scim = Role {
        system_default: Some(true),
        ..role("SCIM", &[])
    };
    let project = MemoryProject::default().with([scim.clone(), role("stray", &[])]);
    let mut actual = read_actual(&project).await.unwrap();
    crate::environment::drop_system_defaults(&mut actual, &ResourceSet::default());
    let plan = plan(&ResourceSet::default(), &actual, &prune());
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success);
    assert_eq!(project.all::<Role>(), vec![scim]);
}

/// Whether a duplicate create answers 409 or 400, and a missing object 404 or 400, is not
/// documented: the engine re-reads the object after any such answer.
#[tokio::test]
async fn creates_and_deletes_converge_when_the_server_answers_400_for_conflicts_and_missing() {
    let project = MemoryProject::default()
        .with([tenant("acme", "Acme")])
        .answer_conflict_and_missing_with(PortErrorKind::Invalid);
    let create = Change {
        kind: ResourceKind::Tenant,
        id: "acme".into(),
        action: Action::Create,
        fields: Vec::new(),
        before: None,
        after: Some(tenant("acme", "Acme").into_any()),
    };
    let delete = Change {
        kind: ResourceKind::Tenant,
        id: "gone".into(),
        action: Action::Delete,
        fields: Vec::new(),
        before: Some(tenant("gone", "Gone").into_any()),
        after: None,
    };
    let plan = Plan {
        prune: true,
        targets: None,
        changes: vec![create, delete],
        unmanaged: Vec::new(),
        layout_only: Vec::new(),
    };
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success, "{report:?}");
    let notes: Vec<Option<String>> = report
        .results
        .iter()
        .map(|result| match &result.outcome {
            Outcome::Succeeded { note } => note.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        notes,
        [
            Some("already existed with the desired state".to_owned()),
            Some("already absent".to_owned())
        ]
    );

    // A 400 that is a real rejection (nothing there afterwards) still fails.
    let invalid = MemoryProject::default();
    invalid.fail_writes_to("bad", PortErrorKind::Invalid);
    let plan = Plan {
        prune: false,
        targets: None,
        changes: vec![Change {
            kind: ResourceKind::Tenant,
            id: "bad".into(),
            action: Action::Create,
            fields: Vec::new(),
            before: None,
            after: Some(tenant("bad", "Bad").into_any()),
        }],
        unmanaged: Vec::new(),
        layout_only: Vec::new(),
    };
    let report = apply_quietly(&plan, &invalid).await;
    assert!(matches!(report.results[0].outcome, Outcome::Failed { .. }));
}

#[test]
fn a_cycle_of_tenant_renames_is_refused_but_a_chain_is_not() {
    let set = |names: &[(&str, &str)]| ResourceSet {
        tenants: names.iter().map(|(id, name)| tenant(id, name)).collect(),
        ..ResourceSet::default()
    };
    let live = set(&[("a", "A"), ("b", "B"), ("c", "C")]);
    let rotated = set(&[("a", "B"), ("b", "C"), ("c", "A")]);
    let refused = crate::plan::refusals(&rotated, &live, &PlanOptions::default());
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].starts_with(
            r#"tenants a, b, c swap names (a: "A" -> "B", b: "B" -> "C", c: "C" -> "A")"#
        ),
        "{refused:?}"
    );
    // `a` takes `b`'s name while `b` moves to a free one: an order exists, nothing to refuse.
    let chain = set(&[("a", "B"), ("b", "D"), ("c", "C")]);
    assert!(crate::plan::refusals(&chain, &live, &PlanOptions::default()).is_empty());
}

#[test]
fn each_cycle_of_tenant_renames_is_refused_once_from_its_smallest_id() {
    let set = |names: &[(&str, &str)]| ResourceSet {
        tenants: names.iter().map(|(id, name)| tenant(id, name)).collect(),
        ..ResourceSet::default()
    };
    let live = set(&[
        ("a", "A"),
        ("d", "D"),
        ("e", "E"),
        ("m", "M"),
        ("x", "X"),
        ("z", "Z"),
    ]);
    // `a` leads into the cycle z -> m -> z without being in it; `d` and `e` swap.
    let wanted = set(&[
        ("a", "Z"),
        ("d", "E"),
        ("e", "D"),
        ("m", "Z"),
        ("x", "X"),
        ("z", "M"),
    ]);
    let refused = crate::plan::refusals(&wanted, &live, &PlanOptions::default());
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].starts_with(r#"tenants d and e swap names (d: "D" -> "E", e: "E" -> "D")"#),
        "{refused:?}"
    );
    assert!(
        refused[1].starts_with(r#"tenants m and z swap names (m: "M" -> "Z", z: "Z" -> "M")"#),
        "{refused:?}"
    );
}

/// A project where roles and permissions exist in bulk: batches pay off there.
fn bulk_project(batches: bool) -> MemoryProject {
    let project = MemoryProject::default()
        .with((0..3).map(|n| permission(&format!("p{n}"))))
        .with((0..3).map(|n| role(&format!("old{n}"), &["p0"])))
        .with((0..3).map(|n| role(&format!("keep{n}"), &["p0"])));
    if batches {
        project.with_batches()
    } else {
        project
    }
}

/// Three role creates, three role updates, three role deletes, one permission create.
fn bulk_desired() -> ResourceSet {
    let mut roles: Vec<Role> = (0..3).map(|n| role(&format!("new{n}"), &["p9"])).collect();
    roles.extend((0..3).map(|n| role(&format!("keep{n}"), &["p1"])));
    let mut permissions: Vec<Permission> = (0..3).map(|n| permission(&format!("p{n}"))).collect();
    permissions.push(permission("p9"));
    ResourceSet {
        permissions,
        roles,
        ..ResourceSet::default()
    }
}

#[tokio::test]
async fn a_batching_port_gets_one_call_per_action_and_the_estimate_says_so() {
    let project = bulk_project(true);
    let actual = read_actual(&project).await.unwrap();
    let plan = plan(&bulk_desired(), &actual, &prune());
    // Roles: one create, one update and one delete batch; the lone permission create goes alone.
    assert_eq!(estimate_calls(&plan, &project), 4);
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success, "{report:?}");
    assert_eq!(project.write_count(), 4);
    assert_eq!(state(&project).await, normalized(&bulk_desired()));
}

#[tokio::test]
async fn without_batches_every_change_is_a_call_and_the_estimate_says_so() {
    let project = bulk_project(false);
    let actual = read_actual(&project).await.unwrap();
    let plan = plan(&bulk_desired(), &actual, &prune());
    assert_eq!(estimate_calls(&plan, &project), 10);
    apply_quietly(&plan, &project).await;
    assert_eq!(project.write_count(), 10);
    assert_eq!(state(&project).await, normalized(&bulk_desired()));
}

#[tokio::test]
async fn a_refused_batch_falls_back_to_single_calls_and_only_the_bad_item_fails() {
    let project = bulk_project(true);
    let actual = read_actual(&project).await.unwrap();
    let plan = plan(&bulk_desired(), &actual, &prune());
    project.fail_writes_to("new1", PortErrorKind::Unauthorized);
    let report = apply_quietly(&plan, &project).await;
    let failed: Vec<&str> = report
        .results
        .iter()
        .filter(|result| !result.outcome.is_success())
        .map(|result| result.id.as_str())
        .collect();
    assert_eq!(failed, ["new1"], "{report:?}");
    // The refused create batch, then one create per role; the other batches went through.
    assert_eq!(project.write_count(), 4 + 3);
    let roles: Vec<String> = project.all::<Role>().into_iter().map(|r| r.name).collect();
    assert!(roles.contains(&"new0".to_owned()) && roles.contains(&"new2".to_owned()));
}

#[tokio::test]
async fn a_batched_create_that_finds_its_role_converges_like_a_single_one() {
    let project = bulk_project(true);
    let actual = read_actual(&project).await.unwrap();
    let plan = plan(&bulk_desired(), &actual, &prune());
    // Created by someone else since the plan: the batch is refused, the single create finds it.
    let project = project.with([role("new0", &["p0"])]);
    let report = apply_quietly(&plan, &project).await;
    assert_eq!(report.exit_status(), ApplyStatus::Success, "{report:?}");
    let new0 = report
        .results
        .iter()
        .find(|result| result.id == "new0")
        .unwrap();
    assert_eq!(
        new0.outcome,
        Outcome::Succeeded {
            note: Some("already existed; updated to the desired state".into())
        }
    );
    assert_eq!(state(&project).await, normalized(&bulk_desired()));
}

/// Issue 17 item 11: with the server gone, the first change that cannot reach it is the last one
/// sent; the rest are reported as not attempted (not each retried into its own failure), and a
/// rerun once the server is back converges.
#[tokio::test]
async fn once_the_server_is_unreachable_the_remaining_changes_are_not_attempted() {
    let project = MemoryProject::default();
    project.fail_nth_write(2, PortErrorKind::Unreachable);
    let desired = ResourceSet {
        permissions: vec![permission("read")],
        tenants: three_tenants(),
        ..ResourceSet::default()
    };
    let (_, report) = plan_and_apply(
        &desired,
        &project,
        &ApplyOptions { concurrency: 1 },
        &NoProgress,
        &CancelToken::new(),
    )
    .await;
    let outcomes: Vec<(&str, &Outcome)> = report
        .results
        .iter()
        .map(|r| (r.id.as_str(), &r.outcome))
        .collect();
    assert_eq!(outcomes[0], ("read", &Outcome::succeeded()));
    assert!(
        matches!(
            outcomes[1],
            (
                "a1",
                Outcome::Failed {
                    error: FailureKind::Unreachable,
                    ..
                }
            )
        ),
        "{outcomes:?}"
    );
    let not_attempted = Outcome::Skipped {
        reason: SkipReason::ServerUnreachable {
            first_failure: ResourceRef::new(ResourceKind::Tenant, "a1"),
        },
    };
    assert_eq!(
        outcomes[2..],
        [("b2", &not_attempted), ("c3", &not_attempted)]
    );
    assert_eq!(project.write_count(), 2, "nothing sent after the outage");
    assert_eq!(report.exit_status(), ApplyStatus::Partial);

    let (_, rerun) = converge(&desired, &project).await;
    assert_eq!(rerun.exit_status(), ApplyStatus::Success);
    assert_eq!(project.all::<Tenant>().len(), 3);
}
