//! The server going away mid-apply (issue 17 item 11): the first change that cannot reach it is
//! the last one sent, the rest are reported as not attempted, and the report is still written.

use std::process::Stdio;

use serde_json::json;

use super::world::{World, numbered_tenants, read_json, wait_while_running};

#[test]
fn with_the_server_gone_the_rest_is_reported_not_attempted_after_the_first_failure() {
    let mut world = World::new(&numbered_tenants(6));
    let report = world.path("report.json");
    // Each call takes 1.5 s, so the server is stopped while the first writes are under way.
    world.post("/emulator/faults", json!({"latencyMs": 1500}));
    let mut apply = world
        .cli(&[
            "apply",
            "--env",
            "dev",
            "--no-progress",
            "--concurrency",
            "1",
            "--report",
            report.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_while_running(&mut apply, "the first write", || world.writes() >= 1);
    world.stop_emulator();
    let output = apply.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");

    let document = read_json(&report);
    let results = document["results"].as_array().unwrap();
    let status =
        |result: &serde_json::Value| result["outcome"]["status"].as_str().unwrap().to_owned();
    let failed: Vec<_> = results.iter().filter(|r| status(r) == "failed").collect();
    assert_eq!(failed.len(), 1, "one change meets the outage: {document:#}");
    assert_eq!(failed[0]["outcome"]["error"], "unreachable");
    let first = format!("tenant:{}", failed[0]["id"].as_str().unwrap());
    let not_attempted: Vec<_> = results.iter().filter(|r| status(r) == "skipped").collect();
    assert!(!not_attempted.is_empty(), "{document:#}");
    for skipped in &not_attempted {
        assert_eq!(
            skipped["outcome"]["reason"],
            format!(
                "not attempted: the server stopped answering (first at {first}); rerun apply once it is back"
            ),
        );
    }
    assert_eq!(
        document["created"].as_u64().unwrap() as usize + 1 + not_attempted.len(),
        6
    );
    assert!(
        stderr.contains("not attempted: the server stopped answering"),
        "{stderr}"
    );
}
