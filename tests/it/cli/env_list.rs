//! `env list`: every environment, keys masked, and the key itself never printed anywhere.

use super::support::{descope_mgmt, run};

const CANARY: &str = "K2canaryXYZsecretManagementKey0123456789";

fn config_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("descope.yaml"),
        "version: \"1.0\"\nenvironments:\n  local:\n    emulator: state/local.json\n  dev:\n    project_id: P2dev\n    management_key: ${CANARY_KEY}\n  prod:\n    project_id: P2prod\n    management_key: ${CANARY_KEY}\n    base_url: https://api.example.test\n    protected: true\n    rate_limit: {requests: 50, per_seconds: 10}\n",
    )
    .unwrap();
    dir
}

#[test]
fn keys_are_masked_in_every_format_and_never_printed() {
    let dir = config_dir();
    for format in ["table", "json", "yaml"] {
        let result = run(descope_mgmt(dir.path())
            .args([
                "env",
                "list",
                "-c",
                "descope.yaml",
                "-vvv",
                "--format",
                format,
            ])
            .env("CANARY_KEY", CANARY));
        assert_eq!(result.code, 0, "{format}: {}", result.stderr);
        for stream in [&result.stdout, &result.stderr] {
            assert!(!stream.contains(CANARY), "{format}: the key leaked");
            assert!(
                !stream.contains("canaryXYZ"),
                "{format}: part of the key leaked"
            );
        }
        assert!(
            result.stdout.contains("K2ca…"),
            "{format}: {}",
            result.stdout
        );
    }
}

#[test]
fn json_listing_describes_each_environment() {
    let dir = config_dir();
    let result = run(descope_mgmt(dir.path())
        .args(["env", "list", "-c", "descope.yaml", "--format", "json"])
        .env("CANARY_KEY", CANARY)
        .env("DESCOPE_BASE_URL", "http://127.0.0.1:4480"));
    assert_eq!(result.code, 0, "{}", result.stderr);
    let listing: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    assert_eq!(listing["format_version"], 1);
    let envs = listing["environments"].as_array().unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "local", "prod"]);
    assert_eq!(envs[0]["base_url"], "http://127.0.0.1:4480");
    assert_eq!(envs[0]["rate_limit"]["requests"], 200);
    assert_eq!(envs[1]["kind"], "emulator");
    assert!(envs[1]["management_key"].is_null());
    assert!(
        envs[1]["emulator_state"]
            .as_str()
            .unwrap()
            .ends_with("state/local.json")
    );
    assert_eq!(envs[2]["base_url"], "https://api.example.test");
    assert_eq!(envs[2]["protected"], true);
    assert_eq!(envs[2]["rate_limit"]["per_seconds"], 10);
}

#[test]
fn invalid_configuration_exits_3_before_listing() {
    let dir = config_dir();
    let result = run(descope_mgmt(dir.path()).args(["env", "list", "-c", "descope.yaml"]));
    assert_eq!(result.code, 3);
    assert!(result.stderr.contains("undefined variable CANARY_KEY"));
    assert_eq!(result.stdout, "");
}
