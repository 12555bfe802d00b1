//! Pacing and concurrency per environment: the embedded emulator is not paced unless its block
//! sets a `rate_limit`; `--concurrency` takes a positive count.

use super::support::{descope_mgmt, run};

fn local_config(dir: &std::path::Path, rate_limit: &str, tenants: usize) {
    let mut yaml = format!(
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: state/local.json\n{rate_limit}tenants:\n"
    );
    for n in 0..tenants {
        yaml.push_str(&format!("  - id: t-{n}\n    name: Tenant {n}\n"));
    }
    std::fs::write(dir.join("descope.yaml"), yaml).unwrap();
}

/// Applies to `local` and returns the report's `api` block.
fn apply_local(dir: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let report = dir.join("report.json");
    let result = run(descope_mgmt(dir)
        .args([
            "-c",
            "descope.yaml",
            "apply",
            "--env",
            "local",
            "--no-progress",
        ])
        .args(["--report", report.to_str().unwrap()])
        .args(extra)
        .env("DESCOPE_MGMT_STATE_DIR", dir.join("state")));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(document["created"], 30, "{document}");
    document["api"].clone()
}

#[test]
fn the_embedded_emulator_is_not_paced_unless_its_block_sets_a_rate_limit() {
    // 30 creates exceed the burst of any limiter at 200 per 60 s (and at 2 per second).
    let unpaced = tempfile::tempdir().unwrap();
    local_config(unpaced.path(), "", 30);
    let api = apply_local(unpaced.path(), &[]);
    assert_eq!(api["limiter_wait_ms"], 0, "{api}");

    let paced = tempfile::tempdir().unwrap();
    local_config(
        paced.path(),
        "    rate_limit: { requests: 30, per_seconds: 1 }\n",
        30,
    );
    let api = apply_local(paced.path(), &["--concurrency", "4"]);
    assert!(api["limiter_wait_ms"].as_u64().unwrap() > 0, "{api}");
}

#[test]
fn concurrency_must_be_a_positive_count() {
    let dir = tempfile::tempdir().unwrap();
    local_config(dir.path(), "", 1);
    let result = run(descope_mgmt(dir.path()).args([
        "-c",
        "descope.yaml",
        "apply",
        "--env",
        "local",
        "--concurrency",
        "0",
    ]));
    assert_eq!(result.code, 64, "{}", result.stderr);
    assert!(result.stderr.contains("--concurrency"), "{}", result.stderr);
}
