//! Normalise and diff the largest corpus document, the 199 KB "User Profile" widget export (nine
//! v2 flows and a root screen), against a modified copy: a text edit in a screen, a rewired `next`,
//! a canvas move and a new task in every flow. Target (issue 11): ≤ 10 ms.
//!
//! Run: `cargo bench -p descope-mgmt-core --bench flow_diff` (the corpus is found by walking up
//! from this crate to `shared/data/descope-exports`, or through `DESCOPE_EXPORTS_DIR`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use descope_mgmt_core::flow::{FlowDiff, FlowDocument, diff_components};
use serde_json::{Value, json};

const RUNS: usize = 51;

fn corpus_file(name: &str) -> Vec<u8> {
    let dir = std::env::var("DESCOPE_EXPORTS_DIR").map_or_else(
        |_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|dir| dir.join("shared/data/descope-exports"))
                .chain([PathBuf::from("/work/shared/data/descope-exports")])
                .find(|dir| dir.is_dir())
                .expect("the export corpus: set DESCOPE_EXPORTS_DIR")
        },
        PathBuf::from,
    );
    std::fs::read(dir.join(name)).expect("corpus file")
}

fn modified(widget: &Value) -> Value {
    let mut copy = widget.clone();
    for flow in copy["flows"].as_array_mut().expect("flows") {
        let tasks = flow["contents"]["tasks"].as_object_mut().expect("tasks");
        let first = tasks.keys().next().expect("a task").clone();
        tasks[&first]["view"] = json!({"x": 1, "y": 2});
        if let Some(rule) = tasks[&first].pointer_mut("/next/rules/0/taskId") {
            *rule = json!("bench-new");
        }
        tasks.insert(
            "bench-new".into(),
            json!({"id": "bench-new", "name": "End", "type": "automated", "action": "logged-in", "next": {}}),
        );
        for screen in flow["screens"].as_array_mut().expect("screens") {
            for node in screen["contents"]
                .as_object_mut()
                .expect("nodes")
                .values_mut()
            {
                if node["props"]["children"].is_string() {
                    node["props"]["children"] = json!("Changed text");
                    break;
                }
            }
        }
    }
    copy
}

fn documents(widget: &Value) -> Vec<FlowDocument> {
    widget["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .map(|flow| FlowDocument::from_json(flow.clone()).expect("flow"))
        .collect()
}

/// What the plan does with two read documents: normalise both sides, then diff.
fn normalise_and_diff(
    before: &[FlowDocument],
    after: &[FlowDocument],
    widgets: (&Value, &Value),
) -> usize {
    let mut changes = 0;
    for (old, new) in before.iter().zip(after) {
        let diff = FlowDiff::between(&old.normalize(), &new.normalize());
        changes += diff.tasks.len() + diff.screens.len() + diff.layout.len();
    }
    changes += diff_components(
        widgets.0["screens"][0].get("contents"),
        widgets.1["screens"][0].get("contents"),
    )
    .len();
    changes
}

/// Time this thread has spent on a CPU (Linux `schedstat`), so that a machine shared with other
/// builds does not count their time slices; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Wall-clock and on-CPU time of one run.
fn measure(mut run: impl FnMut()) -> (Duration, Option<Duration>) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    run();
    let on_cpu = cpu.zip(cpu_time()).map(|(start, end)| end - start);
    (wall.elapsed(), on_cpu)
}

fn medians(samples: Vec<(Duration, Option<Duration>)>) -> String {
    let wall = median(samples.iter().map(|s| s.0).collect());
    let cpu: Option<Vec<Duration>> = samples.iter().map(|s| s.1).collect();
    match cpu.map(median) {
        Some(cpu) => format!(
            "{:.2} ms wall, {:.2} ms on CPU",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3
        ),
        None => format!("{:.2} ms wall", wall.as_secs_f64() * 1e3),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let text = corpus_file("terraform-provider-descope/testwidget.json");
    let before: Value = serde_json::from_slice(&text).expect("json");
    let after = modified(&before);
    let after_text = serde_json::to_vec(&after).expect("json");

    let (old_flows, new_flows) = (documents(&before), documents(&after));
    let changes = normalise_and_diff(&old_flows, &new_flows, (&before, &after));
    assert!(
        changes >= 27,
        "the modified copy differs in every flow ({changes})"
    );

    let diff_only: Vec<_> = (0..RUNS)
        .map(|_| {
            measure(|| {
                black_box(normalise_and_diff(
                    black_box(&old_flows),
                    black_box(&new_flows),
                    (&before, &after),
                ));
            })
        })
        .collect();
    let with_parse: Vec<_> = (0..RUNS)
        .map(|_| {
            measure(|| {
                let b: Value = serde_json::from_slice(black_box(&text)).expect("json");
                let a: Value = serde_json::from_slice(black_box(&after_text)).expect("json");
                black_box(normalise_and_diff(&documents(&b), &documents(&a), (&b, &a)));
            })
        })
        .collect();
    println!(
        "flow_diff: widget of {} bytes, {changes} changes found ({RUNS} runs, medians; target ≤ 10 ms)\n  \
         normalise+diff: {}\n  parse+normalise+diff: {}",
        text.len(),
        medians(diff_only),
        medians(with_parse),
    );
}
