//! Planner and apply-engine throughput, in process (no HTTP): how much of the design's
//! "plan of 10,000 tenants in ≤ 1 s end to end" budget the pure planner uses, and the engine's
//! own overhead per change.
//!
//! Run: `cargo bench -p descope-mgmt-core --bench core_plan`

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use descope_mgmt_core::apply::{ApplyOptions, CancelToken, NoProgress, apply};
use descope_mgmt_core::memory::MemoryProject;
use descope_mgmt_core::plan::{PlanOptions, ResourceSet, check_fresh, plan};
use descope_mgmt_core::resource::Tenant;

const TENANTS: usize = 10_000;
const RUNS: usize = 15;

fn tenant(index: usize, name: &str) -> Tenant {
    Tenant {
        id: format!("tenant-{index:05}"),
        name: name.to_owned(),
        self_provisioning_domains: vec![
            format!("T{index}.Example.com"),
            format!("t{index}.example.org"),
        ],
        custom_attributes: BTreeMap::from([
            ("tier".to_owned(), serde_json::json!("gold")),
            ("seats".to_owned(), serde_json::json!(index)),
        ]),
        enforce_sso: index.is_multiple_of(2),
        disabled: false,
        default_roles: vec!["viewer".to_owned(), "editor".to_owned()],
        ..Tenant::default()
    }
}

/// Desired: 10,000 tenants. Live: the same, with every 10th renamed, every 20th missing, and 500
/// extra, listed in reverse order as a server might.
fn states() -> (ResourceSet, ResourceSet) {
    let desired = ResourceSet {
        tenants: (0..TENANTS).map(|i| tenant(i, "Tenant")).collect(),
        ..ResourceSet::default()
    };
    let mut live: Vec<Tenant> = (0..TENANTS)
        .filter(|i| !i.is_multiple_of(20))
        .map(|i| tenant(i, if i % 10 == 5 { "Old name" } else { "Tenant" }))
        .chain((TENANTS..TENANTS + 500).map(|i| tenant(i, "Extra")))
        .collect();
    live.reverse();
    let actual = ResourceSet {
        tenants: live,
        ..ResourceSet::default()
    };
    (desired, actual)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(label: &str, mut run: impl FnMut()) {
    run();
    let samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    let best = samples.iter().min().copied().unwrap_or_default();
    println!(
        "{label:<48} median {:>9.2?}  best {:>9.2?}  ({RUNS} runs)",
        median(samples),
        best
    );
}

fn main() {
    let (desired, actual) = states();
    let prune = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let the_plan = plan(&desired, &actual, &prune);
    let summary = the_plan.summary();
    println!(
        "plan of {TENANTS} desired vs {} live tenants: {} create, {} update, {} delete, {} unchanged",
        actual.tenants.len(),
        summary.create,
        summary.update,
        summary.delete,
        summary.unchanged
    );

    measure("plan (10,000 tenants, prune)", || {
        black_box(plan(black_box(&desired), black_box(&actual), &prune));
    });
    measure("plan + serialise to JSON", || {
        let plan = plan(&desired, &actual, &prune);
        black_box(serde_json::to_vec(&plan).unwrap());
    });
    measure("check_fresh (fingerprints of touched resources)", || {
        check_fresh(black_box(&the_plan), black_box(&actual)).unwrap();
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let writes = the_plan.writes().count();
    measure(
        &format!("apply {writes} changes to memory (concurrency 32)"),
        || {
            let project = MemoryProject::default().with(actual.tenants.clone());
            let report = runtime.block_on(apply(
                &the_plan,
                &project,
                &ApplyOptions { concurrency: 32 },
                &NoProgress,
                &CancelToken::new(),
            ));
            assert_eq!(report.succeeded(), writes);
        },
    );
}
