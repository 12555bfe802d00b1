//! Global flags and exit codes of argument parsing.

use super::support::{descope_mgmt, repo_root, run};

#[test]
fn bad_flags_exit_64() {
    for args in [
        vec!["--no-such-flag", "config", "validate"],
        vec!["config", "validate", "--format", "xml"],
        vec!["config"],
        vec!["no-such-command"],
        vec!["-v", "-q", "config", "validate"],
    ] {
        let result = run(descope_mgmt(&repo_root()).args(&args));
        assert_eq!(result.code, 64, "{args:?}: {}", result.stderr);
        assert_eq!(result.stdout, "", "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let help = run(descope_mgmt(&repo_root()).arg("--help"));
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:"));
    assert!(help.stdout.contains("64   usage error"));
    let version = run(descope_mgmt(&repo_root()).arg("--version"));
    assert_eq!(version.code, 0);
    assert!(version.stdout.starts_with("descope-mgmt "));
}

#[test]
fn global_flags_work_before_and_after_the_subcommand() {
    let before = run(descope_mgmt(&repo_root())
        .args(["--env", "prod", "--format", "json", "config", "validate"]));
    let after = run(descope_mgmt(&repo_root())
        .args(["config", "validate", "--env", "prod", "--format", "json"]));
    let short =
        run(descope_mgmt(&repo_root()).args(["-e", "prod", "config", "validate", "--format=json"]));
    for result in [&before, &after, &short] {
        assert_eq!(result.code, 0, "{}", result.stderr);
        let report: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
        assert_eq!(report["environment"], "prod");
        assert_eq!(report["valid"], true);
    }
    let unknown = run(descope_mgmt(&repo_root()).args(["config", "validate", "-e", "nope"]));
    assert_eq!(unknown.code, 3);
    assert!(
        unknown
            .stderr
            .contains("environment \"nope\" is not defined"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn config_path_comes_from_the_environment_variable() {
    let case = repo_root().join("tests/fixtures/broken/uppercase-id/descope.yaml");
    let result = run(descope_mgmt(&repo_root())
        .args(["config", "validate"])
        .env("DESCOPE_MGMT_CONFIG", &case));
    assert_eq!(result.code, 3);
    assert!(result.stderr.contains("must match ^[a-z0-9-]+$"));
}
