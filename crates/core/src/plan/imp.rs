//! The planner: a pure function from desired and live state to a [`Plan`].

use std::collections::BTreeMap;

use super::change::{Action, Change, Plan, PlanOptions, ResourceSet};
use super::model::{Resource, ResourceRef, field_diff};
use crate::resource::{KindVisitor, visit_kinds};

/// Computes the changes that make `actual` match `desired`.
///
/// Both sides are normalised before comparison. If `desired` names the same identity twice the
/// last one wins (config validation rejects duplicates before this point).
pub fn plan(desired: &ResourceSet, actual: &ResourceSet, options: &PlanOptions) -> Plan {
    let mut plan = Plan {
        prune: options.prune,
        targets: options
            .targets
            .as_ref()
            .map(|targets| targets.iter().cloned().collect()),
        changes: Vec::new(),
        unmanaged: Vec::new(),
        layout_only: Vec::new(),
    };
    // Kinds are visited in declaration order, which `ResourceKind`'s derived `Ord` follows, so
    // the plan comes out sorted by kind.
    visit_kinds(&mut PlanEachKind {
        desired,
        actual,
        options,
        plan: &mut plan,
    });
    plan
}

struct PlanEachKind<'a> {
    desired: &'a ResourceSet,
    actual: &'a ResourceSet,
    options: &'a PlanOptions,
    plan: &'a mut Plan,
}

impl KindVisitor for PlanEachKind<'_> {
    fn visit<R: Resource>(&mut self) {
        plan_kind::<R>(self.desired, self.actual, self.options, self.plan);
    }
}

fn plan_kind<R: Resource>(
    desired: &ResourceSet,
    actual: &ResourceSet,
    options: &PlanOptions,
    plan: &mut Plan,
) {
    if !options.includes_kind(R::KIND) {
        return;
    }
    // Both sides are walked together in identity order and each resource is normalised only as
    // its change is made: at 100,000 tenants a normalised copy of a whole side is hundreds of
    // megabytes.
    let mut desired = index(R::of(desired)).into_iter().peekable();
    let mut actual = index(R::of(actual)).into_iter().peekable();
    loop {
        let (id, before, after) = match (desired.peek(), actual.peek()) {
            (None, None) => break,
            (Some((wanted, _)), Some((live, _))) if wanted == live => {
                let (id, after) = desired.next().expect("peeked");
                let (_, before) = actual.next().expect("peeked");
                (id, Some(before), Some(after))
            }
            (Some((wanted, _)), Some((live, _))) if live < wanted => {
                let (id, before) = actual.next().expect("peeked");
                (id, Some(before), None)
            }
            (Some(_), _) => {
                let (id, after) = desired.next().expect("peeked");
                (id, None, Some(after))
            }
            (None, Some(_)) => {
                let (id, before) = actual.next().expect("peeked");
                (id, Some(before), None)
            }
        };
        let reference = ResourceRef::new(R::KIND, id);
        if !options.includes(&reference) {
            continue;
        }
        let id = id.to_owned();
        let before = before.map(|live| live.clone().normalize());
        let after = after.map(|wanted| wanted.clone().normalize());
        let change = match (before, after) {
            (None, Some(after)) => Change {
                kind: R::KIND,
                id,
                action: Action::Create,
                fields: Vec::new(),
                before: None,
                after: Some(after.into_any()),
            },
            (Some(before), Some(after)) => {
                // What the configuration leaves unmanaged takes the live value, so the update
                // sends it back unchanged and the diff shows only managed fields.
                let after = after.carry_unmanaged(&before).normalize();
                let mut fields = field_diff(&before, &after);
                let layout = before.layout_diffs(&after);
                if options.strict_layout {
                    fields.extend(layout);
                } else if fields.is_empty() && !layout.is_empty() {
                    plan.layout_only.push(reference.clone());
                }
                let action = if fields.is_empty() {
                    Action::Unchanged
                } else {
                    Action::Update
                };
                Change {
                    kind: R::KIND,
                    id,
                    action,
                    fields,
                    before: Some(before.into_any()),
                    after: (action == Action::Update).then(|| after.into_any()),
                }
            }
            (Some(before), None) if options.prune => Change {
                kind: R::KIND,
                id,
                action: Action::Delete,
                fields: Vec::new(),
                before: Some(before.into_any()),
                after: None,
            },
            (Some(_), None) => {
                plan.unmanaged.push(reference);
                continue;
            }
            (None, None) => continue,
        };
        plan.changes.push(change);
    }
}

/// Resources by identity; a repeated identity keeps the last. Normalising never changes an
/// identity, so the index can hold the resources as they are.
fn index<R: Resource>(resources: &[R]) -> BTreeMap<&str, &R> {
    resources
        .iter()
        .map(|resource| (resource.identity(), resource))
        .collect()
}

/// The updates `plan` would need that Descope cannot make (a tenant's parent is set only on
/// create), one sentence each. A caller must refuse such a plan: applying it would silently leave
/// the difference in place.
pub fn refusals(desired: &ResourceSet, actual: &ResourceSet, options: &PlanOptions) -> Vec<String> {
    struct Refusals<'a> {
        desired: &'a ResourceSet,
        actual: &'a ResourceSet,
        options: &'a PlanOptions,
        found: Vec<String>,
    }
    impl KindVisitor for Refusals<'_> {
        fn visit<R: Resource>(&mut self) {
            if !self.options.includes_kind(R::KIND) {
                return;
            }
            let live = index(R::of(self.actual));
            for wanted in R::of(self.desired) {
                let reference = ResourceRef::new(R::KIND, wanted.identity());
                if !self.options.includes(&reference) {
                    continue;
                }
                if let Some(reason) = live
                    .get(wanted.identity())
                    .and_then(|live| wanted.update_refused(live))
                {
                    self.found.push(reason);
                }
            }
        }
    }
    let mut visitor = Refusals {
        desired,
        actual,
        options,
        found: Vec::new(),
    };
    visit_kinds(&mut visitor);
    visitor
        .found
        .extend(tenant_name_cycles(desired, actual, options));
    visitor.found
}

/// Tenant renames that form a cycle (`alpha` takes `bravo`'s live name while `bravo` takes
/// `alpha`'s): tenant names are unique, so every order of the renames hits a conflict and the
/// plan could never converge. One sentence per cycle, with the way out.
fn tenant_name_cycles(
    desired: &ResourceSet,
    actual: &ResourceSet,
    options: &PlanOptions,
) -> Vec<String> {
    use crate::resource::Tenant;
    if !options.includes_kind(Tenant::KIND) {
        return Vec::new();
    }
    let live_name: BTreeMap<&str, &str> = actual
        .tenants
        .iter()
        .map(|tenant| (tenant.id.as_str(), tenant.name.as_str()))
        .collect();
    let owner_of: BTreeMap<&str, &str> = actual
        .tenants
        .iter()
        .map(|tenant| (tenant.name.as_str(), tenant.id.as_str()))
        .collect();
    // Each renamed tenant points at the tenant that holds its new name today.
    let renames: BTreeMap<&str, (&str, &str)> = desired
        .tenants
        .iter()
        .filter(|wanted| options.includes(&ResourceRef::new(Tenant::KIND, wanted.id.clone())))
        .filter_map(|wanted| {
            let old = *live_name.get(wanted.id.as_str())?;
            (old != wanted.name).then_some((wanted.id.as_str(), (old, wanted.name.as_str())))
        })
        .collect();
    // Every renamed tenant points at no more than one other, so each is walked once: a walk
    // stops at a tenant an earlier walk reached, and a cycle is a walk meeting itself. A chain
    // of n renames costs n steps, not n² (1,000,000 tenants shifting names stay linear).
    let next_of = |id: &str| {
        renames
            .get(id)
            .and_then(|(_, new)| owner_of.get(new))
            .copied()
            .filter(|next| renames.contains_key(next))
    };
    let mut walked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    for (walk, &first) in renames.keys().enumerate() {
        let mut path = Vec::new();
        let mut at = Some(first);
        while let Some(id) = at {
            if let Some(&seen_in) = walked.get(id) {
                if seen_in == walk {
                    let from = path.iter().position(|step| *step == id).unwrap_or(0);
                    let mut cycle = path.split_off(from);
                    // Named from its smallest id, as a person would read the rotation.
                    let smallest = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                    cycle.rotate_left(smallest);
                    // A tenant cannot take its own live name, so this never drops a real cycle.
                    if cycle.len() > 1 {
                        cycles.push(cycle);
                    }
                }
                break;
            }
            walked.insert(id, walk);
            path.push(id);
            at = next_of(id);
        }
    }
    cycles.sort_unstable();
    let mut found = Vec::new();
    for cycle in cycles {
        let start = cycle[0];
        let ids = match cycle.as_slice() {
            [first, second] => format!("{first} and {second}"),
            more => more.join(", "),
        };
        let steps: Vec<String> = cycle
            .iter()
            .map(|id| {
                let (old, new) = renames[id];
                format!("{id}: {old:?} -> {new:?}")
            })
            .collect();
        let (_, first_new) = renames[start];
        found.push(format!(
            "tenants {ids} swap names ({}); tenant names are unique, so no order of renames can \
             apply this: give {start} a temporary name first (e.g. name: {:?}), apply, then set \
             the final names and apply again",
            steps.join(", "),
            format!("{first_new} (renaming)"),
        ));
    }
    found
}
